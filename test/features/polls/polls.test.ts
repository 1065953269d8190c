import { beforeEach, describe, expect, it } from "vitest";
import { inUnit, localGroupChat } from "../../../src/app/deps.js";
import type { Member } from "../../../src/domain/model.js";
import type { Poll } from "../../../src/domain/poll.js";
import {
  closeDuePolls,
  type NewPoll,
  Polls,
  remindNonVoters,
  Votes,
} from "../../../src/features/polls/index.js";
import { changePollIn, openPollIn } from "../../../src/features/polls/use-cases.js";
import { addMemberIn } from "../../../src/features/roster/index.js";
import { proposeTopicIn } from "../../../src/features/topics/index.js";
import { addVillagers, createHarness, type Harness, seedVillage } from "../../app/harness.js";
import { yesNoPoll } from "../../support/polls.js";
import { type SeededVillage, seedVillage as seedSharedVillage } from "../../support/village.js";

let h: Harness;
let people: SeededVillage;
let group: string;

beforeEach(async () => {
  h = await createHarness();
  people = await seedVillage(h);
  group = localGroupChat(people.village.id);
});

const stored = async (id: string): Promise<Poll> => {
  const poll = await h.store.transaction((tx) => tx.get(Polls, id));
  if (poll === undefined) throw new Error(`no poll ${id}`);
  return poll;
};
const press = (userId: string, data: string, options: { group?: string } = {}) =>
  h.send(userId, { type: "button", data }, options);
const say = (userId: string, text: string) => h.send(userId, { type: "text", text });

async function open(settings: Partial<NewPoll> = {}): Promise<Poll> {
  const opened = await inUnit(h.deps, (unit) =>
    openPollIn(unit, people.secretary, yesNoPoll(undefined, settings)),
  );
  if (!opened.ok) throw new Error(opened.reason);
  await h.drain();
  return opened.value;
}

describe("opening a poll", () => {
  it("walks the secretary through the form with buttons and posts the poll to the group", async () => {
    await press(people.secretary.id, "pn");
    await press(people.secretary.id, "pt:none");
    await press(people.secretary.id, "pk:yes_no");
    await say(people.secretary.id, "同意用村集体资金修村口的路吗？");
    await press(people.secretary.id, "pg:d");

    await press(people.secretary.id, "pub");

    const poll = await stored("DF-P1");
    const posted = h.messages(group).find((m) => m.entry.key === "poll:DF-P1");
    expect([poll.kind, poll.options, poll.anonymous, poll.results]).toEqual([
      "yes_no",
      ["yes", "no", "abstain"],
      true,
      "live",
    ]);
    expect(Date.parse(poll.closesAt) - h.now.getTime()).toBe(7 * 86_400_000);
    expect(h.buttonsOf(posted?.entry.message ?? { lines: [] })).toEqual([
      "polls.button.vote",
      "polls.button.vote",
      "polls.button.vote",
      "polls.button.card",
    ]);
  });

  it("keeps a poll that decides a topic open a week, and any other three days", async () => {
    const topic = await inUnit(h.deps, (unit) =>
      proposeTopicIn(unit, people.villager, {
        title: "修路",
        text: "路坏了",
        attachments: [],
        requestIds: [],
      }),
    );
    if (!topic.ok) throw new Error(topic.reason);
    const openWith = async (topicData: string) => {
      await press(people.secretary.id, "pn");
      await press(people.secretary.id, `pt:${topicData}`);
      await press(people.secretary.id, "pk:yes_no");
      await say(people.secretary.id, "同意吗？");
      await press(people.secretary.id, "pub");
    };

    await openWith(topic.value.id);
    await openWith("none");

    const days = async (id: string) =>
      (Date.parse((await stored(id)).closesAt) - h.now.getTime()) / 86_400_000;
    expect([await days("DF-P1"), await days("DF-P2")]).toEqual([7, 3]);
  });

  it("takes the options of a choose-one poll one per line", async () => {
    await press(people.secretary.id, "pn");
    await press(people.secretary.id, "pt:none");
    await press(people.secretary.id, "pk:single");
    await say(people.secretary.id, "文化广场建在哪里？");
    await say(people.secretary.id, "村委会旁边\n小学后面\n河边空地");

    await press(people.secretary.id, "pub");

    expect((await stored("DF-P1")).options).toEqual(["村委会旁边", "小学后面", "河边空地"]);
  });

  it("refuses a villager who tries to open a poll", async () => {
    const outcome = await press(people.villager.id, "pn");
    const direct = await inUnit(h.deps, (unit) =>
      openPollIn(unit, people.villager, {
        question: "要不要装路灯？",
        kind: "yes_no",
        options: [],
        anonymous: true,
        results: "live",
        perHousehold: false,
        days: 3,
      }),
    );

    expect(outcome.notice?.key).toBe("polls.refusal.not_allowed");
    expect(direct).toMatchObject({ ok: false, reason: "not_allowed" });
  });
});

