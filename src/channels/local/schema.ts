import { z } from "zod";
import { InboundInput } from "../../app/inbound.js";
import { GeoPoint, Language } from "../../domain/model.js";
import { UploadName } from "./uploads.js";

const MemberId = z.string().min(1).max(64);

/** POST /api/events: one thing a person did on the page. */
export const EventBody = z.object({
  /** Made by the page (crypto.randomUUID) so a retried POST is recognised as the same event. */
  eventId: z.string().min(1).max(128),
  userId: MemberId,
  chat: z.enum(["private", "group"]),
  input: InboundInput,
});
export type EventBody = z.infer<typeof EventBody>;

/** POST /api/setup: the "set up a new village" form. */
export const SetupBody = z.object({
  townName: z.string().max(60),
  villageName: z.string().max(60),
  code: z.string().max(8),
  name: z.string().max(40),
  language: Language.optional(),
});
export type SetupBody = z.infer<typeof SetupBody>;

/** `?member=` on the stream, history and upload endpoints. */
export const MemberQuery = MemberId;

export const StoredButton = z.object({
  label: z.string(),
  data: z.string(),
  /** The button opens the private chat (a deep link on Telegram); pressed from the group it goes there. */
  opensPrivate: z.boolean().optional(),
});
export type StoredButton = z.infer<typeof StoredButton>;

/** One line of a local chat, as kept on disk and sent to the page. */
export const LocalMessage = z.object({
  /** The outbox entry id for the bot's messages, a fresh id for what a person sent. */
  id: z.string(),
  /** Order within the chat, counting from 1. */
  n: z.number().int().positive(),
  at: z.string(),
  from: z.enum(["bot", "person"]),
  text: z.string(),
  buttons: z.array(z.array(StoredButton)),
  /** Stored upload file names, shown as pictures. */
  photos: z.array(z.string()),
  location: GeoPoint.optional(),
  fileName: z.string().optional(),
  /** Stored upload file names of voice messages, played with <audio controls>. */
  voices: z.array(z.string()).optional(),
  /** On a bot message that asks the person to type: the most characters the bot takes for that answer. */
  inputMax: z.number().int().positive().optional(),
  /** Who sent a person's message in a group (its echo is seen by everyone there); the page shows others' on the left. */
  sender: z.object({ id: z.string(), name: z.string() }).optional(),
});
export type LocalMessage = z.infer<typeof LocalMessage>;

export const ChatLogFile = z.object({ messages: z.array(LocalMessage) });
export type ChatLogFile = z.infer<typeof ChatLogFile>;

/** Upload names the server made: a UUID and a photo or voice extension (see uploads.ts). Nothing else is ever served. */
export { UploadName };
