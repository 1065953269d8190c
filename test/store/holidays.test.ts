import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadHolidays } from "../../src/store/holidays.js";

async function fileWith(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), "shangliang-holidays-")), "holidays.json");
  await writeFile(path, text);
  return path;
}

describe("holiday file", () => {
  it("reads holidays and make-up workdays", async () => {
    const path = await fileWith('{"holidays":["2026-10-01"],"workdays":["2026-10-10"]}');
    expect(await loadHolidays(path)).toEqual({
      calendar: { holidays: ["2026-10-01"], workdays: ["2026-10-10"] },
      found: true,
    });
  });

  it("falls back to Monday to Friday when there is no file", async () => {
    expect(await loadHolidays("/nonexistent/holidays.json")).toEqual({
      calendar: { holidays: [], workdays: [] },
      found: false,
    });
  });

  it("stops with a message naming the file when it is not JSON", async () => {
    const path = await fileWith("{oops");
    await expect(loadHolidays(path)).rejects.toThrow(`${path} is not valid JSON`);
  });

  it("stops with the expected shape when a date is malformed", async () => {
    const path = await fileWith('{"holidays":["10/01/2026"],"workdays":[]}');
    await expect(loadHolidays(path)).rejects.toThrow('must look like {"holidays": ["2026-10-01"]');
  });

  it("ships a valid file for 2026 in data/", async () => {
    const loaded = await loadHolidays("data/holidays.json");
    expect([
      loaded.found,
      loaded.calendar.holidays.includes("2026-10-01"),
      loaded.calendar.workdays.includes("2026-10-10"),
    ]).toEqual([true, true, true]);
  });
});
