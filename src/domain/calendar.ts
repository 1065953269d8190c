import { z } from "zod";

function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === text;
}

const LocalDateText = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "dates are written YYYY-MM-DD")
  .refine(isCalendarDate, "no such date");

/**
 * Statutory holidays and make-up workdays (调休), as local dates YYYY-MM-DD, and the years whose official
 * arrangement they carry in full. A year not listed counts Monday to Friday plus whatever dates are given.
 */
export const HolidayCalendar = z.object({
  holidays: z.array(LocalDateText),
  workdays: z.array(LocalDateText),
  years: z.array(z.number().int().min(2000).max(2100)).exactOptional(),
});
export type HolidayCalendar = z.infer<typeof HolidayCalendar>;

export interface WorkingCalendar {
  readonly timeZone: string;
  isWorkingDay(localDate: string): boolean;
  /** True when the data carries the official arrangement (holidays and make-up workdays) for the year. */
  covers(year: number): boolean;
}

export function workingCalendar(timeZone: string, data: HolidayCalendar): WorkingCalendar {
  const off = new Set(data.holidays);
  const on = new Set(data.workdays);
  const years = new Set(data.years ?? []);
  return {
    timeZone,
    isWorkingDay(localDate) {
      if (on.has(localDate)) return true;
      if (off.has(localDate)) return false;
      const weekday = new Date(`${localDate}T00:00:00Z`).getUTCDay();
      return weekday !== 0 && weekday !== 6;
    },
    covers(year) {
      return years.has(year);
    },
  };
}

/**
 * The years whose official arrangement is missing and that the secretary must be told about: the current
 * year, and from December on the next one too. `today` is the local date, YYYY-MM-DD.
 */
export function calendarGaps(calendar: WorkingCalendar, today: string): number[] {
  const year = Number(today.slice(0, 4));
  const month = Number(today.slice(5, 7));
  const gaps: number[] = [];
  if (!calendar.covers(year)) gaps.push(year);
  if (month === 12 && !calendar.covers(year + 1)) gaps.push(year + 1);
  return gaps;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

export interface LocalParts {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** Recent answers of `localParts`: deadlines fall on the same few instants (midnights) again and again. */
const recentParts = new Map<string, LocalParts>();
const RECENT_PARTS_LIMIT = 4_096;

/** The wall-clock parts of an instant in a time zone. */
export function localParts(instant: Date, timeZone: string): LocalParts {
  const key = `${timeZone} ${instant.getTime()}`;
  const known = recentParts.get(key);
  if (known !== undefined) return known;
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) parts[part.type] = part.value;
  const local: LocalParts = {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
  if (recentParts.size >= RECENT_PARTS_LIMIT) recentParts.clear();
  recentParts.set(key, local);
  return local;
}

export function localDate(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  return `${p.year}-${String(p.month).padStart(2, "0")}-${String(p.day).padStart(2, "0")}`;
}

export function addDays(localDateText: string, days: number): string {
  const date = new Date(`${localDateText}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** The instant a local date starts in a time zone (midnight, or the first valid time after it). */
export function startOfLocalDay(localDateText: string, timeZone: string): Date {
  const guess = new Date(`${localDateText}T00:00:00Z`);
  let instant = guess;
  for (let i = 0; i < 3; i++) {
    const p = localParts(instant, timeZone);
    const asUtc = Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second);
    instant = new Date(instant.getTime() - (asUtc - guess.getTime()));
  }
  return instant;
}

/** End of the n-th working day after the local day of `from` (n = 0: end of that day). */
export function addWorkingDays(from: Date, workingDays: number, calendar: WorkingCalendar): Date {
  let day = localDate(from, calendar.timeZone);
  let counted = 0;
  for (let guard = 0; counted < workingDays && guard < 3660; guard++) {
    day = addDays(day, 1);
    if (calendar.isWorkingDay(day)) counted++;
  }
  return startOfLocalDay(addDays(day, 1), calendar.timeZone);
}

/** "2026-11-24 18:05" in the zone; a deadline at midnight reads as "24:00" of the day before. */
export function formatLocal(instant: Date, timeZone: string): string {
  const p = localParts(instant, timeZone);
  const pad = (n: number) => String(n).padStart(2, "0");
  if (p.hour === 0 && p.minute === 0 && p.second === 0) {
    const previous = addDays(`${p.year}-${pad(p.month)}-${pad(p.day)}`, -1);
    return `${previous} 24:00`;
  }
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
}
