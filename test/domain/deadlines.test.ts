import { describe, expect, it } from "vitest";
import { workingCalendar } from "../../src/domain/calendar.js";
import { DEFAULT_DEADLINE_POLICY, lightFor, trafficLight } from "../../src/domain/deadlines.js";
import { createRequest } from "../../src/domain/request.js";

const deadlines = {
  policy: DEFAULT_DEADLINE_POLICY,
  calendar: workingCalendar("Asia/Shanghai", { holidays: [], workdays: [] }),
};
const monday10am = new Date("2026-11-23T02:00:00Z");

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
