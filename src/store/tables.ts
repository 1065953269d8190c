import { z } from "zod";
import type { Conversation as ConversationType } from "../app/conversation.js";
import { Conversation } from "../app/conversation.js";
import type { OutgoingMessage } from "../app/messages.js";
import type { OutboxEntry } from "../app/ports.js";
import {
  ChannelName,
  GroupBinding,
  Household,
  Language,
  Member,
  type RequestState,
  ServiceRequest,
  Town,
  Village,
} from "../domain/model.js";

/**
 * The committed state both adapters share: every record but the full request documents lives in Maps with
 * the indexes the Transaction port needs. Changes arrive only as `Op`s, the same ones the lowdb adapter
 * writes to its journal and replays at start-up, so both paths run this one piece of code.
 */

export const PROCESSED_LIMIT = 10_000;
export const DEAD_LETTER_LIMIT = 1_000;

export const ACTIVE_STATES: ReadonlySet<string> = new Set<RequestState>([
  "submitted",
  "accepted",
  "in_progress",
  "resolved",
]);

export const IdKind = z.enum(["town", "village", "member", "household", "outbox"]);
export type IdKind = z.infer<typeof IdKind>;

const OutgoingMessageSchema = z.custom<OutgoingMessage>(
  (value) =>
    typeof value === "object" && value !== null && Array.isArray((value as { lines?: unknown }).lines),
  { message: "expected an outgoing message with lines" },
);

export const DeliveryTargetSchema = z.object({
  channel: ChannelName,
  chatId: z.string().min(1),
  language: Language,
  memberId: z.string().optional(),
  villageId: z.string().optional(),
});

export const OutboxEntrySchema = z.object({
  id: z.string(),
  target: DeliveryTargetSchema,
  message: OutgoingMessageSchema,
  createdAt: z.string(),
  attempts: z.number().int().nonnegative(),
  notBefore: z.string(),
  lastError: z.string().optional(),
});

/** One change to committed state: a whole record put, a record deleted, or a counter raised. */
export const Op = z.discriminatedUnion("t", [
  z.object({ t: z.literal("town"), v: Town }),
  z.object({ t: z.literal("village"), v: Village }),
  z.object({ t: z.literal("member"), v: Member }),
  z.object({ t: z.literal("household"), v: Household }),
  z.object({ t: z.literal("household.del"), id: z.string() }),
  z.object({ t: z.literal("binding"), v: GroupBinding }),
  z.object({ t: z.literal("binding.del"), channel: ChannelName, chatId: z.string() }),
  z.object({ t: z.literal("request"), v: ServiceRequest }),
  z.object({ t: z.literal("conversation"), v: Conversation }),
  z.object({ t: z.literal("conversation.del"), key: z.string() }),
  z.object({ t: z.literal("processed"), key: z.string() }),
  z.object({ t: z.literal("outbox"), v: OutboxEntrySchema }),
  z.object({ t: z.literal("outbox.del"), id: z.string() }),
  z.object({ t: z.literal("dead"), v: OutboxEntrySchema }),
  z.object({ t: z.literal("counter"), kind: IdKind, n: z.number().int().nonnegative() }),
  z.object({ t: z.literal("seq"), villageId: z.string(), year: z.number().int(), n: z.number().int() }),
]);
export type Op = z.infer<typeof Op>;

/** What the request index keeps of each request; the full document stays with `RequestDocs`. */
export interface RequestSummary {
  id: string;
  villageId: string;
  requesterId: string;
  state: RequestState;
  year: number;
  seq: number;
}

/** Where full request documents live: a Map in memory, bucket files for lowdb. */
export interface RequestDocs {
  get(summary: RequestSummary): Promise<ServiceRequest | undefined>;
  put(request: ServiceRequest, previous: RequestSummary | undefined): void;
}

/** Which persisted groups of records changed since the last time someone took this. */
export interface Dirty {
  directory: boolean;
  rosters: Set<string>;
  conversations: boolean;
  processed: boolean;
  outbox: boolean;
}

export function cleanDirty(): Dirty {
  return { directory: false, rosters: new Set(), conversations: false, processed: false, outbox: false };
}

export function summarize(request: ServiceRequest): RequestSummary {
  const { id, villageId, requesterId, state, year, seq } = request;
  return { id, villageId, requesterId, state, year, seq };
}

export function identityKey(channel: string, userId: string): string {
  return `${channel}\u0000${userId}`;
}

export const bindingKey = identityKey;

export function seqKey(villageId: string, year: number): string {
  return `${villageId}\u0000${year}`;
}

export function requesterKey(villageId: string, requesterId: string): string {
  return `${villageId}\u0000${requesterId}`;
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
}

const EMPTY: ReadonlySet<string> = new Set();

/** Records by key, with the keys of each village's records. */
export class VillageMap<T extends { villageId: string }> {
  readonly byKey = new Map<string, T>();
  readonly byVillage = new MultiIndex();

  /** Stores the record and returns the one it replaced. */
  set(key: string, value: T): T | undefined {
    const previous = this.delete(key);
    this.byKey.set(key, value);
    this.byVillage.add(value.villageId, key);
    return previous;
  }

  /** Removes the record and returns it. */
  delete(key: string): T | undefined {
    const previous = this.byKey.get(key);
    if (previous === undefined) return undefined;
    this.byKey.delete(key);
    this.byVillage.remove(previous.villageId, key);
    return previous;
  }

