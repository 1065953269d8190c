import type { Attachment, GeoPoint } from "../domain/model.js";
import type { Text } from "./text.js";

export type { Text } from "./text.js";

export interface Button {
  label: Text;
  /** What pressing it does: an encoded action, at most 64 ASCII bytes (Telegram's callback_data limit). */
  data: string;
  /** Set when the button opens the presser's private chat for this village (a deep link on Telegram). */
  opensPrivateFor?: string;
}

/** What a use case wants said, before any channel renders it. */
export interface OutgoingMessage {
  lines: Text[];
  buttons?: Button[][];
  attachments?: Attachment[];
  location?: GeoPoint;
  /** The message asks for typed text: the most characters the answer may have. */
  inputMax?: number;
}

export function message(lines: Text[], buttons?: Button[][]): OutgoingMessage {
  return buttons === undefined || buttons.length === 0 ? { lines } : { lines, buttons };
}
