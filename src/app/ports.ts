import type { ChannelName, Language } from "../domain/model.js";
import type { OutgoingMessage } from "./messages.js";
import type { AnyTable, Table } from "./tables.js";

export interface Clock {
  now(): Date;
}

/** The machine's clock; tests pass their own. */
export const systemClock: Clock = { now: () => new Date() };

/** Where one outgoing message goes: a private chat or a group chat on one channel. */
export interface DeliveryTarget {
  channel: ChannelName;
  /** The channel's chat id: a Telegram chat id, a Slack channel, or a local conversation id. */
  chatId: string;
  language: Language;
  /** Set when the chat is a member's private chat. */
  memberId?: string;
  /** Set when the chat is a village's group chat. */
  villageId?: string;
}

/** How a message is queued (see `Transaction.enqueue`). */
export interface EnqueueOptions {
  /** Bulk traffic (tallies, reminders) waits behind replies to what people just did. */
  bulk?: boolean;
  /**
   * The message's identity in its chat (a poll's live count, a request's status card): a later message with
   * the same key in the same chat replaces it. Sent already, it is edited in place; still waiting, only the
   * latest content goes out.
   */
  key?: string;
  /** Not sent before this instant (a live count brought up to date at most every few seconds). */
  notBefore?: Date;
}

export interface OutboxEntry {
  id: string;
  target: DeliveryTarget;
  message: OutgoingMessage;
  createdAt: string;
  attempts: number;
  /** Not to be tried before this instant (a retry's back-off or a 429's retry_after). */
  notBefore: string;
  lastError?: string;
  bulk?: true;
  key?: string;
  /** Raised each time a keyed entry's content is replaced while it waits; a send of an older one does not remove it. */
  revision?: number;
  /** The platform's id of the message sent earlier under the same key: this entry edits it. */
  edits?: string;
  /** Parts of a message sent as several (a photo, then the text) already delivered: a retry starts after them. */
  partsSent?: number;
}

/**
 * One unit of work over declared tables (see `defineTable`): reads see the unit's own writes; writes are
 * staged and committed together when the unit's function returns, or dropped when it throws.
 *
 * @example
 * await store.transaction(async (tx) => {
 *   const member = await tx.get(Members, "m1");
 *   if (member !== undefined) tx.put(Members, { ...member, name: "张三" });
 * });
 */
export interface Transaction {
  get<T, I extends string>(table: Table<T, I>, key: string): Promise<T | undefined>;
  /** The records an index finds under a value, in key order of first storing. */
  find<T, I extends string>(table: Table<T, I>, index: I, value: string): Promise<T[]>;
  /** Every record of a table; meant for small resident tables. */
  all<T, I extends string>(table: Table<T, I>): Promise<T[]>;
  put<T, I extends string>(table: Table<T, I>, record: T): void;
  delete<T, I extends string>(table: Table<T, I>, key: string): void;
  /** A fresh id for a table that declares `ids`: its prefix and a number never handed out before. */
  nextId(table: AnyTable): Promise<string>;
  /** The next number of a named sequence, from 1 (see `Table.sequence`). */
  nextNumber(sequence: string): Promise<number>;

  /** Inbound event ids already handled (bounded memory of recent ones). */
  hasProcessed(eventKey: string): Promise<boolean>;
  markProcessed(eventKey: string): void;

  enqueue(target: DeliveryTarget, message: OutgoingMessage, options?: EnqueueOptions): void;
}

export interface Store {
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Opens a store for these tables (lowdb needs them to read its files, memory to index them). */
export type OpenStore = (tables: readonly AnyTable[]) => Promise<Store & Outbox>;

/** An entry delivered: its id, the revision sent, and the platform's id of the message when it is keyed. */
export interface SentEntry {
  id: string;
  revision: number;
  ref?: string;
}

export interface DueOptions {
  /** Entries already taken. */
  skip?: ReadonlySet<string>;
  /** At most this many bulk entries (replies are not held back by bulk). */
  bulkLimit?: number;
}

/** The dispatcher's view of the persisted outgoing messages. */
export interface Outbox {
  /**
   * Entries due at `now`, replies before bulk, each in the order queued; at most `limit`. A keyed entry whose
   * message was sent before carries the platform's id of it in `edits`.
   */
  due(now: Date, limit: number, options?: DueOptions): Promise<OutboxEntry[]>;
  /**
   * Removes delivered entries, in one commit. An entry whose content was replaced while it was being sent (a
   * newer revision) stays, to be sent as an edit.
   */
  markSent(sent: readonly SentEntry[]): Promise<void>;
  /** Records that the first `parts` parts of revision `revision` of an entry were delivered. */
  markPartsSent(id: string, revision: number, parts: number): Promise<void>;
  /** Schedules another try at `retryAt`, or gives the entry up when `retryAt` is undefined. */
  markFailed(id: string, error: string, retryAt: Date | undefined): Promise<void>;
}

/** Timed work: runs each job at the times its cron expression names, in the app's time zone. */
export interface Schedule {
  /** Registers a job; `run` gets the instant it was due. Jobs also run once at start, to catch up. */
  add(name: string, cron: string, run: (now: Date) => Promise<void>): void;
  start(): Promise<void>;
  stop(): Promise<void>;
}
