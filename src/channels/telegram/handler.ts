import type { Api } from "grammy";
import type { App } from "../../app/create-app.js";
import type { InboundOutcome } from "../../app/handle.js";
import type { InboundInput } from "../../app/inbound.js";
import { MAX_CSV_BYTES } from "../../features/roster/index.js";
import { type TelegramTextKey, telegramSays } from "../../i18n/telegram.js";
import type { Logger } from "../../outbox/dispatcher.js";
import { type EventBase, interpretUpdate } from "./inbound.js";
import { clip, MAX_CALLBACK_ANSWER } from "./limits.js";
import { chatIdParam, claimUpdate, eventKey, memberOf, moveBinding, telegramBindings } from "./records.js";
import { ChatMemberStatus, isChatAdmin, isInChat, TelegramUpdate } from "./updates.js";

export interface UpdateHandlerOptions {
  app: App;
  kick: () => void;
  logger: Logger;
  /** Where files are downloaded from: `${apiRoot}/file/bot${token}/${file_path}`. */
  fileRoot: string;
}

export interface UpdateHandler {
  /** Handles one raw update with the given API; never throws, so one bad update cannot stop the bot. */
  update(api: Api, botUsername: string, raw: unknown): Promise<void>;
  /** Waits (briefly) for button answers still on their way. */
  settle(): Promise<void>;
}

/** How long a stop waits for button answers still on their way. */
const SETTLE_MS = 2_000;

const DOWNLOAD_TIMEOUT_MS = 30_000;

/** The callback query id of an update that failed to parse, so its button still stops spinning. */
function strayQueryId(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || !("callback_query" in raw)) return undefined;
  const query = raw.callback_query;
  if (typeof query !== "object" || query === null || !("id" in query)) return undefined;
  return typeof query.id === "string" && query.id !== "" ? query.id : undefined;
}

