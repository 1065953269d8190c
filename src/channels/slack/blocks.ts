import type { types } from "@slack/bolt";
import type { ShownForm } from "../../app/forms.js";
import type { OutgoingMessage, Text } from "../../app/messages.js";
import type { GeoPoint, Language } from "../../domain/model.js";
import { type RenderedButton, renderMessage, type Translate } from "../render.js";
import { clip, splitText } from "../text.js";
import { FORM_ACTION, FORM_CALLBACK } from "./inbound.js";

type KnownBlock = types.KnownBlock;
type ButtonElement = types.Button;

/** Block Kit limits (https://docs.slack.dev/reference/block-kit). */
export const MAX_BLOCKS = 50;
export const MAX_HOME_BLOCKS = 100;
export const MAX_SECTION_TEXT = 3000;
export const MAX_BUTTON_LABEL = 75;
export const MAX_BUTTONS_PER_BLOCK = 25;
/** Slack refuses a message's blocks well below the documented limits (msg_blocks_too_long near 13,000 characters). */
export const MAX_MESSAGE_TEXT = 12_000;
/** A message's `text` is what notifications and screen readers show; Slack cuts it at 40,000. */
const MAX_FALLBACK = 3000;

/** One chat.postMessage: the fallback text and its blocks. */
export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** The slash command the Slack app has (see slack-manifest.yml); the bot's commands are its first word. */
export const SLASH_COMMAND = "/shangliang";

/**
 * Sentences name commands as Telegram and the local chat take them (`/setup town`); in Slack they are words after
 * the app's one slash command (`/shangliang setup town`).
 */
export function asSlackCommands(text: string, commands: ReadonlySet<string>): string {
  return text.replace(/(^|[^\w/])\/([a-z0-9_]{1,32})\b/g, (whole, before: string, name: string) =>
    commands.has(name) ? `${before}${SLASH_COMMAND} ${name}` : whole,
  );
}

function buttonOf(button: RenderedButton, row: number, column: number): ButtonElement {
  const label = { type: "plain_text" as const, text: clip(button.label, MAX_BUTTON_LABEL), emoji: true };
  if (button.opensPrivateFor !== undefined)
    return {
      type: "button",
      text: label,
      action_id: `join_${row}_${column}`,
      value: `${button.opensPrivateFor} ${button.data}`,
    };
  return { type: "button", text: label, action_id: `act_${row}_${column}`, value: button.data };
}

function actionBlocks(rows: readonly RenderedButton[][]): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  rows.forEach((row, r) => {
    const elements = row.map((button, c) => buttonOf(button, r, c));
    for (let at = 0; at < elements.length; at += MAX_BUTTONS_PER_BLOCK)
      blocks.push({ type: "actions", elements: elements.slice(at, at + MAX_BUTTONS_PER_BLOCK) });
  });
  return blocks;
}

function mapLink(point: GeoPoint): KnownBlock {
  const url = `https://www.openstreetmap.org/?mlat=${point.lat}&mlon=${point.lng}#map=18/${point.lat}/${point.lng}`;
  return { type: "context", elements: [{ type: "mrkdwn", text: `<${url}|📍 ${point.lat}, ${point.lng}>` }] };
}

/**
 * A channel-neutral message as Slack messages: its text in plain-text sections, its buttons in actions blocks
 * after them. Longer than one message can hold, it goes as several, the buttons with the last.
 */
export function slackMessages(
  rendered: { text: string; buttons: RenderedButton[][] },
  options: { location?: GeoPoint | undefined; continued: string },
): SlackMessage[] {
  const messages: SlackMessage[] = [];
  let blocks: KnownBlock[] = [];
  let texts: string[] = [];
  let size = 0;
  const close = () => {
    if (blocks.length === 0) return;
    const text = texts.length === 0 ? options.continued : clip(texts.join("\n"), MAX_FALLBACK);
    messages.push({ text, blocks });
    blocks = [];
    texts = [];
    size = 0;
  };
  const add = (block: KnownBlock, text = "") => {
    if (blocks.length >= MAX_BLOCKS || size + text.length > MAX_MESSAGE_TEXT) close();
    blocks.push(block);
    if (text !== "") texts.push(text);
    size += text.length;
  };
  for (const piece of splitText(rendered.text, MAX_SECTION_TEXT))
    add({ type: "section", text: { type: "plain_text", text: piece, emoji: true } }, piece);
  if (options.location !== undefined) add(mapLink(options.location));
  for (const block of actionBlocks(rendered.buttons)) add(block);
  close();
  return messages;
}

