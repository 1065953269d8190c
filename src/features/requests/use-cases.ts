import {
  type Deps,
  deadlinesOf,
  inUnit,
  secretariesOf,
  tell,
  tellTown,
  type Unit,
  villageOf,
} from "../../app/deps.js";
import { type Button, message, type OutgoingMessage, type Text } from "../../app/messages.js";
import type { EnqueueOptions } from "../../app/ports.js";
import { Members, roleKey, Villages } from "../../app/tables.js";
import { t as kernel } from "../../app/text.js";
import { calendarGaps, formatLocal, localDate, localParts } from "../../domain/calendar.js";
import {
  lightSeverity,
  TOWN_ESCALATION_WORKING_DAYS,
  townEscalationAt,
  trafficLight,
} from "../../domain/deadlines.js";
import type {
  Attachment,
  ChannelName,
  GeoPoint,
  Member,
  Rating,
  RequestKind,
  ServiceRequest,
  Village,
} from "../../domain/model.js";
import { MAX_NOTE_TEXT, MAX_REQUEST_TEXT } from "../../domain/model.js";
import {
  canAssign,
  canDecline,
  canFileFor,
  canMerge,
  canOwn,
  canRate,
  canSee,
  canTake,
  canWorkOn,
  isSecretary,
  isWorker,
} from "../../domain/permissions.js";
import * as transitions from "../../domain/request.js";
import { isOpen } from "../../domain/request.js";
import { ok, type Result, refuse } from "../../domain/result.js";
import {
  assignRequest,
  type LedgerFilter,
  type LedgerPeriod,
  ledger,
  myRequests,
  viewRequest,
} from "./codecs.js";
import { text } from "./i18n.js";
import { RequestAlerts, Requests, requestSequence } from "./tables.js";
import { categoryName, requestCard, requestList } from "./views.js";

const { t } = text;

export type RequestRefusal =
  | transitions.RequestRefusal
  | "no_such_request"
  | "not_allowed"
  | "no_such_owner"
  | "no_such_category"
  | "not_your_category"
  | "text_too_long"
  | "text_required"
  | "no_such_village";

export type RequestResult = Result<ServiceRequest, RequestRefusal>;

/** The names a request's card shows: its people and everyone on its timeline, read one by one. */
async function namesFor(
  unit: Unit,
  request: ServiceRequest,
  more: Iterable<string> = [],
): Promise<Map<string, string>> {
  const ids = new Set([request.requesterId, request.filedById, ...more]);
  if (request.ownerId !== undefined) ids.add(request.ownerId);
  for (const entry of request.timeline) {
    ids.add(entry.by);
    if (entry.ownerId !== undefined) ids.add(entry.ownerId);
  }
  const names = new Map<string, string>();
  for (const id of ids) {
    const member = await unit.tx.get(Members, id);
    if (member !== undefined) names.set(id, member.name);
  }
  return names;
}

/** Reminders and alerts the jobs send are bulk: they wait behind replies, and for the end of quiet hours. */
const REMINDER: EnqueueOptions = { bulk: true };

/**
 * Sends the request's card to each person, each with their own first line and buttons. Reads only the
 * people it names and tells, never the whole roster, so a big village costs no more than a small one.
 */
async function tellEach(
  unit: Unit,
  request: ServiceRequest,
  memberIds: Iterable<string>,
  lead: (member: Member) => Text,
  withMedia: ReadonlySet<string> = new Set(),
  village?: Village,
  options?: EnqueueOptions,
): Promise<void> {
  const home = village ?? (await villageOf(unit, request.villageId));
  const names = await namesFor(unit, request);
  for (const memberId of new Set(memberIds)) {
    const member = await unit.tx.get(Members, memberId);
    if (member === undefined || !member.active || member.villageId !== request.villageId) continue;
    const context = {
      village: home,
      viewer: member,
      names,
      now: unit.now,
      timeZone: unit.deps.calendar.timeZone,
      withMedia: withMedia.has(member.id),
    };
    tell(unit, member, requestCard(request, context, lead(member)), options);
  }
}

