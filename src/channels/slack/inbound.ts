import type { CommandSpec } from "../../app/feature.js";
import { commandInput, type InboundEvent, type InboundInput } from "../../app/inbound.js";
import type {
  BlockActionsBody,
  DirectMessageEvent,
  SlackFile,
  SlashCommandBody,
  ViewSubmissionBody,
} from "./payloads.js";

/** The parts of an InboundEvent known before the input is settled. */
export type EventBase = Omit<InboundEvent, "input">;

/** What a Slack payload asks for: an event for the app, a check with Slack first, or nothing. */
export type Interpretation =
  | { kind: "ignore"; reason: string }
  | { kind: "event"; base: EventBase; input: InboundInput; trigger?: string }
  | { kind: "button"; base: EventBase; data: string; trigger: string }
  | {
      kind: "join";
      base: EventBase;
      villageId: string | undefined;
      press?: { data: string; trigger: string };
    }
  | { kind: "bind"; base: EventBase; title: string | undefined; args: string }
  | { kind: "unknown_command"; base: EventBase; command: string }
  | { kind: "file"; base: EventBase; fileId: string; fileName: string; fileSize: number | undefined };

/**
 * The action ids of a village channel's buttons that open the private chat (`join_<row>_<column>`): their value is
 * the village's id and the button's own data, `<villageId> <data>`.
 */
export const JOIN_ACTION = /^join_\d+_\d+$/;
/** The action ids of the app's own buttons: `act_<row>_<column>`, unique within a message. */
export const APP_ACTION = /^act_\d+_\d+$/;

/** A modal's callback id: this prefix, then the form's name. */
export const FORM_CALLBACK = "form:";
/** The action id of every field's element in a modal (its block id is the field's name). */
export const FORM_ACTION = "value";

const BIND_COMMAND = "setup";
const JOIN_COMMAND = "join";
const TEXT_FILE = /\.(csv|txt)$/i;
const MAX_ARGS = 256;

/** Direct messages with the bot are its private chat, known by the person's user id (posting there opens it). */
function chatOf(channelId: string | undefined, userId: string): EventBase["chat"] {
  return channelId === undefined || channelId.startsWith("D")
    ? { kind: "private", chatId: userId }
    : { kind: "group", chatId: channelId };
}

function baseOf(eventId: string, userId: string, chat: EventBase["chat"], name?: string): EventBase {
  const base: EventBase = { eventId: eventId.slice(0, 128), channel: "slack", userId, chat };
  if (name !== undefined && name.trim() !== "") base.displayName = name.trim().slice(0, 128);
  return base;
}

