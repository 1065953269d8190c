/**
 * The lowdb Store adapter: files under one data directory, one process at a time (LOCK).
 *
 * A commit costs the same whatever the history: the unit's ops are appended as one line to a write-ahead
 * journal and fdatasync'd (group commit: one fdatasync covers every line queued behind the one in flight)
 * before the transaction resolves, so an acknowledged write survives kill -9 and power loss. The data files
 * are then checkpointed lazily, at most every 200 ms: only files whose records changed are rewritten
 * (through lowdb, i.e. temp file + rename, then fsync), and tables lay their records out in small files
 * (requests in buckets of 250 per village and year), so a write rewrites at most a few small files. Each checkpoint starts a new journal segment and deletes
 * the old one once the files reflecting it are on disk. At open: read and zod-parse every file (a corrupt
 * one stops the open with its path, and is never written), replay the journal (full-document puts,
 * idempotent; a torn last line is ignored), checkpoint.
 *
 * Memory: records of resident tables stay in memory; of the others (requests) only keys and index values
 * do, and their files are cached least-recently-used.
 */
import { mkdir, rm } from "node:fs/promises";
import type { Clock } from "../../app/ports.js";
import { systemClock } from "../../app/ports.js";
import { type AnyTable, KERNEL_TABLES } from "../../app/tables.js";
import { type Persistence, StagedStore } from "../staged.js";
import { DEAD_LETTER_LIMIT, type Limits, type Op, PROCESSED_LIMIT, Tables } from "../tables.js";
import { DocumentFiles } from "./documents.js";
import { Journal, journalLine, readJournal } from "./journal.js";
import { Layout } from "./layout.js";
import { acquireLock, type Lock } from "./lock.js";
import { Manifest } from "./manifest.js";
import { loadFiles, writeChanges } from "./snapshot.js";

export { CorruptDataFileError, MissingDataFileError, StoreLockedError } from "./errors.js";

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
}

export type LowdbStore = StagedStore;

export async function openLowdbStore(dir: string, options: LowdbStoreOptions = {}): Promise<LowdbStore> {
  const layout = new Layout(dir);
  await mkdir(dir, { recursive: true });
  const lock = await acquireLock(layout.lock);
  try {
    const documents = new DocumentFiles(layout, options.cachedBuckets);
    const limits = { processed: PROCESSED_LIMIT, deadLetters: DEAD_LETTER_LIMIT, ...options.limits };
    const tables = new Tables(options.tables ?? KERNEL_TABLES, documents, limits);
    const manifest = await Manifest.open(layout);
    manifest.note(await loadFiles(layout, tables));
    const replay = await readJournal(layout, (name) =>
      tables.hasTable(name) ? tables.state(name).table : undefined,
    );
    for (const ops of replay.units) for (const op of ops) tables.apply(op);
    const journal = await Journal.create(layout, replay.next);
    const persistence = new LowdbPersistence(
      layout,
      tables,
      documents,
      manifest,
      journal,
      lock,
      options.checkpointDelayMs,
    );
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

class LowdbPersistence implements Persistence {
  private timer: NodeJS.Timeout | undefined;
  private checkpoints: Promise<void> = Promise.resolve();
  private failure: unknown;

  constructor(
    private readonly layout: Layout,
    private readonly tables: Tables,
    private readonly documents: DocumentFiles,
    private readonly manifest: Manifest,
    private readonly journal: Journal,
    private readonly lock: Lock,
    private readonly delayMs = 200,
  ) {}

  check(ops: readonly Op[]): void {
    if (this.failure !== undefined) throw this.failure;
    for (const op of ops) {
      if (op.t === "put") this.layout.file(this.tables.state(op.table).table.file(op.v));
    }
  }

  record(ops: readonly Op[]): Promise<void> {
    const durable = this.journal.append(journalLine(ops));
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.checkpoint().catch(() => undefined);
    }, this.delayMs).unref();
    return durable;
  }

  /**
   * Brings the data files up to date with everything committed so far, then deletes the journal segments
   * they now reflect (the current one, and `replayed` ones from before a restart). One at a time.
   */
  checkpoint(replayed: readonly string[] = []): Promise<void> {
    const run = this.checkpoints.then(async () => {
      if (this.failure !== undefined) throw this.failure;
      await this.documents.prepare();
      // Synchronously, together: take the changes to write, and start a new segment for later commits.
      const [, closed] = await Promise.all([
        writeChanges(this.layout, this.tables, this.documents, this.manifest),
        this.journal.rotate(),
      ]);
      await Promise.all([...replayed, closed].map((path) => rm(path, { force: true })));
    });
    this.checkpoints = run.catch((error: unknown) => {
      this.failure ??= error;
    });
    return run;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    try {
      await this.checkpoint();
    } finally {
      await this.journal.close();
      await this.lock.release();
    }
  }
}
