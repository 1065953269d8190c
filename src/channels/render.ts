import { type Action, encodeAction } from "../app/actions.js";
import type { OutgoingMessage } from "../app/messages.js";
import type { Language } from "../domain/model.js";
import { translate } from "../i18n/index.js";

export interface RenderedButton {
  label: string;
  /** The encoded action, at most 64 ASCII bytes. */
  data: string;
  action: Action;
}

/** Turns a channel-neutral message into plain text and labelled buttons in one language. */
export function renderMessage(
  message: OutgoingMessage,
  language: Language,
): { text: string; buttons: RenderedButton[][] } {
  return {
    text: message.lines.map((line) => translate(line, language)).join("\n"),
    buttons: (message.buttons ?? []).map((row) =>
      row.map((button) => ({
        label: translate(button.label, language),
        data: encodeAction(button.action),
        action: button.action,
      })),
    ),
  };
}
