import type { Deps } from "../app/deps.js";
import type { Transaction } from "../app/ports.js";
import { identityKey, Members } from "../app/tables.js";
import { languageFromHint } from "../app/turn.js";
import type { ChannelName, Language, Member } from "../domain/model.js";

/** The key the app marks an event with, so an event a channel answers itself is also done once. */
export function eventKey(channel: ChannelName, eventId: string): string {
  return `${channel}:${eventId}`;
}

export async function memberOn(
  tx: Transaction,
  channel: ChannelName,
  userId: string,
): Promise<Member | undefined> {
  return (await tx.find(Members, "identity", identityKey(channel, userId)))[0];
}

/** The language to answer someone in: their choice, else their app's language, else the bot's default. */
export function languageFor(deps: Deps, member: Member | undefined, hint: string | undefined): Language {
  return member?.language ?? languageFromHint(hint, deps.defaultLanguage);
}

/**
 * Marks an event the channel answers without the app as handled; `fresh` is false when it was handled before.
 * Returns the language to answer in.
 */
export async function claimEvent(
  deps: Deps,
  channel: ChannelName,
  eventId: string,
  userId: string,
  hint: string | undefined,
): Promise<{ fresh: boolean; language: Language }> {
  return deps.store.transaction(async (tx) => {
    const language = languageFor(deps, await memberOn(tx, channel, userId), hint);
    const key = eventKey(channel, eventId);
    if (await tx.hasProcessed(key)) return { fresh: false, language };
    tx.markProcessed(key);
    return { fresh: true, language };
  });
}
