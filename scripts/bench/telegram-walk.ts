import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { Update } from "grammy/types";
import { type ArrivedCall, type BotApiStandIn, startBotApiStandIn } from "./bot-api-stand-in.js";
import { TELEGRAM_GROUP_ID, TELEGRAM_SECRETARY_ID, TELEGRAM_VILLAGE, villageId } from "./history.js";
import { percentile } from "./stats.js";

export interface WalkOptions {
  /** Measured walks, one after another, by villagers in turn. */
  walks: number;
}

export interface CrowdOptions {
  /** Villagers who each walk a request at the same time. */
  villagers: number;
  /** How long every Bot API call takes to answer. */
  latencyMs: number;
  /** Settings the bot starts with besides its data folder and the stand-in (e.g. its sending limits). */
  settings?: Record<string, string>;
}

/**
 * The p99 of the steps of `villagers` request walks run all at once (each villager steps on as soon as the
 * bot answered their last step), through the app as main.ts starts it, against a Bot API `latencyMs` away.
 */
export async function telegramCrowd(dataDir: string, options: CrowdOptions): Promise<number> {
  const standIn = await startBotApiStandIn(options.latencyMs);
  try {
    const app = await startAppProcess(dataDir, standIn.apiRoot, options.settings);
    try {
      await standIn.settled(QUIET_MS);
      const users = Array.from({ length: options.villagers }, (_, i) => villager(i));
      for (const user of users) standIn.fake.setChatMember(TELEGRAM_GROUP_ID, user.id, "member");
      await Promise.all(
        users.map((user) => reply(standIn, user, message(user, `/start j_${villageId(TELEGRAM_VILLAGE)}`))),
      );
      const walks = await Promise.all(
        users.map(async (user) => {
          const times: number[] = [];
          for (const step of WALK)
            times.push((await reply(standIn, user, step.update(user), step.offers)).ms);
          return times;
        }),
      );
      const times = walks.flat();
      process.stderr.write(
        `${JSON.stringify({ steps: times.length, p50: percentile(times, 0.5), p99: percentile(times, 0.99) })}\n`,
      );
      return percentile(times, 0.99);
    } finally {
      await app.stop();
    }
  } finally {
    await standIn.close();
  }
}

function villager(i: number): Villager {
  return {
    id: TELEGRAM_SECRETARY_ID + 1 + i,
    is_bot: false,
    first_name: `村民${i + 1}`,
    language_code: "zh-hans",
  };
}

/** Sends one update and waits for the bot's reply to the user (the one offering `offers`, when given). */
async function reply(
  standIn: BotApiStandIn,
  user: Villager,
  update: Update,
  offers?: string,
): Promise<{ ms: number; reply: ArrivedCall }> {
  const replied = standIn.next(
    (call) => isMessageTo(call, user.id) && (offers === undefined || buttonsOf(call).includes(offers)),
    CROWD_STEP_TIMEOUT_MS,
  );
  const at = standIn.push(update);
  const answer = await replied;
  return { ms: answer.at - at, reply: answer };
}

/** A crowd's step that gets no answer in this long fails the run. */
const CROWD_STEP_TIMEOUT_MS = 120_000;

/** How long every Bot API call takes to answer, as over a network. */
const LATENCY_MS = 30;
const VILLAGERS = 5;
/** Walks before the measured ones, so that what a first walk loads once is not counted. */
const WARM_UP_WALKS = 2;
/** A step is over when no Bot API call has arrived for this long (its later messages are not the next step's). */
const QUIET_MS = 60;
const STARTUP_TIMEOUT_MS = 300_000;
const TOKEN = "900000000:BENCHBENCHBENCHBENCHBENCH";
const APP = fileURLToPath(new URL("./telegram-app.ts", import.meta.url));

interface Villager {
  id: number;
  is_bot: false;
  first_name: string;
  language_code: string;
}

/** One step of the private-chat request form: the update it sends, and a button its reply must show. */
interface Step {
  update: (user: Villager) => Update;
  offers?: string;
}

/**
 * The p99 of the steps of villagers' request walks (/request, kind, category, text, submit) through the app
 * as main.ts starts it, in its own process, long polling a Bot API stand-in that answers every call after
 * 30 ms. A step runs from its update being available to getUpdates to the bot's reply to the villager
 * reaching the stand-in: polling, handling, the outbox and the dispatcher's send are all in it.
 */
export async function telegramWalks(dataDir: string, options: WalkOptions): Promise<number> {
  const standIn = await startBotApiStandIn(LATENCY_MS);
  try {
    const app = await startAppProcess(dataDir, standIn.apiRoot);
    try {
      return await measureWalks(standIn, options.walks);
    } finally {
      await app.stop();
    }
  } finally {
    await standIn.close();
  }
}

