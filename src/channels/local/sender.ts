import type { OutboxEntry } from "../../app/ports.js";
import { type ChannelSender, DeliveryError } from "../../outbox/dispatcher.js";
import { renderMessage } from "../render.js";
import type { Hub } from "./hub.js";
import type { ChatLog } from "./log.js";
import { type LocalMessage, type StoredButton, UploadName } from "./schema.js";

/** Turns an outbox entry into a line of a local chat: written to the chat's log, then pushed to open pages. */
export function localMessageOf(entry: OutboxEntry): Omit<LocalMessage, "n"> {
  const rendered = renderMessage(entry.message, entry.target.language);
  const buttons: StoredButton[][] = rendered.buttons.map((row) =>
    row.map((button) =>
      button.action.type === "open_private"
        ? { label: button.label, data: button.data, opensPrivate: true }
        : { label: button.label, data: button.data },
    ),
  );
  const photos = (entry.message.attachments ?? [])
    .filter((a) => a.type === "photo" && a.channel === "local" && UploadName.safeParse(a.fileRef).success)
    .map((a) => a.fileRef);
  const message: Omit<LocalMessage, "n"> = {
    id: entry.id,
    at: entry.createdAt,
    from: "bot",
    text: rendered.text,
    buttons,
    photos,
  };
  if (entry.message.location !== undefined) message.location = entry.message.location;
  return message;
}

export function createLocalSender(log: ChatLog, hub: Hub): ChannelSender {
  return {
    async send(entry) {
      if (entry.target.channel !== "local") {
        throw new DeliveryError(`not a local chat: ${entry.target.channel}`, undefined, true);
      }
      const stored = await log.append(entry.target.chatId, localMessageOf(entry));
      if (stored !== undefined) hub.publish(entry.target.chatId, stored);
    },
  };
}
