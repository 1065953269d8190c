import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Deps } from "../../../src/app/deps.js";
import { inUnit } from "../../../src/app/requests.js";
import { addMemberIn } from "../../../src/app/roster.js";
import { setupVillageIn } from "../../../src/app/setup.js";
import { createLocalChat, type LocalChat } from "../../../src/channels/local/index.js";
import { workingCalendar } from "../../../src/domain/calendar.js";
import { DEFAULT_DEADLINE_POLICY } from "../../../src/domain/deadlines.js";
import type { Member, Village } from "../../../src/domain/model.js";
import { silentLogger } from "../../../src/logger.js";
import { createDispatcher } from "../../../src/outbox/dispatcher.js";
import { createMemoryStore } from "../../../src/store/memory.js";

export interface Running {
  deps: Deps;
  store: ReturnType<typeof createMemoryStore>;
  chat: LocalChat;
  url: string;
  dataDir: string;
  /** Waits until everything in the outbox has reached the local chat. */
  settle(): Promise<void>;
  /** Stops the server, keeping the data directory. */
  stop(): Promise<void>;
  /** Stops the server and removes the data directory. */
  close(): Promise<void>;
}

export function testDeps(store: ReturnType<typeof createMemoryStore>): Deps {
  return {
    store,
    clock: { now: () => new Date("2026-11-23T02:00:00Z") },
    policy: DEFAULT_DEADLINE_POLICY,
    calendar: workingCalendar("Asia/Shanghai", { holidays: [], workdays: [] }),
    channels: ["local"],
    defaultLanguage: "zh-CN",
  };
}

/** The local chat on port 0 over the in-memory store, with a real outbox dispatcher. */
export async function startLocalChat(
  options: { dataDir?: string; store?: ReturnType<typeof createMemoryStore> } = {},
): Promise<Running> {
  const store =
    options.store ?? createMemoryStore({ clock: { now: () => new Date("2026-11-23T02:00:00Z") } });
  const deps = testDeps(store);
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "shangliang-local-")));
  const logger = silentLogger();
  const chat = createLocalChat({
    deps,
    port: 0,
    host: "127.0.0.1",
    dataDir,
    kick: () => {
      dispatcher.flush().catch(() => undefined);
    },
    logger,
  });
  const dispatcher = createDispatcher({
    outbox: store,
    senders: new Map([["local", chat.sender]]),
    clock: deps.clock,
    logger,
  });
  const url = await chat.start();
  const stop = async () => {
    await chat.close();
    await dispatcher.stop();
  };
  return {
    deps,
    store,
    chat,
    url,
    dataDir,
    settle: () => dispatcher.flush(),
    stop,
    async close() {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface Seeded {
  village: Village;
  secretary: Member;
  worker: Member;
  villager: Member;
}

/** 东风村 of 红旗镇: a secretary, a grid worker who owns roads, and a villager. */
export async function seedVillage(deps: Deps): Promise<Seeded> {
  const created = await inUnit(deps, (unit) =>
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
    const added = await inUnit(deps, (unit) => addMemberIn(unit, secretary, line));
    if (!added.ok) throw new Error(added.reason);
    return added.value;
  };
  const worker = await add("王网格，网格员");
  const villager = await add("张大爷，村民，一组3号");
  await inUnit(deps, async (unit) => {
    const current = await unit.tx.getVillage(village.id);
    if (current === undefined) throw new Error("village vanished");
    unit.tx.putVillage({
      ...current,
      categories: current.categories.map((c) => (c.id === "roads" ? { ...c, ownerIds: [worker.id] } : c)),
    });
  });
  return { village, secretary, worker, villager };
}

export async function postJson(
  url: string,
  body: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

export async function getJson(url: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url);
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}
