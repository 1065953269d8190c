import { webApi } from "@slack/bolt";
import type { OutboxEntry } from "../../app/ports.js";
import type { ChartRenderer } from "../../charts/render.js";
import type { Attachment } from "../../domain/model.js";
import { slackSays } from "../../i18n/slack.js";
import { type ChannelSender, type Delivered, DeliveryError, type Logger } from "../../outbox/dispatcher.js";
import type { Translate } from "../render.js";
import { renderForSlack, type SlackMessage, slackMessages } from "./blocks.js";

type WebClient = webApi.WebClient;

export interface SlackSenderOptions {
  client: WebClient;
  translate: Translate;
  chart: ChartRenderer;
  logger: Logger;
  /** The bot's command names, written in Slack as words after /shangliang. */
  commands: ReadonlySet<string>;
  /** Fetches a file a villager sent, to share it on (tests answer it themselves). */
  fetch?: typeof fetch;
}

/** Errors naming a chat the bot can never post to: given up at once. */
const PERMANENT = new Set([
  "channel_not_found",
  "not_in_channel",
  "is_archived",
  "user_not_found",
  "user_disabled",
  "account_inactive",
  "cannot_dm_bot",
  "invalid_auth",
  "token_revoked",
  "not_authed",
  "missing_scope",
  "restricted_action",
  "msg_too_long",
  "msg_blocks_too_long",
  "invalid_blocks",
]);
/** Errors of Slack's own: wait and try again, it is not the message's fault. */
const UNAVAILABLE = new Set(["internal_error", "fatal_error", "service_unavailable", "request_timeout"]);
/** chat.update refusals for the message itself: send it anew instead. */
const NOT_EDITABLE = new Set(["message_not_found", "cant_update_message", "edit_window_closed"]);

const FILE_TIMEOUT_MS = 30_000;
/** The most of a villager's file shared on (Slack's own upload limit is far higher; phones' photos are smaller). */
const MAX_SHARED_FILE_BYTES = 20 * 1024 * 1024;

/** A sent message's reference, to edit it later: its conversation and timestamp. */
export function messageRef(channel: string, ts: string): string {
  return `${channel}|${ts}`;
}

function parseRef(ref: string): { channel: string; ts: string } | undefined {
  const [channel, ts, ...more] = ref.split("|");
  return channel === undefined || ts === undefined || more.length > 0 || channel === "" || ts === ""
    ? undefined
    : { channel, ts };
}

function platformError(error: unknown): string | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  if (error.code !== webApi.ErrorCode.PlatformError || !("data" in error)) return undefined;
  const data = error.data as { error?: unknown };
  return typeof data.error === "string" ? data.error : undefined;
}

/** Slack's errors in the outbox's terms. */
export function deliveryErrorOf(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
  const text = error instanceof Error ? error.message : String(error);
  if (code === webApi.ErrorCode.RateLimitedError) {
    const seconds = (error as { retryAfter?: number }).retryAfter ?? 1;
    // Slack's limits are per method and workspace: the whole channel waits.
    return new DeliveryError(text, "rate_limited", seconds * 1000, true);
  }
  if (code === webApi.ErrorCode.RequestError) return new DeliveryError(text, "unavailable");
  if (code === webApi.ErrorCode.HTTPError) {
    const status = (error as { statusCode?: number }).statusCode ?? 0;
    return new DeliveryError(text, status >= 500 ? "unavailable" : "failed");
  }
  const reason = platformError(error);
  if (reason !== undefined) {
    if (PERMANENT.has(reason)) return new DeliveryError(reason, "permanent");
    if (UNAVAILABLE.has(reason)) return new DeliveryError(reason, "unavailable");
    return new DeliveryError(reason);
  }
  return new DeliveryError(text);
}

