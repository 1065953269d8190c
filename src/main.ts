import { existsSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { createApp } from "./app/create-app.js";
import { systemClock } from "./app/ports.js";
import { createLocalChat } from "./channels/local/index.js";
import { createSlackChannel } from "./channels/slack/index.js";
import { createTelegramChannel } from "./channels/telegram/index.js";
import { parseConfig } from "./config.js";
import { workingCalendar } from "./domain/calendar.js";
import type { ChannelName } from "./domain/model.js";
import { isQuietTime } from "./domain/quiet.js";
import { FEATURES } from "./features/index.js";
import { createCronSchedule } from "./jobs/cron.js";
import { consoleLogger } from "./logger.js";
import { type ChannelSender, createDispatcher, type Logger } from "./outbox/dispatcher.js";
import type { ChannelLimits } from "./outbox/lanes.js";
import { loadCalendarData } from "./store/calendar.js";
import { openLowdbStore } from "./store/lowdb/index.js";

export interface RunningApp {
  localUrl?: string;
  stop(): Promise<void>;
}

/** Wires store, outbox, clock and channels from the environment and starts them. */
export async function startApp(
  env: Record<string, string | undefined>,
  logger: Logger = consoleLogger(),
): Promise<RunningApp> {
  const parsed = parseConfig(env);
  if (!parsed.ok) throw new StartupError(parsed.message);
  const config = parsed.config;
  const holidays = await loadCalendarData(join(config.DATA_DIR, "holidays.json"));
  const channels: ChannelName[] = [];
  if (config.LOCAL_CHAT) channels.push("local");
  if (config.TELEGRAM_BOT_TOKEN !== undefined) channels.push("telegram");
  if (config.SLACK_BOT_TOKEN !== undefined) channels.push("slack");
  const clock = systemClock;
  const schedule = createCronSchedule({ timeZone: config.TIME_ZONE, clock, logger });
  const app = await createApp({
    features: FEATURES,
    openStore: (tables) => openLowdbStore(config.DATA_DIR, { tables, clock }),
    clock,
    policy: {
      respondWorkingDays: config.RESPOND_WORKING_DAYS,
      resolveWorkingDays: {
        general: config.RESOLVE_WORKING_DAYS,
        complex: config.RESOLVE_WORKING_DAYS_COMPLEX,
      },
      urgentRespondHours: config.URGENT_RESPOND_HOURS,
      urgentResolveHours: config.URGENT_RESOLVE_HOURS,
    },
    calendar: workingCalendar(config.TIME_ZONE, holidays.data),
    channels,
    defaultLanguage: config.DEFAULT_LANGUAGE,
    tallyAt: config.TALLY_AT,
    schedule,
  });
  const { store } = app;
  const senders = new Map<ChannelName, ChannelSender>();
  const kick = () => dispatcher.wake();
  const stops: (() => Promise<void>)[] = [];
  let localUrl: string | undefined;
  const local = config.LOCAL_CHAT
    ? createLocalChat({ app, port: config.PORT, host: config.HOST, dataDir: config.DATA_DIR, kick, logger })
    : undefined;
  if (local !== undefined) senders.set("local", local.sender);
  const telegram =
    config.TELEGRAM_BOT_TOKEN === undefined
      ? undefined
      : createTelegramChannel({
          token: config.TELEGRAM_BOT_TOKEN,
          apiRoot: config.TELEGRAM_API_ROOT,
          webhook:
            config.TELEGRAM_WEBHOOK_URL === undefined
              ? undefined
              : {
                  url: config.TELEGRAM_WEBHOOK_URL,
                  secret: config.TELEGRAM_WEBHOOK_SECRET,
                  port: config.TELEGRAM_WEBHOOK_PORT,
                },
          app,
          kick,
          logger,
        });
  if (telegram !== undefined) senders.set("telegram", telegram.sender);
  const slack =
    config.SLACK_BOT_TOKEN === undefined
      ? undefined
      : createSlackChannel({
          botToken: config.SLACK_BOT_TOKEN,
          appToken: config.SLACK_APP_TOKEN,
          signingSecret: config.SLACK_SIGNING_SECRET,
          port: config.SLACK_PORT,
          apiUrl: config.SLACK_API_URL,
          app,
          kick,
          logger,
        });
  if (slack !== undefined) senders.set("slack", slack.sender);
  const limits = new Map<ChannelName, ChannelLimits>([
    // The local chat has no platform limit; it numbers a chat's messages as it takes them.
    ["local", { perChatAtOnce: LOCAL_SENDS_PER_CHAT }],
    [
      "telegram",
      {
        perSecond: config.TELEGRAM_MESSAGES_PER_SECOND,
        perChatPerSecond: config.TELEGRAM_CHAT_MESSAGES_PER_SECOND,
        perGroupPerMinute: config.TELEGRAM_GROUP_MESSAGES_PER_MINUTE,
        isGroup: (chatId) => chatId.startsWith("-"),
      },
    ],
    [
      "slack",
      {
        perSecond: config.SLACK_MESSAGES_PER_SECOND,
        perChatPerSecond: config.SLACK_CHANNEL_MESSAGES_PER_SECOND,
      },
    ],
  ]);
  const quiet = config.QUIET_HOURS;
  const dispatcher = createDispatcher({
    outbox: store,
    senders,
    clock,
    logger,
    limits,
    onGiveUp: (entry, reason) => app.undelivered(entry, reason),
    ...(quiet === undefined ? {} : { holdBulk: (now: Date) => isQuietTime(now, config.TIME_ZONE, quiet) }),
  });
  if (local !== undefined) {
    localUrl = await local.start();
    stops.push(() => local.close());
    logger.info("local web chat is ready", { url: localUrl });
  }
  if (telegram !== undefined) {
    await telegram.start();
    stops.push(() => telegram.stop());
    logger.info("telegram channel is running", {
      mode: config.TELEGRAM_WEBHOOK_URL === undefined ? "polling" : "webhook",
    });
  }
  if (slack !== undefined) {
    await slack.start();
    stops.push(() => slack.stop());
    logger.info("slack channel is running", {
      mode: config.SLACK_APP_TOKEN === undefined ? `http on port ${config.SLACK_PORT}` : "socket mode",
    });
  }
  dispatcher.start(1000);
  await schedule.start();
  kick();
  return {
    ...(localUrl === undefined ? {} : { localUrl }),
    async stop() {
      await schedule.stop();
      for (const stop of stops.reverse()) await stop();
      await dispatcher.stop();
      await store.close();
    },
  };
}

/** Messages to one local chat written at once (they share the chat log's writes). */
const LOCAL_SENDS_PER_CHAT = 64;

export class StartupError extends Error {
  override name = "StartupError";
}

async function main(): Promise<void> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  try {
    const app = await startApp(process.env);
    if (app.localUrl !== undefined)
      process.stdout.write(`\n商量 Shangliang is running. Open ${app.localUrl} in your browser.\n\n`);
    const shutdown = () => {
      app.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once("SIGINT", shutdown);
    process.once("SIGTERM", shutdown);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
