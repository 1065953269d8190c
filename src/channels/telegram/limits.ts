import { clip, splitText as splitAt } from "../text.js";

/** Bot API limits on what the bot sends (https://core.telegram.org/bots/api). */
export const MAX_TEXT = 4096;
export const MAX_CAPTION = 1024;
export const MAX_CALLBACK_DATA_BYTES = 64;
export const MAX_CALLBACK_ANSWER = 200;
export const MAX_COMMANDS_PER_SCOPE = 100;
export const COMMAND_NAME = /^[a-z0-9_]{1,32}$/;
export const MAX_COMMAND_DESCRIPTION = 256;

/** Splits text into Telegram messages (see `splitAt`). */
export function splitText(text: string): string[] {
  return splitAt(text, MAX_TEXT);
}

export { clip };
