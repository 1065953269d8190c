import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { App } from "../../../src/app/create-app.js";
import type { Deps } from "../../../src/app/deps.js";
import { createLocalChat, type LocalChat } from "../../../src/channels/local/index.js";
import { silentLogger } from "../../../src/logger.js";
import { createDispatcher } from "../../../src/outbox/dispatcher.js";
import { createMemoryStore } from "../../../src/store/memory.js";
import type { StagedStore } from "../../../src/store/staged.js";
import { createTestApp } from "../../support/app.js";
import { type SeededVillage, seedVillage } from "../../support/village.js";

export interface Running {
  app: App;
  deps: Deps;
  store: StagedStore;
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

/** The local chat on port 0 over the in-memory store, with a real outbox dispatcher. */
export async function startLocalChat(
  options: { dataDir?: string; store?: StagedStore } = {},
): Promise<Running> {
  const clock = { now: () => new Date("2026-11-23T02:00:00Z") };
  let store = options.store;
  const app = await createTestApp({
    clock,
    openStore: async (tables) => {
      store ??= createMemoryStore({ tables, clock });
      return store;
    },
  });
  if (store === undefined) throw new Error("no store");
  const opened = store;
  const deps = app.deps;
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), "shangliang-local-")));
  const logger = silentLogger();
  const chat = createLocalChat({
    app,
    port: 0,
    host: "127.0.0.1",
    dataDir,
    kick: () => {
      dispatcher.flush().catch(() => undefined);
    },
    logger,
  });
  const dispatcher = createDispatcher({
    outbox: opened,
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
    app,
    deps,
    store: opened,
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

export type Seeded = SeededVillage;
export { seedVillage };

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
