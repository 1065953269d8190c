import type { App } from "../../src/app/create-app.js";
import { inUnit } from "../../src/app/deps.js";
import type { InboundInput } from "../../src/app/inbound.js";
import type { OutgoingMessage } from "../../src/app/messages.js";
import type { OutboxEntry, Schedule } from "../../src/app/ports.js";
import type { WorkingCalendar } from "../../src/domain/calendar.js";
import type { Member } from "../../src/domain/model.js";
import type { MonthlyTime } from "../../src/domain/tally.js";
import { addMemberIn } from "../../src/features/roster/index.js";
import { proposeTopicIn } from "../../src/features/topics/index.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { StagedStore } from "../../src/store/staged.js";
import { createTestApp } from "../support/app.js";
import { type SeededVillage, seedVillage as seedSharedVillage } from "../support/village.js";

export interface Delivered {
  entry: OutboxEntry;
  text: string;
}

/** An app on the in-memory store with a clock the test moves, and the local channel's chats read back. */
export async function createHarness(
  start = "2026-11-23T02:00:00Z",
  options: { schedule?: Schedule; calendar?: WorkingCalendar; tallyAt?: MonthlyTime } = {},
) {
  let now = new Date(start);
  const clock = { now: () => now };
  let store: StagedStore | undefined;
  const app: App = await createTestApp({
    clock,
    openStore: async (tables) => {
      store = createMemoryStore({ tables, clock });
      return store;
    },
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
    ...(options.calendar === undefined ? {} : { calendar: options.calendar }),
    ...(options.tallyAt === undefined ? {} : { tallyAt: options.tallyAt }),
  });
  if (store === undefined) throw new Error("store not opened");
  const memory = store;
  const chats = new Map<string, Delivered[]>();
  let eventSeq = 0;

  async function drain(): Promise<void> {
    for (const entry of await memory.due(new Date(8.64e15), 100_000)) {
      const log = chats.get(entry.target.chatId) ?? [];
      log.push({
        entry,
        text: entry.message.lines.map((line) => app.translate(line, entry.target.language)).join("\n"),
      });
      chats.set(entry.target.chatId, log);
      await memory.markSent([{ id: entry.id, revision: entry.revision ?? 0 }]);
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
    const outcome = await app.handle({ eventId, channel: "local", userId, chat, input });
    await drain();
    return outcome;
  }

  function messages(chatId: string): Delivered[] {
    return chats.get(chatId) ?? [];
  }

  function last(chatId: string): Delivered | undefined {
    return messages(chatId).at(-1);
  }

  /** The newest button with this label key that the person was shown. */
  function findButton(chatId: string, label: string) {
    for (const delivered of [...messages(chatId)].reverse()) {
      for (const row of delivered.entry.message.buttons ?? []) {
        const found = row.find((button) => button.label.key === label);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  }

  /** Presses the newest button with this label that the person was shown. */
  async function press(userId: string, label: string, options: { group?: string; chat?: string } = {}) {
    const found = findButton(options.chat ?? options.group ?? userId, label);
    if (found === undefined) throw new Error(`${userId} was never shown a button ${label}`);
    return send(
      userId,
      { type: "button", data: found.data },
      options.group === undefined ? {} : { group: options.group },
    );
  }

  function buttonsOf(message: OutgoingMessage): string[] {
    return (message.buttons ?? []).flat().map((button) => button.label.key);
  }

  return {
    app,
    deps: app.deps,
    store: memory,
    send,
    press,
    findButton,
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

export type Harness = Awaited<ReturnType<typeof createHarness>>;

/** The shared test village, with everyone's welcome messages already read. */
export async function seedVillage(h: Harness): Promise<SeededVillage> {
  const seeded = await seedSharedVillage(h.app);
  await h.drain();
  return seeded;
}

/** Walks the villager through the request form with buttons and returns the new request's number. */
export async function fileRequest(h: Harness, villagerId: string, text = "三组路口的路灯坏了，晚上很黑") {
  await h.send(villagerId, { type: "command", command: "request" });
  await h.send(villagerId, { type: "button", data: "k:problem" });
  await h.send(villagerId, { type: "button", data: "c:roads" });
  await h.send(villagerId, { type: "text", text });
  await h.press(villagerId, "intake.submit");
  const receipt = h
    .messages(villagerId)
    .find((m) => m.entry.message.lines[0]?.key === "requests.submit.receipt");
  const id = receipt?.entry.message.lines[0]?.params?.id;
  if (typeof id !== "string") throw new Error("no receipt");
  return id;
}

/** Adds villagers to the secretary's village, each in a household of their own. */
export async function addVillagers(h: Harness, secretary: Member, count: number): Promise<Member[]> {
  const added: Member[] = [];
  for (let i = 0; i < count; i++) {
    const member = await inUnit(h.deps, (unit) => addMemberIn(unit, secretary, `村民${i}，村民，二组${i}号`));
    if (!member.ok) throw new Error(member.reason);
    added.push(member.value);
  }
  await h.drain();
  return added;
}

/** A topic the member proposed (through the use case, not the form); gives its number. */
export async function proposedTopic(h: Harness, proposer: Member, title = "修村口那段路"): Promise<string> {
  const made = await inUnit(h.deps, (unit) =>
    proposeTopicIn(unit, proposer, { title, text: "路坏了", attachments: [], requestIds: [] }),
  );
  if (!made.ok) throw new Error(made.reason);
  await h.drain();
  return made.value.id;
}
