import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { Update } from "grammy/types";
import { createFakeBotApi, type FakeBotApi } from "../../test/support/telegram/fake-bot-api.js";

/** A call the bot made, and when it reached the stand-in (performance.now()). */
export interface ArrivedCall {
  method: string;
  payload: Record<string, unknown>;
  at: number;
}

export interface BotApiStandIn {
  /** For TELEGRAM_API_ROOT. */
  apiRoot: string;
  /** Answers every method but getUpdates (chat members, message ids…). */
  fake: FakeBotApi;
  /** Makes an update available to getUpdates; returns when it did (performance.now()). */
  push(update: Update): number;
  /** The first call from now on that `match` accepts. */
  next(match: (call: ArrivedCall) => boolean, timeoutMs?: number): Promise<ArrivedCall>;
  /** Resolves once no call but getUpdates is in flight and none has arrived for `quietMs`. */
  settled(quietMs: number): Promise<void>;
  /** Whether a getUpdates call is waiting for updates. */
  polling(): boolean;
  close(): Promise<void>;
}

/** The longest a getUpdates call is held when no update comes (Telegram holds it for `timeout`). */
const MAX_HOLD_MS = 5_000;

type Answer = (prev: unknown, method: string, payload: Record<string, unknown>) => Promise<unknown>;

/**
 * A Bot API over HTTP on 127.0.0.1 for the bot under test: every answer leaves `latencyMs` after its call
 * arrived (getUpdates: after it has updates to give, or after holding the call empty), as over a network.
 * Answers come from the tests' fake Bot API; getUpdates serves the updates `push` queued, from `offset` on.
 */
export async function startBotApiStandIn(latencyMs: number): Promise<BotApiStandIn> {
  const fake = createFakeBotApi();
  // The fake is a grammY transformer; it answers without calling the `prev` it is given.
  const answer = fake.transformer as unknown as Answer;
  const queue: Update[] = [];
  const waiters = new Set<() => void>();
  const watchers = new Set<(call: ArrivedCall) => void>();
  const held = new Set<ServerResponse>();
  let inFlight = 0;
  let lastArrival = performance.now();

  async function getUpdates(payload: Record<string, unknown>): Promise<Update[]> {
    const offset = Number(payload.offset ?? 0);
    while (queue.length > 0 && (queue[0] as Update).update_id < offset) queue.shift();
    const holdMs = Math.min(Number(payload.timeout ?? 0) * 1000, MAX_HOLD_MS);
    if (queue.length === 0 && holdMs > 0) {
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, holdMs);
        waiters.add(done);
      });
    }
    return queue.slice(0, Number(payload.limit ?? 100));
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const method = (request.url ?? "").split("/").at(-1) ?? "";
    const payload = (body === "" ? {} : JSON.parse(body)) as Record<string, unknown>;
    const call = { method, payload, at: performance.now() };
    let result: unknown;
    if (method === "getUpdates") {
      held.add(response);
      result = { ok: true, result: await getUpdates(payload) };
      held.delete(response);
    } else {
      inFlight++;
      lastArrival = call.at;
      for (const watch of watchers) watch(call);
      result = await answer(undefined, method, payload);
    }
    await sleep(latencyMs);
    if (method !== "getUpdates") inFlight--;
    const failed = result as { ok: boolean; error_code?: number };
    response.writeHead(failed.ok ? 200 : (failed.error_code ?? 400), { "content-type": "application/json" });
    response.end(JSON.stringify(result));
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      response.writeHead(500).end(JSON.stringify({ ok: false, error_code: 500, description: String(error) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiRoot: `http://127.0.0.1:${port}`,
    fake,
    push(update) {
      queue.push(update);
      const at = performance.now();
      for (const wake of [...waiters]) wake();
      return at;
    },
    next(match, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(watch);
          reject(new Error(`no matching Bot API call within ${timeoutMs} ms`));
        }, timeoutMs);
        const watch = (call: ArrivedCall) => {
          if (!match(call)) return;
          clearTimeout(timer);
          watchers.delete(watch);
          resolve(call);
        };
        watchers.add(watch);
      });
    },
    async settled(quietMs) {
      while (inFlight > 0 || performance.now() - lastArrival < quietMs) await sleep(quietMs / 5);
    },
    polling: () => waiters.size > 0,
    async close() {
      for (const wake of [...waiters]) wake();
      for (const response of held) response.destroy();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
