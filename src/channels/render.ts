import type { OutgoingMessage, Text } from "../app/messages.js";
import type { Language } from "../domain/model.js";

export type Translate = (text: Text, language: Language) => string;

export interface RenderedButton {
  label: string;
  /** The encoded action, at most 64 ASCII bytes. */
  data: string;
  /** The village whose request form the button opens in the private chat (a deep link on Telegram). */
  opensPrivateFor?: string;
}

/** Turns a channel-neutral message into plain text and labelled buttons in one language. */
export function renderMessage(
  message: OutgoingMessage,
  language: Language,
  translate: Translate,
): { text: string; buttons: RenderedButton[][] } {
  return {
    text: message.lines.map((line) => translate(line, language)).join("\n"),
    buttons: (message.buttons ?? []).map((row) =>
      row.map((button) => {
        const rendered: RenderedButton = { label: translate(button.label, language), data: button.data };
        if (button.opensPrivateFor !== undefined) rendered.opensPrivateFor = button.opensPrivateFor;
        return rendered;
      }),
    ),
  };
}
