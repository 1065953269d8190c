import type { z } from "zod";
import { Conversation } from "../app/conversation.js";
import type { OutgoingMessage } from "../app/messages.js";
import type { Clock, DeliveryTarget, Outbox, OutboxEntry, Store, Transaction } from "../app/ports.js";
import {
  type ChannelName,
  GroupBinding,
  Household,
  type Identity,
  Member,
  ServiceRequest,
  Town,
  Village,
} from "../domain/model.js";
import {
  ACTIVE_STATES,
  bindingKey,
  DeliveryTargetSchema,
  type IdKind,
  identityKey,
  type Op,
  outboxId,
  requesterKey,
  seqKey,
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

export const systemClock: Clock = { now: () => new Date() };

const ID_PREFIX: Record<Exclude<IdKind, "outbox">, string> = {
  town: "t",
  village: "v",
  member: "m",
  household: "h",
};

const REMOVED = Symbol("removed");
type Staged<T> = T | typeof REMOVED;

/** Runs tasks one after another; a failed task does not stop the ones behind it. */
class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}

function copy<T>(schema: z.ZodType<T>, value: T): T {
  return schema.parse(value);
}

/** Staged puts and deletes of one kind of record, by key, in the order first touched. */
class Changes<T> {
  readonly staged = new Map<string, Staged<T>>();

  constructor(
    private readonly schema: z.ZodType<T>,
    private readonly committed: ReadonlyMap<string, T>,
  ) {}

  put(key: string, value: T): void {
    this.staged.set(key, copy(this.schema, value));
  }

  remove(key: string): void {
    this.staged.set(key, REMOVED);
  }

  get(key: string): T | undefined {
    const value = this.current(key);
    return value === undefined ? undefined : copy(this.schema, value);
  }

  /** The committed records under `keys` with staged changes laid over them, plus staged records that `keep` wants. */
  list(keys: Iterable<string>, keep: (value: T) => boolean, committed = this.committed): T[] {
    const result: T[] = [];
    const seen = new Set<string>();
    for (const key of keys) {
      seen.add(key);
      const value = this.staged.has(key) ? this.current(key) : committed.get(key);
      if (value !== undefined && keep(value)) result.push(copy(this.schema, value));
    }
    for (const [key, value] of this.staged) {
      if (!seen.has(key) && value !== REMOVED && keep(value)) result.push(copy(this.schema, value));
    }
    return result;
  }

  private current(key: string): T | undefined {
    const value = this.staged.get(key);
    if (value === REMOVED) return undefined;
    return value ?? this.committed.get(key);
  }
}

class Unit implements Transaction {
  private readonly towns: Changes<Town>;
  private readonly villages: Changes<Village>;
  private readonly members: Changes<Member>;
  private readonly households: Changes<Household>;
  private readonly bindings: Changes<GroupBinding>;
  private readonly conversations: Changes<Conversation>;
  private readonly requests: Changes<ServiceRequest>;
  private readonly processed = new Set<string>();
  private readonly outgoing: { target: DeliveryTarget; message: OutgoingMessage }[] = [];
  private readonly counters = new Map<IdKind, number>();
  private readonly seqs = new Map<string, { villageId: string; year: number; n: number }>();
  private open = true;

  constructor(private readonly tables: Tables) {
    this.towns = new Changes(Town, tables.towns);
    this.villages = new Changes(Village, tables.villages);
    this.members = new Changes(Member, tables.members.byKey);
    this.households = new Changes(Household, tables.households.byKey);
    this.bindings = new Changes(GroupBinding, tables.bindings.byKey);
    this.conversations = new Changes(Conversation, tables.conversations);
    this.requests = new Changes(ServiceRequest, new Map());
  }

  async nextId(kind: Exclude<IdKind, "outbox">): Promise<string> {
    this.assertOpen();
    const taken: ReadonlyMap<string, unknown> = {
      town: this.tables.towns,
      village: this.tables.villages,
      member: this.tables.members.byKey,
      household: this.tables.households.byKey,
    }[kind];
    let n = this.counters.get(kind) ?? this.tables.counter(kind);
    let id: string;
    do {
      n += 1;
      id = `${ID_PREFIX[kind]}${n}`;
    } while (taken.has(id));
    this.counters.set(kind, n);
    return id;
  }

