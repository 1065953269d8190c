import { z } from "zod";

/** A question the bot asked and waits for an answer to: the step's name and what it remembers. */
export const PendingStep = z.object({
  name: z.string().min(1).max(64),
  data: z.unknown(),
});
export type PendingStep = z.infer<typeof PendingStep>;

/** Per private chat: the steps waiting for an answer, the one asked last at the end. */
export const Conversation = z.object({
  key: z.string(),
  updatedAt: z.string(),
  /** Absent in conversations stored before steps existed: those start afresh. */
  steps: z.array(PendingStep).max(4).default([]),
});
export type Conversation = z.infer<typeof Conversation>;
