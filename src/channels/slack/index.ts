import { App as Bolt, HTTPReceiver, LogLevel, type Receiver } from "@slack/bolt";
import type { App } from "../../app/create-app.js";
import type { FormStart } from "../../app/forms.js";
import type { InboundOutcome } from "../../app/handle.js";
import type { InboundInput } from "../../app/inbound.js";
import { Bindings, bindingKey, memberOnChannel } from "../../app/tables.js";
import { type ChartRenderer, createChartRenderer } from "../../charts/render.js";
import { MAX_CSV_BYTES } from "../../features/roster/index.js";
import { type SlackTextKey, slackSays } from "../../i18n/slack.js";
import type { ChannelSender, Logger } from "../../outbox/dispatcher.js";
import { claimEvent } from "../claims.js";
import { homeBlocks, modalView, renderForSlack } from "./blocks.js";
import {
  type EventBase,
  FORM_CALLBACK,
  type Interpretation,
  interpretAction,
  interpretCommand,
  interpretDirectMessage,
  interpretSubmission,
} from "./inbound.js";
import {
  AppHomeOpenedEvent,
  BlockActionsBody,
  DirectMessageEvent,
  EventCallbackBody,
  SlashCommandBody,
  ViewSubmissionBody,
} from "./payloads.js";
import { createSlackSender } from "./sender.js";

export interface SlackChannelOptions {
  botToken: string;
  /** An app-level token (xapp-…): Socket Mode, no public URL needed. */
  appToken?: string | undefined;
  /** Without an app token: the HTTP receiver at /slack/events, every request's signature checked. */
  signingSecret?: string | undefined;
  port?: number;
  /** Where the Web API is (https://slack.com/api/ unless a proxy or a test says otherwise). */
  apiUrl?: string;
  app: App;
  /** Asks the outbox to send what the last event queued. */
  kick: () => void;
  logger: Logger;
  /** Tests: a receiver of their own (events fed with processEvent) and the bot's known identity. */
  receiver?: Receiver;
  botUserId?: string;
  chart?: ChartRenderer;
  /** Fetches files villagers send (tests answer it themselves). */
  fetch?: typeof fetch;
}

