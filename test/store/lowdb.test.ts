import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { basename, join, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { crc32 } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Transaction } from "../../src/app/ports.js";
import {
  Bindings,
  bindingKey,
  Conversations,
  Households,
  identityKey,
  KERNEL_TABLES,
  Members,
  Towns,
  Villages,
} from "../../src/app/tables.js";
import { Requests, requestSequence } from "../../src/features/requests/tables.js";
import { nodeFileSystem } from "../../src/store/lowdb/files.js";
import {
  CorruptDataFileError,
  type FileSystem,
  type LowdbStoreOptions,
  MissingDataFileError,
  openLowdbStore,
  StoreLockedError,
} from "../../src/store/lowdb/index.js";
import { journalLine } from "../../src/store/lowdb/journal.js";
import { Layout } from "../../src/store/lowdb/layout.js";
import {
  AT,
  binding,
  conversation,
  household,
  member,
  Notes,
  note,
  request,
  TEST_TABLES,
  target,
  text,
  town,
  village,
} from "./builders.js";
import { storeContract } from "./contract.js";
import { tempDir } from "./temp.js";

const isThere = async (path: string) => (await nodeFileSystem.size(path)) !== undefined;

const HOLDER = fileURLToPath(new URL("./fixtures/lock-holder.ts", import.meta.url));

