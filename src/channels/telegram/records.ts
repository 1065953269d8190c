import type { Deps } from "../../app/deps.js";
import { eventKey as eventKeyOn } from "../../app/inbound.js";
import type { Transaction } from "../../app/ports.js";
import { Bindings, bindingKey, memberOnChannel } from "../../app/tables.js";
import type { GroupBinding, Language, Member } from "../../domain/model.js";
import { claimEvent } from "../claims.js";

/** Chat ids are stored as strings; Telegram takes numeric ones as numbers. */
export function chatIdParam(chatId: string): number | string {
  return /^-?\d+$/.test(chatId) ? Number(chatId) : chatId;
}

/** The key the app marks an update with, so an update the channel answers itself is also done once. */
export function eventKey(updateId: string): string {
  return eventKeyOn("telegram", updateId);
}

/** Moves a group's binding to the chat id Telegram gave it after the group became a supergroup. */
export async function moveBinding(tx: Transaction, fromChatId: string, toChatId: string): Promise<boolean> {
  const binding = await tx.get(Bindings, bindingKey("telegram", fromChatId));
  if (binding === undefined) return false;
  tx.put(Bindings, { ...binding, chatId: toChatId });
  tx.delete(Bindings, bindingKey("telegram", fromChatId));
  return true;
}

export async function telegramBindings(tx: Transaction, villageId: string): Promise<GroupBinding[]> {
  return (await tx.find(Bindings, "village", villageId)).filter((binding) => binding.channel === "telegram");
}

export async function memberOf(tx: Transaction, userId: string): Promise<Member | undefined> {
  return memberOnChannel(tx, "telegram", userId);
}

/** Marks an update the channel answers without the app as handled (see `claimEvent`). */
export async function claimUpdate(
  deps: Deps,
  updateId: string,
  userId: string,
  hint: string | undefined,
): Promise<{ fresh: boolean; language: Language }> {
  return claimEvent(deps, "telegram", updateId, userId, hint);
}
