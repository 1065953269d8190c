import { describe, expect, it } from "vitest";
import type { OutboxEntry } from "../../src/app/ports.js";
import { silentLogger } from "../../src/logger.js";
import { type ChannelSender, createDispatcher, DeliveryError } from "../../src/outbox/dispatcher.js";
import { createMemoryStore } from "../../src/store/memory.js";

const target = { channel: "local" as const, chatId: "m1", language: "zh-CN" as const };

function setup(send: (entry: OutboxEntry) => Promise<void>, maxAttempts = 10) {
  let now = new Date("2026-11-23T02:00:00Z");
  const clock = { now: () => now };
  const store = createMemoryStore({ clock });
  const sender: ChannelSender = { send };
  const dispatcher = createDispatcher({
    outbox: store,
    senders: new Map([["local", sender]]),
    clock,
    logger: silentLogger(),
    maxAttempts,
  });
  const enqueue = (count = 1) =>
    store.transaction(async (tx) => {
      for (let i = 0; i < count; i++) tx.enqueue(target, { lines: [{ key: "notice.done" }] });
    });
  return {
    store,
    dispatcher,
    enqueue,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
  };
}

describe("outbox dispatcher", () => {
  it("delivers queued messages in order and removes them from the outbox", async () => {
    const sent: string[] = [];
    const app = setup(async (entry) => {
      sent.push(entry.id);
    });
    await app.enqueue(3);
    await app.dispatcher.flush();
    expect([sent.length, [...sent].sort(), (await app.store.due(new Date(8.64e15), 10)).length]).toEqual([
      3,
      sent,
      0,
    ]);
  });

  it("waits the platform's retry_after before trying again", async () => {
    let calls = 0;
    const app = setup(async () => {
      calls++;
      if (calls === 1) throw new DeliveryError("Too Many Requests", 30_000);
    });
    await app.enqueue();
    await app.dispatcher.flush();
    app.advance(29_000);
    await app.dispatcher.flush();
    const early = calls;
    app.advance(1_000);
    await app.dispatcher.flush();
    expect([early, calls]).toEqual([1, 2]);
  });

  it("backs off after an unexpected error and keeps the message", async () => {
    const app = setup(async () => {
      throw new Error("socket hang up");
    });
    await app.enqueue();
    await app.dispatcher.flush();
    const [entry] = await app.store.due(new Date(8.64e15), 10);
    expect([entry?.attempts, entry?.lastError, entry?.notBefore]).toEqual([
      1,
      "socket hang up",
      "2026-11-23T02:00:02.000Z",
    ]);
  });

  it("gives a message up at once on a permanent failure", async () => {
    const app = setup(async () => {
      throw new DeliveryError("Forbidden: bot was blocked by the user", undefined, true);
    });
    await app.enqueue();
    await app.dispatcher.flush();
    expect([(await app.store.due(new Date(8.64e15), 10)).length, app.store.deadLetters().length]).toEqual([
      0, 1,
    ]);
  });

  it("gives a message up after the last attempt", async () => {
    const app = setup(async () => {
      throw new Error("down");
    }, 2);
    await app.enqueue();
    await app.dispatcher.flush();
    app.advance(60_000);
    await app.dispatcher.flush();
    expect(app.store.deadLetters().length).toBe(1);
  });

  it("leaves messages for a channel that is not running in the outbox", async () => {
    const app = setup(async () => {});
    await app.store.transaction(async (tx) => {
      tx.enqueue({ ...target, channel: "telegram", chatId: "42" }, { lines: [{ key: "notice.done" }] });
    });
    await app.dispatcher.flush();
    expect((await app.store.due(new Date(8.64e15), 10)).length).toBe(1);
  });
});
