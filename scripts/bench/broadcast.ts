import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Update } from "grammy/types";
import { kernelFeature } from "../../src/app/kernel.js";
import { message } from "../../src/app/messages.js";
import { createRegistry } from "../../src/app/registry.js";
import { FEATURES } from "../../src/features/index.js";
import { silentLogger } from "../../src/logger.js";
import { startApp } from "../../src/main.js";
import { openLowdbStore } from "../../src/store/lowdb/index.js";
import { type Delivery, startLimitsStandIn } from "./limits-stand-in.js";
import { percentile } from "./stats.js";

const TOKEN = "7000000001:BENCHBENCHBENCHBENCHBENCH";
const CEILING = { perSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 };
/** Each Bot API call is answered this long after it arrives, as over a network. */
const LATENCY_MS = 20;
/** A villager writes to the bot this often while the broadcast runs. */
const REPLY_EVERY_MS = 500;

export interface BroadcastOptions {
  groups: number;
  /** The Bot API fails whole for this long, starting a third of the way in. */
  outageMs?: number;
}

export interface BroadcastFigures {
  shareOfCeiling: number;
  tooMany: number;
  interactiveP99Ms: number;
  lost: number;
  duplicated: number;
}

/**
 * A monthly tally to `groups` village groups, queued before the bot starts, delivered by `npm start`'s own
 * code through a Bot API that enforces Telegram's limits; meanwhile villagers write to the bot in private and
 * the delay of each reply is measured (update available → reply accepted by the stand-in).
 */
export async function broadcast(options: BroadcastOptions): Promise<BroadcastFigures> {
  const dir = await mkdtemp(join(tmpdir(), "shangliang-broadcast-"));
  const standIn = await startLimitsStandIn(CEILING, LATENCY_MS);
  try {
    const tables = createRegistry(FEATURES, kernelFeature).tables;
    const store = await openLowdbStore(dir, { tables });
    await store.transaction(async (tx) => {
      for (let i = 0; i < options.groups; i++) {
        const target = {
          channel: "telegram" as const,
          chatId: String(groupId(i)),
          language: "zh-CN" as const,
        };
        tx.enqueue(target, message([{ key: "notice.done" }]), { bulk: true });
      }
    });
    await store.close();
    const app = await startApp(
      { TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: standIn.apiRoot, LOCAL_CHAT: "off", DATA_DIR: dir },
      silentLogger(),
    );
    try {
      const toGroups = () => standIn.deliveries.filter((delivery) => delivery.chatId < 0);
      const expectedMs = (options.groups / CEILING.perSecond) * 1000;
      const deadline = performance.now() + expectedMs * 3 + (options.outageMs ?? 0) + 30_000;
      const replies: Promise<number>[] = [];
      let outage: "before" | "on" | "after" = options.outageMs === undefined ? "after" : "before";
      let outageStarted = 0;
      for (let n = 0; new Set(toGroups().map((d) => d.chatId)).size < options.groups; n++) {
        if (performance.now() > deadline) break;
        if (outage === "before" && toGroups().length >= options.groups / 3) {
          standIn.outage(true);
          outage = "on";
          outageStarted = performance.now();
        }
        if (outage === "on" && performance.now() - outageStarted >= (options.outageMs ?? 0)) {
          standIn.outage(false);
          outage = "after";
        }
        if (outage !== "on") replies.push(reply(standIn, 900_000_000 + n));
        await new Promise((resolve) => setTimeout(resolve, REPLY_EVERY_MS));
      }
      standIn.outage(false);
      const delays = (await Promise.allSettled(replies)).map((settled) =>
        settled.status === "fulfilled" ? settled.value : Number.POSITIVE_INFINITY,
      );
      const delivered = toGroups();
      const distinct = new Set(delivered.map((delivery) => delivery.chatId));
      return {
        shareOfCeiling: rate(delivered, standIn.deliveries) / CEILING.perSecond,
        tooMany: standIn.tooMany(),
        interactiveP99Ms: percentile(delays, 0.99),
        lost: options.groups - distinct.size,
        duplicated: delivered.length - distinct.size,
      };
    } finally {
      await app.stop();
    }
  } finally {
    await standIn.close();
    await rm(dir, { recursive: true, force: true });
  }
}

function groupId(i: number): number {
  return -(1_000_000_000 + i);
}

/** Messages per second, every message the bot sent counted, from the broadcast's first delivery to its last. */
function rate(broadcast: Delivery[], all: Delivery[]): number {
  const first = broadcast[0]?.at;
  const last = broadcast.at(-1)?.at;
  if (first === undefined || last === undefined || last <= first) return 0;
  const sent = all.filter((delivery) => delivery.at >= first && delivery.at <= last).length;
  return (sent - 1) / ((last - first) / 1000);
}

/** A villager's /start in private; resolves to the milliseconds until the bot's reply was accepted. */
async function reply(
  standIn: Awaited<ReturnType<typeof startLimitsStandIn>>,
  userId: number,
): Promise<number> {
  const answered = standIn.next((delivery) => delivery.chatId === userId, 30_000);
  const started = performance.now();
  standIn.push(startUpdate(userId));
  const delivery = await answered;
  return delivery.at - started;
}

let nextUpdateId = 1;

function startUpdate(userId: number): Update {
  const chat = { id: userId, type: "private" as const, first_name: "村民" };
  return {
    update_id: nextUpdateId++,
    message: {
      message_id: nextUpdateId,
      date: Math.floor(Date.now() / 1000),
      chat,
      from: { id: userId, is_bot: false, first_name: "村民" },
      text: "/start",
      entities: [{ type: "bot_command", offset: 0, length: 6 }],
    },
  };
}