function parties(request: ServiceRequest): string[] {
  return [request.requesterId, request.filedById];
}

export interface SubmitRequestInput {
  villageId: string;
  requesterId: string;
  filedById: string;
  kind: RequestKind;
  categoryId: string;
  text: string;
  attachments: Attachment[];
  location?: GeoPoint;
  channel: ChannelName;
}

export async function submitRequestIn(unit: Unit, input: SubmitRequestInput): Promise<RequestResult> {
  const village = await unit.tx.get(Villages, input.villageId);
  if (village === undefined) return refuse("no_such_village");
  const category = village.categories.find((c) => c.id === input.categoryId);
  if (category === undefined) return refuse("no_such_category");
  const requester = await unit.tx.get(Members, input.requesterId);
  const filer = await unit.tx.get(Members, input.filedById);
  if (
    requester === undefined ||
    filer === undefined ||
    filer.villageId !== village.id ||
    !canFileFor(filer, requester)
  )
    return refuse("not_allowed");
  if (input.text.length > MAX_REQUEST_TEXT) return refuse("text_too_long", { max: MAX_REQUEST_TEXT });
  if (input.text.trim() === "" && !input.attachments.some((a) => a.type === "voice"))
    return refuse("text_required");
  const year = localParts(unit.now, unit.deps.calendar.timeZone).year;
  const seq = await unit.tx.nextNumber(requestSequence(village.id, year));
  const newRequest: transitions.NewRequest = {
    villageId: village.id,
    code: village.code,
    year,
    seq,
    kind: input.kind,
    categoryId: category.id,
    deadlineClass: category.deadlineClass,
    text: input.text.trim(),
    attachments: input.attachments,
    requesterId: requester.id,
    filedById: filer.id,
    channel: input.channel,
    now: unit.now,
  };
  if (input.location !== undefined) newRequest.location = input.location;
  const request = transitions.createRequest(newRequest, deadlinesOf(unit.deps));
  unit.tx.put(Requests, request);
  const tz = unit.deps.calendar.timeZone;
  const when = {
    id: request.id,
    respond: formatLocal(new Date(request.respondBy), tz),
    resolve: formatLocal(new Date(request.resolveBy), tz),
  };
  const receipt = (member: Member) =>
    member.id === request.requesterId
      ? t("submit.receipt", when)
      : t("submit.receipt_filer", { ...when, requester: requester.name });
  await tellEach(unit, request, parties(request), receipt, new Set(), village);
  // The secretary and the category's own grid workers hear of it; others find it in their work list.
  const owners: Member[] = [];
  for (const id of category.ownerIds) {
    const owner = await unit.tx.get(Members, id);
    if (owner !== undefined && canTake(owner, request, village)) owners.push(owner);
  }
  const workers = [...(await secretariesOf(unit, village.id)), ...owners].filter((m) => m.id !== filer.id);
  const workerIds = workers.map((m) => m.id);
  const lead = (member: Member) =>
    t(isSecretary(member) ? "notify.new_request_secretary" : "notify.new_request", {
      id: request.id,
      category: category.name,
    });
  await tellEach(unit, request, workerIds, lead, new Set(workerIds), village);
  return ok(request);
}

/** Loads a request the actor may see; anyone else is told it does not exist. */
export async function visibleRequest(unit: Unit, actor: Member, requestId: string): Promise<RequestResult> {
  const request = await unit.tx.get(Requests, requestId);
  if (request === undefined || !canSee(actor, request)) return refuse("no_such_request", { id: requestId });
  return ok(request);
}

/** Notes on a request's timeline that it became a topic ("一个诉求解决一类问题"), linking the two. */
export async function noteTopicIn(unit: Unit, requestId: string, topicId: string, by: string): Promise<void> {
  const request = await unit.tx.get(Requests, requestId);
  if (request === undefined) throw new Error(`request ${requestId} vanished`);
  const at = unit.now.toISOString();
  unit.tx.put(Requests, {
    ...request,
    updatedAt: at,
    timeline: [...request.timeline, { at, by, action: "topic" as const, relatedId: topicId }],
  });
}