export function createUpdateHandler(options: UpdateHandlerOptions): UpdateHandler {
  const { app, kick, logger, fileRoot } = options;
  const { deps } = app;
  const answers = new Set<Promise<void>>();

  async function toApp(base: EventBase, input: InboundInput): Promise<InboundOutcome> {
    const outcome = await app.handle({ ...base, input });
    if (outcome.status === "invalid")
      logger.info("telegram update refused by the app", { updateId: base.eventId });
    return outcome;
  }

  /** Answers the sender directly with a Telegram-only sentence, once per update. */
  async function replyOnce(
    api: Api,
    base: EventBase,
    key: TelegramTextKey,
    params?: Record<string, string | number>,
  ) {
    const claim = await claimUpdate(deps, base.eventId, base.userId, base.languageHint);
    if (!claim.fresh) return;
    await api.sendMessage(chatIdParam(base.chat.chatId), telegramSays(key, claim.language, params));
  }

  async function chatMember(api: Api, chatId: string, userId: string): Promise<ChatMemberStatus | undefined> {
    try {
      const parsed = ChatMemberStatus.safeParse(await api.getChatMember(chatIdParam(chatId), Number(userId)));
      if (parsed.success) return parsed.data;
      logger.warn("telegram chat member not understood", { chatId });
    } catch (error) {
      logger.warn("telegram chat member check failed", { chatId, error: String(error) });
    }
    return undefined;
  }

  async function join(api: Api, base: EventBase, villageId: string): Promise<void> {
    const { known, chats } = await deps.store.transaction(async (tx) => ({
      known: (await memberOf(tx, base.userId))?.active === true,
      chats: (await telegramBindings(tx, villageId)).map((binding) => binding.chatId),
    }));
    if (known) {
      await toApp(base, { type: "join", villageId });
      return;
    }
    for (const chatId of chats) {
      const member = await chatMember(api, chatId, base.userId);
      if (member !== undefined && isInChat(member)) {
        await toApp(base, { type: "join", villageId });
        return;
      }
    }
    await replyOnce(api, base, "join.not_in_group");
  }

  async function bind(api: Api, base: EventBase, title: string | undefined, args: string): Promise<void> {
    const member = await chatMember(api, base.chat.chatId, base.userId);
    if (member === undefined || !isChatAdmin(member)) {
      await replyOnce(api, base, "setup.admins_only");
      return;
    }
    const input: InboundInput = { type: "bind_group" };
    if (title !== undefined) input.title = title;
    if (args !== "") input.args = args;
    await toApp(base, input);
  }

  async function download(api: Api, fileId: string): Promise<string | undefined> {
    const file = await api.getFile(fileId);
    if (file.file_path === undefined) return undefined;
    const response = await fetch(`${fileRoot}/${file.file_path}`, {
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`file download answered ${response.status}`);
    const bytes = await response.arrayBuffer();
    if (bytes.byteLength > MAX_CSV_BYTES) return undefined;
    return new TextDecoder("utf-8").decode(bytes);
  }

  async function file(
    api: Api,
    base: EventBase,
    found: { fileId: string; fileName: string; fileSize: number | undefined; textual: boolean },
  ): Promise<void> {
    if (!found.textual) {
      // Not a table: the app says what it wanted instead.
      await toApp(base, { type: "file", fileName: found.fileName, content: "" });
      return;
    }
    const tooBig = () => replyOnce(api, base, "file.too_big", { max: MAX_CSV_BYTES / 1024 });
    if (found.fileSize !== undefined && found.fileSize > MAX_CSV_BYTES) return tooBig();
    const content = await download(api, found.fileId);
    if (content === undefined) return tooBig();
    await toApp(base, { type: "file", fileName: found.fileName, content });
  }

  async function button(api: Api, base: EventBase, queryId: string, data: string | undefined): Promise<void> {
    let answer: string | undefined;
    try {
      if (data === undefined || data === "") return;
      const outcome = await toApp(base, { type: "button", data: data.slice(0, 256) });
      if (outcome.notice !== undefined) {
        answer = clip(
          app.translate(outcome.notice, outcome.language ?? deps.defaultLanguage),
          MAX_CALLBACK_ANSWER,
        );
      }
    } finally {
      answerLater(api, queryId, answer);
    }
  }

  /** Answers a button press without holding up the update's end (and so the next update of that chat). */
  function answerLater(api: Api, queryId: string, text: string | undefined): void {
    const answering = answerQuery(api, queryId, text);
    answers.add(answering);
    answering.finally(() => answers.delete(answering)).catch(() => undefined);
  }

  async function answerQuery(api: Api, queryId: string, text: string | undefined): Promise<void> {
    try {
      await api.answerCallbackQuery(queryId, text === undefined || text === "" ? {} : { text });
    } catch (error) {
      logger.info("telegram callback answer failed", { error: String(error) });
    }
  }

  async function migrate(updateId: number, fromChatId: string, toChatId: string): Promise<void> {
    const moved = await deps.store.transaction(async (tx) => {
      const key = eventKey(String(updateId));
      if (await tx.hasProcessed(key)) return false;
      tx.markProcessed(key);
      return moveBinding(tx, fromChatId, toChatId);
    });
    if (moved) logger.info("telegram group binding moved to supergroup", { fromChatId, toChatId });
  }

  async function update(api: Api, botUsername: string, raw: unknown): Promise<void> {
    const parsed = TelegramUpdate.safeParse(raw);
    if (!parsed.success) {
      const updateId =
        typeof raw === "object" && raw !== null && "update_id" in raw ? raw.update_id : undefined;
      logger.info("telegram update not understood", { updateId, issues: parsed.error.issues.length });
      const queryId = strayQueryId(raw);
      if (queryId !== undefined) answerLater(api, queryId, undefined);
      return;
    }
    const update = parsed.data;
    const found = interpretUpdate(update, botUsername, app.registry.commands);
    try {
      switch (found.kind) {
        case "ignore":
          logger.info("telegram update ignored", { updateId: update.update_id, reason: found.reason });
          return;
        case "event":
          await toApp(found.base, found.input);
          break;
        case "button":
          await button(api, found.base, found.queryId, found.data);
          break;
        case "join":
          await join(api, found.base, found.villageId);
          break;
        case "bind":
          await bind(api, found.base, found.title, found.args);
          break;
        case "anonymous_admin":
          await replyOnce(api, found.base, "setup.anonymous_admin");
          break;
        case "file":
          await file(api, found.base, found);
          break;
        case "migrate":
          await migrate(found.updateId, found.fromChatId, found.toChatId);
          break;
      }
    } catch (error) {
      logger.error("telegram update failed", {
        updateId: update.update_id,
        kind: found.kind,
        error: String(error),
      });
    }
    kick();
  }

  return {
    update,
    async settle() {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(answers),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, SETTLE_MS);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}