/** A message's text and buttons in one language, commands written as Slack takes them. */
export function renderForSlack(
  message: OutgoingMessage,
  language: Language,
  translate: Translate,
  commands: ReadonlySet<string>,
): { text: string; buttons: RenderedButton[][] } {
  const rendered = renderMessage(message, language, translate);
  return { ...rendered, text: asSlackCommands(rendered.text, commands) };
}

/** The Home tab: each section's blocks, a divider between; what does not fit ends in a pointer to the rest. */
export function homeBlocks(
  sections: { text: string; buttons: RenderedButton[][] }[],
  more: string,
): KnownBlock[] {
  const blocks: KnownBlock[] = [];
  for (const section of sections) {
    const own = slackMessages(section, { continued: "" }).flatMap((one) => one.blocks);
    const divider = blocks.length === 0 ? 0 : 1;
    if (blocks.length + divider + own.length > MAX_HOME_BLOCKS - 1) {
      blocks.push({ type: "context", elements: [{ type: "plain_text", text: more, emoji: true }] });
      break;
    }
    if (divider === 1) blocks.push({ type: "divider" });
    blocks.push(...own);
  }
  return blocks;
}

/** Modal limits: a title and its buttons' words at most 24 characters, a select at most 100 options. */
const MAX_MODAL_TITLE = 24;
const MAX_SELECT_OPTIONS = 100;
const MAX_OPTION_TEXT = 75;
const MAX_LABEL = 2000;
const PHOTO_TYPES = ["jpg", "jpeg", "png", "gif", "heic", "webp"];

const plain = (text: string, max: number) => ({
  type: "plain_text" as const,
  text: clip(text, max),
  emoji: true,
});

/** One form field as a modal's input block: its block id is the field's name, its element's action id `value`. */
function inputBlock(field: ShownForm["fields"][number], words: (text: Text) => string): KnownBlock {
  const label = plain(words(field.label), MAX_LABEL);
  const optional = field.optional === true;
  if (field.kind === "choice") {
    const options = (field.options ?? []).slice(0, MAX_SELECT_OPTIONS).map((option) => ({
      text: plain(words(option.label), MAX_OPTION_TEXT),
      value: option.value,
    }));
    return {
      type: "input",
      block_id: field.name,
      label,
      optional,
      element: { type: "static_select", action_id: FORM_ACTION, options },
    };
  }
  if (field.kind === "photos")
    return {
      type: "input",
      block_id: field.name,
      label,
      optional,
      element: {
        type: "file_input",
        action_id: FORM_ACTION,
        filetypes: PHOTO_TYPES,
        max_files: field.maxFiles ?? 1,
      },
    };
  return {
    type: "input",
    block_id: field.name,
    label,
    optional,
    element: {
      type: "plain_text_input",
      action_id: FORM_ACTION,
      multiline: field.multiline === true,
      ...(field.max === undefined ? {} : { max_length: field.max }),
    },
  };
}

/** A form as a Slack modal: one input block per field; submitted, it comes back under its callback id. */
export function modalView(form: ShownForm, translate: Translate, close: string): types.ModalView {
  const words = (text: Text) => translate(text, form.language);
  return {
    type: "modal",
    callback_id: `${FORM_CALLBACK}${form.name}`,
    title: plain(words(form.title), MAX_MODAL_TITLE),
    submit: plain(words(form.submit), MAX_MODAL_TITLE),
    close: plain(close, MAX_MODAL_TITLE),
    blocks: form.fields.map((field) => inputBlock(field, words)),
  };
}
