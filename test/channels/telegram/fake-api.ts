import type { Update } from "grammy/types";
import type { Conversation } from "../../../src/app/conversation.js";
import type { App } from "../../../src/app/create-app.js";
import { Bindings, bindingKey, Conversations, identityKey, Members } from "../../../src/app/tables.js";
import { createTelegramChannel } from "../../../src/channels/telegram/index.js";
import type { GroupBinding, Member, ServiceRequest } from "../../../src/domain/model.js";
import { Requests } from "../../../src/features/requests/index.js";
import type { Logger } from "../../../src/outbox/dispatcher.js";
import { createDispatcher } from "../../../src/outbox/dispatcher.js";
import { createTestApp } from "../../support/app.js";
import { createFakeBotApi, FAKE_BOT_INFO, type RecordedCall } from "../../support/telegram/fake-bot-api.js";

export {
  type ApiFailure,
  createFakeBotApi,
  FAKE_BOT_INFO,
  failures,
  type RecordedCall,
} from "../../support/telegram/fake-bot-api.js";

export const BOT_USERNAME = FAKE_BOT_INFO.username;
export const TOKEN = "7000000001:TESTTESTTESTTESTTESTTESTTEST";

export interface TgUser {
  id: number;
  is_bot: false;
  first_name: string;
  last_name?: string;
  language_code?: string;
}

export interface TgChat {
  id: number;
  type: "private" | "group" | "supergroup";
  title?: string;
  first_name?: string;
}

export function tgUser(id: number, firstName: string, languageCode = "zh-hans"): TgUser {
  return { id, is_bot: false, first_name: firstName, language_code: languageCode };
}

export function privateChat(user: TgUser): TgChat {
  return { id: user.id, type: "private", first_name: user.first_name };
}

export function groupChat(id: number, title = "幸福村村民群"): TgChat {
  return { id, type: String(id).startsWith("-100") ? "supergroup" : "group", title };
}

/** Builds realistic Bot API updates with increasing update_id and message_id. */
export function createUpdates(firstId = 500_000) {
  let updateId = firstId;
  let messageId = 100;
  const date = () => 1_795_000_000;

  function message(from: TgUser, chat: TgChat, fields: Record<string, unknown>): Update {
    return {
      update_id: ++updateId,
      message: { message_id: ++messageId, date: date(), chat, from, ...fields },
    } as unknown as Update;
  }

  return {
    /** A text message; a leading /command gets its bot_command entity like Telegram sets it. */
    text(from: TgUser, chat: TgChat, text: string): Update {
      const command = /^\/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?/.exec(text);
      const entities =
        command === null ? undefined : [{ type: "bot_command", offset: 0, length: command[0].length }];
      return message(from, chat, entities === undefined ? { text } : { text, entities });
    },
    press(from: TgUser, chat: TgChat, data: string, onMessageId = 1): Update {
      return {
        update_id: ++updateId,
        callback_query: {
          id: `q${updateId}`,
          from,
          chat_instance: "-42",
          data,
          message: { message_id: onMessageId, date: date(), chat, from: { ...FAKE_BOT_INFO }, text: "…" },
        },
      } as unknown as Update;
    },
    photo(from: TgUser, fileId: string, caption?: string): Update {
      const sizes = [
        { file_id: `${fileId}-small`, file_unique_id: "s", width: 90, height: 60, file_size: 1200 },
        { file_id: fileId, file_unique_id: "l", width: 1280, height: 960, file_size: 120_000 },
      ];
      return message(
        from,
        privateChat(from),
        caption === undefined ? { photo: sizes } : { photo: sizes, caption },
      );
    },
    voice(from: TgUser, fileId: string): Update {
      return message(from, privateChat(from), {
        voice: { file_id: fileId, file_unique_id: "v", duration: 7, mime_type: "audio/ogg" },
      });
    },
    location(from: TgUser, latitude: number, longitude: number): Update {
      return message(from, privateChat(from), { location: { latitude, longitude } });
    },
    document(
      from: TgUser,
      doc: { file_id: string; file_name: string; mime_type: string; file_size: number },
    ): Update {
      return message(from, privateChat(from), { document: { ...doc, file_unique_id: "d" } });
    },
    /** The service message Telegram posts in the old group when it becomes a supergroup. */
    migrateTo(from: TgUser, oldChat: TgChat, newChatId: number): Update {
      return message(from, oldChat, { migrate_to_chat_id: newChatId });
    },
    get lastId() {
      return updateId;
    },
  };
}

export interface LoggedLine {
  level: "info" | "warn" | "error";
  message: string;
  data?: Record<string, unknown>;
}

export function recordingLogger(): Logger & { lines: LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const log = (level: LoggedLine["level"]) => (message: string, data?: Record<string, unknown>) => {
    lines.push(data === undefined ? { level, message } : { level, message, data });
  };
  return { lines, info: log("info"), warn: log("warn"), error: log("error") };
}

export interface Sent {
  call: RecordedCall;
  chatId: number;
  text: string;
  buttons: { text: string; callback_data?: string; url?: string }[];
}

