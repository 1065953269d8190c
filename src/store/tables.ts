import { z } from "zod";
import type { OutgoingMessage } from "../app/messages.js";
import type { OutboxEntry } from "../app/ports.js";
import type { AnyTable, IndexValue } from "../app/tables.js";
import { ChannelName, Language } from "../domain/model.js";

/**
 * The committed state both adapters share: every declared table's keys, index values and file, and the
 * records of resident tables (the others' records live in `Documents`). Changes arrive only as `Op`s, the
 * same ones the lowdb adapter writes to its journal and replays at start-up, so both paths run this code.
 */

export const PROCESSED_LIMIT = 10_000;
export const DEAD_LETTER_LIMIT = 1_000;
/** Platform ids of keyed messages kept for editing; an older one is sent anew instead of edited. */
export const SENT_KEYS_LIMIT = 10_000;

/** One keyed message in one chat (see `EnqueueOptions.key`). */
export function sentKey(target: { channel: string; chatId: string }, key: string): string {
  return `${target.channel}:${target.chatId}:${key}`;
}

const OutgoingMessageSchema = z.custom<OutgoingMessage>(
  (value) =>
    typeof value === "object" && value !== null && Array.isArray((value as { lines?: unknown }).lines),
  { message: "expected an outgoing message with lines" },
);

export const DeliveryTargetSchema = z.object({
  channel: ChannelName,
  chatId: z.string().min(1),
  language: Language,
  memberId: z.string().exactOptional(),
  villageId: z.string().exactOptional(),
});

export const OutboxEntrySchema = z.object({
  id: z.string(),
  target: DeliveryTargetSchema,
  message: OutgoingMessageSchema,
  createdAt: z.string(),
  attempts: z.number().int().nonnegative(),
  notBefore: z.string(),
  lastError: z.string().exactOptional(),
  bulk: z.literal(true).exactOptional(),
  key: z.string().min(1).exactOptional(),
  revision: z.number().int().nonnegative().exactOptional(),
  partsSent: z.number().int().positive().exactOptional(),
  edits: z.string().exactOptional(),
});

/** One change to committed state: a record put or deleted, a counter raised, an event or message noted. */
export const Op = z.discriminatedUnion("t", [
  z.object({ t: z.literal("put"), table: z.string(), v: z.unknown() }),
  z.object({ t: z.literal("del"), table: z.string(), key: z.string() }),
  z.object({ t: z.literal("counter"), key: z.string(), n: z.number().int().nonnegative() }),
  z.object({ t: z.literal("processed"), key: z.string() }),
  z.object({ t: z.literal("outbox"), v: OutboxEntrySchema }),
  z.object({ t: z.literal("outbox.del"), id: z.string() }),
  z.object({ t: z.literal("dead"), v: OutboxEntrySchema }),
  z.object({ t: z.literal("sent"), key: z.string(), ref: z.string() }),
]);
export type Op = z.infer<typeof Op>;

export const OUTBOX_COUNTER = "outbox";

/** Where the records of tables that are not resident live: bucket files for lowdb. */
export interface Documents {
  get(table: AnyTable, key: string, file: string): Promise<unknown>;
  put(table: AnyTable, key: string, record: unknown, file: string, previousFile: string | undefined): void;
  delete(table: AnyTable, key: string, file: string): void;
}

/** What changed since the last checkpoint took it. */
export interface Dirty {
  /** Files of resident tables. */
  files: Set<string>;
  counters: boolean;
  processed: boolean;
  /** The outbox's counter, dead letters and sent keys (outbox.json). */
  outbox: boolean;
  /** Outbox buckets (see `outboxBucket`) whose waiting entries changed. */
  outboxBuckets: Set<number>;
}

export function cleanDirty(): Dirty {
  return { files: new Set(), counters: false, processed: false, outbox: false, outboxBuckets: new Set() };
}

/** How many files waiting outbox entries are spread over: their ids go round them, OUTBOX_BUCKET_SIZE at a time. */
export const OUTBOX_BUCKETS = 64;
export const OUTBOX_BUCKET_SIZE = 256;

