import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Conversation } from "../../src/app/conversation.js";
import type { Transaction } from "../../src/app/ports.js";
import {
  Bindings,
  bindingKey,
  Conversations,
  defineTable,
  Households,
  identityKey,
  Members,
  Towns,
  Villages,
} from "../../src/app/tables.js";
import { RequestState, Town } from "../../src/domain/model.js";
import { Requests, requestSequence } from "../../src/features/requests/tables.js";
import type { StagedStore } from "../../src/store/staged.js";
import {
  AT,
  binding,
  conversation,
  household,
  ManualClock,
  member,
  Notes,
  note,
  request,
  target,
  text,
  town,
  village,
} from "./builders.js";

export interface OpenedStore {
  store: StagedStore;
  cleanup(): Promise<void>;
}

/**
 * The behaviour every Store adapter promises, run against one adapter. `open` must open the store with
 * `TEST_TABLES` (the kernel's tables, requests and notes).
 */
export function storeContract(open: (clock: ManualClock) => Promise<OpenedStore>): void {
  let clock: ManualClock;
  let opened: OpenedStore;
  let store: StagedStore;

  beforeEach(async () => {
    clock = new ManualClock();
    opened = await open(clock);
    store = opened.store;
  });

  afterEach(async () => {
    await opened.cleanup();
  });

  const run = <T>(work: (tx: Transaction) => Promise<T>) => store.transaction(work);
  const ids = (records: readonly { id: string }[]) => records.map((record) => record.id);

  describe("units of work", () => {
    it("returns what the work returned", async () => {
      const result = await run(async () => 42);

      expect(result).toBe(42);
    });

    it("lets a unit read its own staged writes", async () => {
      const seen = await run(async (tx) => {
        tx.put(Villages, village("v1"));
        return { one: await tx.get(Villages, "v1"), all: await tx.all(Villages) };
      });

      expect(seen.one?.name).toBe("East Village");
      expect(ids(seen.all)).toEqual(["v1"]);
    });

    it("shows committed writes to later units", async () => {
      await run(async (tx) => tx.put(Towns, town("t1")));

      const found = await run((tx) => tx.get(Towns, "t1"));

      expect(found).toEqual(town("t1"));
    });

    it("commits nothing when the work throws", async () => {
      const failing = run(async (tx) => {
        await tx.nextId(Villages);
        tx.put(Villages, village("v1"));
        tx.markProcessed("update:1");
        tx.enqueue(target(), text("hello"));
        throw new Error("boom");
      });

      await expect(failing).rejects.toThrow("boom");
      const after = await run(async (tx) => ({
        village: await tx.get(Villages, "v1"),
        processed: await tx.hasProcessed("update:1"),
        id: await tx.nextId(Villages),
      }));
      expect(after).toEqual({ village: undefined, processed: false, id: "v1" });
      expect(await store.due(clock.now(), 10)).toEqual([]);
    });

    it("runs units one at a time, so concurrent read-modify-writes both land", async () => {
      await run(async (tx) => tx.put(Towns, town("t1")));
      const addSupervisor = (id: string) =>
        run(async (tx) => {
          const current = await tx.get(Towns, "t1");
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (current === undefined) throw new Error("no town");
          tx.put(Towns, { ...current, supervisors: [...current.supervisors, { id, name: id }] });
        });

      await Promise.all([addSupervisor("a"), addSupervisor("b")]);

      const final = await run((tx) => tx.get(Towns, "t1"));
      expect(final?.supervisors.map((s) => s.id)).toEqual(["a", "b"]);
    });

    it("refuses a unit's transaction object once the unit has ended", async () => {
      let leaked: Transaction | undefined;
      await run(async (tx) => {
        leaked = tx;
      });

      expect(() => leaked?.put(Towns, town("t9"))).toThrow(/ended/);
    });

    it("refuses a record its table's schema rejects, committing nothing of the unit", async () => {
      const putting = run(async (tx) => {
        tx.put(Towns, town("t1"));
        tx.put(Villages, { ...village("v1"), code: "not a code" });
      });

      await expect(putting).rejects.toThrow();
      expect(await run((tx) => tx.all(Towns))).toEqual([]);
    });

    it("refuses a table the store was not opened with", async () => {
      const Strangers = defineTable({
        name: "strangers",
        schema: Town,
        key: (t) => t.id,
        file: () => "s.json",
      });

      const reading = run((tx) => tx.get(Strangers, "x"));

      await expect(reading).rejects.toThrow(/No table strangers/);
    });
  });

  describe("ids", () => {
    it("hands out short ids per table, counting on across units", async () => {
      const first = await run(async (tx) => [
        await tx.nextId(Towns),
        await tx.nextId(Villages),
        await tx.nextId(Members),
        await tx.nextId(Members),
        await tx.nextId(Households),
      ]);
      const second = await run((tx) => tx.nextId(Members));

      expect(first).toEqual(["t1", "v1", "m1", "m2", "h1"]);
      expect(second).toBe("m3");
    });

    it("never hands out an id a committed record already has", async () => {
      await run(async (tx) => {
        tx.put(Members, member("m1"));
        tx.put(Members, member("m7"));
      });

      const next = await run((tx) => tx.nextId(Members));

      expect(next).toBe("m8");
    });

    it("never hands out an id a record staged in the same unit has", async () => {
      const next = await run(async (tx) => {
        tx.put(Households, household("h1"));
        tx.put(Households, household("h2"));
        return tx.nextId(Households);
      });

      expect(next).toBe("h3");
    });

    it("does not hand out again the id of a record that was deleted", async () => {
      const first = await run(async (tx) => {
        const id = await tx.nextId(Households);
        tx.put(Households, household(id));
        return id;
      });
      await run(async (tx) => tx.delete(Households, first));

      const next = await run((tx) => tx.nextId(Households));

      expect([first, next]).toEqual(["h1", "h2"]);
    });

    it("hands out ids for a table that is not resident", async () => {
      const given = await run(async (tx) => {
        const a = await tx.nextId(Notes);
        tx.put(Notes, note(a));
        return [a, await tx.nextId(Notes)];
      });

      expect(given).toEqual(["n1", "n2"]);
    });

    it("refuses an id for a table that declares no ids", async () => {
      const asking = run((tx) => tx.nextId(Bindings));

      await expect(asking).rejects.toThrow(/bindings does not declare ids/);
    });
  });

  describe("sequences", () => {
    it("numbers a village's requests per year, counting requests staged in the same unit", async () => {
      const seqs = await run(async (tx) => {
        const a = await tx.nextNumber(requestSequence("v1", 2026));
        tx.put(Requests, request(a));
        const b = await tx.nextNumber(requestSequence("v1", 2026));
        const c = await tx.nextNumber(requestSequence("v1", 2026));
        return [
          a,
          b,
          c,
          await tx.nextNumber(requestSequence("v2", 2026)),
          await tx.nextNumber(requestSequence("v1", 2027)),
        ];
      });
      const later = await run((tx) => tx.nextNumber(requestSequence("v1", 2026)));

      expect(seqs).toEqual([1, 2, 3, 1, 1]);
      expect(later).toBe(4);
    });

    it("counts on past the number of a record stored without asking the sequence", async () => {
      await run(async (tx) => tx.put(Requests, request(7)));

      const next = await run((tx) => tx.nextNumber(requestSequence("v1", 2026)));

      expect(next).toBe(8);
    });

    it("counts on past the number of a record staged in the same unit", async () => {
      const next = await run(async (tx) => {
        tx.put(Requests, request(5));
        return tx.nextNumber(requestSequence("v1", 2026));
      });

      expect(next).toBe(6);
    });
  });

  describe("indexes", () => {
    it("finds a record by an index value, committed or staged", async () => {
      await run(async (tx) => tx.put(Bindings, binding("-100", "v1")));

      const found = await run(async (tx) => {
        tx.put(Bindings, binding("-200", "v1"));
        tx.put(Bindings, binding("-300", "v2"));
        return (await tx.find(Bindings, "village", "v1")).map((b) => b.chatId);
      });

      expect(found).toEqual(["-100", "-200"]);
    });

    it("no longer finds a record under a value once a later unit's put changes it", async () => {
      await run(async (tx) => tx.put(Bindings, binding("-100", "v1")));
      await run(async (tx) => tx.put(Bindings, binding("-100", "v2")));

      const found = await run(async (tx) => ({
        v1: await tx.find(Bindings, "village", "v1"),
        v2: (await tx.find(Bindings, "village", "v2")).map((b) => b.chatId),
      }));

      expect(found).toEqual({ v1: [], v2: ["-100"] });
    });

    it("no longer finds a record under a value once a put staged in the same unit changes it", async () => {
      await run(async (tx) => tx.put(Bindings, binding("-100", "v1")));

      const found = await run(async (tx) => {
        tx.put(Bindings, binding("-100", "v2"));
        return {
          v1: await tx.find(Bindings, "village", "v1"),
          v2: (await tx.find(Bindings, "village", "v2")).map((b) => b.chatId),
        };
      });

      expect(found).toEqual({ v1: [], v2: ["-100"] });
    });

    it("finds a record under each value of a multi-valued index", async () => {
      const identities = [
        { channel: "telegram", userId: "42" },
        { channel: "slack", userId: "U1" },
      ] as const;
      await run(async (tx) => tx.put(Members, member("m1", "v1", { identities: [...identities] })));

      const found = await run(async (tx) => [
        ids(await tx.find(Members, "identity", identityKey("telegram", "42"))),
        ids(await tx.find(Members, "identity", identityKey("slack", "U1"))),
        ids(await tx.find(Members, "identity", identityKey("slack", "42"))),
      ]);

      expect(found).toEqual([["m1"], ["m1"], []]);
    });

    it("drops only the value a multi-valued index no longer gives", async () => {
      const telegram = { channel: "telegram", userId: "42" } as const;
      const slack = { channel: "slack", userId: "U1" } as const;
      await run(async (tx) => tx.put(Members, member("m1", "v1", { identities: [telegram, slack] })));
      await run(async (tx) => tx.put(Members, member("m1", "v1", { identities: [slack] })));

      const found = await run(async (tx) => [
        ids(await tx.find(Members, "identity", identityKey("telegram", "42"))),
        ids(await tx.find(Members, "identity", identityKey("slack", "U1"))),
      ]);

      expect(found).toEqual([[], ["m1"]]);
    });

    it("finds every record under a value they share", async () => {
      const shared = { channel: "telegram", userId: "42" } as const;
      await run(async (tx) => {
        tx.put(Members, member("m1", "v1", { identities: [shared] }));
        tx.put(Members, member("m2", "v2", { identities: [shared] }));
      });

      const found = await run((tx) => tx.find(Members, "identity", identityKey("telegram", "42")));

      expect(ids(found)).toEqual(["m1", "m2"]);
    });

    it("lists records under a value in the order they were first stored, also after one changes", async () => {
      await run(async (tx) => {
        tx.put(Members, member("m1"));
        tx.put(Members, member("m2"));
        tx.put(Members, member("m3"));
      });
      await run(async (tx) => tx.put(Members, member("m1", "v1", { name: "Renamed" })));

      const listed = await run((tx) => tx.find(Members, "village", "v1"));

      expect(ids(listed)).toEqual(["m1", "m2", "m3"]);
    });

    it("lists every record of a table in the order they were first stored, also after one changes", async () => {
      await run(async (tx) => {
        tx.put(Towns, town("t1"));
        tx.put(Towns, town("t2"));
      });
      await run(async (tx) => tx.put(Towns, { ...town("t1"), name: "Renamed" }));

      const listed = await run((tx) => tx.all(Towns));

      expect(ids(listed)).toEqual(["t1", "t2"]);
    });

    it("finds a record of a table that is not resident, and not under a value it left", async () => {
      await run(async (tx) => tx.put(Notes, note("n1", "a")));
      await run(async (tx) => tx.put(Notes, note("n1", "b")));

      const found = await run(async (tx) => ({
        a: await tx.find(Notes, "shelf", "a"),
        b: await tx.find(Notes, "shelf", "b"),
        one: await tx.get(Notes, "n1"),
      }));

      expect(found).toEqual({ a: [], b: [note("n1", "b")], one: note("n1", "b") });
    });
  });

  describe("delete", () => {
    it("removes a committed record from get, find and all", async () => {
      await run(async (tx) => {
        tx.put(Households, household("h1"));
        tx.put(Households, household("h2"));
      });

      await run(async (tx) => tx.delete(Households, "h1"));

      const left = await run(async (tx) => ({
        one: await tx.get(Households, "h1"),
        found: ids(await tx.find(Households, "village", "v1")),
        all: ids(await tx.all(Households)),
      }));
      expect(left).toEqual({ one: undefined, found: ["h2"], all: ["h2"] });
    });

    it("removes a record from get, find and all inside the unit that deletes it", async () => {
      await run(async (tx) => tx.put(Households, household("h1")));

      const inside = await run(async (tx) => {
        tx.delete(Households, "h1");
        return {
          one: await tx.get(Households, "h1"),
          found: await tx.find(Households, "village", "v1"),
          all: await tx.all(Households),
        };
      });

      expect(inside).toEqual({ one: undefined, found: [], all: [] });
    });

    it("removes a record of a table that is not resident from get, find and all", async () => {
      await run(async (tx) => {
        tx.put(Requests, request(1));
        tx.put(Requests, request(2));
      });

      await run(async (tx) => tx.delete(Requests, request(1).id));

      const left = await run(async (tx) => ({
        one: await tx.get(Requests, request(1).id),
        found: (await tx.find(Requests, "active", "v1")).map((r) => r.seq),
        all: (await tx.all(Requests)).map((r) => r.seq),
      }));
      expect(left).toEqual({ one: undefined, found: [2], all: [2] });
    });

    it("stores a record put again after it was deleted in the same unit", async () => {
      await run(async (tx) => {
        tx.put(Households, household("h1"));
        tx.delete(Households, "h1");
        tx.put(Households, { ...household("h1"), name: "Back" });
      });

      const found = await run((tx) => tx.get(Households, "h1"));

      expect(found?.name).toBe("Back");
    });

    it("changes nothing else when it deletes a key that was never stored", async () => {
      await run(async (tx) => tx.put(Households, household("h1")));

      await run(async (tx) => tx.delete(Households, "h9"));

      expect(ids(await run((tx) => tx.all(Households)))).toEqual(["h1"]);
    });
  });

  describe("members", () => {
    it("finds a member by a channel identity, committed or staged", async () => {
      await run(async (tx) =>
        tx.put(Members, member("m1", "v1", { identities: [{ channel: "telegram", userId: "42" }] })),
      );

      const found = await run(async (tx) => {
        tx.put(Members, member("m2", "v1", { identities: [{ channel: "slack", userId: "U1" }] }));
        return [
          ids(await tx.find(Members, "identity", identityKey("telegram", "42"))),
          ids(await tx.find(Members, "identity", identityKey("slack", "U1"))),
          ids(await tx.find(Members, "identity", identityKey("slack", "42"))),
        ];
      });

      expect(found).toEqual([["m1"], ["m2"], []]);
    });

    it("forgets an identity the member no longer has", async () => {
      await run(async (tx) =>
        tx.put(Members, member("m1", "v1", { identities: [{ channel: "telegram", userId: "42" }] })),
      );
      await run(async (tx) => tx.put(Members, member("m1", "v1", { identities: [] })));

      const found = await run((tx) => tx.find(Members, "identity", identityKey("telegram", "42")));

      expect(found).toEqual([]);
    });

    it("lists a village's members, inactive ones included", async () => {
      await run(async (tx) => {
        tx.put(Members, member("m1", "v1"));
        tx.put(Members, member("m2", "v1", { active: false }));
        tx.put(Members, member("m3", "v2"));
      });

      const listed = await run((tx) => tx.find(Members, "village", "v1"));

      expect(listed.map((m) => [m.id, m.active])).toEqual([
        ["m1", true],
        ["m2", false],
      ]);
    });

    it("moves a member to another village's list", async () => {
      await run(async (tx) => tx.put(Members, member("m1", "v1")));
      await run(async (tx) => tx.put(Members, member("m1", "v2")));

      const lists = await run(async (tx) => [
        await tx.find(Members, "village", "v1"),
        await tx.find(Members, "village", "v2"),
      ]);

      expect(lists.map(ids)).toEqual([[], ["m1"]]);
    });
  });

  describe("households, bindings, conversations", () => {
    it("deletes a household", async () => {
      await run(async (tx) => {
        tx.put(Households, household("h1"));
        tx.put(Households, household("h2"));
      });

      await run(async (tx) => tx.delete(Households, "h1"));

      const left = await run(async (tx) => ({
        list: await tx.find(Households, "village", "v1"),
        one: await tx.get(Households, "h1"),
      }));
      expect(ids(left.list)).toEqual(["h2"]);
      expect(left.one).toBeUndefined();
    });

    it("keeps group bindings by channel and chat, and deletes them", async () => {
      const bound = binding("-100", "v1");
      await run(async (tx) => tx.put(Bindings, bound));

      const found = await run(async (tx) => [
        await tx.get(Bindings, bindingKey("telegram", "-100")),
        await tx.find(Bindings, "village", "v1"),
      ]);
      await run(async (tx) => tx.delete(Bindings, bindingKey("telegram", "-100")));
      const unbound = await run((tx) => tx.find(Bindings, "village", "v1"));

      expect(found).toEqual([bound, [bound]]);
      expect(unbound).toEqual([]);
    });

    it("keeps conversations by key, and deletes them", async () => {
      await run(async (tx) => tx.put(Conversations, conversation("local:m1")));

      const kept = await run((tx) => tx.get(Conversations, "local:m1"));
      await run(async (tx) => tx.delete(Conversations, "local:m1"));
      const gone = await run((tx) => tx.get(Conversations, "local:m1"));

      expect(kept).toEqual(conversation("local:m1"));
      expect(gone).toBeUndefined();
    });

    it("stores what the table's schema makes of a record: defaults filled in", async () => {
      const stepless = { key: "local:m1", updatedAt: AT } as Conversation;

      await run(async (tx) => tx.put(Conversations, stepless));

      expect(await run((tx) => tx.get(Conversations, "local:m1"))).toEqual({ ...stepless, steps: [] });
    });
  });

  describe("requests", () => {
    it("lists active requests: submitted, accepted, in progress and resolved", async () => {
      const states = RequestState.options;
      await run(async (tx) => {
        for (const [index, state] of states.entries()) tx.put(Requests, request(index + 1, { state }));
        tx.put(Requests, request(1, { villageId: "v2" }));
      });

      const active = await run((tx) => tx.find(Requests, "active", "v1"));

      expect(active.map((r) => r.state)).toEqual(["submitted", "accepted", "in_progress", "resolved"]);
    });

    it("drops a request from the active list when it closes, seen inside the unit too", async () => {
      await run(async (tx) => tx.put(Requests, request(1)));

      const inside = await run(async (tx) => {
        tx.put(Requests, request(1, { state: "rated" }));
        return tx.find(Requests, "active", "v1");
      });
      const after = await run((tx) => tx.find(Requests, "active", "v1"));

      expect(inside).toEqual([]);
      expect(after).toEqual([]);
    });

    it("lists every request of one requester, in any state", async () => {
      await run(async (tx) => {
        tx.put(Requests, request(1, { requesterId: "m1", state: "rated" }));
        tx.put(Requests, request(2, { requesterId: "m2" }));
        tx.put(Requests, request(3, { requesterId: "m1" }));
      });

      const mine = await run((tx) => tx.find(Requests, "requester", "v1/m1"));

      expect(mine.map((r) => r.seq)).toEqual([1, 3]);
    });

    it("gets a request by id, and nothing for an unknown id", async () => {
      await run(async (tx) => tx.put(Requests, request(7)));

      const found = await run(async (tx) => [
        await tx.get(Requests, request(7).id),
        await tx.get(Requests, "XX-1"),
      ]);

      expect(found).toEqual([request(7), undefined]);
    });
  });

  describe("processed events", () => {
    it("remembers processed event keys, staged and committed", async () => {
      await run(async (tx) => tx.markProcessed("a"));

      const seen = await run(async (tx) => {
        tx.markProcessed("b");
        return [await tx.hasProcessed("a"), await tx.hasProcessed("b"), await tx.hasProcessed("c")];
      });

      expect(seen).toEqual([true, true, false]);
    });

    it("remembers only the most recent 10,000 keys", async () => {
      await run(async (tx) => {
        for (let i = 0; i <= 10_000; i++) tx.markProcessed(`update:${i}`);
      });

      const seen = await run(async (tx) => [
        await tx.hasProcessed("update:0"),
        await tx.hasProcessed("update:1"),
      ]);

      expect(seen).toEqual([false, true]);
    });
  });

  describe("outbox", () => {
    it("turns enqueued messages into entries, due from their creation, in creation order", async () => {
      await run(async (tx) => {
        tx.enqueue(target("a"), text("first"));
        tx.enqueue(target("b"), text("second"));
      });

      const before = await store.due(new Date(clock.now().getTime() - 1), 10);
      const due = await store.due(clock.now(), 10);

      expect(before).toEqual([]);
      expect(due.map((e) => [e.target.chatId, e.attempts, e.createdAt, e.notBefore])).toEqual([
        ["a", 0, AT, AT],
        ["b", 0, AT, AT],
      ]);
      expect(due[0]?.id.localeCompare(due[1]?.id ?? "")).toBe(-1);
    });

    it("holds back a message queued for later, and its replacement under the same key", async () => {
      const later = new Date(clock.now().getTime() + 5_000);
      await run(async (tx) => tx.enqueue(target(), text("count 1"), { key: "poll:1", notBefore: later }));
      await run(async (tx) => tx.enqueue(target(), text("count 2"), { key: "poll:1" }));

      const early = await store.due(new Date(later.getTime() - 1), 10);
      const due = await store.due(later, 10);

      expect(early).toEqual([]);
      expect(due.map((e) => [e.message.lines[0]?.key, e.notBefore])).toEqual([
        ["count 2", later.toISOString()],
      ]);
    });

    it("returns at most `limit` due entries", async () => {
      await run(async (tx) => {
        for (const chat of ["a", "b", "c"]) tx.enqueue(target(chat), text("x"));
      });

      const due = await store.due(clock.now(), 2);

      expect(due.map((e) => e.target.chatId)).toEqual(["a", "b"]);
    });

    it("forgets an entry once it is sent", async () => {
      await run(async (tx) => tx.enqueue(target(), text("x")));
      const [entry] = await store.due(clock.now(), 10);

      await store.markSent([{ id: entry?.id ?? "", revision: 0 }]);

      expect(await store.due(clock.now(), 10)).toEqual([]);
    });

    it("counts a failure and holds the entry back until the retry time", async () => {
      await run(async (tx) => tx.enqueue(target(), text("x")));
      const [entry] = await store.due(clock.now(), 10);
      const retryAt = new Date(clock.now().getTime() + 60_000);

      await store.markFailed(entry?.id ?? "", "429 Too Many Requests", retryAt);

      expect(await store.due(new Date(retryAt.getTime() - 1), 10)).toEqual([]);
      const [retried] = await store.due(retryAt, 10);
      expect(retried).toMatchObject({
        attempts: 1,
        notBefore: retryAt.toISOString(),
        lastError: "429 Too Many Requests",
      });
    });

    it("moves an entry given up on to the dead letters", async () => {
      await run(async (tx) => tx.enqueue(target(), text("x")));
      const [entry] = await store.due(clock.now(), 10);

      await store.markFailed(entry?.id ?? "", "403 Forbidden", undefined);

      expect(await store.due(clock.now(), 10)).toEqual([]);
      expect(store.deadLetters().map((e) => [e.id, e.attempts, e.lastError])).toEqual([
        [entry?.id, 1, "403 Forbidden"],
      ]);
    });

    it("keeps only the last 1,000 dead letters", async () => {
      await run(async (tx) => {
        for (let i = 0; i < 1_001; i++) tx.enqueue(target(`c${i}`), text("x"));
      });
      const entries = await store.due(clock.now(), 2_000);

      await Promise.all(entries.map((e) => store.markFailed(e.id, "gone", undefined)));

      const dead = store.deadLetters();
      expect(dead).toHaveLength(1_000);
      expect(dead[0]?.target.chatId).toBe("c1");
    });
  });

  describe("copies", () => {
    it("hands out copies: changing a read object changes nothing stored", async () => {
      await run(async (tx) => tx.put(Requests, request(1)));

      await run(async (tx) => {
        const read = await tx.get(Requests, request(1).id);
        read?.timeline.push({ at: AT, by: "m9", action: "progress" });
        if (read !== undefined) read.state = "declined";
      });

      expect(await run((tx) => tx.get(Requests, request(1).id))).toEqual(request(1));
    });

    it("hands out copies of records found through an index", async () => {
      await run(async (tx) => tx.put(Members, member("m1")));

      await run(async (tx) => {
        const [found] = await tx.find(Members, "village", "v1");
        if (found !== undefined) found.name = "Changed";
      });

      expect(await run((tx) => tx.get(Members, "m1"))).toEqual(member("m1"));
    });

    it("copies what is put: changing the object afterwards changes nothing stored", async () => {
      const original = member("m1");

      await run(async (tx) => {
        tx.put(Members, original);
        original.name = "Changed";
        original.identities.push({ channel: "slack", userId: "U1" });
      });

      expect(await run((tx) => tx.get(Members, "m1"))).toEqual(member("m1"));
    });

    it("hands out copies of outbox entries", async () => {
      await run(async (tx) => tx.enqueue(target("a"), text("x")));
      const [entry] = await store.due(clock.now(), 10);

      if (entry !== undefined) entry.target.chatId = "changed";

      const [again] = await store.due(clock.now(), 10);
      expect(again?.target.chatId).toBe("a");
    });
  });
}
