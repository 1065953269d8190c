import type { OutgoingMessage } from "../app/messages.js";
import {
  type Clock,
  type DeliveryTarget,
  type DueOptions,
  type EnqueueOptions,
  type Outbox,
  type OutboxEntry,
  type SentEntry,
  type Store,
  systemClock,
  type Transaction,
} from "../app/ports.js";
import type { AnyTable, Table } from "../app/tables.js";
import {
  DeliveryTargetSchema,
  indexValues,
  type Op,
  OUTBOX_COUNTER,
  outboxId,
  sentKey,
  type TableState,
  type Tables,
} from "./tables.js";

/**
 * Units of work over `Tables`, shared by the memory and lowdb adapters.
 *
 * Units run one at a time. A unit's writes are staged beside the committed state and read through
 * (read-your-own-writes); when the unit's function returns they become `Op`s, applied to `Tables` in one
 * synchronous step and handed to `Persistence`, which answers when they are durable. The next unit may
 * start as soon as the ops are applied (group commit); each caller still waits for its own durability.
 *
 * Copies: zod 4's parse builds a fresh object tree and is several times faster than structuredClone, so
 * parsing with the record's schema is how a put validates its input and how a read hands out a copy.
 */

/** Where committed ops go. The memory adapter keeps nothing; lowdb journals them. */
export interface Persistence {
  /** Throws when the ops cannot be stored (nothing has been applied yet). */
  check(ops: readonly Op[]): void;
  /** Called right after the ops are applied; resolves once they would survive a crash. */
  record(ops: readonly Op[]): Promise<void>;
  close(): Promise<void>;
}

export const noPersistence: Persistence = {
  check: () => undefined,
  record: () => Promise.resolve(),
  close: () => Promise.resolve(),
};

const REMOVED = Symbol("removed");

function sameChat(a: DeliveryTarget, b: DeliveryTarget): boolean {
  return a.channel === b.channel && a.chatId === b.chatId;
}
type Staged = unknown;

/** Runs tasks one after another; a failed task does not stop the ones behind it. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** One table's staged puts and deletes, by key, in the order first touched. */
class Changes {
  readonly staged = new Map<string, Staged>();

  constructor(
    private readonly state: TableState,
    private readonly tables: Tables,
  ) {}

  get table(): AnyTable {
    return this.state.table;
  }

  put(record: unknown): void {
    const copy = this.table.schema.parse(record);
    this.staged.set(this.table.key(copy), copy);
  }

  remove(key: string): void {
    this.staged.set(key, REMOVED);
  }

  async get(key: string): Promise<unknown> {
    const records = this.state.records;
    let value: unknown;
    if (this.staged.has(key)) value = this.staged.get(key);
    else value = records !== undefined ? records.get(key) : await this.tables.get(this.table, key);
    return value === REMOVED || value === undefined ? undefined : this.table.schema.parse(value);
  }

  /** The committed records under `keys` with staged changes laid over them, plus staged records `keep` wants. */
  async list(keys: Iterable<string>, keep: (record: unknown) => boolean): Promise<unknown[]> {
    const all = [...keys];
    const records = this.state.records;
    // Records kept in memory are read at once; the others may need their file loaded.
    const committed =
      records !== undefined
        ? all.map((key) => records.get(key))
        : await Promise.all(
            all.map((key) => (this.staged.has(key) ? undefined : this.tables.get(this.table, key))),
          );
    const result: unknown[] = [];
    const seen = new Set<string>();
    all.forEach((key, at) => {
      seen.add(key);
      const value = this.staged.has(key) ? this.staged.get(key) : committed[at];
      if (value !== REMOVED && value !== undefined && keep(value))
        result.push(this.table.schema.parse(value));
    });
    for (const [key, value] of this.staged) {
      if (!seen.has(key) && value !== REMOVED && keep(value)) result.push(this.table.schema.parse(value));
    }
    return result;
  }

  has(key: string): boolean {
    return this.staged.has(key) ? this.staged.get(key) !== REMOVED : this.state.entries.has(key);
  }
}

class Unit implements Transaction {
  private readonly changes = new Map<string, Changes>();
  private readonly processed = new Set<string>();
  private readonly outgoing: { target: DeliveryTarget; message: OutgoingMessage; options: EnqueueOptions }[] =
    [];
  private readonly counters = new Map<string, number>();
  private open = true;

  constructor(private readonly tables: Tables) {}

  async get<T, I extends string>(table: Table<T, I>, key: string): Promise<T | undefined> {
    return (await this.of(table).get(key)) as T | undefined;
  }

