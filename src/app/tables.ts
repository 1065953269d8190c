import type { z } from "zod";
import {
  type ChannelName,
  GroupBinding,
  Household,
  Member,
  Town,
  TownBinding,
  Village,
} from "../domain/model.js";
import { Conversation } from "./conversation.js";
import type { Transaction } from "./ports.js";

/**
 * A kind of stored record, declared once: stores need no code of their own per table.
 *
 * @example
 * export const Topics = defineTable({
 *   name: "topics", schema: Topic, key: (topic) => topic.id,
 *   indexes: { village: (topic) => topic.villageId },
 *   file: (topic) => `villages/${topic.villageId}/topics.json`,
 * });
 */
export interface Table<T, I extends string = string> {
  /** Unique among tables; also the record list's name inside a data file. */
  readonly name: string;
  readonly schema: z.ZodType<T>;
  key(record: T): string;
  /** Ways to find records besides their key: each gives the value a record is found under, if any. */
  readonly indexes: { readonly [K in I]: (record: T) => IndexValue };
  /** Which file a record is kept in, for stores that keep files ("/"-separated, relative). */
  file(record: T): string;
  /** Every record stays in memory; when false only keys and index values do, records load on demand. */
  readonly resident: boolean;
  /** Records get ids from `tx.nextId(table)`: the prefix and a counter of this name. */
  readonly ids?: { readonly counter: string; readonly prefix: string };
  /** A record numbered from a sequence (`tx.nextNumber`): stores keep the sequence past every stored number. */
  readonly sequence?: (record: T) => { name: string; n: number };
}

/** The value, or values, a record is found under in one index; undefined leaves it out. */
export type IndexValue = string | readonly string[] | undefined;

export interface TableSpec<T, I extends string> {
  name: string;
  schema: z.ZodType<T>;
  key(record: T): string;
  indexes?: { readonly [K in I]: (record: T) => IndexValue };
  file(record: T): string;
  resident?: boolean;
  ids?: { counter: string; prefix: string };
  sequence?: (record: T) => { name: string; n: number };
}

export function defineTable<T, I extends string = never>(spec: TableSpec<T, I>): Table<T, I> {
  if (!/^[a-z][a-z_]{0,31}$/.test(spec.name)) throw new Error(`Table name ${spec.name} is not a plain word.`);
  return {
    ...spec,
    indexes: spec.indexes ?? ({} as { readonly [K in I]: (record: T) => IndexValue }),
    resident: spec.resident ?? true,
  };
}

// biome-ignore lint/suspicious/noExplicitAny: a list of tables of any record type.
export type AnyTable = Table<any, string>;

const DIRECTORY = "directory.json";
const roster = (villageId: string) => `villages/${villageId}/roster.json`;

export const Towns = defineTable({
  name: "towns",
  schema: Town,
  key: (town) => town.id,
  file: () => DIRECTORY,
  ids: { counter: "town", prefix: "t" },
});

export const Villages = defineTable({
  name: "villages",
  schema: Village,
  key: (village) => village.id,
  indexes: { town: (village) => village.townId },
  file: () => DIRECTORY,
  ids: { counter: "village", prefix: "v" },
});

export const Bindings = defineTable({
  name: "bindings",
  schema: GroupBinding,
  key: (binding) => bindingKey(binding.channel, binding.chatId),
  indexes: { village: (binding) => binding.villageId },
  file: () => DIRECTORY,
});

export const TownBindings = defineTable({
  name: "town_bindings",
  schema: TownBinding,
  key: (binding) => bindingKey(binding.channel, binding.chatId),
  indexes: { town: (binding) => binding.townId },
  file: () => DIRECTORY,
});

export function bindingKey(channel: string, chatId: string): string {
  return `${channel}:${chatId}`;
}

export const Members = defineTable({
  name: "members",
  schema: Member,
  key: (member) => member.id,
  indexes: {
    village: (member) => member.villageId,
    identity: (member) => member.identities.map((identity) => identityKey(identity.channel, identity.userId)),
    /** Active members by village and role, so finding the secretaries costs nothing per villager. */
    role: (member) => (member.active ? roleKey(member.villageId, member.role) : undefined),
  },
  file: (member) => roster(member.villageId),
  ids: { counter: "member", prefix: "m" },
});

/** The member a channel knows by `userId`: the local chat by member id, other channels by a linked identity. */
export async function memberOnChannel(
  tx: Transaction,
  channel: ChannelName,
  userId: string,
): Promise<Member | undefined> {
  if (channel === "local") return tx.get(Members, userId);
  return (await tx.find(Members, "identity", identityKey(channel, userId)))[0];
}

/** What an active member is found under in the `role` index. */
export function roleKey(villageId: string, role: string): string {
  return `${villageId}/${role}`;
}

/** What a member is found under for one of their chat identities. */
export function identityKey(channel: string, userId: string): string {
  return `${channel}:${userId}`;
}

export const Households = defineTable({
  name: "households",
  schema: Household,
  key: (household) => household.id,
  indexes: { village: (household) => household.villageId },
  file: (household) => roster(household.villageId),
  ids: { counter: "household", prefix: "h" },
});

export const Conversations = defineTable({
  name: "conversations",
  schema: Conversation,
  key: (conversation) => conversation.key,
  file: () => "conversations.json",
});

/** The tables every app has; features add their own. */
export const KERNEL_TABLES: readonly AnyTable[] = [
  Towns,
  Villages,
  Bindings,
  TownBindings,
  Members,
  Households,
  Conversations,
];