export async function viewRequestIn(
  unit: Unit,
  actor: Member,
  requestId: string,
  lead?: Text,
): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  const village = await villageOf(unit, found.value.villageId);
  const context = {
    village,
    viewer: actor,
    names: await namesFor(unit, found.value),
    now: unit.now,
    timeZone: unit.deps.calendar.timeZone,
    withMedia: true,
  };
  tell(unit, actor, requestCard(found.value, context, lead));
  return found;
}

/** A grid worker takes a request of a category they may take (接单). */
export async function takeRequestIn(unit: Unit, actor: Member, requestId: string): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  const request = found.value;
  if (request.ownerId === actor.id && isOpen(request))
    return viewRequestIn(unit, actor, request.id, t("notice.already_yours"));
  const village = await villageOf(unit, request.villageId);
  if (!canTake(actor, request, village))
    return refuse(isWorker(actor) && !isSecretary(actor) ? "not_your_category" : "not_allowed");
  return giveTo(unit, actor, request, actor);
}

/** Asks the secretary whom to give the request to (派单, or 转办 once someone has it). */
export async function pickOwnerIn(unit: Unit, actor: Member, requestId: string): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  const request = found.value;
  if (!canAssign(actor, request)) return refuse("not_allowed");
  if (!isOpen(request)) return refuse("not_open");
  const village = await villageOf(unit, request.villageId);
  const owners = village.categories.find((c) => c.id === request.categoryId)?.ownerIds ?? [];
  const candidates = [
    ...(await secretariesOf(unit, village.id)),
    ...(await unit.tx.find(Members, "role", roleKey(village.id, "grid_worker"))),
  ];
  const workers = candidates.filter((m) => canOwn(m, request) && m.id !== request.ownerId);
  workers.sort((a, b) => Number(owners.includes(b.id)) - Number(owners.includes(a.id)));
  const rows: Button[][] = workers.slice(0, 30).map((m) => [
    assignRequest.button(
      t(owners.includes(m.id) ? "owner.choice_owner" : "owner.choice", {
        name: m.name,
        role: kernel(`role.${m.role}`),
      }),
      { requestId: request.id, ownerId: m.id },
    ),
  ]);
  rows.push([viewRequest.button(kernel("action.back"), { requestId: request.id })]);
  tell(
    unit,
    actor,
    message([t("owner.pick", { id: request.id, category: categoryName(village, request.categoryId) })], rows),
  );
  return ok(request);
}

/** The secretary gives the request to a grid worker or secretary of the village. */
export async function assignRequestIn(
  unit: Unit,
  actor: Member,
  requestId: string,
  ownerId: string,
): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  if (!canAssign(actor, found.value)) return refuse("not_allowed");
  const owner = await unit.tx.get(Members, ownerId);
  if (owner === undefined || !canOwn(owner, found.value)) return refuse("no_such_owner");
  return giveTo(unit, actor, found.value, owner);
}

async function giveTo(
  unit: Unit,
  actor: Member,
  request: ServiceRequest,
  owner: Member,
): Promise<RequestResult> {
  const wasSubmitted = request.state === "submitted";
  const changed = transitions.transfer(request, actor.id, owner.id, "", unit.now);
  if (!changed.ok) return changed;
  const next = changed.value;
  unit.tx.put(Requests, next);
  const resolve = formatLocal(new Date(next.resolveBy), unit.deps.calendar.timeZone);
  const params = { id: next.id, owner: owner.name, resolve };
  const lead = (member: Member) => {
    if (member.id === owner.id) {
      if (actor.id === owner.id) return t("notify.taken_you", params);
      return t(wasSubmitted ? "notify.assigned_you" : "notify.transferred_you", params);
    }
    if (actor.id === owner.id) return t("notify.taken", params);
    return t(wasSubmitted ? "notify.assigned" : "notify.transferred", params);
  };
  const secretaries = (await secretariesOf(unit, next.villageId)).map((m) => m.id);
  const audience = [...parties(next), owner.id, actor.id, ...(actor.id === owner.id ? secretaries : [])];
  await tellEach(unit, next, audience, lead, new Set([owner.id]));
  return ok(next);
}

