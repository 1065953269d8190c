/**
 * The lowdb Store adapter: files under one data directory, one process at a time (LOCK).
 *
 * A commit costs the same whatever the history: the unit's ops are appended as one line to a write-ahead
 * journal and fdatasync'd (group commit: one fdatasync covers every line queued behind the one in flight)
 * before the transaction resolves, so an acknowledged write survives kill -9 and power loss. The data files
 * are then checkpointed lazily, about once a second: only files whose records changed are rewritten (temp
 * file, fsync, rename, then the directory is synced), and tables lay their records out in small files
 * (requests in buckets of 250 per village and year), so a write rewrites at most a few small files. Each
 * checkpoint starts a new journal segment and deletes the old one once the files reflecting it are on disk.
 *
 * At open: files of resident tables are read and zod-parsed; files of the others (requests) are not: their
 * keys files (keys.ts) are, and each file's size is checked against its keys file (its checksum when it is
 * first read). A corrupt or missing file stops the open with its path, and is never written. Then the
 * journal is replayed (full-document puts, idempotent; a torn last line is ignored) and a checkpoint runs.
 *
 * Memory: records of resident tables stay in memory; of the others only keys and index values do, and their
 * files are cached least-recently-used.
 */
import { dirname } from "node:path";
import type { Clock } from "../../app/ports.js";
import { systemClock } from "../../app/ports.js";
import { type AnyTable, KERNEL_TABLES } from "../../app/tables.js";
import { type Persistence, StagedStore } from "../staged.js";
import { DEAD_LETTER_LIMIT, type Limits, type Op, PROCESSED_LIMIT, Tables } from "../tables.js";
import { DocumentFiles } from "./documents.js";
import { type FileSystem, nodeFileSystem } from "./files.js";
import { Journal, journalLine, readJournal } from "./journal.js";
import { Layout } from "./layout.js";
import type { Lock } from "./lock.js";
import { Manifest } from "./manifest.js";
import { loadFiles, replayKey, resolveConflicts, writeChanges } from "./snapshot.js";

export { CorruptDataFileError, MissingDataFileError, StoreLockedError } from "./errors.js";
export type { AppendFile, FileSystem } from "./files.js";

/** Starts a timer; what it returns cancels it. */
export type SetTimer = (run: () => void, delayMs: number) => () => void;

export interface LowdbStoreOptions {
  /** The tables to keep; the kernel's when omitted. */
  tables?: readonly AnyTable[];
  /** Stamps outbox entries; pass the clock the use cases run on. */
  clock?: Clock;
  /** How long committed changes may stay in the journal alone before the data files catch up. */
  checkpointDelayMs?: number;
  /** How many files of non-resident tables (request buckets) to keep parsed in memory. */
  cachedBuckets?: number;
  limits?: Partial<Limits>;
  /** The file layer; the machine's own when omitted (tests pass one that simulates power loss). */
  files?: FileSystem;
  /** Starts the checkpoint timer; tests pass their own to decide when checkpoints run. */
  setTimer?: SetTimer;
}

export type LowdbStore = StagedStore;

