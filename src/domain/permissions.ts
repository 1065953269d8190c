import type { Member, ServiceRequest } from "./model.js";

export function isSecretary(member: Member): boolean {
  return member.active && member.role === "secretary";
}

/** Grid workers and secretaries take, work on and resolve requests. */
export function isWorker(member: Member): boolean {
  return member.active && (member.role === "grid_worker" || member.role === "secretary");
}

export function isParty(member: Member, request: ServiceRequest): boolean {
  return member.id === request.requesterId || member.id === request.filedById;
}

export function canSee(member: Member, request: ServiceRequest): boolean {
  if (!member.active || member.villageId !== request.villageId) return false;
  return isParty(member, request) || isWorker(member);
}

/** The owner works on a request; a secretary may step in for any owner. */
export function canWorkOn(member: Member, request: ServiceRequest): boolean {
  if (!member.active || member.villageId !== request.villageId) return false;
  return isSecretary(member) || (member.role === "grid_worker" && request.ownerId === member.id);
}

/** Who may rate: the villager, or the grid worker who filed it on their behalf. */
export function canRate(member: Member, request: ServiceRequest): boolean {
  return member.active && member.villageId === request.villageId && isParty(member, request);
}
