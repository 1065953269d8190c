import { z } from "zod";
import { ChannelName } from "../domain/model.js";

/** Longest free text the bot takes in one message; longer text is refused, never cut. */
export const MAX_INBOUND_TEXT = 4096;
/** Longest caption kept with a photo: the same as text the bot takes. */
export const MAX_CAPTION = MAX_INBOUND_TEXT;

export const CommandName = z.string().regex(/^[a-z0-9_]{1,32}$/);

export const InboundInput = z.discriminatedUnion("type", [
  z.object({ type: z.literal("command"), command: CommandName, args: z.string().max(256).optional() }),
  z.object({ type: z.literal("text"), text: z.string().min(1) }),
  z.object({ type: z.literal("button"), data: z.string().min(1).max(256) }),
  z.object({
    type: z.literal("photo"),
    fileRef: z.string().min(1).max(512),
    caption: z.string().max(MAX_CAPTION).optional(),
  }),
  z.object({ type: z.literal("voice"), fileRef: z.string().min(1).max(512) }),
  z.object({
    type: z.literal("location"),
    lat: z.number().min(-90).max(90),
    lng: z.number().min(-180).max(180),
  }),
  z.object({ type: z.literal("file"), fileName: z.string().max(256), content: z.string() }),
  /** A form's answers, as a channel that shows forms (Slack's modals) collected them. */
  z.object({
    type: z.literal("form"),
    form: z.string().regex(/^[a-z_]{1,32}$/),
    values: z.record(z.string().max(32), z.array(z.string().max(MAX_INBOUND_TEXT)).max(10)),
  }),
  /** Someone the channel has checked belongs to the village's group asks to join its roster. */
  z.object({ type: z.literal("join"), villageId: z.string().min(1).max(64) }),
  /** A group admin (checked by the channel) binds this group chat; `args` is what followed the command. */
  z.object({
    type: z.literal("bind_group"),
    title: z.string().max(256).optional(),
    args: z.string().max(256).optional(),
  }),
]);
export type InboundInput = z.infer<typeof InboundInput>;

/** One thing a person did on some channel, already translated out of the platform's own shape. */
export const InboundEvent = z.object({
  /** The platform's id for this delivery (update_id, event_id, …), used to ignore redeliveries. */
  eventId: z.string().min(1).max(128),
  channel: ChannelName,
  userId: z.string().min(1).max(64),
  displayName: z.string().max(128).optional(),
  /** The language the person's app reports, e.g. Telegram's language_code. */
  languageHint: z.string().max(35).optional(),
  chat: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("private"), chatId: z.string().min(1).max(64) }),
    z.object({ kind: z.literal("group"), chatId: z.string().min(1).max(64) }),
  ]),
  input: InboundInput,
});
export type InboundEvent = z.infer<typeof InboundEvent>;

/** A command as the app takes it: no arguments when none were typed. */
export function commandInput(command: string, args: string): InboundInput {
  return args === "" ? { type: "command", command } : { type: "command", command, args };
}

/** The key an event is marked processed under, so a redelivery (or a channel's own answer to it) is done once. */
export function eventKey(channel: ChannelName, eventId: string): string {
  return `${channel}:${eventId}`;
}