describe("voting", () => {
  it("counts a vote pressed in the group and confirms it only to the voter", async () => {
    const poll = await open();
    const before = h.messages(group).length;

    const outcome = await press(people.villager.id, `pv:${poll.id}:0`, { group });

    expect(outcome.notice?.key).toBe("polls.voted");
    expect([(await stored(poll.id)).tally, (await stored(poll.id)).ballots]).toEqual([[1, 0, 0], 1]);
    expect(
      h
        .messages(group)
        .slice(before)
        .map((m) => m.entry.key),
    ).toEqual([`poll:${poll.id}`]);
    expect(h.messages(people.villager.id).slice(-1)[0]?.entry.message.lines[0]?.key).not.toBe("polls.voted");
  });

  it("lets a member change their vote until the close", async () => {
    const poll = await open();

    await press(people.villager.id, `pv:${poll.id}:0`, { group });
    await press(people.villager.id, `pv:${poll.id}:1`, { group });

    expect([(await stored(poll.id)).tally, (await stored(poll.id)).ballots]).toEqual([[0, 1, 0], 1]);
  });

  it("takes several options in a choose-several poll, a second press taking one back", async () => {
    const poll = await open({ kind: "multiple", options: ["修路", "装路灯", "建广场"] });

    await press(people.villager.id, `pv:${poll.id}:0`, { group });
    await press(people.villager.id, `pv:${poll.id}:2`, { group });
    await press(people.villager.id, `pv:${poll.id}:0`, { group });

    const vote = await h.store.transaction((tx) => tx.get(Votes, `${poll.id}/${people.villager.id}`));
    expect([vote?.choices, (await stored(poll.id)).tally]).toEqual([[2], [0, 0, 1]]);
  });

  it("counts the latest vote of a household when it is one vote per household", async () => {
    const poll = await open({ perHousehold: true });

    await press(people.worker.id, `pv:${poll.id}:0`, { group });
    await press(people.otherWorker.id, `pv:${poll.id}:1`, { group });

    const after = await stored(poll.id);
    expect([after.tally, after.ballots]).toEqual([[0, 1, 0], 1]);
  });

  it("changes nothing twice when the same vote is delivered twice", async () => {
    const poll = await open({ kind: "multiple", options: ["修路", "装路灯"] });

    await h.send(people.villager.id, { type: "button", data: `pv:${poll.id}:0` }, { group, eventId: "v1" });
    await h.send(people.villager.id, { type: "button", data: `pv:${poll.id}:0` }, { group, eventId: "v1" });

    expect((await stored(poll.id)).tally).toEqual([1, 0]);
  });

  it("refuses a vote after the closing time", async () => {
    const poll = await open();
    h.advanceHours(3 * 24);

    const outcome = await press(people.villager.id, `pv:${poll.id}:0`, { group });

    expect(outcome.notice?.key).toBe("polls.refusal.poll_closed");
    expect((await stored(poll.id)).ballots).toBe(0);
  });

  it("refuses a member of another village", async () => {
    const poll = await open();
    const other = await seedSharedVillage(h.app, { village: "西山村", code: "XS" });

    const outcome = await press(other.villager.id, `pv:${poll.id}:0`);

    expect(outcome.notice?.key).toBe("polls.refusal.no_such_poll");
    expect((await stored(poll.id)).ballots).toBe(0);
  });

  it("refuses someone in the group who is on no roster", async () => {
    const poll = await open();

    const outcome = await h.send("stranger-1", { type: "button", data: `pv:${poll.id}:0` }, { group });

    expect(outcome.notice?.key).toBe("refusal.join_first");
    expect((await stored(poll.id)).ballots).toBe(0);
  });

  it("refuses an option the poll does not have", async () => {
    const poll = await open();

    const outcome = await press(people.villager.id, `pv:${poll.id}:7`, { group });

    expect(outcome.notice?.key).toBe("polls.refusal.no_such_option");
  });

  it("edits the group's count at most every 5 seconds, with the newest count", async () => {
    const poll = await open();
    const vote = (eventId: string, member: Member) =>
      h.app.handle({
        eventId,
        channel: "local",
        userId: member.id,
        chat: { kind: "group", chatId: group },
        input: { type: "button", data: `pv:${poll.id}:0` },
      });

    await vote("a", people.villager);
    await vote("b", people.neighbour);
    await vote("c", people.worker);

    const waiting = (await h.store.due(new Date(8.64e15), 100)).filter((e) => e.key === `poll:${poll.id}`);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]?.message.lines[2]?.params?.ballots).toBe(3);
    expect(Date.parse(waiting[0]?.notBefore ?? "") - h.now.getTime()).toBe(5_000);
  });
});