export type NoteKind = "progress" | "resolve" | "extend" | "decline";

/** A decline reason is the secretary's to write; the other notes are for whoever works on the request. */
function mayWriteNote(actor: Member, request: ServiceRequest, kind: NoteKind): boolean {
  return kind === "decline" ? canDecline(actor, request) : canWorkOn(actor, request);
}

/** Whether the actor may write this note on the request now: asked before the prompt and again on the answer. */
export function checkNote(
  unit: Unit,
  actor: Member,
  request: ServiceRequest,
  kind: NoteKind,
): Result<ServiceRequest, RequestRefusal> {
  if (!mayWriteNote(actor, request, kind)) return refuse("not_allowed");
  const trial =
    kind === "progress"
      ? transitions.addProgress(request, actor.id, "-", unit.now)
      : kind === "resolve"
        ? transitions.resolve(request, actor.id, "-", unit.now)
        : kind === "extend"
          ? transitions.extend(request, actor.id, "-", unit.now, deadlinesOf(unit.deps))
          : transitions.decline(request, actor.id, "-", unit.now);
  return trial.ok ? ok(request) : trial;
}

/** Applies an owner's or secretary's typed note: progress, resolution, extension reason or decline reason. */
export async function noteIn(
  unit: Unit,
  actor: Member,
  requestId: string,
  kind: NoteKind,
  note: string,
  attachments: readonly Attachment[] = [],
): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  const request = found.value;
  if (!mayWriteNote(actor, request, kind)) return refuse("not_allowed");
  if (note.length > MAX_NOTE_TEXT) return refuse("text_too_long", { max: MAX_NOTE_TEXT });
  const said = note.trim();
  const changed =
    kind === "progress"
      ? transitions.addProgress(request, actor.id, said, unit.now, attachments)
      : kind === "resolve"
        ? transitions.resolve(request, actor.id, said, unit.now, attachments)
        : kind === "extend"
          ? transitions.extend(request, actor.id, said, unit.now, deadlinesOf(unit.deps))
          : transitions.decline(request, actor.id, said, unit.now);
  if (!changed.ok) return changed;
  const next = changed.value;
  unit.tx.put(Requests, next);
  const params = { id: next.id, note: said };
  const resolve = formatLocal(new Date(next.resolveBy), unit.deps.calendar.timeZone);
  const isParty = (member: Member) => member.id === next.requesterId || member.id === next.filedById;
  const lead = (member: Member): Text => {
    if (kind === "progress") return t("notify.progress", params);
    if (kind === "extend") return t("notify.extended", { ...params, resolve });
    const forParty = isParty(member) && !canWorkOn(member, next);
    if (kind === "resolve") return t(forParty ? "notify.resolved_party" : "notify.resolved_worker", params);
    return t(forParty ? "notify.declined_party" : "notify.declined_worker", params);
  };
  const audience = [...parties(next), actor.id];
  if (next.ownerId !== undefined) audience.push(next.ownerId);
  const withMedia = new Set(attachments.length > 0 ? parties(next) : []);
  await tellEach(unit, next, audience, lead, withMedia);
  return ok(next);
}

/** Whether the actor may rate it now (a 不满意 is asked for a reason first). */
export function checkRating(
  unit: Unit,
  actor: Member,
  request: ServiceRequest,
): Result<ServiceRequest, RequestRefusal> {
  if (!canRate(actor, request)) return refuse("not_allowed");
  const trial = transitions.rate(request, actor.id, "not_satisfied", "-", unit.now, deadlinesOf(unit.deps));
  return trial.ok ? ok(request) : trial;
}

