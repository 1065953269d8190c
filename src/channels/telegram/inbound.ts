import type { CommandSpec } from "../../app/feature.js";
import { commandInput, type InboundEvent, type InboundInput } from "../../app/inbound.js";
import { parseJoinPayload } from "./links.js";
import type { TelegramChat, TelegramMessage, TelegramUpdate, TelegramUser } from "./updates.js";

/** Telegram's stand-in sender for messages an anonymous group admin posts. */
export const GROUP_ANONYMOUS_BOT_ID = 1087968824;

/** The parts of an InboundEvent known before the input is settled. */
export type EventBase = Omit<InboundEvent, "input">;

/** What an update asks for: an event for the app, a check with Telegram first, or nothing. */
export type Interpretation =
  | { kind: "ignore"; reason: string }
  | { kind: "event"; base: EventBase; input: InboundInput }
  | { kind: "button"; base: EventBase; queryId: string; data: string | undefined }
  | { kind: "join"; base: EventBase; villageId: string }
  | { kind: "bind"; base: EventBase; title: string | undefined; args: string }
  | { kind: "anonymous_admin"; base: EventBase }
  | {
      kind: "file";
      base: EventBase;
      fileId: string;
      fileName: string;
      fileSize: number | undefined;
      textual: boolean;
    }
  | { kind: "migrate"; updateId: number; fromChatId: string; toChatId: string };

/** The command that binds a group; the channel checks the sender is a group admin before the app sees it. */
const BIND_COMMAND = "setup";
const TEXT_FILE = /\.(csv|txt)$/i;

function displayName(user: TelegramUser): string {
  const name = user.last_name === undefined ? user.first_name : `${user.first_name} ${user.last_name}`;
  return name.trim().slice(0, 128);
}

function chatOf(chat: TelegramChat): EventBase["chat"] | undefined {
  if (chat.type === "private") return { kind: "private", chatId: String(chat.id) };
  if (chat.type === "group" || chat.type === "supergroup") return { kind: "group", chatId: String(chat.id) };
  return undefined;
}

function baseOf(updateId: number, user: TelegramUser, chat: EventBase["chat"]): EventBase {
  const base: EventBase = { eventId: String(updateId), channel: "telegram", userId: String(user.id), chat };
  const name = displayName(user);
  if (name !== "") base.displayName = name;
  if (user.language_code !== undefined && user.language_code.length <= 35)
    base.languageHint = user.language_code;
  return base;
}

interface ParsedCommand {
  name: string;
  /** The @username the command was addressed to, lower-cased, if any. */
  addressee: string | undefined;
  args: string;
}

/** A message that starts with a bot command: `/name@bot args`. */
export function parseCommand(message: TelegramMessage): ParsedCommand | undefined {
  const text = message.text;
  const first = message.entities?.[0];
  if (text === undefined || first === undefined || first.type !== "bot_command" || first.offset !== 0)
    return undefined;
  const [name = "", addressee] = text.slice(1, first.length).split("@");
  return {
    name: name.toLowerCase(),
    addressee: addressee?.toLowerCase(),
    args: text.slice(first.length).trim(),
  };
}

function interpretCommand(
  base: EventBase,
  command: ParsedCommand,
  chat: TelegramChat,
  sender: TelegramUser,
  commands: ReadonlyMap<string, CommandSpec>,
): Interpretation {
  const spec = commands.get(command.name);
  const known = spec === undefined ? undefined : command.name;
  if (base.chat.kind === "group") {
    if (known === undefined || spec?.group === undefined)
      return { kind: "ignore", reason: "group command not ours" };
    if (known === BIND_COMMAND) {
      if (sender.id === GROUP_ANONYMOUS_BOT_ID) return { kind: "anonymous_admin", base };
      return { kind: "bind", base, title: chat.title?.slice(0, 256), args: command.args.slice(0, 256) };
    }
    const args = command.args.slice(0, 256);
    return {
      kind: "event",
      base,
      input: commandInput(known, args),
    };
  }
  if (known === "start") {
    const villageId = parseJoinPayload(command.args === "" ? undefined : command.args);
    if (villageId !== undefined) return { kind: "join", base, villageId };
    return { kind: "event", base, input: { type: "command", command: "start" } };
  }
  // An unknown command in a private chat gets the menu, never taken as an answer to a question.
  const name = known ?? "help";
  const args = command.args.slice(0, 256);
  return {
    kind: "event",
    base,
    input: commandInput(name, known === undefined ? "" : args),
  };
}

