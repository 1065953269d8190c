import { formatLocal } from "../domain/calendar.js";
import type {
  Attachment,
  GeoPoint,
  Member,
  Rating,
  RequestKind,
  ServiceRequest,
  Village,
} from "../domain/model.js";
import { MAX_NOTE_TEXT, MAX_REQUEST_TEXT } from "../domain/model.js";
import { canRate, canSee, canWorkOn, isSecretary, isWorker } from "../domain/permissions.js";
import * as transitions from "../domain/request.js";
import { ok, type Result, refuse } from "../domain/result.js";
import { type Deps, deadlinesOf, tell, type Unit } from "./deps.js";
import { type Button, button, message, type Text, t } from "./messages.js";
import { type CardContext, categoryName, requestCard } from "./views.js";

export type RequestUseCaseRefusal =
  | transitions.RequestRefusal
  | "no_such_request"
  | "not_allowed"
  | "no_such_owner"
  | "no_such_category"
  | "text_too_long"
  | "text_required"
  | "no_such_village";

export type RequestResult = Result<ServiceRequest, RequestUseCaseRefusal>;

export async function namesOf(unit: Unit, villageId: string): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const member of await unit.tx.listMembers(villageId)) names.set(member.id, member.name);
  return names;
}

export async function cardContext(unit: Unit, village: Village, viewer: Member): Promise<CardContext> {
  return {
    village,
    viewer,
    names: await namesOf(unit, village.id),
    now: unit.now,
    timeZone: unit.deps.calendar.timeZone,
  };
}

async function villageOf(unit: Unit, villageId: string): Promise<Village> {
  const village = await unit.tx.getVillage(villageId);
  if (village === undefined) throw new Error(`village ${villageId} missing for a stored member or request`);
  return village;
}

/** Sends the request's card to each person, each seeing their own buttons. */
async function tellEach(
  unit: Unit,
  request: ServiceRequest,
  memberIds: Iterable<string>,
  lead: Text,
  withMedia: ReadonlySet<string> = new Set(),
): Promise<void> {
  const village = await villageOf(unit, request.villageId);
  const names = await namesOf(unit, village.id);
  for (const memberId of new Set(memberIds)) {
    const member = await unit.tx.getMember(memberId);
    if (member === undefined || !member.active) continue;
    tell(
      unit,
      member,
      requestCard(
        request,
        {
          village,
          viewer: member,
          names,
          now: unit.now,
          timeZone: unit.deps.calendar.timeZone,
          withMedia: withMedia.has(member.id),
        },
        lead,
      ),
    );
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
  channel: ServiceRequest["channel"];
}

export async function submitRequestIn(unit: Unit, input: SubmitRequestInput): Promise<RequestResult> {
  const village = await unit.tx.getVillage(input.villageId);
  if (village === undefined) return refuse("no_such_village");
  const category = village.categories.find((c) => c.id === input.categoryId);
  if (category === undefined) return refuse("no_such_category");
  const requester = await unit.tx.getMember(input.requesterId);
  const filer = await unit.tx.getMember(input.filedById);
  if (requester === undefined || filer === undefined || !requester.active || !filer.active)
    return refuse("not_allowed");
  if (requester.villageId !== village.id || filer.villageId !== village.id) return refuse("not_allowed");
  if (requester.id !== filer.id && !isWorker(filer)) return refuse("not_allowed");
  if (input.text.length > MAX_REQUEST_TEXT) return refuse("text_too_long", { max: MAX_REQUEST_TEXT });
  if (input.text.trim() === "" && !input.attachments.some((a) => a.type === "voice"))
    return refuse("text_required");
  const year = Number(formatLocal(unit.now, unit.deps.calendar.timeZone).slice(0, 4));
  const seq = await unit.tx.nextRequestSeq(village.id, year);
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
  unit.tx.putRequest(request);
  const tz = unit.deps.calendar.timeZone;
  const receipt = t("submit.receipt", {
    id: request.id,
    respond: formatLocal(new Date(request.respondBy), tz),
    resolve: formatLocal(new Date(request.resolveBy), tz),
  });
  await tellEach(unit, request, parties(request), receipt);
  const workers = (await unit.tx.listMembers(village.id)).filter(
    (m) => isSecretary(m) || (m.role === "grid_worker" && m.active && category.ownerIds.includes(m.id)),
  );
  const workerIds = workers.map((m) => m.id).filter((id) => id !== filer.id);
  const lead = t("notify.new_request", { id: request.id, category: category.name });
  await tellEach(unit, request, workerIds, lead, new Set(workerIds));
  return ok(request);
}

/** Loads a request the actor may see; anyone else is told it does not exist. */
async function visibleRequest(unit: Unit, actor: Member, requestId: string): Promise<RequestResult> {
  const request = await unit.tx.getRequest(requestId);
  if (request === undefined || !canSee(actor, request)) return refuse("no_such_request", { id: requestId });
  return ok(request);
}

export async function viewRequestIn(unit: Unit, actor: Member, requestId: string): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  const village = await villageOf(unit, found.value.villageId);
  tell(
    unit,
    actor,
    requestCard(found.value, { ...(await cardContext(unit, village, actor)), withMedia: true }),
  );
  return found;
}