export async function rateRequestIn(
  unit: Unit,
  actor: Member,
  requestId: string,
  rating: Rating,
  reason: string | undefined,
): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  if (!canRate(actor, found.value)) return refuse("not_allowed");
  if (reason !== undefined && reason.length > MAX_NOTE_TEXT)
    return refuse("text_too_long", { max: MAX_NOTE_TEXT });
  const changed = transitions.rate(
    found.value,
    actor.id,
    rating,
    reason?.trim(),
    unit.now,
    deadlinesOf(unit.deps),
  );
  if (!changed.ok) return changed;
  const next = changed.value;
  unit.tx.put(Requests, next);
  const names = await namesFor(unit, next);
  const note = reason?.trim() ?? "";
  const reopened = rating === "not_satisfied";
  const secretaries = reopened ? (await secretariesOf(unit, next.villageId)).map((m) => m.id) : [];
  const lead = (member: Member): Text => {
    if (!reopened) return t("notify.rated", { id: next.id, rating: t(`rating.${rating}`) });
    if (secretaries.includes(member.id) && member.id !== next.ownerId)
      return t("notify.reopened_secretary", {
        id: next.id,
        note,
        owner: names.get(next.ownerId ?? "") ?? t("owner.nobody"),
      });
    return t("notify.reopened", { id: next.id, note });
  };
  const audience = [...parties(next), ...secretaries];
  if (next.ownerId !== undefined) audience.push(next.ownerId);
  await tellEach(unit, next, audience, lead);
  return ok(next);
}

/** Whether the actor may merge this request into another (asked before the number is typed). */
export function checkMerge(
  unit: Unit,
  actor: Member,
  request: ServiceRequest,
): Result<ServiceRequest, RequestRefusal> {
  if (!canMerge(actor, request)) return refuse("not_allowed");
  const trial = transitions.merge(request, { ...request, id: "" }, actor.id, unit.now);
  return trial.ok ? ok(request) : trial;
}

export async function mergeRequestIn(
  unit: Unit,
  actor: Member,
  requestId: string,
  targetId: string,
): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  if (!canMerge(actor, found.value)) return refuse("not_allowed");
  const typed = transitions.parseTrackingNumber(targetId) ?? targetId.trim();
  const target = await visibleRequest(unit, actor, typed);
  if (!target.ok) return target;
  const changed = transitions.merge(found.value, target.value, actor.id, unit.now);
  if (!changed.ok) return changed;
  const { duplicate, target: carriedOn } = changed.value;
  unit.tx.put(Requests, duplicate);
  unit.tx.put(Requests, carriedOn);
  await tellEach(unit, duplicate, [...parties(duplicate), actor.id], () =>
    t("notify.merged", { id: duplicate.id, target: carriedOn.id }),
  );
  return ok(duplicate);
}

export const PAGE_SIZE = 10;

function page<T>(list: readonly T[], wanted: number): { items: T[]; page: number; pages: number } {
  const pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
  const at = Math.min(Math.max(wanted, 0), pages - 1);
  return { items: list.slice(at * PAGE_SIZE, (at + 1) * PAGE_SIZE), page: at, pages };
}

function newestFirst(a: ServiceRequest, b: ServiceRequest): number {
  return b.createdAt.localeCompare(a.createdAt) || b.seq - a.seq;
}

function pager(current: number, pages: number, button: (page: number, label: Text) => Button): Button[][] {
  const row: Button[] = [];
  if (current > 0) row.push(button(current - 1, t("page.newer")));
  if (current < pages - 1) row.push(button(current + 1, t("page.older")));
  return row.length === 0 ? [] : [row];
}