describe("the live count under steady voting", () => {
  it("is edited every 5 seconds while votes keep coming, never held back for good", async () => {
    const villagers = await addVillagers(h, people.secretary, 30);
    const poll = await open();
    const sentAt: number[] = [];

    for (const [n, villager] of villagers.entries()) {
      h.advanceHours(1 / 3600);
      await h.app.handle({
        eventId: `steady-${n}`,
        channel: "local",
        userId: villager.id,
        chat: { kind: "group", chatId: group },
        input: { type: "button", data: `pv:${poll.id}:0` },
      });
      const due = await h.store.due(h.now, 100);
      await h.store.markSent(due.map((entry) => ({ id: entry.id, revision: entry.revision ?? 0 })));
      if (due.some((entry) => entry.key === `poll:${poll.id}`)) sentAt.push(h.now.getTime());
    }

    const gaps = sentAt.slice(1).map((at, i) => at - (sentAt[i] ?? 0));
    expect(sentAt.length).toBeGreaterThanOrEqual(5);
    expect(Math.min(...gaps)).toBeGreaterThanOrEqual(5_000);
  });
});

describe("recording votes for villagers without a phone (代投)", () => {
  it("records a vote in person or by proxy, marked with its origin and the secretary", async () => {
    const poll = await open();
    await press(people.secretary.id, `pp:${poll.id}`);
    await say(people.secretary.id, "张大");
    await press(people.secretary.id, `ppm:${poll.id}:${people.villager.id}`);

    await press(people.secretary.id, `ppv:${poll.id}:${people.villager.id}:1:p`);

    const vote = await h.store.transaction((tx) => tx.get(Votes, `${poll.id}/${people.villager.id}`));
    expect([vote?.choices, vote?.origin, vote?.recordedBy]).toEqual([[1], "proxy", people.secretary.id]);
    expect((await stored(poll.id)).tally).toEqual([0, 1, 0]);
  });

  it("refuses a villager who tries to record another's vote", async () => {
    const poll = await open();

    const outcome = await press(people.neighbour.id, `ppv:${poll.id}:${people.villager.id}:0:i`);

    expect(outcome.notice?.key).toBe("polls.refusal.not_allowed");
    expect((await stored(poll.id)).ballots).toBe(0);
  });
});

describe("settings that cannot be undone", () => {
  it("never turns an anonymous poll into a named one", async () => {
    const poll = await open({ anonymous: true });

    const changed = await inUnit(h.deps, (unit) =>
      changePollIn(unit, people.secretary, poll.id, "make_named"),
    );

    expect(changed).toMatchObject({ ok: false, reason: "anonymity_fixed" });
    expect((await stored(poll.id)).anonymous).toBe(true);
  });

  it("never shows early the results of a poll that shows them only after closing", async () => {
    const poll = await open({ results: "after_close" });

    const outcome = await press(people.secretary.id, `pch:${poll.id}:l`);

    expect(outcome.notice?.key).toBe("polls.refusal.results_hidden_until_close");
    expect((await stored(poll.id)).results).toBe("after_close");
  });

  it("refuses making anonymous a poll that already is", async () => {
    const poll = await open({ anonymous: true });

    const outcome = await press(people.secretary.id, `pch:${poll.id}:a`);

    expect(outcome.notice?.key).toBe("polls.refusal.already_that_setting");
  });

  it("lets the secretary make a named poll anonymous", async () => {
    const poll = await open({ anonymous: false });

    await press(people.secretary.id, `pch:${poll.id}:a`);

    expect((await stored(poll.id)).anonymous).toBe(true);
  });

  it("hides the count of a poll shown after closing from the group and the card", async () => {
    const poll = await open({ results: "after_close" });
    await press(people.villager.id, `pv:${poll.id}:0`, { group });

    await press(people.villager.id, `pc:${poll.id}`);

    const card = h.last(people.villager.id)?.entry.message.lines.map((line) => line.key);
    expect(card).toContain("polls.card.hidden");
    expect(card).not.toContain("polls.card.tally_line");
  });

  it("shows the count of an after-voting poll to someone who voted, not before", async () => {
    const poll = await open({ results: "after_vote" });
    await press(people.neighbour.id, `pc:${poll.id}`);
    const before = h.last(people.neighbour.id)?.entry.message.lines.map((line) => line.key);

    await press(people.neighbour.id, `pv:${poll.id}:0`, { group });
    await press(people.neighbour.id, `pc:${poll.id}`);

    const after = h.last(people.neighbour.id)?.entry.message.lines.map((line) => line.key);
    expect(before).not.toContain("polls.card.tally_line");
    expect(after).toContain("polls.card.tally_line");
  });
});