async function measureWalks(standIn: BotApiStandIn, walks: number): Promise<number> {
  await standIn.settled(QUIET_MS);
  const villagers = await joinVillagers(standIn);
  const byStep: number[][] = WALK.map(() => []);
  for (let w = 0; w < WARM_UP_WALKS + walks; w++) {
    const walked = await walk(standIn, villagers[w % villagers.length] as Villager);
    if (w < WARM_UP_WALKS) continue;
    for (const [step, ms] of walked.entries()) byStep[step]?.push(ms);
  }
  const times = byStep.flat();
  const details = {
    steps: times.length,
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    max: Math.max(...times),
    p50ByStep: byStep.map((step) => Math.round(percentile(step, 0.5))),
  };
  process.stderr.write(`${JSON.stringify(details)}\n`);
  return percentile(times, 0.99);
}

let updateId = 1_000_000;
let messageId = 0;

function privateChat(user: Villager) {
  return { id: user.id, type: "private" as const, first_name: user.first_name };
}

function message(user: Villager, text: string): Update {
  const command = text.startsWith("/") ? (text.split(" ")[0] ?? text).length : 0;
  return {
    update_id: ++updateId,
    message: {
      message_id: ++messageId,
      date: Math.floor(Date.now() / 1000),
      chat: privateChat(user),
      from: user,
      text,
      ...(command > 0 ? { entities: [{ type: "bot_command", offset: 0, length: command }] } : {}),
    },
  } as Update;
}

function press(user: Villager, data: string): Update {
  return {
    update_id: ++updateId,
    callback_query: {
      id: String(updateId),
      from: user,
      chat_instance: "1",
      data,
      message: {
        message_id: messageId,
        date: Math.floor(Date.now() / 1000),
        chat: privateChat(user),
        text: "…",
      },
    },
  } as Update;
}

const WALK: Step[] = [
  { update: (user) => message(user, "/request"), offers: "k:problem" },
  { update: (user) => press(user, "k:problem"), offers: "c:roads" },
  { update: (user) => press(user, "c:roads") },
  { update: (user) => message(user, "村口的路灯坏了三盏，晚上看不见路。"), offers: "d:ok" },
  { update: (user) => press(user, "d:ok") },
];

/** Milliseconds of each step of one villager's walk. */
async function walk(standIn: BotApiStandIn, user: Villager): Promise<number[]> {
  const times: number[] = [];
  for (const step of WALK) {
    const { ms, reply } = await exchange(standIn, user, step.update(user));
    if (step.offers !== undefined && !buttonsOf(reply).includes(step.offers))
      throw new Error(
        `the reply to a walk step has no ${step.offers} button: ${JSON.stringify(reply.payload)}`,
      );
    times.push(ms);
  }
  return times;
}

/** Sends one update and waits for the bot's reply to the user, then for the bot to fall quiet. */
async function exchange(
  standIn: BotApiStandIn,
  user: Villager,
  update: Update,
): Promise<{ ms: number; reply: ArrivedCall }> {
  const replied = standIn.next((call) => isMessageTo(call, user.id));
  const at = standIn.push(update);
  const reply = await replied;
  await standIn.settled(QUIET_MS);
  return { ms: reply.at - at, reply };
}

function isMessageTo(call: ArrivedCall, chatId: number): boolean {
  return /^(send|edit)/.test(call.method) && String(call.payload.chat_id) === String(chatId);
}

function buttonsOf(call: ArrivedCall): string[] {
  const markup = call.payload.reply_markup as
    | { inline_keyboard?: { callback_data?: string }[][] }
    | undefined;
  return (markup?.inline_keyboard ?? []).flat().flatMap((button) => button.callback_data ?? []);
}

/** Villagers who are in the village's Telegram group join it with its invitation link. */
async function joinVillagers(standIn: BotApiStandIn): Promise<Villager[]> {
  const villagers: Villager[] = [];
  for (let i = 0; i < VILLAGERS; i++) {
    const user = villager(i);
    standIn.fake.setChatMember(TELEGRAM_GROUP_ID, user.id, "member");
    await exchange(standIn, user, message(user, `/start j_${villageId(TELEGRAM_VILLAGE)}`));
    villagers.push(user);
  }
  return villagers;
}

/** Starts the app in its own process on `dataDir`, with the Telegram channel polling `apiRoot`. */
async function startAppProcess(
  dataDir: string,
  apiRoot: string,
  settings: Record<string, string> = {},
): Promise<{ stop(): Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", APP], {
    env: {
      ...process.env,
      ...settings,
      DATA_DIR: dataDir,
      LOCAL_CHAT: "off",
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: apiRoot,
      TELEGRAM_WEBHOOK_URL: "",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString("utf8")).slice(-8_000);
  });
  const tooSlow = setTimeout(() => child.kill("SIGKILL"), STARTUP_TIMEOUT_MS);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString("utf8").includes("ready")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the app exited (${code}) before it was ready:\n${log}`)));
  }).finally(() => clearTimeout(tooSlow));
  let stopping = false;
  child.once("exit", (code) => {
    if (!stopping) process.stderr.write(`the app exited (${code}) during the walks:\n${log}\n`);
  });
  return {
    stop: () => {
      stopping = true;
      return stopProcess(child);
    },
  };
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(timer);
}
