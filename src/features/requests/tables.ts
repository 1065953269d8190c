import { z } from "zod";
import { defineTable } from "../../app/tables.js";
import { type RequestState, ServiceRequest } from "../../domain/model.js";

/** Requests per file: a write rewrites at most this many requests, however long the history. */
export const BUCKET_SIZE = 250;

const ACTIVE: ReadonlySet<RequestState> = new Set(["submitted", "accepted", "in_progress", "resolved"]);

export function requestSequence(villageId: string, year: number): string {
  return `seq:${villageId}:${year}`;
}

export const Requests = defineTable({
  name: "requests",
  schema: ServiceRequest,
  key: (request) => request.id,
  indexes: {
    /** Still being worked on or waiting for a rating. */
    active: (request) => (ACTIVE.has(request.state) ? request.villageId : undefined),
    requester: (request) => `${request.villageId}/${request.requesterId}`,
    year: (request) => `${request.villageId}/${request.year}`,
  },
  file: (request) => {
    const bucket = String(Math.floor((request.seq - 1) / BUCKET_SIZE)).padStart(3, "0");
    return `villages/${request.villageId}/requests/${request.year}-${bucket}.json`;
  },
  resident: false,
  sequence: (request) => ({ name: requestSequence(request.villageId, request.year), n: request.seq }),
});

/** A notice already sent about a request, so a job sends it once. */
export const RequestAlert = z.object({
  id: z.string(),
  villageId: z.string(),
  at: z.string(),
});
export type RequestAlert = z.infer<typeof RequestAlert>;

export const RequestAlerts = defineTable({
  name: "request_alerts",
  schema: RequestAlert,
  key: (alert) => alert.id,
  file: (alert) => `villages/${alert.villageId}/alerts.json`,
});
