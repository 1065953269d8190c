import { beforeEach, describe, expect, it } from "vitest";
import { inUnit, localGroupChat } from "../../../src/app/deps.js";
import type { Decision } from "../../../src/domain/decision.js";
import { Decisions, reviewDecisions } from "../../../src/features/decisions/index.js";
import { recordDecisionIn } from "../../../src/features/decisions/use-cases.js";
import { closeDuePolls, Polls } from "../../../src/features/polls/index.js";
import { Topics } from "../../../src/features/topics/index.js";
import { createHarness, type Harness, proposedTopic, seedVillage } from "../../app/harness.js";
import type { SeededVillage } from "../../support/village.js";

let h: Harness;
let people: SeededVillage;
let group: string;

beforeEach(async () => {
  h = await createHarness();
  people = await seedVillage(h);
  group = localGroupChat(people.village.id);
});

const stored = async (id: string): Promise<Decision> => {
  const decision = await h.store.transaction((tx) => tx.get(Decisions, id));
  if (decision === undefined) throw new Error(`no decision ${id}`);
  return decision;
};
const press = (userId: string, data: string, options: { group?: string } = {}) =>
  h.send(userId, { type: "button", data }, options);
const say = (userId: string, text: string) => h.send(userId, { type: "text", text });
const keysIn = (chatId: string) => h.messages(chatId).map((m) => m.entry.message.lines[0]?.key);

async function decided(days = 30): Promise<Decision> {
  const recorded = await inUnit(h.deps, (unit) =>
    recordDecisionIn(unit, people.secretary, {
      outcome: "用村集体资金修村口的路",
      ownerId: people.worker.id,
      days,
    }),
  );
  if (!recorded.ok) throw new Error(recorded.reason);
  await h.drain();
  return recorded.value;
}

describe("recording a decision (决议)", () => {
  it("walks the secretary through topic, words, owner and deadline, and tells the group and the owner", async () => {
    const topicId = await proposedTopic(h, people.villager);
    await press(people.secretary.id, "dn");
    await press(people.secretary.id, `dt:${topicId}`);
    await say(people.secretary.id, "用村集体资金修村口的路，年底前完工");
    await press(people.secretary.id, `do:${people.worker.id}`);

    await press(people.secretary.id, "dl:30");

    const decision = await stored("DF-D1");
    const linked = await h.store.transaction((tx) => tx.get(Topics, topicId));
    expect([decision.topicId, decision.ownerId, decision.state]).toEqual([
      topicId,
      people.worker.id,
      "implementing",
    ]);
    expect(Date.parse(decision.deadline) - h.now.getTime()).toBe(30 * 86_400_000);
    expect(Date.parse(decision.reviewOn) - Date.parse(decision.deadline)).toBe(7 * 86_400_000);
    expect([linked?.state, linked?.decisionIds]).toEqual(["decided", ["DF-D1"]]);
    expect(keysIn(group)).toContain("decisions.group.recorded");
    expect(keysIn(people.worker.id)).toContain("decisions.owner.assigned");
  });

  it("refuses a villager who tries to record a decision", async () => {
    const outcome = await press(people.villager.id, "dn");

    const direct = await inUnit(h.deps, (unit) =>
      recordDecisionIn(unit, people.villager, { outcome: "修路", ownerId: people.worker.id, days: 7 }),
    );

    expect(outcome.notice?.key).toBe("decisions.refusal.not_allowed");
    expect(direct).toMatchObject({ ok: false, reason: "not_allowed" });
  });

  it("refuses a villager as the owner", async () => {
    const refused = await inUnit(h.deps, (unit) =>
      recordDecisionIn(unit, people.secretary, { outcome: "修路", ownerId: people.villager.id, days: 7 }),
    );

    expect(refused).toMatchObject({ ok: false, reason: "no_such_owner" });
  });
});

