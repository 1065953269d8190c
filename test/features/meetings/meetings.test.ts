import { beforeEach, describe, expect, it } from "vitest";
import { inUnit, localGroupChat } from "../../../src/app/deps.js";
import { parseMeetingTime } from "../../../src/domain/meeting.js";
import { recordDecisionIn } from "../../../src/features/decisions/use-cases.js";
import { Meetings, remindMeetings } from "../../../src/features/meetings/index.js";
import { scheduleMeetingIn } from "../../../src/features/meetings/use-cases.js";
import { createHarness, type Harness, proposedTopic, seedVillage } from "../../app/harness.js";
import type { SeededVillage } from "../../support/village.js";

let h: Harness;
let people: SeededVillage;
let group: string;

// 2026-11-23 10:00 in Shanghai.
beforeEach(async () => {
  h = await createHarness("2026-11-23T02:00:00Z");
  people = await seedVillage(h);
  group = localGroupChat(people.village.id);
});

const press = (userId: string, data: string) => h.send(userId, { type: "button", data });
const say = (userId: string, text: string) => h.send(userId, { type: "text", text });
const meeting = (id: string) => h.store.transaction((tx) => tx.get(Meetings, id));

async function schedule(time = "11月28日 19:30"): Promise<void> {
  const topicId = await proposedTopic(h, people.villager);
  await press(people.secretary.id, "mgn");
  await say(people.secretary.id, time);
  await say(people.secretary.id, "村委会二楼会议室");
  await press(people.secretary.id, `mgt:${topicId}`);
  await press(people.secretary.id, "mgp");
}

describe("scheduling a meeting (会议)", () => {
  it("publishes the agenda to the group with its time, place and topics", async () => {
    await schedule();

    const agenda = h.messages(group).find((m) => m.entry.message.lines[0]?.key === "meetings.group.agenda");
    expect((await meeting("DF-M1"))?.at).toBe("2026-11-28T11:30:00.000Z");
    expect(agenda?.text).toBe(
      "📅 会议通知DF-M1\n时间：2026-11-28 19:30\n地点：村委会二楼会议室\n议题：\n1. DF-T1 修村口那段路",
    );
  });

  it("refuses a time less than a day ahead, so the agenda goes out at least a day before", async () => {
    await press(people.secretary.id, "mgn");

    const outcome = await say(people.secretary.id, "11月23日 20:00");

    expect(outcome.notice?.key).toBe("meetings.refusal.too_soon");
    expect(await meeting("DF-M1")).toBeUndefined();
  });

  it("holds a meeting online in the group when the secretary presses the button", async () => {
    await press(people.secretary.id, "mgn");
    await say(people.secretary.id, "2026-11-30 09:00");
    await press(people.secretary.id, "mgo");
    await press(people.secretary.id, "mgp");

    expect((await meeting("DF-M1"))?.place).toBeUndefined();
    expect(h.messages(group).at(-1)?.text).toContain("地点：本群线上");
  });

  it("refuses a villager who tries to schedule a meeting", async () => {
    const outcome = await press(people.villager.id, "mgn");
    const direct = await inUnit(h.deps, (unit) =>
      scheduleMeetingIn(unit, people.villager, { at: new Date("2026-11-28T11:30:00Z"), topicIds: [] }),
    );

    expect(outcome.notice?.key).toBe("meetings.refusal.not_allowed");
    expect(direct).toMatchObject({ ok: false, reason: "not_allowed" });
  });
});

