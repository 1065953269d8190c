import { dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { z } from "zod";
import type { OutboxEntry } from "../../app/ports.js";
import type { AnyTable } from "../../app/tables.js";
import { countersOf, OUTBOX_COUNTER, outboxBucket, type Tables } from "../tables.js";
import type { DocumentFiles, TakenFile } from "./documents.js";
import { CorruptDataFileError, MissingDataFileError } from "./errors.js";
import { DurableWrites, dataFileText, parseData, parseJson, readDataFile, type Written } from "./files.js";
import { decodeColumns, type IndexValues, type KeysFile, keysFileOf, keysText, readKeys } from "./keys.js";
import { type Layout, NOT_TABLE_FILES, OUTBOX_DIR } from "./layout.js";
import type { Manifest } from "./manifest.js";
import {
  CountersFile,
  LegacyCounters,
  OutboxBucketFile,
  OutboxFile,
  ProcessedFile,
  TableFile,
} from "./schema.js";

/** A key found in two files, as a crash while a record moved between files can leave it. */
export interface Conflict {
  table: AnyTable;
  key: string;
  files: string[];
}

export interface Loaded {
  /** Paths of the data files read. */
  read: string[];
  conflicts: Conflict[];
}

/** Data files checked at once while opening: enough to keep the disk busy, few enough to bound memory. */
const CONCURRENT_READS = 32;

/**
 * Reads every data file into `tables` and returns the paths it read. Files of resident tables are parsed;
 * of the others only the keys files are, and each data file's size is checked against its keys file (its
 * checksum is checked when it is read: reading a county's ten years of requests at every start would keep
 * the bot down for long). A data file without a good keys file is parsed, and gets one at a checkpoint soon.
 * Leaves `tables` clean.
 */
export async function loadFiles(
  layout: Layout,
  tables: Tables,
  documents: DocumentFiles,
  manifest: Manifest,
): Promise<Loaded> {
  const loaded: Loaded = { read: [], conflicts: [] };
  const { data, keys, present, buckets } = await dataFiles(layout);
  manifest.check(present);
  let legacyCounters = false;
  for (let start = 0; start < data.length; start += CONCURRENT_READS) {
    const batch = data.slice(start, start + CONCURRENT_READS);
    const checked = await Promise.all(
      batch.map((file) =>
        keys.has(keysFileOf(file)) ? checkAgainstKeys(layout, tables, file) : Promise.resolve(undefined),
      ),
    );
    for (const [at, file] of batch.entries()) {
      const path = layout.file(file);
      loaded.read.push(path);
      const fromKeys = checked[at];
      if (fromKeys !== undefined) {
        restoreKeys(tables, documents, file, fromKeys, loaded.conflicts);
        continue;
      }
      if (await loadDataFile(layout, tables, documents, file, loaded.conflicts)) legacyCounters = true;
    }
  }
  for (const name of keys) {
    const file = `${name.slice(0, -".keys".length)}.json`;
    if (present.has(file)) continue;
    await restoreOrphanKeys(layout, tables, documents, file, loaded.conflicts);
  }
  const counters = await readDataFile(layout.files, layout.counters, CountersFile);
  for (const [key, n] of Object.entries(counters?.counters ?? {})) tables.apply({ t: "counter", key, n });
  const processed = await readDataFile(layout.files, layout.processed, ProcessedFile);
  for (const key of processed?.keys ?? []) tables.apply({ t: "processed", key });
  const outbox = await readDataFile(layout.files, layout.outbox, OutboxFile);
  if (counters !== undefined) loaded.read.push(layout.counters);
  if (processed !== undefined) loaded.read.push(layout.processed);
  if (outbox !== undefined) loaded.read.push(layout.outbox);
  const pending: OutboxEntry[] = [...(outbox?.pending ?? [])];
  for (const bucket of buckets) {
    const path = layout.absolute(`${OUTBOX_DIR}/${bucket}`);
    const file = await readDataFile(layout.files, path, OutboxBucketFile);
    if (file !== undefined) pending.push(...file.pending);
    loaded.read.push(path);
  }
  if (outbox !== undefined) {
    tables.apply({ t: "counter", key: OUTBOX_COUNTER, n: outbox.lastId });
    for (const v of outbox.dead) tables.apply({ t: "dead", v });
    for (const [key, ref] of outbox.sent) tables.apply({ t: "sent", key, ref });
  }
  // Entries go back in id order: the outbox Map's order is the order they are sent in.
  for (const v of pending.sort((a, b) => a.id.localeCompare(b.id))) tables.apply({ t: "outbox", v });
  tables.takeDirty();
  // Entries of the outbox.json of before buckets move to buckets at the first checkpoint.
  if (outbox !== undefined && outbox.pending.length > 0) {
    for (const v of outbox.pending) tables.apply({ t: "outbox", v });
    tables.outboxMoved();
  }
  // The next checkpoint rewrites directory.json without them, so counters.json must hold them first.
  if (legacyCounters) tables.countersMoved();
  return loaded;
}

interface FromKeys {
  table: AnyTable;
  keys: KeysFile;
  /** What the data file on disk may be (as written, or the one before it); none when it was never written. */
  onDisk: Written[];
}

/**
 * The keys file of a data file, when it can be trusted and the data file matches it (or the file it
 * replaced, when a crash came between the two writes); undefined when the data file must be parsed instead.
 */
async function checkAgainstKeys(layout: Layout, tables: Tables, file: string): Promise<FromKeys | undefined> {
  const read = await readKeysOf(layout, tables, file);
  if (read === undefined) return undefined;
  const path = layout.file(file);
  const size = await layout.files.size(path);
  if (size === undefined) return undefined;
  const { file: now, previous } = read.keys;
  const onDisk = [now, previous].filter((written) => written?.size === size) as Written[];
  if (onDisk.length === 0)
    throw new CorruptDataFileError(
      path,
      "its size is not the one written with it: it was cut short or changed by hand",
    );
  return { table: read.table, keys: read.keys, onDisk };
}

/** The keys file of a data file, when there is one that can be trusted. */
async function readKeysOf(layout: Layout, tables: Tables, file: string) {
  const bytes = await layout.files.read(layout.absolute(keysFileOf(file)));
  if (bytes === undefined) return undefined;
  const read = readKeys(bytes, (name) => tables.tableNamed(name));
  return read.ok ? read : undefined;
}

function restoreKeys(
  tables: Tables,
  documents: DocumentFiles,
  file: string,
  { table, keys, onDisk }: FromKeys,
  conflicts: Conflict[],
): void {
  const state = tables.state(table);
  const home = state.intern(file);
  const columns = decodeColumns(
    keys,
    keys.strings.map((text) => state.intern(text)),
  );
  keys.keys.forEach((key, row) => {
    if (state.restoreNew(key, home, columns, row)) return;
    const { previous } = state.restore(
      key,
      file,
      columns.map((column) => column[row]),
    );
    if (previous !== undefined && previous !== file) conflicts.push({ table, key, files: [previous, file] });
  });
  for (const [key, n] of Object.entries(keys.counters)) tables.apply({ t: "counter", key, n });
  documents.know(file, onDisk);
}

/**
 * A keys file whose data file is missing: the crash came after the keys file of a new data file was
 * written and before the data file was, and the journal replays its records. Otherwise the file is lost.
 */
async function restoreOrphanKeys(
  layout: Layout,
  tables: Tables,
  documents: DocumentFiles,
  file: string,
  conflicts: Conflict[],
): Promise<void> {
  const read = await readKeysOf(layout, tables, file);
  if (read === undefined) return;
  if (read.keys.previous !== undefined) throw new MissingDataFileError(layout.file(file));
  restoreKeys(tables, documents, file, { table: read.table, keys: read.keys, onDisk: [] }, conflicts);
}

/** Parses one data file into `tables`; true when it held counters from before counters.json. */
async function loadDataFile(
  layout: Layout,
  tables: Tables,
  documents: DocumentFiles,
  file: string,
  conflicts: Conflict[],
): Promise<boolean> {
  const path = layout.file(file);
  const bytes = await layout.files.read(path);
  if (bytes === undefined) return false;
  const data = parseData(path, parseJson(path, bytes), TableFile);
  const legacy = "counters" in data || "requestSeqs" in data ? LegacyCounters.safeParse(data) : undefined;
  if (legacy?.success === false) throw new CorruptDataFileError(path, "its counters are not valid");
  for (const [name, list] of Object.entries(data)) {
    if (name === "schemaVersion" || name === "counters" || name === "requestSeqs") continue;
    if (!tables.hasTable(name))
      throw new CorruptDataFileError(path, `it holds "${name}", which no table of this version is called`);
    const table = tables.state(name).table;
    loadRecords(tables, table, layout, file, list, conflicts);
    if (tables.state(table).records !== undefined) continue;
    // Read without a keys file (written before keys files, or its keys file was damaged): give it one.
    documents.know(file, [{ size: bytes.length, crc: crc32(bytes) }]);
    documents.rewrite(table, file);
  }
  if (legacy?.success !== true) return false;
  // Counters kept in directory.json before counters.json existed.
  for (const [key, n] of Object.entries(legacy.data.counters ?? {})) tables.apply({ t: "counter", key, n });
  for (const seq of legacy.data.requestSeqs ?? [])
    tables.apply({ t: "counter", key: `seq:${seq.villageId}:${seq.year}`, n: seq.n });
  return true;
}

function loadRecords(
  tables: Tables,
  table: AnyTable,
  layout: Layout,
  file: string,
  list: unknown,
  conflicts: Conflict[],
): void {
  const path = layout.file(file);
  const parsed = z.array(table.schema).safeParse(list);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new CorruptDataFileError(path, `${table.name}[${issue?.path.join(".")}]: ${issue?.message}`);
  }
  const state = tables.state(table);
  const seen = new Set<string>();
  for (const record of parsed.data) {
    const key = table.key(record);
    if (table.file(record) !== file)
      throw new CorruptDataFileError(path, `${table.name} ${key} belongs in ${table.file(record)}`);
    if (seen.has(key)) throw new CorruptDataFileError(path, `it holds ${table.name} ${key} twice`);
    seen.add(key);
    const elsewhere = state.fileOf(key);
    if (elsewhere !== undefined) conflicts.push({ table, key, files: [elsewhere, file] });
    if (state.records !== undefined) tables.apply({ t: "put", table: table.name, v: record });
    else tables.indexDocument(table, record);
  }
}

