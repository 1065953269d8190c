import { z } from "zod";
import { Conversation } from "../../app/conversation.js";
import { GroupBinding, Household, Member, ServiceRequest, Town, Village } from "../../domain/model.js";
import { Op, OutboxEntrySchema } from "../tables.js";

/** The shape of every file the lowdb adapter writes. Bump `schemaVersion` and migrate when one changes. */

const schemaVersion = z.literal(1);
const count = z.number().int().nonnegative();

export const DirectoryFile = z.object({
  schemaVersion,
  counters: z.object({ town: count, village: count, member: count, household: count }),
  requestSeqs: z.array(z.object({ villageId: z.string(), year: z.number().int(), n: count })),
  towns: z.array(Town),
  villages: z.array(Village),
  bindings: z.array(GroupBinding),
});
export type DirectoryFile = z.infer<typeof DirectoryFile>;

export const RosterFile = z.object({
  schemaVersion,
  members: z.array(Member),
  households: z.array(Household),
});
export type RosterFile = z.infer<typeof RosterFile>;

export const BucketFile = z.object({ schemaVersion, requests: z.array(ServiceRequest) });
export type BucketFile = z.infer<typeof BucketFile>;

export const ConversationsFile = z.object({ schemaVersion, conversations: z.array(Conversation) });
export type ConversationsFile = z.infer<typeof ConversationsFile>;

export const ProcessedFile = z.object({ schemaVersion, keys: z.array(z.string()) });
export type ProcessedFile = z.infer<typeof ProcessedFile>;

export const OutboxFile = z.object({
  schemaVersion,
  lastId: count,
  pending: z.array(OutboxEntrySchema),
  dead: z.array(OutboxEntrySchema),
});
export type OutboxFile = z.infer<typeof OutboxFile>;

/** One committed unit of work in the journal. */
export const JournalLine = z.object({ v: schemaVersion, ops: z.array(Op) });
export type JournalLine = z.infer<typeof JournalLine>;
