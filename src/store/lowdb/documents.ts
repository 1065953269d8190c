import { crc32 } from "node:zlib";
import type { AnyTable } from "../../app/tables.js";
import type { Documents } from "../tables.js";
import { CorruptDataFileError } from "./errors.js";
import { parseData, parseJson, type Written } from "./files.js";
import type { Layout } from "./layout.js";
import { TableFile } from "./schema.js";

type Records = Map<string, unknown>;

interface Pending {
  table: AnyTable;
  changes: Map<string, unknown>;
}

/** A file of a table that is not resident, ready to be written with its keys file. */
export interface TakenFile {
  file: string;
  table: AnyTable;
  records: unknown[];
  data: TableFile;
  /** The size and checksum of the file on disk now; undefined when there is none. */
  previous: Written | undefined;
}

const DELETED = null;

/**
 * Records of tables that are not resident, kept in their files (one table per file, e.g. 250 requests).
 * Committed puts wait in `pending` (by file) until a checkpoint folds them into the file's records and
 * writes it; read files are cached, least recently used out. A file with pending changes or a write in
 * flight stays cached, so its cached copy is always current.
 *
 * The store knows each file's size and checksum (from its keys file, checked at open, or from writing it),
 * and a file read later that does not match them is refused as corrupt.
 */
export class DocumentFiles implements Documents {
  private readonly pending = new Map<string, Pending>();
  private readonly cache = new Map<string, Records>();
  private readonly loading = new Map<string, Promise<Records>>();
  private readonly writing = new Set<string>();
  private readonly known = new Map<string, readonly Written[]>();
  /** Files read without a keys file, to be written again with one (a few per checkpoint). */
  private readonly rewrites = new Map<string, AnyTable>();

  constructor(
    private readonly layout: Layout,
    private readonly capacity = 64,
    /** The file a key is indexed under now; a record read from a file it is not indexed under is left out. */
    private readonly locate?: (table: AnyTable, key: string) => string | undefined,
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

  /**
   * The file on disk has one of these sizes and checksums (from its keys file at open; or as just written).
   * None: the file was never written.
   */
  know(file: string, candidates: readonly Written[]): void {
    this.known.set(file, candidates);
  }

  /** Writes the file again at a checkpoint even if nothing in it changes (to give it a keys file). */
  rewrite(table: AnyTable, file: string): void {
    this.rewrites.set(file, table);
  }

  /** Turns up to `count` files waiting to be written again into pending files. */
  queueRewrites(count: number): void {
    for (const [file, table] of this.rewrites) {
      if (count-- <= 0) return;
      this.rewrites.delete(file);
      this.changesOf(table, file);
    }
  }

  /** Loads every file that has pending changes, so that `take` can run without waiting. */
  async prepare(): Promise<void> {
    for (;;) {
      const missing = [...this.pending].filter(([file]) => !this.cache.has(file));
      if (missing.length === 0) return;
      await Promise.all(missing.map(([file, { table }]) => this.records(table, file)));
    }
  }

  /** Whether every file with pending changes is loaded, so that `take` can run now. */
  get prepared(): boolean {
    for (const file of this.pending.keys()) if (!this.cache.has(file)) return false;
    return true;
  }

  /** Whether files still wait to be written again. */
  get rewritesLeft(): boolean {
    return this.rewrites.size > 0;
  }

  /** Folds pending changes into their cached files and returns the files to write. Call after `prepare`. */
  take(): TakenFile[] {
    const files: TakenFile[] = [];
    for (const [file, { table, changes }] of this.pending) {
      const records = this.cache.get(file);
      if (records === undefined) throw new Error(`File ${file} was not prepared.`);
      for (const [key, record] of changes) {
        if (record === DELETED) records.delete(key);
        else records.set(key, record);
      }
      this.writing.add(file);
      const list = [...records.values()];
      files.push({
        file,
        table,
        records: list,
        data: { schemaVersion: 1, [table.name]: list },
        previous: this.onDisk(file),
      });
    }
    this.pending.clear();
    return files;
  }

  /** The files `take` returned are on disk, as written. */
  written(files: readonly { file: string; written: Written }[]): void {
    for (const { file, written } of files) {
      this.writing.delete(file);
      this.known.set(file, [written]);
    }
    this.evict();
  }

  /** The size and checksum of the file on disk; undefined when there is none (or it is not known yet). */
  private onDisk(file: string): Written | undefined {
    const candidates = this.known.get(file);
    return candidates?.length === 1 ? candidates[0] : undefined;
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
    const bytes = await this.layout.files.read(path);
    const known = this.known.get(file);
    let list: unknown[] = [];
    if (bytes !== undefined) {
      const crc = known === undefined ? 0 : crc32(bytes);
      const matches = known?.find((written) => written.size === bytes.length && written.crc === crc);
      if (known !== undefined && matches === undefined)
        throw new CorruptDataFileError(
          path,
          "its checksum is not the one written with it: it was damaged or changed by hand",
        );
      if (matches !== undefined) this.known.set(file, [matches]);
      const data = parseData(path, parseJson(path, bytes), TableFile);
      list = (data[table.name] as unknown[] | undefined) ?? [];
    } else if (known !== undefined && known.length > 0) {
      throw new CorruptDataFileError(path, "it is gone");
    }
    // Every read parses its record with the table's schema (staged.ts), so the file is not parsed whole here.
    if (!Array.isArray(list)) throw new CorruptDataFileError(path, `its ${table.name} are not a list`);
    // A file one write behind its keys file (a crash came between them) may hold records deleted or moved since.
    const records: Records = new Map();
    for (const record of list) {
      const key = table.key(record);
      if (this.locate === undefined || this.locate(table, key) === file) records.set(key, record);
    }
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