  ofVillage(villageId: string): T[] {
    return [...this.byVillage.get(villageId)].flatMap((key) => this.byKey.get(key) ?? []);
  }
}

export interface Limits {
  processed: number;
  deadLetters: number;
}

export class Tables {
  readonly towns = new Map<string, Town>();
  readonly villages = new Map<string, Village>();
  readonly members = new VillageMap<Member>();
  readonly households = new VillageMap<Household>();
  readonly bindings = new VillageMap<GroupBinding>();
  readonly conversations = new Map<string, ConversationType>();
  readonly requests = new Map<string, RequestSummary>();
  /** Oldest first; a Set keeps insertion order, so the first value is the one to forget. */
  readonly processed = new Set<string>();
  readonly outbox = new Map<string, OutboxEntry>();
  readonly dead: OutboxEntry[] = [];
  readonly counters = new Map<IdKind, number>();
  readonly seqs = new Map<string, number>();

  readonly memberByIdentity = new Map<string, string>();
  readonly activeRequests = new MultiIndex();
  readonly requestsByRequester = new MultiIndex();

  private dirty = cleanDirty();

  constructor(
    readonly docs: RequestDocs,
    readonly limits: Limits = { processed: PROCESSED_LIMIT, deadLetters: DEAD_LETTER_LIMIT },
  ) {}

  /** Hands over what changed since the last call and starts a new record of changes. */
  takeDirty(): Dirty {
    const dirty = this.dirty;
    this.dirty = cleanDirty();
    return dirty;
  }

  counter(kind: IdKind): number {
    return this.counters.get(kind) ?? 0;
  }

  seq(villageId: string, year: number): number {
    return this.seqs.get(seqKey(villageId, year)) ?? 0;
  }

  apply(op: Op): void {
    switch (op.t) {
      case "town":
        this.towns.set(op.v.id, op.v);
        this.dirty.directory = true;
        return;
      case "village":
        this.villages.set(op.v.id, op.v);
        this.dirty.directory = true;
        return;
      case "member":
        this.putMember(op.v);
        return;
      case "household":
        this.touchRosters(this.households.set(op.v.id, op.v), op.v);
        return;
      case "household.del":
        this.touchRosters(this.households.delete(op.id));
        return;
      case "binding":
        this.bindings.set(bindingKey(op.v.channel, op.v.chatId), op.v);
        this.dirty.directory = true;
        return;
      case "binding.del":
        if (this.bindings.delete(bindingKey(op.channel, op.chatId))) this.dirty.directory = true;
        return;
      case "request":
        this.putRequest(op.v);
        return;
      case "conversation":
        this.conversations.set(op.v.key, op.v);
        this.dirty.conversations = true;
        return;
      case "conversation.del":
        if (this.conversations.delete(op.key)) this.dirty.conversations = true;
        return;
      case "processed":
        this.markProcessed(op.key);
        return;
      case "outbox":
        this.outbox.set(op.v.id, op.v);
        this.dirty.outbox = true;
        return;
      case "outbox.del":
        if (this.outbox.delete(op.id)) this.dirty.outbox = true;
        return;
      case "dead":
        this.addDead(op.v);
        return;
      case "counter":
        this.raise(this.counters, op.kind, op.n);
        if (op.kind === "outbox") this.dirty.outbox = true;
        else this.dirty.directory = true;
        return;
      case "seq":
        this.raise(this.seqs, seqKey(op.villageId, op.year), op.n);
        this.dirty.directory = true;
        return;
    }
  }

  /** Adds a request found on disk to the indexes without touching `docs`. */
  indexRequest(summary: RequestSummary): void {
    const previous = this.requests.get(summary.id);
    if (previous !== undefined) this.unindexRequest(previous);
    this.requests.set(summary.id, summary);
    if (ACTIVE_STATES.has(summary.state)) this.activeRequests.add(summary.villageId, summary.id);
    this.requestsByRequester.add(requesterKey(summary.villageId, summary.requesterId), summary.id);
    this.raise(this.seqs, seqKey(summary.villageId, summary.year), summary.seq);
  }

  private unindexRequest(summary: RequestSummary): void {
    this.activeRequests.remove(summary.villageId, summary.id);
    this.requestsByRequester.remove(requesterKey(summary.villageId, summary.requesterId), summary.id);
  }

  private putRequest(request: ServiceRequest): void {
    const previous = this.requests.get(request.id);
    this.docs.put(request, previous);
    this.indexRequest(summarize(request));
  }

  private putMember(member: Member): void {
    const previous = this.members.set(member.id, member);
    this.touchRosters(previous, member);
    for (const identity of previous?.identities ?? []) {
      const key = identityKey(identity.channel, identity.userId);
      if (this.memberByIdentity.get(key) === member.id) this.memberByIdentity.delete(key);
    }
    for (const identity of member.identities) {
      this.memberByIdentity.set(identityKey(identity.channel, identity.userId), member.id);
    }
  }

  private touchRosters(...records: ({ villageId: string } | undefined)[]): void {
    for (const record of records) if (record !== undefined) this.dirty.rosters.add(record.villageId);
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

  private raise<K>(map: Map<K, number>, key: K, n: number): void {
    if ((map.get(key) ?? 0) < n) map.set(key, n);
  }
}