describe("recording a meeting", () => {
  it("records the minutes and attendance after the meeting and shares them with the group", async () => {
    await schedule();
    h.advanceHours(6 * 24);
    await press(people.secretary.id, "mgr:DF-M1");
    await say(people.secretary.id, "大家同意修路，资金从村集体出。");

    await say(people.secretary.id, "35");

    const held = await meeting("DF-M1");
    expect([held?.state, held?.attendees, held?.minutes]).toEqual([
      "held",
      35,
      "大家同意修路，资金从村集体出。",
    ]);
    expect(h.messages(group).at(-1)?.text).toBe(
      "📝 会议DF-M1纪要（2026-11-28 19:30，35人参加）：\n大家同意修路，资金从村集体出。",
    );
  });

  it("refuses to record a meeting twice", async () => {
    await schedule();
    h.advanceHours(6 * 24);
    await press(people.secretary.id, "mgr:DF-M1");
    await say(people.secretary.id, "大家同意修路。");
    await say(people.secretary.id, "35");

    const outcome = await press(people.secretary.id, "mgr:DF-M1");

    expect(outcome.notice?.key).toBe("meetings.refusal.already_recorded");
    expect((await meeting("DF-M1"))?.attendees).toBe(35);
  });

  it("refuses to record a meeting before it was held", async () => {
    await schedule();

    const outcome = await press(people.secretary.id, "mgr:DF-M1");

    expect(outcome.notice?.key).toBe("meetings.refusal.not_yet_held");
  });

  it("refuses a villager who tries to record a meeting", async () => {
    await schedule();
    h.advanceHours(6 * 24);

    const outcome = await press(people.villager.id, "mgr:DF-M1");

    expect(outcome.notice?.key).toBe("meetings.refusal.not_allowed");
    expect((await meeting("DF-M1"))?.state).toBe("scheduled");
  });
});

describe("decisions taken at a meeting", () => {
  it("shows on the meeting's card the decisions taken on its topics", async () => {
    await schedule();
    await inUnit(h.deps, (unit) =>
      recordDecisionIn(unit, people.secretary, {
        outcome: "用村集体资金修村口的路",
        topicId: "DF-T1",
        ownerId: people.worker.id,
        days: 30,
      }),
    );

    await press(people.secretary.id, "mgc:DF-M1");

    expect(h.last(people.secretary.id)?.text).toContain("形成的决议：DF-D1");
  });
});

describe("meeting reminders", () => {
  it("reminds the group the day before and the hour before, once each", async () => {
    await schedule();
    const reminders = () =>
      h.messages(group).filter((m) => m.entry.message.lines[0]?.key.startsWith("meetings.remind.") === true);
    const run = async (hours: number) => {
      h.advanceHours(hours);
      await remindMeetings(h.deps);
      await remindMeetings(h.deps);
      await h.drain();
    };

    await run(4 * 24 + 9);
    const beforeTheDay = reminders().length;
    await run(1);
    await run(22);
    await run(1);

    expect(beforeTheDay).toBe(0);
    expect(reminders().map((m) => m.text)).toEqual([
      "📅 明天开会：会议DF-M1，2026-11-28 19:30，地点：村委会二楼会议室。",
      "📅 一小时后开会：会议DF-M1，2026-11-28 19:30，地点：村委会二楼会议室。",
    ]);
  });
});

describe("reading a meeting time", () => {
  const now = new Date("2026-11-23T02:00:00Z");

  it.each([
    ["2026-11-28 19:30", "2026-11-28T11:30:00.000Z"],
    ["11-28 19:30", "2026-11-28T11:30:00.000Z"],
    ["11月28日 19点", "2026-11-28T11:00:00.000Z"],
    ["1月5日 9:00", "2027-01-05T01:00:00.000Z"],
  ])("reads %s in Shanghai time", (typed, expected) => {
    const parsed = parseMeetingTime(typed, "Asia/Shanghai", now);

    expect(parsed.ok ? parsed.value.toISOString() : parsed.reason).toBe(expected);
  });

  it.each(["明天晚上", "2026-02-30 19:00", "11-28 25:00"])("refuses %s", (typed) => {
    expect(parseMeetingTime(typed, "Asia/Shanghai", now)).toMatchObject({
      ok: false,
      reason: "time_unreadable",
    });
  });
});
