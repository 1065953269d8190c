import type { LocalMessage } from "./schema.js";

export type Pane = "private" | "group";

/** What the page receives on its stream: a new message and the pane it belongs in. */
export interface Pushed {
  chat: Pane;
  message: LocalMessage;
}

export type Listener = (pushed: Pushed) => void;

/** Who is watching which local chats right now (the open Server-Sent Event streams). */
export interface Hub {
  /** Listens to a member's chats: chat id → the pane it is shown in. Returns the way to stop. */
  subscribe(chats: ReadonlyMap<string, Pane>, listener: Listener): () => void;
  publish(chatId: string, message: LocalMessage): void;
}

export function createHub(): Hub {
  const listeners = new Map<string, Set<{ pane: Pane; listener: Listener }>>();
  return {
    subscribe(chats, listener) {
      const added: [string, { pane: Pane; listener: Listener }][] = [];
      for (const [chatId, pane] of chats) {
        const entry = { pane, listener };
        const set = listeners.get(chatId) ?? new Set();
        set.add(entry);
        listeners.set(chatId, set);
        added.push([chatId, entry]);
      }
      return () => {
        for (const [chatId, entry] of added) {
          const set = listeners.get(chatId);
          set?.delete(entry);
          if (set?.size === 0) listeners.delete(chatId);
        }
      };
    },
    publish(chatId, message) {
      for (const { pane, listener } of listeners.get(chatId) ?? []) listener({ chat: pane, message });
    },
  };
}