export async function openLowdbStore(dir: string, options: LowdbStoreOptions = {}): Promise<LowdbStore> {
  const layout = new Layout(dir, options.files ?? nodeFileSystem);
  await makeDurableDirectory(layout.files, dir);
  const lock = await layout.files.lock(layout.lock);
  try {
    const locate = (table: AnyTable, key: string) => tables.state(table).fileOf(key);
    const documents = new DocumentFiles(layout, options.cachedBuckets, locate);
    const limits = { processed: PROCESSED_LIMIT, deadLetters: DEAD_LETTER_LIMIT, ...options.limits };
    const tables: Tables = new Tables(options.tables ?? KERNEL_TABLES, documents, limits);
    const manifest = await Manifest.open(layout);
    const loaded = await loadFiles(layout, tables, documents, manifest);
    manifest.note(loaded.read);
    const replay = await readJournal(layout, (name) => tables.tableNamed(name));
    const replayed = new Set<string>();
    for (const ops of replay.units) {
      for (const op of ops) {
        tables.apply(op);
        if (op.t === "put") replayed.add(replayKey(op.table, tables.state(op.table).table.key(op.v)));
        if (op.t === "del") replayed.add(replayKey(op.table, op.key));
      }
    }
    resolveConflicts(layout, tables, documents, loaded.conflicts, replayed);
    const journal = await Journal.create(layout, replay.next);
    const persistence = new LowdbPersistence(layout, tables, documents, manifest, journal, lock, {
      delayMs: options.checkpointDelayMs ?? 1000,
      setTimer: options.setTimer ?? nodeTimer,
    });
    try {
      await persistence.checkpoint(replay.segments);
    } catch (error) {
      await journal.close();
      throw error;
    }
    return new StagedStore(tables, persistence, options.clock ?? systemClock);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/** Creates the data directory if need be, and makes its name durable in its parent, level by level. */
async function makeDurableDirectory(files: FileSystem, dir: string): Promise<void> {
  if ((await files.list(dir)) !== undefined) return;
  const parent = dirname(dir);
  if (parent !== dir) await makeDurableDirectory(files, parent);
  await files.makeDirectory(dir);
  await files.sync(parent);
}

/** Files read without a keys file that one checkpoint writes again with one, so no checkpoint runs long. */
const REWRITES_PER_CHECKPOINT = 16;

const nodeTimer: SetTimer = (run, delayMs) => {
  const timer = setTimeout(run, delayMs).unref();
  return () => clearTimeout(timer);
};

class LowdbPersistence implements Persistence {
  private cancelTimer: (() => void) | undefined;
  private checkpoints: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly layout: Layout,
    private readonly tables: Tables,
    private readonly documents: DocumentFiles,
    private readonly manifest: Manifest,
    private readonly journal: Journal,
    private readonly lock: Lock,
    private readonly timer: { delayMs: number; setTimer: SetTimer },
  ) {}

  check(ops: readonly Op[]): void {
    if (this.failure !== undefined) throw this.failure;
    for (const op of ops) {
      if (op.t === "put") this.layout.file(this.tables.state(op.table).table.file(op.v));
    }
  }

  record(ops: readonly Op[]): Promise<void> {
    const durable = this.journal.append(journalLine(ops));
    this.soon();
    return durable;
  }

  /** Runs a checkpoint after the delay, unless one is already due. */
  private soon(): void {
    this.cancelTimer ??= this.timer.setTimer(() => {
      this.cancelTimer = undefined;
      this.checkpoint().catch(() => undefined);
    }, this.timer.delayMs);
  }

  /**
   * Brings the data files up to date with everything committed so far, then deletes the journal segments
   * they now reflect (the current one, and `replayed` ones from before a restart). One at a time.
   */
  checkpoint(replayed: readonly string[] = []): Promise<void> {
    const run = this.checkpoints.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      this.documents.queueRewrites(REWRITES_PER_CHECKPOINT);
      // Commits may add files while loading; the take below must find every pending file loaded.
      do await this.documents.prepare();
      while (!this.documents.prepared);
      // Synchronously, together: take the changes to write, and start a new segment for later commits.
      const [, closed] = await Promise.all([
        writeChanges(this.layout, this.tables, this.documents, this.manifest),
        this.journal.rotate(),
      ]);
      for (const path of [...replayed, closed]) await this.layout.files.remove(path);
      if (this.documents.rewritesLeft) this.soon();
    });
    this.checkpoints = run.catch((error: unknown) => {
      this.failure ??= error;
    });
    return run;
  }

  async close(): Promise<void> {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    try {
      await this.checkpoint();
    } finally {
      await this.journal.close();
      await this.lock.release();
    }
  }
}
