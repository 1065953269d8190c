import { addDays, startOfLocalDay } from "./calendar.js";
import { lightFor, type TrafficLight } from "./deadlines.js";
import type { Decision } from "./decision.js";
import type { Meeting } from "./meeting.js";
import type { Rating, RequestKind, SatisfactionFormula, ServiceRequest } from "./model.js";
import type { Poll } from "./poll.js";
import type { Topic } from "./topic.js";

/** A calendar month, "2026-11". */
export type Month = string;

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/;

export function isMonth(text: string): boolean {
  return MONTH.test(text);
}

/** A time each month, in local time: when the monthly tally goes out. */
export interface MonthlyTime {
  /** 1 to 28, so that every month has it. */
  day: number;
  hour: number;
  minute: number;
}

export const DEFAULT_TALLY_AT: MonthlyTime = { day: 1, hour: 9, minute: 0 };

const MONTHLY_TIME = /^([1-9]|1\d|2[0-8]) ([01]?\d|2[0-3]):([0-5]\d)$/;

/** "1 09:00" → the 1st at 09:00; undefined for anything else. */
export function parseMonthlyTime(text: string): MonthlyTime | undefined {
  const found = MONTHLY_TIME.exec(text.trim());
  if (found === null) return undefined;
  return { day: Number(found[1]), hour: Number(found[2]), minute: Number(found[3]) };
}

/** The node-cron expression of a monthly time. */
export function monthlyCron(at: MonthlyTime): string {
  return `${at.minute} ${at.hour} ${at.day} * *`;
}

/** Whether this month's time has come, as of a local day of the month and time of day. */
export function monthlyTimeReached(at: MonthlyTime, day: number, hour: number, minute: number): boolean {
  if (day !== at.day) return day > at.day;
  return hour * 60 + minute >= at.hour * 60 + at.minute;
}

/** What a tally covers: a month ("2026-11") or a whole year ("2026"). */
export type Period = string;

const YEAR = /^(19|20)\d{2}$/;

export function isPeriod(text: string): boolean {
  return MONTH.test(text) || YEAR.test(text);
}

/** The instants a local month or year starts and ends (exclusive) in a time zone. */
export function periodRange(period: Period, timeZone: string): { start: Date; end: Date } {
  if (isMonth(period)) return monthRange(period, timeZone);
  if (!YEAR.test(period)) throw new Error(`not a month or year: ${period}`);
  return {
    start: startOfLocalDay(`${period}-01-01`, timeZone),
    end: startOfLocalDay(`${Number(period) + 1}-01-01`, timeZone),
  };
}

/** The month before a month, the year before a year. */
export function previousPeriod(period: Period): Period {
  return isMonth(period) ? previousMonth(period) : String(Number(period) - 1);
}

/** The calendar years whose requests a period's tally and the one before it may read. */
export function yearsRead(period: Period): number[] {
  const year = Number(period.slice(0, 4));
  return isMonth(period) ? [year - 1, year] : [year - 2, year - 1, year];
}

/** The instants a local month starts and ends (exclusive) in a time zone. */
export function monthRange(month: Month, timeZone: string): { start: Date; end: Date } {
  if (!isMonth(month)) throw new Error(`not a month: ${month}`);
  return {
    start: startOfLocalDay(`${month}-01`, timeZone),
    end: startOfLocalDay(`${nextMonth(month)}-01`, timeZone),
  };
}

export function nextMonth(month: Month): Month {
  return addDays(`${month}-28`, 7).slice(0, 7);
}

export function previousMonth(month: Month): Month {
  return addDays(`${month}-01`, -1).slice(0, 7);
}

/** A rating left unanswered this long after 办结 counts as unrated, never as satisfied. */
export const UNRATED_AFTER_MS = 3 * 86_400_000;

export interface RequestFigures {
  /** Filed in the month. */
  received: number;
  byKind: Partial<Record<RequestKind, number>>;
  byCategory: Record<string, number>;
  /** Of those received, first answered (接单 or 派单) by their response deadline. */
  respondedOnTime: number;
  /** Resolve deadlines that fell in the month, up to the tally (declined and merged requests left out). */
  due: number;
  /** Of those due, resolved by the end of the month. */
  resolvedOfDue: number;
  /** Ratings given in the month. */
  ratings: Record<Rating, number>;
  /** Resolved in the month and not rated within three days (as of the tally). */
  unrated: number;
  /** Resolve deadlines passed in the month with the request still open: each a red light. */
  redLights: number;
  /** Of those received, where they stand now: still open, resolved (rated or not), declined or merged. */
  byState: { open: number; resolved: number; closed: number };
  /** Requests open at the month's end (or now, for the month under way) by their light then. */
  lights: Record<TrafficLight, number>;
}

export interface DeliberationFigures {
  topicsProposed: number;
  topicsOnAgenda: number;
  meetingsHeld: number;
  pollsClosed: number;
  /** Ballots ÷ eligible over the polls closed in the month, in whole percent; undefined with none. */
  pollTurnoutPercent: number | undefined;
  decisionsTaken: number;
  decisionsImplemented: number;
}

export interface PeriodTally {
  period: Period;
  requests: RequestFigures;
  deliberation: DeliberationFigures;
  /** Ratings given in the month, and those of them that count as satisfied under the formula. */
  rated: number;
  satisfied: number;
  /** In whole percent; undefined when there is nothing to divide by. */
  responseRate: number | undefined;
  resolutionRate: number | undefined;
  satisfactionRate: number | undefined;
}