/** `/shangliang request` → the app's `request` command; what follows the word is its arguments. */
export function interpretCommand(
  body: SlashCommandBody,
  commands: ReadonlyMap<string, CommandSpec>,
): Interpretation {
  const chat = chatOf(body.channel_id, body.user_id);
  const base = baseOf(`cmd:${body.trigger_id}`, body.user_id, chat, body.user_name);
  const [word = "", ...rest] = body.text.trim().split(/\s+/);
  const name = word.replace(/^\//, "").toLowerCase();
  const args = rest.join(" ").slice(0, MAX_ARGS);
  const spec = commands.get(name);
  if (chat.kind === "group") {
    if (name === "") return { kind: "event", base, input: { type: "command", command: "help" } };
    if (name === BIND_COMMAND) return { kind: "bind", base, title: body.channel_name?.slice(0, 256), args };
    if (name === JOIN_COMMAND) return { kind: "join", base, villageId: undefined };
    if (spec?.group === undefined) return { kind: "unknown_command", base, command: word.slice(0, 32) };
    return {
      kind: "event",
      base,
      input: commandInput(name, args),
    };
  }
  if (name === "") return { kind: "event", base, input: { type: "command", command: "start" } };
  if (spec === undefined) return { kind: "unknown_command", base, command: word.slice(0, 32) };
  return {
    kind: "event",
    base,
    input: commandInput(name, args),
    trigger: body.trigger_id,
  };
}

/** A button press: the app's own buttons carry their data in `value`; the join button the village's id. */
export function interpretAction(body: BlockActionsBody): Interpretation {
  const action = body.actions[0];
  const channelId = body.channel?.id ?? body.container?.channel_id;
  const chat = chatOf(channelId, body.user.id);
  const base = baseOf(`act:${body.trigger_id}`, body.user.id, chat, body.user.name);
  if (action === undefined || action.value === undefined || action.value === "")
    return { kind: "ignore", reason: "button without a value" };
  if (JOIN_ACTION.test(action.action_id)) {
    const [villageId = "", data = ""] = action.value.split(" ");
    return { kind: "join", base, villageId, press: { data: data.slice(0, 256), trigger: body.trigger_id } };
  }
  if (!APP_ACTION.test(action.action_id)) return { kind: "ignore", reason: "button not ours" };
  return { kind: "button", base, data: action.value.slice(0, 256), trigger: body.trigger_id };
}

/** A submitted form (a modal): each block's answer, by the field it stands for. */
export function interpretSubmission(body: ViewSubmissionBody): Interpretation {
  const form = body.view.callback_id.slice(FORM_CALLBACK.length);
  const base = baseOf(`view:${body.view.id}:${body.view.hash ?? ""}`, body.user.id, {
    kind: "private",
    chatId: body.user.id,
  });
  const values: Record<string, string[]> = {};
  for (const [field, actions] of Object.entries(body.view.state.values)) {
    const answer = actions[FORM_ACTION];
    if (answer === undefined) continue;
    values[field.slice(0, 32)] =
      answer.selected_option?.value !== undefined
        ? [answer.selected_option.value]
        : answer.files !== undefined
          ? answer.files.map((file) => file.id)
          : typeof answer.value === "string"
            ? [answer.value]
            : [];
  }
  return { kind: "event", base, input: { type: "form", form, values } };
}

/** One file of a direct message: a photo (with the message's words as its caption), a voice clip, or a file. */
function interpretFile(base: EventBase, file: SlackFile, caption: string): Interpretation {
  const mime = file.mimetype ?? "";
  if (mime.startsWith("image/")) {
    const input: InboundInput = { type: "photo", fileRef: file.id };
    if (caption.trim() !== "") input.caption = caption;
    return { kind: "event", base, input };
  }
  if (mime.startsWith("audio/") || file.subtype === "slack_audio")
    return { kind: "event", base, input: { type: "voice", fileRef: file.id } };
  const fileName = (file.name ?? "file").slice(0, 256);
  if (TEXT_FILE.test(fileName) || mime.startsWith("text/"))
    return { kind: "file", base, fileId: file.id, fileName, fileSize: file.size };
  return { kind: "event", base, input: { type: "file", fileName, content: "" } };
}

/** A direct message to the bot: its text, or each of its files in turn (several photos at once are several). */
export function interpretDirectMessage(eventId: string, event: DirectMessageEvent): Interpretation[] {
  if (event.bot_id !== undefined || event.user === undefined)
    return [{ kind: "ignore", reason: "not from a person" }];
  if (event.subtype !== undefined && event.subtype !== "file_share")
    return [{ kind: "ignore", reason: `message ${event.subtype} not handled` }];
  if (event.channel_type !== undefined && event.channel_type !== "im")
    return [{ kind: "ignore", reason: "channel message without a command" }];
  const user = event.user;
  const text = event.text ?? "";
  const files = event.files ?? [];
  if (files.length === 0) {
    if (text.trim() === "") return [{ kind: "ignore", reason: "blank text" }];
    return [
      {
        kind: "event",
        base: baseOf(eventId, user, { kind: "private", chatId: user }),
        input: { type: "text", text },
      },
    ];
  }
  return files.map((file, index) => {
    const base = baseOf(index === 0 ? eventId : `${eventId}:${index}`, user, {
      kind: "private",
      chatId: user,
    });
    return interpretFile(base, file, index === 0 ? text : "");
  });
}