  async getTown(id: string): Promise<Town | undefined> {
    return this.towns.get(id);
  }

  async listTowns(): Promise<Town[]> {
    return this.towns.list(this.tables.towns.keys(), () => true);
  }

  putTown(town: Town): void {
    this.assertOpen();
    this.towns.put(town.id, town);
  }

  async getVillage(id: string): Promise<Village | undefined> {
    return this.villages.get(id);
  }

  async listVillages(): Promise<Village[]> {
    return this.villages.list(this.tables.villages.keys(), () => true);
  }

  putVillage(village: Village): void {
    this.assertOpen();
    this.villages.put(village.id, village);
  }

  async getMember(id: string): Promise<Member | undefined> {
    return this.members.get(id);
  }

  async findMemberByIdentity(identity: Identity): Promise<Member | undefined> {
    const matches = (member: Member) =>
      member.identities.some((own) => own.channel === identity.channel && own.userId === identity.userId);
    const committedId = this.tables.memberByIdentity.get(identityKey(identity.channel, identity.userId));
    const keys = committedId === undefined ? [] : [committedId];
    return this.members.list(keys, matches)[0];
  }

  async listMembers(villageId: string): Promise<Member[]> {
    return this.members.list(this.tables.members.byVillage.get(villageId), (m) => m.villageId === villageId);
  }

  putMember(member: Member): void {
    this.assertOpen();
    this.members.put(member.id, member);
  }

  async getHousehold(id: string): Promise<Household | undefined> {
    return this.households.get(id);
  }

  async listHouseholds(villageId: string): Promise<Household[]> {
    return this.households.list(
      this.tables.households.byVillage.get(villageId),
      (h) => h.villageId === villageId,
    );
  }

  putHousehold(household: Household): void {
    this.assertOpen();
    this.households.put(household.id, household);
  }

  deleteHousehold(id: string): void {
    this.assertOpen();
    this.households.remove(id);
  }

  async getBinding(channel: ChannelName, chatId: string): Promise<GroupBinding | undefined> {
    return this.bindings.get(bindingKey(channel, chatId));
  }

  async listBindings(villageId: string): Promise<GroupBinding[]> {
    return this.bindings.list(
      this.tables.bindings.byVillage.get(villageId),
      (b) => b.villageId === villageId,
    );
  }

  putBinding(binding: GroupBinding): void {
    this.assertOpen();
    this.bindings.put(bindingKey(binding.channel, binding.chatId), binding);
  }

  deleteBinding(channel: ChannelName, chatId: string): void {
    this.assertOpen();
    this.bindings.remove(bindingKey(channel, chatId));
  }

  async getRequest(id: string): Promise<ServiceRequest | undefined> {
    return (await this.requestList([id], () => true))[0];
  }

  async listActiveRequests(villageId: string): Promise<ServiceRequest[]> {
    const ids = this.tables.activeRequests.get(villageId);
    return this.requestList(ids, (r) => r.villageId === villageId && ACTIVE_STATES.has(r.state));
  }

  async listRequestsOf(villageId: string, requesterId: string): Promise<ServiceRequest[]> {
    const ids = this.tables.requestsByRequester.get(requesterKey(villageId, requesterId));
    return this.requestList(ids, (r) => r.villageId === villageId && r.requesterId === requesterId);
  }

  async nextRequestSeq(villageId: string, year: number): Promise<number> {
    this.assertOpen();
    const key = seqKey(villageId, year);
    let n = Math.max(this.seqs.get(key)?.n ?? 0, this.tables.seq(villageId, year));
    for (const request of this.requests.staged.values()) {
      if (request !== REMOVED && request.villageId === villageId && request.year === year)
        n = Math.max(n, request.seq);
    }
    n += 1;
    this.seqs.set(key, { villageId, year, n });
    return n;
  }

  putRequest(request: ServiceRequest): void {
    this.assertOpen();
    this.requests.put(request.id, request);
  }

  async getConversation(key: string): Promise<Conversation | undefined> {
    return this.conversations.get(key);
  }