  async find<T, I extends string>(table: Table<T, I>, index: I, value: string): Promise<T[]> {
    const of = table.indexes[index];
    const keep = (record: unknown) => indexValues(of(record as T)).includes(value);
    const keys = this.tables.state(table).keysOf(index, value);
    return (await this.of(table).list(keys, keep)) as T[];
  }

  async all<T, I extends string>(table: Table<T, I>): Promise<T[]> {
    return (await this.of(table).list(this.tables.state(table).entries.keys(), () => true)) as T[];
  }

  put<T, I extends string>(table: Table<T, I>, record: T): void {
    this.assertOpen();
    this.of(table).put(record);
  }

  delete<T, I extends string>(table: Table<T, I>, key: string): void {
    this.assertOpen();
    this.of(table).remove(key);
  }

  async nextId(table: AnyTable): Promise<string> {
    this.assertOpen();
    const ids = table.ids;
    if (ids === undefined) throw new Error(`Table ${table.name} does not declare ids.`);
    const changes = this.of(table);
    let n = this.counters.get(ids.counter) ?? this.tables.counter(ids.counter);
    let id: string;
    do {
      n += 1;
      id = `${ids.prefix}${n}`;
    } while (changes.has(id));
    this.counters.set(ids.counter, n);
    return id;
  }

  async nextNumber(sequence: string): Promise<number> {
    this.assertOpen();
    let n = this.counters.get(sequence) ?? this.tables.counter(sequence);
    for (const changes of this.changes.values()) {
      const of = changes.table.sequence;
      if (of === undefined) continue;
      for (const value of changes.staged.values()) {
        if (value === REMOVED) continue;
        const numbered = of(value);
        if (numbered.name === sequence) n = Math.max(n, numbered.n);
      }
    }
    n += 1;
    this.counters.set(sequence, n);
    return n;
  }

  async hasProcessed(eventKey: string): Promise<boolean> {
    return this.processed.has(eventKey) || this.tables.processed.has(eventKey);
  }

  markProcessed(eventKey: string): void {
    this.assertOpen();
    this.processed.add(eventKey);
  }

  enqueue(target: DeliveryTarget, message: OutgoingMessage, options: EnqueueOptions = {}): void {
    this.assertOpen();
    const parsed = DeliveryTargetSchema.parse(target);
    const copy = structuredClone(message);
    const key = options.key;
    if (key !== undefined) {
      // Two of one key in a unit: the later content replaces the earlier.
      const at = this.outgoing.findIndex(
        (queued) => queued.options.key === key && sameChat(queued.target, parsed),
      );
      if (at >= 0) this.outgoing.splice(at, 1);
    }
    this.outgoing.push({ target: parsed, message: copy, options: { ...options } });
  }

  /** Ends the unit and turns its staged writes into ops. */
  finish(now: Date): Op[] {
    this.assertOpen();
    this.open = false;
    const ops: Op[] = [];
    for (const [key, n] of this.counters) ops.push({ t: "counter", key, n });
    for (const changes of this.changes.values()) {
      const table = changes.table.name;
      for (const [key, value] of changes.staged) {
        ops.push(value === REMOVED ? { t: "del", table, key } : { t: "put", table, v: value });
      }
    }
    for (const key of this.processed) ops.push({ t: "processed", key });
    const createdAt = now.toISOString();
    let n = this.tables.counter(OUTBOX_COUNTER);
    for (const { target, message, options } of this.outgoing) {
      const waiting = options.key === undefined ? undefined : this.tables.waitingWithKey(target, options.key);
      if (waiting !== undefined) {
        // Only the latest content of a keyed message goes out; it keeps its place in the queue and its time.
        const { partsSent: _, ...unsent } = waiting;
        ops.push({ t: "outbox", v: { ...unsent, message, revision: (waiting.revision ?? 0) + 1 } });
        continue;
      }
      n += 1;
      const entry: OutboxEntry = {
        id: outboxId(n),
        target,
        message,
        createdAt,
        attempts: 0,
        notBefore: laterOf(createdAt, options.notBefore),
      };
      if (options.bulk === true) entry.bulk = true;
      if (options.key !== undefined) entry.key = options.key;
      ops.push({ t: "outbox", v: entry });
    }
    if (n > this.tables.counter(OUTBOX_COUNTER)) ops.push({ t: "counter", key: OUTBOX_COUNTER, n });
    return ops;
  }

  discard(): void {
    this.open = false;
  }

  private of(table: AnyTable): Changes {
    let changes = this.changes.get(table.name);
    if (changes === undefined) {
      changes = new Changes(this.tables.state(table), this.tables);
      this.changes.set(table.name, changes);
    }
    return changes;
  }