/**
 * A record found in two files is what a crash leaves while it moved from one to the other; the journal
 * has its move (it is kept until both files are on disk), and replaying it put the record where it belongs.
 * The other copies are dropped at the next checkpoint. A record the journal did not touch is in two files
 * for no reason the store knows of: the data is damaged.
 */
export function resolveConflicts(
  layout: Layout,
  tables: Tables,
  documents: DocumentFiles,
  conflicts: readonly Conflict[],
  replayed: ReadonlySet<string>,
): void {
  for (const { table, key, files } of conflicts) {
    if (!replayed.has(replayKey(table.name, key)))
      throw new CorruptDataFileError(
        layout.file(files[1] ?? ""),
        `${table.name} ${key} is also in ${layout.file(files[0] ?? "")}`,
      );
    const state = tables.state(table);
    const home = state.fileOf(key);
    for (const file of files) {
      if (file === home) continue;
      if (state.records !== undefined) tables.rewriteFile(file);
      else documents.delete(table, key, file);
    }
  }
}

export function replayKey(table: string, key: string): string {
  return `${table}\0${key}`;
}

/**
 * Every data file (".json") and keys file (".keys") of tables under the data directory, and every file
 * there at all, as "/"-separated relative paths.
 */
async function dataFiles(
  layout: Layout,
): Promise<{ data: string[]; keys: Set<string>; present: Set<string>; buckets: string[] }> {
  const data: string[] = [];
  const keys = new Set<string>();
  const present = new Set<string>();
  const buckets: string[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    const entries = (await layout.files.list(dir)) ?? [];
    for (const entry of entries) {
      const name = `${prefix}${entry.name}`;
      if (entry.directory) {
        if (prefix === "" && entry.name === OUTBOX_DIR) await walkOutbox(join(dir, entry.name));
        else if (prefix !== "" || !NOT_TABLE_FILES.has(entry.name))
          await walk(join(dir, entry.name), `${name}/`);
        continue;
      }
      present.add(name);
      if (entry.name.startsWith(".") || (prefix === "" && NOT_TABLE_FILES.has(entry.name))) continue;
      if (entry.name.endsWith(".json")) data.push(name);
      else if (entry.name.endsWith(".keys")) keys.add(name);
    }
  }
  async function walkOutbox(dir: string): Promise<void> {
    for (const entry of (await layout.files.list(dir)) ?? []) {
      if (entry.directory) continue;
      present.add(`${OUTBOX_DIR}/${entry.name}`);
      if (/^\d+\.json$/.test(entry.name)) buckets.push(entry.name);
    }
  }
  await walk(layout.root, "");
  return { data: data.sort(), keys, present, buckets: buckets.sort() };
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
    const counters = Object.fromEntries(tables.counters);
    files.push({ path: layout.counters, data: { schemaVersion: 1, counters } satisfies CountersFile });
  }
  if (dirty.processed) {
    files.push({
      path: layout.processed,
      data: { schemaVersion: 1, keys: [...tables.processed] } satisfies ProcessedFile,
    });
  }
  for (const bucket of dirty.outboxBuckets)
    files.push({ path: layout.outboxBucket(bucket), data: outboxBucketFile(tables, bucket) });
  if (dirty.outbox) files.push({ path: layout.outbox, data: outboxFile(tables) });
  const taken = documents.take();
  return (async () => {
    // Each file's serialisation is its own short task between writes, not one long stall of the event loop.
    const writes = new DurableWrites(layout.files);
    for (const { path, data } of files) await writes.stage(path, dataFileText(data));
    const written: { file: string; written: Written }[] = [];
    for (const document of taken) {
      const [keys, data] = withKeys(layout, tables, document);
      // A keys file lost to a crash is rebuilt from its request file, so it needs no fsync of its own.
      await writes.stage(keys.path, keys.text, { sync: false });
      await writes.stage(data.path, data.bytes);
      written.push({ file: document.file, written: data.written });
    }
    const paths = await writes.commit();
    await syncDirectories(layout, paths);
    documents.written(written);
    manifest.note(paths.filter((path) => !path.endsWith(".keys")));
    await manifest.save();
  })();
}

