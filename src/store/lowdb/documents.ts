import type { AnyTable } from "../../app/tables.js";
import type { Documents } from "../tables.js";
import { CorruptDataFileError } from "./errors.js";
import { readDataFile } from "./files.js";
import type { Layout } from "./layout.js";
import { TableFile } from "./schema.js";

type Records = Map<string, unknown>;

interface Pending {
  table: AnyTable;
  changes: Map<string, unknown>;
}

const DELETED = null;

/**
 * Records of tables that are not resident, kept in their files (one table per file, e.g. 250 requests).
 * Committed puts wait in `pending` (by file) until a checkpoint folds them into the file's records and
 * writes it; read files are cached, least recently used out. A file with pending changes or a write in
 * flight stays cached, so its cached copy is always current.
 */
export class DocumentFiles implements Documents {
  private readonly pending = new Map<string, Pending>();
  private readonly cache = new Map<string, Records>();
  private readonly loading = new Map<string, Promise<Records>>();
  private readonly writing = new Set<string>();

  constructor(
    private readonly layout: Layout,
    private readonly capacity = 32,
  ) {}

  async get(table: AnyTable, key: string, file: string): Promise<unknown> {
    const records = await this.records(table, file);
    const pending = this.pending.get(file)?.changes;
    if (pending?.has(key) === true) return pending.get(key) ?? undefined;
    return records.get(key);
  }

  put(table: AnyTable, key: string, record: unknown, file: string, previousFile: string | undefined): void {
    if (previousFile !== undefined && previousFile !== file)
      this.changesOf(table, previousFile).set(key, DELETED);
    this.changesOf(table, file).set(key, record);
  }

  delete(table: AnyTable, key: string, file: string): void {
    this.changesOf(table, file).set(key, DELETED);
  }

  /** Loads every file that has pending changes, so that `take` can run without waiting. */
  async prepare(): Promise<void> {
    for (;;) {
      const missing = [...this.pending].filter(([file]) => !this.cache.has(file));
      if (missing.length === 0) return;
      await Promise.all(missing.map(([file, { table }]) => this.records(table, file)));
    }
  }

  /** Folds pending changes into their cached files and returns the files to write. Call after `prepare`. */
  take(): { file: string; data: TableFile }[] {
    const files: { file: string; data: TableFile }[] = [];
    for (const [file, { table, changes }] of this.pending) {
      const records = this.cache.get(file);
      if (records === undefined) throw new Error(`File ${file} was not prepared.`);
      for (const [key, record] of changes) {
        if (record === DELETED) records.delete(key);
        else records.set(key, record);
      }
      this.writing.add(file);
      files.push({ file, data: { schemaVersion: 1, [table.name]: [...records.values()] } });
    }
    this.pending.clear();
    return files;
  }

  /** The files `take` returned are on disk. */
  written(files: readonly string[]): void {
    for (const file of files) this.writing.delete(file);
    this.evict();
  }

  private changesOf(table: AnyTable, file: string): Map<string, unknown> {
    let pending = this.pending.get(file);
    if (pending === undefined) {
      pending = { table, changes: new Map() };
      this.pending.set(file, pending);
    }
    return pending.changes;
  }

  private records(table: AnyTable, file: string): Promise<Records> {
    const cached = this.cache.get(file);
    if (cached !== undefined) {
      this.cache.delete(file);
      this.cache.set(file, cached);
      return Promise.resolve(cached);
    }
    let loading = this.loading.get(file);
    if (loading === undefined) {
      loading = this.load(table, file);
      this.loading.set(file, loading);
      const done = () => this.loading.delete(file);
      loading.then(done, done);
    }
    return loading;
  }

  private async load(table: AnyTable, file: string): Promise<Records> {
    const path = this.layout.file(file);
    const data = await readDataFile(path, TableFile);
    const list = data?.[table.name] ?? [];
    const parsed = table.schema.array().safeParse(list);
    if (!parsed.success) throw new CorruptDataFileError(path, `its ${table.name} are not valid`);
    const records: Records = new Map(parsed.data.map((record) => [table.key(record), record]));
    this.cache.set(file, records);
    this.evict();
    return records;
  }

  private evict(): void {
    for (const file of this.cache.keys()) {
      if (this.cache.size <= this.capacity) return;
      if (!this.pending.has(file) && !this.writing.has(file)) this.cache.delete(file);
    }
  }
}