/** The bucket of an outbox entry: so that a checkpoint rewrites only the few that changed, not every entry. */
export function outboxBucket(id: string): number {
  const n = Number(id.slice(1));
  return Number.isSafeInteger(n) ? Math.floor(n / OUTBOX_BUCKET_SIZE) % OUTBOX_BUCKETS : 0;
}

/** Sortable, monotonic outbox ids: o000000000001, o000000000002, ... */
export function outboxId(n: number): string {
  return `o${String(n).padStart(12, "0")}`;
}

/** key → set of ids, in insertion order. */
export class MultiIndex {
  private readonly sets = new Map<string, Set<string>>();

  add(key: string, id: string): void {
    let set = this.sets.get(key);
    if (set === undefined) {
      set = new Set();
      this.sets.set(key, set);
    }
    set.add(id);
  }

  remove(key: string, id: string): void {
    const set = this.sets.get(key);
    if (set === undefined) return;
    set.delete(id);
    if (set.size === 0) this.sets.delete(key);
  }

  get(key: string): ReadonlySet<string> {
    return this.sets.get(key) ?? EMPTY;
  }

  keys(): IterableIterator<string> {
    return this.sets.keys();
  }
}

const EMPTY: ReadonlySet<string> = new Set();

export function indexValues(value: IndexValue): readonly string[] {
  if (value === undefined) return [];
  return typeof value === "string" ? [value] : value;
}

/**
 * What is kept of a committed record besides its key: its file, then per index the value or values it is
 * found under. One small array per record, with shared strings, as non-resident tables keep one per request.
 */
type Entry = readonly [file: string, ...values: IndexValue[]];

/** One table's committed keys, indexes and (when resident) records. */
export class TableState {
  readonly entries = new Map<string, Entry>();
  /** Keys by file, for tables kept in memory (their files are written from here). */
  readonly byFile = new MultiIndex();
  readonly records: Map<string, unknown> | undefined;
  private readonly indexNames: string[];
  private readonly indexes: MultiIndex[];
  /** Files and index values repeat across records: each distinct string is kept once. */
  private readonly strings = new Map<string, string>();

  constructor(
    readonly table: AnyTable,
    resident: boolean,
  ) {
    this.records = resident ? new Map() : undefined;
    this.indexNames = Object.keys(table.indexes);
    this.indexes = this.indexNames.map(() => new MultiIndex());
  }

  keysOf(index: string, value: string): ReadonlySet<string> {
    const at = this.indexNames.indexOf(index);
    if (at < 0) throw new Error(`Table ${this.table.name} has no index ${index}.`);
    return this.indexes[at]?.get(value) ?? EMPTY;
  }

  fileOf(key: string): string | undefined {
    return this.entries.get(key)?.[0];
  }

  /** The file a record goes in and the values it is found under, per index. */
  describe(record: unknown): { file: string; values: IndexValue[] } {
    return {
      file: this.table.file(record),
      values: Object.values(this.table.indexes).map((of) => of(record)),
    };
  }

  /**
   * Records the key under its file and index values; returns the file it was in before. A value the record
   * keeps keeps its place, so lists stay in the order records were first stored.
   */
  index(key: string, record: unknown): { file: string; previous: string | undefined } {
    const { file, values } = this.describe(record);
    return this.restore(key, file, values);
  }

  /** `index` with the file and values already worked out (read from a keys file). */
  restore(
    key: string,
    fileName: string,
    indexed: readonly IndexValue[],
  ): { file: string; previous: string | undefined } {
    const before = this.entries.get(key);
    const file = this.intern(fileName);
    const values = indexed.map((value): IndexValue => {
      if (value === undefined) return undefined;
      return typeof value === "string" ? this.intern(value) : value.map((one) => this.intern(one));
    });
    // concat allocates exactly the length needed, where a spread leaves spare room in each of 100,000 entries.
    this.entries.set(key, [file as IndexValue].concat(values) as unknown as Entry);
    if (this.records !== undefined) {
      if (before !== undefined && before[0] !== file) this.byFile.remove(before[0], key);
      this.byFile.add(file, key);
    }
    values.forEach((value, at) => {
      const now = indexValues(value);
      for (const old of indexValues(before?.[at + 1]))
        if (!now.includes(old)) this.indexes[at]?.remove(old, key);
      for (const one of now) this.indexes[at]?.add(one, key);
    });
    return { file, previous: before?.[0] };
  }

