import { webApi } from "@slack/bolt";
import { afterEach, describe, expect, it } from "vitest";
import type { OutgoingMessage } from "../../../src/app/messages.js";
import type { OutboxEntry } from "../../../src/app/ports.js";
import { createTranslator } from "../../../src/app/text.js";
import { MAX_BLOCKS } from "../../../src/channels/slack/blocks.js";
import { createSlackSender } from "../../../src/channels/slack/sender.js";
import { DeliveryError } from "../../../src/outbox/dispatcher.js";
import { type FakeSlackApi, startFakeSlackApi } from "../../support/slack/fake-web-api.js";
import { recordingLogger } from "../telegram/fake-api.js";
import { BOT_TOKEN, CHANNEL } from "./harness.js";

const USER = "U0VILLAGER";

let fake: FakeSlackApi;
afterEach(async () => {
  await fake.close();
});

const literal = (text: string) => ({ key: "literal", params: { text } });

async function senderOnFake() {
  fake = await startFakeSlackApi();
  const client = new webApi.WebClient(BOT_TOKEN, {
    slackApiUrl: fake.apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  });
  const catalog = createTranslator([]);
  const translate = (text: { key: string; params?: Record<string, unknown> }, language: "zh-CN" | "en") =>
    text.key === "literal" ? String(text.params?.text) : catalog.translate(text as never, language);
  return createSlackSender({
    client,
    translate,
    chart: async () => Buffer.from("PNG-CHART"),
    logger: recordingLogger(),
    commands: new Set(["setup", "tally"]),
  });
}

function entry(chatId: string, message: OutgoingMessage, more: Partial<OutboxEntry> = {}): OutboxEntry {
  return {
    id: "o1",
    target: { channel: "slack", chatId, language: "zh-CN" },
    message,
    createdAt: "2026-11-23T02:00:00Z",
    attempts: 0,
    notBefore: "2026-11-23T02:00:00Z",
    ...more,
  };
}

const noProgress = { partSent: async () => undefined };

async function failureOf(send: Promise<unknown>): Promise<DeliveryError> {
  try {
    await send;
  } catch (error) {
    if (error instanceof DeliveryError) return error;
    throw error;
  }
  throw new Error("the send did not fail");
}

