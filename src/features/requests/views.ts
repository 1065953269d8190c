import { backToMenu } from "../../app/kernel.js";
import { type Button, message, type OutgoingMessage, type Text } from "../../app/messages.js";
import { formatLocal } from "../../domain/calendar.js";
import { type TrafficLight, trafficLight } from "../../domain/deadlines.js";
import type {
  Attachment,
  Category,
  Member,
  RequestKind,
  ServiceRequest,
  TimelineEntry,
  Village,
} from "../../domain/model.js";
import {
  canAssign,
  canDecline,
  canMerge,
  canRate,
  canTake,
  canWorkOn,
  isParty,
  isWorker,
} from "../../domain/permissions.js";
import { isOpen } from "../../domain/request.js";
import {
  askDecline,
  askExtend,
  askMerge,
  askProgress,
  askResolve,
  myRequests,
  pickOwner,
  rateRequest,
  takeRequest,
  viewRequest,
  workList,
} from "./codecs.js";
import { text } from "./i18n.js";

const { t } = text;

export function categoryName(village: Village, categoryId: string): Category["name"] {
  return village.categories.find((category) => category.id === categoryId)?.name ?? { "zh-CN": categoryId };
}

export function kindLabel(kind: RequestKind): Text {
  return t(`kind.${kind}`);
}

export function lightText(light: TrafficLight | undefined): Text {
  return light === undefined ? t("light.none") : t(`light.${light}`);
}

/** One line per request in a list: light, number, category, state. */
export function requestLine(request: ServiceRequest, village: Village, now: Date): Text {
  return t("line", {
    light: lightText(trafficLight(request, now)),
    id: request.id,
    category: categoryName(village, request.categoryId),
    state: t(`state.${request.state}`),
  });
}

/** Every photo and voice message of a request: the villager's, then those sent with notes. */
export function allAttachments(request: ServiceRequest): Attachment[] {
  return [...request.attachments, ...request.timeline.flatMap((entry) => entry.attachments ?? [])];
}

function timelineLine(entry: TimelineEntry, names: ReadonlyMap<string, string>, timeZone: string): Text {
  const details: Text[] = [];
  if (entry.ownerId !== undefined && entry.action !== "accepted")
    details.push(t("timeline.owner", { owner: names.get(entry.ownerId) ?? entry.ownerId }));
  if (entry.rating !== undefined) details.push(t(`rating.${entry.rating}`));
  if (entry.relatedId !== undefined) details.push(t("timeline.related", { id: entry.relatedId }));
  if (entry.note !== undefined) details.push(t("timeline.note", { note: entry.note }));
  if (entry.attachments !== undefined && entry.attachments.length > 0)
    details.push(mediaCount(entry.attachments));
  return t("timeline.entry", {
    at: formatLocal(new Date(entry.at), timeZone),
    by: names.get(entry.by) ?? entry.by,
    action: t(`timeline.${entry.action}`),
    details: details.length === 0 ? "" : t("timeline.details", { list: joinTexts(details) }),
  });
}

function mediaCount(attachments: readonly Attachment[]): Text {
  return t("timeline.media", {
    photos: attachments.filter((a) => a.type === "photo").length,
    voices: attachments.filter((a) => a.type === "voice").length,
  });
}

function joinTexts(texts: Text[]): Text {
  return texts.reduceRight((rest, one) => t("join.pair", { first: one, rest }));
}

export interface CardContext {
  village: Village;
  viewer: Member;
  names: ReadonlyMap<string, string>;
  now: Date;
  timeZone: string;
  /** Re-send the photos, voice and location: for someone seeing the request for the first time or asking for it. */
  withMedia?: boolean;
}

