import { z } from "zod";
import { Attachment } from "./model.js";
import { ok, type Result, refuse } from "./result.js";

export const MAX_DECISION_TEXT = 500;
export const MAX_PROGRESS_NOTE = 500;

/** 决议: being implemented, done and waiting for its effect poll, evaluated by the village (效果共评). */
export const DecisionState = z.enum(["implementing", "evaluating", "evaluated"]);
export type DecisionState = z.infer<typeof DecisionState>;

export const DecisionProgress = z.object({
  at: z.string(),
  by: z.string(),
  percent: z.number().int().min(0).max(100),
  note: z.string().max(MAX_PROGRESS_NOTE),
  attachments: z.array(Attachment),
});
export type DecisionProgress = z.infer<typeof DecisionProgress>;

/** The village's judgement of a decision's effect: the satisfaction poll's counts. */
export const Effect = z.object({
  pollId: z.string(),
  satisfied: z.number().int().nonnegative(),
  mostlySatisfied: z.number().int().nonnegative(),
  notSatisfied: z.number().int().nonnegative(),
  ballots: z.number().int().nonnegative(),
  eligible: z.number().int().nonnegative(),
});
export type Effect = z.infer<typeof Effect>;

export const Decision = z.object({
  /** e.g. DF-D2: the village's code, D, and the village's decision number. */
  id: z.string(),
  villageId: z.string(),
  seq: z.number().int().positive(),
  outcome: z.string().min(1).max(MAX_DECISION_TEXT),
  topicId: z.string().optional(),
  ownerId: z.string(),
  createdBy: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Implementation deadline. */
  deadline: z.string(),
  /** When the effect poll opens if implementation has not been marked done by then. */
  reviewOn: z.string(),
  state: DecisionState,
  progress: z.array(DecisionProgress),
  doneAt: z.string().optional(),
  effectPollId: z.string().optional(),
  effect: Effect.optional(),
});
export type Decision = z.infer<typeof Decision>;

export const DECISION_RULES = {
  /** The effect poll opens this long after the deadline when implementation is not reported done. */
  reviewAfterDeadlineDays: 7,
  /** How long the effect poll stays open. */
  effectPollDays: 7,
} as const;

const DAY_MS = 86_400_000;

export function decisionNumber(code: string, seq: number): string {
  return `${code}-D${seq}`;
}

export function reviewDate(deadline: Date): Date {
  return new Date(deadline.getTime() + DECISION_RULES.reviewAfterDeadlineDays * DAY_MS);
}

export type DecisionRefusal = "decision_done" | "percent_invalid";

export function isPercent(value: number): boolean {
  return Number.isInteger(value) && value >= 0 && value <= 100;
}

/** A progress update; 100% marks the implementation done, which opens the effect poll. */
export function addProgress(
  decision: Decision,
  entry: DecisionProgress,
): Result<{ decision: Decision; done: boolean }, DecisionRefusal> {
  if (decision.state !== "implementing") return refuse("decision_done");
  if (!isPercent(entry.percent)) return refuse("percent_invalid");
  const done = entry.percent === 100;
  const updated: Decision = { ...decision, progress: [...decision.progress, entry], updatedAt: entry.at };
  return ok({ decision: done ? { ...updated, doneAt: entry.at } : updated, done });
}

/** Whether the effect poll is due now: implementation done, or the review date reached. */
export function effectPollDue(decision: Decision, now: Date): boolean {
  if (decision.effectPollId !== undefined || decision.state !== "implementing") return false;
  return decision.doneAt !== undefined || Date.parse(decision.reviewOn) <= now.getTime();
}

/** The latest progress, in percent. */
export function progressPercent(decision: Decision): number {
  return decision.progress.at(-1)?.percent ?? 0;
}

/** (满意 + 基本满意) ÷ ballots, in whole percent; undefined when nobody voted. */
export function effectSatisfaction(effect: Effect): number | undefined {
  if (effect.ballots === 0) return undefined;
  return Math.round(((effect.satisfied + effect.mostlySatisfied) / effect.ballots) * 100);
}
