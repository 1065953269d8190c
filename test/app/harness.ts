import { encodeAction } from "../../src/app/actions.js";
import { handleInbound } from "../../src/app/handle.js";
import type { InboundInput } from "../../src/app/inbound.js";
import type { OutgoingMessage } from "../../src/app/messages.js";
import type { OutboxEntry } from "../../src/app/ports.js";
import type { MessageKey } from "../../src/i18n/index.js";
import { translate } from "../../src/i18n/index.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { type SeededVillage, seedVillage as seedSharedVillage, testDeps } from "../support/village.js";

export interface Delivered {
  entry: OutboxEntry;
  text: string;
}

/** An app on the in-memory store with a clock the test moves, and the local channel's chats read back. */
export function createHarness(start = "2026-11-23T02:00:00Z") {
  let now = new Date(start);
  const clock = { now: () => now };
  const store = createMemoryStore({ clock });
  const deps = testDeps(store, clock, ["local"]);
  const chats = new Map<string, Delivered[]>();
  let eventSeq = 0;

  async function drain(): Promise<void> {
    for (const entry of await store.due(new Date(8.64e15), 100_000)) {
      const log = chats.get(entry.target.chatId) ?? [];
      log.push({
        entry,
        text: entry.message.lines.map((line) => translate(line, entry.target.language)).join("\n"),
      });
      chats.set(entry.target.chatId, log);
      await store.markSent(entry.id);
    }
  }

  async function send(
    userId: string,
    input: InboundInput,
    options: { group?: string; eventId?: string } = {},
  ) {
    const eventId = options.eventId ?? `e${++eventSeq}`;
    const chat =
      options.group === undefined
        ? { kind: "private" as const, chatId: userId }
        : { kind: "group" as const, chatId: options.group };
    const outcome = await handleInbound(deps, { eventId, channel: "local", userId, chat, input });
    await drain();
    return outcome;
  }

  function messages(chatId: string): Delivered[] {
    return chats.get(chatId) ?? [];
  }

  function last(chatId: string): Delivered | undefined {
    return messages(chatId).at(-1);
  }

  /** Presses the newest button with this label that the person was shown. */
  async function press(userId: string, label: MessageKey, options: { group?: string; chat?: string } = {}) {
    const log = messages(options.chat ?? options.group ?? userId);
    for (const delivered of [...log].reverse()) {
      for (const row of delivered.entry.message.buttons ?? []) {
        const found = row.find((button) => button.label.key === label);
        if (found !== undefined) {
          return send(
            userId,
            { type: "button", data: encodeAction(found.action) },
            options.group === undefined ? {} : { group: options.group },
          );
        }
      }
    }
    throw new Error(`${userId} was never shown a button ${label}`);
  }

  function buttonsOf(message: OutgoingMessage): MessageKey[] {
    return (message.buttons ?? []).flat().map((button) => button.label.key);
  }

  return {
    deps,
    store,
    send,
    press,
    messages,
    last,
    buttonsOf,
    drain,
    advanceHours(hours: number) {
      now = new Date(now.getTime() + hours * 3_600_000);
    },
    get now() {
      return now;
    },
  };
}

export type Harness = ReturnType<typeof createHarness>;

/** The shared test village, with everyone's welcome messages already read. */
export async function seedVillage(h: Harness): Promise<SeededVillage> {
  const seeded = await seedSharedVillage(h.deps);
  await h.drain();
  return seeded;
}

/** Walks the villager through the request form with buttons and returns the new request's number. */
export async function fileRequest(h: Harness, villagerId: string, text = "三组路口的路灯坏了，晚上很黑") {
  await h
    .press(villagerId, "menu.request")
    .catch(async () => h.send(villagerId, { type: "command", command: "request" }));
  await h.send(villagerId, { type: "button", data: "k:problem" });
  await h.send(villagerId, { type: "button", data: "c:roads" });
  await h.send(villagerId, { type: "text", text });
  await h.press(villagerId, "action.submit");
  const receipt = h.messages(villagerId).find((m) => m.entry.message.lines[0]?.key === "submit.receipt");
  const id = receipt?.entry.message.lines[0]?.params?.id;
  if (typeof id !== "string") throw new Error("no receipt");
  return id;
}
