import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Transaction } from "../../src/app/ports.js";
import { RequestState } from "../../src/domain/model.js";
import type { StagedStore } from "../../src/store/staged.js";
import {
  AT,
  conversation,
  household,
  ManualClock,
  member,
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

/** The behaviour every Store adapter promises, run against one adapter. */
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

  describe("units of work", () => {
    it("returns what the work returned", async () => {
      const result = await run(async () => 42);

      expect(result).toBe(42);
    });

    it("lets a unit read its own staged writes", async () => {
      const seen = await run(async (tx) => {
        tx.putVillage(village("v1"));
        return { one: await tx.getVillage("v1"), all: await tx.listVillages() };
      });

      expect(seen.one?.name).toBe("East Village");
      expect(seen.all.map((v) => v.id)).toEqual(["v1"]);
    });

    it("shows committed writes to later units", async () => {
      await run(async (tx) => tx.putTown(town("t1")));

      const found = await run((tx) => tx.getTown("t1"));

      expect(found).toEqual(town("t1"));
    });

    it("commits nothing when the work throws", async () => {
      const failing = run(async (tx) => {
        await tx.nextId("village");
        tx.putVillage(village("v1"));
        tx.markProcessed("update:1");
        tx.enqueue(target(), text("hello"));
        throw new Error("boom");
      });

      await expect(failing).rejects.toThrow("boom");
      const after = await run(async (tx) => ({
        village: await tx.getVillage("v1"),
        processed: await tx.hasProcessed("update:1"),
        id: await tx.nextId("village"),
      }));
      expect(after).toEqual({ village: undefined, processed: false, id: "v1" });
      expect(await store.due(clock.now(), 10)).toEqual([]);
    });

    it("runs units one at a time, so concurrent read-modify-writes both land", async () => {
      await run(async (tx) => tx.putTown(town("t1")));
      const addSupervisor = (id: string) =>
        run(async (tx) => {
          const current = await tx.getTown("t1");
          await new Promise((resolve) => setTimeout(resolve, 5));
          if (current === undefined) throw new Error("no town");
          tx.putTown({ ...current, supervisors: [...current.supervisors, { id, name: id }] });
        });

      await Promise.all([addSupervisor("a"), addSupervisor("b")]);

      const final = await run((tx) => tx.getTown("t1"));
      expect(final?.supervisors.map((s) => s.id)).toEqual(["a", "b"]);
    });

    it("refuses a unit's transaction object once the unit has ended", async () => {
      let leaked: Transaction | undefined;
      await run(async (tx) => {
        leaked = tx;
      });

      expect(() => leaked?.putTown(town("t9"))).toThrow(/ended/);
    });
  });

  describe("ids", () => {
    it("hands out short ids per kind, counting on across units", async () => {
      const first = await run(async (tx) => [
        await tx.nextId("town"),
        await tx.nextId("village"),
        await tx.nextId("member"),
        await tx.nextId("member"),
        await tx.nextId("household"),
      ]);
      const second = await run((tx) => tx.nextId("member"));

      expect(first).toEqual(["t1", "v1", "m1", "m2", "h1"]);
      expect(second).toBe("m3");
    });

    it("numbers a village's requests per year, counting requests staged in the same unit", async () => {
      const seqs = await run(async (tx) => {
        const a = await tx.nextRequestSeq("v1", 2026);
        tx.putRequest(request(a));
        const b = await tx.nextRequestSeq("v1", 2026);
        const c = await tx.nextRequestSeq("v1", 2026);
        return [a, b, c, await tx.nextRequestSeq("v2", 2026), await tx.nextRequestSeq("v1", 2027)];
      });
      const later = await run((tx) => tx.nextRequestSeq("v1", 2026));

      expect(seqs).toEqual([1, 2, 3, 1, 1]);
      expect(later).toBe(4);
    });
  });

  describe("members", () => {
    it("finds a member by a channel identity, committed or staged", async () => {
      await run(async (tx) =>
        tx.putMember(member("m1", "v1", { identities: [{ channel: "telegram", userId: "42" }] })),
      );

      const found = await run(async (tx) => {
        tx.putMember(member("m2", "v1", { identities: [{ channel: "slack", userId: "U1" }] }));
        return [
          (await tx.findMemberByIdentity({ channel: "telegram", userId: "42" }))?.id,
          (await tx.findMemberByIdentity({ channel: "slack", userId: "U1" }))?.id,
          (await tx.findMemberByIdentity({ channel: "slack", userId: "42" }))?.id,
        ];
      });

      expect(found).toEqual(["m1", "m2", undefined]);
    });

    it("forgets an identity the member no longer has", async () => {
      await run(async (tx) =>
        tx.putMember(member("m1", "v1", { identities: [{ channel: "telegram", userId: "42" }] })),
      );
      await run(async (tx) => tx.putMember(member("m1", "v1", { identities: [] })));

      const found = await run((tx) => tx.findMemberByIdentity({ channel: "telegram", userId: "42" }));

      expect(found).toBeUndefined();
    });

    it("lists a village's members, inactive ones included", async () => {
      await run(async (tx) => {
        tx.putMember(member("m1", "v1"));
        tx.putMember(member("m2", "v1", { active: false }));
        tx.putMember(member("m3", "v2"));
      });

      const listed = await run((tx) => tx.listMembers("v1"));

      expect(listed.map((m) => [m.id, m.active])).toEqual([
        ["m1", true],
        ["m2", false],
      ]);
    });

    it("moves a member to another village's list", async () => {
      await run(async (tx) => tx.putMember(member("m1", "v1")));
      await run(async (tx) => tx.putMember(member("m1", "v2")));

      const lists = await run(async (tx) => [await tx.listMembers("v1"), await tx.listMembers("v2")]);

      expect(lists.map((list) => list.map((m) => m.id))).toEqual([[], ["m1"]]);
    });
  });

  describe("households, bindings, conversations", () => {
    it("deletes a household", async () => {
      await run(async (tx) => {
        tx.putHousehold(household("h1"));
        tx.putHousehold(household("h2"));
      });

      await run(async (tx) => tx.deleteHousehold("h1"));

      const left = await run(async (tx) => ({
        list: await tx.listHouseholds("v1"),
        one: await tx.getHousehold("h1"),
      }));
      expect(left.list.map((h) => h.id)).toEqual(["h2"]);
      expect(left.one).toBeUndefined();
    });

    it("keeps group bindings by channel and chat, and deletes them", async () => {
      const binding = {
        channel: "telegram",
        chatId: "-100",
        villageId: "v1",
        boundAt: AT,
        boundBy: "m1",
      } as const;
      await run(async (tx) => tx.putBinding(binding));

      const bound = await run(async (tx) => [
        await tx.getBinding("telegram", "-100"),
        await tx.listBindings("v1"),
      ]);
      await run(async (tx) => tx.deleteBinding("telegram", "-100"));
      const unbound = await run((tx) => tx.listBindings("v1"));

      expect(bound).toEqual([binding, [binding]]);
      expect(unbound).toEqual([]);
    });

    it("keeps conversations by key, and deletes them", async () => {
      await run(async (tx) => tx.putConversation(conversation("local:m1")));

      const kept = await run((tx) => tx.getConversation("local:m1"));
      await run(async (tx) => tx.deleteConversation("local:m1"));
      const gone = await run((tx) => tx.getConversation("local:m1"));

      expect(kept).toEqual(conversation("local:m1"));
      expect(gone).toBeUndefined();
    });
  });

  describe("requests", () => {
    it("lists active requests: submitted, accepted, in progress and resolved", async () => {
      const states = RequestState.options;
      await run(async (tx) => {
        for (const [index, state] of states.entries()) tx.putRequest(request(index + 1, { state }));
        tx.putRequest(request(1, { villageId: "v2" }));
      });

      const active = await run((tx) => tx.listActiveRequests("v1"));

      expect(active.map((r) => r.state)).toEqual(["submitted", "accepted", "in_progress", "resolved"]);
    });

    it("drops a request from the active list when it closes, seen inside the unit too", async () => {
      await run(async (tx) => tx.putRequest(request(1)));

      const inside = await run(async (tx) => {
        tx.putRequest(request(1, { state: "rated" }));
        return tx.listActiveRequests("v1");
      });
      const after = await run((tx) => tx.listActiveRequests("v1"));

      expect(inside).toEqual([]);
      expect(after).toEqual([]);
    });

    it("lists every request of one requester, in any state", async () => {
      await run(async (tx) => {
        tx.putRequest(request(1, { requesterId: "m1", state: "rated" }));
        tx.putRequest(request(2, { requesterId: "m2" }));
        tx.putRequest(request(3, { requesterId: "m1" }));
      });

      const mine = await run((tx) => tx.listRequestsOf("v1", "m1"));

      expect(mine.map((r) => r.seq)).toEqual([1, 3]);
    });

    it("gets a request by id, and nothing for an unknown id", async () => {
      await run(async (tx) => tx.putRequest(request(7)));

      const found = await run(async (tx) => [
        await tx.getRequest(request(7).id),
        await tx.getRequest("XX-1"),
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

      await store.markSent(entry?.id ?? "");

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
      await run(async (tx) => tx.putRequest(request(1)));

      await run(async (tx) => {
        const read = await tx.getRequest(request(1).id);
        read?.timeline.push({ at: AT, by: "m9", action: "progress" });
        if (read !== undefined) read.state = "declined";
      });

      expect(await run((tx) => tx.getRequest(request(1).id))).toEqual(request(1));
    });

    it("copies what is put: changing the object afterwards changes nothing stored", async () => {
      const original = member("m1");

      await run(async (tx) => {
        tx.putMember(original);
        original.name = "Changed";
        original.identities.push({ channel: "slack", userId: "U1" });
      });

      expect(await run((tx) => tx.getMember("m1"))).toEqual(member("m1"));
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
