import { describe, expect, it } from "vitest";
import { workingCalendar } from "../../src/domain/calendar.js";
import { DEFAULT_DEADLINE_POLICY } from "../../src/domain/deadlines.js";
import type { ServiceRequest } from "../../src/domain/model.js";
import * as rules from "../../src/domain/request.js";

const deadlines = {
  policy: DEFAULT_DEADLINE_POLICY,
  calendar: workingCalendar("Asia/Shanghai", { holidays: [], workdays: [] }),
};
const t0 = new Date("2026-11-23T02:00:00Z");
const later = (hours: number) => new Date(t0.getTime() + hours * 3_600_000);

function submitted(): ServiceRequest {
  return rules.createRequest(
    {
      villageId: "v1",
      code: "DF",
      year: 2026,
      seq: 42,
      kind: "problem",
      categoryId: "power",
      deadlineClass: "general",
      text: "三组路灯不亮",
      attachments: [],
      requesterId: "m3",
      filedById: "m3",
      channel: "local",
      now: t0,
    },
    deadlines,
  );
}

function value<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.reason}`);
  return result.value;
}

const accepted = () => value(rules.accept(submitted(), "m1", "m2", later(1)));
const resolved = () => value(rules.resolve(accepted(), "m2", "换了灯泡", later(2)));

describe("tracking number", () => {
  it("pads the sequence to four digits", () => {
    expect(submitted().id).toBe("DF-2026-0042");
  });

  it("keeps growing past 9999", () => {
    expect(rules.trackingNumber("DF", 2026, 12345)).toBe("DF-2026-12345");
  });
});

describe("request transitions", () => {
  it("accepts with an owner and records the first response", () => {
    const request = accepted();
    expect([request.state, request.ownerId, request.respondedAt]).toEqual([
      "accepted",
      "m2",
      later(1).toISOString(),
    ]);
  });

  it("refuses to accept twice", () => {
    expect(rules.accept(accepted(), "m1", "m2", later(2))).toMatchObject({
      ok: false,
      reason: "already_accepted",
    });
  });

  it("moves to in progress with a note on the timeline", () => {
    const request = value(rules.addProgress(accepted(), "m2", "已联系电工", later(2)));
    expect([request.state, request.timeline.at(-1)?.note]).toEqual(["in_progress", "已联系电工"]);
  });

  it("refuses progress before anyone accepted", () => {
    expect(rules.addProgress(submitted(), "m2", "x", later(1))).toMatchObject({
      ok: false,
      reason: "not_accepted",
    });
  });

  it("resolves with what was done", () => {
    const request = resolved();
    expect([request.state, request.resolvedAt, request.timeline.at(-1)?.action]).toEqual([
      "resolved",
      later(2).toISOString(),
      "resolved",
    ]);
  });

  it("refuses a resolution without words", () => {
    expect(rules.resolve(accepted(), "m2", "  ", later(2))).toMatchObject({
      ok: false,
      reason: "reason_required",
    });
  });

  it("closes on 满意", () => {
    const request = value(rules.rate(resolved(), "m3", "satisfied", undefined, later(3), deadlines));
    expect([request.state, request.rating]).toEqual(["rated", "satisfied"]);
  });

  it("refuses to rate twice", () => {
    const rated = value(rules.rate(resolved(), "m3", "mostly_satisfied", undefined, later(3), deadlines));
    expect(rules.rate(rated, "m3", "satisfied", undefined, later(4), deadlines)).toMatchObject({
      ok: false,
      reason: "already_rated",
    });
  });

  it("refuses to rate before the request is resolved", () => {
    expect(rules.rate(accepted(), "m3", "satisfied", undefined, later(3), deadlines)).toMatchObject({
      ok: false,
      reason: "not_resolved",
    });
  });

  it("reopens on 不满意 with the reason and a fresh window", () => {
    const request = value(rules.rate(resolved(), "m3", "not_satisfied", "还是不亮", later(30), deadlines));
    expect([request.state, request.windowStart, request.timeline.slice(-2).map((e) => e.action)]).toEqual([
      "in_progress",
      later(30).toISOString(),
      ["rated", "reopened"],
    ]);
  });

  it("requires a reason for 不满意", () => {
    expect(rules.rate(resolved(), "m3", "not_satisfied", "", later(3), deadlines)).toMatchObject({
      ok: false,
      reason: "reason_required",
    });
  });

  it("transfers to another owner", () => {
    const request = value(rules.transfer(accepted(), "m1", "m5", "", later(2)));
    expect([request.ownerId, request.timeline.at(-1)?.action]).toEqual(["m5", "transferred"]);
  });

  it("refuses a transfer to the same owner", () => {
    expect(rules.transfer(accepted(), "m1", "m2", "", later(2))).toMatchObject({
      ok: false,
      reason: "same_owner",
    });
  });

  it("declines with a reason the villager sees", () => {
    const request = value(rules.decline(submitted(), "m1", "不属于村里管", later(1)));
    expect([request.state, request.timeline.at(-1)?.note]).toEqual(["declined", "不属于村里管"]);
  });

  it("refuses to act on a declined request", () => {
    const declined = value(rules.decline(submitted(), "m1", "重复", later(1)));
    expect(rules.accept(declined, "m1", "m2", later(2))).toMatchObject({ ok: false, reason: "not_open" });
  });

  it("merges a duplicate into another request and records it on both", () => {
    const target = { ...accepted(), id: "DF-2026-0041", seq: 41 };
    const merged = value(rules.merge(submitted(), target, "m1", later(2)));
    expect([
      merged.duplicate.state,
      merged.duplicate.mergedInto,
      merged.target.timeline.at(-1)?.relatedId,
    ]).toEqual(["merged", "DF-2026-0041", "DF-2026-0042"]);
  });

  it("refuses to merge a request into itself", () => {
    expect(rules.merge(submitted(), submitted(), "m1", later(1))).toMatchObject({
      ok: false,
      reason: "same_request",
    });
  });

  it("extends once by a full window", () => {
    const request = value(rules.extend(accepted(), "m2", "等配件", later(3), deadlines));
    expect([request.extended, request.resolveBy]).toEqual([true, "2026-12-11T16:00:00.000Z"]);
  });

  it("refuses a second extension", () => {
    const once = value(rules.extend(accepted(), "m2", "等配件", later(3), deadlines));
    expect(rules.extend(once, "m2", "还要等", later(4), deadlines)).toMatchObject({
      ok: false,
      reason: "extension_used",
    });
  });

  it("refuses an extension after the deadline", () => {
    expect(rules.extend(accepted(), "m2", "等配件", later(24 * 20), deadlines)).toMatchObject({
      ok: false,
      reason: "extension_late",
    });
  });
});
