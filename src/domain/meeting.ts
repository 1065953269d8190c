import { z } from "zod";
import { localParts, startOfLocalDay } from "./calendar.js";
import { ok, type Result, refuse } from "./result.js";

export const MAX_PLACE = 60;
export const MAX_MINUTES = 2000;
export const MAX_ATTENDEES = 100_000;

export const Meeting = z.object({
  /** e.g. DF-M1: the village's code, M, and the village's meeting number. */
  id: z.string(),
  villageId: z.string(),
  seq: z.number().int().positive(),
  at: z.string(),
  /** Where; absent for a meeting held online in the village group. */
  place: z.string().max(MAX_PLACE).optional(),
  topicIds: z.array(z.string()),
  state: z.enum(["scheduled", "held"]),
  createdBy: z.string(),
  createdAt: z.string(),
  minutes: z.string().max(MAX_MINUTES).optional(),
  attendees: z.number().int().nonnegative().max(MAX_ATTENDEES).optional(),
  recordedAt: z.string().optional(),
  /** Reminders already posted to the group: the day before, and the hour before. */
  reminded: z.array(z.enum(["day", "hour"])).optional(),
});
export type Meeting = z.infer<typeof Meeting>;

/** The agenda goes to the group at least this long before the meeting. */
export const AGENDA_NOTICE_MS = 24 * 3_600_000;

export function meetingNumber(code: string, seq: number): string {
  return `${code}-M${seq}`;
}

export type MeetingRefusal = "time_unreadable" | "too_soon" | "not_yet_held" | "already_recorded";

const DATE_TIME = /^(?:(\d{4})[-/.年])?(\d{1,2})[-/.月](\d{1,2})[日号]?\s*(\d{1,2})[:：点](\d{2})?分?$/;

/**
 * A local date and time as people type it: "2026-11-28 19:00", "11-28 19:00", "11月28日 19:30", "11月28日19点".
 * Without a year, the next such date from now.
 */
export function parseMeetingTime(typed: string, timeZone: string, now: Date): Result<Date, MeetingRefusal> {
  const found = DATE_TIME.exec(typed.trim());
  if (found === null) return refuse("time_unreadable");
  const [, yearText, monthText, dayText, hourText, minuteText] = found;
  const month = Number(monthText);
  const day = Number(dayText);
  const hour = Number(hourText);
  const minute = Number(minuteText ?? "0");
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59)
    return refuse("time_unreadable");
  const thisYear = localParts(now, timeZone).year;
  const at = (year: number) => {
    const date = `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
    const instant = new Date(startOfLocalDay(date, timeZone).getTime() + (hour * 60 + minute) * 60_000);
    return localParts(instant, timeZone).day === day ? instant : undefined;
  };
  const chosen = yearText !== undefined ? at(Number(yearText)) : (at(thisYear) ?? at(thisYear + 1));
  if (chosen === undefined) return refuse("time_unreadable");
  if (yearText === undefined && chosen.getTime() < now.getTime()) {
    const next = at(thisYear + 1);
    if (next === undefined) return refuse("time_unreadable");
    return checkNotice(next, now);
  }
  return checkNotice(chosen, now);
}

function checkNotice(at: Date, now: Date): Result<Date, MeetingRefusal> {
  return at.getTime() - now.getTime() < AGENDA_NOTICE_MS ? refuse("too_soon") : ok(at);
}

const REMINDERS = [
  ["hour", 3_600_000],
  ["day", 24 * 3_600_000],
] as const;

/** The reminder due now for a scheduled meeting, the nearer first; each is posted once, none after it began. */
export function meetingReminderDue(meeting: Meeting, now: Date): "day" | "hour" | undefined {
  const left = Date.parse(meeting.at) - now.getTime();
  if (meeting.state !== "scheduled" || left <= 0) return undefined;
  for (const [kind, before] of REMINDERS) {
    if (left <= before && !(meeting.reminded ?? []).includes(kind)) return kind;
  }
  return undefined;
}

export function recordMeeting(
  meeting: Meeting,
  minutes: string,
  attendees: number,
  now: Date,
): Result<Meeting, MeetingRefusal> {
  if (meeting.state === "held") return refuse("already_recorded");
  if (Date.parse(meeting.at) > now.getTime()) return refuse("not_yet_held");
  return ok({ ...meeting, state: "held", minutes, attendees, recordedAt: now.toISOString() });
}
