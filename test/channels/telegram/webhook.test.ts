import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createTelegramChannel, type TelegramChannel } from "../../../src/channels/telegram/index.js";
import {
  createFakeBotApi,
  createTelegramHarness,
  createUpdates,
  FAKE_BOT_INFO,
  privateChat,
  TOKEN,
  tgUser,
} from "./fake-api.js";

const villager = tgUser(201, "李大爷");
const HOOK = "https://bot.example.org/telegram/hook";
const SECRET = "s3cret_Token-123";

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

let running: TelegramChannel | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function startWebhook(secret?: string) {
  const h = await createTelegramHarness();
  const fake = createFakeBotApi();
  const port = await freePort();
  running = createTelegramChannel({
    token: TOKEN,
    apiRoot: "http://127.0.0.1:9",
    webhook: secret === undefined ? { url: HOOK, port } : { url: HOOK, secret, port },
    app: h.app,
    kick: () => {},
    logger: h.logger,
    botInfo: FAKE_BOT_INFO,
    transformer: fake.transformer,
  });
  await running.start();
  return { fake, port, h };
}

async function post(port: number, path: string, body: unknown, secret?: string): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${port}${path}`, {
    method: "POST",
    headers: {
      "Content-Type": "application/json",
      ...(secret === undefined ? {} : { "X-Telegram-Bot-Api-Secret-Token": secret }),
    },
    body: JSON.stringify(body),
  });
  await response.arrayBuffer();
  return response.status;
}

describe("webhook mode", () => {
  it("registers the webhook with its secret token and the update types it handles", async () => {
    const { fake } = await startWebhook(SECRET);

    expect(fake.callsOf("setWebhook").map((call) => call.payload)).toEqual([
      { url: HOOK, secret_token: SECRET, allowed_updates: ["message", "callback_query"] },
    ]);
  });

  it("handles an update posted with the right secret header", async () => {
    const { h, port } = await startWebhook(SECRET);

    const status = await post(
      port,
      "/telegram/hook",
      createUpdates().text(villager, privateChat(villager), "/start"),
      SECRET,
    );

    expect(status).toBe(200);
    const queued = await h.store.due(new Date(8.64e15), 10);
    expect(queued.map((entry) => entry.target.chatId)).toEqual([String(villager.id)]);
  });

  it("refuses an update without the secret header", async () => {
    const { port } = await startWebhook(SECRET);

    const status = await post(
      port,
      "/telegram/hook",
      createUpdates().text(villager, privateChat(villager), "/start"),
    );

    expect(status).toBe(401);
  });

  it("makes up a secret when none is configured, so the header is always checked", async () => {
    const { fake, port } = await startWebhook();

    const secret = String(fake.callsOf("setWebhook")[0]?.payload.secret_token);
    const status = await post(
      port,
      "/telegram/hook",
      createUpdates().text(villager, privateChat(villager), "/start"),
      "guess",
    );

    expect(secret).toMatch(/^[A-Za-z0-9_-]{32,256}$/);
    expect(status).toBe(401);
  });

  it("answers 404 on any other path", async () => {
    const { port } = await startWebhook(SECRET);

    const status = await post(port, "/elsewhere", {}, SECRET);

    expect(status).toBe(404);
  });

  it("answers 200 to a malformed update so Telegram does not send it again", async () => {
    const { port } = await startWebhook(SECRET);

    const status = await post(port, "/telegram/hook", { update_id: 5, message: { chat: "?" } }, SECRET);

    expect(status).toBe(200);
  });
});