describe("lowdb store", () => {
  describe("contract", () => {
    storeContract(async (clock) => {
      const dir = await tempDir();
      const store = await openLowdbStore(dir.path, { tables: TEST_TABLES, clock });
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
  const readJson = async (...parts: string[]) => JSON.parse(await readFile(file(...parts), "utf8"));
  const writeJson = (data: unknown, ...parts: string[]) => writeFile(file(...parts), JSON.stringify(data));
  const open = (options: LowdbStoreOptions = {}) =>
    openLowdbStore(dir.path, { tables: TEST_TABLES, ...options });

  /** Opens the store, runs one unit of work, closes the store; returns what the unit returned. */
  async function once<T>(work: (tx: Transaction) => Promise<T>, options: LowdbStoreOptions = {}): Promise<T> {
    const store = await open(options);
    try {
      return await store.transaction(work);
    } finally {
      await store.close();
    }
  }

  async function journalText(): Promise<string> {
    const names = (await readdir(dir.path)).filter((name) => name.endsWith(".jsonl"));
    return (await Promise.all(names.map((name) => readFile(file(name), "utf8")))).join("");
  }

  beforeEach(async () => {
    dir = await tempDir();
  });

  afterEach(async () => {
    await dir.remove();
  });

  describe("across close and reopen", () => {
    it("keeps everything", async () => {
      await once(async (tx) => {
        tx.put(Towns, town(await tx.nextId(Towns)));
        tx.put(Villages, village(await tx.nextId(Villages)));
        tx.put(Members, member("m1", "v1", { identities: [{ channel: "telegram", userId: "42" }] }));
        tx.put(Households, household("h1"));
        tx.put(Bindings, binding("C1", "v1", "slack"));
        tx.put(Requests, request(await tx.nextNumber(requestSequence("v1", 2026))));
        tx.put(Conversations, conversation("local:m1"));
        tx.markProcessed("update:1");
        tx.enqueue(target(), text("hello"));
      });

      const second = await open();
      const seen = await second.transaction(async (tx) => ({
        town: await tx.get(Towns, "t1"),
        village: await tx.get(Villages, "v1"),
        member: (await tx.find(Members, "identity", identityKey("telegram", "42"))).map((m) => m.id),
        households: (await tx.find(Households, "village", "v1")).length,
        binding: (await tx.get(Bindings, bindingKey("slack", "C1")))?.villageId,
        request: await tx.get(Requests, request(1).id),
        conversation: await tx.get(Conversations, "local:m1"),
        processed: await tx.hasProcessed("update:1"),
        ids: [
          await tx.nextId(Towns),
          await tx.nextId(Villages),
          await tx.nextNumber(requestSequence("v1", 2026)),
        ],
      }));
      const outbox = await second.due(new Date("2100-01-01"), 10);
      await second.close();

      expect(seen).toEqual({
        town: town("t1"),
        village: village("v1"),
        member: ["m1"],
        households: 1,
        binding: "v1",
        request: request(1),
        conversation: conversation("local:m1"),
        processed: true,
        ids: ["t2", "v2", 2],
      });
      expect(outbox.map((e) => e.message)).toEqual([text("hello")]);
    });

    it("keeps a deletion", async () => {
      await once(async (tx) => {
        tx.put(Households, household("h1"));
        tx.put(Households, household("h2"));
        tx.put(Requests, request(1));
        tx.put(Requests, request(2));
      });
      await once(async (tx) => {
        tx.delete(Households, "h1");
        tx.delete(Requests, request(1).id);
      });

      const left = await once(async (tx) => ({
        households: (await tx.all(Households)).map((h) => h.id),
        requests: (await tx.all(Requests)).map((r) => r.seq),
      }));

      expect(left).toEqual({ households: ["h2"], requests: [2] });
    });

    it("finds a member only in the village it moved to", async () => {
      await once(async (tx) => tx.put(Members, member("m1", "v1")));
      await once(async (tx) => tx.put(Members, member("m1", "v2")));

      const lists = await once(async (tx) => [
        (await tx.find(Members, "village", "v1")).map((m) => m.id),
        (await tx.find(Members, "village", "v2")).map((m) => m.id),
      ]);

      expect(lists).toEqual([[], ["m1"]]);
    });

    it("reads back a record of a table that is not resident after it moved to another file", async () => {
      await once(async (tx) => tx.put(Notes, note("n1", "a")));
      await once(async (tx) => tx.put(Notes, note("n1", "b")));

      const found = await once(async (tx) => ({
        one: await tx.get(Notes, "n1"),
        a: await tx.find(Notes, "shelf", "a"),
      }));

      expect(found).toEqual({ one: note("n1", "b"), a: [] });
      expect(await readJson("notes", "a.json")).toEqual({ schemaVersion: 1, notes: [] });
    });
  });

  describe("ids and sequences when counters.json is lost", () => {
    /** Deletes counters.json and, as someone who accepts the loss would, its line in the manifest. */
    async function loseCounters(): Promise<void> {
      await rm(file("counters.json"));
      const manifest = JSON.parse(await readFile(file("manifest.json"), "utf8")) as { files: string[] };
      manifest.files = manifest.files.filter((name) => name !== "counters.json");
      await writeFile(file("manifest.json"), JSON.stringify(manifest));
    }

    it("refuses to start when counters.json is gone and the manifest still lists it", async () => {
      await once(async (tx) => tx.put(Towns, town("t3")));
      await rm(file("counters.json"));

      await expect(open()).rejects.toThrow(MissingDataFileError);
    });

    it("never hands out an id a stored record has", async () => {
      await once(async (tx) => {
        tx.put(Towns, town("t3"));
        tx.put(Villages, village("v2"));
        tx.put(Members, member("m5", "v2"));
        tx.put(Households, household("h4", "v2"));
      });
      await loseCounters();

      const next = await once(async (tx) => [
        await tx.nextId(Towns),
        await tx.nextId(Villages),
        await tx.nextId(Members),
        await tx.nextId(Households),
      ]);

      expect(next).toEqual(["t4", "v3", "m6", "h5"]);
    });

    it("never hands out an id a stored record of a table that is not resident has", async () => {
      await once(async (tx) => tx.put(Notes, note("n9")));
      await loseCounters();

      const next = await once((tx) => tx.nextId(Notes));

      expect(next).toBe("n10");
    });

    it("numbers on past every stored request", async () => {
      await once(async (tx) => {
        for (const seq of [1, 2, 3]) tx.put(Requests, request(seq));
        tx.put(Requests, request(1, { year: 2025 }));
      });
      await loseCounters();

      const next = await once(async (tx) => [
        await tx.nextNumber(requestSequence("v1", 2026)),
        await tx.nextNumber(requestSequence("v1", 2025)),
        await tx.nextNumber(requestSequence("v2", 2026)),
      ]);

      expect(next).toEqual([4, 2, 1]);
    });
  });

  describe("files", () => {
    it("keeps towns, villages and bindings together in directory.json, counters in counters.json", async () => {
      await once(async (tx) => {
        tx.put(Towns, town(await tx.nextId(Towns)));
        tx.put(Villages, village(await tx.nextId(Villages)));
        tx.put(Bindings, binding("-100"));
      });

      const directory = await readJson("directory.json");
      const counters = await readJson("counters.json");

      expect(directory).toEqual({
        schemaVersion: 1,
        towns: [town("t1")],
        villages: [village("v1")],
        bindings: [binding("-100")],
      });
      expect(counters).toEqual({ schemaVersion: 1, counters: { town: 1, village: 1 } });
    });

    it("keeps a village's members and households together in its roster file", async () => {
      await once(async (tx) => {
        tx.put(Members, member("m1", "v1"));
        tx.put(Households, household("h1", "v1"));
        tx.put(Members, member("m2", "v2"));
      });

      const roster = await readJson("villages", "v1", "roster.json");

      expect(roster).toEqual({
        schemaVersion: 1,
        members: [member("m1", "v1")],
        households: [household("h1")],
      });
    });

    it("lays requests out in buckets of 250 per village and year", async () => {
      await once(async (tx) => {
        for (const seq of [1, 250, 251, 501]) tx.put(Requests, request(seq));
      });

      const names = await readdir(file("villages", "v1", "requests"));
      const first = await readJson("villages", "v1", "requests", "2026-000.json");

      expect(names.filter((name) => name.endsWith(".json")).sort()).toEqual([
        "2026-000.json",
        "2026-001.json",
        "2026-002.json",
      ]);
      expect(first.requests.map((r: { seq: number }) => r.seq)).toEqual([1, 250]);
    });

    it("rewrites only the bucket file of the request that changed", async () => {
      await once(async (tx) => {
        for (const seq of [1, 251, 501]) tx.put(Requests, request(seq));
        tx.put(Members, member("m1"));
      });
      const inode = async (name: string) => (await stat(file("villages", "v1", ...name.split("/")))).ino;
      const before = [await inode("requests/2026-000.json"), await inode("requests/2026-002.json")];
      const rosterBefore = await inode("roster.json");
      const changedBefore = await inode("requests/2026-001.json");

      await once(async (tx) => tx.put(Requests, request(251, { state: "accepted" })));

      expect([await inode("requests/2026-000.json"), await inode("requests/2026-002.json")]).toEqual(before);
      expect(await inode("roster.json")).toBe(rosterBefore);
      expect(await inode("requests/2026-001.json")).not.toBe(changedBefore);
    });

    it("reads requests back from disk after reopening when their buckets have left the cache", async () => {
      await once(async (tx) => {
        for (const seq of [1, 251, 501, 751]) tx.put(Requests, request(seq));
      });

      const active = await once((tx) => tx.find(Requests, "active", "v1"), { cachedBuckets: 1 });

      expect(active.map((r) => r.seq)).toEqual([1, 251, 501, 751]);
    });

    it("reads requests back from disk once written buckets have left the cache of the open store", async () => {
      const store = await open({ cachedBuckets: 1, checkpointDelayMs: 1 });
      await store.transaction(async (tx) => {
        for (const seq of [1, 251, 501, 751]) tx.put(Requests, request(seq));
      });
      await new Promise((resolve) => setTimeout(resolve, 200));
      const bucketsWritten = (await readdir(file("villages", "v1", "requests"))).filter((name) =>
        name.endsWith(".json"),
      ).length;

      const found = await store.transaction(async (tx) => ({
        one: await tx.get(Requests, request(1).id),
        active: (await tx.find(Requests, "active", "v1")).map((r) => r.seq),
      }));
      await store.close();

      expect(bucketsWritten).toBe(4);
      expect(found).toEqual({ one: request(1), active: [1, 251, 501, 751] });
    });

    it("keeps waiting messages in bucket files: a sent one leaves its bucket", async () => {
      const store = await open();
      await store.transaction(async (tx) => tx.enqueue(target(), text("x")));
      for (const entry of await store.due(new Date("2100-01-01"), 10))
        await store.markSent([{ id: entry.id, revision: 0 }]);
      await store.close();

      const bucket = await readJson("outbox", "0.json");
      const counters = await readJson("counters.json");

      expect([bucket, counters.counters.outbox]).toEqual([{ schemaVersion: 1, pending: [] }, 1]);
    });

    it("rewrites only the outbox buckets whose messages changed", async () => {
      const written: string[] = [];
      const watchedWrites = (paths: string[]): FileSystem => ({
        ...nodeFileSystem,
        write: (path, content) => {
          paths.push(path);
          return nodeFileSystem.write(path, content);
        },
      });
      const store = await open({ files: watchedWrites(written) });
      await store.transaction(async (tx) => {
        for (let i = 0; i < 600; i++) tx.enqueue(target(), text(`m${i}`));
      });
      await store.close();
      written.length = 0;
      const again = await open({ files: watchedWrites(written) });
      const [first] = await again.due(new Date("2100-01-01"), 1);
      await again.markSent([{ id: first?.id ?? "", revision: 0 }]);
      await again.close();

      const buckets = written.filter((path) => path.includes(`${sep}outbox${sep}`));

      expect(buckets.map((path) => basename(path))).toEqual([".0.json.tmp"]);
      expect((await readJson("outbox", "2.json")).pending).toHaveLength(600 - 511);
    });

    it("moves the waiting messages of an outbox.json from before buckets into buckets, losing none", async () => {
      const entry = (n: number) => ({
        id: `o${String(n).padStart(12, "0")}`,
        target: target(),
        message: text(`m${n}`),
        createdAt: "2026-11-01T00:00:00.000Z",
        attempts: 0,
        notBefore: "2026-11-01T00:00:00.000Z",
      });
      await writeJson(
        { schemaVersion: 1, lastId: 2, pending: [entry(1), entry(2)], dead: [] },
        "outbox.json",
      );

      const store = await open();
      await store.close();
      const reopened = await open();
      const due = await reopened.due(new Date("2100-01-01"), 10);
      await reopened.close();

      expect([due.map((e) => e.id), (await readJson("outbox.json")).pending]).toEqual([
        ["o000000000001", "o000000000002"],
        [],
      ]);
    });

    it("refuses a record whose file would leave the data directory, committing nothing of the unit", async () => {
      const store = await open();

      const putting = store.transaction(async (tx) => {
        tx.put(Towns, town("t1"));
        tx.put(Members, member("m1", "../etc"));
      });

      await expect(putting).rejects.toThrow(/plain relative path/);
      const after = await store.transaction(async (tx) => ({
        towns: await tx.all(Towns),
        members: await tx.all(Members),
      }));
      await store.close();
      expect(after).toEqual({ towns: [], members: [] });
      expect(await isThere(file("etc"))).toBe(false);
    });
  });

  describe("table files", () => {
    it.each([
      ["leaves the directory", "../outside.json"],
      ["climbs out of a folder", "villages/../../outside.json"],
      ["is absolute", "/etc/passwd.json"],
      ["does not end in .json", "villages/v1/roster.txt"],
      ["has an empty part", "villages//roster.json"],
      ["is one of the store's own files", "counters.json"],
      ["is under a folder the store keeps no tables in", "uploads/a.json"],
    ])("refuses a file path that %s", (_, relative) => {
      const layout = new Layout(dir.path);

      expect(() => layout.file(relative)).toThrow(/plain relative path/);
    });

    it("places a plain relative file path under the data directory", () => {
      const layout = new Layout(dir.path);

      expect(layout.file("villages/v1/requests/2026-000.json")).toBe(
        file("villages", "v1", "requests", "2026-000.json"),
      );
    });
  });

  describe("refusing corrupt data at open", () => {
    it("refuses a roster file that is not JSON, names it, and leaves it as it was", async () => {
      await once(async (tx) => tx.put(Members, member("m1")));
      const roster = file("villages", "v1", "roster.json");
      await writeFile(roster, '{"schemaVersion": 1, "members": [');

      const opening = open();

      await expect(opening).rejects.toThrow(CorruptDataFileError);
      await expect(opening).rejects.toThrow(roster);
      expect(await readFile(roster, "utf8")).toBe('{"schemaVersion": 1, "members": [');
    });

    it("refuses a file of the wrong shape, naming it", async () => {
      await writeJson({ schemaVersion: 1, towns: "many" }, "directory.json");

      const opening = open();

      await expect(opening).rejects.toThrow(`Data file ${file("directory.json")} is corrupt`);
    });

    it("refuses a file holding a table no declared table is called, naming it", async () => {
      await writeJson({ schemaVersion: 1, towns: [], topics: [] }, "directory.json");

      const opening = open();

      await expect(opening).rejects.toThrow(CorruptDataFileError);
      await expect(opening).rejects.toThrow(
        `Data file ${file("directory.json")} is corrupt (it holds "topics"`,
      );
    });

    it("refuses a file holding a table the store was opened without", async () => {
      await once(async (tx) => tx.put(Requests, request(1)));

      const opening = openLowdbStore(dir.path, { tables: KERNEL_TABLES });

      await expect(opening).rejects.toThrow(
        `Data file ${file("villages", "v1", "requests", "2026-000.json")} is corrupt (it holds "requests"`,
      );
    });

    it("refuses a record stored in a file its table does not put it in", async () => {
      await writeJson({ schemaVersion: 1, members: [member("m1", "v2")] }, "directory.json");

      const opening = open();

      await expect(opening).rejects.toThrow(
        `Data file ${file("directory.json")} is corrupt (members m1 belongs in villages/v2/roster.json)`,
      );
    });

    it("refuses a file holding the same record twice", async () => {
      await writeJson({ schemaVersion: 1, towns: [town("t1"), town("t1")] }, "directory.json");

      const opening = open();

      await expect(opening).rejects.toThrow(
        `Data file ${file("directory.json")} is corrupt (it holds towns t1 twice)`,
      );
    });

    it("releases the lock when it refuses a corrupt file, so a fixed directory opens", async () => {
      await writeFile(file("outbox.json"), "not json");
      await expect(open()).rejects.toThrow(CorruptDataFileError);
      await writeJson({ schemaVersion: 1, lastId: 0, pending: [], dead: [] }, "outbox.json");

      const store = await open();

      await store.close();
    });
  });

  describe("files gone missing", () => {
    async function filled(): Promise<void> {
      await once(async (tx) => {
        tx.put(Towns, town("t1"));
        tx.put(Villages, village("v1"));
        tx.put(Members, member("m1"));
        tx.put(Requests, request(1));
      });
    }

    it.each([
      ["a requests file", "villages/v1/requests/2026-000.json"],
      ["a village's roster", "villages/v1/roster.json"],
      ["the directory of towns and villages", "directory.json"],
      ["the counters of ids and request numbers", "counters.json"],
    ])("refuses to start without %s, naming it", async (_what, name) => {
      await filled();
      await rm(file(name));

      await expect(open()).rejects.toThrow(`Data file ${file(name)} is missing.`);
    });

    it("refuses to start when the manifest itself is gone", async () => {
      await filled();
      await rm(file("manifest.json"));

      await expect(open()).rejects.toThrow(`Data file ${file("manifest.json")} is missing.`);
    });

    it("lists every file it wrote in the manifest", async () => {
      await filled();

      const manifest = JSON.parse(await readFile(file("manifest.json"), "utf8")) as { files: string[] };

      expect(manifest.files).toEqual(
        expect.arrayContaining([
          "counters.json",
          "directory.json",
          "villages/v1/requests/2026-000.json",
          "villages/v1/roster.json",
        ]),
      );
    });
  });

  describe("request files and their keys files", () => {
    const bucket = ["villages", "v1", "requests", "2026-000.json"] as const;
    const keysOfBucket = ["villages", "v1", "requests", "2026-000.keys"] as const;

    async function filled(): Promise<void> {
      await once(async (tx) => {
        tx.put(Requests, request(1));
        tx.put(Requests, request(2, { state: "rated" }));
        tx.put(Requests, request(251));
      });
    }

    /** The machine's file layer, noting every path read. */
    function watchedFiles(reads: string[]): FileSystem {
      return {
        ...nodeFileSystem,
        read: (path) => {
          reads.push(path);
          return nodeFileSystem.read(path);
        },
      };
    }

    it("opens without reading a request file: the keys files beside them hold keys and index values", async () => {
      await filled();
      const reads: string[] = [];

      const store = await open({ files: watchedFiles(reads) });
      const requestFilesRead = reads.filter((path) => path.endsWith(".json") && path.includes("requests"));
      const active = await store.transaction((tx) => tx.find(Requests, "active", "v1"));
      await store.close();

      expect(requestFilesRead).toEqual([]);
      expect(active.map((r) => r.seq)).toEqual([1, 251]);
    });

    it("refuses to start when a request file is not the size written with it, naming it", async () => {
      await filled();
      const bytes = await readFile(file(...bucket));
      await writeFile(file(...bucket), bytes.subarray(0, bytes.length - 10));

      await expect(open()).rejects.toThrow(
        `Data file ${file(...bucket)} is corrupt (its size is not the one written with it`,
      );
    });

    it("refuses to read a request file with a flipped byte, naming it, and never writes over it", async () => {
      await filled();
      const bytes = await readFile(file(...bucket));
      const at = bytes.indexOf("streetlight");
      bytes[at] = "S".charCodeAt(0);
      await writeFile(file(...bucket), bytes);

      const store = await open();
      const reading = store.transaction((tx) => tx.get(Requests, request(1).id));
      await expect(reading).rejects.toThrow(
        `Data file ${file(...bucket)} is corrupt (its checksum is not the one written with it`,
      );
      const writing = store.transaction(async (tx) => tx.put(Requests, request(3)));
      await writing.catch(() => undefined);
      await store.close().catch(() => undefined);

      expect(await readFile(file(...bucket))).toEqual(bytes);
    });

    it("reads a request file whose keys file was damaged, and writes the keys file anew", async () => {
      await filled();
      const damaged = (await readFile(file(...keysOfBucket), "utf8")).replace('"v1"', '"v9"');
      await writeFile(file(...keysOfBucket), damaged);

      const store = await open();
      const active = await store.transaction((tx) => tx.find(Requests, "active", "v1"));
      await store.close();
      const reads: string[] = [];
      const again = await open({ files: watchedFiles(reads) });
      await again.close();

      expect(active.map((r) => r.seq)).toEqual([1, 251]);
      expect(reads).not.toContain(file(...bucket));
    });

    it("opens a folder from before keys files, and gives each request file one", async () => {
      await filled();
      await rm(file(...keysOfBucket));
      await rm(file("villages", "v1", "requests", "2026-001.keys"));

      const store = await open();
      const all = await store.transaction((tx) => tx.all(Requests));
      await store.close();

      expect(all.map((r) => r.seq)).toEqual([1, 2, 251]);
      expect(await isThere(file(...keysOfBucket))).toBe(true);
      expect(await isThere(file("villages", "v1", "requests", "2026-001.keys"))).toBe(true);
    });

    it("refuses a record found in two files when the journal does not say it moved, naming both", async () => {
      await once(async (tx) => {
        tx.put(Members, member("m1", "v1"));
        tx.put(Members, member("m2", "v2"));
      });
      const roster = await readJson("villages", "v2", "roster.json");
      roster.members.push(member("m1", "v2"));
      await writeJson(roster, "villages", "v2", "roster.json");

      await expect(open()).rejects.toThrow(
        `Data file ${file("villages", "v2", "roster.json")} is corrupt (members m1 is also in ${file("villages", "v1", "roster.json")})`,
      );
    });
  });

  describe("journal", () => {
    const line = (ops: unknown[]) => `${JSON.stringify({ v: 1, ops })}\n`;

    it("replays journal lines the data files do not reflect yet, then drops them", async () => {
      const ops = [
        { t: "put", table: "villages", v: village("v1") },
        { t: "put", table: "requests", v: request(1) },
        { t: "del", table: "households", key: "h1" },
        { t: "counter", key: "member", n: 3 },
      ];
      await writeFile(file("journal.7.jsonl"), line(ops));

      const found = await once(async (tx) => [
        await tx.get(Villages, "v1"),
        await tx.get(Requests, request(1).id),
        await tx.nextId(Members),
      ]);

      expect(found).toEqual([village("v1"), request(1), "m4"]);
      expect((await readdir(dir.path)).filter((name) => name.startsWith("journal.7"))).toEqual([]);
    });

    it("ignores a torn last journal line", async () => {
      const whole = line([{ t: "put", table: "towns", v: town("t1") }]);
      const torn = line([{ t: "put", table: "towns", v: town("t2") }]).slice(0, 30);
      await writeFile(file("journal.1.jsonl"), `${whole}${torn}`);

      const towns = await once((tx) => tx.all(Towns));

      expect(towns.map((t) => t.id)).toEqual(["t1"]);
    });

    const checked = (id: string) => journalLine([{ t: "put", table: "towns", v: town(id) }]);
    /** The line with one byte of its JSON changed, as a bad disk sector or a half-written page leaves it. */
    const flipped = (text: string) => text.replace('"name":"', '"name":"X');

    it("writes each unit with a checksum of its JSON", async () => {
      const store = await open({ checkpointDelayMs: 60_000 });
      await store.transaction(async (tx) => tx.put(Towns, town("t1")));

      const [first] = (await journalText()).split("\n");
      await store.close();

      const [sum, ...json] = (first ?? "").split(" ");
      expect(sum).toBe(crc32(json.join(" ")).toString(16).padStart(8, "0"));
    });

    it("refuses a journal whose line before the last was damaged, naming the line and what to do", async () => {
      await writeFile(file("journal.1.jsonl"), `${flipped(checked("t1"))}${checked("t2")}`);

      const opening = open();

      await expect(opening).rejects.toThrow(
        `Data file ${file("journal.1.jsonl")} is corrupt (line 1: its checksum does not match: it was damaged). The store will not start on it`,
      );
    });

    it("drops a damaged last line of the newest journal, a write a crash cut short", async () => {
      await writeFile(file("journal.1.jsonl"), `${checked("t1")}${flipped(checked("t2"))}`);

      const towns = await once((tx) => tx.all(Towns));

      expect(towns.map((t) => t.id)).toEqual(["t1"]);
    });

    it("drops a damaged last line of the newest journal when an empty segment was opened after it", async () => {
      await writeFile(file("journal.1.jsonl"), `${checked("t1")}${flipped(checked("t2"))}`);
      await writeFile(file("journal.2.jsonl"), "");

      const towns = await once((tx) => tx.all(Towns));

      expect(towns.map((t) => t.id)).toEqual(["t1"]);
    });

    it("refuses a damaged last line of an older journal segment", async () => {
      await writeFile(file("journal.1.jsonl"), `${checked("t1")}${flipped(checked("t2"))}`);
      await writeFile(file("journal.2.jsonl"), checked("t3"));

      const opening = open();

      await expect(opening).rejects.toThrow(
        `Data file ${file("journal.1.jsonl")} is corrupt (line 2: its checksum`,
      );
    });

    it("refuses a journal with an unreadable line before its last, naming it", async () => {
      const whole = line([{ t: "put", table: "towns", v: town("t1") }]);
      await writeFile(file("journal.1.jsonl"), `{"v":1,"ops":[{"t":"town"\n${whole}`);

      const opening = open();

      await expect(opening).rejects.toThrow(`Data file ${file("journal.1.jsonl")} is corrupt (line 1`);
    });

    it("refuses a journal line that changes a table no declared table is called", async () => {
      await writeFile(file("journal.1.jsonl"), line([{ t: "put", table: "topics", v: { id: "x" } }]));

      const opening = open();

      await expect(opening).rejects.toThrow(
        `Data file ${file("journal.1.jsonl")} is corrupt (line 1 changes "topics"`,
      );
    });

    it("refuses a journal line whose record its table's schema rejects", async () => {
      await writeFile(file("journal.1.jsonl"), line([{ t: "put", table: "towns", v: { id: "t1" } }]));

      const opening = open();

      await expect(opening).rejects.toThrow(
        `Data file ${file("journal.1.jsonl")} is corrupt (line 1: a towns record is not valid)`,
      );
    });

    it("has every acknowledged write in the journal before the data files are written", async () => {
      const store = await open({ checkpointDelayMs: 60_000 });
      await store.transaction(async (tx) => tx.put(Towns, town("t1")));

      const journal = await journalText();
      const directoryWritten = await isThere(file("directory.json"));
      await store.close();

      expect(journal).toContain('"Dunhua"');
      expect(directoryWritten).toBe(false);
    });

    it("checkpoints the data files soon after a commit and empties the journal", async () => {
      const store = await open({ checkpointDelayMs: 5 });
      await store.transaction(async (tx) => tx.put(Towns, town("t1")));

      await new Promise((resolve) => setTimeout(resolve, 200));

      const directory = await readFile(file("directory.json"), "utf8");
      const journal = await journalText();
      await store.close();
      expect(directory).toContain('"Dunhua"');
      expect(journal).toBe("");
    });
  });

  describe("data written before tables were declared", () => {
    it("does not hand out again a deleted household's id after opening a directory of the previous layout", async () => {
      const legacy = await tempDir();
      await writeFile(
        join(legacy.path, "directory.json"),
        JSON.stringify({
          schemaVersion: 1,
          counters: { town: 1, village: 1, member: 1, household: 5 },
          requestSeqs: [],
          towns: [town("t1")],
          villages: [village("v1")],
          bindings: [],
        }),
      );
      await mkdir(join(legacy.path, "villages", "v1"), { recursive: true });
      await writeFile(
        join(legacy.path, "villages", "v1", "roster.json"),
        JSON.stringify({ schemaVersion: 1, members: [member("m1")], households: [household("h1")] }),
      );
      const first = await openLowdbStore(legacy.path, { tables: TEST_TABLES });
      await first.transaction(async (tx) => tx.put(Bindings, binding("-100")));
      await first.close();

      const second = await openLowdbStore(legacy.path, { tables: TEST_TABLES });
      const next = await second.transaction((tx) => tx.nextId(Households));
      await second.close();
      await legacy.remove();

      expect(next).toBe("h6");
    });

    /** directory.json with its counters, a roster, a request bucket and conversations, as the last layout wrote them. */
    async function writePreviousLayout(): Promise<void> {
      await writeJson(
        {
          schemaVersion: 1,
          counters: { town: 1, village: 1, member: 9, household: 4 },
          requestSeqs: [{ villageId: "v1", year: 2026, n: 12 }],
          towns: [town("t1")],
          villages: [village("v1")],
          bindings: [binding("-100")],
        },
        "directory.json",
      );
      await mkdir(file("villages", "v1", "requests"), { recursive: true });
      await writeJson(
        { schemaVersion: 1, members: [member("m1")], households: [household("h1")] },
        "villages",
        "v1",
        "roster.json",
      );
      await writeJson(
        { schemaVersion: 1, requests: [request(1), request(2)] },
        "villages",
        "v1",
        "requests",
        "2026-000.json",
      );
      await writeJson(
        {
          schemaVersion: 1,
          conversations: [
            { key: "local:m1", updatedAt: AT, awaiting: { type: "progress", targetId: "EV-1" } },
          ],
        },
        "conversations.json",
      );
    }

    it("opens it and reads every record back", async () => {
      await writePreviousLayout();

      const seen = await once(async (tx) => ({
        town: await tx.get(Towns, "t1"),
        village: await tx.get(Villages, "v1"),
        bindings: await tx.find(Bindings, "village", "v1"),
        members: await tx.find(Members, "village", "v1"),
        households: await tx.find(Households, "village", "v1"),
        requests: (await tx.find(Requests, "active", "v1")).map((r) => r.id),
        conversation: await tx.get(Conversations, "local:m1"),
      }));

      expect(seen).toEqual({
        town: town("t1"),
        village: village("v1"),
        bindings: [binding("-100")],
        members: [member("m1")],
        households: [household("h1")],
        requests: [request(1).id, request(2).id],
        conversation: { key: "local:m1", updatedAt: AT, steps: [] },
      });
    });

    it("counts on from the counters and request numbers kept in directory.json", async () => {
      await writePreviousLayout();

      const next = await once(async (tx) => [
        await tx.nextId(Members),
        await tx.nextId(Households),
        await tx.nextNumber(requestSequence("v1", 2026)),
      ]);

      expect(next).toEqual(["m10", "h5", 13]);
    });

    it("replays a journal of the ops it wrote", async () => {
      const ops = [
        { t: "village", v: village("v1") },
        { t: "member", v: member("m1") },
        { t: "request", v: request(1) },
        { t: "counter", kind: "member", n: 3 },
        { t: "seq", villageId: "v1", year: 2026, n: 5 },
        { t: "binding", v: binding("-100") },
        { t: "binding.del", channel: "telegram", chatId: "-100" },
      ];
      await writeFile(file("journal.3.jsonl"), `${JSON.stringify({ v: 1, ops })}\n`);

      const seen = await once(async (tx) => ({
        village: await tx.get(Villages, "v1"),
        members: (await tx.find(Members, "village", "v1")).map((m) => m.id),
        request: await tx.get(Requests, request(1).id),
        bindings: await tx.all(Bindings),
        next: [await tx.nextId(Members), await tx.nextNumber(requestSequence("v1", 2026))],
      }));

      expect(seen).toEqual({
        village: village("v1"),
        members: ["m1"],
        request: request(1),
        bindings: [],
        next: ["m4", 6],
      });
    });

    it("replays deletions of households and conversations as the journal wrote them", async () => {
      const ops = [
        { t: "household", v: household("h1") },
        { t: "household", v: household("h2") },
        { t: "conversation", v: conversation("local:m1") },
        { t: "household.del", id: "h1" },
        { t: "conversation.del", key: "local:m1" },
      ];
      await writeFile(file("journal.3.jsonl"), `${JSON.stringify({ v: 1, ops })}\n`);

      const seen = await once(async (tx) => ({
        households: (await tx.all(Households)).map((h) => h.id),
        conversation: await tx.get(Conversations, "local:m1"),
      }));

      expect(seen).toEqual({ households: ["h2"], conversation: undefined });
    });
  });

  describe("lock", () => {
    it("refuses a second opening of the same directory while the first is open", async () => {
      const store = await open();

      const second = open();

      await expect(second).rejects.toThrow(StoreLockedError);
      await store.close();
    });

    /** A child process that opens the directory; resolves once it says whether it holds it. */
    function holder(holdMs: number): { said: Promise<string>; child: ChildProcess } {
      const child = spawn(process.execPath, ["--import", "tsx", HOLDER, dir.path, String(holdMs)], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      const said = new Promise<string>((resolve) => {
        let out = "";
        child.stdout?.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes("\n")) resolve(out.trim());
        });
        child.on("exit", () => resolve(out.trim()));
      });
      return { said, child };
    }

    it("opens at once after the holder was killed with SIGKILL a moment ago, reaped or not", async () => {
      const first = holder(60_000);
      expect(await first.said).toBe("held");

      first.child.kill("SIGKILL");
      const started = Date.now();
      const store = await open();
      const waited = Date.now() - started;
      await store.close();

      expect(waited).toBeLessThan(2_000);
    });

    it("refuses while another process holds the directory", async () => {
      const first = holder(60_000);
      expect(await first.said).toBe("held");

      const second = open();

      await expect(second).rejects.toThrow(StoreLockedError);
      first.child.kill("SIGKILL");
    });

    it("lets exactly one of four processes starting at the same instant hold the directory", async () => {
      const four = Array.from({ length: 4 }, () => holder(8_000));

      const said = (await Promise.all(four.map((one) => one.said))).sort();

      for (const one of four) one.child.kill("SIGKILL");
      expect(said).toEqual(["held", "locked", "locked", "locked"]);
    }, 30_000);

    it("opens when LOCK names this very process, as PID 1 does after a container restarts", async () => {
      await writeFile(file("LOCK"), `${process.pid}\n`);

      const store = await open();

      await store.close();
    });

    it("takes over the lock of a process that is gone", async () => {
      await writeFile(file("LOCK"), "2147483646\n");

      const store = await open();

      expect(await readFile(file("LOCK"), "utf8")).toBe(`${process.pid}\n`);
      await store.close();
    });
  });
});
