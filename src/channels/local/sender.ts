import { createHash } from "node:crypto";
import { mkdir, rename, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { OutboxEntry } from "../../app/ports.js";
import type { ChartRenderer } from "../../charts/render.js";
import { type ChannelSender, DeliveryError } from "../../outbox/dispatcher.js";
import { renderMessage, type Translate } from "../render.js";
import type { Hub } from "./hub.js";
import type { ChatLog } from "./log.js";
import { type LocalMessage, type StoredButton, UploadName } from "./schema.js";

/** Where a message's chart is drawn for the page: a PNG among the uploads, named after the entry. */
export interface LocalCharts {
  draw: ChartRenderer;
  /** The uploads folder the page serves pictures from. */
  dir: string;
}

/** The upload name of an entry's chart: the same for every try, so a redelivery draws it once. */
export function chartFileName(entryId: string): string {
  const hex = createHash("sha256").update(`chart:${entryId}`).digest("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}.png`;
}

async function drawChart(entry: OutboxEntry, charts: LocalCharts): Promise<string[]> {
  const chart = entry.message.chart;
  if (chart === undefined) return [];
  const name = chartFileName(entry.id);
  const path = join(charts.dir, name);
  const drawn = await stat(path).then(
    () => true,
    () => false,
  );
  if (!drawn) {
    await mkdir(charts.dir, { recursive: true });
    // Whole or not at all: a crash mid-write must not leave a half picture that a retry takes as drawn.
    const partial = `${path}.${process.pid}.tmp`;
    await writeFile(partial, await charts.draw(chart, entry.target.language));
    await rename(partial, path);
  }
  return [name];
}

/** Turns an outbox entry into a line of a local chat: written to the chat's log, then pushed to open pages. */
export function localMessageOf(
  entry: OutboxEntry,
  translate: Translate,
  drawn: readonly string[] = [],
): Omit<LocalMessage, "n"> {
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
    photos: [...drawn, ...local.filter((a) => a.type === "photo").map((a) => a.fileRef)],
  };
  const voices = local.filter((a) => a.type === "voice").map((a) => a.fileRef);
  if (voices.length > 0) message.voices = voices;
  if (entry.message.location !== undefined) message.location = entry.message.location;
  if (entry.message.inputMax !== undefined) message.inputMax = entry.message.inputMax;
  return message;
}

export function createLocalSender(
  log: ChatLog,
  hub: Hub,
  translate: Translate,
  charts: LocalCharts,
): ChannelSender {
  return {
    async send(entry) {
      if (entry.target.channel !== "local") {
        throw new DeliveryError(`not a local chat: ${entry.target.channel}`, "permanent");
      }
      const message = localMessageOf(entry, translate, await drawChart(entry, charts));
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
