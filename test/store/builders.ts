import { z } from "zod";
import type { Conversation } from "../../src/app/conversation.js";
import type { OutgoingMessage } from "../../src/app/messages.js";
import type { DeliveryTarget } from "../../src/app/ports.js";
import { type AnyTable, defineTable, KERNEL_TABLES } from "../../src/app/tables.js";
import type {
  ChannelName,
  GroupBinding,
  Household,
  Member,
  RequestState,
  ServiceRequest,
  Town,
  Village,
} from "../../src/domain/model.js";
import { Requests } from "../../src/features/requests/tables.js";

export const AT = "2026-03-02T08:00:00.000Z";

/** A table of this test folder only: not resident, with ids and an index, to prove the generic code alone. */
export const Note = z.object({ id: z.string(), shelf: z.string(), text: z.string() });
export type Note = z.infer<typeof Note>;

export const Notes = defineTable({
  name: "notes",
  schema: Note,
  key: (note) => note.id,
  indexes: { shelf: (note) => note.shelf },
  file: (note) => `notes/${note.shelf}.json`,
  resident: false,
  ids: { counter: "note", prefix: "n" },
});

/** The tables the store tests open: the kernel's, requests (not resident, numbered) and notes. */
export const TEST_TABLES: readonly AnyTable[] = [...KERNEL_TABLES, Requests, Notes];

export function town(id = "t1"): Town {
  return { id, name: "Dunhua", supervisors: [] };
}

export function village(id = "v1", townId = "t1"): Village {
  return { id, townId, name: "East Village", code: "EV", language: "zh-CN", categories: [], createdAt: AT };
}

export function member(id: string, villageId = "v1", overrides: Partial<Member> = {}): Member {
  return {
    id,
    villageId,
    name: `Member ${id}`,
    role: "villager",
    identities: [],
    active: true,
    ...overrides,
  };
}

export function household(id: string, villageId = "v1"): Household {
  return { id, villageId, name: `Household ${id}` };
}

export function binding(chatId: string, villageId = "v1", channel: ChannelName = "telegram"): GroupBinding {
  return { channel, chatId, villageId, boundAt: AT, boundBy: "m1" };
}

export function note(id: string, shelf = "a", text = `Note ${id}`): Note {
  return { id, shelf, text };
}

export function request(seq: number, overrides: Partial<ServiceRequest> = {}): ServiceRequest {
  const villageId = overrides.villageId ?? "v1";
  const year = overrides.year ?? 2026;
  const state: RequestState = overrides.state ?? "submitted";
  return {
    id: `EV-${year}-${String(seq).padStart(4, "0")}-${villageId}`,
    villageId,
    year,
    seq,
    kind: "problem",
    categoryId: "roads",
    deadlineClass: "general",
    text: "The streetlight at the east bridge is broken.",
    attachments: [],
    requesterId: "m1",
    filedById: "m1",
    channel: "local",
    state,
    createdAt: AT,
    updatedAt: AT,
    respondBy: AT,
    resolveBy: AT,
    windowStart: AT,
    extended: false,
    timeline: [{ at: AT, by: "m1", action: "submitted" }],
    ...overrides,
  };
}

export function conversation(key: string): Conversation {
  return { key, updatedAt: AT, steps: [{ name: "requests.progress", data: { targetId: "EV-2026-0001" } }] };
}

export function target(chatId = "chat-1"): DeliveryTarget {
  return { channel: "local", chatId, language: "zh-CN" };
}

export function text(key: string): OutgoingMessage {
  return { lines: [{ key }] };
}

/** A clock the test moves by hand. */
export class ManualClock {
  constructor(public current = new Date(AT)) {}

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}
