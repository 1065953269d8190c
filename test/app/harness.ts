import { encodeAction } from "../../src/app/actions.js";
import type { Deps } from "../../src/app/deps.js";
import { handleInbound } from "../../src/app/handle.js";
import type { InboundInput } from "../../src/app/inbound.js";
import type { OutgoingMessage } from "../../src/app/messages.js";
import type { OutboxEntry } from "../../src/app/ports.js";
import { inUnit } from "../../src/app/requests.js";
import { addMemberIn } from "../../src/app/roster.js";
import { setupVillageIn } from "../../src/app/setup.js";
import { workingCalendar } from "../../src/domain/calendar.js";
import { DEFAULT_DEADLINE_POLICY } from "../../src/domain/deadlines.js";
import type { Member } from "../../src/domain/model.js";
import type { MessageKey } from "../../src/i18n/index.js";
import { translate } from "../../src/i18n/index.js";
import { createMemoryStore } from "../../src/store/memory.js";

export interface Delivered {
  entry: OutboxEntry;
  text: string;
}

/** An app on the in-memory store with a clock the test moves, and the local channel's chats read back. */
export function createHarness(start = "2026-11-23T02:00:00Z") {
  let now = new Date(start);
  const clock = { now: () => now };
  const store = createMemoryStore({ clock });
  const deps: Deps = {
    store,
    clock,
    policy: DEFAULT_DEADLINE_POLICY,
    calendar: workingCalendar("Asia/Shanghai", { holidays: [], workdays: [] }),
    channels: ["local"],
    defaultLanguage: "zh-CN",
  };
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

/** A village with a secretary, a grid worker owning roads, a second grid worker and two villagers. */
export async function seedVillage(h: Harness) {
  const created = await inUnit(h.deps, (unit) =>
    setupVillageIn(unit, {
      townName: "红旗镇",
      villageName: "东风村",
      code: "DF",
      secretaryName: "李书记",
      language: "zh-CN",
    }),
  );
  if (!created.ok) throw new Error(created.reason);
  const { village, secretary } = created.value;
  const add = async (line: string): Promise<Member> => {
    const added = await inUnit(h.deps, (unit) => addMemberIn(unit, secretary, line));
    if (!added.ok) throw new Error(added.reason);
    return added.value;
  };
  const worker = await add("王网格，网格员，村委会");
  const otherWorker = await add("赵网格，网格员，村委会");
  const villager = await add("张大爷，村民，一组3号");
  const neighbour = await add("刘大妈，村民，一组5号");
  await inUnit(h.deps, async (unit) => {
    const current = await unit.tx.getVillage(village.id);
    if (current === undefined) throw new Error("village vanished");
    unit.tx.putVillage({
      ...current,
      categories: current.categories.map((c) => (c.id === "roads" ? { ...c, ownerIds: [worker.id] } : c)),
    });
  });
  await h.drain();
  return { village, secretary, worker, otherWorker, villager, neighbour };
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
