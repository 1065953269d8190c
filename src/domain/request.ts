import type { WorkingCalendar } from "./calendar.js";
import { type DeadlinePolicy, resolveDeadline, respondDeadline } from "./deadlines.js";
import type {
  Attachment,
  ChannelName,
  DeadlineClass,
  GeoPoint,
  Rating,
  RequestKind,
  ServiceRequest,
  TimelineEntry,
} from "./model.js";
import { ok, type Result, refuse } from "./result.js";

export type RequestRefusal =
  | "not_open"
  | "already_accepted"
  | "not_accepted"
  | "not_resolved"
  | "already_rated"
  | "extension_used"
  | "extension_late"
  | "same_request"
  | "target_closed"
  | "same_owner"
  | "reason_required";

export type Transition = Result<ServiceRequest, RequestRefusal>;

export interface Deadlines {
  policy: DeadlinePolicy;
  calendar: WorkingCalendar;
}

export function trackingNumber(code: string, year: number, seq: number): string {
  return `${code}-${year}-${String(seq).padStart(4, "0")}`;
}

export interface NewRequest {
  villageId: string;
  code: string;
  year: number;
  seq: number;
  kind: RequestKind;
  categoryId: string;
  deadlineClass: DeadlineClass;
  text: string;
  attachments: Attachment[];
  location?: GeoPoint;
  requesterId: string;
  filedById: string;
  channel: ChannelName;
  now: Date;
}

export function createRequest(input: NewRequest, deadlines: Deadlines): ServiceRequest {
  const at = input.now.toISOString();
  const { policy, calendar } = deadlines;
  const request: ServiceRequest = {
    id: trackingNumber(input.code, input.year, input.seq),
    villageId: input.villageId,
    year: input.year,
    seq: input.seq,
    kind: input.kind,
    categoryId: input.categoryId,
    deadlineClass: input.deadlineClass,
    text: input.text,
    attachments: input.attachments,
    requesterId: input.requesterId,
    filedById: input.filedById,
    channel: input.channel,
    state: "submitted",
    createdAt: at,
    updatedAt: at,
    respondBy: respondDeadline(input.now, input.deadlineClass, policy, calendar).toISOString(),
    resolveBy: resolveDeadline(input.now, input.deadlineClass, policy, calendar).toISOString(),
    windowStart: at,
    extended: false,
    timeline: [{ at, by: input.filedById, action: "submitted" }],
  };
  if (input.location !== undefined) request.location = input.location;
  return request;
}

function withEntry(
  request: ServiceRequest,
  entry: TimelineEntry,
  changes: Partial<ServiceRequest>,
): ServiceRequest {
  return { ...request, ...changes, updatedAt: entry.at, timeline: [...request.timeline, entry] };
}

function firstResponse(request: ServiceRequest, at: string): Partial<ServiceRequest> {
  return request.respondedAt === undefined ? { respondedAt: at } : {};
}

/** The owner takes it (接单), or the secretary assigns it (派单). */
export function accept(request: ServiceRequest, by: string, ownerId: string, now: Date): Transition {
  if (request.state !== "submitted") {
    return refuse(
      request.state === "accepted" || request.state === "in_progress" ? "already_accepted" : "not_open",
    );
  }
  const at = now.toISOString();
  return ok(
    withEntry(
      request,
      { at, by, action: by === ownerId ? "accepted" : "assigned", ownerId },
      { state: "accepted", ownerId, ...firstResponse(request, at) },
    ),
  );
}

/** Progress and resolutions are written on a request someone has taken, and say something. */
function noteRefusal(request: ServiceRequest, note: string): RequestRefusal | undefined {
  if (request.state === "submitted") return "not_accepted";
  if (request.state !== "accepted" && request.state !== "in_progress") return "not_open";
  if (note.trim() === "") return "reason_required";
  return undefined;
}

function noteEntry(
  at: string,
  by: string,
  action: "progress" | "resolved",
  note: string,
  attachments: readonly Attachment[],
): TimelineEntry {
  const entry: TimelineEntry = { at, by, action, note };
  if (attachments.length > 0) entry.attachments = [...attachments];
  return entry;
}

export function addProgress(
  request: ServiceRequest,
  by: string,
  note: string,
  now: Date,
  attachments: readonly Attachment[] = [],
): Transition {
  const refusal = noteRefusal(request, note);
  if (refusal !== undefined) return refuse(refusal);
  const entry = noteEntry(now.toISOString(), by, "progress", note, attachments);
  return ok(withEntry(request, entry, { state: "in_progress" }));
}

export function resolve(
  request: ServiceRequest,
  by: string,
  note: string,
  now: Date,
  attachments: readonly Attachment[] = [],
): Transition {
  const refusal = noteRefusal(request, note);
  if (refusal !== undefined) return refuse(refusal);
  const at = now.toISOString();
  const entry = noteEntry(at, by, "resolved", note, attachments);
  return ok(withEntry(request, entry, { state: "resolved", resolvedAt: at }));
}

