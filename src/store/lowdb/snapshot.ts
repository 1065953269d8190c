import { readdir } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { z } from "zod";
import type { AnyTable } from "../../app/tables.js";
import { OUTBOX_COUNTER, type Tables } from "../tables.js";
import type { DocumentFiles } from "./documents.js";
import { CorruptDataFileError } from "./errors.js";
import { fsync, isNotFound, readDataFile, writeDataFile } from "./files.js";
import { type Layout, NOT_TABLE_FILES } from "./layout.js";
import type { Manifest } from "./manifest.js";
import { CountersFile, LegacyCounters, OutboxFile, ProcessedFile, TableFile } from "./schema.js";

/**
 * Reads every data file into `tables` (files of non-resident tables only into the indexes) and returns the
 * paths it read. Leaves `tables` clean.
 */
export async function loadFiles(layout: Layout, tables: Tables): Promise<string[]> {
  const read: string[] = [];
  let legacyCounters = false;
  for (const file of await tableFiles(layout.root)) {
    const path = layout.file(file);
    const data = await readDataFile(path, TableFile);
    if (data === undefined) continue;
    read.push(path);
    const legacy = "counters" in data || "requestSeqs" in data ? LegacyCounters.safeParse(data) : undefined;
    if (legacy?.success === false) throw new CorruptDataFileError(path, "its counters are not valid");
    for (const [name, list] of Object.entries(data)) {
      if (name === "schemaVersion" || name === "counters" || name === "requestSeqs") continue;
      if (!tables.hasTable(name))
        throw new CorruptDataFileError(path, `it holds "${name}", which no table of this version is called`);
      loadRecords(tables, tables.state(name).table, layout, file, list);
    }
    if (legacy?.success !== true) continue;
    // Counters kept in directory.json before counters.json existed.
    for (const [key, n] of Object.entries(legacy.data.counters ?? {})) tables.apply({ t: "counter", key, n });
    for (const seq of legacy.data.requestSeqs ?? [])
      tables.apply({ t: "counter", key: `seq:${seq.villageId}:${seq.year}`, n: seq.n });
    legacyCounters = true;
  }
  const counters = await readDataFile(layout.counters, CountersFile);
  for (const [key, n] of Object.entries(counters?.counters ?? {})) tables.apply({ t: "counter", key, n });
  const processed = await readDataFile(layout.processed, ProcessedFile);
  for (const key of processed?.keys ?? []) tables.apply({ t: "processed", key });
  const outbox = await readDataFile(layout.outbox, OutboxFile);
  if (counters !== undefined) read.push(layout.counters);
  if (processed !== undefined) read.push(layout.processed);
  if (outbox !== undefined) read.push(layout.outbox);
  if (outbox !== undefined) {
    tables.apply({ t: "counter", key: OUTBOX_COUNTER, n: outbox.lastId });
    const pending = outbox.pending.sort((a, b) => a.id.localeCompare(b.id));
    for (const v of pending) tables.apply({ t: "outbox", v });
    for (const v of outbox.dead) tables.apply({ t: "dead", v });
  }
  tables.takeDirty();
  // The next checkpoint rewrites directory.json without them, so counters.json must hold them first.
  if (legacyCounters) tables.countersMoved();
  return read;
}

function loadRecords(tables: Tables, table: AnyTable, layout: Layout, file: string, list: unknown): void {
  const path = layout.file(file);
  const parsed = z.array(table.schema).safeParse(list);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptDataFileError(path, `${table.name}[${issue?.path.join(".")}]: ${issue?.message}`);
  }
  const resident = tables.state(table).records !== undefined;
  for (const record of parsed.data) {
    const key = table.key(record);
    if (table.file(record) !== file)
      throw new CorruptDataFileError(path, `${table.name} ${key} belongs in ${table.file(record)}`);
    const elsewhere = tables.state(table).fileOf(key);
    if (elsewhere !== undefined)
      throw new CorruptDataFileError(path, `${table.name} ${key} is also in ${layout.file(elsewhere)}`);
    if (resident) tables.apply({ t: "put", table: table.name, v: record });
    else tables.indexDocument(table, record);
  }
}

/** Every JSON file under the data directory that may hold tables, as "/"-separated relative paths, sorted. */
async function tableFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  async function walk(dir: string): Promise<void> {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const path = join(dir, entry.name);
      if (dir === root && NOT_TABLE_FILES.has(entry.name)) continue;
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile() && entry.name.endsWith(".json"))
        found.push(relative(root, path).split(sep).join("/"));
    }
  }
  await walk(root);
  return found.sort();
}

/**
 * Writes every file whose records changed since the last call: takes the changes from `tables` and
 * `documents` synchronously (call `documents.prepare()` first), then writes. The contents are fixed at the
 * call, as stored records are never mutated in place (a put replaces the record).
 */
export function writeChanges(
  layout: Layout,
  tables: Tables,
  documents: DocumentFiles,
  manifest: Manifest,
): Promise<void> {
  const dirty = tables.takeDirty();
  const files: { path: string; data: unknown }[] = [];
  for (const file of dirty.files) files.push({ path: layout.file(file), data: residentFile(tables, file) });
  if (dirty.counters) {
    const counters = Object.fromEntries([...tables.counters].filter(([key]) => key !== OUTBOX_COUNTER));
    files.push({ path: layout.counters, data: { schemaVersion: 1, counters } satisfies CountersFile });
  }
  if (dirty.processed) {
    files.push({
      path: layout.processed,
      data: { schemaVersion: 1, keys: [...tables.processed] } satisfies ProcessedFile,
    });
  }
  if (dirty.outbox) files.push({ path: layout.outbox, data: outboxFile(tables) });
  const taken = documents.take();
  for (const { file, data } of taken) files.push({ path: layout.file(file), data });
  return writeOneByOne(layout.root, files).then(async () => {
    documents.written(taken.map(({ file }) => file));
    manifest.note(files.map(({ path }) => path));
    await manifest.save();
  });
}

/** One file of resident tables: each table's records kept in it. */
function residentFile(tables: Tables, file: string): TableFile {
  const data: TableFile = { schemaVersion: 1 };
  for (const state of tables.tables) {
    if (state.records === undefined) continue;
    const keys = state.byFile.get(file);
    if (keys.size === 0) continue;
    data[state.table.name] = [...keys].map((key) => state.records?.get(key));
  }
  return data;
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

function outboxFile(tables: Tables): OutboxFile {
  return {
    schemaVersion: 1,
    lastId: tables.counter(OUTBOX_COUNTER),
    pending: [...tables.outbox.values()],
    dead: [...tables.dead],
  };
}