describe("implementation and progress (成果共享)", () => {
  it("records the owner's progress with a photo and shares it with the group", async () => {
    const decision = await decided();
    await press(people.worker.id, `dp:${decision.id}:50`);

    await h.send(people.worker.id, { type: "photo", fileRef: "half.jpg", caption: "路基已经铺好" });

    const after = await stored(decision.id);
    const shared = h
      .messages(group)
      .find((m) => m.entry.message.lines[0]?.key === "decisions.group.progress");
    expect(after.progress.map((p) => [p.percent, p.note])).toEqual([[50, "路基已经铺好"]]);
    expect(shared?.entry.message.attachments?.map((a) => a.fileRef)).toEqual(["half.jpg"]);
  });

  it("refuses progress from someone who is neither the owner nor the secretary", async () => {
    const decision = await decided();

    const outcome = await press(people.otherWorker.id, `dp:${decision.id}:50`);

    expect(outcome.notice?.key).toBe("decisions.refusal.not_allowed");
    expect((await stored(decision.id)).progress).toEqual([]);
  });

  it("refuses progress over 100%, from a button no menu offers", async () => {
    const decision = await decided();

    const outcome = await press(people.worker.id, `dp:${decision.id}:150`);

    expect(outcome.notice?.key).toBe("decisions.refusal.percent_invalid");
    expect((await stored(decision.id)).progress).toEqual([]);
  });

  it("opens the village's satisfaction poll (效果共评) as soon as the owner reports 100%", async () => {
    const decision = await decided();
    await press(people.worker.id, `dp:${decision.id}:100`);

    await say(people.worker.id, "路修好了");

    const after = await stored(decision.id);
    const poll = await h.store.transaction((tx) => tx.get(Polls, after.effectPollId ?? ""));
    expect(after.state).toBe("evaluating");
    expect([poll?.kind, poll?.results, poll?.anonymous, poll?.decisionId]).toEqual([
      "satisfaction",
      "after_close",
      true,
      decision.id,
    ]);
    expect(keysIn(group)).toContain("decisions.group.done");
  });

  it("refuses progress once the implementation is done", async () => {
    const decision = await decided();
    await press(people.worker.id, `dp:${decision.id}:100`);
    await say(people.worker.id, "路修好了");

    const outcome = await press(people.secretary.id, `dp:${decision.id}:100`);

    expect(outcome.notice?.key).toBe("decisions.refusal.decision_done");
  });
});

describe("effect evaluation (效果共评)", () => {
  it("opens the effect poll on the review date, deadline + 7 days, once however often the job runs", async () => {
    const decision = await decided(30);
    h.advanceHours(36 * 24);
    await reviewDecisions(h.deps);
    expect((await stored(decision.id)).effectPollId).toBeUndefined();

    h.advanceHours(24);
    await reviewDecisions(h.deps);
    await reviewDecisions(h.deps);

    const polls = await h.store.transaction((tx) => tx.all(Polls));
    expect(polls.map((poll) => poll.decisionId)).toEqual([decision.id]);
    expect((await stored(decision.id)).state).toBe("evaluating");
  });

  it("attaches the poll's result to the decision once it closes, and tells the group", async () => {
    const decision = await decided();
    await press(people.worker.id, `dp:${decision.id}:100`);
    await say(people.worker.id, "路修好了");
    const pollId = (await stored(decision.id)).effectPollId ?? "";
    await press(people.villager.id, `pv:${pollId}:0`, { group });
    await press(people.neighbour.id, `pv:${pollId}:2`, { group });

    h.advanceHours(7 * 24);
    await closeDuePolls(h.deps);
    await reviewDecisions(h.deps);
    await h.drain();

    const after = await stored(decision.id);
    expect(after.state).toBe("evaluated");
    expect(after.effect).toMatchObject({ satisfied: 1, mostlySatisfied: 0, notSatisfied: 1, ballots: 2 });
    expect(
      h.messages(group).find((m) => m.entry.message.lines[0]?.key === "decisions.group.effect")?.text,
    ).toContain("满意率50%");
  });
});
