import { describe, expect, it } from "vitest";
import { isQuietTime, parseQuietHours } from "../../src/domain/quiet.js";

const NIGHT = { start: 22 * 60, end: 7 * 60 };

describe("quiet hours", () => {
  it.each([
    ["2026-11-24T21:59:00+08:00", false],
    ["2026-11-24T22:00:00+08:00", true],
    ["2026-11-25T03:00:00+08:00", true],
    ["2026-11-25T06:59:00+08:00", true],
    ["2026-11-25T07:00:00+08:00", false],
  ])("counts %s in Shanghai as quiet: %s", (instant, quiet) => {
    expect(isQuietTime(new Date(instant), "Asia/Shanghai", NIGHT)).toBe(quiet);
  });

  it("takes a span within one day too", () => {
    const noon = { start: 12 * 60, end: 14 * 60 };

    expect([
      isQuietTime(new Date("2026-11-24T12:30:00+08:00"), "Asia/Shanghai", noon),
      isQuietTime(new Date("2026-11-24T14:00:00+08:00"), "Asia/Shanghai", noon),
    ]).toEqual([true, false]);
  });

  it.each(["22:00-07:00", "00:00-23:59"])("reads %s", (text) => {
    expect(parseQuietHours(text)).toBeDefined();
  });

  it.each(["22-7", "24:00-07:00", "22:00 - 07:00 tomorrow"])("refuses %s", (text) => {
    expect(parseQuietHours(text)).toBeUndefined();
  });
});
