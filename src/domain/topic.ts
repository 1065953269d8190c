import { z } from "zod";
import { Attachment, type Member } from "./model.js";
import { ok, type Result, refuse } from "./result.js";

export const MAX_TOPIC_TITLE = 40;
export const MAX_TOPIC_TEXT = 1000;

/** 议题: proposed (collecting supports), on the secretary's agenda, decided, or archived. */
export const TopicState = z.enum(["proposed", "agenda", "decided", "archived"]);
export type TopicState = z.infer<typeof TopicState>;

/** 附议: one per member; `household` counts each household once towards the threshold. */
export const Support = z.object({
  memberId: z.string(),
  household: z.string(),
  at: z.string(),
});
export type Support = z.infer<typeof Support>;

export const Topic = z.object({
  /** e.g. DF-T7: the village's code, T, and the village's topic number. */
  id: z.string(),
  villageId: z.string(),
  seq: z.number().int().positive(),
  title: z.string().min(1).max(MAX_TOPIC_TITLE),
  text: z.string().max(MAX_TOPIC_TEXT),
  attachments: z.array(Attachment),
  proposerId: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  state: TopicState,
  supports: z.array(Support),
  /** Households whose support puts it on the agenda, fixed when it is proposed. */
  threshold: z.number().int().positive(),
  /** Who put it on the agenda: a secretary's member id, or "threshold". */
  agendaBy: z.string().optional(),
  agendaAt: z.string().optional(),
  /** A secretary keeps it open: it is never archived for lack of support. */
  keptOpenBy: z.string().optional(),
  archiveWarnedAt: z.string().optional(),
  archivedAt: z.string().optional(),
  /** Requests it was made from ("一个诉求解决一类问题"). */
  requestIds: z.array(z.string()),
  decisionIds: z.array(z.string()),
  /** When the group's copy of the topic is next brought up to date (a coalesced edit). */
  refreshAt: z.string().optional(),
});
export type Topic = z.infer<typeof Topic>;

/** The rules of topics, all in days; every village has the same for now. */
export const TOPIC_RULES = {
  /** Supports count towards the threshold for this long after the proposal. */
  supportWindowDays: 30,
  /** Households needed at most; a small village needs a share of its households instead. */
  householdsNeeded: 5,
  shareOfHouseholds: 0.1,
  archiveAfterDays: 90,
  warnBeforeArchiveDays: 10,
} as const;

const DAY_MS = 86_400_000;

export function topicNumber(code: string, seq: number): string {
  return `${code}-T${seq}`;
}

/** 5 households or 10% of the village's households, whichever is smaller, and at least 1. */
export function supportThreshold(households: number): number {
  const share = Math.ceil(households * TOPIC_RULES.shareOfHouseholds);
  return Math.max(1, Math.min(TOPIC_RULES.householdsNeeded, share));
}

/** The household a member supports or votes for: theirs, or the member alone when the roster has none. */
export function householdOf(member: Member): string {
  return member.householdId ?? `m:${member.id}`;
}

/** Households that supported within the support window. */
export function supportingHouseholds(topic: Topic): number {
  const until = Date.parse(topic.createdAt) + TOPIC_RULES.supportWindowDays * DAY_MS;
  const counted = topic.supports.filter((support) => Date.parse(support.at) <= until);
  return new Set(counted.map((support) => support.household)).size;
}

export type TopicRefusal =
  | "own_topic"
  | "already_supported"
  | "topic_closed"
  | "already_on_agenda"
  | "already_kept_open";

export function isOpenTopic(topic: Topic): boolean {
  return topic.state === "proposed" || topic.state === "agenda";
}

/**
 * Adds a member's support; a topic that reaches its threshold within the window goes on the agenda.
 * `reachedAgenda` says it happened with this support.
 */
export function addSupport(
  topic: Topic,
  member: Member,
  now: Date,
): Result<{ topic: Topic; reachedAgenda: boolean }, TopicRefusal> {
  if (!isOpenTopic(topic)) return refuse("topic_closed");
  if (topic.proposerId === member.id) return refuse("own_topic");
  if (topic.supports.some((support) => support.memberId === member.id)) return refuse("already_supported");
  const at = now.toISOString();
  const supported: Topic = {
    ...topic,
    updatedAt: at,
    supports: [...topic.supports, { memberId: member.id, household: householdOf(member), at }],
  };
  const reachedAgenda = supported.state === "proposed" && supportingHouseholds(supported) >= topic.threshold;
  return ok({
    topic: reachedAgenda ? { ...supported, state: "agenda", agendaBy: "threshold", agendaAt: at } : supported,
    reachedAgenda,
  });
}

/** A secretary puts a topic on the agenda directly, also one that was archived. */
export function putOnAgenda(topic: Topic, by: string, now: Date): Result<Topic, TopicRefusal> {
  if (topic.state === "agenda") return refuse("already_on_agenda");
  if (topic.state === "decided") return refuse("topic_closed");
  const at = now.toISOString();
  const { archivedAt: _, ...rest } = topic;
  return ok({ ...rest, state: "agenda", agendaBy: by, agendaAt: at, updatedAt: at });
}

export function keepOpen(topic: Topic, by: string, now: Date): Result<Topic, TopicRefusal> {
  if (topic.state !== "proposed") return refuse("topic_closed");
  if (topic.keptOpenBy !== undefined) return refuse("already_kept_open");
  return ok({ ...topic, keptOpenBy: by, updatedAt: now.toISOString() });
}

/**
 * What the archive job does to a topic now: warn its proposer 10 days before, archive it at 90 days.
 * Only topics still collecting supports and not kept open by a secretary are archived.
 */
export function archiveStep(topic: Topic, now: Date): "warn" | "archive" | undefined {
  if (topic.state !== "proposed" || topic.keptOpenBy !== undefined) return undefined;
  const age = now.getTime() - Date.parse(topic.createdAt);
  if (age >= TOPIC_RULES.archiveAfterDays * DAY_MS) return "archive";
  const warnAt = (TOPIC_RULES.archiveAfterDays - TOPIC_RULES.warnBeforeArchiveDays) * DAY_MS;
  if (age >= warnAt && topic.archiveWarnedAt === undefined) return "warn";
  return undefined;
}

/** The instant a topic is archived unless it is supported enough or kept open. */
export function archiveDate(topic: Topic): Date {
  return new Date(Date.parse(topic.createdAt) + TOPIC_RULES.archiveAfterDays * DAY_MS);
}
