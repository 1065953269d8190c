import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import { autoRetry } from "@grammyjs/auto-retry";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type Context, type Transformer, webhookCallback } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import type { App } from "../../app/create-app.js";
import { type ChartRenderer, createChartRenderer } from "../../charts/render.js";
import type { ChannelSender, Logger } from "../../outbox/dispatcher.js";
import { commandMenus, syncCommandMenus } from "./commands.js";
import { createUpdateHandler } from "./handler.js";
import { createPoller, type Poller } from "./polling.js";
import { createTelegramSender } from "./sender.js";
import { ALLOWED_UPDATES } from "./updates.js";

export interface TelegramChannelOptions {
  token: string;
  apiRoot: string;
  webhook?: { url: string; secret?: string | undefined; port: number } | undefined;
  app: App;
  /** Asks the outbox to send what the last update queued. */
  kick: () => void;
  logger: Logger;
  /** Known bot identity; skips getMe (tests). */
  botInfo?: UserFromGetMe;
  /** Installed on the bot's API before anything else (tests record and answer calls with it). */
  transformer?: Transformer;
  /** Draws messages' charts; by default on this machine, with the font the project ships. */
  chart?: ChartRenderer;
}

export interface TelegramChannel {
  bot: Bot;
  sender: ChannelSender;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const POLL_TIMEOUT_SECONDS = 30;

/** What must stay in order: a chat's messages; a person's button presses, with their private chat. */
function orderKey(ctx: Context): string | undefined {
  if (ctx.callbackQuery !== undefined) return String(ctx.callbackQuery.from.id);
  const id = ctx.chat?.id ?? ctx.from?.id;
  return id === undefined ? undefined : String(id);
}

/**
 * Replies made while handling an update (answers to button presses, membership checks) wait out a short
 * 429 once; the outbox retries everything else itself.
 */
const interactiveRetry = () =>
  autoRetry({
    maxRetryAttempts: 1,
    maxDelaySeconds: 5,
    rethrowHttpErrors: true,
    rethrowInternalServerErrors: true,
  });

/** The Telegram channel: grammY bot, update handling, outbox sender, long polling or webhook. */
export function createTelegramChannel(options: TelegramChannelOptions): TelegramChannel {
  const { token, app, kick, logger, webhook } = options;
  const { deps } = app;
  const apiRoot = options.apiRoot.replace(/\/+$/, "");
  const bot = new Bot(token, {
    client: { apiRoot },
    ...(options.botInfo === undefined ? {} : { botInfo: options.botInfo }),
  });
  if (options.transformer !== undefined) bot.api.config.use(options.transformer);
  const handle = createUpdateHandler({ app, kick, logger, fileRoot: `${apiRoot}/file/bot${token}` });
  // Updates run beside each other (polling and webhook alike), but one chat's, or one person's presses, in order.
  bot.use(sequentialize(orderKey));
  bot.use(async (ctx) => {
    ctx.api.config.use(interactiveRetry());
    await handle.update(ctx.api, ctx.me.username, ctx.update);
  });
  bot.catch((error) => {
    logger.error("telegram middleware failed", {
      updateId: error.ctx.update.update_id,
      error: String(error.error),
    });
  });
  const sender = createTelegramSender({
    api: bot.api,
    deps,
    translate: app.translate,
    chart: options.chart ?? createChartRenderer(app.translate),
    logger,
    botUsername: () => bot.botInfo.username,
  });

  let poller: Poller | undefined;
  let server: Server | undefined;

  async function startPolling(): Promise<void> {
    poller = createPoller({
      source: bot.api,
      handle: (update) => bot.handleUpdate(update),
      logger,
      allowedUpdates: ALLOWED_UPDATES,
      timeoutSeconds: POLL_TIMEOUT_SECONDS,
    });
    await poller.start();
  }

  async function startWebhook(hook: NonNullable<TelegramChannelOptions["webhook"]>): Promise<void> {
    const secretToken = hook.secret ?? randomBytes(32).toString("base64url");
    const path = new URL(hook.url).pathname;
    const callback = webhookCallback(bot, "http", { secretToken });
    server = createServer((request, response) => {
      if (request.method !== "POST" || new URL(request.url ?? "/", "http://localhost").pathname !== path) {
        response.writeHead(404).end();
        return;
      }
      callback(request, response).catch((error: unknown) => {
        logger.error("telegram webhook request failed", { error: String(error) });
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      listening.listen(hook.port, () => {
        listening.off("error", reject);
        resolve();
      });
    });
    await bot.api.setWebhook(hook.url, { secret_token: secretToken, allowed_updates: [...ALLOWED_UPDATES] });
  }

  return {
    bot,
    sender,
    async start() {
      await bot.init();
      const menus = commandMenus(app.registry.commands.values(), deps.defaultLanguage, app.translate);
      await syncCommandMenus(bot.api, menus, logger);
      if (webhook === undefined) await startPolling();
      else await startWebhook(webhook);
    },
    async stop() {
      const stopping = poller;
      poller = undefined;
      if (stopping !== undefined) await stopping.stop();
      await handle.settle();
      const running = server;
      if (running !== undefined) {
        server = undefined;
        await new Promise<void>((resolve) => running.close(() => resolve()));
      }
    },
  };
}