/** A page of the person's own requests (filed by or for them), newest first, and how many there are. */
async function myRequestsView(
  unit: Unit,
  actor: Member,
  village: Village,
  wanted: number,
): Promise<{ view: OutgoingMessage; count: number }> {
  const mine = await unit.tx.find(Requests, "requester", `${village.id}/${actor.id}`);
  mine.sort(newestFirst);
  const shown = page(mine, wanted);
  const title =
    mine.length === 0
      ? t("my.none")
      : t("my.title", { count: mine.length, page: shown.page + 1, pages: shown.pages });
  const rows = pager(shown.page, shown.pages, (to, label) => myRequests.button(label, { page: to }));
  return { view: requestList(shown.items, village, unit.now, title, rows), count: mine.length };
}

/** The person's own requests (filed by or for them), newest first, a page at a time. */
export async function myRequestsIn(
  unit: Unit,
  actor: Member,
  village: Village,
  wanted: number,
): Promise<Result<number, never>> {
  const { view, count } = await myRequestsView(unit, actor, village, wanted);
  tell(unit, actor, view);
  return ok(count);
}

/** Open requests a worker should act on, reddest first: the secretary's all, a grid worker's own and those they may take. */
async function workListView(
  unit: Unit,
  actor: Member,
  village: Village,
): Promise<{ view: OutgoingMessage; count: number }> {
  const open = (await unit.tx.find(Requests, "active", village.id)).filter(
    (r) =>
      isOpen(r) &&
      (isSecretary(actor) ||
        r.ownerId === actor.id ||
        (r.state === "submitted" && canTake(actor, r, village))),
  );
  open.sort(
    (a, b) =>
      lightSeverity(trafficLight(b, unit.now)) - lightSeverity(trafficLight(a, unit.now)) ||
      newestFirst(a, b),
  );
  const title = open.length === 0 ? t("work.none") : t("work.title", { count: open.length });
  return { view: requestList(open.slice(0, 20), village, unit.now, title), count: open.length };
}

/** Open requests a worker should act on (see `workListView`). */
export async function workListIn(
  unit: Unit,
  actor: Member,
  village: Village,
): Promise<Result<number, "not_allowed">> {
  if (!isWorker(actor)) return refuse("not_allowed");
  const { view, count } = await workListView(unit, actor, village);
  tell(unit, actor, view);
  return ok(count);
}

/** What the person has here: their latest requests and, for a worker, the open ones to act on. */
export async function requestsHome(unit: Unit, actor: Member, village: Village): Promise<OutgoingMessage> {
  const mine = await myRequestsView(unit, actor, village, 0);
  if (!isWorker(actor)) return mine.view;
  const work = await workListView(unit, actor, village);
  return {
    lines: [...mine.view.lines, ...work.view.lines],
    buttons: [...(mine.view.buttons ?? []), ...(work.view.buttons ?? [])],
  };
}

const FILTERS: Record<LedgerFilter, (request: ServiceRequest) => boolean> = {
  all: () => true,
  open: isOpen,
  resolved: (request) => request.state === "resolved",
  rated: (request) => request.state === "rated",
  closed: (request) => request.state === "declined" || request.state === "merged",
};

