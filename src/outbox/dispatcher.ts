import type { Clock, Outbox, OutboxEntry, SentEntry } from "../app/ports.js";
import type { ChannelName } from "../domain/model.js";
import { type ChannelLimits, createLane, type Lane, type Priority } from "./lanes.js";

/** What a delivered entry left on the platform. */
export interface Delivered {
  /** The platform's id of the message, kept for keyed entries so later ones edit it. */
  ref?: string;
}

/** A channel's way out: delivers one rendered entry or throws a DeliveryError. */
export interface ChannelSender {
  /**
   * Delivers an entry, from part `entry.partsSent` on when the platform takes it as several messages, calling
   * `partSent` after each part but the last, so a retry (even after a restart) does not repeat what went out.
   */
  send(entry: OutboxEntry, progress: SendProgress): Promise<Delivered>;
}

export interface SendProgress {
  partSent(parts: number): Promise<void>;
}

/**
 * Why a delivery failed, and what to do:
 * - `rate_limited`: the platform said to wait `retryAfterMs` (that chat only, or the whole channel);
 * - `unavailable`: the platform did not answer or failed (5xx, network): wait, it is not the message's fault;
 * - `permanent`: it can never succeed (chat gone, bot removed): given up at once, with the reason;
 * - `failed`: anything else: retried with back-off, given up after a number of attempts.
 * Only `failed` counts as an attempt.
 */
export type DeliveryFailure = "rate_limited" | "unavailable" | "permanent" | "failed";

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly failure: DeliveryFailure = "failed",
    readonly retryAfterMs?: number,
    /** For `rate_limited`: the whole channel waits, not just the chat. */
    readonly wholeChannel = false,
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
  /** Each channel's limits; a channel without any is not paced (the local chat). */
  limits?: ReadonlyMap<ChannelName, ChannelLimits>;
  maxAttempts?: number;
  /** Bulk entries held in memory at once; replies are always taken in. */
  window?: number;
  /** How long a stop waits for sends already under way. */
  stopWaitMs?: number;
  /** Bulk messages (tallies, reminders) wait while this says so: quiet hours. */
  holdBulk?: (now: Date) => boolean;
  /** Called after a message is given up (`reason` as the platform put it), so someone hears of it. */
  onGiveUp?: (entry: OutboxEntry, reason: string) => Promise<void>;
}

export interface Dispatcher {
  /** Starts sending what is due, without waiting for it: what the channels call after each event. */
  wake(): void;
  /** Starts sending what is due; resolves when everything due and not waiting on a pause has been tried. */
  flush(): Promise<void>;
  /** Looks for due entries every `intervalMs` (retries that came due; entries from other processes). */
  start(intervalMs: number): void;
  /** Stops promptly: sends under way finish (briefly), the rest stays in the outbox for the next start. */
  stop(): Promise<void>;
}

const MAX_BACKOFF_MS = 10 * 60_000;
const MAX_OUTAGE_WAIT_MS = 30_000;
/**
 * Bulk sends queued in the lanes at once: enough to keep a channel at its limit, few enough that a reply
 * (which always gets in, ahead of them) waits little, and that a stop drops them at once.
 */
const LANE_DEPTH = 64;
/** Replies taken in per look at the outbox, however many bulk entries are held. */
const REPLIES_PER_FILL = 1_000;

interface ChatQueue {
  channel: ChannelName;
  chatId: string;
  waiting: OutboxEntry[];
  /** Sends under way (at most the channel's `atOnce`). */
  sending: number;
  pausedUntil: number;
}

interface ChannelState {
  lane: Lane;
  atOnce: number;
  pausedUntil: number;
  outageWaitMs: number;
}

type Outcome = "done" | "again";

/** Replies first, then bulk; each in the order they were queued. */
function comesBefore(a: OutboxEntry, b: OutboxEntry): boolean {
  if ((a.bulk === true) !== (b.bulk === true)) return b.bulk === true;
  return a.id < b.id;
}

function priorityOf(entry: OutboxEntry): Priority {
  return entry.bulk === true ? "bulk" : "interactive";
}

/**
 * Sends the outbox: each chat's messages in order (replies before bulk), one at a time unless the channel keeps
 * the order itself, as fast as each channel's limits allow (Bottleneck, per chat chained to per channel). A 429 pauses what it names for as long as the
 * platform says; an outage pauses the channel with growing waits; neither counts as an attempt. Sent entries
 * are removed in batches (one commit for all that finished together).
 */
