import type { OutboxEntry } from "../../app/ports.js";
import { type ChannelSender, DeliveryError } from "../../outbox/dispatcher.js";
import { renderMessage, type Translate } from "../render.js";
import type { Hub } from "./hub.js";
import type { ChatLog } from "./log.js";
import { type LocalMessage, type StoredButton, UploadName } from "./schema.js";

/** Turns an outbox entry into a line of a local chat: written to the chat's log, then pushed to open pages. */
export function localMessageOf(entry: OutboxEntry, translate: Translate): Omit<LocalMessage, "n"> {
  const rendered = renderMessage(entry.message, entry.target.language, translate);
  const buttons: StoredButton[][] = rendered.buttons.map((row) =>
    row.map((button) =>
      button.opensPrivateFor === undefined
        ? { label: button.label, data: button.data }
        : { label: button.label, data: button.data, opensPrivate: true },
    ),
  );
  const local = (entry.message.attachments ?? []).filter(
    (a) => a.channel === "local" && UploadName.safeParse(a.fileRef).success,
  );
  const message: Omit<LocalMessage, "n"> = {
    id: entry.id,
    at: entry.createdAt,
    from: "bot",
    text: rendered.text,
    buttons,
    photos: local.filter((a) => a.type === "photo").map((a) => a.fileRef),
  };
  const voices = local.filter((a) => a.type === "voice").map((a) => a.fileRef);
  if (voices.length > 0) message.voices = voices;
  if (entry.message.location !== undefined) message.location = entry.message.location;
  if (entry.message.inputMax !== undefined) message.inputMax = entry.message.inputMax;
  return message;
}

export function createLocalSender(log: ChatLog, hub: Hub, translate: Translate): ChannelSender {
  return {
    async send(entry) {
      if (entry.target.channel !== "local") {
        throw new DeliveryError(`not a local chat: ${entry.target.channel}`, "permanent");
      }
      const message = localMessageOf(entry, translate);
      if (entry.edits !== undefined) {
        const { id: _id, ...content } = message;
        const edited = await log.edit(entry.target.chatId, entry.edits, content);
        if (edited !== undefined) {
          hub.publish(entry.target.chatId, edited);
          return { ref: edited.id };
        }
      }
      // Appending is idempotent by entry id, so a redelivery after a crash shows the message once.
      const stored = await log.append(entry.target.chatId, message);
      if (stored !== undefined) hub.publish(entry.target.chatId, stored);
      return { ref: entry.id };
    },
  };
}
