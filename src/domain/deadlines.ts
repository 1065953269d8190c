import { addWorkingDays, type WorkingCalendar } from "./calendar.js";
import type { DeadlineClass, ServiceRequest } from "./model.js";

export interface DeadlinePolicy {
  respondWorkingDays: number;
  resolveWorkingDays: { general: number; complex: number };
  urgentRespondHours: number;
  urgentResolveHours: number;
}

export const DEFAULT_DEADLINE_POLICY: DeadlinePolicy = {
  respondWorkingDays: 1,
  resolveWorkingDays: { general: 7, complex: 15 },
  urgentRespondHours: 2,
  urgentResolveHours: 24,
};

/** Working days a request may stay red before the town's supervision chat is told. */
export const TOWN_ESCALATION_WORKING_DAYS = 5;

/** When a deadline missed and still open goes to the town: the end of the 5th working day after its day. */
export function townEscalationAt(deadline: Date, calendar: WorkingCalendar): Date {
  // A deadline at midnight ends the day before: count from that day.
  return addWorkingDays(new Date(deadline.getTime() - 1), TOWN_ESCALATION_WORKING_DAYS, calendar);
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export function respondDeadline(
  from: Date,
  deadlineClass: DeadlineClass,
  policy: DeadlinePolicy,
  calendar: WorkingCalendar,
): Date {
  if (deadlineClass === "urgent") return new Date(from.getTime() + policy.urgentRespondHours * HOUR_MS);
  return addWorkingDays(from, policy.respondWorkingDays, calendar);
}

export function resolveDeadline(
  from: Date,
  deadlineClass: DeadlineClass,
  policy: DeadlinePolicy,
  calendar: WorkingCalendar,
): Date {
  if (deadlineClass === "urgent") return new Date(from.getTime() + policy.urgentResolveHours * HOUR_MS);
  return addWorkingDays(from, policy.resolveWorkingDays[deadlineClass], calendar);
}

export type TrafficLight = "green" | "yellow" | "red";

/** Yellow in the last day or the last 20% of the window, whichever is shorter; red once overdue. */
export function lightFor(windowStart: Date, deadline: Date, now: Date): TrafficLight {
  const remaining = deadline.getTime() - now.getTime();
  if (remaining < 0) return "red";
  const window = Math.max(deadline.getTime() - windowStart.getTime(), 0);
  return remaining <= Math.min(window * 0.2, DAY_MS) ? "yellow" : "green";
}

/** The light of an open request, or undefined once it waits for a rating or is closed. */
export function trafficLight(request: ServiceRequest, now: Date): TrafficLight | undefined {
  if (request.state === "submitted") {
    const respond = lightFor(new Date(request.createdAt), new Date(request.respondBy), now);
    const resolve = lightFor(new Date(request.windowStart), new Date(request.resolveBy), now);
    return worse(respond, resolve);
  }
  if (request.state === "accepted" || request.state === "in_progress") {
    return lightFor(new Date(request.windowStart), new Date(request.resolveBy), now);
  }
  return undefined;
}

const SEVERITY: Record<TrafficLight, number> = { green: 0, yellow: 1, red: 2 };

function worse(a: TrafficLight, b: TrafficLight): TrafficLight {
  return SEVERITY[a] >= SEVERITY[b] ? a : b;
}

export function lightSeverity(light: TrafficLight | undefined): number {
  return light === undefined ? -1 : SEVERITY[light];
}
