import type { Clock, Outbox, OutboxEntry } from "../app/ports.js";
import type { ChannelName } from "../domain/model.js";

/** A channel's way out: delivers one rendered entry or throws a DeliveryError. */
export interface ChannelSender {
  send(entry: OutboxEntry): Promise<void>;
}

/** Why a delivery failed, and whether and when to try again. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
    readonly permanent = false,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

export interface Logger {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export interface DispatcherOptions {
  outbox: Outbox;
  senders: ReadonlyMap<ChannelName, ChannelSender>;
  clock: Clock;
  logger: Logger;
  maxAttempts?: number;
  batchSize?: number;
}

export interface Dispatcher {
  /** Sends everything due now; concurrent calls share one run, and a call during a run triggers another. */
  flush(): Promise<void>;
  start(intervalMs: number): void;
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 10 * 60_000;

export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { outbox, senders, clock, logger } = options;
  const maxAttempts = options.maxAttempts ?? 10;
  const batchSize = options.batchSize ?? 100;
  let running: Promise<void> | undefined;
  let again = false;
  let timer: NodeJS.Timeout | undefined;

  async function deliver(entry: OutboxEntry): Promise<void> {
    const sender = senders.get(entry.target.channel);
    if (sender === undefined) return;
    try {
      await sender.send(entry);
      await outbox.markSent(entry.id);
    } catch (error) {
      const failure = error instanceof DeliveryError ? error : undefined;
      const text = error instanceof Error ? error.message : String(error);
      const attempts = entry.attempts + 1;
      const giveUp = failure?.permanent === true || attempts >= maxAttempts;
      const backoff = failure?.retryAfterMs ?? Math.min(1000 * 2 ** attempts, MAX_BACKOFF_MS);
      const retryAt = giveUp ? undefined : new Date(clock.now().getTime() + backoff);
      logger.warn("delivery failed", {
        id: entry.id,
        channel: entry.target.channel,
        attempts,
        giveUp,
        error: text,
      });
      await outbox.markFailed(entry.id, text, retryAt);
    }
  }

  async function runOnce(): Promise<void> {
    do {
      again = false;
      const due = await outbox.due(clock.now(), batchSize);
      const deliverable = due.filter((entry) => senders.has(entry.target.channel));
      for (const entry of deliverable) await deliver(entry);
      if (deliverable.length === batchSize) again = true;
    } while (again);
  }

  function flush(): Promise<void> {
    if (running !== undefined) {
      again = true;
      return running;
    }
    running = runOnce().finally(() => {
      running = undefined;
    });
    return running;
  }

  return {
    flush,
    start(intervalMs) {
      timer = setInterval(() => {
        flush().catch((error: unknown) => logger.error("outbox flush failed", { error: String(error) }));
      }, intervalMs);
      timer.unref();
    },
    async stop() {
      if (timer !== undefined) clearInterval(timer);
      if (running !== undefined) await running;
    },
  };
}