export interface VillageRecords {
  requests: readonly ServiceRequest[];
  topics: readonly Topic[];
  polls: readonly Poll[];
  meetings: readonly Meeting[];
  decisions: readonly Decision[];
}

function within(instant: string | undefined, start: Date, end: Date): boolean {
  if (instant === undefined) return false;
  const at = Date.parse(instant);
  return at >= start.getTime() && at < end.getTime();
}

/** When anything last happened to a request: its timeline's last entry, which its ratings are part of. */
function lastActivity(request: ServiceRequest): number {
  const last = request.timeline.at(-1)?.at;
  const updated = Date.parse(request.updatedAt);
  return last === undefined ? updated : Math.max(updated, Date.parse(last));
}

function percent(part: number, whole: number): number | undefined {
  return whole === 0 ? undefined : Math.round((part / whole) * 100);
}

/** A month's or year's figures of one village, as of `now` (which decides what counts as unrated yet). */
export function tallyPeriod(
  records: VillageRecords,
  period: Period,
  timeZone: string,
  now: Date,
  formula: SatisfactionFormula = "satisfied_or_mostly",
): PeriodTally {
  const { start, end } = periodRange(period, timeZone);
  // Deadlines count once they have passed: a tally of the month under way counts those up to now.
  const passed = new Date(Math.min(end.getTime(), now.getTime()));
  const figures: RequestFigures = {
    received: 0,
    byKind: {},
    byCategory: {},
    respondedOnTime: 0,
    due: 0,
    resolvedOfDue: 0,
    ratings: { satisfied: 0, mostly_satisfied: 0, not_satisfied: 0 },
    unrated: 0,
    redLights: 0,
    byState: { open: 0, resolved: 0, closed: 0 },
    lights: { green: 0, yellow: 0, red: 0 },
  };
  const from = start.getTime();
  const until = end.getTime();
  const upTo = passed.getTime();
  const inPeriod = (at: number) => at >= from && at < until;
  for (const request of records.requests) {
    const created = Date.parse(request.createdAt);
    if (created >= until) continue;
    const counted = request.state !== "declined" && request.state !== "merged";
    const resolved = request.resolvedAt === undefined ? undefined : Date.parse(request.resolvedAt);
    const resolveBy = Date.parse(request.resolveBy);
    // Settled before the period with no deadline in it: nothing of it counts (most of a year's requests).
    if ((resolved !== undefined || !counted) && resolveBy < from && lastActivity(request) < from) continue;
    if (inPeriod(created)) {
      figures.received++;
      figures.byKind[request.kind] = (figures.byKind[request.kind] ?? 0) + 1;
      figures.byCategory[request.categoryId] = (figures.byCategory[request.categoryId] ?? 0) + 1;
      const answered = request.respondedAt;
      if (answered !== undefined && Date.parse(answered) <= Date.parse(request.respondBy))
        figures.respondedOnTime++;
      if (!counted) figures.byState.closed++;
      else if (resolved === undefined) figures.byState.open++;
      else figures.byState.resolved++;
    }
    if (counted && created < upTo && (resolved === undefined || resolved >= upTo))
      figures.lights[lightFor(new Date(request.windowStart), new Date(resolveBy), passed)]++;
    if (counted && resolveBy >= from && resolveBy < upTo) {
      figures.due++;
      if (resolved !== undefined && resolved < until) figures.resolvedOfDue++;
      if (resolved === undefined || resolved > resolveBy) figures.redLights++;
    }
    for (const entry of request.timeline) {
      if (entry.action === "rated" && entry.rating !== undefined && inPeriod(Date.parse(entry.at)))
        figures.ratings[entry.rating]++;
    }
    if (
      counted &&
      resolved !== undefined &&
      inPeriod(resolved) &&
      request.rating === undefined &&
      now.getTime() - resolved >= UNRATED_AFTER_MS
    )
      figures.unrated++;
  }
  const closedPolls = records.polls.filter(
    (poll) => poll.state === "closed" && within(poll.closedAt, start, end),
  );
  const ballots = closedPolls.reduce((sum, poll) => sum + poll.ballots, 0);
  const eligible = closedPolls.reduce((sum, poll) => sum + poll.eligible, 0);
  const deliberation: DeliberationFigures = {
    topicsProposed: records.topics.filter((topic) => within(topic.createdAt, start, end)).length,
    topicsOnAgenda: records.topics.filter((topic) => within(topic.agendaAt, start, end)).length,
    meetingsHeld: records.meetings.filter(
      (meeting) => meeting.state === "held" && within(meeting.at, start, end),
    ).length,
    pollsClosed: closedPolls.length,
    pollTurnoutPercent: percent(ballots, eligible),
    decisionsTaken: records.decisions.filter((decision) => within(decision.createdAt, start, end)).length,
    decisionsImplemented: records.decisions.filter((decision) => within(decision.doneAt, start, end)).length,
  };
  const rated = figures.ratings.satisfied + figures.ratings.mostly_satisfied + figures.ratings.not_satisfied;
  const satisfied =
    figures.ratings.satisfied + (formula === "satisfied_or_mostly" ? figures.ratings.mostly_satisfied : 0);
  return {
    period,
    requests: figures,
    deliberation,
    rated,
    satisfied,
    responseRate: percent(figures.respondedOnTime, figures.received),
    resolutionRate: percent(figures.resolvedOfDue, figures.due),
    satisfactionRate: percent(satisfied, rated),
  };
}
