import { describe, expect, it } from "vitest";
import type { Rating, ServiceRequest } from "../../src/domain/model.js";
import type { Poll } from "../../src/domain/poll.js";
import {
  monthlyCron,
  monthlyTimeReached,
  monthRange,
  nextMonth,
  parseMonthlyTime,
  periodRange,
  previousMonth,
  previousPeriod,
  tallyPeriod,
  type VillageRecords,
} from "../../src/domain/tally.js";
import type { Topic } from "../../src/domain/topic.js";

const ZONE = "Asia/Shanghai";
/** The tally of November 2026, run on 1 December. */
const NOW = new Date("2026-12-01T01:00:00Z");

let seq = 0;
function request(fields: Partial<ServiceRequest> & { createdAt: string }): ServiceRequest {
  seq++;
  return {
    id: `DF-2026-${String(seq).padStart(4, "0")}`,
    villageId: "v1",
    year: 2026,
    seq,
    kind: "problem",
    categoryId: "roads",
    deadlineClass: "general",
    text: "路灯坏了",
    attachments: [],
    requesterId: "m5",
    filedById: "m5",
    channel: "local",
    state: "submitted",
    updatedAt: fields.createdAt,
    respondBy: "2026-11-30T16:00:00Z",
    resolveBy: "2026-12-31T16:00:00Z",
    windowStart: fields.createdAt,
    extended: false,
    timeline: [],
    ...fields,
  };
}

function rated(at: string, rating: Rating): Partial<ServiceRequest> {
  return {
    state: "rated",
    rating,
    resolvedAt: at,
    timeline: [{ at, by: "m5", action: "rated", rating }],
  };
}

function records(partial: Partial<VillageRecords>): VillageRecords {
  return { requests: [], topics: [], polls: [], meetings: [], decisions: [], ...partial };
}

describe("months", () => {
  it("starts and ends a month at local midnight", () => {
    const { start, end } = monthRange("2026-11", ZONE);

    expect([start.toISOString(), end.toISOString()]).toEqual([
      "2026-10-31T16:00:00.000Z",
      "2026-11-30T16:00:00.000Z",
    ]);
  });

  it("steps across the year", () => {
    expect([nextMonth("2026-12"), previousMonth("2026-01"), nextMonth("2026-01")]).toEqual([
      "2027-01",
      "2025-12",
      "2026-02",
    ]);
  });
});

