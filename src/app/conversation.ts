import { z } from "zod";
import { Attachment, GeoPoint, RequestKind } from "../domain/model.js";

export const DraftRequest = z.object({
  step: z.enum(["kind", "category", "text", "extras"]),
  villageId: z.string(),
  requesterId: z.string(),
  kind: RequestKind.optional(),
  categoryId: z.string().optional(),
  text: z.string().optional(),
  attachments: z.array(Attachment),
  location: GeoPoint.optional(),
});
export type DraftRequest = z.infer<typeof DraftRequest>;

/** A typed answer the bot is waiting for, and what it is for. */
export const Awaiting = z.object({
  type: z.enum([
    "progress",
    "resolve",
    "extend",
    "decline",
    "merge",
    "rate_reason",
    "member_rename",
    "household_rename",
    "add_member",
    "add_household",
    "import_roster",
    "setup_village",
    "setup_town",
    "setup_code",
  ]),
  targetId: z.string().optional(),
  /** Answers collected so far by a multi-step form (village setup). */
  answers: z.record(z.string(), z.string()).optional(),
});
export type Awaiting = z.infer<typeof Awaiting>;

/** Per private chat: an unfinished request form or a question waiting for a typed answer. */
export const Conversation = z.object({
  key: z.string(),
  updatedAt: z.string(),
  draft: DraftRequest.optional(),
  awaiting: Awaiting.optional(),
});
export type Conversation = z.infer<typeof Conversation>;
