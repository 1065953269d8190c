import { formatLocal } from "../domain/calendar.js";
import { type TrafficLight, trafficLight } from "../domain/deadlines.js";
import type { Category, Member, ServiceRequest, TimelineEntry, Village } from "../domain/model.js";
import { canRate, canWorkOn, isParty, isSecretary, isWorker } from "../domain/permissions.js";
import type { Button, OutgoingMessage, Text } from "./messages.js";
import { button, message, t } from "./messages.js";

function mainMenuButtons(member: Member): Button[][] {
  const rows: Button[][] = [
    [
      button("menu.request", { type: "menu", menu: "request" }),
      button("menu.my", { type: "menu", menu: "my" }),
    ],
  ];
  if (isWorker(member)) {
    rows.push([
      button("menu.work", { type: "menu", menu: "work" }),
      button("menu.proxy", { type: "menu", menu: "proxy" }),
    ]);
  }
  const last: Button[] = [button("menu.lang", { type: "menu", menu: "lang" })];
  if (isSecretary(member)) last.unshift(button("menu.roster", { type: "menu", menu: "roster" }));
  rows.push(last);
  return rows;
}

export function mainMenu(member: Member, village: Village, lead?: Text): OutgoingMessage {
  const lines = lead === undefined ? [] : [lead];
  lines.push(t("menu.title", { name: member.name, village: village.name, role: t(`role.${member.role}`) }));
  return message(lines, mainMenuButtons(member));
}

export function categoryName(village: Village, categoryId: string): Category["name"] {
  return village.categories.find((category) => category.id === categoryId)?.name ?? { "zh-CN": categoryId };
}

const LIGHT_KEYS = { green: "light.green", yellow: "light.yellow", red: "light.red" } as const;

export function lightText(light: TrafficLight | undefined): Text {
  return light === undefined ? t("light.none") : t(LIGHT_KEYS[light]);
}

/** One line per request in a list: light, number, category, state. */
export function requestLine(request: ServiceRequest, village: Village, now: Date): Text {
  return t("request.line", {
    light: lightText(trafficLight(request, now)),
    id: request.id,
    category: categoryName(village, request.categoryId),
    state: t(`state.${request.state}`),
  });
}

function timelineLine(entry: TimelineEntry, names: ReadonlyMap<string, string>, timeZone: string): Text {
  const params: Record<string, string | Text> = {
    at: formatLocal(new Date(entry.at), timeZone),
    by: names.get(entry.by) ?? entry.by,
    action: t(`timeline.${entry.action}`),
  };
  const details: Text[] = [];
  if (entry.ownerId !== undefined)
    details.push(t("timeline.owner", { owner: names.get(entry.ownerId) ?? entry.ownerId }));
  if (entry.rating !== undefined) details.push(t(`rating.${entry.rating}`));
  if (entry.relatedId !== undefined) details.push(t("timeline.related", { id: entry.relatedId }));
  if (entry.note !== undefined) details.push(t("timeline.note", { note: entry.note }));
  params.details = details.length === 0 ? "" : t("timeline.details", { list: joinTexts(details) });
  return t("timeline.entry", params);
}

function joinTexts(texts: Text[]): Text {
  return texts.reduceRight((rest, text) => t("join.pair", { first: text, rest }));
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
      kind: t(`kind.${request.kind}`),
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
  if (request.attachments.length > 0 || request.location !== undefined) {
    lines.push(
      t("card.extras", {
        photos: request.attachments.filter((a) => a.type === "photo").length,
        voices: request.attachments.filter((a) => a.type === "voice").length,
        location: request.location === undefined ? t("card.no_location") : t("card.has_location"),
      }),
    );
  }
  if (request.ownerId !== undefined) lines.push(t("card.owner", { owner: names.get(request.ownerId) ?? "" }));
  if (request.state === "submitted" || request.state === "accepted" || request.state === "in_progress") {
    lines.push(
      t("card.deadlines", {
        respond: formatLocal(new Date(request.respondBy), timeZone),
        resolve: formatLocal(new Date(request.resolveBy), timeZone),
      }),
    );
  }
  lines.push(t("card.timeline"));
  for (const entry of request.timeline) lines.push(timelineLine(entry, names, timeZone));
  const result = message(lines, cardButtons(request, viewer));
  if (context.withMedia !== true) return result;
  if (request.attachments.length > 0) result.attachments = request.attachments;
  if (request.location !== undefined) result.location = request.location;
  return result;
}

function cardButtons(request: ServiceRequest, viewer: Member): Button[][] {
  const id = request.id;
  const rows: Button[][] = [];
  if (request.state === "resolved" && canRate(viewer, request)) {
    rows.push([
      button("rating.satisfied", { type: "rate", requestId: id, rating: "satisfied" }),
      button("rating.mostly_satisfied", { type: "rate", requestId: id, rating: "mostly_satisfied" }),
      button("rating.not_satisfied", { type: "rate", requestId: id, rating: "not_satisfied" }),
    ]);
  }
  if (request.state === "submitted" && isWorker(viewer) && viewer.villageId === request.villageId) {
    rows.push([button("action.accept", { type: "accept", requestId: id })]);
  }
  if ((request.state === "accepted" || request.state === "in_progress") && canWorkOn(viewer, request)) {
    rows.push([
      button("action.progress", { type: "progress", requestId: id }),
      button("action.resolve", { type: "resolve", requestId: id }),
    ]);
    if (!request.extended) rows.push([button("action.extend", { type: "extend", requestId: id })]);
  }
  const open =
    request.state === "submitted" || request.state === "accepted" || request.state === "in_progress";
  if (open && isSecretary(viewer) && viewer.villageId === request.villageId) {
    rows.push([
      button("action.transfer", { type: "transfer", requestId: id }),
      button("action.merge", { type: "merge", requestId: id }),
      button("action.decline", { type: "decline", requestId: id }),
    ]);
  }
  return rows;
}
