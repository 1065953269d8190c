import { z } from "zod";
import { Op, OutboxEntrySchema } from "../tables.js";

/** The shape of every file the lowdb adapter writes. Bump `schemaVersion` and migrate when one changes. */

const schemaVersion = z.literal(1);
const count = z.number().int().nonnegative();

/** A table file: record lists by table name (each list is checked against its table's schema on reading). */
export const TableFile = z.looseObject({ schemaVersion });
export type TableFile = z.infer<typeof TableFile>;

/** Counters kept in directory.json before counters.json existed. */
export const LegacyCounters = z.object({
  counters: z.record(z.string(), count).optional(),
  requestSeqs: z.array(z.object({ villageId: z.string(), year: z.number().int(), n: count })).optional(),
});

export const CountersFile = z.object({ schemaVersion, counters: z.record(z.string(), count) });
export type CountersFile = z.infer<typeof CountersFile>;

export const ProcessedFile = z.object({ schemaVersion, keys: z.array(z.string()) });
export type ProcessedFile = z.infer<typeof ProcessedFile>;

/** outbox.json: the outbox's counter, dead letters and sent keys; `pending` only before outbox buckets existed. */
export const OutboxFile = z.object({
  schemaVersion,
  lastId: count,
  pending: z.array(OutboxEntrySchema),
  dead: z.array(OutboxEntrySchema),
  /** [sent key, platform message id], oldest first. */
  sent: z.array(z.tuple([z.string(), z.string()])).default([]),
});
export type OutboxFile = z.infer<typeof OutboxFile>;

/** outbox/<bucket>.json: the waiting entries of one bucket. */
export const OutboxBucketFile = z.object({ schemaVersion, pending: z.array(OutboxEntrySchema) });
export type OutboxBucketFile = z.infer<typeof OutboxBucketFile>;

/** One committed unit of work in the journal. */
export const JournalLine = z.object({ v: schemaVersion, ops: z.array(Op) });
export type JournalLine = z.infer<typeof JournalLine>;