export function createDispatcher(options: DispatcherOptions): Dispatcher {
  const { outbox, senders, clock, logger } = options;
  const maxAttempts = options.maxAttempts ?? 10;
  const window = options.window ?? 5_000;
  const stopWaitMs = options.stopWaitMs ?? 3_000;
  const channels = new Map<ChannelName, ChannelState>();
  for (const name of senders.keys()) {
    channels.set(name, {
      lane: createLane(options.limits?.get(name) ?? {}),
      atOnce: options.limits?.get(name)?.perChatAtOnce ?? 1,
      pausedUntil: 0,
      outageWaitMs: 0,
    });
  }
  const chats = new Map<string, ChatQueue>();
  /** Ids taken from the outbox and not yet done with: waiting in a chat queue or being sent. */
  const taken = new Set<string>();
  const running = new Set<Promise<void>>();
  /** Sends under way on the platform (not waiting in a lane). */
  const executing = new Set<Promise<Outcome>>();
  /** Chats whose next entry is bulk and waits for room in the lanes. */
  const readyForLane = new Set<ChatQueue>();
  let bulkInLanes = 0;
  let bulkTaken = 0;
  let sentBatch: SentEntry[] = [];
  let committing: Promise<void> = Promise.resolve();
  let pumping: Promise<void> | undefined;
  let again = false;
  let stopped = false;
  let interval: NodeJS.Timeout | undefined;
  const wakeUps = new Map<number, NodeJS.Timeout>();

  const now = () => clock.now().getTime();

  function wakeAt(at: number): void {
    if (stopped || wakeUps.has(at)) return;
    const timer = setTimeout(
      () => {
        wakeUps.delete(at);
        kick();
      },
      Math.max(0, at - now()),
    );
    timer.unref();
    wakeUps.set(at, timer);
  }

  function kick(): void {
    pump().catch((error: unknown) => logger.error("outbox flush failed", { error: String(error) }));
  }

  function chatOf(entry: OutboxEntry): ChatQueue {
    const key = `${entry.target.channel}:${entry.target.chatId}`;
    let chat = chats.get(key);
    if (chat === undefined) {
      chat = {
        channel: entry.target.channel,
        chatId: entry.target.chatId,
        waiting: [],
        sending: 0,
        pausedUntil: 0,
      };
      chats.set(key, chat);
    }
    return chat;
  }

  function take(entry: OutboxEntry): void {
    taken.add(entry.id);
    if (entry.bulk === true) bulkTaken++;
    const chat = chatOf(entry);
    let at = chat.waiting.length;
    while (at > 0 && comesBefore(entry, chat.waiting[at - 1] as OutboxEntry)) at--;
    chat.waiting.splice(at, 0, entry);
  }

  function release(entry: OutboxEntry): void {
    taken.delete(entry.id);
    if (entry.bulk === true) bulkTaken--;
  }

  /** Starts the chat's next sends, as many as the channel allows at once in a chat, unless a pause holds it. */
  function advance(chat: ChatQueue): void {
    const state = channels.get(chat.channel);
    if (state === undefined) return;
    while (!stopped && chat.sending < state.atOnce) {
      const entry = chat.waiting[0];
      if (entry === undefined) {
        if (chat.sending === 0) chats.delete(`${chat.channel}:${chat.chatId}`);
        return;
      }
      const until = Math.max(chat.pausedUntil, state.pausedUntil);
      if (until > now()) {
        wakeAt(until);
        return;
      }
      // Held in quiet hours, a bulk message waits at its chat's head; the next look at the outbox tries again.
      if (entry.bulk === true && options.holdBulk?.(clock.now()) === true) return;
      if (entry.bulk === true && bulkInLanes >= LANE_DEPTH) {
        readyForLane.add(chat);
        return;
      }
      readyForLane.delete(chat);
      chat.waiting.shift();
      send(chat, state, entry);
    }
  }

  function send(chat: ChatQueue, state: ChannelState, entry: OutboxEntry): void {
    const bulk = entry.bulk === true;
    if (bulk) bulkInLanes++;
    chat.sending++;
    const sending = state.lane
      .run(chat.chatId, priorityOf(entry), () => attempt(chat, state, entry))
      .catch((error: unknown): Outcome => {
        // The lane was stopped with the job still queued: the entry stays in the outbox.
        if (!stopped) logger.error("outbox send failed", { id: entry.id, error: String(error) });
        return "done";
      })
      .then((outcome) => {
        chat.sending--;
        if (bulk) bulkInLanes--;
        if (outcome === "again") chat.waiting.unshift(entry);
        else release(entry);
        if (stopped) return;
        advance(chat);
        const next = readyForLane.values().next();
        if (next.done !== true) advance(next.value);
      });
    running.add(sending);
    sending.finally(() => running.delete(sending)).catch(() => undefined);
  }

  /** One try at sending an entry; "again" puts it back at the head of its chat. */
  function attempt(chat: ChatQueue, state: ChannelState, entry: OutboxEntry): Promise<Outcome> {
    if (stopped) return Promise.resolve("done");
    const trying = tryOnce(chat, state, entry);
    executing.add(trying);
    return trying.finally(() => executing.delete(trying));
  }

  async function tryOnce(chat: ChatQueue, state: ChannelState, entry: OutboxEntry): Promise<Outcome> {
    // A pause that began while this send waited for its turn holds it too.
    if (Math.max(chat.pausedUntil, state.pausedUntil) > now()) return "again";
    const sender = senders.get(entry.target.channel);
    if (sender === undefined) return "done";
    try {
      const delivered = await sender.send(entry, {
        async partSent(parts) {
          entry.partsSent = parts;
          await outbox.markPartsSent(entry.id, entry.revision ?? 0, parts);
        },
      });
      state.outageWaitMs = 0;
      const sent: SentEntry = { id: entry.id, revision: entry.revision ?? 0 };
      if (delivered.ref !== undefined) sent.ref = delivered.ref;
      await markSent(sent);
      return "done";
    } catch (error) {
      return failed(chat, state, entry, error);
    }
  }

  async function failed(
    chat: ChatQueue,
    state: ChannelState,
    entry: OutboxEntry,
    error: unknown,
  ): Promise<Outcome> {
    const failure = error instanceof DeliveryError ? error : undefined;
    const text = error instanceof Error ? error.message : String(error);
    const log = { id: entry.id, channel: entry.target.channel, chatId: entry.target.chatId, error: text };
    switch (failure?.failure ?? "failed") {
      case "rate_limited": {
        const until = now() + (failure?.retryAfterMs ?? 1_000);
        if (failure?.wholeChannel === true) state.pausedUntil = Math.max(state.pausedUntil, until);
        else chat.pausedUntil = Math.max(chat.pausedUntil, until);
        logger.warn("delivery paused by the platform", { ...log, untilMs: until });
        return "again";
      }
      case "unavailable": {
        // Sends that fail together are one failed try: the wait grows once per try, not once per send.
        if (state.pausedUntil <= now()) {
          state.outageWaitMs = Math.min(Math.max(1_000, state.outageWaitMs * 2), MAX_OUTAGE_WAIT_MS);
          state.pausedUntil = now() + state.outageWaitMs;
        }
        logger.warn("platform unavailable; delivery paused", { ...log, waitMs: state.outageWaitMs });
        return "again";
      }
      case "permanent":
        logger.warn("delivery given up", log);
        await outbox.markFailed(entry.id, text, undefined);
        await gaveUp(entry, text);
        return "done";
      default: {
        state.outageWaitMs = 0;
        const attempts = entry.attempts + 1;
        const giveUp = attempts >= maxAttempts;
        const retryAt = giveUp ? undefined : new Date(now() + Math.min(1000 * 2 ** attempts, MAX_BACKOFF_MS));
        logger.warn("delivery failed", { ...log, attempts, giveUp });
        await outbox.markFailed(entry.id, text, retryAt);
        if (retryAt === undefined) await gaveUp(entry, text);
        else wakeAt(retryAt.getTime());
        return "done";
      }
    }
  }

  async function gaveUp(entry: OutboxEntry, reason: string): Promise<void> {
    try {
      await options.onGiveUp?.(entry, reason);
      kick();
    } catch (error) {
      logger.error("reporting an undelivered message failed", { id: entry.id, error: String(error) });
    }
  }

  /** Queues a sent entry for the next batch; resolves once its removal is applied. */
  function markSent(sent: SentEntry): Promise<void> {
    sentBatch.push(sent);
    if (sentBatch.length > 1) return committing;
    committing = (async () => {
      // Everything that finishes in this turn of the event loop joins the batch.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const batch = sentBatch;
      sentBatch = [];
      await outbox.markSent(batch);
    })();
    return committing;
  }

  async function fill(): Promise<number> {
    const bulkLimit = options.holdBulk?.(clock.now()) === true ? 0 : Math.max(window - bulkTaken, 0);
    const due = await outbox.due(clock.now(), bulkLimit + REPLIES_PER_FILL, { skip: taken, bulkLimit });
    let added = 0;
    for (const entry of due) {
      if (taken.has(entry.id) || !senders.has(entry.target.channel)) continue;
      take(entry);
      added++;
    }
    for (const chat of chats.values()) advance(chat);
    return added;
  }

  function pump(): Promise<void> {
    if (stopped) return Promise.resolve();
    if (pumping !== undefined) {
      again = true;
      return pumping;
    }
    pumping = (async () => {
      do {
        again = false;
        await fill();
      } while (again && !stopped);
    })().finally(() => {
      pumping = undefined;
    });
    return pumping;
  }

  async function flush(): Promise<void> {
    for (;;) {
      await pump();
      if (running.size === 0) return;
      await Promise.all(running);
    }
  }

  return {
    wake: kick,
    flush,
    start(intervalMs) {
      interval = setInterval(kick, intervalMs);
      interval.unref();
    },
    async stop() {
      stopped = true;
      if (interval !== undefined) clearInterval(interval);
      for (const timer of wakeUps.values()) clearTimeout(timer);
      wakeUps.clear();
      await pumping?.catch(() => undefined);
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, stopWaitMs);
      });
      await Promise.race([Promise.allSettled([...executing]), waited]);
      clearTimeout(timer);
      await Promise.all([...channels.values()].map((state) => state.lane.stop()));
      await committing.catch(() => undefined);
    },
  };
}
