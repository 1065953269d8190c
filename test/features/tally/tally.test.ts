import { beforeEach, describe, expect, it } from "vitest";
import { localGroupChat } from "../../../src/app/deps.js";
import { publishMonthlyTallies } from "../../../src/features/tally/index.js";
import { createHarness, fileRequest, type Harness, seedVillage } from "../../app/harness.js";
import { manualSchedule } from "../../support/app.js";
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

const tallies = () => h.messages(group).filter((m) => m.entry.message.lines[0]?.key === "tally.title");

/** Moves the test clock to a Shanghai wall-clock time. */
function at(local: string): void {
  const target = Date.parse(`${local}+08:00`);
  h.advanceHours((target - h.now.getTime()) / 3_600_000);
}

describe("the monthly tally (月度晾晒)", () => {
  it("publishes last month's tally to the group on the 1st at 09:00, once however often it runs", async () => {
    await fileRequest(h, people.villager.id);
    at("2026-12-01T08:59:00");
    await publishMonthlyTallies(h.deps);
    await h.drain();
    const early = tallies().length;

    at("2026-12-01T09:00:00");
    await publishMonthlyTallies(h.deps);
    await publishMonthlyTallies(h.deps);
    await h.drain();

    expect(early).toBe(0);
    expect(tallies().map((m) => m.text.split("\n").slice(0, 2))).toEqual([
      ["📊 东风村2026年11月晾晒", "收到诉求1件（反映问题1）"],
    ]);
  });

  it("goes out on the day and at the time the configuration names, and its cron says the same", async () => {
    const schedule = manualSchedule();
    h = await createHarness("2026-11-23T02:00:00Z", { schedule, tallyAt: { day: 5, hour: 18, minute: 30 } });
    people = await seedVillage(h);
    await fileRequest(h, people.villager.id);
    at("2026-12-05T18:29:00");
    await publishMonthlyTallies(h.deps);
    await h.drain();
    const early = tallies().length;

    at("2026-12-05T18:30:00");
    await publishMonthlyTallies(h.deps);
    await h.drain();

    expect([early, tallies().length, schedule.jobs.get("tally.monthly")?.cron]).toEqual([
      0,
      1,
      "30 18 5 * *",
    ]);
  });

  it("catches up after downtime: the missed tally is still published, once", async () => {
    await fileRequest(h, people.villager.id);
    at("2026-12-05T15:00:00");

    await publishMonthlyTallies(h.deps);
    await publishMonthlyTallies(h.deps);
    await h.drain();

    expect(tallies()).toHaveLength(1);
  });

  it("names nobody and prints its formulas in plain words", async () => {
    await fileRequest(h, people.villager.id, "张大爷家门口的路灯坏了");
    at("2026-12-01T09:00:00");

    await publishMonthlyTallies(h.deps);
    await h.drain();

    const shown = tallies()[0]?.text ?? "";
    expect(shown).not.toContain(people.villager.name);
    expect(shown).not.toContain("路灯");
    expect(shown).toContain("怎么算：按时响应率 = 在响应期限内接单或派单的诉求 ÷ 本月收到的诉求");
  });

  it("publishes nothing for a month before the village existed", async () => {
    await publishMonthlyTallies(h.deps);
    await h.drain();
    at("2026-12-01T09:00:00");
    await publishMonthlyTallies(h.deps);
    await h.drain();

    at("2027-01-01T09:00:00");
    await publishMonthlyTallies(h.deps);
    await h.drain();

    expect(tallies().map((m) => m.text.split("\n")[0])).toEqual([
      "📊 东风村2026年11月晾晒",
      "📊 东风村2026年12月晾晒",
    ]);
  });
});

describe("the tally on demand", () => {
  it("gives any month's figures with /tally in the group", async () => {
    await fileRequest(h, people.villager.id);

    await h.send(people.neighbour.id, { type: "command", command: "tally", args: "2026-11" }, { group });

    expect(h.last(group)?.text.split("\n").slice(0, 2)).toEqual([
      "📊 东风村2026年11月晾晒",
      "收到诉求1件（反映问题1）",
    ]);
  });

  it("gives a whole year's figures with /tally and the year", async () => {
    await fileRequest(h, people.villager.id);

    await h.send(people.neighbour.id, { type: "command", command: "tally", args: "2026" }, { group });

    expect(h.last(group)?.text.split("\n").slice(0, 2)).toEqual([
      "📊 东风村2026年全年晾晒",
      "收到诉求1件（反映问题1）",
    ]);
  });

  it("gives this month so far with /stats in the group, its picture first", async () => {
    await fileRequest(h, people.villager.id);

    await h.send(people.neighbour.id, { type: "command", command: "stats" }, { group });

    const stats = h.last(group)?.entry.message;
    expect([stats?.lines[0]?.params, stats?.chart?.panels.length]).toEqual([
      { village: "东风村", year: 2026, month: 11 },
      3,
    ]);
  });

  it("refuses a month it cannot read, saying how to write one", async () => {
    const outcome = await h.send(
      people.neighbour.id,
      { type: "command", command: "tally", args: "十一月" },
      { group },
    );

    expect(outcome.notice?.key).toBe("tally.refusal.month_unreadable");
  });

  it("gives the secretary last month's tally with a button, and refuses a villager", async () => {
    at("2026-12-02T10:00:00");

    await h.send(people.secretary.id, { type: "button", data: "tly" });
    const villager = await h.send(people.villager.id, { type: "button", data: "tly" });

    expect(h.last(people.secretary.id)?.text.split("\n")[0]).toBe("📊 东风村2026年11月晾晒");
    expect(villager.notice?.key).toBe("tally.refusal.not_allowed");
  });
});
