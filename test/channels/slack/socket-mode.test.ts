import { mkdtemp, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type WebSocket, WebSocketServer } from "ws";
import { silentLogger } from "../../../src/logger.js";
import { type RunningApp, startApp } from "../../../src/main.js";
import { type FakeSlackApi, startFakeSlackApi } from "../../support/slack/fake-web-api.js";
import { BOT_TOKEN, createPayloads, villager } from "./harness.js";

const APP_TOKEN = "xapp-1-A0SHANGLIANG-1795000000-abcdef";

let fake: FakeSlackApi;
let sockets: WebSocketServer;
let app: RunningApp | undefined;
let dataDir: string;
/** What the bot sent over the socket: its acknowledgements. */
const received: { envelope_id?: string }[] = [];
let connection: Promise<WebSocket>;

beforeEach(async () => {
  received.length = 0;
  fake = await startFakeSlackApi();
  sockets = new WebSocketServer({ host: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => sockets.once("listening", () => resolve()));
  fake.setSocketUrl(`ws://127.0.0.1:${(sockets.address() as AddressInfo).port}/link`);
  connection = new Promise((resolve) => {
    sockets.on("connection", (socket) => {
      socket.on("message", (data) => received.push(JSON.parse(String(data)) as { envelope_id?: string }));
      socket.send(JSON.stringify({ type: "hello", num_connections: 1, connection_info: { app_id: "A1" } }));
      resolve(socket);
    });
  });
  dataDir = await mkdtemp(join(tmpdir(), "shangliang-socket-"));
});

afterEach(async () => {
  await app?.stop();
  app = undefined;
  for (const client of sockets.clients) client.terminate();
  await new Promise<void>((resolve) => sockets.close(() => resolve()));
  await fake.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function until(done: () => boolean): Promise<void> {
  for (let tries = 0; tries < 100 && !done(); tries++)
    await new Promise((resolve) => setTimeout(resolve, 30));
}

describe("Socket Mode", () => {
  it("connects with the app token (no public URL), acknowledges a slash command and answers it", async () => {
    app = await startApp(
      {
        LOCAL_CHAT: "off",
        DATA_DIR: dataDir,
        SLACK_BOT_TOKEN: BOT_TOKEN,
        SLACK_APP_TOKEN: APP_TOKEN,
        SLACK_API_URL: fake.apiUrl,
      },
      silentLogger(),
    );
    const socket = await connection;

    socket.send(
      JSON.stringify({
        envelope_id: "env-1",
        type: "slash_commands",
        accepts_response_payload: true,
        payload: createPayloads().command(villager, `D${villager.id}`, ""),
      }),
    );
    await until(() => fake.callsOf("chat.postMessage").length > 0);

    expect(fake.callsOf("apps.connections.open").length).toBe(1);
    expect(received.map((message) => message.envelope_id)).toContain("env-1");
    expect(fake.callsOf("chat.postMessage")[0]?.args.channel).toBe(villager.id);
  });
});
