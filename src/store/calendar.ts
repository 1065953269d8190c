import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { z } from "zod";
import { HolidayCalendar } from "../domain/calendar.js";

const DateKey = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

/** chinese-days' own data file: date → "English name,中文名,days". */
const ChineseDaysData = z.object({
  holidays: z.record(DateKey, z.string()),
  workdays: z.record(DateKey, z.string()),
});

const OverrideFile = HolidayCalendar.superRefine((file, context) => {
  const holidays = new Set(file.holidays);
  for (const date of file.workdays) {
    if (holidays.has(date))
      context.addIssue({ code: "custom", message: `${date} is both a holiday and a workday` });
  }
});

const EXAMPLE = '{"holidays": ["2027-10-01"], "workdays": ["2027-10-09"], "years": [2027]}';

/**
 * The State Council arrangement as shipped by chinese-days. Its query functions build their tables with the
 * server's local-time Date getters, which shifts every date by one west of UTC; its prebuilt JSON does not.
 */
function officialCalendar(): Required<HolidayCalendar> {
  const parsed = ChineseDaysData.safeParse(
    createRequire(import.meta.url)("chinese-days/dist/chinese-days.json"),
  );
  if (!parsed.success) {
    throw new Error(
      `chinese-days/dist/chinese-days.json is not in the expected shape: reinstall it with npm install.`,
    );
  }
  const holidays = Object.keys(parsed.data.holidays).sort();
  const workdays = Object.keys(parsed.data.workdays).sort();
  const years = [...new Set(holidays.map((date) => Number(date.slice(0, 4))))].sort((a, b) => a - b);
  return { holidays, workdays, years };
}

/** The file's dates win over the official ones; its years count as covered too. */
function withOverride(
  official: Required<HolidayCalendar>,
  override: HolidayCalendar,
): Required<HolidayCalendar> {
  const overridden = new Set([...override.holidays, ...override.workdays]);
  const keep = (date: string) => !overridden.has(date);
  return {
    holidays: [...official.holidays.filter(keep), ...override.holidays].sort(),
    workdays: [...official.workdays.filter(keep), ...override.workdays].sort(),
    years: [...new Set([...official.years, ...(override.years ?? [])])].sort((a, b) => a - b),
  };
}

async function readOverride(path: string): Promise<HolidayCalendar | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(
      `${path} is not valid JSON. Fix it (see data/README.md) or delete it to use the national calendar alone.`,
    );
  }
  const parsed = OverrideFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue === undefined || issue.path.length === 0 ? "" : ` (at ${issue.path.join(".")})`;
    throw new Error(
      `${path} must look like ${EXAMPLE}: ${issue?.message}${where}. Fix it (see data/README.md) or delete it.`,
    );
  }
  return parsed.data;
}

/**
 * The working-day calendar: chinese-days (every year it has) with the local override file on top.
 * A missing file means no override; a broken one stops start-up with a message naming it.
 */
export async function loadCalendarData(
  overridePath: string,
): Promise<{ data: HolidayCalendar; override: boolean }> {
  const official = officialCalendar();
  const override = await readOverride(overridePath);
  if (override === undefined) return { data: official, override: false };
  return { data: withOverride(official, override), override: true };
}
