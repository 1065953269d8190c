import { type Api, GrammyError, HttpError, InputFile } from "grammy";
import type { InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity } from "grammy/types";
import type { Deps } from "../../app/deps.js";
import type { OutboxEntry } from "../../app/ports.js";
import { Members, Villages } from "../../app/tables.js";
import type { ChartRenderer } from "../../charts/render.js";
import { telegramSays } from "../../i18n/telegram.js";
import {
  type ChannelSender,
  type Delivered,
  DeliveryError,
  type Logger,
  type SendProgress,
} from "../../outbox/dispatcher.js";
import { type RenderedButton, renderMessage, type Translate } from "../render.js";
import { MAX_CALLBACK_DATA_BYTES, splitText } from "./limits.js";
import { joinPayload, privateChatLink } from "./links.js";
import { chatIdParam, moveBinding, telegramBindings } from "./records.js";

export interface TelegramSenderOptions {
  api: Api;
  deps: Deps;
  translate: Translate;
  chart: ChartRenderer;
  logger: Logger;
  /** The bot's @username, known once the bot is initialised. */
  botUsername: () => string;
}

/** One Bot API call of an entry; resolves to the message it sent. */
type Part = (chatId: number | string) => Promise<{ message_id: number } | true>;

/** One group nudge per person per hour; messages in between are dropped, as the nudge carries none of them. */
const NUDGE_INTERVAL_MS = 60 * 60_000;

/** An edit that changes nothing: the message already shows this. */
const NOT_MODIFIED = /message is not modified/i;
/** An edit Telegram refuses for the message itself (gone, too old, not the bot's): send it anew. */
const NOT_EDITABLE = /message to edit not found|message can't be edited|MESSAGE_ID_INVALID/i;

/** 403 descriptions meaning the person never pressed Start, or stopped the bot. */
const UNREACHABLE = /bot can't initiate conversation|bot was blocked by the user/i;