/** The secretary's ledger (台账): every request of a period, filtered by state, a page at a time. */
export async function ledgerIn(
  unit: Unit,
  actor: Member,
  village: Village,
  choice: { filter: LedgerFilter; period: LedgerPeriod; page: number },
): Promise<Result<number, "not_allowed">> {
  if (!isSecretary(actor) || actor.villageId !== village.id) return refuse("not_allowed");
  const tz = unit.deps.calendar.timeZone;
  const today = localParts(unit.now, tz);
  const lastMonth =
    today.month === 1 ? { year: today.year - 1, month: 12 } : { year: today.year, month: today.month - 1 };
  const wanted = choice.period === "last_month" ? lastMonth : { year: today.year, month: today.month };
  const inPeriod = (request: ServiceRequest) => {
    const created = localParts(new Date(request.createdAt), tz);
    return choice.period === "this_year"
      ? created.year === today.year
      : created.year === wanted.year && created.month === wanted.month;
  };
  const year = await unit.tx.find(Requests, "year", `${village.id}/${wanted.year}`);
  const list = year.filter((r) => inPeriod(r) && FILTERS[choice.filter](r)).sort(newestFirst);
  const shown = page(list, choice.page);
  const labels = { period: t(`ledger.${choice.period}`), filter: t(`ledger.${choice.filter}`) };
  const title =
    list.length === 0
      ? t("ledger.none", labels)
      : t("ledger.title", { ...labels, count: list.length, page: shown.page + 1, pages: shown.pages });
  const mark = (selected: boolean, label: Text) => (selected ? t("ledger.selected", { label }) : label);
  const periods: LedgerPeriod[] = ["this_month", "last_month", "this_year"];
  const filters: LedgerFilter[] = ["all", "open", "resolved", "rated", "closed"];
  const rows: Button[][] = [
    ...pager(shown.page, shown.pages, (to, label) => ledger.button(label, { ...choice, page: to })),
    periods.map((period) =>
      ledger.button(mark(period === choice.period, t(`ledger.${period}`)), { ...choice, period, page: 0 }),
    ),
    filters
      .slice(0, 3)
      .map((filter) =>
        ledger.button(mark(filter === choice.filter, t(`ledger.${filter}`)), { ...choice, filter, page: 0 }),
      ),
    filters
      .slice(3)
      .map((filter) =>
        ledger.button(mark(filter === choice.filter, t(`ledger.${filter}`)), { ...choice, filter, page: 0 }),
      ),
  ];
  tell(unit, actor, requestList(shown.items, village, unit.now, title, rows));
  return ok(list.length);
}

/** Counts for the group: open requests by light and those waiting for a rating, nothing about any person. */
export async function villageStats(unit: Unit, village: Village): Promise<OutgoingMessage> {
  const active = await unit.tx.find(Requests, "active", village.id);
  const counts = { green: 0, yellow: 0, red: 0, waiting: 0 };
  for (const request of active) {
    const light = trafficLight(request, unit.now);
    if (light === undefined) counts.waiting++;
    else counts[light]++;
  }
  return message([t("stats", { village: village.name, open: active.length - counts.waiting, ...counts })]);
}

/** Tells the secretaries and the owner once when an open request turns red; a new deadline may turn red again. */
export async function alertRed(deps: Deps): Promise<void> {
  const villages = await inUnit(deps, (unit) => unit.tx.all(Villages));
  for (const village of villages) {
    await inUnit(deps, async (unit) => {
      const secretaries = await secretariesOf(unit, village.id);
      for (const request of await unit.tx.find(Requests, "active", village.id)) {
        if (trafficLight(request, unit.now) !== "red") continue;
        const deadline =
          request.state === "submitted" &&
          request.respondedAt === undefined &&
          Date.parse(request.respondBy) < unit.now.getTime()
            ? request.respondBy
            : request.resolveBy;
        const owner = request.ownerId === undefined ? undefined : await unit.tx.get(Members, request.ownerId);
        const params = {
          id: request.id,
          category: categoryName(village, request.categoryId),
          owner: owner?.name ?? t("owner.nobody"),
        };
        if (await firstAlert(unit, village.id, `${request.id}:red:${deadline}`)) {
          const lead = (member: Member) =>
            t(member.id === owner?.id ? "notify.red_owner" : "notify.red", params);
          const audience = [...secretaries.map((m) => m.id), ...(owner === undefined ? [] : [owner.id])];
          await tellEach(unit, request, audience, lead, new Set(), village, REMINDER);
        }
        const escalateAt = townEscalationAt(new Date(deadline), unit.deps.calendar);
        const town = `${request.id}:town:${deadline}`;
        if (unit.now >= escalateAt && !(await alerted(unit, village.id, town))) {
          const zone = unit.deps.calendar.timeZone;
          const notice = t("notify.town", {
            ...params,
            days: TOWN_ESCALATION_WORKING_DAYS,
            village: village.name,
            deadline: formatLocal(new Date(deadline), zone),
          });
          // Recorded only once someone is told: a town with no chat and no supervisor yet hears of it when it has one.
          if (await tellTown(unit, village.townId, message([notice]), REMINDER))
            recordAlert(unit, village.id, town);
        }
      }
    });
  }
}

