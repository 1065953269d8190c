import { InputFile, type Transformer } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import {
  COMMAND_NAME,
  MAX_CALLBACK_ANSWER,
  MAX_CALLBACK_DATA_BYTES,
  MAX_CAPTION,
  MAX_COMMAND_DESCRIPTION,
  MAX_COMMANDS_PER_SCOPE,
  MAX_TEXT,
} from "../../../src/channels/telegram/limits.js";

/**
 * An in-memory Bot API for tests and the bench: a grammY transformer that records every call and answers
 * the way Telegram does, limits and errors included. It never calls the network.
 */

export interface RecordedCall {
  method: string;
  payload: Record<string, unknown>;
}

export interface ApiFailure {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number; migrate_to_chat_id?: number };
}

type ChatMemberState = "creator" | "administrator" | "member" | "restricted" | "left" | "kicked";

export const FAKE_BOT_INFO: UserFromGetMe = {
  id: 7000000001,
  is_bot: true,
  first_name: "商量助手",
  username: "shangliang_test_bot",
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

export const failures = {
  tooManyRequests: (retryAfter: number): ApiFailure => ({
    error_code: 429,
    description: `Too Many Requests: retry after ${retryAfter}`,
    parameters: { retry_after: retryAfter },
  }),
  cannotInitiate: (): ApiFailure => ({
    error_code: 403,
    description: "Forbidden: bot can't initiate conversation with a user",
  }),
  blocked: (): ApiFailure => ({ error_code: 403, description: "Forbidden: bot was blocked by the user" }),
  chatNotFound: (): ApiFailure => ({ error_code: 400, description: "Bad Request: chat not found" }),
  migrated: (toChatId: number): ApiFailure => ({
    error_code: 400,
    description: "Bad Request: group chat was upgraded to a supergroup chat",
    parameters: { migrate_to_chat_id: toChatId },
  }),
  queryTooOld: (): ApiFailure => ({
    error_code: 400,
    description: "Bad Request: query is too old and response timeout expired or query ID is invalid",
  }),
};

export interface FakeBotApi {
  calls: RecordedCall[];
  transformer: Transformer;
  /** Calls of one method, in order. */
  callsOf(method: string): RecordedCall[];
  /** The next call of `method` (matching `when`, if given) fails with `failure`. */
  failNext(method: string, failure: ApiFailure, when?: (payload: Record<string, unknown>) => boolean): void;
  setChatMember(chatId: number, userId: number, status: ChatMemberState): void;
  /** Private chats with this user answer 403 until `startedChat`. */
  neverStarted(userId: number): void;
  /** The group now lives under a new supergroup id; sends to the old id answer 400 with the new id. */
  migrate(fromChatId: number, toChatId: number): void;
  addFile(fileId: string, filePath: string, size: number): void;
  /** Calls of `method` (matching `when`) wait until the returned function is called. */
  hold(method: string, when?: (payload: Record<string, unknown>) => boolean): () => void;
  clear(): void;
}

function chatOf(id: number) {
  if (id > 0) return { id, type: "private", first_name: "User" };
  return String(id).startsWith("-100")
    ? { id, type: "supergroup", title: "Village group" }
    : { id, type: "group", title: "Village group" };
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, "utf8");
}

function badRequest(description: string): ApiFailure {
  return { error_code: 400, description: `Bad Request: ${description}` };
}