  /**
   * `restore` for a key of a table that is not resident, with `file` and the values in `columns` (one list
   * per index, one value per row) already interned: the fast path of opening, taken a million times for a
   * county's history. False, changing nothing, when the key is already known.
   */
  restoreNew(key: string, file: string, columns: readonly (readonly IndexValue[])[], row: number): boolean {
    if (this.entries.has(key)) return false;
    const entry = new Array<IndexValue>(columns.length + 1);
    entry[0] = file;
    for (let at = 0; at < columns.length; at++) {
      const value = columns[at]?.[row];
      entry[at + 1] = value;
      if (value === undefined) continue;
      const index = this.indexes[at];
      if (typeof value === "string") index?.add(value, key);
      else for (const one of value) index?.add(one, key);
    }
    this.entries.set(key, entry as unknown as Entry);
    return true;
  }

  /** The one copy of a string kept for files and index values. */
  intern(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }

  /** Forgets the key; returns the file it was in. */
  unindex(key: string): string | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    const [file, ...values] = entry;
    this.byFile.remove(file, key);
    values.forEach((value, at) => {
      for (const one of indexValues(value)) this.indexes[at]?.remove(one, key);
    });
    return file;
  }
}

/** The id counter and the sequence a record's key and number must stay below. */
export function countersOf(table: AnyTable, record: unknown): [name: string, n: number][] {
  const counters: [string, number][] = [];
  const ids = table.ids;
  if (ids !== undefined) {
    const key = table.key(record);
    const n = key.startsWith(ids.prefix) ? Number(key.slice(ids.prefix.length)) : Number.NaN;
    if (Number.isSafeInteger(n) && n > 0) counters.push([ids.counter, n]);
  }
  const sequence = table.sequence?.(record);
  if (sequence !== undefined) counters.push([sequence.name, sequence.n]);
  return counters;
}

export interface Limits {
  processed: number;
  deadLetters: number;
}

export class Tables {
  private readonly states = new Map<string, TableState>();
  /** Oldest first; a Set keeps insertion order, so the first value is the one to forget. */
  readonly processed = new Set<string>();
  readonly outbox = new Map<string, OutboxEntry>();
  /** Waiting entries by `sentKey`. */
  private readonly waitingKeys = new Map<string, string>();
  /** Platform message ids of keyed messages sent, by `sentKey`; oldest first. */
  readonly sent = new Map<string, string>();
  readonly dead: OutboxEntry[] = [];
  readonly counters = new Map<string, number>();
  private dirty = cleanDirty();

  /** With no `documents`, every table is resident (the memory adapter). */
  constructor(
    tables: readonly AnyTable[],
    readonly documents: Documents | undefined,
    readonly limits: Limits = { processed: PROCESSED_LIMIT, deadLetters: DEAD_LETTER_LIMIT },
  ) {
    for (const table of tables) {
      if (this.states.has(table.name)) throw new Error(`Table ${table.name} is declared twice.`);
      this.states.set(table.name, new TableState(table, documents === undefined || table.resident));
    }
  }

  get tables(): TableState[] {
    return [...this.states.values()];
  }

  state(table: AnyTable | string): TableState {
    const name = typeof table === "string" ? table : table.name;
    const state = this.states.get(name);
    if (state === undefined) throw new Error(`No table ${name} is declared.`);
    return state;
  }

  hasTable(name: string): boolean {
    return this.states.has(name);
  }

  /** The declared table of this name; undefined when there is none. */
  tableNamed(name: string): AnyTable | undefined {
    return this.states.get(name)?.table;
  }

  /** A committed record; undefined when there is none. */
  async get(table: AnyTable, key: string): Promise<unknown> {
    const state = this.state(table);
    if (state.records !== undefined) return state.records.get(key);
    const file = state.fileOf(key);
    if (file === undefined || this.documents === undefined) return undefined;
    return this.documents.get(table, key, file);
  }

  /** Hands over what changed since the last call and starts a new record of changes. */
  takeDirty(): Dirty {
    const dirty = this.dirty;
    this.dirty = cleanDirty();
    return dirty;
  }