  private assertOpen(): void {
    if (!this.open) throw new Error("This unit of work has ended; use the store's transaction again.");
  }
}

/** The Store and Outbox ports over `Tables` and a `Persistence`. */
export class StagedStore implements Store, Outbox {
  private readonly queue = new SerialQueue();
  /** Settles when everything committed so far is durable. */
  private lastDurable: Promise<void> = Promise.resolve();
  private failure: unknown;
  private closed = false;

  constructor(
    private readonly tables: Tables,
    private readonly persistence: Persistence = noPersistence,
    private readonly clock: Clock = systemClock,
  ) {}

  async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
    const { value, durable } = await this.queue.run(async () => {
      this.assertUsable();
      const unit = new Unit(this.tables);
      let value: T;
      try {
        value = await work(unit);
      } catch (error) {
        unit.discard();
        throw error;
      }
      const ops = unit.finish(this.clock.now());
      return { value, durable: ops.length === 0 ? this.lastDurable : this.commit(ops) };
    });
    await durable;
    return value;
  }

  async due(now: Date, limit: number, options: DueOptions = {}): Promise<OutboxEntry[]> {
    const at = now.getTime();
    const skip = options.skip;
    let bulkLeft = options.bulkLimit ?? limit;
    const replies: OutboxEntry[] = [];
    const bulk: OutboxEntry[] = [];
    // The outbox Map holds entries in creation order: they are added in id order and updated in place.
    for (const entry of this.tables.outbox.values()) {
      if (replies.length >= limit) break;
      if (skip?.has(entry.id) === true || Date.parse(entry.notBefore) > at) continue;
      if (entry.bulk !== true) replies.push(entry);
      else if (bulkLeft > 0) {
        bulk.push(entry);
        bulkLeft--;
      }
    }
    const due = [...replies, ...bulk].slice(0, limit).map((entry) => {
      const copy = structuredClone(entry);
      const edits =
        entry.key === undefined ? undefined : this.tables.sent.get(sentKey(entry.target, entry.key));
      if (edits !== undefined) copy.edits = edits;
      return copy;
    });
    await this.lastDurable;
    return due;
  }

  async markSent(sent: readonly SentEntry[]): Promise<void> {
    const ops: Op[] = [];
    for (const { id, revision, ref } of sent) {
      const entry = this.tables.outbox.get(id);
      if (entry === undefined) continue;
      if (ref !== undefined && entry.key !== undefined)
        ops.push({ t: "sent", key: sentKey(entry.target, entry.key), ref });
      if ((entry.revision ?? 0) === revision) ops.push({ t: "outbox.del", id });
    }
    if (ops.length > 0) await this.commit(ops);
  }

  async markPartsSent(id: string, revision: number, parts: number): Promise<void> {
    const entry = this.tables.outbox.get(id);
    if (entry === undefined || (entry.revision ?? 0) !== revision) return;
    await this.commit([{ t: "outbox", v: { ...entry, partsSent: parts } }]);
  }

  async markFailed(id: string, error: string, retryAt: Date | undefined): Promise<void> {
    const entry = this.tables.outbox.get(id);
    if (entry === undefined) return;
    const failed: OutboxEntry = { ...entry, attempts: entry.attempts + 1, lastError: error };
    if (retryAt !== undefined) {
      await this.commit([{ t: "outbox", v: { ...failed, notBefore: retryAt.toISOString() } }]);
    } else {
      await this.commit([
        { t: "dead", v: failed },
        { t: "outbox.del", id },
      ]);
    }
  }

  /** Entries given up on, oldest first (the last 1,000). */
  deadLetters(): OutboxEntry[] {
    return structuredClone(this.tables.dead);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.queue.run(async () => {
      this.closed = true;
    });
    await this.lastDurable.catch(() => undefined);
    await this.persistence.close();
  }

  /** Applies ops in one synchronous step and returns when they are durable. */
  private commit(ops: Op[]): Promise<void> {
    this.assertUsable();
    this.persistence.check(ops);
    for (const op of ops) this.tables.apply(op);
    const durable = this.persistence.record(ops);
    durable.catch((error: unknown) => {
      this.failure ??= error;
    });
    this.lastDurable = durable;
    return durable;
  }

  private assertUsable(): void {
    if (this.closed) throw new Error("The store is closed.");
    if (this.failure !== undefined) {
      throw new Error("The store stopped accepting writes after a failed write; restart to recover.", {
        cause: this.failure,
      });
    }
  }
}

function laterOf(instant: string, other: Date | undefined): string {
  return other !== undefined && other.getTime() > Date.parse(instant) ? other.toISOString() : instant;
}
