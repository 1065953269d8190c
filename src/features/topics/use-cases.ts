import {
  type Deps,
  inUnit,
  memberName,
  secretariesOf,
  showLiveInGroup,
  tell,
  tellGroup,
  type Unit,
} from "../../app/deps.js";
import { backToMenu } from "../../app/kernel.js";
import { type Button, message, type OutgoingMessage, type Text } from "../../app/messages.js";
import { Members, Villages } from "../../app/tables.js";
import { formatLocal, localDate } from "../../domain/calendar.js";
import type { Attachment, Member, Village } from "../../domain/model.js";
import { canConvene, canTakePart } from "../../domain/permissions.js";
import { ok, type Result, refuse } from "../../domain/result.js";
import * as rules from "../../domain/topic.js";
import {
  archiveDate,
  householdOf,
  MAX_TOPIC_TEXT,
  MAX_TOPIC_TITLE,
  supportingHouseholds,
  supportThreshold,
  TOPIC_RULES,
  type Topic,
  topicNumber,
} from "../../domain/topic.js";
import { noteTopicIn, visibleRequest } from "../requests/index.js";
import { agendaTopic, keepTopic, supportTopic, topicList, viewTopic } from "./codecs.js";
import { text } from "./i18n.js";
import { Topics, topicSequence } from "./tables.js";

const { t } = text;

export type TopicsRefusal =
  | rules.TopicRefusal
  | "no_such_topic"
  | "not_allowed"
  | "title_required"
  | "title_too_long"
  | "text_required"
  | "no_such_request";

export type TopicResult = Result<Topic, TopicsRefusal>;

export interface NewTopic {
  title: string;
  text: string;
  attachments: Attachment[];
  requestIds: string[];
}

/** A title as typed: one line, trimmed; a refusal says what to fix. */
export function checkTitle(typed: string): Result<string, TopicsRefusal> {
  const title = typed.replace(/\s+/g, " ").trim();
  if (title === "") return refuse("title_required");
  if (title.length > MAX_TOPIC_TITLE) return refuse("title_too_long", { max: MAX_TOPIC_TITLE });
  return ok(title);
}

/** Households on the roster: each active member's, or the member alone when they have none. */
async function householdsOf(unit: Unit, villageId: string): Promise<number> {
  const members = await unit.tx.find(Members, "village", villageId);
  return new Set(members.filter((member) => member.active).map(householdOf)).size;
}

function localDay(unit: Unit, instant: Date): string {
  return localDate(instant, unit.deps.calendar.timeZone);
}

function countLine(unit: Unit, topic: Topic): Text {
  const households = supportingHouseholds(topic);
  if (topic.state === "agenda") return t("group.count_agenda", { households });
  if (topic.state !== "proposed")
    return t("group.count_closed", { households, state: t(`state.${topic.state}`) });
  const until = new Date(Date.parse(topic.createdAt) + TOPIC_RULES.supportWindowDays * 86_400_000);
  return t("group.count", { households, threshold: topic.threshold, until: localDay(unit, until) });
}

/** The topic as the group sees it: what it is, its supports so far, and the support button while open. */
async function groupMessage(unit: Unit, topic: Topic): Promise<OutgoingMessage> {
  const excerpt = topic.text.length > 300 ? `${topic.text.slice(0, 300)}…` : topic.text;
  const lines = [
    t("group.new", {
      id: topic.id,
      title: topic.title,
      name: await memberName(unit, topic.proposerId),
      text: excerpt,
    }),
    countLine(unit, topic),
  ];
  const buttons = rules.isOpenTopic(topic)
    ? [[supportTopic.button(t("support"), { topicId: topic.id })]]
    : [];
  const shown = message(lines, buttons);
  const photos = topic.attachments.filter((attachment) => attachment.type === "photo");
  return photos.length === 0 ? shown : { ...shown, attachments: photos };
}

/** Posts the topic to the group, or brings the group's copy up to date, at most every few seconds. */
async function showInGroup(unit: Unit, topic: Topic): Promise<Topic> {
  const message = await groupMessage(unit, topic);
  const refreshAt = await showLiveInGroup(
    unit,
    topic.villageId,
    `topic:${topic.id}`,
    message,
    topic.refreshAt,
  );
  return { ...topic, refreshAt };
}

/** 提议题: stores the topic, posts it to the village group with its support button, tells the proposer. */
export async function proposeTopicIn(unit: Unit, actor: Member, draft: NewTopic): Promise<TopicResult> {
  const village = await unit.tx.get(Villages, actor.villageId);
  if (village === undefined || !canTakePart(actor, village.id)) return refuse("not_allowed");
  const title = checkTitle(draft.title);
  if (!title.ok) return title;
  const body = draft.text.trim();
  if (body === "") return refuse("text_required");
  const seq = await unit.tx.nextNumber(topicSequence(village.id));
  const at = unit.now.toISOString();
  const topic: Topic = {
    id: topicNumber(village.code, seq),
    villageId: village.id,
    seq,
    title: title.value,
    text: body.slice(0, MAX_TOPIC_TEXT),
    attachments: draft.attachments,
    proposerId: actor.id,
    createdAt: at,
    updatedAt: at,
    state: "proposed",
    supports: [],
    threshold: supportThreshold(await householdsOf(unit, village.id)),
    requestIds: draft.requestIds,
    decisionIds: [],
  };
  const shown = await showInGroup(unit, topic);
  unit.tx.put(Topics, shown);
  tell(unit, actor, message([t("proposed", { id: topic.id, threshold: topic.threshold })], [[backToMenu()]]));
  return ok(shown);
}

