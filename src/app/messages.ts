import type { Attachment, GeoPoint, LocalizedName } from "../domain/model.js";
import type { MessageKey } from "../i18n/index.js";
import type { Action } from "./actions.js";

export type TextParam = string | number | Text | LocalizedName;

/** A sentence to be said in the reader's language: an i18n key and its parameters. */
export interface Text {
  key: MessageKey;
  params?: Record<string, TextParam>;
}

export interface Button {
  label: Text;
  action: Action;
}

/** What a use case wants said, before any channel renders it. */
export interface OutgoingMessage {
  lines: Text[];
  buttons?: Button[][];
  attachments?: Attachment[];
  location?: GeoPoint;
}

export function t(key: MessageKey, params?: Record<string, TextParam>): Text {
  return params === undefined ? { key } : { key, params };
}

export function message(lines: Text[], buttons?: Button[][]): OutgoingMessage {
  return buttons === undefined || buttons.length === 0 ? { lines } : { lines, buttons };
}

export function button(key: MessageKey, action: Action, params?: Record<string, TextParam>): Button {
  return { label: t(key, params), action };
}
