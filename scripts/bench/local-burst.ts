import { fork } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { App } from "../../src/app/create-app.js";
import { inUnit } from "../../src/app/deps.js";
import { addMemberIn } from "../../src/features/roster/index.js";
import { seedVillage } from "../../test/support/village.js";

/** Villagers filing at once; more HTTP connections than this at a time only queue in the client. */
const CONNECTIONS = 256;
const WAIT_MS = 180_000;

export interface BurstFigures {
  /** Seconds from the last villager's acknowledgement to the last notification the secretary was shown. */
  lastNotificationS: number;
  notifications: number;
  rssMb: number;
}

/**
 * `villagers` villagers of one village each file a request through the local web chat's HTTP API at once
 * (`npm start`'s own code, in this process), while the secretary's page listens on its event stream. A
 * villager is acknowledged when the POST that submits the form answers; the secretary is shown a notice of
 * each new request on the stream.
 */
export async function localBurst(
  appOn: (dir: string) => Promise<App>,
  villagers: number,
): Promise<BurstFigures> {
  const dir = await mkdtemp(join(tmpdir(), "shangliang-burst-"));
  try {
    const app = await appOn(dir);
    const { secretary } = await seedVillage(app);
    const ids: string[] = [];
    for (let i = 0; i < villagers; i++) {
      const added = await inUnit(app.deps, (unit) => addMemberIn(unit, secretary, `村民${i}，村民，${i}号`));
      if (!added.ok) throw new Error(added.reason);
      ids.push(added.value.id);
    }
    await app.close();
    const bot = await startBot({ DATA_DIR: dir, PORT: "0", LOCAL_CHAT: "on" });
    const url = bot.url;
    let rssMb = Number.NaN;
    try {
      const shown: number[] = [];
      const stream = new AbortController();
      const listening = listen(`${url}/api/stream?member=${secretary.id}`, stream.signal, () =>
        shown.push(performance.now()),
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      const before = shown.length;
      let next = 0;
      let lastAck = 0;
      const file = async (id: string) => {
        for (const input of [
          { type: "button", data: "rq" },
          { type: "button", data: "k:problem" },
          { type: "button", data: "c:water" },
          { type: "text", text: "自来水发黄，请帮忙看看。" },
          { type: "button", data: "d:ok" },
        ]) {
          await post(`${url}/api/events`, { eventId: randomUUID(), userId: id, chat: "private", input });
        }
        lastAck = Math.max(lastAck, performance.now());
      };
      await Promise.all(
        Array.from({ length: CONNECTIONS }, async () => {
          while (next < ids.length) await file(ids[next++] ?? "");
        }),
      );
      const deadline = performance.now() + WAIT_MS;
      while (shown.length - before < villagers && performance.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 20));
      stream.abort();
      await listening.catch(() => undefined);
      const notifications = shown.length - before;
      const last = shown.at(-1) ?? lastAck;
      rssMb = await bot.stop();
      return {
        lastNotificationS: notifications < villagers ? Number.POSITIVE_INFINITY : (last - lastAck) / 1000,
        notifications,
        rssMb,
      };
    } finally {
      if (Number.isNaN(rssMb)) bot.kill();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(`${url} answered ${response.status}: ${await response.text()}`);
}

/** Reads a server-sent event stream, calling `onMessage` for each message event, until aborted. */
async function listen(url: string, signal: AbortSignal, onMessage: () => void): Promise<void> {
  const response = await fetch(url, { signal });
  const reader = response.body?.getReader();
  if (reader === undefined) throw new Error("the event stream has no body");
  const decoder = new TextDecoder();
  let buffered = "";
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    buffered += decoder.decode(value, { stream: true });
    let end = buffered.indexOf("\n\n");
    while (end >= 0) {
      if (buffered.slice(0, end).startsWith("event: message")) onMessage();
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf("\n\n");
    }
  }
}

interface BotProcess {
  url: string;
  /** Stops the bot and gives its peak resident memory in MB. */
  stop(): Promise<number>;
  kill(): void;
}

/** Starts `npm start`'s code in a child process (`bot-process.ts`) with `settings` as its whole configuration. */
async function startBot(settings: Record<string, string>): Promise<BotProcess> {
  const child = fork(new URL("./bot-process.ts", import.meta.url), {
    env: { ...process.env, BOT_SETTINGS: JSON.stringify(settings) },
    execArgv: ["--import", "tsx"],
  });
  const next = () =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`the bot's process ended (${code})`));
      child.once("exit", onExit);
      child.once("message", (message) => {
        child.off("exit", onExit);
        resolve(message as Record<string, unknown>);
      });
    });
  const started = await next();
  return {
    url: String(started.url),
    async stop() {
      const stopped = next();
      child.send("stop");
      return Number((await stopped).maxRssMb);
    },
    kill: () => child.kill("SIGKILL"),
  };
}