describe("closing", () => {
  it("closes at the closing time once, however often the job runs, and publishes the result", async () => {
    const poll = await open({ quorumPercent: 50 });
    await press(people.villager.id, `pv:${poll.id}:0`, { group });
    h.advanceHours(3 * 24);

    await closeDuePolls(h.deps);
    await closeDuePolls(h.deps);
    await h.drain();

    const results = h.messages(group).filter((m) => m.entry.message.lines[0]?.key === "polls.result.title");
    expect((await stored(poll.id)).state).toBe("closed");
    expect(results).toHaveLength(1);
    expect(results[0]?.text).toContain("参加：1/5人（20%）");
    expect(results[0]?.text).toContain("没达到参加人数要求（至少50%），结果不算数。");
  });

  it("lets the secretary close a poll early", async () => {
    const poll = await open();

    await press(people.secretary.id, `pcl:${poll.id}`);

    const closed = await stored(poll.id);
    expect([closed.state, closed.closedBy]).toEqual(["closed", people.secretary.id]);
  });

  it("refuses a villager who tries to close a poll", async () => {
    const poll = await open();

    const outcome = await press(people.villager.id, `pcl:${poll.id}`);

    expect(outcome.notice?.key).toBe("polls.refusal.not_allowed");
    expect((await stored(poll.id)).state).toBe("open");
  });

  it("refuses a vote once the secretary closed the poll", async () => {
    const poll = await open();
    await press(people.secretary.id, `pcl:${poll.id}`);

    const outcome = await press(people.villager.id, `pv:${poll.id}:0`, { group });

    expect(outcome.notice?.key).toBe("polls.refusal.poll_closed");
  });
});

describe("the secretary's view of a poll", () => {
  it("names who has not voted yet, to the secretary only", async () => {
    const poll = await open();
    await press(people.villager.id, `pv:${poll.id}:0`, { group });

    await press(people.secretary.id, `pc:${poll.id}`);
    await press(people.neighbour.id, `pc:${poll.id}`);

    const secretaryCard = h.last(people.secretary.id)?.text ?? "";
    expect(secretaryCard).toContain("还没投的（4人）：李书记、王网格、赵网格、刘大妈");
    expect(h.last(people.neighbour.id)?.text).not.toContain("还没投的");
  });
});

describe("the reminder 24 hours before the close", () => {
  const reminded = (memberId: string) =>
    h.messages(memberId).filter((m) => m.entry.message.lines[0]?.key === "polls.remind.private");

  it("reminds those who have not voted, once, in their private chat, and not those who have", async () => {
    const poll = await open();
    await press(people.villager.id, `pv:${poll.id}:0`, { group });
    h.advanceHours(47);
    await remindNonVoters(h.deps);
    await h.drain();
    const early = reminded(people.neighbour.id).length;

    h.advanceHours(1);
    await remindNonVoters(h.deps);
    await remindNonVoters(h.deps);
    await h.drain();

    expect(early).toBe(0);
    expect(reminded(people.neighbour.id)).toHaveLength(1);
    expect(reminded(people.villager.id)).toHaveLength(0);
    expect(h.messages(group).some((m) => m.entry.message.lines[0]?.key === "polls.remind.group")).toBe(false);
  });
});

describe("needs my vote (待我投票)", () => {
  it("lists the open polls the member has not voted in", async () => {
    const voted = await open();
    const waiting = await open({ question: "要不要装路灯？" });
    await press(people.villager.id, `pv:${voted.id}:0`, { group });

    await press(people.villager.id, "pmy");

    const listed = h
      .last(people.villager.id)
      ?.entry.message.lines.slice(1)
      .map((line) => line.params?.id);
    expect(listed).toEqual([waiting.id]);
  });

  it("counts the eligible roster when the poll opens", async () => {
    await inUnit(h.deps, (unit) => addMemberIn(unit, people.secretary, "新村民，村民，三组1号"));

    const poll = await open();

    expect(poll.eligible).toBe(6);
  });
});