export interface SlackChannel {
  bolt: Bolt;
  sender: ChannelSender;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const DOWNLOAD_TIMEOUT_MS = 30_000;
const MEMBERS_PAGE = 1000;

/** The Slack channel: Bolt (Socket Mode or HTTP), events turned into the app's, and the outbox sender. */
export function createSlackChannel(options: SlackChannelOptions): SlackChannel {
  const { app, kick, logger } = options;
  const { deps } = app;
  const fetchFile = options.fetch ?? fetch;
  const clientOptions = {
    ...(options.apiUrl === undefined ? {} : { slackApiUrl: options.apiUrl }),
    // The outbox retries and paces messages itself; a 429 comes back to it at once.
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
  };
  const receiver =
    options.receiver ??
    (options.appToken === undefined
      ? new HTTPReceiver({ signingSecret: options.signingSecret ?? "", endpoints: "/slack/events" })
      : undefined);
  const bolt = new Bolt({
    token: options.botToken,
    logLevel: LogLevel.WARN,
    clientOptions,
    ...(receiver === undefined
      ? {
          socketMode: true,
          appToken: options.appToken ?? "",
          // The Socket Mode client opens its connection through the same Web API.
          installerOptions: { clientOptions },
        }
      : { receiver }),
    ...(options.botUserId === undefined
      ? {}
      : { tokenVerificationEnabled: false, botUserId: options.botUserId, botId: "B0SHANGLIANG" }),
  });
  const client = bolt.client;
  const commands: ReadonlySet<string> = new Set(app.registry.commands.keys());
  const sender = createSlackSender({
    client,
    translate: app.translate,
    chart: options.chart ?? createChartRenderer(app.translate),
    logger,
    commands,
    fetch: fetchFile,
  });
  /** One person's events in the order they came: a press must not overtake the message before it. */
  const queues = new Map<string, Promise<void>>();

  function inOrder(key: string, work: () => Promise<void>): Promise<void> {
    const before = queues.get(key) ?? Promise.resolve();
    const next = before.then(work, work);
    const tail = next.catch(() => undefined);
    queues.set(key, tail);
    return next.finally(() => {
      if (queues.get(key) === tail) queues.delete(key);
    });
  }

  async function toApp(base: EventBase, input: InboundInput): Promise<InboundOutcome> {
    const outcome = await app.handle({ ...base, input });
    if (outcome.status === "invalid")
      logger.info("slack event refused by the app", { eventId: base.eventId });
    return outcome;
  }

  /** A Slack-only answer to the person, once per event: only they see it in a channel. */
  async function answerOnce(base: EventBase, key: SlackTextKey, params?: Record<string, string | number>) {
    const claim = await claimEvent(deps, "slack", base.eventId, base.userId, base.languageHint);
    if (claim.fresh) await answer(base, slackSays(key, claim.language, params));
  }

  async function answer(base: EventBase, text: string): Promise<void> {
    try {
      if (base.chat.kind === "group")
        await client.chat.postEphemeral({ channel: base.chat.chatId, user: base.userId, text });
      else await client.chat.postMessage({ channel: base.userId, text });
    } catch (error) {
      logger.warn("slack answer failed", { eventId: base.eventId, error: String(error) });
    }
  }

  /** Whether the person is in the channel: read page by page, as a channel lists its members. */
  async function isInChannel(channel: string, userId: string): Promise<boolean> {
    let cursor: string | undefined;
    do {
      const page = await client.conversations.members({
        channel,
        limit: MEMBERS_PAGE,
        ...(cursor === undefined ? {} : { cursor }),
      });
      if (page.members?.includes(userId) === true) return true;
      cursor = page.response_metadata?.next_cursor || undefined;
    } while (cursor !== undefined);
    return false;
  }

  /**
   * The village channel's button (or /shangliang join): someone on the village's roster gets what the button does
   * (the request form); anyone else joins, if the channel is bound to that village and lists them as a member.
   */
  async function join(
    base: EventBase,
    villageId: string | undefined,
    press: { data: string; trigger: string } | undefined,
  ): Promise<void> {
    const channel = base.chat.chatId;
    const { binding, member } = await deps.store.transaction(async (tx) => ({
      binding: await tx.get(Bindings, bindingKey("slack", channel)),
      member: await memberOnChannel(tx, "slack", base.userId),
    }));
    if (binding === undefined) return answerOnce(base, "join.not_bound");
    if (villageId !== undefined && villageId !== binding.villageId) return answerOnce(base, "join.elsewhere");
    const privately: EventBase = { ...base, chat: { kind: "private", chatId: base.userId } };
    if (
      member?.active === true &&
      member.villageId === binding.villageId &&
      press !== undefined &&
      press.data !== ""
    ) {
      if (await openForm(privately, { data: press.data }, press.trigger)) return;
      await toApp(privately, { type: "button", data: press.data });
      return;
    }
    if (!(await isInChannel(channel, base.userId))) return answerOnce(base, "join.elsewhere");
    await toApp(privately, { type: "join", villageId: binding.villageId });
  }

  /** Who may bind a channel: its creator, or an admin or owner of the workspace. */
  async function mayBind(channel: string, userId: string): Promise<boolean> {
    const [user, conversation] = await Promise.all([
      client.users.info({ user: userId }),
      client.conversations.info({ channel }),
    ]);
    const person = user.user;
    if (person?.is_admin === true || person?.is_owner === true || person?.is_primary_owner === true)
      return true;
    return conversation.channel?.creator === userId;
  }

  async function bind(base: EventBase, title: string | undefined, args: string): Promise<void> {
    if (!(await mayBind(base.chat.chatId, base.userId))) return answerOnce(base, "setup.admins_only");
    const input: InboundInput = { type: "bind_group" };
    if (title !== undefined && title !== "") input.title = title;
    if (args !== "") input.args = args;
    await toApp(base, input);
  }

  async function download(fileId: string): Promise<string | undefined> {
    const info = await client.files.info({ file: fileId });
    const url = info.file?.url_private_download;
    if (url === undefined) return undefined;
    const response = await fetchFile(url, {
      headers: { authorization: `Bearer ${options.botToken}` },
      signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS),
    });
    if (!response.ok) throw new Error(`file download answered ${response.status}`);
    const bytes = await response.arrayBuffer();
    if (bytes.byteLength > MAX_CSV_BYTES) return undefined;
    return new TextDecoder("utf-8").decode(bytes);
  }

  async function file(base: EventBase, fileId: string, fileName: string, fileSize: number | undefined) {
    const tooBig = () => answerOnce(base, "file.too_big", { max: MAX_CSV_BYTES / 1024 });
    if (fileSize !== undefined && fileSize > MAX_CSV_BYTES) return tooBig();
    const content = await download(fileId);
    if (content === undefined) return tooBig();
    await toApp(base, { type: "file", fileName, content });
  }

  /** A button's short answer (a toast on Telegram): only the presser sees it, in the channel. */
  async function button(base: EventBase, data: string): Promise<void> {
    const outcome = await toApp(base, { type: "button", data });
    if (outcome.notice === undefined || base.chat.kind !== "group") return;
    await answer(base, app.translate(outcome.notice, outcome.language ?? deps.defaultLanguage));
  }

  async function unknownCommand(base: EventBase, command: string): Promise<void> {
    await answerOnce(base, "command.unknown", { command });
  }