async function topicOf(unit: Unit, actor: Member, topicId: string): Promise<TopicResult> {
  const topic = await unit.tx.get(Topics, topicId);
  if (topic === undefined || !canTakePart(actor, topic.villageId))
    return refuse("no_such_topic", { id: topicId });
  return ok(topic);
}

/** 附议: one support per member; at the threshold the topic goes on the agenda and everyone hears of it. */
export async function supportTopicIn(unit: Unit, actor: Member, topicId: string): Promise<TopicResult> {
  const found = await topicOf(unit, actor, topicId);
  if (!found.ok) return found;
  const supported = rules.addSupport(found.value, actor, unit.now);
  if (!supported.ok) return supported;
  const { topic, reachedAgenda } = supported.value;
  const shown = await showInGroup(unit, topic);
  unit.tx.put(Topics, shown);
  if (reachedAgenda) {
    const params = { id: topic.id, title: topic.title, households: supportingHouseholds(topic) };
    await tellGroup(unit, topic.villageId, message([t("group.reached", params)]));
    for (const secretary of await secretariesOf(unit, topic.villageId)) {
      tell(unit, secretary, message([t("secretary.reached", params)], [[viewButton(topic)]]));
    }
  }
  return ok(shown);
}

/** 列入议程: the secretary puts a topic on the agenda, whatever its support. */
export async function putOnAgendaIn(unit: Unit, actor: Member, topicId: string): Promise<TopicResult> {
  const found = await topicOf(unit, actor, topicId);
  if (!found.ok) return found;
  if (!canConvene(actor, found.value.villageId)) return refuse("not_allowed");
  const moved = rules.putOnAgenda(found.value, actor.id, unit.now);
  if (!moved.ok) return moved;
  const shown = await showInGroup(unit, moved.value);
  unit.tx.put(Topics, shown);
  await tellGroup(unit, shown.villageId, message([t("group.agenda", { id: shown.id, title: shown.title })]));
  return ok(shown);
}

export async function keepOpenIn(unit: Unit, actor: Member, topicId: string): Promise<TopicResult> {
  const found = await topicOf(unit, actor, topicId);
  if (!found.ok) return found;
  if (!canConvene(actor, found.value.villageId)) return refuse("not_allowed");
  const kept = rules.keepOpen(found.value, actor.id, unit.now);
  if (!kept.ok) return kept;
  unit.tx.put(Topics, kept.value);
  tell(unit, actor, message([t("kept.done", { id: kept.value.id })], [[viewButton(kept.value)]]));
  return kept;
}

function viewButton(topic: Topic): Button {
  return viewTopic.button(t("view", { id: topic.id, title: topic.title }), { topicId: topic.id });
}

/** A topic's card in a private chat, with what this member may do with it. */
export async function topicCardIn(unit: Unit, actor: Member, topicId: string): Promise<TopicResult> {
  const found = await topicOf(unit, actor, topicId);
  if (!found.ok) return found;
  const topic = found.value;
  const lines: Text[] = [
    t("card.title", { id: topic.id, title: topic.title }),
    t("card.by", {
      name: await memberName(unit, topic.proposerId),
      at: formatLocal(new Date(topic.createdAt), unit.deps.calendar.timeZone),
    }),
    t("card.text", { text: topic.text }),
    t("card.state", { state: t(`state.${topic.state}`) }),
    t("card.count", { households: supportingHouseholds(topic), threshold: topic.threshold }),
  ];
  if (topic.state === "proposed")
    lines.push(
      topic.keptOpenBy === undefined
        ? t("card.archive", { date: localDay(unit, archiveDate(topic)) })
        : t("card.kept"),
    );
  if (topic.requestIds.length > 0) lines.push(t("card.requests", { ids: topic.requestIds.join("、") }));
  const buttons: Button[][] = [];
  const mine = topic.proposerId === actor.id;
  const supported = topic.supports.some((support) => support.memberId === actor.id);
  if (rules.isOpenTopic(topic) && !mine && !supported)
    buttons.push([supportTopic.button(t("support"), { topicId: topic.id })]);
  if (canConvene(actor, topic.villageId)) {
    const row: Button[] = [];
    if (topic.state === "proposed" || topic.state === "archived")
      row.push(agendaTopic.button(t("agenda"), { topicId: topic.id }));
    if (topic.state === "proposed" && topic.keptOpenBy === undefined)
      row.push(keepTopic.button(t("keep"), { topicId: topic.id }));
    if (row.length > 0) buttons.push(row);
  }
  buttons.push([topicList.button(t("menu.topics"), { page: 0 }), backToMenu()]);
  const photos = topic.attachments.filter((attachment) => attachment.type === "photo");
  const card = message(lines, buttons);
  tell(unit, actor, photos.length === 0 ? card : { ...card, attachments: photos });
  return ok(topic);
}