/** A grid worker takes a request; a secretary is first asked whom to give it to. */
export async function acceptRequestIn(unit: Unit, actor: Member, requestId: string): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  if (!isWorker(actor)) return refuse("not_allowed");
  if (isSecretary(actor)) return askForOwner(unit, actor, found.value);
  const village = await villageOf(unit, found.value.villageId);
  const owners = village.categories.find((c) => c.id === found.value.categoryId)?.ownerIds ?? [];
  if (owners.length > 0 && !owners.includes(actor.id)) return refuse("not_allowed");
  return assignIn(unit, actor, found.value, actor.id);
}

async function askForOwner(unit: Unit, actor: Member, request: ServiceRequest): Promise<RequestResult> {
  if (request.state !== "submitted" && request.state !== "accepted" && request.state !== "in_progress") {
    return refuse("not_open");
  }
  const village = await villageOf(unit, request.villageId);
  const owners = village.categories.find((c) => c.id === request.categoryId)?.ownerIds ?? [];
  const workers = (await unit.tx.listMembers(village.id)).filter(
    (m) => isWorker(m) && m.id !== request.ownerId,
  );
  workers.sort((a, b) => Number(owners.includes(b.id)) - Number(owners.includes(a.id)));
  const rows: Button[][] = workers.slice(0, 30).map((m) => [
    {
      label: t(owners.includes(m.id) ? "owner.choice_owner" : "owner.choice", {
        name: m.name,
        role: t(`role.${m.role}`),
      }),
      action: { type: "assign", requestId: request.id, ownerId: m.id },
    },
  ]);
  rows.push([button("action.back", { type: "view", requestId: request.id })]);
  tell(
    unit,
    actor,
    message([t("owner.pick", { id: request.id, category: categoryName(village, request.categoryId) })], rows),
  );
  return ok(request);
}

export async function transferRequestIn(
  unit: Unit,
  actor: Member,
  requestId: string,
): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  if (!isSecretary(actor)) return refuse("not_allowed");
  return askForOwner(unit, actor, found.value);
}

export async function assignRequestIn(
  unit: Unit,
  actor: Member,
  requestId: string,
  ownerId: string,
): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  if (!isSecretary(actor)) return refuse("not_allowed");
  return assignIn(unit, actor, found.value, ownerId);
}

async function assignIn(
  unit: Unit,
  actor: Member,
  request: ServiceRequest,
  ownerId: string,
): Promise<RequestResult> {
  const owner = await unit.tx.getMember(ownerId);
  if (owner === undefined || !isWorker(owner) || owner.villageId !== request.villageId)
    return refuse("no_such_owner");
  const wasSubmitted = request.state === "submitted";
  const changed = transitions.transfer(request, actor.id, owner.id, "", unit.now);
  if (!changed.ok) return changed;
  const next = changed.value;
  unit.tx.putRequest(next);
  const lead = wasSubmitted
    ? t("notify.accepted", { id: next.id, owner: owner.name })
    : t("notify.transferred", { id: next.id, owner: owner.name });
  await tellEach(unit, next, [...parties(next), owner.id, actor.id], lead, new Set([owner.id]));
  return ok(next);
}