function interpretPrivateMessage(base: EventBase, message: TelegramMessage): Interpretation {
  if (message.text !== undefined) {
    if (message.text.trim() === "") return { kind: "ignore", reason: "blank text" };
    return { kind: "event", base, input: { type: "text", text: message.text } };
  }
  if (message.photo !== undefined) {
    const largest = message.photo.reduce((best, size) =>
      size.width * size.height > best.width * best.height ? size : best,
    );
    const input: InboundInput = { type: "photo", fileRef: largest.file_id.slice(0, 512) };
    if (message.caption !== undefined && message.caption.trim() !== "") input.caption = message.caption;
    return { kind: "event", base, input };
  }
  if (message.voice !== undefined) {
    return { kind: "event", base, input: { type: "voice", fileRef: message.voice.file_id.slice(0, 512) } };
  }
  if (message.location !== undefined) {
    const { latitude: lat, longitude: lng } = message.location;
    return { kind: "event", base, input: { type: "location", lat, lng } };
  }
  if (message.document !== undefined) {
    const { file_id, file_name, mime_type, file_size } = message.document;
    const fileName = (file_name ?? "file").slice(0, 256);
    const textual = TEXT_FILE.test(fileName) || (mime_type?.startsWith("text/") ?? false);
    return { kind: "file", base, fileId: file_id, fileName, fileSize: file_size, textual };
  }
  return { kind: "ignore", reason: "message kind not handled" };
}

/** Maps one parsed update to what the channel should do with it; pure, so every branch is testable. */
export function interpretUpdate(
  update: TelegramUpdate,
  botUsername: string,
  commands: ReadonlyMap<string, CommandSpec>,
): Interpretation {
  const query = update.callback_query;
  if (query !== undefined) {
    const chat: EventBase["chat"] =
      query.message === undefined
        ? { kind: "private", chatId: String(query.from.id) }
        : (chatOf(query.message.chat) ?? { kind: "private", chatId: String(query.from.id) });
    return {
      kind: "button",
      base: baseOf(update.update_id, query.from, chat),
      queryId: query.id,
      data: query.data,
    };
  }
  const message = update.message;
  if (message === undefined) return { kind: "ignore", reason: "update kind not handled" };
  if (message.migrate_to_chat_id !== undefined) {
    const fromChatId = String(message.chat.id);
    return {
      kind: "migrate",
      updateId: update.update_id,
      fromChatId,
      toChatId: String(message.migrate_to_chat_id),
    };
  }
  if (message.migrate_from_chat_id !== undefined) {
    const toChatId = String(message.chat.id);
    return {
      kind: "migrate",
      updateId: update.update_id,
      fromChatId: String(message.migrate_from_chat_id),
      toChatId,
    };
  }
  const chat = chatOf(message.chat);
  if (chat === undefined) return { kind: "ignore", reason: "chat kind not handled" };
  const sender = message.from;
  if (sender === undefined || (sender.is_bot && sender.id !== GROUP_ANONYMOUS_BOT_ID)) {
    return { kind: "ignore", reason: "not from a person" };
  }
  const base = baseOf(update.update_id, sender, chat);
  const command = parseCommand(message);
  if (command !== undefined) {
    if (command.addressee !== undefined && command.addressee !== botUsername.toLowerCase()) {
      return { kind: "ignore", reason: "command for another bot" };
    }
    return interpretCommand(base, command, message.chat, sender, commands);
  }
  if (chat.kind === "group") return { kind: "ignore", reason: "group message without a command" };
  return interpretPrivateMessage(base, message);
}
