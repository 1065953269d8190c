import { mkdtemp, rm } from "node:fs/promises";
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

  it.each([
    ["m1", "m1.json"],
    ["group-v1", "group-v1.json"],
    ["../etc", "x-2e2e2f657463.json"],
  ])("stores chat %s in the file %s", (chatId, file) => {
    expect(chatFileName(chatId)).toBe(file);
  });
});