/** Whether the village's notice `id` was sent already (see `recordAlert`). */
async function alerted(unit: Unit, villageId: string, id: string): Promise<boolean> {
  return (await unit.tx.get(RequestAlerts, `${villageId}:${id}`)) !== undefined;
}

/** Records that the village's notice `id` went out, in the unit that queues it. */
function recordAlert(unit: Unit, villageId: string, id: string): void {
  unit.tx.put(RequestAlerts, { id: `${villageId}:${id}`, villageId, at: unit.now.toISOString() });
}

/** True the first time a notice is asked for under `id` (and records it), so a job sends each notice once. */
async function firstAlert(unit: Unit, villageId: string, id: string): Promise<boolean> {
  if (await alerted(unit, villageId, id)) return false;
  recordAlert(unit, villageId, id);
  return true;
}

/**
 * Once per deadline, when an open request turns yellow: its owner is reminded; with no owner yet, the
 * secretaries are asked to assign it.
 */
export async function remindYellow(deps: Deps): Promise<void> {
  const villages = await inUnit(deps, (unit) => unit.tx.all(Villages));
  for (const village of villages) {
    await inUnit(deps, async (unit) => {
      for (const request of await unit.tx.find(Requests, "active", village.id)) {
        if (trafficLight(request, unit.now) !== "yellow") continue;
        const deadline =
          request.state === "submitted" && request.respondedAt === undefined
            ? request.respondBy
            : request.resolveBy;
        if (!(await firstAlert(unit, village.id, `${request.id}:yellow:${deadline}`))) continue;
        const params = {
          id: request.id,
          category: categoryName(village, request.categoryId),
          deadline: formatLocal(new Date(deadline), unit.deps.calendar.timeZone),
        };
        const audience =
          request.ownerId === undefined
            ? (await secretariesOf(unit, village.id)).map((member) => member.id)
            : [request.ownerId];
        const lead = (member: Member) =>
          t(member.id === request.ownerId ? "notify.yellow_owner" : "notify.yellow", params);
        await tellEach(unit, request, audience, lead, new Set(), village, REMINDER);
      }
    });
  }
}

/** A request resolved a day ago and not rated: its villager (and whoever filed it for them) is asked once. */
export async function remindUnrated(deps: Deps): Promise<void> {
  const villages = await inUnit(deps, (unit) => unit.tx.all(Villages));
  for (const village of villages) {
    await inUnit(deps, async (unit) => {
      for (const request of await unit.tx.find(Requests, "active", village.id)) {
        if (request.state !== "resolved" || request.resolvedAt === undefined) continue;
        if (unit.now.getTime() - Date.parse(request.resolvedAt) < RATE_REMINDER_AFTER_MS) continue;
        if (!(await firstAlert(unit, village.id, `${request.id}:rate:${request.resolvedAt}`))) continue;
        const lead = () => t("notify.rate_reminder", { id: request.id });
        await tellEach(unit, request, parties(request), lead, new Set(), village, REMINDER);
      }
    });
  }
}

/** A resolved request not rated after this long gets one reminder. */
export const RATE_REMINDER_AFTER_MS = 24 * 3_600_000;

/** Tells each village's secretaries once a year when the working-day calendar lacks this year (or, from December, next year). */
export async function warnCalendarGaps(deps: Deps): Promise<void> {
  const gaps = calendarGaps(deps.calendar, localDate(deps.clock.now(), deps.calendar.timeZone));
  if (gaps.length === 0) return;
  await inUnit(deps, async (unit) => {
    for (const village of await unit.tx.all(Villages)) {
      for (const year of gaps) {
        if (!(await firstAlert(unit, village.id, `calendar:${year}`))) continue;
        for (const secretary of await secretariesOf(unit, village.id)) {
          tell(unit, secretary, message([t("calendar.gap", { year })]), REMINDER);
        }
      }
    }
  });
}