/**
 * A file of a table that is not resident and its keys file, the keys file first (see keys.ts). Written
 * without indentation: these files are many and large, and read by the store alone.
 */
function withKeys(
  layout: Layout,
  tables: Tables,
  document: TakenFile,
): [keys: { path: string; text: string }, data: { path: string; bytes: Buffer; written: Written }] {
  const { table, records, data, previous, file } = document;
  // Encoded once: its size, its checksum and the write all use the same bytes.
  const bytes = Buffer.from(JSON.stringify(data), "utf8");
  const written = { size: bytes.length, crc: crc32(bytes) };
  const state = tables.state(table);
  const entries: (readonly [string, IndexValues])[] = [];
  const counters = new Map<string, number>();
  for (const record of records) {
    entries.push([table.key(record), state.describe(record).values]);
    for (const [name, n] of countersOf(table, record))
      counters.set(name, Math.max(counters.get(name) ?? 0, n));
  }
  return [
    {
      path: layout.absolute(keysFileOf(file)),
      text: keysText(table, { counters, entries }, written, previous),
    },
    { path: layout.file(file), bytes, written },
  ];
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

/** Renames and new directories are durable once the directories holding them are synced. */
async function syncDirectories(layout: Layout, paths: readonly string[]): Promise<void> {
  const dirs = new Set<string>();
  for (const path of paths) {
    for (let dir = dirname(path); dir.startsWith(layout.root) && !dirs.has(dir); dir = dirname(dir))
      dirs.add(dir);
  }
  // Deepest first: a new directory's entries before the name of the directory itself.
  for (const dir of [...dirs].sort((a, b) => b.length - a.length)) await layout.files.sync(dir);
}

function outboxFile(tables: Tables): OutboxFile {
  return {
    schemaVersion: 1,
    lastId: tables.counter(OUTBOX_COUNTER),
    pending: [],
    dead: [...tables.dead],
    sent: [...tables.sent],
  };
}

function outboxBucketFile(tables: Tables, bucket: number): OutboxBucketFile {
  const pending: OutboxEntry[] = [];
  for (const entry of tables.outbox.values()) if (outboxBucket(entry.id) === bucket) pending.push(entry);
  return { schemaVersion: 1, pending };
}