  putConversation(conversation: Conversation): void {
    this.assertOpen();
    this.conversations.put(conversation.key, conversation);
  }

  deleteConversation(key: string): void {
    this.assertOpen();
    this.conversations.remove(key);
  }

  async hasProcessed(eventKey: string): Promise<boolean> {
    return this.processed.has(eventKey) || this.tables.processed.has(eventKey);
  }

  markProcessed(eventKey: string): void {
    this.assertOpen();
    this.processed.add(eventKey);
  }

  enqueue(target: DeliveryTarget, message: OutgoingMessage): void {
    this.assertOpen();
    this.outgoing.push({ target: DeliveryTargetSchema.parse(target), message: structuredClone(message) });
  }

  /** Ends the unit and turns its staged writes into ops. */
  finish(now: Date): Op[] {
    this.assertOpen();
    this.open = false;
    const ops: Op[] = [];
    for (const [kind, n] of this.counters) ops.push({ t: "counter", kind, n });
    for (const { villageId, year, n } of this.seqs.values()) ops.push({ t: "seq", villageId, year, n });
    pushPuts(ops, this.towns, (v) => ({ t: "town", v }));
    pushPuts(ops, this.villages, (v) => ({ t: "village", v }));
    pushPuts(ops, this.members, (v) => ({ t: "member", v }));
    pushPuts(
      ops,
      this.households,
      (v) => ({ t: "household", v }),
      (id) => ({ t: "household.del", id }),
    );
    pushPuts(
      ops,
      this.bindings,
      (v) => ({ t: "binding", v }),
      (key) => {
        const [channel, chatId] = key.split("\u0000") as [ChannelName, string];
        return { t: "binding.del", channel, chatId };
      },
    );
    pushPuts(ops, this.requests, (v) => ({ t: "request", v }));
    pushPuts(
      ops,
      this.conversations,
      (v) => ({ t: "conversation", v }),
      (key) => ({ t: "conversation.del", key }),
    );
    for (const key of this.processed) ops.push({ t: "processed", key });
    if (this.outgoing.length > 0) {
      const createdAt = now.toISOString();
      let n = this.tables.counter("outbox");
      for (const { target, message } of this.outgoing) {
        n += 1;
        ops.push({
          t: "outbox",
          v: { id: outboxId(n), target, message, createdAt, attempts: 0, notBefore: createdAt },
        });
      }
      ops.push({ t: "counter", kind: "outbox", n });
    }
    return ops;
  }

  discard(): void {
    this.open = false;
  }

  private async requestList(ids: Iterable<string>, keep: (request: ServiceRequest) => boolean) {
    const committed = new Map<string, ServiceRequest>();
    const keys = [...ids];
    await Promise.all(
      keys.map(async (id) => {
        const summary = this.tables.requests.get(id);
        if (summary === undefined || this.requests.staged.has(id)) return;
        const request = await this.tables.docs.get(summary);
        if (request !== undefined) committed.set(id, request);
      }),
    );
    const list = this.requests.list(keys, keep, committed);
    return list.sort((a, b) => a.year - b.year || a.seq - b.seq || a.id.localeCompare(b.id));
  }

  private assertOpen(): void {
    if (!this.open) throw new Error("This unit of work has ended; use the store's transaction again.");
  }
}

function pushPuts<T>(
  ops: Op[],
  changes: Changes<T>,
  put: (value: T) => Op,
  remove?: (key: string) => Op,
): void {
  for (const [key, value] of changes.staged) {
    if (value !== REMOVED) ops.push(put(value));
    else if (remove !== undefined) ops.push(remove(key));
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

  async due(now: Date, limit: number): Promise<OutboxEntry[]> {
    const at = now.getTime();
    const due: OutboxEntry[] = [];
    // The outbox Map holds entries in creation order: they are added in id order and updated in place.
    for (const entry of this.tables.outbox.values()) {
      if (due.length >= limit) break;
      if (Date.parse(entry.notBefore) <= at) due.push(entry);
    }
    const result = structuredClone(due);
    await this.lastDurable;
    return result;
  }

  async markSent(id: string): Promise<void> {
    if (!this.tables.outbox.has(id)) return;
    await this.commit([{ t: "outbox.del", id }]);
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
