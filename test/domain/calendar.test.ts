import { describe, expect, it } from "vitest";
import {
  addWorkingDays,
  calendarGaps,
  formatLocal,
  localDate,
  startOfLocalDay,
  workingCalendar,
} from "../../src/domain/calendar.js";

const shanghai = workingCalendar("Asia/Shanghai", {
  holidays: ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"],
  workdays: ["2026-10-10"],
});

describe("working calendar", () => {
  it("counts Monday to Friday as working days when no holiday applies", () => {
    expect([shanghai.isWorkingDay("2026-11-23"), shanghai.isWorkingDay("2026-11-28")]).toEqual([true, false]);
  });

  it("treats a listed holiday as a day off and a make-up workday as a working day", () => {
    expect([shanghai.isWorkingDay("2026-10-01"), shanghai.isWorkingDay("2026-10-10")]).toEqual([false, true]);
  });

  it("covers the years its data lists", () => {
    const calendar = workingCalendar("Asia/Shanghai", { holidays: [], workdays: [], years: [2026] });
    expect([calendar.covers(2026), calendar.covers(2027)]).toEqual([true, false]);
  });

  it("covers no year when the data lists none", () => {
    expect(shanghai.covers(2026)).toBe(false);
  });
});

describe("calendarGaps", () => {
  it.each([
    ["nothing when the current year is covered", [2026], "2026-06-15", []],
    ["the current year when it is not covered", [2026], "2027-03-01", [2027]],
    ["nothing about next year in November", [2026], "2026-11-30", []],
    ["next year from December on when it is not covered", [2026], "2026-12-01", [2027]],
    ["nothing in December when next year is covered too", [2026, 2027], "2026-12-31", []],
    ["both years in December when neither is covered", [], "2026-12-01", [2026, 2027]],
  ] as const)("reports %s", (_label, years, today, gaps) => {
    const calendar = workingCalendar("Asia/Shanghai", { holidays: [], workdays: [], years: [...years] });
    expect(calendarGaps(calendar, today)).toEqual(gaps);
  });
});

describe("local time", () => {
  it("gives the Shanghai date of an instant late in the UTC day", () => {
    expect(localDate(new Date("2026-11-23T17:00:00Z"), "Asia/Shanghai")).toBe("2026-11-24");
  });

  it("finds the instant a Shanghai day starts", () => {
    expect(startOfLocalDay("2026-11-24", "Asia/Shanghai").toISOString()).toBe("2026-11-23T16:00:00.000Z");
  });

  it("writes a deadline at midnight as 24:00 of the day before", () => {
    expect(formatLocal(new Date("2026-11-24T16:00:00Z"), "Asia/Shanghai")).toBe("2026-11-24 24:00");
  });
});

describe("addWorkingDays", () => {
  it("ends at the close of the next working day", () => {
    const monday10am = new Date("2026-11-23T02:00:00Z");
    expect(addWorkingDays(monday10am, 1, shanghai).toISOString()).toBe("2026-11-24T16:00:00.000Z");
  });

  it("skips the weekend", () => {
    const friday = new Date("2026-11-27T02:00:00Z");
    expect(formatLocal(addWorkingDays(friday, 1, shanghai), "Asia/Shanghai")).toBe("2026-11-30 24:00");
  });

  it("skips the National Day holidays and counts the make-up Saturday", () => {
    const tuesdayBefore = new Date("2026-09-29T02:00:00Z");
    expect(formatLocal(addWorkingDays(tuesdayBefore, 4, shanghai), "Asia/Shanghai")).toBe("2026-10-10 24:00");
  });
});