/** 满意 and 基本满意 close the request; 不满意 reopens it with a fresh window of its class. */
export function rate(
  request: ServiceRequest,
  by: string,
  rating: Rating,
  reason: string | undefined,
  now: Date,
  deadlines: Deadlines,
): Transition {
  if (request.state === "rated") return refuse("already_rated");
  if (request.state !== "resolved") return refuse("not_resolved");
  const at = now.toISOString();
  if (rating !== "not_satisfied") {
    return ok(withEntry(request, { at, by, action: "rated", rating }, { state: "rated", rating }));
  }
  if (reason === undefined || reason.trim() === "") return refuse("reason_required");
  const rated = withEntry(request, { at, by, action: "rated", rating, note: reason }, {});
  const resolveBy = resolveDeadline(now, request.deadlineClass, deadlines.policy, deadlines.calendar);
  const reopened: Partial<ServiceRequest> = {
    state: "in_progress",
    windowStart: at,
    resolveBy: resolveBy.toISOString(),
    extended: false,
  };
  return ok(withEntry(rated, { at, by, action: "reopened", note: reason }, reopened));
}

export function transfer(
  request: ServiceRequest,
  by: string,
  ownerId: string,
  note: string,
  now: Date,
): Transition {
  if (request.state === "submitted") return accept(request, by, ownerId, now);
  if (request.state !== "accepted" && request.state !== "in_progress") return refuse("not_open");
  if (request.ownerId === ownerId) return refuse("same_owner");
  const entry: TimelineEntry = { at: now.toISOString(), by, action: "transferred", ownerId };
  if (note !== "") entry.note = note;
  return ok(withEntry(request, entry, { ownerId }));
}

export function decline(request: ServiceRequest, by: string, reason: string, now: Date): Transition {
  if (request.state !== "submitted" && request.state !== "accepted" && request.state !== "in_progress") {
    return refuse("not_open");
  }
  if (reason.trim() === "") return refuse("reason_required");
  const at = now.toISOString();
  return ok(
    withEntry(
      request,
      { at, by, action: "declined", note: reason },
      { state: "declined", ...firstResponse(request, at) },
    ),
  );
}

/** Merges a duplicate into the request that carries on; both timelines say so. */
export function merge(
  duplicate: ServiceRequest,
  target: ServiceRequest,
  by: string,
  now: Date,
): Result<{ duplicate: ServiceRequest; target: ServiceRequest }, RequestRefusal> {
  if (duplicate.id === target.id) return refuse("same_request");
  if (
    duplicate.state !== "submitted" &&
    duplicate.state !== "accepted" &&
    duplicate.state !== "in_progress"
  ) {
    return refuse("not_open");
  }
  if (target.state === "declined" || target.state === "merged") return refuse("target_closed");
  const at = now.toISOString();
  return ok({
    duplicate: withEntry(
      duplicate,
      { at, by, action: "merged", relatedId: target.id },
      { state: "merged", mergedInto: target.id, ...firstResponse(duplicate, at) },
    ),
    target: withEntry(target, { at, by, action: "merged_in", relatedId: duplicate.id }, {}),
  });
}

/** One extension per window, asked before the deadline, by a full window of the request's class. */
export function extend(
  request: ServiceRequest,
  by: string,
  reason: string,
  now: Date,
  deadlines: Deadlines,
): Transition {
  if (request.state !== "accepted" && request.state !== "in_progress") {
    return refuse(request.state === "submitted" ? "not_accepted" : "not_open");
  }
  if (request.extended) return refuse("extension_used");
  if (now.getTime() > new Date(request.resolveBy).getTime()) return refuse("extension_late");
  if (reason.trim() === "") return refuse("reason_required");
  const lastMoment = new Date(request.resolveBy).getTime() - (request.deadlineClass === "urgent" ? 0 : 1);
  const resolveBy = resolveDeadline(
    new Date(lastMoment),
    request.deadlineClass,
    deadlines.policy,
    deadlines.calendar,
  );
  return ok(
    withEntry(
      request,
      { at: now.toISOString(), by, action: "extended", note: reason },
      { extended: true, resolveBy: resolveBy.toISOString() },
    ),
  );
}

/** Still to be worked on: not yet resolved, declined or merged. */
export function isOpen(request: ServiceRequest): boolean {
  return request.state === "submitted" || request.state === "accepted" || request.state === "in_progress";
}

/** A tracking number as typed by someone: `df-2026-42` reads as DF-2026-0042. */
export function parseTrackingNumber(typed: string): string | undefined {
  const match = /^\s*([A-Za-z]{2,4})\s*-\s*(\d{4})\s*-\s*(\d{1,6})\s*$/.exec(typed);
  if (match === null) return undefined;
  const [, code = "", year = "", seq = ""] = match;
  return trackingNumber(code.toUpperCase(), Number(year), Number(seq));
}
