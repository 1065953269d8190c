import { readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { summarize, type Tables } from "../tables.js";
import { CorruptDataFileError } from "./errors.js";
import { fsync, isNotFound, readDataFile, writeDataFile } from "./files.js";
import { isBucketFile, isSafeId, type Layout } from "./layout.js";
import type { RequestFiles } from "./requests.js";
import {
  BucketFile,
  ConversationsFile,
  DirectoryFile,
  OutboxFile,
  ProcessedFile,
  RosterFile,
} from "./schema.js";

/** Reads every data file into `tables` (request files only into the index). Leaves `tables` clean. */
export async function loadFiles(layout: Layout, tables: Tables): Promise<void> {
  const directory = await readDataFile(layout.directory, DirectoryFile);
  if (directory !== undefined) {
    for (const [kind, n] of Object.entries(directory.counters)) {
      tables.apply({ t: "counter", kind: kind as keyof typeof directory.counters, n });
    }
    for (const seq of directory.requestSeqs) tables.apply({ t: "seq", ...seq });
    for (const v of directory.towns) tables.apply({ t: "town", v });
    for (const v of directory.villages) tables.apply({ t: "village", v });
    for (const v of directory.bindings) tables.apply({ t: "binding", v });
  }
  for (const villageId of (await listNames(layout.villages)).filter(isSafeId)) {
    const roster = await readDataFile(layout.roster(villageId), RosterFile);
    for (const v of roster?.members ?? []) tables.apply({ t: "member", v });
    for (const v of roster?.households ?? []) tables.apply({ t: "household", v });
    await indexRequests(layout, tables, villageId);
  }
  const conversations = await readDataFile(layout.conversations, ConversationsFile);
  for (const v of conversations?.conversations ?? []) tables.apply({ t: "conversation", v });
  const processed = await readDataFile(layout.processed, ProcessedFile);
  for (const key of processed?.keys ?? []) tables.apply({ t: "processed", key });
  const outbox = await readDataFile(layout.outbox, OutboxFile);
  if (outbox !== undefined) {
    tables.apply({ t: "counter", kind: "outbox", n: outbox.lastId });
    const pending = outbox.pending.sort((a, b) => a.id.localeCompare(b.id));
    for (const v of pending) tables.apply({ t: "outbox", v });
    for (const v of outbox.dead) tables.apply({ t: "dead", v });
  }
  tables.takeDirty();
}

async function indexRequests(layout: Layout, tables: Tables, villageId: string): Promise<void> {
  const dir = layout.requests(villageId);
  for (const name of await listNames(dir)) {
    if (!isBucketFile(name)) continue;
    const path = join(dir, name);
    const file = await readDataFile(path, BucketFile);
    for (const request of file?.requests ?? []) {
      if (layout.bucket(request) !== path) {
        throw new CorruptDataFileError(path, `request ${request.id} belongs in ${layout.bucket(request)}`);
      }
      if (tables.requests.has(request.id)) {
        throw new CorruptDataFileError(path, `request ${request.id} is also in another file`);
      }
      tables.indexRequest(summarize(request));
    }
  }
}

async function listNames(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => !name.startsWith(".")).sort();
  } catch (error) {
    if (isNotFound(error)) return [];
    throw error;
  }
}

/**
 * Writes every file whose records changed since the last call: takes the changes from `tables` and
 * `requests` synchronously (call `requests.prepare()` first), then writes. The contents are fixed at the
 * call, as stored records are never mutated in place (a put replaces the record).
 */
export function writeChanges(layout: Layout, tables: Tables, requests: RequestFiles): Promise<void> {
  const dirty = tables.takeDirty();
  const files: { path: string; data: unknown }[] = [];
  if (dirty.directory) files.push({ path: layout.directory, data: directoryFile(tables) });
  for (const villageId of dirty.rosters)
    files.push({ path: layout.roster(villageId), data: rosterFile(tables, villageId) });
  if (dirty.conversations) {
    const conversations = [...tables.conversations.values()];
    files.push({
      path: layout.conversations,
      data: { schemaVersion: 1, conversations } satisfies ConversationsFile,
    });
  }
  if (dirty.processed) {
    files.push({
      path: layout.processed,
      data: { schemaVersion: 1, keys: [...tables.processed] } satisfies ProcessedFile,
    });
  }
  if (dirty.outbox) files.push({ path: layout.outbox, data: outboxFile(tables) });
  const buckets = requests.take();
  files.push(...buckets);
  return writeOneByOne(layout.root, files).then(() => requests.written(buckets.map(({ path }) => path)));
}

/** One file at a time: each file's serialisation is its own short task, not one long stall of the event loop. */
async function writeOneByOne(root: string, files: readonly { path: string; data: unknown }[]): Promise<void> {
  for (const { path, data } of files) await writeDataFile(path, data);
  // Renames and new directories are durable once the directories holding them are synced.
  const dirs = new Set<string>();
  for (const { path } of files) {
    for (let dir = dirname(path); dir.startsWith(root) && !dirs.has(dir); dir = dirname(dir)) dirs.add(dir);
  }
  for (const dir of dirs) await fsync(dir);
}

function directoryFile(tables: Tables): DirectoryFile {
  const requestSeqs = [...tables.seqs].map(([key, n]) => {
    const [villageId = "", year = "0"] = key.split("\u0000");
    return { villageId, year: Number(year), n };
  });
  return {
    schemaVersion: 1,
    counters: {
      town: tables.counter("town"),
      village: tables.counter("village"),
      member: tables.counter("member"),
      household: tables.counter("household"),
    },
    requestSeqs,
    towns: [...tables.towns.values()],
    villages: [...tables.villages.values()],
    bindings: [...tables.bindings.byKey.values()],
  };
}

function rosterFile(tables: Tables, villageId: string): RosterFile {
  return {
    schemaVersion: 1,
    members: tables.members.ofVillage(villageId),
    households: tables.households.ofVillage(villageId),
  };
}

function outboxFile(tables: Tables): OutboxFile {
  return {
    schemaVersion: 1,
    lastId: tables.counter("outbox"),
    pending: [...tables.outbox.values()],
    dead: [...tables.dead],
  };
}
