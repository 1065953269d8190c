import type { Api } from "grammy";
import { GrammyError } from "grammy";
import type { Update } from "grammy/types";
import type { Logger } from "../../outbox/dispatcher.js";

/** The Bot API calls long polling makes (grammY's `Api`; tests pass their own). */
export type UpdateSource = Pick<Api, "getUpdates" | "deleteWebhook">;

export interface PollerOptions {
  source: UpdateSource;
  /** Handles one update; may run beside others (the bot keeps each chat in order itself). */
  handle: (update: Update) => Promise<void>;
  logger: Logger;
  allowedUpdates: readonly Exclude<keyof Update, "update_id">[];
  timeoutSeconds?: number;
  /** Updates handled at once at most. */
  maxInFlight?: number;
  /** How long a stop waits for updates being handled. */
  stopWaitMs?: number;
}

export interface Poller {
  /** Removes any webhook and starts the loop, which runs until `stop`. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 30_000;
/** With updates in flight and none new, how soon to look again for other chats' updates. */
const RECHECK_MS = 250;

/**
 * Long polling that handles updates concurrently and confirms them to Telegram (the next `offset`) only up
 * to the first one not yet handled, so a crash loses none: what was handled and not confirmed comes again,
 * and the app ignores what it has handled (by update id). Updates that come again while still being
 * handled are not started twice.
 */
export function createPoller(options: PollerOptions): Poller {
  const { source, handle, logger, allowedUpdates } = options;
  const timeout = options.timeoutSeconds ?? 30;
  const maxInFlight = options.maxInFlight ?? 1_000;
  const stopWaitMs = options.stopWaitMs ?? 4_000;
  const inFlight = new Map<number, Promise<void>>();
  /** Handled and not yet confirmed (ids are not always ascending: Telegram picks a new start after a quiet week). */
  const handled = new Set<number>();
  let newest: number | undefined;
  let stopping = false;
  let abort = new AbortController();
  let loop: Promise<void> | undefined;

  /** The offset that confirms every update before the first one still being handled. */
  function offset(): number | undefined {
    let lowest: number | undefined;
    for (const id of inFlight.keys()) if (lowest === undefined || id < lowest) lowest = id;
    if (lowest !== undefined) return lowest;
    handled.clear();
    return newest === undefined ? undefined : newest + 1;
  }

  function begin(update: Update): void {
    const id = update.update_id;
    newest = id;
    const handling = handle(update)
      .catch((error: unknown) =>
        logger.error("telegram update failed", { updateId: id, error: String(error) }),
      )
      .finally(() => {
        inFlight.delete(id);
        handled.add(id);
      });
    inFlight.set(id, handling);
  }

  async function fetch(): Promise<Update[]> {
    const at = offset();
    return source.getUpdates(
      {
        ...(at === undefined ? {} : { offset: at }),
        limit: 100,
        timeout: inFlight.size > 0 ? 0 : timeout,
        allowed_updates: allowedUpdates,
      },
      // grammY types its signal with the abort-controller package's class; Node's own is what it gets.
      abort.signal as Parameters<UpdateSource["getUpdates"]>[1],
    );
  }

  async function run(): Promise<void> {
    let backoffMs = 0;
    while (!stopping) {
      if (inFlight.size >= maxInFlight) {
        await Promise.race(inFlight.values());
        continue;
      }
      let updates: Update[];
      try {
        updates = await fetch();
        backoffMs = 0;
      } catch (error) {
        if (stopping) return;
        if (error instanceof GrammyError && error.error_code === 401) throw error;
        const retryAfter = error instanceof GrammyError ? error.parameters.retry_after : undefined;
        backoffMs = Math.min(Math.max(1_000, backoffMs * 2), MAX_BACKOFF_MS);
        const waitMs = retryAfter === undefined ? backoffMs : retryAfter * 1_000;
        logger.warn("telegram polling failed; trying again", { error: String(error), waitMs });
        await pause(waitMs);
        continue;
      }
      let fresh = 0;
      for (const update of updates) {
        const id = update.update_id;
        if (inFlight.has(id) || handled.has(id)) continue;
        begin(update);
        fresh++;
      }
      if (fresh === 0 && inFlight.size > 0) await Promise.race([...inFlight.values(), pause(RECHECK_MS)]);
    }
  }

  function pause(ms: number): Promise<void> {
    const signal = abort.signal;
    return new Promise((resolve) => {
      const onAbort = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        signal.removeEventListener("abort", onAbort);
        resolve();
      }, ms);
      signal.addEventListener("abort", onAbort, { once: true });
    });
  }

  return {
    async start() {
      stopping = false;
      abort = new AbortController();
      // Fails the start on a bad token or a webhook that cannot be removed; the loop then runs on.
      await source.deleteWebhook();
      loop = run().catch((error: unknown) =>
        logger.error("telegram polling stopped", { error: String(error) }),
      );
    },
    async stop() {
      stopping = true;
      abort.abort();
      await loop;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(inFlight.values()),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, stopWaitMs);
        }),
      ]);
      clearTimeout(timer);
      const at = offset();
      if (at === undefined) return;
      try {
        // Confirms what was handled, so the next start does not see it again.
        await source.getUpdates({ offset: at, limit: 1, timeout: 0 });
      } catch (error) {
        logger.warn("telegram polling could not confirm the last updates", { error: String(error) });
      }
    },
  };
}