describe("the month's tally of a village", () => {
  it("counts requests filed in the month, by kind and category, and none from other months", () => {
    const tally = tallyPeriod(
      records({
        requests: [
          request({ createdAt: "2026-11-03T02:00:00Z" }),
          request({ createdAt: "2026-11-20T02:00:00Z", kind: "wish", categoryId: "water" }),
          request({ createdAt: "2026-10-31T15:59:00Z" }),
          request({ createdAt: "2026-11-30T16:00:00Z" }),
        ],
      }),
      "2026-11",
      ZONE,
      NOW,
    );

    expect([tally.requests.received, tally.requests.byKind, tally.requests.byCategory]).toEqual([
      2,
      { problem: 1, wish: 1 },
      { roads: 1, water: 1 },
    ]);
  });

  it("gives the response rate as first responses by their deadline over requests received", () => {
    const tally = tallyPeriod(
      records({
        requests: [
          request({
            createdAt: "2026-11-03T02:00:00Z",
            respondBy: "2026-11-04T16:00:00Z",
            respondedAt: "2026-11-04T01:00:00Z",
          }),
          request({
            createdAt: "2026-11-05T02:00:00Z",
            respondBy: "2026-11-06T16:00:00Z",
            respondedAt: "2026-11-09T01:00:00Z",
          }),
          request({ createdAt: "2026-11-06T02:00:00Z", respondBy: "2026-11-09T16:00:00Z" }),
        ],
      }),
      "2026-11",
      ZONE,
      NOW,
    );

    expect([tally.requests.respondedOnTime, tally.responseRate]).toEqual([1, 33]);
  });

  it("gives the resolution rate as resolved over due, and a red light for each deadline passed while open", () => {
    const tally = tallyPeriod(
      records({
        requests: [
          request({
            createdAt: "2026-10-20T02:00:00Z",
            resolveBy: "2026-11-10T16:00:00Z",
            state: "resolved",
            resolvedAt: "2026-11-09T02:00:00Z",
          }),
          request({
            createdAt: "2026-10-25T02:00:00Z",
            resolveBy: "2026-11-12T16:00:00Z",
            state: "resolved",
            resolvedAt: "2026-11-15T02:00:00Z",
          }),
          request({ createdAt: "2026-11-01T02:00:00Z", resolveBy: "2026-11-20T16:00:00Z" }),
          request({
            createdAt: "2026-11-01T02:00:00Z",
            resolveBy: "2026-11-20T16:00:00Z",
            state: "declined",
          }),
        ],
      }),
      "2026-11",
      ZONE,
      NOW,
    );

    expect([
      tally.requests.due,
      tally.requests.resolvedOfDue,
      tally.resolutionRate,
      tally.requests.redLights,
    ]).toEqual([3, 2, 67, 2]);
  });

  it("counts a deadline of the month under way only once it has passed", () => {
    const midMonth = new Date("2026-11-15T02:00:00Z");
    const tally = tallyPeriod(
      records({
        requests: [request({ createdAt: "2026-11-01T02:00:00Z", resolveBy: "2026-11-20T16:00:00Z" })],
      }),
      "2026-11",
      ZONE,
      midMonth,
    );

    expect([tally.requests.due, tally.requests.redLights, tally.resolutionRate]).toEqual([0, 0, undefined]);
  });

  it("counts a deadline of an earlier month, still open, as a red light but not as due again", () => {
    const tally = tallyPeriod(
      records({
        requests: [request({ createdAt: "2026-09-20T02:00:00Z", resolveBy: "2026-10-10T16:00:00Z" })],
      }),
      "2026-11",
      ZONE,
      NOW,
    );

    expect([tally.requests.due, tally.requests.redLights, tally.requests.lights.red]).toEqual([0, 0, 1]);
  });

  it("gives satisfaction as (满意 + 基本满意) over ratings, shows the unrated apart, and never counts them as satisfied", () => {
    const requests = [
      request({ createdAt: "2026-11-01T02:00:00Z", ...rated("2026-11-05T02:00:00Z", "satisfied") }),
      request({ createdAt: "2026-11-01T02:00:00Z", ...rated("2026-11-06T02:00:00Z", "mostly_satisfied") }),
      request({ createdAt: "2026-11-01T02:00:00Z", ...rated("2026-11-07T02:00:00Z", "not_satisfied") }),
      request({ createdAt: "2026-11-01T02:00:00Z", state: "resolved", resolvedAt: "2026-11-10T02:00:00Z" }),
      request({ createdAt: "2026-11-01T02:00:00Z", state: "resolved", resolvedAt: "2026-11-29T02:00:00Z" }),
    ];

    const tally = tallyPeriod(records({ requests }), "2026-11", ZONE, NOW);
    const strict = tallyPeriod(records({ requests }), "2026-11", ZONE, NOW, "satisfied_only");

    expect([tally.satisfactionRate, strict.satisfactionRate, tally.requests.unrated]).toEqual([67, 33, 1]);
  });

  it("counts topics, polls with their turnout, meetings and decisions of the month", () => {
    const topic = { createdAt: "2026-11-02T02:00:00Z", agendaAt: "2026-11-09T02:00:00Z" } as Topic;
    const poll = (closedAt: string, ballots: number) =>
      ({ state: "closed", closedAt, ballots, eligible: 40 }) as Poll;
    const tally = tallyPeriod(
      records({
        topics: [topic, { createdAt: "2026-10-02T02:00:00Z" } as Topic],
        polls: [
          poll("2026-11-12T02:00:00Z", 30),
          poll("2026-11-20T02:00:00Z", 10),
          poll("2026-12-02T02:00:00Z", 40),
        ],
      }),
      "2026-11",
      ZONE,
      NOW,
    );

    expect(tally.deliberation).toMatchObject({
      topicsProposed: 1,
      topicsOnAgenda: 1,
      pollsClosed: 2,
      pollTurnoutPercent: 50,
    });
  });
});

