import type { Member, ServiceRequest, Town, Village } from "./model.js";

/** Every rule about who may do what, in one place: use cases enforce them, menus and cards follow them. */

export function isSecretary(member: Member): boolean {
  return member.active && member.role === "secretary";
}

/** Grid workers and secretaries work on requests. */
export function isWorker(member: Member): boolean {
  return member.active && (member.role === "grid_worker" || member.role === "secretary");
}

function inVillage(member: Member, villageId: string): boolean {
  return member.active && member.villageId === villageId;
}

export function isParty(member: Member, request: ServiceRequest): boolean {
  return member.id === request.requesterId || member.id === request.filedById;
}

/** The villager, whoever filed it for them, and the village's workers see a request. */
export function canSee(member: Member, request: ServiceRequest): boolean {
  return inVillage(member, request.villageId) && (isParty(member, request) || isWorker(member));
}

/** A grid worker files for a villager (代办); anyone files for themselves. */
export function canFileFor(filer: Member, requester: Member): boolean {
  if (!inVillage(requester, filer.villageId) || !filer.active) return false;
  return filer.id === requester.id || isWorker(filer);
}

/** A grid worker takes (接单) a request of a category they own, or of one nobody owns. */
export function canTake(member: Member, request: ServiceRequest, village: Village): boolean {
  if (!inVillage(member, request.villageId) || member.role !== "grid_worker") return false;
  const owners = village.categories.find((category) => category.id === request.categoryId)?.ownerIds ?? [];
  return owners.length === 0 || owners.includes(member.id);
}

/** The secretary assigns (派单) and reassigns (转办). */
export function canAssign(member: Member, request: ServiceRequest): boolean {
  return isSecretary(member) && member.villageId === request.villageId;
}

/** Who may be given a request: the village's grid workers and secretaries. */
export function canOwn(member: Member, request: ServiceRequest): boolean {
  return isWorker(member) && member.villageId === request.villageId;
}

/** The owner works on a request (progress, resolve, extend); a secretary may step in for any owner. */
export function canWorkOn(member: Member, request: ServiceRequest): boolean {
  if (!inVillage(member, request.villageId)) return false;
  return isSecretary(member) || (member.role === "grid_worker" && request.ownerId === member.id);
}

/** Only the secretary declines a request or merges a duplicate. */
export function canDecline(member: Member, request: ServiceRequest): boolean {
  return isSecretary(member) && member.villageId === request.villageId;
}

export const canMerge = canDecline;

/**
 * The villager rates; whoever filed it for them may rate on their behalf, unless they worked on it
 * themselves (a worker must not rate their own work).
 */
export function canRate(member: Member, request: ServiceRequest): boolean {
  if (!inVillage(member, request.villageId)) return false;
  if (member.id === request.requesterId) return true;
  if (member.id !== request.filedById) return false;
  const worked = request.timeline.some(
    (entry) => entry.by === member.id && (entry.action === "resolved" || entry.action === "progress"),
  );
  return request.ownerId !== member.id && !worked;
}

/** The secretary keeps the roster. */
export function canManageRoster(member: Member): boolean {
  return isSecretary(member);
}

/** The roster keeps at least one secretary. */
export function leavesASecretary(
  members: readonly Member[],
  changed: Member,
  next: Member | undefined,
): boolean {
  if (!isSecretary(changed) || (next !== undefined && isSecretary(next))) return true;
  return members.some((member) => member.id !== changed.id && isSecretary(member));
}

/** A secretary binds a group to their village, unless it is bound to another village. */
export function canBindGroup(member: Member, boundTo: string | undefined): boolean {
  return isSecretary(member) && (boundTo === undefined || boundTo === member.villageId);
}

/** The bound village's secretary releases its group. */
export function canReleaseGroup(member: Member, boundTo: string): boolean {
  return isSecretary(member) && member.villageId === boundTo;
}

/** The village's secretary steers its deliberation: the agenda, polls, meetings and decisions. */
export function canConvene(member: Member, villageId: string): boolean {
  return isSecretary(member) && member.villageId === villageId;
}

/** Members of the village take part: propose, support, vote. */
export function canTakePart(member: Member, villageId: string): boolean {
  return inVillage(member, villageId);
}

/** A town's supervisor, named by a secretary or another supervisor of the town. */
export function isTownSupervisor(member: Member, town: Town): boolean {
  return member.active && town.supervisors.some((supervisor) => supervisor.id === member.id);
}

/**
 * Who runs a town's side: its supervisors, and the secretaries of its villages (a town starts with none but
 * them). They bind the town's chat, name supervisors and choose how satisfaction is counted.
 */
export function canManageTown(member: Member, memberVillage: Village, town: Town): boolean {
  if (isTownSupervisor(member, town)) return true;
  return isSecretary(member) && member.villageId === memberVillage.id && memberVillage.townId === town.id;
}
