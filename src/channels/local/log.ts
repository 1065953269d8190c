import { mkdir, rename } from "node:fs/promises";
import { join } from "node:path";
import { Low } from "lowdb";
import { JSONFile } from "lowdb/node";
import type { Logger } from "../../outbox/dispatcher.js";
import { ChatLogFile, type LocalMessage } from "./schema.js";

export const KEPT_MESSAGES = 200;

/** The local chats' history: one small JSON file per chat, the newest messages kept. */
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

export function chatFileName(chatId: string): string {
  return SAFE_CHAT_ID.test(chatId) ? `${chatId}.json` : `x-${Buffer.from(chatId).toString("hex")}.json`;
}

export function createChatLog(dir: string, logger: Logger, keep = KEPT_MESSAGES): ChatLog {
  const opened = new Map<string, Promise<Low<ChatLogFile>>>();
  const queues = new Map<string, Promise<unknown>>();

  async function open(chatId: string): Promise<Low<ChatLogFile>> {
    await mkdir(dir, { recursive: true });
    const path = join(dir, chatFileName(chatId));
    const db = new Low<ChatLogFile>(new JSONFile<ChatLogFile>(path), { messages: [] });
    let problem: string | undefined;
    try {
      await db.read();
      const parsed = ChatLogFile.safeParse(db.data);
      if (parsed.success) db.data = parsed.data;
      else problem = parsed.error.message;
    } catch (error) {
      problem = error instanceof Error ? error.message : String(error);
    }
    if (problem !== undefined) {
      const aside = `${path}.unreadable-${Date.now()}`;
      logger.warn("local chat log unreadable, starting it afresh", { path, movedTo: aside, error: problem });
      await rename(path, aside).catch(() => undefined);
      db.data = { messages: [] };
    }
    return db;
  }

  function db(chatId: string): Promise<Low<ChatLogFile>> {
    let found = opened.get(chatId);
    if (found === undefined) {
      found = open(chatId);
      opened.set(chatId, found);
      found.catch(() => opened.delete(chatId));
    }
    return found;
  }

  /** Runs one chat's reads and writes one after another. */
  function serial<T>(chatId: string, work: () => Promise<T>): Promise<T> {
    const previous = queues.get(chatId) ?? Promise.resolve();
    const next = previous.then(work, work);
    queues.set(
      chatId,
      next.catch(() => undefined),
    );
    return next;
  }

  const writes = new Map<string, Promise<void>>();

  /** Writes a chat's log once for every change made in the same turn of the event loop. */
  function persist(chatId: string, log: Low<ChatLogFile>): Promise<void> {
    let pending = writes.get(chatId);
    if (pending === undefined) {
      pending = new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        writes.delete(chatId);
        return log.write();
      });
      writes.set(chatId, pending);
    }
    return pending;
  }

  return {
    async append(chatId, message) {
      // Numbered in the order appends are called; the file is written for many at once.
      const added = await serial(chatId, async () => {
        const log = await db(chatId);
        const messages = log.data.messages;
        if (messages.some((existing) => existing.id === message.id)) return undefined;
        const stored: LocalMessage = { ...message, n: (messages.at(-1)?.n ?? 0) + 1 };
        messages.push(stored);
        if (messages.length > keep) messages.splice(0, messages.length - keep);
        return { log, stored };
      });
      if (added === undefined) return undefined;
      await persist(chatId, added.log);
      return added.stored;
    },
    edit(chatId, id, message) {
      return serial(chatId, async () => {
        const log = await db(chatId);
        const at = log.data.messages.findIndex((existing) => existing.id === id);
        const existing = log.data.messages[at];
        if (existing === undefined) return undefined;
        const stored: LocalMessage = { ...message, id, n: existing.n };
        log.data = { messages: log.data.messages.map((kept, index) => (index === at ? stored : kept)) };
        await log.write();
        return stored;
      });
    },
    recent(chatId, limit) {
      return serial(chatId, async () => (await db(chatId)).data.messages.slice(-limit));
    },
  };
}
