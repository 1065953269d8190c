import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addWorkingDays, formatLocal, workingCalendar } from "../../src/domain/calendar.js";
import { loadCalendarData } from "../../src/store/calendar.js";

const NO_FILE = "/nonexistent/holidays.json";

async function fileWith(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "shangliang-calendar-")), "holidays.json");
  await writeFile(path, text);
  return path;
}

async function calendarFrom(path: string) {
  return workingCalendar("Asia/Shanghai", (await loadCalendarData(path)).data);
}

describe("national calendar from chinese-days", () => {
  it("skips the National Day 2026 holidays and counts the make-up Saturday without any file", async () => {
    const calendar = await calendarFrom(NO_FILE);
    const tuesdayBefore = new Date("2026-09-29T02:00:00Z");
    expect(formatLocal(addWorkingDays(tuesdayBefore, 4, calendar), "Asia/Shanghai")).toBe("2026-10-10 24:00");
  });

  it.each([
    ["National Day", "2026-10-01", false],
    ["Spring Festival eve, a Monday", "2026-02-16", false],
    ["make-up Sunday before National Day", "2026-09-20", true],
    ["make-up Saturday after the Spring Festival", "2026-02-28", true],
  ] as const)("treats %s (%s) as working: %s", async (_label, date, working) => {
    const calendar = await calendarFrom(NO_FILE);
    expect(calendar.isWorkingDay(date)).toBe(working);
  });

  it.each([2004, 2020, 2026])("covers %i", async (year) => {
    const calendar = await calendarFrom(NO_FILE);
    expect(calendar.covers(year)).toBe(true);
  });

  it("does not cover a year before its data starts", async () => {
    const calendar = await calendarFrom(NO_FILE);
    expect(calendar.covers(2003)).toBe(false);
  });

  it("reports no override when the file is missing", async () => {
    expect((await loadCalendarData(NO_FILE)).override).toBe(false);
  });
});

describe("override file", () => {
  it("reports the override when the file is there", async () => {
    const path = await fileWith('{"holidays":[],"workdays":[]}');
    expect((await loadCalendarData(path)).override).toBe(true);
  });

  it.each([
    [
      "a national holiday it lists as a workday",
      '{"holidays":[],"workdays":["2026-10-01"]}',
      "2026-10-01",
      true,
    ],
    [
      "a make-up workday it lists as a holiday",
      '{"holidays":["2026-10-10"],"workdays":[]}',
      "2026-10-10",
      false,
    ],
    ["a local holiday on a Monday", '{"holidays":["2026-11-23"],"workdays":[]}', "2026-11-23", false],
    [
      "a make-up Saturday of a year the package lacks",
      '{"holidays":[],"workdays":["2099-01-03"]}',
      "2099-01-03",
      true,
    ],
  ] as const)("wins for %s", async (_label, text, date, working) => {
    const calendar = await calendarFrom(await fileWith(text));
    expect(calendar.isWorkingDay(date)).toBe(working);
  });

  it("keeps the national dates it does not list", async () => {
    const calendar = await calendarFrom(await fileWith('{"holidays":["2026-11-23"],"workdays":[]}'));
    expect([calendar.isWorkingDay("2026-10-01"), calendar.isWorkingDay("2026-10-10")]).toEqual([false, true]);
  });

  it("counts a year listed in years as covered", async () => {
    const path = await fileWith('{"holidays":["2099-01-01"],"workdays":[],"years":[2099]}');
    const calendar = await calendarFrom(path);
    expect([calendar.covers(2099), calendar.covers(2026)]).toEqual([true, true]);
  });

  it("does not count a year as covered just because the file has dates in it", async () => {
    const calendar = await calendarFrom(await fileWith('{"holidays":["2099-01-01"],"workdays":[]}'));
    expect(calendar.covers(2099)).toBe(false);
  });

  it("stops with a message naming the file when it is not JSON", async () => {
    const path = await fileWith("{oops");
    await expect(loadCalendarData(path)).rejects.toThrow(
      `${path} is not valid JSON. Fix it (see data/README.md)`,
    );
  });

  it.each([
    [
      "a malformed date",
      '{"holidays":["10/01/2026"],"workdays":[]}',
      "dates are written YYYY-MM-DD (at holidays.0)",
    ],
    [
      "a date that does not exist",
      '{"holidays":[],"workdays":["2026-02-30"]}',
      "no such date (at workdays.0)",
    ],
    ["a year written as text", '{"holidays":[],"workdays":[],"years":["2027"]}', "(at years.0)"],
    ["a missing list", '{"holidays":[]}', "(at workdays)"],
    ["a date in both lists", '{"holidays":["2026-10-01"],"workdays":["2026-10-01"]}', "2026-10-01 is both"],
  ])("stops with a message naming the file for %s", async (_label, text, detail) => {
    const path = await fileWith(text);
    const error = await loadCalendarData(path).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain(`${path} must look like {"holidays": ["2027-10-01"]`);
    expect((error as Error).message).toContain(detail);
  });

  it("ships a valid file in data/", async () => {
    expect((await loadCalendarData("data/holidays.json")).override).toBe(true);
  });
});
