import type { Deps } from "../app/deps.js";
import { eventKey } from "../app/inbound.js";
import { memberOnChannel } from "../app/tables.js";
import { languageFromHint } from "../app/turn.js";
import type { ChannelName, Language, Member } from "../domain/model.js";

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
    const language = languageFor(deps, await memberOnChannel(tx, channel, userId), hint);
    const key = eventKey(channel, eventId);
    if (await tx.hasProcessed(key)) return { fresh: false, language };
    tx.markProcessed(key);
    return { fresh: true, language };
  });
}
