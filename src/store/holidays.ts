import { readFile } from "node:fs/promises";
import { HolidayCalendar } from "../domain/calendar.js";

/** Reads the editable holiday file; a missing file means Monday to Friday, a broken one stops start-up. */
export async function loadHolidays(path: string): Promise<{ calendar: HolidayCalendar; found: boolean }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      return { calendar: { holidays: [], workdays: [] }, found: false };
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(
      `${path} is not valid JSON. Fix it (see data/README.md) or delete it to use Monday to Friday.`,
    );
  }
  const parsed = HolidayCalendar.safeParse(json);
  if (!parsed.success) {
    throw new Error(
      `${path} must look like {"holidays": ["2026-10-01"], "workdays": ["2026-10-10"]}: ${parsed.error.issues[0]?.message}`,
    );
  }
  return { calendar: parsed.data, found: true };
}
