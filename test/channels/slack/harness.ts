import type { App } from "../../../src/app/create-app.js";
import { Bindings, bindingKey, identityKey, Members } from "../../../src/app/tables.js";
import { createSlackChannel } from "../../../src/channels/slack/index.js";
import type { GroupBinding, Member, ServiceRequest } from "../../../src/domain/model.js";
import { Requests } from "../../../src/features/requests/index.js";
import { createDispatcher } from "../../../src/outbox/dispatcher.js";
import { createTestApp } from "../../support/app.js";
import { type SlackCall, startFakeSlackApi } from "../../support/slack/fake-web-api.js";
import { recordingLogger } from "../telegram/fake-api.js";

export const BOT_TOKEN = "xoxb-test-token";

export interface SlackUser {
  id: string;
  name: string;
}

export const slackUser = (id: string, name: string): SlackUser => ({ id, name });

/** The people and the village channel the Slack tests share. */
export const secretary = slackUser("U0SECRETARY", "王书记");
export const worker = slackUser("U0WORKER", "赵网格");
export const villager = slackUser("U0VILLAGER", "李大爷");
export const neighbour = slackUser("U0NEIGHBOUR", "刘大妈");
export const CHANNEL = "C0XINGFU";

/** A receiver that receives nothing: tests hand Bolt each payload with processEvent. */
class NoReceiver {
  init(): void {}
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

/** Realistic payloads as Slack sends them (slash command form, block_actions, event_callback). */
export function createPayloads() {
  let n = 0;
  const next = () => ++n;
  return {
    command(user: SlackUser, channel: string, text: string) {
      const id = next();
      return {
        token: "verification-token",
        team_id: "T1",
        team_domain: "hongqi",
        channel_id: channel,
        channel_name: channel.startsWith("D") ? "directmessage" : "幸福村",
        user_id: user.id,
        user_name: user.name,
        command: "/shangliang",
        text,
        api_app_id: "A1",
        is_enterprise_install: "false",
        response_url: `https://hooks.slack.com/commands/T1/${id}/x`,
        trigger_id: `${id}.1.trigger`,
      };
    },
    action(user: SlackUser, channel: string, actionId: string, value: string) {
      const id = next();
      return {
        type: "block_actions",
        user: { id: user.id, username: user.name, name: user.name, team_id: "T1" },
        api_app_id: "A1",
        token: "verification-token",
        container: {
          type: "message",
          message_ts: "1795000000.000100",
          channel_id: channel,
          is_ephemeral: false,
        },
        trigger_id: `${id}.2.trigger`,
        team: { id: "T1", domain: "hongqi" },
        channel: { id: channel, name: "幸福村" },
        response_url: `https://hooks.slack.com/actions/T1/${id}/x`,
        actions: [
          {
            action_id: actionId,
            block_id: "b",
            text: { type: "plain_text", text: "按钮" },
            value,
            type: "button",
            action_ts: "1795000001.000001",
          },
        ],
      };
    },
    homeOpened(user: SlackUser) {
      const id = next();
      return {
        token: "verification-token",
        team_id: "T1",
        api_app_id: "A1",
        event: {
          type: "app_home_opened",
          user: user.id,
          channel: `D${user.id}`,
          tab: "home",
          event_ts: "1795000000.1",
        },
        type: "event_callback",
        event_id: `Ev${id}`,
        event_time: 1_795_000_000,
      };
    },
    /** A button pressed in the Home tab: the payload names a view, no channel. */
    homeAction(user: SlackUser, actionId: string, value: string) {
      const id = next();
      return {
        type: "block_actions",
        user: { id: user.id, username: user.name, name: user.name, team_id: "T1" },
        api_app_id: "A1",
        token: "verification-token",
        container: { type: "view", view_id: "V1" },
        trigger_id: `${id}.3.trigger`,
        team: { id: "T1", domain: "hongqi" },
        view: { id: "V1", type: "home" },
        actions: [
          { action_id: actionId, block_id: "b", value, type: "button", action_ts: "1795000001.000002" },
        ],
      };
    },
    /** A modal submitted: `values` as Slack puts them, state.values[block_id].value. */
    submission(user: SlackUser, callbackId: string, values: Record<string, Record<string, unknown>>) {
      const id = next();
      return {
        type: "view_submission",
        team: { id: "T1", domain: "hongqi" },
        user: { id: user.id, username: user.name, name: user.name, team_id: "T1" },
        api_app_id: "A1",
        token: "verification-token",
        trigger_id: `${id}.4.trigger`,
        view: {
          id: `V${id}`,
          team_id: "T1",
          type: "modal",
          callback_id: callbackId,
          hash: `${id}.hash`,
          state: {
            values: Object.fromEntries(
              Object.entries(values).map(([block, answer]) => [block, { value: answer }]),
            ),
          },
        },
      };
    },
    message(user: SlackUser, text: string, files?: Record<string, unknown>[]) {
      const id = next();
      return {
        token: "verification-token",
        team_id: "T1",
        api_app_id: "A1",
        event: {
          type: "message",
          channel: `D${user.id}`,
          channel_type: "im",
          user: user.id,
          text,
          ts: `1795000${id}.000300`,
          ...(files === undefined ? {} : { subtype: "file_share", files }),
        },
        type: "event_callback",
        event_id: `Ev${id}`,
        event_time: 1_795_000_000,
      };
    },
  };
}

export interface Posted {
  call: SlackCall;
  channel: string;
  text: string;
  buttons: { text: string; action_id: string; value: string }[];
}

interface BlockShape {
  type: string;
  text?: { text: string };
  elements?: { text?: { text: string }; action_id?: string; value?: string }[];
}

function postedOf(call: SlackCall): Posted {
  const blocks = (call.args.blocks as BlockShape[] | undefined) ?? [];
  return {
    call,
    channel: String(call.args.channel),
    text:
      blocks.length === 0
        ? String(call.args.text ?? "")
        : blocks
            .filter((block) => block.type === "section")
            .map((block) => block.text?.text ?? "")
            .join("\n"),
    buttons: blocks
      .filter((block) => block.type === "actions")
      .flatMap((block) => block.elements ?? [])
      .map((element) => ({
        text: element.text?.text ?? "",
        action_id: element.action_id ?? "",
        value: element.value ?? "",
      })),
  };
}

/** The Slack channel of an app built as main.ts builds it (in memory), its outbox, and the fake Web API. */
export async function createSlackHarness(options: { start?: string } = {}) {
  let now = new Date(options.start ?? "2026-11-23T02:00:00Z");
  const clock = { now: () => now };
  const app: App = await createTestApp({ clock, channels: ["slack"] });
  const store = app.store;
  const fake = await startFakeSlackApi();
  const logger = recordingLogger();
  const channel = createSlackChannel({
    botToken: BOT_TOKEN,
    apiUrl: fake.apiUrl,
    app,
    kick: () => undefined,
    logger,
    receiver: new NoReceiver(),
    botUserId: "UBOT",
    chart: async () => Buffer.from("PNG"),
  });
  const dispatcher = createDispatcher({
    outbox: store,
    senders: new Map([["slack", channel.sender]]),
    clock,
    logger,
  });
  const payloads = createPayloads();
  /** Each acknowledgement, with how many Web API calls had been made when it came. */
  const acks: { response: unknown; callsBefore: number }[] = [];

  /** Hands one payload to Bolt as a receiver would, then lets the outbox send what it queued. */
  async function deliver(body: Record<string, unknown>, retryNum?: number): Promise<void> {
    await channel.bolt.processEvent({
      body,
      ack: async (response?: unknown) => {
        acks.push({ response, callsBefore: fake.calls.length });
      },
      ...(retryNum === undefined ? {} : { retryNum, retryReason: "http_timeout" }),
    });
    await dispatcher.flush();
  }

  function posted(channelId?: string): Posted[] {
    return fake
      .callsOf("chat.postMessage")
      .map(postedOf)
      .filter((one) => channelId === undefined || one.channel === channelId);
  }

  function lastPosted(channelId: string): Posted | undefined {
    return posted(channelId).at(-1);
  }

  function ephemerals(user: SlackUser): { channel: string; text: string }[] {
    return fake
      .callsOf("chat.postEphemeral")
      .filter((call) => call.args.user === user.id)
      .map((call) => ({ channel: String(call.args.channel), text: String(call.args.text) }));
  }

  /** Presses the newest button posted to `channelId` whose value matches, as `user`. */
  async function press(user: SlackUser, channelId: string, value: RegExp): Promise<string> {
    for (const one of [...posted(channelId)].reverse()) {
      const found = one.buttons.find((button) => value.test(button.value));
      if (found !== undefined) {
        const where = channelId.startsWith("U") ? `D${channelId}` : channelId;
        await deliver(payloads.action(user, where, found.action_id, found.value));
        return found.value;
      }
    }
    throw new Error(`no button matching ${value} was posted to ${channelId}`);
  }

  /** Presses the newest join button posted to a channel, as `user`. */
  async function pressJoin(user: SlackUser, channelId: string): Promise<void> {
    const found = posted(channelId)
      .flatMap((one) => one.buttons)
      .findLast((button) => button.action_id.startsWith("join_"));
    if (found === undefined) throw new Error(`no join button was posted to ${channelId}`);
    await deliver(payloads.action(user, channelId, found.action_id, found.value));
  }

  /** The modal last opened for the person: its callback id and its input blocks. */
  function lastModal():
    | { callback_id: string; blocks: { block_id: string; element: { type: string } }[] }
    | undefined {
    const call = fake.callsOf("views.open").at(-1);
    const view = call?.args.view;
    return (typeof view === "string" ? JSON.parse(view) : view) as ReturnType<typeof lastModal>;
  }

  /** Fills in the last modal as the person would and submits it: a choice's value, a text, or file ids. */
  async function submitForm(user: SlackUser, answers: Record<string, string | string[]>): Promise<void> {
    const modal = lastModal();
    if (modal === undefined) throw new Error("no modal was opened");
    const values: Record<string, Record<string, unknown>> = {};
    for (const block of modal.blocks) {
      const answer = answers[block.block_id];
      const type = block.element.type;
      if (answer === undefined)
        values[block.block_id] = { type, ...(type === "file_input" ? { files: [] } : { value: null }) };
      else if (type === "static_select")
        values[block.block_id] = { type, selected_option: { value: answer } };
      else if (type === "file_input")
        values[block.block_id] = { type, files: [answer].flat().map((id) => ({ id, name: `${id}.jpg` })) };
      else values[block.block_id] = { type, value: answer };
    }
    await deliver(payloads.submission(user, modal.callback_id, values));
  }

  /** Types in the bot's direct messages, as the person. */
  async function dm(user: SlackUser, text: string): Promise<void> {
    await deliver(payloads.message(user, text));
  }

  /** Sends /shangliang with `text` in a channel, or in the bot's direct messages when no channel is given. */
  async function command(user: SlackUser, text: string, channelId = `D${user.id}`): Promise<void> {
    await deliver(payloads.command(user, channelId, text));
  }

  async function memberOf(user: SlackUser): Promise<Member | undefined> {
    return store.transaction(
      async (tx) => (await tx.find(Members, "identity", identityKey("slack", user.id)))[0],
    );
  }

  async function bindingOf(channelId: string): Promise<GroupBinding | undefined> {
    return store.transaction((tx) => tx.get(Bindings, bindingKey("slack", channelId)));
  }

  async function requestsOf(user: SlackUser): Promise<ServiceRequest[]> {
    const member = await memberOf(user);
    if (member === undefined) return [];
    return store.transaction((tx) => tx.find(Requests, "requester", `${member.villageId}/${member.id}`));
  }

  return {
    app,
    store,
    fake,
    logger,
    channel,
    dispatcher,
    payloads,
    acks,
    deliver,
    posted,
    lastPosted,
    ephemerals,
    press,
    pressJoin,
    lastModal,
    submitForm,
    dm,
    command,
    memberOf,
    bindingOf,
    requestsOf,
    say: (key: string, params?: Record<string, string | number>, language: "zh-CN" | "en" = "zh-CN") =>
      app.translate(params === undefined ? { key } : { key, params }, language),
    advance(ms: number) {
      now = new Date(now.getTime() + ms);
    },
    async close() {
      await dispatcher.stop();
      await channel.stop();
      await fake.close();
    },
  };
}

export type SlackHarness = Awaited<ReturnType<typeof createSlackHarness>>;

/** A secretary sets up 幸福村 in the bot's direct messages and binds `channelId` as its creator. */
export async function setUpVillage(
  h: SlackHarness,
  secretary: SlackUser,
  channelId: string,
): Promise<string> {
  await h.command(secretary, "setup");
  await h.dm(secretary, "幸福村");
  await h.dm(secretary, "和平镇");
  await h.dm(secretary, "XF");
  h.fake.setCreator(channelId, secretary.id);
  h.fake.addMember(channelId, secretary.id);
  await h.command(secretary, "setup", channelId);
  const member = await h.memberOf(secretary);
  if (member === undefined) throw new Error("the secretary was not set up");
  return member.villageId;
}

/** 幸福村 set up by the secretary with its channel, and the villager on its roster. */
export async function villageWithVillager(h: SlackHarness): Promise<void> {
  await setUpVillage(h, secretary, CHANNEL);
  await joinVillage(h, villager, CHANNEL);
}

/** A channel member presses the join button of the channel's welcome. */
export async function joinVillage(h: SlackHarness, user: SlackUser, channelId: string): Promise<void> {
  h.fake.addMember(channelId, user.id);
  await h.pressJoin(user, channelId);
}

/** The villager files a request with the form (a modal): 电力路灯, a problem, with the photo files given. */
export async function fileRequest(h: SlackHarness, who: SlackUser, photos: string[] = []): Promise<string> {
  const before = (await h.requestsOf(who)).length;
  await h.command(who, "request");
  await h.submitForm(who, {
    kind: "problem",
    category: "power",
    text: "村口三盏路灯坏了，晚上看不见路。",
    photos,
  });
  const filed = await h.requestsOf(who);
  if (filed.length !== before + 1) throw new Error("the request was not filed");
  return filed.at(-1)?.id ?? "";
}
