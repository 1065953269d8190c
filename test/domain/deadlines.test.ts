import { describe, expect, it } from "vitest";
import { workingCalendar } from "../../src/domain/calendar.js";
import { DEFAULT_DEADLINE_POLICY, lightFor, trafficLight } from "../../src/domain/deadlines.js";
import { createRequest } from "../../src/domain/request.js";

const deadlines = {
  policy: DEFAULT_DEADLINE_POLICY,
  calendar: workingCalendar("Asia/Shanghai", { holidays: [], workdays: [] }),
};
const monday10am = new Date("2026-11-23T02:00:00Z");
const HOUR_MS = 3_600_000;

function hoursBefore(deadline: string, hours: number): Date {
  return new Date(new Date(deadline).getTime() - hours * HOUR_MS);
}

function newRequest(deadlineClass: "general" | "complex" | "urgent") {
  return createRequest(
    {
      villageId: "v1",
      code: "DF",
      year: 2026,
      seq: 1,
      kind: "problem",
      categoryId: "roads",
      deadlineClass,
      text: "路灯坏了",
      attachments: [],
      requesterId: "m2",
      filedById: "m2",
      channel: "local",
      now: monday10am,
    },
    deadlines,
  );
}

describe("deadlines", () => {
  it.each([
    ["general", "2026-11-24T16:00:00.000Z", "2026-12-02T16:00:00.000Z"],
    ["complex", "2026-11-24T16:00:00.000Z", "2026-12-14T16:00:00.000Z"],
    ["urgent", "2026-11-23T04:00:00.000Z", "2026-11-24T02:00:00.000Z"],
  ] as const)("sets %s response and resolution deadlines", (deadlineClass, respondBy, resolveBy) => {
    const request = newRequest(deadlineClass);
    expect([request.respondBy, request.resolveBy]).toEqual([respondBy, resolveBy]);
  });
});

describe("traffic light", () => {
  const start = new Date("2026-11-01T00:00:00Z");
  const end = new Date("2026-11-11T00:00:00Z");

  it.each([
    ["green early in the window", "2026-11-05T00:00:00Z", "green"],
    ["yellow in the last day", "2026-11-10T01:00:00Z", "yellow"],
    ["red once overdue", "2026-11-11T00:00:01Z", "red"],
  ] as const)("is %s", (_label, now, light) => {
    expect(lightFor(start, end, new Date(now))).toBe(light);
  });

  it("is yellow in the last 20% of a short window", () => {
    const shortEnd = new Date("2026-11-01T10:00:00Z");
    expect(lightFor(start, shortEnd, new Date("2026-11-01T08:30:00Z"))).toBe("yellow");
  });

  it("turns a submitted request red when nobody answered in time", () => {
    const request = newRequest("general");
    expect(trafficLight(request, new Date("2026-11-25T00:00:00Z"))).toBe("red");
  });

  it("has no light once the request waits for a rating", () => {
    const request = { ...newRequest("general"), state: "resolved" as const };
    expect(trafficLight(request, monday10am)).toBeUndefined();
  });
});

describe("traffic light by deadline class", () => {
  // Windows from Monday 10:00: urgent respond 2 h, urgent resolve 24 h, general respond 38 h (20% < 1 day);
  // general resolve 206 h, complex resolve 518 h (1 day < 20%).
  it.each([
    ["urgent", "respond", 0.5, "green", "outside the last 20% (24 min)"],
    ["urgent", "respond", 0.3, "yellow", "in the last 20% (24 min)"],
    ["urgent", "resolve", 5, "green", "outside the last 20% (4.8 h) though in the last day"],
    ["urgent", "resolve", 4.7, "yellow", "in the last 20% (4.8 h)"],
    ["general", "respond", 8, "green", "outside the last 20% (7.6 h) though in the last day"],
    ["general", "respond", 7.5, "yellow", "in the last 20% (7.6 h)"],
    ["general", "resolve", 25, "green", "outside the last day though in the last 20%"],
    ["general", "resolve", 23, "yellow", "in the last day"],
    ["complex", "resolve", 30, "green", "outside the last day though in the last 20%"],
    ["complex", "resolve", 23, "yellow", "in the last day"],
    ["urgent", "resolve", -0.01, "red", "once overdue"],
    ["complex", "resolve", -0.01, "red", "once overdue"],
  ] as const)("%s %s deadline %s h before it is %s: %s", (deadlineClass, which, hoursLeft, light, _rule) => {
    const request = newRequest(deadlineClass);
    const [windowStart, deadline] =
      which === "respond" ? [request.createdAt, request.respondBy] : [request.windowStart, request.resolveBy];
    expect(lightFor(new Date(windowStart), new Date(deadline), hoursBefore(deadline, hoursLeft))).toBe(light);
  });
});

describe("traffic light of a submitted request", () => {
  it.each([
    ["green while the answer is not yet due", 10, "green"],
    ["yellow in the last 20% before the answer is due", 6, "yellow"],
    ["red once the answer is overdue", -1, "red"],
  ] as const)("is %s, the resolve light being green", (_label, hoursLeft, light) => {
    const request = newRequest("general");
    expect(trafficLight(request, hoursBefore(request.respondBy, hoursLeft))).toBe(light);
  });

  it("no longer follows the response deadline once accepted", () => {
    const request = { ...newRequest("general"), state: "accepted" as const };
    expect(trafficLight(request, hoursBefore(request.respondBy, -1))).toBe("green");
  });
});

describe("traffic light by state", () => {
  // 16 hours before a general request's resolve deadline: the answer is overdue, the resolution is in its last day.
  it.each([
    ["submitted", "red"],
    ["accepted", "yellow"],
    ["in_progress", "yellow"],
    ["resolved", undefined],
    ["rated", undefined],
    ["declined", undefined],
    ["merged", undefined],
  ] as const)("%s request: %s", (state, light) => {
    const request = { ...newRequest("general"), state };
    expect(trafficLight(request, hoursBefore(request.resolveBy, 16))).toBe(light);
  });
});
