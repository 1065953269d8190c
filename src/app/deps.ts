import type { WorkingCalendar } from "../domain/calendar.js";
import type { DeadlinePolicy } from "../domain/deadlines.js";
import type { ChannelName, Language, Member, Village } from "../domain/model.js";
import { nextRefresh, REFRESH_EVERY_MS } from "../domain/refresh.js";
import type { Deadlines } from "../domain/request.js";
import type { MonthlyTime } from "../domain/tally.js";
import type { OutgoingMessage } from "./messages.js";
import type { Clock, DeliveryTarget, EnqueueOptions, Store, Transaction } from "./ports.js";
import { Bindings, Members, roleKey, TownBindings, Towns, Villages } from "./tables.js";

export interface Deps {
  store: Store;
  clock: Clock;
  policy: DeadlinePolicy;
  calendar: WorkingCalendar;
  /** Channels running in this process; messages are only queued for these. */
  channels: readonly ChannelName[];
  defaultLanguage: Language;
  /** When the monthly tally goes out, in local time. */
  tallyAt: MonthlyTime;
}

/** What one unit of work has at hand. */
export interface Unit {
  deps: Deps;
  tx: Transaction;
  now: Date;
}

/** Runs work in its own unit of work, for jobs, scripts and tests that skip the chat. */
export async function inUnit<T>(deps: Deps, work: (unit: Unit) => Promise<T>): Promise<T> {
  return deps.store.transaction((tx) => work({ deps, tx, now: deps.clock.now() }));
}

export function deadlinesOf(deps: Deps): Deadlines {
  return { policy: deps.policy, calendar: deps.calendar };
}

export function localPrivateChat(memberId: string): string {
  return memberId;
}

export function localGroupChat(villageId: string): string {
  return `group-${villageId}`;
}

/** The village whose local group chat this is; every village has one, bound to it from the start. */
export function villageOfLocalGroup(chatId: string): string | undefined {
  return chatId.startsWith("group-") ? chatId.slice("group-".length) : undefined;
}

/** A member's private chat on the channel they last used, else on a platform, else in the local chat. */
export function privateTarget(deps: Deps, member: Member): DeliveryTarget | undefined {
  const candidates = member.identities.filter((identity) => deps.channels.includes(identity.channel));
  if (deps.channels.includes("local"))
    candidates.push({ channel: "local", userId: localPrivateChat(member.id) });
  const chosen = candidates.find((identity) => identity.channel === member.lastChannel) ?? candidates[0];
  if (chosen === undefined) return undefined;
  const language = member.language ?? deps.defaultLanguage;
  return { channel: chosen.channel, chatId: chosen.userId, language, memberId: member.id };
}

/** Tells a member in private on the channel they use; false when they can be reached on none running here. */
export function tell(
  unit: Unit,
  member: Member,
  message: OutgoingMessage,
  options?: EnqueueOptions,
): boolean {
  const target = privateTarget(unit.deps, member);
  if (target !== undefined) unit.tx.enqueue(target, message, options);
  return target !== undefined;
}

/** Posts to every chat the village's group lives in: its bound groups and the local group. */
export async function tellGroup(
  unit: Unit,
  villageId: string,
  message: OutgoingMessage,
  options?: EnqueueOptions,
): Promise<void> {
  const village = await unit.tx.get(Villages, villageId);
  const language = village?.language ?? unit.deps.defaultLanguage;
  for (const binding of await unit.tx.find(Bindings, "village", villageId)) {
    if (unit.deps.channels.includes(binding.channel)) {
      const target = { channel: binding.channel, chatId: binding.chatId, language, villageId };
      unit.tx.enqueue(target, message, options);
    }
  }
  if (unit.deps.channels.includes("local")) {
    const target = { channel: "local" as const, chatId: localGroupChat(villageId), language, villageId };
    unit.tx.enqueue(target, message, options);
  }
}

/**
 * Posts to the town's supervision chats; with none bound, to each of its supervisors in private. False when
 * the town has neither, so nobody was told.
 */
export async function tellTown(
  unit: Unit,
  townId: string,
  message: OutgoingMessage,
  options?: EnqueueOptions,
): Promise<boolean> {
  const chats = (await unit.tx.find(TownBindings, "town", townId)).filter((binding) =>
    unit.deps.channels.includes(binding.channel),
  );
  for (const binding of chats) {
    const target = { channel: binding.channel, chatId: binding.chatId, language: unit.deps.defaultLanguage };
    unit.tx.enqueue(target, message, options);
  }
  if (chats.length > 0) return true;
  let told = false;
  for (const supervisor of (await unit.tx.get(Towns, townId))?.supervisors ?? []) {
    const member = await unit.tx.get(Members, supervisor.id);
    if (member?.active === true && tell(unit, member, message, options)) told = true;
  }
  return told;
}

/**
 * Posts, or brings up to date, a group message that changes with every press (a poll's count, a topic's
 * supports): an edit under `key` at most every few seconds, however fast the presses come. `scheduledAt` is
 * what the last call gave; keep what this one gives for the next.
 */
export async function showLiveInGroup(
  unit: Unit,
  villageId: string,
  key: string,
  message: OutgoingMessage,
  scheduledAt: string | undefined,
  atOnce = false,
): Promise<string> {
  const at = atOnce ? unit.now : nextRefresh(scheduledAt, unit.now, REFRESH_EVERY_MS);
  await tellGroup(unit, villageId, message, { key, notBefore: at });
  return at.toISOString();
}

/** The village's active secretaries. */
export function secretariesOf(unit: Unit, villageId: string): Promise<Member[]> {
  return unit.tx.find(Members, "role", roleKey(villageId, "secretary"));
}

/** A member's name as people read it, or a dash for one no longer on record. */
export async function memberName(unit: Unit, memberId: string): Promise<string> {
  return (await unit.tx.get(Members, memberId))?.name ?? "—";
}

/** The village of a stored member or request; its absence is a bug, not a refusal. */
export async function villageOf(unit: Unit, villageId: string): Promise<Village> {
  const village = await unit.tx.get(Villages, villageId);
  if (village === undefined) throw new Error(`village ${villageId} missing for a stored record`);
  return village;
}