describe("the Slack sender", () => {
  it("posts a message's lines as plain-text sections and its buttons as an actions block", async () => {
    const sender = await senderOnFake();

    await sender.send(
      entry(CHANNEL, {
        lines: [literal("第一行"), literal("第二行")],
        buttons: [[{ label: literal("好"), data: "ok" }]],
      }),
      noProgress,
    );

    const [call] = fake.callsOf("chat.postMessage");
    expect(call?.args).toMatchObject({
      channel: CHANNEL,
      text: "第一行\n第二行",
      blocks: [
        { type: "section", text: { type: "plain_text", text: "第一行\n第二行", emoji: true } },
        {
          type: "actions",
          elements: [
            {
              type: "button",
              text: { type: "plain_text", text: "好", emoji: true },
              action_id: "act_0_0",
              value: "ok",
            },
          ],
        },
      ],
    });
  });

  it("writes the bot's commands as Slack takes them, after /shangliang, and leaves other slashes alone", async () => {
    const sender = await senderOnFake();

    await sender.send(
      entry(CHANNEL, { lines: [literal("在群里发 /setup town，或 /tally；1/2 和 /other 不变")] }),
      noProgress,
    );

    expect(fake.callsOf("chat.postMessage")[0]?.args.text).toBe(
      "在群里发 /shangliang setup town，或 /shangliang tally；1/2 和 /other 不变",
    );
  });

  it("splits a list longer than one message holds into messages of at most 50 blocks, the buttons last", async () => {
    const sender = await senderOnFake();
    const rows = Array.from({ length: 70 }, (_, n) => [{ label: literal(`第${n}件`), data: `v:${n}` }]);

    await sender.send(entry(CHANNEL, { lines: [literal("我的诉求")], buttons: rows }), noProgress);

    const sizes = fake.callsOf("chat.postMessage").map((call) => (call.args.blocks as unknown[]).length);
    expect(sizes).toEqual([MAX_BLOCKS, 21]);
  });

  it("keeps a message's text under what Slack takes, cutting at line ends", async () => {
    const sender = await senderOnFake();
    const lines = Array.from({ length: 40 }, (_, n) => literal(`${n}`.padEnd(999, "字")));

    await sender.send(entry(CHANNEL, { lines }), noProgress);

    const texts = fake
      .callsOf("chat.postMessage")
      .map((call) =>
        (call.args.blocks as { text: { text: string } }[]).map((block) => block.text.text).join(""),
      );
    expect(texts.length).toBeGreaterThan(1);
    expect(Math.max(...texts.map((text) => text.length))).toBeLessThanOrEqual(12_000);
  });

  it("uploads a chart with the files API into the person's direct messages, before the text", async () => {
    const sender = await senderOnFake();
    const chart = { title: literal("十月晾晒"), panels: [] };

    await sender.send(entry(USER, { lines: [literal("十月的数字")], chart }), noProgress);

    const order = fake.calls.map((call) => call.method);
    expect(order).toEqual([
      "conversations.open",
      "files.getUploadURLExternal",
      "files.completeUploadExternal",
      "chat.postMessage",
    ]);
    expect(fake.callsOf("files.completeUploadExternal")[0]?.args.channel_id).toBe(`D${USER}`);
    expect(fake.uploads.some((file) => file.bytes.includes("PNG-CHART"))).toBe(true);
  });

  it("does not upload the chart again when a retry starts after it", async () => {
    const sender = await senderOnFake();
    const chart = { title: literal("十月晾晒"), panels: [] };

    await sender.send(
      entry(CHANNEL, { lines: [literal("十月的数字")], chart }, { partsSent: 1 }),
      noProgress,
    );

    expect(fake.calls.map((call) => call.method)).toEqual(["chat.postMessage"]);
  });

  it("edits the message sent before under the same key", async () => {
    const sender = await senderOnFake();

    const delivered = await sender.send(
      entry(CHANNEL, { lines: [literal("票数 3")] }, { edits: `${CHANNEL}|1795000001.000100` }),
      noProgress,
    );

    expect(fake.callsOf("chat.update")[0]?.args).toMatchObject({ channel: CHANNEL, ts: "1795000001.000100" });
    expect([fake.callsOf("chat.postMessage").length, delivered.ref]).toEqual([
      0,
      `${CHANNEL}|1795000001.000100`,
    ]);
  });

  it("posts anew when the message to edit is gone", async () => {
    const sender = await senderOnFake();
    fake.fail("chat.update", "message_not_found");

    const delivered = await sender.send(
      entry(CHANNEL, { lines: [literal("票数 3")] }, { edits: `${CHANNEL}|1795000001.000100` }),
      noProgress,
    );

    expect(fake.callsOf("chat.postMessage").length).toBe(1);
    expect(delivered.ref).toMatch(new RegExp(`^${CHANNEL}\\|\\d+\\.\\d+$`));
  });

  it("passes Slack's 429 to the outbox with its Retry-After, for the whole channel", async () => {
    const sender = await senderOnFake();
    fake.rateLimit("chat.postMessage", 7);

    const error = await failureOf(sender.send(entry(CHANNEL, { lines: [literal("你好")] }), noProgress));

    expect([error.failure, error.retryAfterMs, error.wholeChannel]).toEqual(["rate_limited", 7000, true]);
  });

  it("gives up at once on a channel the bot cannot post to", async () => {
    const sender = await senderOnFake();
    fake.fail("chat.postMessage", "channel_not_found");

    const error = await failureOf(sender.send(entry(CHANNEL, { lines: [literal("你好")] }), noProgress));

    expect([error.failure, error.message]).toEqual(["permanent", "channel_not_found"]);
  });

  it("waits and tries again when Slack itself fails", async () => {
    const sender = await senderOnFake();
    fake.fail("chat.postMessage", "internal_error");

    const error = await failureOf(sender.send(entry(CHANNEL, { lines: [literal("你好")] }), noProgress));

    expect(error.failure).toBe("unavailable");
  });
});