  /** Writes a file of resident tables at the next checkpoint (one it holds records it should not). */
  rewriteFile(file: string): void {
    this.dirty.files.add(file);
  }

  /** Outbox entries read from outbox.json of before buckets: write outbox.json without them. */
  outboxMoved(): void {
    this.dirty.outbox = true;
  }

  /** Counters read from somewhere that will not be written again (the previous layout): write them anew. */
  countersMoved(): void {
    this.dirty.counters = true;
  }

  counter(key: string): number {
    return this.counters.get(key) ?? 0;
  }

  apply(op: Op): void {
    switch (op.t) {
      case "put":
        this.put(this.state(op.table), op.v);
        return;
      case "del":
        this.remove(this.state(op.table), op.key);
        return;
      case "counter":
        this.raise(op.key, op.n);
        return;
      case "processed":
        this.markProcessed(op.key);
        return;
      case "outbox":
        this.outbox.set(op.v.id, op.v);
        if (op.v.key !== undefined) this.waitingKeys.set(sentKey(op.v.target, op.v.key), op.v.id);
        this.dirty.outboxBuckets.add(outboxBucket(op.v.id));
        return;
      case "outbox.del": {
        const entry = this.outbox.get(op.id);
        if (entry === undefined) return;
        this.outbox.delete(op.id);
        if (entry.key !== undefined) this.waitingKeys.delete(sentKey(entry.target, entry.key));
        this.dirty.outboxBuckets.add(outboxBucket(op.id));
        return;
      }
      case "dead":
        this.addDead(op.v);
        return;
      case "sent":
        this.sent.delete(op.key);
        this.sent.set(op.key, op.ref);
        while (this.sent.size > SENT_KEYS_LIMIT) {
          const oldest = this.sent.keys().next();
          if (oldest.done === true) break;
          this.sent.delete(oldest.value);
        }
        this.dirty.outbox = true;
        return;
    }
  }

  /** The entry waiting to be sent under this key in this chat, if any. */
  waitingWithKey(target: { channel: string; chatId: string }, key: string): OutboxEntry | undefined {
    const id = this.waitingKeys.get(sentKey(target, key));
    return id === undefined ? undefined : this.outbox.get(id);
  }

  /** Adds a record found in a document file to the indexes, leaving `documents` alone. */
  indexDocument(table: AnyTable, record: unknown): void {
    const state = this.state(table);
    state.index(table.key(record), record);
    this.raiseFrom(table, record);
  }

  private put(state: TableState, record: unknown): void {
    const table = state.table;
    const key = table.key(record);
    const { file, previous } = state.index(key, record);
    this.raiseFrom(table, record);
    if (state.records !== undefined) {
      state.records.set(key, record);
      this.dirty.files.add(file);
      if (previous !== undefined) this.dirty.files.add(previous);
    } else {
      this.documents?.put(table, key, record, file, previous);
    }
  }

  private remove(state: TableState, key: string): void {
    const file = state.unindex(key);
    if (file === undefined) return;
    if (state.records !== undefined) {
      state.records.delete(key);
      this.dirty.files.add(file);
    } else {
      this.documents?.delete(state.table, key, file);
    }
  }

  /** Keeps id counters and sequences past every stored record, so a number is never handed out twice. */
  private raiseFrom(table: AnyTable, record: unknown): void {
    for (const [name, n] of countersOf(table, record)) this.raise(name, n);
  }

  private markProcessed(key: string): void {
    if (this.processed.has(key)) return;
    this.processed.add(key);
    while (this.processed.size > this.limits.processed) {
      const oldest = this.processed.values().next();
      if (oldest.done === true) break;
      this.processed.delete(oldest.value);
    }
    this.dirty.processed = true;
  }

  private addDead(entry: OutboxEntry): void {
    const index = this.dead.findIndex((dead) => dead.id === entry.id);
    if (index >= 0) this.dead.splice(index, 1);
    this.dead.push(entry);
    if (this.dead.length > this.limits.deadLetters)
      this.dead.splice(0, this.dead.length - this.limits.deadLetters);
    this.dirty.outbox = true;
  }

  private raise(key: string, n: number): void {
    if ((this.counters.get(key) ?? 0) >= n) return;
    this.counters.set(key, n);
    this.dirty.counters = true;
  }
}