/** The Telegram channel of an app built as main.ts builds it (in memory), its outbox dispatcher, and the fake Bot API. */
export async function createTelegramHarness(options: { start?: string; apiRoot?: string } = {}) {
  let now = new Date(options.start ?? "2026-11-23T02:00:00Z");
  const clock = { now: () => now };
  const app: App = await createTestApp({ clock, channels: ["telegram"] });
  const store = app.store;
  const fake = createFakeBotApi();
  const logger = recordingLogger();
  let kicks = 0;
  const channel = createTelegramChannel({
    token: TOKEN,
    apiRoot: options.apiRoot ?? "http://127.0.0.1:9",
    app,
    kick: () => {
      kicks++;
    },
    logger,
    botInfo: FAKE_BOT_INFO,
    transformer: fake.transformer,
  });
  const dispatcher = createDispatcher({
    outbox: store,
    senders: new Map([["telegram", channel.sender]]),
    clock,
    logger,
  });
  const updates = createUpdates();

  /** Feeds one update through grammY, then lets the outbox send what it queued. */
  async function deliver(update: Update): Promise<void> {
    await channel.bot.handleUpdate(update);
    await dispatcher.flush();
  }

  function sentMessages(chatId?: number): Sent[] {
    return fake
      .callsOf("sendMessage")
      .filter((call) => chatId === undefined || Number(call.payload.chat_id) === chatId)
      .map((call) => {
        const markup = call.payload.reply_markup as { inline_keyboard?: Sent["buttons"][] } | undefined;
        return {
          call,
          chatId: Number(call.payload.chat_id),
          text: String(call.payload.text),
          buttons: (markup?.inline_keyboard ?? []).flat(),
        };
      });
  }

  function lastSent(chatId: number): Sent | undefined {
    return sentMessages(chatId).at(-1);
  }

  /** Presses the newest button in `chat` whose callback data matches, as `user`. */
  async function press(user: TgUser, chat: TgChat, data: RegExp): Promise<string> {
    for (const sent of [...sentMessages(chat.id)].reverse()) {
      const found = sent.buttons.find(
        (button) => button.callback_data !== undefined && data.test(button.callback_data),
      );
      if (found?.callback_data !== undefined) {
        await deliver(updates.press(user, chat, found.callback_data));
        return found.callback_data;
      }
    }
    throw new Error(`no button matching ${data} was sent to chat ${chat.id}`);
  }

  async function memberOf(user: TgUser): Promise<Member | undefined> {
    return store.transaction(
      async (tx) => (await tx.find(Members, "identity", identityKey("telegram", String(user.id))))[0],
    );
  }

  async function membersOf(villageId: string): Promise<Member[]> {
    return store.transaction((tx) => tx.find(Members, "village", villageId));
  }

  async function bindingOf(chat: TgChat | number): Promise<GroupBinding | undefined> {
    const chatId = typeof chat === "number" ? chat : chat.id;
    return store.transaction((tx) => tx.get(Bindings, bindingKey("telegram", String(chatId))));
  }

  /** The stored private conversation of a Telegram user: the steps waiting for their answer. */
  async function conversationOf(user: TgUser): Promise<Conversation | undefined> {
    return store.transaction((tx) => tx.get(Conversations, `telegram:${user.id}`));
  }

  async function request(id: string): Promise<ServiceRequest | undefined> {
    return store.transaction((tx) => tx.get(Requests, id));
  }

  /** The requests a Telegram user asked for, oldest first. */
  async function requestsOf(user: TgUser): Promise<ServiceRequest[]> {
    const member = await memberOf(user);
    if (member === undefined) return [];
    return store.transaction((tx) => tx.find(Requests, "requester", `${member.villageId}/${member.id}`));
  }

  return {
    app,
    store,
    fake,
    logger,
    channel,
    dispatcher,
    updates,
    deliver,
    sentMessages,
    lastSent,
    press,
    memberOf,
    membersOf,
    bindingOf,
    conversationOf,
    request,
    requestsOf,
    /** A sentence as the bot says it in this language. */
    say: (key: string, params?: Record<string, string | number>, language: "zh-CN" | "en" = "zh-CN") =>
      app.translate(params === undefined ? { key } : { key, params }, language),
    kicks: () => kicks,
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
  };
}

export type TelegramHarness = Awaited<ReturnType<typeof createTelegramHarness>>;

/** A secretary who set up 幸福村 in a private chat and bound the group; returns the village id. */
export async function setUpVillage(
  h: TelegramHarness,
  secretary: TgUser,
  group: TgChat,
  names: { village?: string; town?: string; code?: string } = {},
): Promise<string> {
  const chat = privateChat(secretary);
  await h.deliver(h.updates.text(secretary, chat, "/setup"));
  await h.deliver(h.updates.text(secretary, chat, names.village ?? "幸福村"));
  await h.deliver(h.updates.text(secretary, chat, names.town ?? "和平镇"));
  await h.deliver(h.updates.text(secretary, chat, names.code ?? "XF"));
  h.fake.setChatMember(group.id, secretary.id, "creator");
  await h.deliver(h.updates.text(secretary, group, `/setup@${BOT_USERNAME}`));
  const member = await h.memberOf(secretary);
  if (member === undefined) throw new Error("the secretary was not set up");
  return member.villageId;
}

/** A group member who pressed the group's deep link and joined the roster. */
export async function joinVillage(
  h: TelegramHarness,
  user: TgUser,
  group: TgChat,
  villageId: string,
): Promise<void> {
  h.fake.setChatMember(group.id, user.id, "member");
  await h.deliver(h.updates.text(user, privateChat(user), `/start j_${villageId}`));
}
