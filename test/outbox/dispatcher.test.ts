import { describe, expect, it } from "vitest";
import type { DeliveryTarget, EnqueueOptions, OutboxEntry } from "../../src/app/ports.js";
import { silentLogger } from "../../src/logger.js";
import { type ChannelSender, createDispatcher, DeliveryError } from "../../src/outbox/dispatcher.js";
import type { ChannelLimits } from "../../src/outbox/lanes.js";
import { openLowdbStore } from "../../src/store/lowdb/index.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { StagedStore } from "../../src/store/staged.js";
import { tempDir } from "../store/temp.js";

const FAR = new Date(8.64e15);

function to(chatId: string): DeliveryTarget {
  return { channel: "telegram", chatId, language: "zh-CN" };
}

function saying(text: string) {
  return { lines: [{ key: "notice.done", params: { text } }] };
}

function textOf(entry: OutboxEntry): string {
  return String(entry.message.lines[0]?.params?.text ?? "");
}

interface Setup {
  holdBulk?: (now: Date) => boolean;
  send?: ChannelSender["send"];
  limits?: ChannelLimits;
  maxAttempts?: number;
  store?: StagedStore;
}

function setup(options: Setup = {}) {
  let now = new Date("2026-11-23T02:00:00Z");
  const clock = { now: () => now };
  const store = options.store ?? createMemoryStore({ clock });
  const sent: OutboxEntry[] = [];
  const sender: ChannelSender = {
    send:
      options.send ??
      (async (entry) => {
        sent.push(entry);
        return {};
      }),
  };
  const dispatcher = createDispatcher({
    outbox: store,
    senders: new Map([["telegram", sender]]),
    clock,
    logger: silentLogger(),
    ...(options.limits === undefined ? {} : { limits: new Map([["telegram", options.limits]]) }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.holdBulk === undefined ? {} : { holdBulk: options.holdBulk }),
  });
  const enqueue = (target: DeliveryTarget, text: string, enqueueOptions?: EnqueueOptions) =>
    store.transaction(async (tx) => tx.enqueue(target, saying(text), enqueueOptions));
  return {
    store,
    dispatcher,
    sent,
    enqueue,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
  };
}

function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error("timed out"));
      else setTimeout(check, 5);
    };
    check();
  });
}

