import { z } from "zod";

export const Language = z.enum(["zh-CN", "en"]);
export type Language = z.infer<typeof Language>;

export const ChannelName = z.enum(["local", "telegram", "slack"]);
export type ChannelName = z.infer<typeof ChannelName>;

export const Role = z.enum(["villager", "grid_worker", "secretary"]);
export type Role = z.infer<typeof Role>;

/** A name shown to people, in the village's own words first. */
export const LocalizedName = z.object({
  "zh-CN": z.string().min(1).max(60),
  en: z.string().max(60).optional(),
});
export type LocalizedName = z.infer<typeof LocalizedName>;

export const DeadlineClass = z.enum(["general", "complex", "urgent"]);
export type DeadlineClass = z.infer<typeof DeadlineClass>;

export const Category = z.object({
  id: z.string().regex(/^[a-z0-9_]{1,16}$/),
  name: LocalizedName,
  deadlineClass: DeadlineClass,
  ownerIds: z.array(z.string()),
});
export type Category = z.infer<typeof Category>;

/** Whether 基本满意 counts as satisfied: most localities count it, some report 满意 only. */
export const SatisfactionFormula = z.enum(["satisfied_or_mostly", "satisfied_only"]);
export type SatisfactionFormula = z.infer<typeof SatisfactionFormula>;

/** How a town counts satisfaction: its choice, else 基本满意 counts as satisfied. */
export function formulaOfTown(
  town: { satisfactionFormula?: SatisfactionFormula | undefined } | undefined,
): SatisfactionFormula {
  return town?.satisfactionFormula ?? "satisfied_or_mostly";
}

export const Town = z.object({
  id: z.string(),
  name: z.string().min(1).max(60),
  /** Members (of the town's villages) who supervise the town: they get its escalations and roll-up. */
  supervisors: z.array(z.object({ id: z.string(), name: z.string() })),
  satisfactionFormula: SatisfactionFormula.optional(),
});
export type Town = z.infer<typeof Town>;

export const Village = z.object({
  id: z.string(),
  townId: z.string(),
  name: z.string().min(1).max(60),
  /** Prefix of tracking numbers, e.g. DF in DF-2026-0042. */
  code: z.string().regex(/^[A-Z]{2,4}$/),
  language: Language,
  categories: z.array(Category),
  createdAt: z.string(),
});
export type Village = z.infer<typeof Village>;

export const Identity = z.object({ channel: ChannelName, userId: z.string().min(1).max(64) });
export type Identity = z.infer<typeof Identity>;

export const Member = z.object({
  id: z.string(),
  villageId: z.string(),
  name: z.string().min(1).max(40),
  role: Role,
  householdId: z.string().optional(),
  phone: z.string().max(20).optional(),
  language: Language.optional(),
  identities: z.array(Identity),
  /** Where the bot reaches this person: the channel they last used. */
  lastChannel: ChannelName.optional(),
  active: z.boolean(),
});
export type Member = z.infer<typeof Member>;

export const Household = z.object({
  id: z.string(),
  villageId: z.string(),
  name: z.string().min(1).max(60),
});
export type Household = z.infer<typeof Household>;

/** A town's own group chat (its supervision chat) on some channel. */
export const TownBinding = z.object({
  channel: ChannelName,
  chatId: z.string().min(1).max(64),
  townId: z.string(),
  boundAt: z.string(),
  boundBy: z.string(),
});
export type TownBinding = z.infer<typeof TownBinding>;

/** A group chat on some channel, bound to one village. */
export const GroupBinding = z.object({
  channel: ChannelName,
  chatId: z.string().min(1).max(64),
  villageId: z.string(),
  boundAt: z.string(),
  boundBy: z.string(),
});
export type GroupBinding = z.infer<typeof GroupBinding>;

export const RequestKind = z.enum(["problem", "wish", "consultation", "errand"]);
export type RequestKind = z.infer<typeof RequestKind>;

export const RequestState = z.enum([
  "submitted",
  "accepted",
  "in_progress",
  "resolved",
  "rated",
  "declined",
  "merged",
]);
export type RequestState = z.infer<typeof RequestState>;

export const Rating = z.enum(["satisfied", "mostly_satisfied", "not_satisfied"]);
export type Rating = z.infer<typeof Rating>;

export const TimelineAction = z.enum([
  "submitted",
  "accepted",
  "assigned",
  "progress",
  "resolved",
  "rated",
  "reopened",
  "transferred",
  "merged",
  "merged_in",
  "declined",
  "extended",
  "topic",
]);
export type TimelineAction = z.infer<typeof TimelineAction>;

export const Attachment = z.object({
  type: z.enum(["photo", "voice"]),
  channel: ChannelName,
  fileRef: z.string().max(512),
});
export type Attachment = z.infer<typeof Attachment>;

export const TimelineEntry = z.object({
  at: z.string(),
  by: z.string(),
  action: TimelineAction,
  note: z.string().max(2000).optional(),
  ownerId: z.string().optional(),
  rating: Rating.optional(),
  relatedId: z.string().optional(),
  /** Photos or voice sent with a progress note or a resolution. */
  attachments: z.array(Attachment).optional(),
});
export type TimelineEntry = z.infer<typeof TimelineEntry>;

export const GeoPoint = z.object({
  lat: z.number().min(-90).max(90),
  lng: z.number().min(-180).max(180),
  label: z.string().max(120).optional(),
});
export type GeoPoint = z.infer<typeof GeoPoint>;

export const ServiceRequest = z.object({
  id: z.string(),
  villageId: z.string(),
  year: z.number().int(),
  seq: z.number().int().positive(),
  kind: RequestKind,
  categoryId: z.string(),
  deadlineClass: DeadlineClass,
  text: z.string().max(2000),
  attachments: z.array(Attachment),
  location: GeoPoint.optional(),
  requesterId: z.string(),
  /** Differs from requesterId when a grid worker filed it for the villager (代办). */
  filedById: z.string(),
  channel: ChannelName,
  state: RequestState,
  ownerId: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  respondBy: z.string(),
  resolveBy: z.string(),
  /** Start of the window the resolve deadline counts from (reset on reopen). */
  windowStart: z.string(),
  respondedAt: z.string().optional(),
  resolvedAt: z.string().optional(),
  extended: z.boolean(),
  rating: Rating.optional(),
  mergedInto: z.string().optional(),
  timeline: z.array(TimelineEntry),
});
export type ServiceRequest = z.infer<typeof ServiceRequest>;

export const MAX_REQUEST_TEXT = 2000;
export const MAX_NOTE_TEXT = 500;