/** Turns one outbox entry into Telegram calls, and Telegram's errors into the outbox's terms. */
export function createTelegramSender(options: TelegramSenderOptions): ChannelSender {
  const { api, deps, translate, chart, logger, botUsername } = options;
  /** When each unreachable member was last nudged in their group. */
  const nudged = new Map<string, number>();

  function toButton(button: RenderedButton): InlineKeyboardButton | undefined {
    if (button.opensPrivateFor !== undefined) {
      return { text: button.label, url: privateChatLink(botUsername(), joinPayload(button.opensPrivateFor)) };
    }
    if (Buffer.byteLength(button.data, "utf8") > MAX_CALLBACK_DATA_BYTES || button.data === "") {
      logger.error("telegram button dropped: callback data too long", { data: button.data });
      return undefined;
    }
    return { text: button.label, callback_data: button.data };
  }

  function keyboardOf(rows: RenderedButton[][]): InlineKeyboardMarkup | undefined {
    const inline_keyboard: InlineKeyboardButton[][] = [];
    for (const row of rows) {
      const buttons = row.map(toButton).filter((button) => button !== undefined);
      if (buttons.length > 0) inline_keyboard.push(buttons);
    }
    return inline_keyboard.length === 0 ? undefined : { inline_keyboard };
  }

  function partsOf(entry: OutboxEntry): Part[] {
    const { message, target } = entry;
    const rendered = renderMessage(message, target.language, translate);
    const parts: Part[] = [];
    const drawing = message.chart;
    if (drawing !== undefined)
      parts.push(async (chatId) =>
        api.sendPhoto(chatId, new InputFile(await chart(drawing, target.language), "chart.png")),
      );
    for (const attachment of message.attachments ?? []) {
      if (attachment.channel !== "telegram") continue;
      if (attachment.type === "photo") parts.push((chatId) => api.sendPhoto(chatId, attachment.fileRef));
      else parts.push((chatId) => api.sendVoice(chatId, attachment.fileRef));
    }
    const location = message.location;
    if (location !== undefined) parts.push((chatId) => api.sendLocation(chatId, location.lat, location.lng));
    const keyboard = keyboardOf(rendered.buttons);
    const pieces = splitText(rendered.text);
    if (pieces.length === 0 && keyboard !== undefined) pieces.push("…");
    pieces.forEach((piece, index) => {
      const last = index === pieces.length - 1;
      parts.push((chatId) =>
        api.sendMessage(chatId, piece, last && keyboard !== undefined ? { reply_markup: keyboard } : {}),
      );
    });
    return parts;
  }

  /** Tells a member who never started the private chat, in their village group(s), to start it. */
  async function nudgeInGroups(entry: OutboxEntry): Promise<boolean> {
    const memberId = entry.target.memberId;
    if (memberId === undefined) return false;
    const now = deps.clock.now().getTime();
    const last = nudged.get(memberId);
    if (last !== undefined && now - last < NUDGE_INTERVAL_MS) return true;
    const found = await deps.store.transaction(async (tx) => {
      const member = await tx.get(Members, memberId);
      if (member === undefined || !member.active) return undefined;
      const village = await tx.get(Villages, member.villageId);
      return { member, village, bindings: await telegramBindings(tx, member.villageId) };
    });
    if (found === undefined || found.bindings.length === 0) return false;
    const { member, village, bindings } = found;
    const language = village?.language ?? entry.target.language;
    const text = telegramSays("private.fallback", language, { name: member.name });
    const entities: MessageEntity[] = [];
    const userId = Number(entry.target.chatId);
    const at = text.indexOf(member.name);
    if (Number.isSafeInteger(userId) && userId > 0 && at >= 0) {
      entities.push({
        type: "text_mention",
        offset: at,
        length: member.name.length,
        user: { id: userId, is_bot: false, first_name: member.name },
      });
    }
    const link = privateChatLink(botUsername(), joinPayload(member.villageId));
    const reply_markup = {
      inline_keyboard: [[{ text: telegramSays("private.fallback_button", language), url: link }]],
    };
    let posted = false;
    for (const binding of bindings) {
      try {
        await api.sendMessage(chatIdParam(binding.chatId), text, { entities, reply_markup });
        posted = true;
      } catch (error) {
        if (error instanceof GrammyError && error.error_code === 429) throw error;
        logger.warn("telegram group nudge failed", { chatId: binding.chatId, error: String(error) });
      }
    }
    if (posted) nudged.set(memberId, now);
    return posted;
  }

  /** Edits the message sent earlier under the entry's key; false when it cannot be edited (then it is sent anew). */
  async function edit(entry: OutboxEntry, chatId: string, messageId: number): Promise<boolean> {
    const { message, target } = entry;
    if (
      (message.attachments ?? []).length > 0 ||
      message.location !== undefined ||
      message.chart !== undefined
    )
      return false;
    const rendered = renderMessage(message, target.language, translate);
    const [text, ...more] = splitText(rendered.text);
    if (text === undefined || more.length > 0) return false;
    const keyboard = keyboardOf(rendered.buttons);
    try {
      await api.editMessageText(
        chatIdParam(chatId),
        messageId,
        text,
        keyboard === undefined ? {} : { reply_markup: keyboard },
      );
      return true;
    } catch (error) {
      if (error instanceof GrammyError && error.error_code === 400) {
        if (NOT_MODIFIED.test(error.description)) return true;
        if (NOT_EDITABLE.test(error.description)) return false;
      }
      throw error;
    }
  }

  async function deliver(
    entry: OutboxEntry,
    progress: SendProgress,
    chatId: string,
    mayMigrate: boolean,
  ): Promise<Delivered> {
    try {
      const editing = entry.edits === undefined ? undefined : Number(entry.edits);
      if (editing !== undefined && Number.isSafeInteger(editing) && (await edit(entry, chatId, editing)))
        return { ref: String(editing) };
      const parts = partsOf(entry);
      let ref: string | undefined;
      for (let index = entry.partsSent ?? 0; index < parts.length; index++) {
        const sent = await parts[index]?.(chatIdParam(chatId));
        if (typeof sent === "object") ref = String(sent.message_id);
        if (index + 1 < parts.length) await progress.partSent(index + 1);
      }
      return ref === undefined ? {} : { ref };
    } catch (error) {
      const migrateTo = error instanceof GrammyError ? error.parameters.migrate_to_chat_id : undefined;
      if (mayMigrate && migrateTo !== undefined) {
        const toChatId = String(migrateTo);
        await deps.store.transaction((tx) => moveBinding(tx, chatId, toChatId));
        logger.info("telegram group binding moved to supergroup", { fromChatId: chatId, toChatId });
        return deliver(entry, progress, toChatId, false);
      }
      throw error;
    }
  }

  function isPrivateTarget(entry: OutboxEntry): boolean {
    return (
      entry.target.memberId !== undefined &&
      entry.target.villageId === undefined &&
      !entry.target.chatId.startsWith("-")
    );
  }

  return {
    async send(entry, progress) {
      try {
        return await deliver(entry, progress, entry.target.chatId, true);
      } catch (error) {
        if (error instanceof HttpError) throw new DeliveryError(error.message, "unavailable");
        if (!(error instanceof GrammyError)) {
          throw new DeliveryError(error instanceof Error ? error.message : String(error));
        }
        const { error_code: code, description } = error;
        if (code === 429) throw rateLimited(error);
        if (code >= 500) throw new DeliveryError(description, "unavailable");
        if (code === 403 && isPrivateTarget(entry) && UNREACHABLE.test(description)) {
          try {
            if (await nudgeInGroups(entry)) {
              logger.info("telegram private chat unreachable, nudged in group", {
                memberId: entry.target.memberId,
              });
              return {};
            }
          } catch (nudgeError) {
            if (nudgeError instanceof GrammyError && nudgeError.error_code === 429)
              throw rateLimited(nudgeError);
            throw new DeliveryError(String(nudgeError));
          }
        }
        if (code === 400 || code === 403) throw new DeliveryError(description, "permanent");
        throw new DeliveryError(description);
      }
    },
  };
}

/** A 429: that chat waits as long as Telegram says. */
function rateLimited(error: GrammyError): DeliveryError {
  return new DeliveryError(error.description, "rate_limited", (error.parameters.retry_after ?? 5) * 1000);
}