const PAGE = 8;

/** Open topics of the village: the agenda first, then those collecting support, newest first. */
export async function openTopics(unit: Unit, villageId: string): Promise<Topic[]> {
  const open = await unit.tx.find(Topics, "open", villageId);
  const agenda = open.filter((topic) => topic.state === "agenda").reverse();
  const proposed = open.filter((topic) => topic.state === "proposed").reverse();
  return [...agenda, ...proposed];
}

export async function topicListIn(
  unit: Unit,
  actor: Member,
  village: Village,
  page: number,
): Promise<Result<Topic[], TopicsRefusal>> {
  if (!canTakePart(actor, village.id)) return refuse("not_allowed");
  const topics = await openTopics(unit, village.id);
  const shown = topics.slice(page * PAGE, (page + 1) * PAGE);
  const lines: Text[] = [t(topics.length === 0 ? "list.none" : "list.title", { count: topics.length })];
  for (const topic of shown) {
    lines.push(
      t("list.line", {
        id: topic.id,
        title: topic.title,
        households: supportingHouseholds(topic),
        threshold: topic.threshold,
      }),
    );
  }
  const buttons: Button[][] = shown.map((topic) => [viewButton(topic)]);
  if (topics.length > (page + 1) * PAGE) buttons.push([topicList.button(t("list.more"), { page: page + 1 })]);
  buttons.push([backToMenu()]);
  tell(unit, actor, message(lines, buttons));
  return ok(shown);
}

/** A decision was taken on the topic: it is decided, and links to the decision. */
export async function markDecidedIn(unit: Unit, topicId: string, decisionId: string): Promise<void> {
  const topic = await unit.tx.get(Topics, topicId);
  if (topic === undefined) return;
  const at = unit.now.toISOString();
  const decided = await showInGroup(unit, {
    ...topic,
    state: "decided",
    updatedAt: at,
    decisionIds: [...topic.decisionIds, decisionId],
  });
  unit.tx.put(Topics, decided);
}

/** A secretary makes a topic of a request (一个诉求解决一类问题): both keep a link to the other. */
export async function topicFromRequestIn(unit: Unit, actor: Member, requestId: string): Promise<TopicResult> {
  if (!canConvene(actor, actor.villageId)) return refuse("not_allowed");
  const found = await visibleRequest(unit, actor, requestId.trim().toUpperCase());
  if (!found.ok) return refuse("no_such_request");
  const request = found.value;
  const firstLine = request.text.split("\n")[0]?.trim() ?? "";
  const title = firstLine === "" ? request.id : firstLine.slice(0, MAX_TOPIC_TITLE);
  const made = await proposeTopicIn(unit, actor, {
    title,
    text: request.text === "" ? request.id : request.text,
    attachments: request.attachments.filter((attachment) => attachment.type === "photo"),
    requestIds: [request.id],
  });
  if (!made.ok) return made;
  await noteTopicIn(unit, request.id, made.value.id, actor.id);
  tell(unit, actor, message([t("from_request.done", { requestId: request.id, id: made.value.id })]));
  return made;
}

/** Daily: warns proposers 10 days before an unsupported topic is archived, and archives it at 90 days. */
export async function archiveTopics(deps: Deps): Promise<void> {
  const villages = await inUnit(deps, (unit) => unit.tx.all(Villages));
  for (const village of villages) {
    await inUnit(deps, async (unit) => {
      for (const topic of await unit.tx.find(Topics, "open", village.id)) {
        const step = rules.archiveStep(topic, unit.now);
        if (step === undefined) continue;
        const proposer = await unit.tx.get(Members, topic.proposerId);
        const params = {
          id: topic.id,
          title: topic.title,
          households: supportingHouseholds(topic),
          threshold: topic.threshold,
          date: localDay(unit, archiveDate(topic)),
        };
        const at = unit.now.toISOString();
        if (step === "warn") {
          unit.tx.put(Topics, { ...topic, archiveWarnedAt: at });
          if (proposer?.active === true)
            tell(unit, proposer, message([t("warn.archive", params)], [[viewButton(topic)]]));
          continue;
        }
        const archived = await showInGroup(unit, {
          ...topic,
          state: "archived",
          archivedAt: at,
          updatedAt: at,
        });
        unit.tx.put(Topics, archived);
        if (proposer?.active === true) tell(unit, proposer, message([t("archived.proposer", params)]));
      }
    });
  }
}