describe("where the month's requests stand, and the lights at its end", () => {
  it("counts those received by where they stand now: open, resolved, declined or merged", () => {
    const tally = tallyPeriod(
      records({
        requests: [
          request({ createdAt: "2026-11-03T02:00:00Z" }),
          request({ createdAt: "2026-11-04T02:00:00Z", ...rated("2026-11-05T02:00:00Z", "satisfied") }),
          request({ createdAt: "2026-11-05T02:00:00Z", state: "declined" }),
          request({ createdAt: "2026-10-05T02:00:00Z" }),
        ],
      }),
      "2026-11",
      ZONE,
      NOW,
    );

    expect(tally.requests.byState).toEqual({ open: 1, resolved: 1, closed: 1 });
  });

  it("lights the requests open at the month's end by their deadline then, whenever they were resolved later", () => {
    const tally = tallyPeriod(
      records({
        requests: [
          request({ createdAt: "2026-11-20T02:00:00Z", resolveBy: "2026-12-10T16:00:00Z" }),
          request({ createdAt: "2026-11-20T02:00:00Z", resolveBy: "2026-11-30T20:00:00Z" }),
          request({
            createdAt: "2026-11-01T02:00:00Z",
            resolveBy: "2026-11-20T16:00:00Z",
            state: "resolved",
            resolvedAt: "2026-12-03T02:00:00Z",
          }),
          request({
            createdAt: "2026-11-01T02:00:00Z",
            resolveBy: "2026-11-20T16:00:00Z",
            state: "resolved",
            resolvedAt: "2026-11-25T02:00:00Z",
          }),
        ],
      }),
      "2026-11",
      ZONE,
      new Date("2026-12-05T01:00:00Z"),
    );

    expect(tally.requests.lights).toEqual({ green: 1, yellow: 1, red: 1 });
  });
});

describe("years", () => {
  it("runs a year's tally over the whole local year, and the year before is the one to compare with", () => {
    const { start, end } = periodRange("2026", ZONE);
    const tally = tallyPeriod(
      records({
        requests: [
          request({ createdAt: "2025-12-31T17:00:00Z" }),
          request({ createdAt: "2026-06-01T02:00:00Z" }),
          request({ createdAt: "2026-12-31T17:00:00Z" }),
        ],
      }),
      "2026",
      ZONE,
      new Date("2027-01-05T00:00:00Z"),
    );

    expect([
      start.toISOString(),
      end.toISOString(),
      previousPeriod("2026"),
      previousPeriod("2026-01"),
    ]).toEqual(["2025-12-31T16:00:00.000Z", "2026-12-31T16:00:00.000Z", "2025", "2025-12"]);
    expect(tally.requests.received).toBe(2);
  });
});

describe("requests settled before the period", () => {
  it("still counts one resolved early whose deadline falls in the month as due and resolved", () => {
    const tally = tallyPeriod(
      records({
        requests: [
          request({
            createdAt: "2026-10-20T02:00:00Z",
            resolveBy: "2026-11-05T16:00:00Z",
            ...rated("2026-10-25T02:00:00Z", "satisfied"),
          }),
          request({
            createdAt: "2026-10-01T02:00:00Z",
            resolveBy: "2026-10-20T16:00:00Z",
            ...rated("2026-10-10T02:00:00Z", "satisfied"),
          }),
        ],
      }),
      "2026-11",
      ZONE,
      NOW,
    );

    expect([tally.requests.due, tally.requests.resolvedOfDue, tally.rated]).toEqual([1, 1, 0]);
  });
});

describe("the monthly tally's time", () => {
  it("reads a day and a time, and refuses a day some months lack", () => {
    expect([parseMonthlyTime("1 09:00"), parseMonthlyTime("28 7:30"), parseMonthlyTime("31 09:00")]).toEqual([
      { day: 1, hour: 9, minute: 0 },
      { day: 28, hour: 7, minute: 30 },
      undefined,
    ]);
  });

  it("is reached on its day at its time, and on every later day of the month", () => {
    const at = { day: 5, hour: 9, minute: 30 };

    expect([
      monthlyTimeReached(at, 4, 23, 59),
      monthlyTimeReached(at, 5, 9, 29),
      monthlyTimeReached(at, 5, 9, 30),
      monthlyTimeReached(at, 20, 0, 0),
      monthlyCron(at),
    ]).toEqual([false, false, true, true, "30 9 5 * *"]);
  });
});
