import { localParts } from "./calendar.js";

/** Quiet hours: from `start` to `end`, minutes after local midnight; an `end` before `start` crosses midnight. */
export interface QuietHours {
  start: number;
  end: number;
}

const SPAN = /^([01]\d|2[0-3]):([0-5]\d)-([01]\d|2[0-3]):([0-5]\d)$/;

/** "22:00-07:00" as quiet hours; undefined for anything else. */
export function parseQuietHours(text: string): QuietHours | undefined {
  const found = SPAN.exec(text.trim());
  if (found === null) return undefined;
  const [, h1, m1, h2, m2] = found;
  return { start: Number(h1) * 60 + Number(m1), end: Number(h2) * 60 + Number(m2) };
}

export function isQuietTime(instant: Date, timeZone: string, quiet: QuietHours): boolean {
  const { hour, minute } = localParts(instant, timeZone);
  const now = hour * 60 + minute;
  if (quiet.start === quiet.end) return false;
  return quiet.start < quiet.end
    ? now >= quiet.start && now < quiet.end
    : now >= quiet.start || now < quiet.end;
}
