import { performance } from "node:perf_hooks";
import { createApp } from "../../src/app/create-app.js";
import { inUnit, localGroupChat } from "../../src/app/deps.js";
import type { Clock, Outbox } from "../../src/app/ports.js";
import { Members } from "../../src/app/tables.js";
import type { Member } from "../../src/domain/model.js";
import { FEATURES } from "../../src/features/index.js";
import { Polls } from "../../src/features/polls/index.js";
import { closePollIn, openPollIn } from "../../src/features/polls/use-cases.js";
import { openLowdbStore } from "../../src/store/lowdb/index.js";
import { calendar, memberId, villageId } from "./history.js";

export interface PollFigures {
  votesPerSecond: number;
  editsPer1000Votes: number;
  closeMs: number;
}

const VOTERS = 1_000;
const AT_ONCE = 64;
/** The edit run spreads the votes over a minute of the app's clock. */
const MINUTE_MS = 60_000;

/**
 * A village of 1,000 members on the lowdb store with the prepared history. First every member votes once,
 * spread over a minute of the app's clock, each vote through `handleInbound` as a button pressed in the
 * village group, while the outbox is emptied as it comes due: the live count's edits are counted. Then a
 * second poll takes the same 1,000 votes as fast as they come, 64 at a time (votes per second), and the
 * secretary closes it (counting and publishing the result).
 */
export async function pollBench(dir: string): Promise<PollFigures> {
  let now = Date.parse("2026-11-24T02:00:00Z");
  const clock: Clock = { now: () => new Date(now) };
  const app = await createApp({
    features: FEATURES,
    openStore: (tables) => openLowdbStore(dir, { tables, clock }),
    clock,
    calendar,
    channels: ["local"],
  });
  try {
    const village = villageId(0);
    const secretary = await inUnit(app.deps, (unit) => unit.tx.get(Members, memberId(0, 0)));
    if (secretary === undefined) throw new Error("the history has no secretary");
    const voters = await addVoters(app.deps, secretary);
    const group = localGroupChat(village);
    const open = async (question: string) => {
      const opened = await inUnit(app.deps, (unit) =>
        openPollIn(unit, secretary, {
          question,
          kind: "yes_no",
          options: [],
          anonymous: true,
          results: "live",
          perHousehold: false,
          days: 3,
        }),
      );
      if (!opened.ok) throw new Error(opened.reason);
      return opened.value.id;
    };
    const vote = (pollId: string, voter: Member, n: number) =>
      app.handle({
        eventId: `${pollId}-${n}`,
        channel: "local",
        userId: voter.id,
        chat: { kind: "group", chatId: group },
        input: { type: "button", data: `pv:${pollId}:${n % 3}` },
      });

    const first = await open("要不要修村口的路？");
    await sendDue(app.store, clock.now());
    let edits = 0;
    const start = now;
    for (const [n, voter] of voters.entries()) {
      now = start + Math.round((n * MINUTE_MS) / VOTERS);
      await vote(first, voter, n);
      edits += await sendDue(app.store, clock.now(), `poll:${first}`);
    }
    now = start + MINUTE_MS + 10_000;
    edits += await sendDue(app.store, clock.now(), `poll:${first}`);

    const second = await open("要不要装路灯？");
    let next = 0;
    const began = performance.now();
    await Promise.all(
      Array.from({ length: AT_ONCE }, async () => {
        while (next < voters.length) {
          const n = next++;
          await vote(second, voters[n] as Member, n);
        }
      }),
    );
    const votesPerSecond = voters.length / ((performance.now() - began) / 1000);
    const counted = await inUnit(app.deps, (unit) => unit.tx.get(Polls, second));
    if (counted?.ballots !== voters.length)
      throw new Error(`counted ${counted?.ballots} of ${voters.length} votes`);

    const closing = performance.now();
    const closed = await inUnit(app.deps, (unit) => closePollIn(unit, secretary, second));
    const closeMs = performance.now() - closing;
    if (!closed.ok) throw new Error(closed.reason);
    return { votesPerSecond, editsPer1000Votes: (edits * 1000) / voters.length, closeMs };
  } finally {
    await app.close();
  }
}

/** Fills the village's roster up to 1,000 members (the history's 50 and new villagers). */
async function addVoters(deps: Parameters<typeof inUnit>[0], secretary: Member): Promise<Member[]> {
  return inUnit(deps, async (unit) => {
    const members = (await unit.tx.find(Members, "village", secretary.villageId)).filter((m) => m.active);
    for (let i = members.length; i < VOTERS; i++) {
      const member: Member = {
        id: await unit.tx.nextId(Members),
        villageId: secretary.villageId,
        name: `村民${i}`,
        role: "villager",
        identities: [],
        active: true,
      };
      unit.tx.put(Members, member);
      members.push(member);
    }
    return members.slice(0, VOTERS);
  });
}

/** Marks sent what is due now, as a dispatcher would; gives how many were under `key`. */
async function sendDue(store: Outbox, now: Date, key?: string): Promise<number> {
  const due = await store.due(now, 10_000);
  if (due.length > 0)
    await store.markSent(due.map((entry) => ({ id: entry.id, revision: entry.revision ?? 0 })));
  return due.filter((entry) => entry.key === key).length;
}