  /**
   * Opens the form that stands for the conversation a command or button starts, as a modal; false when there is
   * none, or Slack would not open it (the trigger expired), and the conversation goes ahead instead.
   */
  async function openForm(base: EventBase, start: FormStart, trigger: string | undefined): Promise<boolean> {
    if (trigger === undefined || base.chat.kind !== "private") return false;
    const form = await app.formFor("slack", base.userId, start);
    if (form === undefined) return false;
    const claim = await claimEvent(deps, "slack", base.eventId, base.userId, base.languageHint);
    if (!claim.fresh) return true;
    try {
      const close = slackSays("form.cancel", form.language);
      await client.views.open({ trigger_id: trigger, view: modalView(form, app.translate, close) });
      return true;
    } catch (error) {
      logger.warn("slack form not opened; asking in messages instead", {
        form: form.name,
        error: String(error),
      });
      await toApp(
        { ...base, eventId: `${base.eventId}:chat` },
        "data" in start ? { type: "button", data: start.data } : { type: "command", command: start.command },
      );
      return true;
    }
  }

  async function act(found: Interpretation): Promise<void> {
    switch (found.kind) {
      case "ignore":
        logger.info("slack event ignored", { reason: found.reason });
        return;
      case "event": {
        const { input } = found;
        if (input.type === "command" && input.args === undefined) {
          if (await openForm(found.base, { command: input.command }, found.trigger)) return;
        }
        await toApp(found.base, input);
        return;
      }
      case "button":
        if (await openForm(found.base, { data: found.data }, found.trigger)) return;
        return button(found.base, found.data);
      case "join":
        return join(found.base, found.villageId, found.press);
      case "bind":
        return bind(found.base, found.title, found.args);
      case "unknown_command":
        return unknownCommand(found.base, found.command);
      case "file":
        return file(found.base, found.fileId, found.fileName, found.fileSize);
    }
  }

  /** Does what a payload asks, in its person's order; never throws, so one bad event cannot stop the bot. */
  async function run(userId: string, interpret: () => Interpretation | Interpretation[]): Promise<void> {
    await inOrder(userId, async () => {
      let found: Interpretation | undefined;
      try {
        for (found of [interpret()].flat()) await act(found);
      } catch (error) {
        logger.error("slack event failed", { kind: found?.kind, error: String(error) });
      }
    });
    kick();
  }

  function refused(what: string, issues: number): void {
    logger.info("slack payload not understood", { what, issues });
  }

  // Every interaction is acknowledged first (Slack waits 3 seconds at most), then handled.
  bolt.command(/.*/, async ({ ack, body }) => {
    await ack();
    const parsed = SlashCommandBody.safeParse(body);
    if (!parsed.success) return refused("command", parsed.error.issues.length);
    await run(parsed.data.user_id, () => interpretCommand(parsed.data, app.registry.commands));
  });
  bolt.action(/.*/, async ({ ack, body }) => {
    await ack();
    const parsed = BlockActionsBody.safeParse(body);
    if (!parsed.success) return refused("action", parsed.error.issues.length);
    await run(parsed.data.user.id, () => interpretAction(parsed.data));
  });
  bolt.view(new RegExp(`^${FORM_CALLBACK}`), async ({ ack, body }) => {
    await ack();
    const parsed = ViewSubmissionBody.safeParse(body);
    if (!parsed.success) return refused("form", parsed.error.issues.length);
    await run(parsed.data.user.id, () => interpretSubmission(parsed.data));
  });
  bolt.event("message", async ({ body }) => {
    const envelope = EventCallbackBody.safeParse(body);
    const event = envelope.success ? DirectMessageEvent.safeParse(envelope.data.event) : undefined;
    if (!envelope.success || event === undefined || !event.success)
      return refused("message", envelope.error?.issues.length ?? event?.error?.issues.length ?? 0);
    await run(event.data.user ?? "", () => interpretDirectMessage(envelope.data.event_id, event.data));
  });
  /** Shows the person their overview in the Home tab: menu, requests, votes due, tasks. */
  async function publishHome(userId: string): Promise<void> {
    try {
      const home = await app.homeFor("slack", userId);
      const sections = home.sections.map((section) =>
        renderForSlack(section, home.language, app.translate, commands),
      );
      const blocks = homeBlocks(sections, slackSays("home.more", home.language));
      await client.views.publish({ user_id: userId, view: { type: "home", blocks } });
    } catch (error) {
      logger.warn("slack home not published", { error: String(error) });
    }
  }

  bolt.event("app_home_opened", async ({ body }) => {
    const parsed = AppHomeOpenedEvent.safeParse((body as { event?: unknown }).event);
    if (!parsed.success || (parsed.data.tab !== undefined && parsed.data.tab !== "home")) return;
    await inOrder(parsed.data.user, () => publishHome(parsed.data.user));
  });
  bolt.error(async (error) => {
    logger.error("slack listener failed", { error: String(error) });
  });

  return {
    bolt,
    sender,
    async start() {
      if (options.receiver !== undefined) return;
      await bolt.start(options.port ?? 3001);
    },
    async stop() {
      if (options.receiver === undefined) await bolt.stop();
      await Promise.all(queues.values());
    },
  };
}