/** The full request as one person may see it, with the buttons that person may press. */
export function requestCard(request: ServiceRequest, context: CardContext, lead?: Text): OutgoingMessage {
  const { village, viewer, names, now, timeZone } = context;
  const lines: Text[] = lead === undefined ? [] : [lead];
  lines.push(
    t("card.header", {
      id: request.id,
      kind: kindLabel(request.kind),
      category: categoryName(village, request.categoryId),
    }),
    t("card.state", { state: t(`state.${request.state}`), light: lightText(trafficLight(request, now)) }),
    t("card.text", { text: request.text === "" ? t("card.no_text") : request.text }),
  );
  if (request.requesterId !== request.filedById) {
    lines.push(
      t("card.proxy", {
        filer: names.get(request.filedById) ?? "",
        requester: names.get(request.requesterId) ?? "",
      }),
    );
  } else if (!isParty(viewer, request)) {
    lines.push(t("card.requester", { requester: names.get(request.requesterId) ?? "" }));
  }
  const attachments = allAttachments(request);
  if (attachments.length > 0 || request.location !== undefined) {
    lines.push(
      t("card.extras", {
        photos: attachments.filter((a) => a.type === "photo").length,
        voices: attachments.filter((a) => a.type === "voice").length,
        location: request.location === undefined ? t("card.no_location") : t("card.has_location"),
      }),
    );
  }
  if (request.ownerId !== undefined) lines.push(t("card.owner", { owner: names.get(request.ownerId) ?? "" }));
  if (isOpen(request)) {
    lines.push(
      t("card.deadlines", {
        respond: formatLocal(new Date(request.respondBy), timeZone),
        resolve: formatLocal(new Date(request.resolveBy), timeZone),
      }),
    );
  }
  lines.push(t("card.timeline"));
  for (const entry of request.timeline) lines.push(timelineLine(entry, names, timeZone));
  const result = message(lines, cardButtons(request, viewer, village));
  if (context.withMedia !== true) return result;
  if (attachments.length > 0) result.attachments = attachments;
  if (request.location !== undefined) result.location = request.location;
  return result;
}

/** What this person may do with the request now, and a way on. */
function cardButtons(request: ServiceRequest, viewer: Member, village: Village): Button[][] {
  const requestId = request.id;
  const rows: Button[][] = [];
  if (request.state === "resolved" && canRate(viewer, request)) {
    rows.push([
      rateRequest.button(t("rating.satisfied"), { requestId, rating: "satisfied" }),
      rateRequest.button(t("rating.mostly_satisfied"), { requestId, rating: "mostly_satisfied" }),
      rateRequest.button(t("rating.not_satisfied"), { requestId, rating: "not_satisfied" }),
    ]);
  }
  if (request.state === "submitted" && canTake(viewer, request, village)) {
    rows.push([takeRequest.button(t("action.take"), { requestId })]);
  }
  if (isOpen(request) && canAssign(viewer, request)) {
    const label = request.state === "submitted" ? t("action.assign") : t("action.reassign");
    rows.push([pickOwner.button(label, { requestId })]);
  }
  if ((request.state === "accepted" || request.state === "in_progress") && canWorkOn(viewer, request)) {
    rows.push([
      askProgress.button(t("action.progress"), { requestId }),
      askResolve.button(t("action.resolve"), { requestId }),
    ]);
    if (!request.extended) rows.push([askExtend.button(t("action.extend"), { requestId })]);
  }
  if (isOpen(request) && canMerge(viewer, request) && canDecline(viewer, request)) {
    rows.push([
      askMerge.button(t("action.merge"), { requestId }),
      askDecline.button(t("action.decline"), { requestId }),
    ]);
  }
  rows.push(navigation(viewer));
  return rows;
}

/** Where to go from a card: one's own requests, the work list for workers, the main menu. */
function navigation(viewer: Member): Button[] {
  const row: Button[] = [
    isWorker(viewer) ? workList.button(t("action.work"), {}) : myRequests.button(t("action.my"), { page: 0 }),
  ];
  row.push(backToMenu());
  return row;
}

/** A list of requests with a button to open each one. */
export function requestList(
  list: readonly ServiceRequest[],
  village: Village,
  now: Date,
  title: Text,
  extraRows: Button[][] = [],
): OutgoingMessage {
  const lines = [title, ...list.map((request) => requestLine(request, village, now))];
  const rows: Button[][] = list.map((request) => [
    viewRequest.button(t("list.view", { id: request.id }), { requestId: request.id }),
  ]);
  rows.push(...extraRows, [backToMenu()]);
  return message(lines, rows);
}
