/**
 * When a message shown in a group (a poll's count, a topic's supports) may next be edited, given when its
 * last edit was scheduled: with one still to come, that one (it takes the newest content); else now, but
 * no sooner than `everyMs` after the last.
 */
export function nextRefresh(scheduledAt: string | undefined, now: Date, everyMs: number): Date {
  const scheduled = scheduledAt === undefined ? undefined : Date.parse(scheduledAt);
  if (scheduled === undefined) return now;
  if (scheduled > now.getTime()) return new Date(scheduled);
  return new Date(Math.max(now.getTime(), scheduled + everyMs));
}

/** Group messages that change with every press are edited at most this often. */
export const REFRESH_EVERY_MS = 5_000;
