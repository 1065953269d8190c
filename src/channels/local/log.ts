import { appendFile, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "../../outbox/dispatcher.js";
import { ChatLogFile, LocalMessage } from "./schema.js";

export const KEPT_MESSAGES = 200;

/** The local chats' history: one small file per chat, a JSON line per message, the newest messages kept. */
export interface ChatLog {
  /** Adds a message at the end; undefined when a message with this id is already there (a redelivery). */
  append(chatId: string, message: Omit<LocalMessage, "n">): Promise<LocalMessage | undefined>;
  /** Replaces the content of message `id` (kept at its place); undefined when it is no longer kept. */
  edit(
    chatId: string,
    id: string,
    message: Omit<LocalMessage, "n" | "id">,
  ): Promise<LocalMessage | undefined>;
  recent(chatId: string, limit: number): Promise<LocalMessage[]>;
}

const SAFE_CHAT_ID = /^[A-Za-z0-9_-]{1,64}$/;

function fileStem(chatId: string): string {
  return SAFE_CHAT_ID.test(chatId) ? chatId : `x-${Buffer.from(chatId).toString("hex")}`;
}

/** A chat's log: one message per line, an edit appended as the message again under its id. */
export function chatFileName(chatId: string): string {
  return `${fileStem(chatId)}.jsonl`;
}

/** Where earlier versions kept a chat's log, as one JSON document rewritten whole. */
function legacyFileName(chatId: string): string {
  return `${fileStem(chatId)}.json`;
}

interface Chat {
  path: string;
  messages: LocalMessage[];
  /** Lines in the file; past twice the kept messages, the next write rewrites it with the kept ones only. */
  lines: number;
  /** Lines changed in memory and not yet handed to a write. */
  pending: string[];
  writing?: Promise<void>;
  queued?: Promise<void>;
}

export function createChatLog(dir: string, logger: Logger, keep = KEPT_MESSAGES): ChatLog {
  const opened = new Map<string, Promise<Chat>>();
  const queues = new Map<string, Promise<unknown>>();

  let folder: Promise<unknown> | undefined;

  async function open(chatId: string): Promise<Chat> {
    // The folder is made once, not once per chat opened.
    folder ??= mkdir(dir, { recursive: true }).catch((error: unknown) => {
      folder = undefined;
      throw error;
    });
    await folder;
    const path = join(dir, chatFileName(chatId));
    const text = await readIfThere(path);
    if (text !== undefined) return replay(path, text);
    const chat: Chat = { path, messages: [], lines: 0, pending: [] };
    const legacyPath = join(dir, legacyFileName(chatId));
    const legacy = await readIfThere(legacyPath);
    if (legacy === undefined) return chat;
    const parsed = ChatLogFile.safeParse(parseJson(legacy));
    if (!parsed.success) {
      await setAside(legacyPath, "the file is not a chat log");
      return chat;
    }
    chat.messages = parsed.data.messages.slice(-keep);
    await rewrite(chat);
    await unlink(legacyPath);
    return chat;
  }

  async function replay(path: string, text: string): Promise<Chat> {
    const messages: LocalMessage[] = [];
    const at = new Map<string, number>();
    let unreadable = 0;
    let lines = 0;
    for (const line of text.split("\n")) {
      if (line === "") continue;
      lines++;
      const parsed = LocalMessage.safeParse(parseJson(line));
      if (!parsed.success) {
        unreadable++;
        continue;
      }
      const index = at.get(parsed.data.id);
      if (index === undefined) {
        at.set(parsed.data.id, messages.length);
        messages.push(parsed.data);
      } else messages[index] = parsed.data;
    }
    const chat: Chat = { path, messages: messages.slice(-keep), lines, pending: [] };
    if (unreadable > 0) {
      // A line cut short by a crash, or an edit by hand: the readable lines are kept, the file set aside.
      await setAside(path, `${unreadable} unreadable line(s)`);
      await rewrite(chat);
    }
    return chat;
  }

  async function setAside(path: string, problem: string): Promise<void> {
    const aside = `${path}.unreadable-${Date.now()}`;
    logger.warn("local chat log unreadable, kept what could be read", {
      path,
      movedTo: aside,
      error: problem,
    });
    await rename(path, aside);
  }

  async function rewrite(chat: Chat): Promise<void> {
    const text = chat.messages.map((message) => `${JSON.stringify(message)}\n`).join("");
    const temporary = `${chat.path}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, chat.path);
    chat.lines = chat.messages.length;
  }

  function db(chatId: string): Promise<Chat> {
    let found = opened.get(chatId);
    if (found === undefined) {
      found = open(chatId);
      opened.set(chatId, found);
      found.catch(() => opened.delete(chatId));
    }
    return found;
  }

  /** Runs one chat's reads and changes one after another. */
  function serial<T>(chatId: string, work: () => Promise<T>): Promise<T> {
    const previous = queues.get(chatId) ?? Promise.resolve();
    const next = previous.then(work, work);
    queues.set(
      chatId,
      next.catch(() => undefined),
    );
    return next;
  }

  /**
   * Writes a chat's changed lines: in the next turn of the event loop, or, while a write of it is under way,
   * once after that write for every change made meanwhile. Resolves once the file holds `message`.
   */
  function persist(chat: Chat, message: LocalMessage): Promise<void> {
    chat.pending.push(`${JSON.stringify(message)}\n`);
    if (chat.queued !== undefined) return chat.queued;
    const previous = chat.writing ?? new Promise<void>((resolve) => setImmediate(resolve));
    const queued = previous
      .catch(() => undefined)
      .then(() => {
        delete chat.queued;
        const lines = chat.pending;
        chat.pending = [];
        const writing = (
          chat.lines + lines.length > 2 * keep ? rewrite(chat) : appendLines(chat, lines)
        ).finally(() => {
          if (chat.writing === writing) delete chat.writing;
        });
        chat.writing = writing;
        return writing;
      });
    chat.queued = queued;
    return queued;
  }

  async function appendLines(chat: Chat, lines: string[]): Promise<void> {
    await appendFile(chat.path, lines.join(""));
    chat.lines += lines.length;
  }

  return {
    async append(chatId, message) {
      // Numbered in the order appends are called; the file is written for many at once.
      const added = await serial(chatId, async () => {
        const chat = await db(chatId);
        const messages = chat.messages;
        if (messages.some((existing) => existing.id === message.id)) return undefined;
        const stored: LocalMessage = { ...message, n: (messages.at(-1)?.n ?? 0) + 1 };
        messages.push(stored);
        if (messages.length > keep) messages.splice(0, messages.length - keep);
        return { chat, stored };
      });
      if (added === undefined) return undefined;
      await persist(added.chat, added.stored);
      return added.stored;
    },
    async edit(chatId, id, message) {
      const edited = await serial(chatId, async () => {
        const chat = await db(chatId);
        const at = chat.messages.findIndex((existing) => existing.id === id);
        const existing = chat.messages[at];
        if (existing === undefined) return undefined;
        const stored: LocalMessage = { ...message, id, n: existing.n };
        chat.messages[at] = stored;
        return { chat, stored };
      });
      if (edited === undefined) return undefined;
      await persist(edited.chat, edited.stored);
      return edited.stored;
    },
    recent(chatId, limit) {
      return serial(chatId, async () => (await db(chatId)).messages.slice(-limit));
    },
  };
}

async function readIfThere(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