/** The limits Telegram checks on what the bot sends; a breach is answered with the 400 Telegram gives. */
function checkLimits(method: string, payload: Record<string, unknown>): ApiFailure | undefined {
  const text = payload.text;
  if (method === "sendMessage" || method === "editMessageText") {
    if (typeof text !== "string" || text.trim() === "") return badRequest("message text is empty");
    if (text.length > MAX_TEXT) return badRequest("message is too long");
  }
  if (typeof payload.caption === "string" && payload.caption.length > MAX_CAPTION)
    return badRequest("message caption is too long");
  if (method === "answerCallbackQuery" && typeof text === "string" && text.length > MAX_CALLBACK_ANSWER)
    return badRequest("MESSAGE_TOO_LONG");
  const markup = payload.reply_markup as { inline_keyboard?: Record<string, unknown>[][] } | undefined;
  for (const row of markup?.inline_keyboard ?? []) {
    for (const button of row) {
      const data = button.callback_data;
      if (
        data !== undefined &&
        (typeof data !== "string" || data === "" || byteLength(data) > MAX_CALLBACK_DATA_BYTES)
      )
        return badRequest("BUTTON_DATA_INVALID");
      if (typeof button.url === "string" && !/^(https?|tg):\/\//.test(button.url))
        return badRequest("BUTTON_URL_INVALID");
      if (typeof button.text !== "string" || button.text === "") return badRequest("BUTTON_TEXT_EMPTY");
    }
  }
  if (method === "setMyCommands") {
    const commands = payload.commands as { command: string; description: string }[];
    if (commands.length > MAX_COMMANDS_PER_SCOPE) return badRequest("BOT_COMMANDS_TOO_MUCH");
    for (const { command, description } of commands) {
      if (!COMMAND_NAME.test(command)) return badRequest("BOT_COMMAND_INVALID");
      if (description.length < 1 || description.length > MAX_COMMAND_DESCRIPTION)
        return badRequest("BOT_COMMAND_DESCRIPTION_INVALID");
    }
  }
  return undefined;
}

export function createFakeBotApi(botInfo: UserFromGetMe = FAKE_BOT_INFO): FakeBotApi {
  const calls: RecordedCall[] = [];
  const pending: {
    method: string;
    failure: ApiFailure;
    when?: (payload: Record<string, unknown>) => boolean;
  }[] = [];
  const members = new Map<string, ChatMemberState>();
  const unreachable = new Set<number>();
  const migrated = new Map<number, number>();
  const files = new Map<string, { file_path: string; file_size: number }>();
  let messageId = 0;

  function takeFailure(method: string, payload: Record<string, unknown>): ApiFailure | undefined {
    const index = pending.findIndex((p) => p.method === method && (p.when === undefined || p.when(payload)));
    if (index < 0) return undefined;
    const [found] = pending.splice(index, 1);
    return found?.failure;
  }

  function sent(payload: Record<string, unknown>, extra: Record<string, unknown>) {
    const chatId = Number(payload.chat_id);
    return {
      message_id: ++messageId,
      date: Math.floor(Date.now() / 1000),
      chat: chatOf(chatId),
      from: { id: botInfo.id, is_bot: true, first_name: botInfo.first_name, username: botInfo.username },
      ...extra,
    };
  }

  function answer(
    method: string,
    payload: Record<string, unknown>,
  ): { ok: true; result: unknown } | ApiFailure {
    const failure = takeFailure(method, payload) ?? checkLimits(method, payload);
    if (failure !== undefined) return failure;
    const chatId = Number(payload.chat_id);
    if (method.startsWith("send")) {
      if (unreachable.has(chatId)) return failures.cannotInitiate();
      const to = migrated.get(chatId);
      if (to !== undefined) return failures.migrated(to);
    }
    switch (method) {
      case "getMe":
        return { ok: true, result: botInfo };
      case "sendMessage":
        return { ok: true, result: sent(payload, { text: payload.text }) };
      case "editMessageText":
        return {
          ok: true,
          result: {
            message_id: Number(payload.message_id),
            date: 0,
            chat: { id: chatId, type: "private" },
            text: payload.text,
          },
        };
      case "sendPhoto":
        return {
          ok: true,
          result: sent(payload, {
            photo: [{ file_id: payload.photo, file_unique_id: "p", width: 800, height: 600 }],
          }),
        };
      case "sendVoice":
        return {
          ok: true,
          result: sent(payload, { voice: { file_id: payload.voice, file_unique_id: "v", duration: 3 } }),
        };
      case "sendLocation":
        return {
          ok: true,
          result: sent(payload, { location: { latitude: payload.latitude, longitude: payload.longitude } }),
        };
      case "getChatMember": {
        const status = members.get(`${payload.chat_id}:${payload.user_id}`) ?? "left";
        const user = { id: Number(payload.user_id), is_bot: false, first_name: "User" };
        const result =
          status === "restricted"
            ? { status, user, is_member: true, until_date: 0 }
            : status === "administrator"
              ? { status, user, can_be_edited: false, is_anonymous: false }
              : status === "creator"
                ? { status, user, is_anonymous: false }
                : { status, user };
        return { ok: true, result };
      }
      case "getFile": {
        const file = files.get(String(payload.file_id));
        if (file === undefined) return badRequest("invalid file_id");
        return { ok: true, result: { file_id: payload.file_id, file_unique_id: "f", ...file } };
      }
      case "getUpdates":
        return { ok: true, result: [] };
      case "answerCallbackQuery":
      case "setMyCommands":
      case "deleteWebhook":
      case "setWebhook":
      case "deleteMessage":
      case "editMessageReplyMarkup":
        return { ok: true, result: true };
      default:
        return { error_code: 404, description: "Not Found: method not found" };
    }
  }

  const holds: {
    method: string;
    when?: (payload: Record<string, unknown>) => boolean;
    until: Promise<void>;
  }[] = [];

  /** A file uploaded with the call is recorded by its name (grammY would send its bytes as multipart). */
  const uploadsNamed = (payload: object) =>
    Object.fromEntries(
      Object.entries(payload).map(([key, value]) => [
        key,
        value instanceof InputFile ? { input_file: value.filename ?? "" } : value,
      ]),
    );

  const transformer: Transformer = async (_prev, method, payload) => {
    const copy = JSON.parse(JSON.stringify(uploadsNamed(payload ?? {}))) as Record<string, unknown>;
    calls.push({ method, payload: copy });
    for (const held of holds)
      if (held.method === method && (held.when === undefined || held.when(copy))) await held.until;
    const result = answer(method, copy);
    return ("ok" in result ? result : { ok: false, ...result }) as Awaited<ReturnType<Transformer>>;
  };

  return {
    calls,
    transformer,
    callsOf: (method) => calls.filter((call) => call.method === method),
    failNext(method, failure, when) {
      pending.push(when === undefined ? { method, failure } : { method, failure, when });
    },
    setChatMember(chatId, userId, status) {
      members.set(`${chatId}:${userId}`, status);
    },
    neverStarted(userId) {
      unreachable.add(userId);
    },
    migrate(fromChatId, toChatId) {
      migrated.set(fromChatId, toChatId);
    },
    addFile(fileId, filePath, size) {
      files.set(fileId, { file_path: filePath, file_size: size });
    },
    hold(method, when) {
      let release: () => void = () => undefined;
      const until = new Promise<void>((resolve) => {
        release = resolve;
      });
      holds.push(when === undefined ? { method, until } : { method, when, until });
      return release;
    },
    clear() {
      calls.length = 0;
    },
  };
}
