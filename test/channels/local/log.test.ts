import { readFileSync } from "node:fs";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { chatFileName, createChatLog } from "../../../src/channels/local/log.js";
import type { LocalMessage } from "../../../src/channels/local/schema.js";
import { silentLogger } from "../../../src/logger.js";

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shangliang-log-"));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function line(id: string): Omit<LocalMessage, "n"> {
  return { id, at: "2026-11-23T02:00:00.000Z", from: "bot", text: id, buttons: [], photos: [] };
}

describe("the local chat log", () => {
  it("numbers each chat's messages in the order they came", async () => {
    const log = createChatLog(dir, silentLogger());

    await log.append("m1", line("a"));
    await log.append("m1", line("b"));

    expect((await log.recent("m1", 10)).map((m) => [m.id, m.n])).toEqual([
      ["a", 1],
      ["b", 2],
    ]);
  });

  it("keeps only the newest messages", async () => {
    const log = createChatLog(dir, silentLogger(), 3);

    for (const id of ["a", "b", "c", "d", "e"]) await log.append("m1", line(id));

    expect((await log.recent("m1", 10)).map((m) => m.id)).toEqual(["c", "d", "e"]);
  });

  it("ignores a message it already has (a redelivery from the outbox)", async () => {
    const log = createChatLog(dir, silentLogger());
    await log.append("m1", line("a"));

    const again = await log.append("m1", line("a"));

    expect(again).toBeUndefined();
    expect(await log.recent("m1", 10)).toHaveLength(1);
  });

  it("reads back what an earlier process wrote", async () => {
    await createChatLog(dir, silentLogger()).append("group-v1", line("a"));

    const reopened = createChatLog(dir, silentLogger());

    expect((await reopened.recent("group-v1", 10)).map((m) => m.text)).toEqual(["a"]);
  });

  it("answers an append only once the file holds it, while other writes of the chat are under way", async () => {
    const log = createChatLog(dir, silentLogger());
    const onDisk = () => readFileSync(join(dir, chatFileName("m1")), "utf8");
    const missing: string[] = [];

    const appends: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      const id = `message-${i}`;
      appends.push(
        log.append("m1", line(id)).then(() => {
          if (!onDisk().includes(`"${id}"`)) missing.push(id);
        }),
      );
      // The next append comes while this one's write is under way.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(appends);

    expect(missing).toEqual([]);
  });

  it("answers an edit only once the file holds it", async () => {
    const log = createChatLog(dir, silentLogger());
    await log.append("m1", line("a"));

    await log.edit("m1", "a", { ...line("a"), text: "edited" });

    const reopened = createChatLog(dir, silentLogger());
    expect((await reopened.recent("m1", 10)).map((m) => m.text)).toEqual(["edited"]);
  });

  it("keeps its file small: past twice the kept messages it is rewritten with the kept ones", async () => {
    const log = createChatLog(dir, silentLogger(), 5);

    for (let i = 0; i < 23; i++) await log.append("m1", line(`m${i}`));

    const lines = readFileSync(join(dir, chatFileName("m1")), "utf8")
      .split("\n")
      .filter(Boolean);
    expect(lines.length).toBeLessThanOrEqual(10);
    const reopened = createChatLog(dir, silentLogger(), 5);
    expect((await reopened.recent("m1", 10)).map((m) => m.id)).toEqual(["m18", "m19", "m20", "m21", "m22"]);
  });

  it("keeps the readable lines when the last one was cut short by a crash, and sets the file aside", async () => {
    const first = createChatLog(dir, silentLogger());
    await first.append("m1", line("a"));
    await first.append("m1", line("b"));
    const path = join(dir, chatFileName("m1"));
    await writeFile(path, `${readFileSync(path, "utf8")}{"id":"c","n":3,"at":"2026-`);

    const reopened = createChatLog(dir, silentLogger());

    expect((await reopened.recent("m1", 10)).map((m) => m.id)).toEqual(["a", "b"]);
    expect((await readdir(dir)).some((name) => name.startsWith("m1.jsonl.unreadable-"))).toBe(true);
    await reopened.append("m1", line("c"));
    expect((await createChatLog(dir, silentLogger()).recent("m1", 10)).map((m) => m.id)).toEqual([
      "a",
      "b",
      "c",
    ]);
  });

  it("takes over a log kept by an earlier version as one JSON document", async () => {
    const legacy = {
      messages: [
        { ...line("a"), n: 1 },
        { ...line("b"), n: 2 },
      ],
    };
    await writeFile(join(dir, "m1.json"), JSON.stringify(legacy));

    const log = createChatLog(dir, silentLogger());
    await log.append("m1", line("c"));

    expect((await log.recent("m1", 10)).map((m) => [m.id, m.n])).toEqual([
      ["a", 1],
      ["b", 2],
      ["c", 3],
    ]);
    expect((await readdir(dir)).sort()).toEqual(["m1.jsonl"]);
  });

  it.each([
    ["m1", "m1.jsonl"],
    ["group-v1", "group-v1.jsonl"],
    ["../etc", "x-2e2e2f657463.jsonl"],
  ])("stores chat %s in the file %s", (chatId, file) => {
    expect(chatFileName(chatId)).toBe(file);
  });
});
