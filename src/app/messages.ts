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
  /** A picture drawn before the text (a tally's figures): sent as a photo. */
  chart?: Chart;
}

/** Bar charts as data: each channel draws the picture when it sends the message, in the reader's language. */
export interface Chart {
  title: Text;
  panels: ChartPanel[];
}

/** One bar chart of a picture: a bar per category for each series. */
export interface ChartPanel {
  title: Text;
  categories: Text[];
  series: ChartSeries[];
  /** The values are percentages: the axis runs from 0 to 100. */
  percent?: boolean;
  /** Bars run across, one row per category: for long lists such as a town's villages. */
  horizontal?: boolean;
}

export interface ChartSeries {
  name: Text;
  /** One per category; null where there is nothing to show. */
  values: (number | null)[];
  /** One colour for the series, or one per bar (a traffic light's green, yellow and red). */
  color: string | string[];
}

export function message(lines: Text[], buttons?: Button[][]): OutgoingMessage {
  return buttons === undefined || buttons.length === 0 ? { lines } : { lines, buttons };
}
