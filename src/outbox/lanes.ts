import Bottleneck from "bottleneck";

/** How fast one platform takes messages; every field left out is not limited (the local chat). */
export interface ChannelLimits {
  /** Messages per second in all. */
  perSecond?: number;
  /** Messages per second to one private chat. */
  perChatPerSecond?: number;
  /** Messages per minute to one group chat. */
  perGroupPerMinute?: number;
  /** Whether a chat id names a group (groups have their own, lower limit). */
  isGroup?: (chatId: string) => boolean;
  /**
   * Sends to one chat under way at once (1 when left out). More only where the channel itself keeps a chat's
   * messages in the order they were handed over (the local chat numbers them as it takes them).
   */
  perChatAtOnce?: number;
}

/** Messages a private chat may get at once before its per-second pace applies ("short bursts" are allowed). */
const CHAT_BURST = 5;
/** Bursts a group may have before the per-minute pace applies. */
const GROUP_BURST = 4;
/** Sends are spaced a little wider than the limit, so network jitter does not bunch them past it. */
const MARGIN = 1.01;
/**
 * The channel's sends are spaced wider still: the platform counts what arrives in any second, and a pause in
 * this process or on the network bunches sends up to some 40 ms. Bottleneck keeps a fractional spacing on
 * average, so this costs 4% of the rate and nothing more.
 */
const CHANNEL_MARGIN = 1.04;
/**
 * Sends booked or under way at once, in seconds at the channel's pace: enough for round trips up to this long
 * at full pace, and the longest a reply waits behind bulk already booked.
 */
const BOOKED_SECONDS = 0.4;

export type Priority = "interactive" | "bulk";

/** Paces the sends of one channel: each chat's limiter chained to the channel's. */
export interface Lane {
  run<T>(chatId: string, priority: Priority, send: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/** Bottleneck's priorities: lower goes first. */
const PRIORITIES: Record<Priority, number> = { interactive: 1, bulk: 7 };

export function createLane(limits: ChannelLimits): Lane {
  const { perSecond, perChatPerSecond, perGroupPerMinute } = limits;
  if (perSecond === undefined && perChatPerSecond === undefined && perGroupPerMinute === undefined) {
    return { run: (_chatId, _priority, send) => send(), stop: async () => undefined };
  }
  // Bottleneck books a job's start as soon as it may run; capped, the rest wait in the queue, where a reply
  // (higher priority) still goes ahead of bulk.
  const channel = new Bottleneck({
    minTime: perSecond === undefined ? 0 : (1000 / perSecond) * CHANNEL_MARGIN,
    maxConcurrent: perSecond === undefined ? null : Math.max(1, Math.ceil(perSecond * BOOKED_SECONDS)),
  });
  // A reply often is two or three messages: they go at once, then the chat's pace applies.
  const privateChats = new Bottleneck.Group({
    maxConcurrent: 1,
    ...(perChatPerSecond === undefined
      ? {}
      : {
          reservoir: CHAT_BURST,
          reservoirIncreaseInterval: Math.ceil((1000 / perChatPerSecond) * MARGIN),
          reservoirIncreaseAmount: 1,
          reservoirIncreaseMaximum: CHAT_BURST,
        }),
  });
  // A bucket of GROUP_BURST refilled at a pace that keeps any minute within the limit, burst included.
  const groupRefillMs =
    perGroupPerMinute === undefined
      ? undefined
      : Math.ceil((60_000 / Math.max(1, perGroupPerMinute - GROUP_BURST)) * MARGIN);
  const groups = new Bottleneck.Group({
    maxConcurrent: 1,
    ...(groupRefillMs === undefined
      ? {}
      : {
          reservoir: GROUP_BURST,
          reservoirIncreaseInterval: groupRefillMs,
          reservoirIncreaseAmount: 1,
          reservoirIncreaseMaximum: GROUP_BURST,
        }),
  });
  for (const group of [privateChats, groups]) group.on("created", (limiter) => limiter.chain(channel));
  return {
    run(chatId, priority, send) {
      const chats = limits.isGroup?.(chatId) === true ? groups : privateChats;
      return chats.key(chatId).schedule({ priority: PRIORITIES[priority] }, send);
    },
    async stop() {
      const limiters = [...privateChats.limiters(), ...groups.limiters()].map(({ limiter }) => limiter);
      await Promise.all([...limiters, channel].map((limiter) => limiter.stop({ dropWaitingJobs: true })));
    },
  };
}
