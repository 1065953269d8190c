import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { FAKE_BOT_INFO } from "../../support/telegram/fake-bot-api.js";

/**
 * A small stand-in for a Bot API server over real HTTP: `/bot<token>/<method>` with JSON bodies, long
 * polling getUpdates with offset confirmation and timeout, and the sending methods the bot uses.
 */

export interface SentMessage {
  method: string;
  message_id: number;
  chat_id: number;
  text: string;
  buttons: { text: string; callback_data?: string; url?: string }[];
}

interface Waiter {
  offset: number;
  limit: number;
  respond: (updates: unknown[]) => void;
}

type Body = Record<string, unknown>;

export interface StandInBotApi {
  url: string;
  /** Every method called, in order. */
  methods: string[];
  sent: SentMessage[];
  push(update: object): void;
  setChatMember(chatId: number, userId: number, status: string): void;
  /** Resolves with the first sent message (from now on) that matches, or rejects after `ms`. */
  waitForMessage(match: (message: SentMessage) => boolean, ms?: number): Promise<SentMessage>;
  close(): Promise<void>;
}

export async function startStandInBotApi(token: string): Promise<StandInBotApi> {
  const methods: string[] = [];
  const sent: SentMessage[] = [];
  let queue: Record<string, unknown>[] = [];
  let waiters: Waiter[] = [];
  let nextUpdateId = 1;
  let nextMessageId = 1;
  const members = new Map<string, string>();
  const watchers: { match: (m: SentMessage) => boolean; resolve: (m: SentMessage) => void }[] = [];

  function pending(offset: number, limit: number): unknown[] {
    queue = queue.filter((update) => Number(update.update_id) >= offset);
    return queue.slice(0, limit);
  }

  function wakeWaiters(): void {
    const still: Waiter[] = [];
    for (const waiter of waiters) {
      const updates = pending(waiter.offset, waiter.limit);
      if (updates.length > 0) waiter.respond(updates);
      else still.push(waiter);
    }
    waiters = still;
  }

  function record(method: string, body: Body, extra: Body): Body {
    const chatId = Number(body.chat_id);
    const markup = body.reply_markup as { inline_keyboard?: SentMessage["buttons"][] } | undefined;
    const message: SentMessage = {
      method,
      message_id: nextMessageId++,
      chat_id: chatId,
      text: typeof body.text === "string" ? body.text : "",
      buttons: (markup?.inline_keyboard ?? []).flat(),
    };
    sent.push(message);
    for (const watcher of [...watchers]) {
      if (watcher.match(message)) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve(message);
      }
    }
    const chat =
      chatId > 0
        ? { id: chatId, type: "private", first_name: "User" }
        : { id: chatId, type: "group", title: "村群" };
    return {
      message_id: message.message_id,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: FAKE_BOT_INFO,
      ...extra,
    };
  }

  function answer(response: ServerResponse, status: number, json: unknown): void {
    if (response.writableEnded) return;
    response.writeHead(status, { "Content-Type": "application/json" }).end(JSON.stringify(json));
  }

  const ok = (response: ServerResponse, result: unknown) => answer(response, 200, { ok: true, result });
  const fail = (response: ServerResponse, code: number, description: string) =>
    answer(response, code, { ok: false, error_code: code, description });

  async function readBody(request: IncomingMessage): Promise<Body> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    return raw === "" ? {} : (JSON.parse(raw) as Body);
  }

  async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/([A-Za-z]+)$/.exec(request.url ?? "");
    if (match === null) return fail(response, 404, "Not Found");
    if (match[1] !== token) return fail(response, 401, "Unauthorized");
    const method = match[2] ?? "";
    const body = await readBody(request);
    methods.push(method);
    switch (method) {
      case "getMe":
        return ok(response, FAKE_BOT_INFO);
      case "deleteWebhook":
      case "setMyCommands":
      case "answerCallbackQuery":
        return ok(response, true);
      case "getUpdates": {
        const offset = Number(body.offset ?? 0);
        const limit = Number(body.limit ?? 100);
        const timeout = Number(body.timeout ?? 0);
        const ready = pending(offset, limit);
        if (ready.length > 0 || timeout <= 0) return ok(response, ready);
        const waiter: Waiter = {
          offset,
          limit,
          respond: (updates) => {
            clearTimeout(timer);
            ok(response, updates);
          },
        };
        const timer = setTimeout(() => {
          waiters = waiters.filter((w) => w !== waiter);
          ok(response, []);
        }, timeout * 1000);
        request.once("close", () => {
          clearTimeout(timer);
          waiters = waiters.filter((w) => w !== waiter);
        });
        waiters.push(waiter);
        return;
      }
      case "sendMessage": {
        const text = body.text;
        if (typeof text !== "string" || text.length === 0)
          return fail(response, 400, "Bad Request: message text is empty");
        if (text.length > 4096) return fail(response, 400, "Bad Request: message is too long");
        return ok(response, record(method, body, { text }));
      }
      case "sendPhoto":
      case "sendVoice":
      case "sendLocation":
        return ok(response, record(method, body, {}));
      case "getChatMember": {
        const status = members.get(`${body.chat_id}:${body.user_id}`) ?? "left";
        return ok(response, {
          status,
          user: { id: Number(body.user_id), is_bot: false, first_name: "User" },
        });
      }
      default:
        return fail(response, 404, "Not Found: method not found");
    }
  }

  const server: Server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => fail(response, 500, String(error)));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    methods,
    sent,
    push(update) {
      const { update_id: _ignored, ...rest } = update as Record<string, unknown>;
      queue.push({ ...rest, update_id: nextUpdateId++ });
      wakeWaiters();
    },
    setChatMember(chatId, userId, status) {
      members.set(`${chatId}:${userId}`, status);
    },
    waitForMessage(match, ms = 10_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no matching message was sent in time")), ms);
        watchers.push({
          match,
          resolve: (message) => {
            clearTimeout(timer);
            resolve(message);
          },
        });
      });
    },
    async close() {
      for (const waiter of waiters) waiter.respond([]);
      waiters = [];
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
