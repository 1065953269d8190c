import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";
import type { Update } from "grammy/types";
import { FAKE_BOT_INFO } from "../../test/support/telegram/fake-bot-api.js";

export interface Limits {
  perSecond: number;
  perChatPerSecond: number;
  perGroupPerMinute: number;
}

/** One message the stand-in accepted. */
export interface Delivery {
  chatId: number;
  text: string;
  at: number;
}

export interface LimitsStandIn {
  apiRoot: string;
  deliveries: Delivery[];
  /** Calls answered 429 because they went past a limit. */
  tooMany(): number;
  /** Answers 502 to every call from now until `outage(false)`. */
  outage(on: boolean): void;
  push(update: Update): void;
  /** The first delivery from now on that `match` accepts. */
  next(match: (delivery: Delivery) => boolean, timeoutMs?: number): Promise<Delivery>;
  close(): Promise<void>;
}

const SENDING = /^(send|edit|copy|forward)/;

/**
 * A local Bot API that enforces Telegram's published limits with sliding windows (messages in all per
 * second, per private chat per second, per group per minute) and answers 429 with `retry_after` past them,
 * as Telegram does; it can also fail whole (502) for a while. It records every message it accepted.
 */
export async function startLimitsStandIn(limits: Limits, latencyMs: number): Promise<LimitsStandIn> {
  const deliveries: Delivery[] = [];
  const all: number[] = [];
  const byChat = new Map<number, number[]>();
  const queue: Update[] = [];
  const waiters = new Set<() => void>();
  const watchers = new Set<(delivery: Delivery) => void>();
  let rejected = 0;
  let down = false;
  let nextMessageId = 1;

  /** Whether a send to `chatId` now stays within every window; if so, it is counted. */
  function admit(chatId: number, now: number): number | undefined {
    const within = (times: number[], windowMs: number) => times.filter((at) => at > now - windowMs);
    const recent = within(all, 1_000);
    all.splice(0, all.length, ...recent);
    const chat = within(byChat.get(chatId) ?? [], 60_000);
    byChat.set(chatId, chat);
    const group = chatId < 0;
    const lastSecond = chat.filter((at) => at > now - 1_000).length;
    if (recent.length >= limits.perSecond) return 1;
    if (!group && lastSecond >= limits.perChatPerSecond) return 1;
    if (group && chat.length >= limits.perGroupPerMinute)
      return Math.ceil((60_000 - (now - (chat[0] ?? now))) / 1000);
    all.push(now);
    chat.push(now);
    return undefined;
  }

  async function getUpdates(payload: Record<string, unknown>): Promise<Update[]> {
    const offset = Number(payload.offset ?? 0);
    while (queue.length > 0 && (queue[0] as Update).update_id < offset) queue.shift();
    const holdMs = Math.min(Number(payload.timeout ?? 0) * 1000, 2_000);
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

  function answer(method: string, payload: Record<string, unknown>): { status: number; body: unknown } {
    if (down) return { status: 502, body: { ok: false, error_code: 502, description: "Bad Gateway" } };
    if (SENDING.test(method)) {
      const chatId = Number(payload.chat_id);
      const retryAfter = admit(chatId, performance.now());
      if (retryAfter !== undefined) {
        rejected++;
        return {
          status: 429,
          body: {
            ok: false,
            error_code: 429,
            description: `Too Many Requests: retry after ${retryAfter}`,
            parameters: { retry_after: retryAfter },
          },
        };
      }
      const delivery = { chatId, text: String(payload.text ?? ""), at: performance.now() };
      deliveries.push(delivery);
      for (const watcher of watchers) watcher(delivery);
      const chat = chatId < 0 ? { id: chatId, type: "group", title: "G" } : { id: chatId, type: "private" };
      return {
        status: 200,
        body: { ok: true, result: { message_id: nextMessageId++, date: 0, chat, text: delivery.text } },
      };
    }
    if (method === "getMe") return { status: 200, body: { ok: true, result: FAKE_BOT_INFO } };
    return { status: 200, body: { ok: true, result: true } };
  }

  async function respond(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = (request.url ?? "").split("/").at(-1) ?? "";
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    const payload = (text === "" ? {} : JSON.parse(text)) as Record<string, unknown>;
    if (method === "getUpdates" && !down) {
      const result = await getUpdates(payload);
      response
        .writeHead(200, { "content-type": "application/json" })
        .end(JSON.stringify({ ok: true, result }));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    const { status, body } = answer(method, payload);
    response.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  }

  const server = createServer((request, response) => {
    respond(request, response).catch(() => response.writeHead(500).end());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    apiRoot: `http://127.0.0.1:${port}`,
    deliveries,
    tooMany: () => rejected,
    outage(on) {
      down = on;
    },
    push(update) {
      queue.push(update);
      for (const waiter of waiters) waiter();
    },
    next(match, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          watchers.delete(watch);
          reject(new Error("no such delivery in time"));
        }, timeoutMs);
        const watch = (delivery: Delivery) => {
          if (!match(delivery)) return;
          clearTimeout(timer);
          watchers.delete(watch);
          resolve(delivery);
        };
        watchers.add(watch);
      });
    },
    async close() {
      for (const waiter of waiters) waiter();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