export type NoteKind = "progress" | "resolve" | "extend" | "decline";

/** Applies an owner's or secretary's typed note: progress, resolution, extension reason or decline reason. */
export async function noteIn(
  unit: Unit,
  actor: Member,
  requestId: string,
  kind: NoteKind,
  note: string,
): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  const request = found.value;
  const allowed =
    kind === "decline"
      ? isSecretary(actor) && actor.villageId === request.villageId
      : canWorkOn(actor, request);
  if (!allowed) return refuse("not_allowed");
  if (note.length > MAX_NOTE_TEXT) return refuse("text_too_long", { max: MAX_NOTE_TEXT });
  const text = note.trim();
  const changed =
    kind === "progress"
      ? transitions.addProgress(request, actor.id, text, unit.now)
      : kind === "resolve"
        ? transitions.resolve(request, actor.id, text, unit.now)
        : kind === "extend"
          ? transitions.extend(request, actor.id, text, unit.now, deadlinesOf(unit.deps))
          : transitions.decline(request, actor.id, text, unit.now);
  if (!changed.ok) return changed;
  const next = changed.value;
  unit.tx.putRequest(next);
  const lead = {
    progress: t("notify.progress", { id: next.id, note: text }),
    resolve: t("notify.resolved", { id: next.id, note: text }),
    extend: t("notify.extended", {
      id: next.id,
      note: text,
      resolve: formatLocal(new Date(next.resolveBy), unit.deps.calendar.timeZone),
    }),
    decline: t("notify.declined", { id: next.id, note: text }),
  }[kind];
  const audience = [...parties(next), actor.id];
  if (next.ownerId !== undefined) audience.push(next.ownerId);
  await tellEach(unit, next, audience, lead);
  return ok(next);
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
  unit.tx.putRequest(next);
  const lead =
    rating === "not_satisfied"
      ? t("notify.reopened", { id: next.id, note: reason?.trim() ?? "" })
      : t("notify.rated", { id: next.id, rating: t(`rating.${rating}`) });
  const audience = [...parties(next)];
  if (next.ownerId !== undefined) audience.push(next.ownerId);
  await tellEach(unit, next, audience, lead);
  return ok(next);
}

export async function mergeRequestIn(
  unit: Unit,
  actor: Member,
  requestId: string,
  targetId: string,
): Promise<RequestResult> {
  const found = await visibleRequest(unit, actor, requestId);
  if (!found.ok) return found;
  if (!isSecretary(actor)) return refuse("not_allowed");
  const target = await visibleRequest(unit, actor, targetId.trim().toUpperCase());
  if (!target.ok) return target;
  const changed = transitions.merge(found.value, target.value, actor.id, unit.now);
  if (!changed.ok) return changed;
  const { duplicate, target: carriedOn } = changed.value;
  unit.tx.putRequest(duplicate);
  unit.tx.putRequest(carriedOn);
  await tellEach(
    unit,
    duplicate,
    [...parties(duplicate), actor.id],
    t("notify.merged", { id: duplicate.id, target: carriedOn.id }),
  );
  return ok(duplicate);
}

/** Runs one request use case in its own unit of work, for scripts and tests that skip the chat. */
export async function inUnit<T>(deps: Deps, work: (unit: Unit) => Promise<T>): Promise<T> {
  return deps.store.transaction((tx) => work({ deps, tx, now: deps.clock.now() }));
}

export async function submitRequest(deps: Deps, input: SubmitRequestInput): Promise<RequestResult> {
  return inUnit(deps, (unit) => submitRequestIn(unit, input));
}
