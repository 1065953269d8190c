import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { exists } from "../../src/store/lowdb/files.js";
import { CorruptDataFileError, openLowdbStore, StoreLockedError } from "../../src/store/lowdb/index.js";
import { conversation, household, member, request, target, text, town, village } from "./builders.js";
import { storeContract } from "./contract.js";
import { tempDir } from "./temp.js";

describe("lowdb store", () => {
  describe("contract", () => {
    storeContract(async (clock) => {
      const dir = await tempDir();
      const store = await openLowdbStore(dir.path, { clock });
      return {
        store,
        cleanup: async () => {
          await store.close();
          await dir.remove();
        },
      };
    });
  });

  let dir: { path: string; remove(): Promise<void> };
  const file = (...parts: string[]) => join(dir.path, ...parts);

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    await dir.remove();
  });

  it("keeps everything across close and reopen", async () => {
    const first = await openLowdbStore(dir.path);
    await first.transaction(async (tx) => {
      tx.putTown(town(await tx.nextId("town")));
      tx.putVillage(village(await tx.nextId("village")));
      tx.putMember(member("m1", "v1", { identities: [{ channel: "telegram", userId: "42" }] }));
      tx.putHousehold(household("h1"));
      tx.putBinding({ channel: "slack", chatId: "C1", villageId: "v1", boundAt: "x", boundBy: "m1" });
      tx.putRequest(request(await tx.nextRequestSeq("v1", 2026)));
      tx.putConversation(conversation("local:m1"));
      tx.markProcessed("update:1");
      tx.enqueue(target(), text("hello"));
    });
    await first.close();

    const second = await openLowdbStore(dir.path);
    const seen = await second.transaction(async (tx) => ({
      town: await tx.getTown("t1"),
      village: await tx.getVillage("v1"),
      member: (await tx.findMemberByIdentity({ channel: "telegram", userId: "42" }))?.id,
      households: (await tx.listHouseholds("v1")).length,
      binding: (await tx.getBinding("slack", "C1"))?.villageId,
      request: await tx.getRequest(request(1).id),
      conversation: await tx.getConversation("local:m1"),
      processed: await tx.hasProcessed("update:1"),
      ids: [await tx.nextId("town"), await tx.nextId("village"), await tx.nextRequestSeq("v1", 2026)],
    }));
    const outbox = await second.due(new Date("2100-01-01"), 10);
    await second.close();

    expect(seen).toEqual({
      town: town("t1"),
      village: village("v1"),
      member: "m1",
      households: 1,
      binding: "v1",
      request: request(1),
      conversation: conversation("local:m1"),
      processed: true,
      ids: ["t2", "v2", 2],
    });
    expect(outbox.map((e) => e.message)).toEqual([text("hello")]);
  });

  it("lays requests out in buckets of 250 per village and year", async () => {
    const store = await openLowdbStore(dir.path);
    await store.transaction(async (tx) => {
      for (const seq of [1, 250, 251, 501]) tx.putRequest(request(seq));
    });
    await store.close();

    const names = await readdir(file("villages", "v1", "requests"));
    const first = JSON.parse(await readFile(file("villages", "v1", "requests", "2026-000.json"), "utf8"));

    expect(names.sort()).toEqual(["2026-000.json", "2026-001.json", "2026-002.json"]);
    expect(first.requests.map((r: { seq: number }) => r.seq)).toEqual([1, 250]);
  });

  it("rewrites only the bucket file of the request that changed", async () => {
    const store = await openLowdbStore(dir.path);
    await store.transaction(async (tx) => {
      for (const seq of [1, 251, 501]) tx.putRequest(request(seq));
      tx.putMember(member("m1"));
    });
    await store.close();
    const inode = async (name: string) => (await stat(file("villages", "v1", ...name.split("/")))).ino;
    const before = [await inode("requests/2026-000.json"), await inode("requests/2026-002.json")];
    const rosterBefore = await inode("roster.json");
    const changedBefore = await inode("requests/2026-001.json");

    const reopened = await openLowdbStore(dir.path);
    await reopened.transaction(async (tx) => tx.putRequest(request(251, { state: "accepted" })));
    await reopened.close();

    expect([await inode("requests/2026-000.json"), await inode("requests/2026-002.json")]).toEqual(before);
    expect(await inode("roster.json")).toBe(rosterBefore);
    expect(await inode("requests/2026-001.json")).not.toBe(changedBefore);
  });

  it("reads requests back from disk when their buckets have left the cache", async () => {
    const store = await openLowdbStore(dir.path, { cachedBuckets: 1 });
    await store.transaction(async (tx) => {
      for (const seq of [1, 251, 501, 751]) tx.putRequest(request(seq));
    });
    await store.close();

    const reopened = await openLowdbStore(dir.path, { cachedBuckets: 1 });
    const active = await reopened.transaction((tx) => tx.listActiveRequests("v1"));
    await reopened.close();

    expect(active.map((r) => r.seq)).toEqual([1, 251, 501, 751]);
  });

  it("refuses to open on a roster file that is not JSON, names it, and leaves it as it was", async () => {
    const store = await openLowdbStore(dir.path);
    await store.transaction(async (tx) => tx.putMember(member("m1")));
    await store.close();
    const roster = file("villages", "v1", "roster.json");
    await writeFile(roster, '{"schemaVersion": 1, "members": [');

    const opening = openLowdbStore(dir.path);

    await expect(opening).rejects.toThrow(CorruptDataFileError);
    await expect(opening).rejects.toThrow(roster);
    expect(await readFile(roster, "utf8")).toBe('{"schemaVersion": 1, "members": [');
  });

  it("refuses to open on a file of the wrong shape, naming it", async () => {
    await writeFile(file("directory.json"), JSON.stringify({ schemaVersion: 1, towns: "many" }));

    const opening = openLowdbStore(dir.path);

    await expect(opening).rejects.toThrow(`Data file ${file("directory.json")} is corrupt`);
  });

  it("releases the lock when it refuses a corrupt file, so a fixed directory opens", async () => {
    await writeFile(file("outbox.json"), "not json");
    await expect(openLowdbStore(dir.path)).rejects.toThrow(CorruptDataFileError);
    await writeFile(
      file("outbox.json"),
      JSON.stringify({ schemaVersion: 1, lastId: 0, pending: [], dead: [] }),
    );

    const store = await openLowdbStore(dir.path);

    await store.close();
  });

  it("replays journal lines the data files do not reflect yet", async () => {
    const ops = [
      { t: "village", v: village("v1") },
      { t: "request", v: request(1) },
    ];
    await writeFile(file("journal.7.jsonl"), `${JSON.stringify({ v: 1, ops })}\n`);

    const store = await openLowdbStore(dir.path);
    const found = await store.transaction(async (tx) => [
      await tx.getVillage("v1"),
      await tx.getRequest(request(1).id),
    ]);
    await store.close();

    expect(found).toEqual([village("v1"), request(1)]);
    expect((await readdir(dir.path)).filter((name) => name.startsWith("journal.7"))).toEqual([]);
  });

  it("ignores a torn last journal line", async () => {
    const whole = JSON.stringify({ v: 1, ops: [{ t: "town", v: town("t1") }] });
    const torn = JSON.stringify({ v: 1, ops: [{ t: "town", v: town("t2") }] }).slice(0, 30);
    await writeFile(file("journal.1.jsonl"), `${whole}\n${torn}`);

    const store = await openLowdbStore(dir.path);
    const towns = await store.transaction((tx) => tx.listTowns());
    await store.close();

    expect(towns.map((t) => t.id)).toEqual(["t1"]);
  });

  it("refuses a journal with an unreadable line before its last, naming it", async () => {
    const whole = JSON.stringify({ v: 1, ops: [{ t: "town", v: town("t1") }] });
    await writeFile(file("journal.1.jsonl"), `{"v":1,"ops":[{"t":"town"\n${whole}\n`);

    const opening = openLowdbStore(dir.path);

    await expect(opening).rejects.toThrow(`Data file ${file("journal.1.jsonl")} is corrupt (line 1`);
  });

  it("has every acknowledged write in the journal before the data files are written", async () => {
    const store = await openLowdbStore(dir.path, { checkpointDelayMs: 60_000 });
    await store.transaction(async (tx) => tx.putTown(town("t1")));

    const journal = (await readdir(dir.path)).filter((name) => name.endsWith(".jsonl"));
    const lines = await Promise.all(journal.map((name) => readFile(file(name), "utf8")));
    const directoryWritten = await exists(file("directory.json"));
    await store.close();

    expect(lines.join("")).toContain('"Dunhua"');
    expect(directoryWritten).toBe(false);
  });

  it("checkpoints the data files soon after a commit and empties the journal", async () => {
    const store = await openLowdbStore(dir.path, { checkpointDelayMs: 5 });
    await store.transaction(async (tx) => tx.putTown(town("t1")));

    await new Promise((resolve) => setTimeout(resolve, 200));

    const directory = await readFile(file("directory.json"), "utf8");
    const journal = (await readdir(dir.path)).filter((name) => name.endsWith(".jsonl"));
    const journalText = await Promise.all(journal.map((name) => readFile(file(name), "utf8")));
    await store.close();
    expect(directory).toContain('"Dunhua"');
    expect(journalText.join("")).toBe("");
  });

  it("refuses a second opening of the same directory while the first is open", async () => {
    const store = await openLowdbStore(dir.path);

    const second = openLowdbStore(dir.path);

    await expect(second).rejects.toThrow(StoreLockedError);
    await store.close();
  });

  it("takes over the lock of a process that is gone", async () => {
    await writeFile(file("LOCK"), "2147483646\n");

    const store = await openLowdbStore(dir.path);

    expect(await readFile(file("LOCK"), "utf8")).toBe(`${process.pid}\n`);
    await store.close();
  });

  it("refuses a village id that cannot name a directory, committing nothing", async () => {
    const store = await openLowdbStore(dir.path);

    const putting = store.transaction(async (tx) => tx.putVillage(village("../etc")));

    await expect(putting).rejects.toThrow(/cannot name a directory/);
    expect(await store.transaction((tx) => tx.listVillages())).toEqual([]);
    await store.close();
  });

  it("keeps the outbox file small: sent entries are not kept", async () => {
    const store = await openLowdbStore(dir.path);
    await store.transaction(async (tx) => tx.enqueue(target(), text("x")));
    for (const entry of await store.due(new Date("2100-01-01"), 10)) await store.markSent(entry.id);
    await store.close();

    const outbox = JSON.parse(await readFile(file("outbox.json"), "utf8"));

    expect(outbox).toEqual({ schemaVersion: 1, lastId: 1, pending: [], dead: [] });
  });
});