describe("outbox dispatcher", () => {
  it("delivers each chat's messages in the order they were queued and removes them", async () => {
    const app = setup();
    for (const text of ["a1", "b1", "a2", "b2", "a3"]) await app.enqueue(to(text.slice(0, 1)), text);

    await app.dispatcher.flush();

    const order = (chat: string) => app.sent.filter((e) => e.target.chatId === chat).map(textOf);
    expect([order("a"), order("b"), (await app.store.due(FAR, 10)).length]).toEqual([
      ["a1", "a2", "a3"],
      ["b1", "b2"],
      0,
    ]);
  });

  it("sends a reply before bulk messages queued earlier", async () => {
    const app = setup();
    await app.enqueue(to("1"), "tally 1", { bulk: true });
    await app.enqueue(to("1"), "tally 2", { bulk: true });
    await app.enqueue(to("1"), "reply");

    await app.dispatcher.flush();

    expect(app.sent.map(textOf)).toEqual(["reply", "tally 1", "tally 2"]);
  });

  it("lets a chat have a short burst, then paces it to its limit while other chats go on", async () => {
    const starts: { chat: string; at: number }[] = [];
    const app = setup({
      limits: { perChatPerSecond: 10 },
      send: async (entry) => {
        starts.push({ chat: entry.target.chatId, at: Date.now() });
        return {};
      },
    });
    for (let i = 0; i < 8; i++) await app.enqueue(to("busy"), `m${i}`);
    await app.enqueue(to("other"), "x");

    await app.dispatcher.flush();

    const busy = starts.filter((s) => s.chat === "busy").map((s) => s.at);
    const gaps = busy.slice(1).map((at, i) => at - (busy[i] ?? 0));
    const other = starts.find((s) => s.chat === "other")?.at ?? Number.NaN;
    expect(Math.max(...gaps.slice(0, 4))).toBeLessThan(90);
    expect(Math.min(...gaps.slice(4))).toBeGreaterThanOrEqual(90);
    expect(other - (busy[0] ?? 0)).toBeLessThan(90);
  });

  it("hands a chat's messages over in order, several at once where the channel keeps their order", async () => {
    let inFlight = 0;
    let most = 0;
    const app = setup({
      limits: { perChatAtOnce: 4 },
      send: async (entry) => {
        app.sent.push(entry);
        inFlight++;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return {};
      },
    });
    for (let i = 0; i < 10; i++) await app.enqueue(to("secretary"), `n${i}`);

    await app.dispatcher.flush();

    expect([most, app.sent.map(textOf)]).toEqual([4, Array.from({ length: 10 }, (_, i) => `n${i}`)]);
  });

  it("keeps the channel under its messages per second", async () => {
    const starts: number[] = [];
    const app = setup({
      limits: { perSecond: 50 },
      send: async () => {
        starts.push(Date.now());
        return {};
      },
    });
    for (let i = 0; i < 20; i++) await app.enqueue(to(`c${i}`), "tally", { bulk: true });

    await app.dispatcher.flush();

    const span = (starts.at(-1) ?? 0) - (starts[0] ?? 0);
    expect(starts.length).toBe(20);
    expect(span).toBeGreaterThanOrEqual(19 * 20 - 5);
  });

  it("holds bulk messages in quiet hours and sends replies; the bulk goes when they end", async () => {
    let quiet = true;
    const app = setup({ holdBulk: () => quiet });
    await app.enqueue(to("-100"), "tally", { bulk: true });
    await app.enqueue(to("201"), "reply");

    await app.dispatcher.flush();
    const duringQuiet = app.sent.map(textOf);
    quiet = false;
    await app.dispatcher.flush();

    expect(duringQuiet).toEqual(["reply"]);
    expect(app.sent.map(textOf)).toEqual(["reply", "tally"]);
  });

  it("pauses only the chat a 429 names, for as long as the platform says", async () => {
    let limited = true;
    const app = setup({
      send: async (entry) => {
        if (entry.target.chatId === "a" && limited) {
          limited = false;
          throw new DeliveryError("Too Many Requests", "rate_limited", 30_000);
        }
        app.sent.push(entry);
        return {};
      },
    });
    await app.enqueue(to("a"), "a1");
    await app.enqueue(to("a"), "a2");
    await app.dispatcher.flush();

    await app.enqueue(to("b"), "b1");
    await app.dispatcher.flush();
    const whilePaused = app.sent.map(textOf);
    app.advance(29_000);
    await app.dispatcher.flush();
    const early = app.sent.length;
    app.advance(1_000);
    await app.dispatcher.flush();

    expect([whilePaused, early, app.sent.map(textOf)]).toEqual([["b1"], 1, ["b1", "a1", "a2"]]);
  });

  it("does not count a 429 or an outage as an attempt", async () => {
    const failures = [
      new DeliveryError("Too Many Requests", "rate_limited", 1_000),
      new DeliveryError("Bad Gateway", "unavailable"),
    ];
    const app = setup({
      maxAttempts: 1,
      send: async (entry) => {
        const failure = failures.shift();
        if (failure !== undefined) throw failure;
        app.sent.push(entry);
        return {};
      },
    });
    await app.enqueue(to("a"), "a1");

    for (let i = 0; i < 3; i++) {
      await app.dispatcher.flush();
      app.advance(60_000);
    }

    expect([app.sent.map(textOf), app.store.deadLetters().length]).toEqual([["a1"], 0]);
  });

  it("pauses the whole channel while the platform is unavailable", async () => {
    let down = true;
    const tried: string[] = [];
    const app = setup({
      send: async (entry) => {
        tried.push(textOf(entry));
        if (down) throw new DeliveryError("Bad Gateway", "unavailable");
        return {};
      },
    });
    await app.enqueue(to("a"), "a1");
    await app.enqueue(to("b"), "b1");

    await app.dispatcher.flush();
    const duringOutage = tried.length;
    down = false;
    app.advance(1_000);
    await app.dispatcher.flush();

    expect(duringOutage).toBeLessThanOrEqual(2);
    expect((await app.store.due(FAR, 10)).length).toBe(0);
  });

  it("backs off after an unexpected error and keeps the message", async () => {
    const app = setup({
      send: async () => {
        throw new Error("socket hang up");
      },
    });
    await app.enqueue(to("a"), "a1");

    await app.dispatcher.flush();

    const [entry] = await app.store.due(FAR, 10);
    expect([entry?.attempts, entry?.lastError, entry?.notBefore]).toEqual([
      1,
      "socket hang up",
      "2026-11-23T02:00:02.000Z",
    ]);
  });

  it("gives a message up at once on a permanent failure, with the reason", async () => {
    const app = setup({
      send: async () => {
        throw new DeliveryError("Forbidden: bot was kicked from the group chat", "permanent");
      },
    });
    await app.enqueue(to("-100"), "tally");

    await app.dispatcher.flush();

    expect([
      (await app.store.due(FAR, 10)).length,
      app.store.deadLetters().map((dead) => dead.lastError),
    ]).toEqual([0, ["Forbidden: bot was kicked from the group chat"]]);
  });

  it("gives a message up after the last attempt", async () => {
    const app = setup({
      maxAttempts: 2,
      send: async () => {
        throw new Error("down");
      },
    });
    await app.enqueue(to("a"), "a1");

    await app.dispatcher.flush();
    app.advance(60_000);
    await app.dispatcher.flush();

    expect(app.store.deadLetters().length).toBe(1);
  });

  it("leaves messages for a channel that is not running in the outbox", async () => {
    const app = setup();
    await app.store.transaction(async (tx) => {
      tx.enqueue({ ...to("42"), channel: "local" }, saying("x"));
    });

    await app.dispatcher.flush();

    expect((await app.store.due(FAR, 10)).length).toBe(1);
  });

  it("sends only the latest content of a keyed message that is still waiting", async () => {
    const app = setup();
    await app.enqueue(to("-1"), "3 votes", { key: "poll:1" });
    await app.enqueue(to("-1"), "4 votes", { key: "poll:1" });
    await app.enqueue(to("-1"), "5 votes", { key: "poll:1" });

    await app.dispatcher.flush();

    expect(app.sent.map(textOf)).toEqual(["5 votes"]);
  });

  it("edits a keyed message once it was sent, naming the platform's message", async () => {
    const app = setup({
      send: async (entry) => {
        app.sent.push(entry);
        return { ref: entry.edits ?? `msg-${app.sent.length}` };
      },
    });
    await app.enqueue(to("-1"), "3 votes", { key: "poll:1" });
    await app.dispatcher.flush();
    await app.enqueue(to("-1"), "4 votes", { key: "poll:1" });

    await app.dispatcher.flush();

    expect(app.sent.map((entry) => [textOf(entry), entry.edits])).toEqual([
      ["3 votes", undefined],
      ["4 votes", "msg-1"],
    ]);
  });

  it("keeps content that replaced a keyed message while it was being sent", async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let started = false;
    const app = setup({
      send: async (entry) => {
        started = true;
        if (app.sent.length === 0) await gate;
        app.sent.push(entry);
        return { ref: entry.edits ?? "msg-1" };
      },
    });
    await app.enqueue(to("-1"), "3 votes", { key: "poll:1" });
    const first = app.dispatcher.flush();
    await until(() => started);
    await app.enqueue(to("-1"), "4 votes", { key: "poll:1" });
    release();
    await first;

    await app.dispatcher.flush();

    expect(app.sent.map((entry) => [textOf(entry), entry.edits])).toEqual([
      ["3 votes", undefined],
      ["4 votes", "msg-1"],
    ]);
  });

  it("remembers across a restart the parts of a message that went out, so they are not sent again", async () => {
    const dir = await tempDir();
    try {
      const store = await openLowdbStore(dir.path, {
        clock: { now: () => new Date("2026-11-23T02:00:00Z") },
      });
      const app = setup({
        store,
        send: async (_entry, progress) => {
          await progress.partSent(1);
          throw new DeliveryError("Bad Gateway", "unavailable");
        },
      });
      await app.enqueue(to("201"), "a photo, then its text");
      await app.dispatcher.flush();
      await app.dispatcher.stop();
      await store.close();

      const reopened = await openLowdbStore(dir.path);
      const [waiting] = await reopened.due(FAR, 10);
      await reopened.close();

      expect(waiting?.partsSent).toBe(1);
    } finally {
      await dir.remove();
    }
  });

  it("starts a keyed message's parts over when its content is replaced", async () => {
    const app = setup({
      send: async (_entry, progress) => {
        await progress.partSent(1);
        throw new DeliveryError("Bad Gateway", "unavailable");
      },
    });
    await app.enqueue(to("-100"), "count 1", { key: "poll:1" });
    await app.dispatcher.flush();

    await app.enqueue(to("-100"), "count 2", { key: "poll:1" });

    const [waiting] = await app.store.due(FAR, 10);
    expect([textOf(waiting as OutboxEntry), waiting?.partsSent]).toEqual(["count 2", undefined]);
  });

  it("stops within 5 s with 10,000 waiting, and they are all still there for the next start", async () => {
    const dir = await tempDir();
    try {
      const store = await openLowdbStore(dir.path, {
        clock: { now: () => new Date("2026-11-23T02:00:00Z") },
      });
      const app = setup({ store, limits: { perSecond: 30, perChatPerSecond: 1 } });
      await store.transaction(async (tx) => {
        for (let i = 0; i < 10_000; i++) tx.enqueue(to(`-${i + 1}`), saying(`tally ${i}`), { bulk: true });
      });
      app.dispatcher.flush().catch(() => undefined);
      await until(() => app.sent.length >= 3);

      const started = Date.now();
      await app.dispatcher.stop();
      await store.close();
      const stopMs = Date.now() - started;
      const reopened = await openLowdbStore(dir.path);
      const waiting = await reopened.due(FAR, 20_000);
      await reopened.close();

      expect(stopMs).toBeLessThan(5_000);
      expect(waiting.length + app.sent.length).toBe(10_000);
      expect(waiting.map(textOf).slice(0, 2)).toEqual([
        `tally ${app.sent.length}`,
        `tally ${app.sent.length + 1}`,
      ]);
    } finally {
      await dir.remove();
    }
  });
});
