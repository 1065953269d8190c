import { createHmac } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../../src/logger.js";
import { type RunningApp, startApp } from "../../../src/main.js";
import { type FakeSlackApi, startFakeSlackApi } from "../../support/slack/fake-web-api.js";
import { BOT_TOKEN, createPayloads, villager } from "./harness.js";

const SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

function signature(secret: string, timestamp: number, body: string): string {
  return `v0=${createHmac("sha256", secret).update(`v0:${timestamp}:${body}`).digest("hex")}`;
}

let fake: FakeSlackApi;
let app: RunningApp;
let dataDir: string;
let url: string;

beforeEach(async () => {
  fake = await startFakeSlackApi();
  dataDir = await mkdtemp(join(tmpdir(), "shangliang-slack-"));
  const port = await freePort();
  app = await startApp(
    {
      LOCAL_CHAT: "off",
      DATA_DIR: dataDir,
      SLACK_BOT_TOKEN: BOT_TOKEN,
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_PORT: String(port),
      SLACK_API_URL: fake.apiUrl,
    },
    silentLogger(),
  );
  url = `http://127.0.0.1:${port}/slack/events`;
});

afterEach(async () => {
  await app.stop();
  await fake.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** The slash command `/shangliang` typed in the bot's direct messages, form-encoded as Slack posts it. */
function commandBody(): string {
  const fields = createPayloads().command(villager, `D${villager.id}`, "");
  return new URLSearchParams(fields as unknown as Record<string, string>).toString();
}

async function post(body: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body,
  });
  await response.arrayBuffer();
  return response.status;
}

async function replies(): Promise<number> {
  // The outbox sends within its next turn; give it two.
  for (let tries = 0; tries < 40 && fake.callsOf("chat.postMessage").length === 0; tries++)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return fake.callsOf("chat.postMessage").length;
}

describe("the HTTP receiver at /slack/events", () => {
  it("takes a request signed with the signing secret, answers at once, and the bot replies", async () => {
    const body = commandBody();
    const now = Math.floor(Date.now() / 1000);

    const status = await post(body, {
      "x-slack-request-timestamp": String(now),
      "x-slack-signature": signature(SIGNING_SECRET, now, body),
    });

    expect([status, await replies()]).toEqual([200, 1]);
  });

  it("refuses a request signed with another secret, and does nothing", async () => {
    const body = commandBody();
    const now = Math.floor(Date.now() / 1000);

    const status = await post(body, {
      "x-slack-request-timestamp": String(now),
      "x-slack-signature": signature("0000000000forgedforgedforged0000", now, body),
    });

    expect([status, await replies()]).toEqual([401, 0]);
  });

  it("refuses a correctly signed request more than five minutes old (a replay)", async () => {
    const body = commandBody();
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;

    const status = await post(body, {
      "x-slack-request-timestamp": String(stale),
      "x-slack-signature": signature(SIGNING_SECRET, stale, body),
    });

    expect([status, await replies()]).toEqual([401, 0]);
  });

  it("refuses a request whose body was changed after signing", async () => {
    const body = commandBody();
    const now = Math.floor(Date.now() / 1000);

    const status = await post(body.replace("U0VILLAGER", "U0INTRUDER"), {
      "x-slack-request-timestamp": String(now),
      "x-slack-signature": signature(SIGNING_SECRET, now, body),
    });

    expect([status, await replies()]).toEqual([401, 0]);
  });
});