/** Turns one outbox entry into Slack Web API calls, and Slack's errors into the outbox's terms. */
export function createSlackSender(options: SlackSenderOptions): ChannelSender {
  const { client, translate, chart, logger } = options;
  const fetchFile = options.fetch ?? fetch;
  /** The direct-message conversation of each person posted to by user id (files need a conversation). */
  const directMessages = new Map<string, string>();

  async function conversationOf(chatId: string): Promise<string> {
    if (!/^[UW]/.test(chatId)) return chatId;
    const known = directMessages.get(chatId);
    if (known !== undefined) return known;
    const opened = await client.conversations.open({ users: chatId });
    const id = opened.channel?.id;
    if (id === undefined) throw new DeliveryError("conversations.open gave no channel");
    directMessages.set(chatId, id);
    return id;
  }

  async function upload(chatId: string, file: Buffer, filename: string, title: string): Promise<void> {
    await client.filesUploadV2({ channel_id: await conversationOf(chatId), file, filename, title });
  }

  /** Shares on a photo or voice clip a villager sent the bot: read with the bot's token, uploaded anew. */
  async function shareOn(chatId: string, attachment: Attachment): Promise<void> {
    const info = await client.files.info({ file: attachment.fileRef });
    const url = info.file?.url_private_download;
    if (url === undefined) throw new DeliveryError(`file ${attachment.fileRef} has no download`, "permanent");
    const response = await fetchFile(url, {
      headers: { authorization: `Bearer ${client.token ?? ""}` },
      signal: AbortSignal.timeout(FILE_TIMEOUT_MS),
    });
    if (!response.ok) throw new DeliveryError(`file download answered ${response.status}`, "unavailable");
    const bytes = Buffer.from(await response.arrayBuffer());
    if (bytes.length > MAX_SHARED_FILE_BYTES) {
      logger.warn("slack file too big to share on", { file: attachment.fileRef, bytes: bytes.length });
      return;
    }
    const name = info.file?.name ?? (attachment.type === "photo" ? "photo.jpg" : "voice.m4a");
    await upload(chatId, bytes, name, name);
  }

  function messagesOf(entry: OutboxEntry): SlackMessage[] {
    const { message, target } = entry;
    const rendered = renderForSlack(message, target.language, translate, options.commands);
    return slackMessages(rendered, {
      location: message.location,
      continued: slackSays("message.continued", target.language),
    });
  }

  /** One call each: the chart, the files, then the messages; the last sent message is the entry's reference. */
  function partsOf(entry: OutboxEntry, chatId: string): (() => Promise<string | undefined>)[] {
    const { message, target } = entry;
    const parts: (() => Promise<string | undefined>)[] = [];
    const drawing = message.chart;
    if (drawing !== undefined)
      parts.push(async () => {
        const title = translate(drawing.title, target.language);
        await upload(chatId, await chart(drawing, target.language), "chart.png", title);
        return undefined;
      });
    for (const attachment of message.attachments ?? []) {
      if (attachment.channel !== "slack") continue;
      parts.push(async () => {
        await shareOn(chatId, attachment);
        return undefined;
      });
    }
    for (const one of messagesOf(entry)) {
      parts.push(async () => {
        const posted = await client.chat.postMessage({ channel: chatId, text: one.text, blocks: one.blocks });
        return posted.ts === undefined ? undefined : messageRef(posted.channel ?? chatId, posted.ts);
      });
    }
    return parts;
  }

  /** Edits the message sent earlier under the entry's key; false when it cannot be (then it is sent anew). */
  async function edit(entry: OutboxEntry, ref: { channel: string; ts: string }): Promise<boolean> {
    const { message } = entry;
    if ((message.attachments ?? []).length > 0 || message.chart !== undefined) return false;
    const [one, ...more] = messagesOf(entry);
    if (one === undefined || more.length > 0) return false;
    try {
      await client.chat.update({ channel: ref.channel, ts: ref.ts, text: one.text, blocks: one.blocks });
      return true;
    } catch (error) {
      const reason = platformError(error);
      if (reason !== undefined && NOT_EDITABLE.has(reason)) return false;
      throw error;
    }
  }

  return {
    async send(entry, progress): Promise<Delivered> {
      try {
        const editing = entry.edits === undefined ? undefined : parseRef(entry.edits);
        if (editing !== undefined && (await edit(entry, editing)))
          return { ref: messageRef(editing.channel, editing.ts) };
        const parts = partsOf(entry, entry.target.chatId);
        let ref: string | undefined;
        for (let index = entry.partsSent ?? 0; index < parts.length; index++) {
          ref = (await parts[index]?.()) ?? ref;
          if (index + 1 < parts.length) await progress.partSent(index + 1);
        }
        return ref === undefined ? {} : { ref };
      } catch (error) {
        throw deliveryErrorOf(error);
      }
    },
  };
}
