import { trafficLight } from "../domain/deadlines.js";
import type { Category, ChannelName, Identity, Language, Member, Town, Village } from "../domain/model.js";
import { isSecretary } from "../domain/permissions.js";
import { ok, type Result, refuse } from "../domain/result.js";
import { tell, tellGroup, type Unit } from "./deps.js";
import { button, message, t } from "./messages.js";
import { mainMenu } from "./views.js";

export type SetupRefusal =
  | "already_member"
  | "no_such_village"
  | "not_allowed"
  | "name_invalid"
  | "code_invalid"
  | "code_taken";

export const DEFAULT_CATEGORIES: Category[] = [
  { id: "roads", name: { "zh-CN": "道路交通", en: "Roads" }, deadlineClass: "complex", ownerIds: [] },
  { id: "water", name: { "zh-CN": "供水排水", en: "Water" }, deadlineClass: "general", ownerIds: [] },
  { id: "power", name: { "zh-CN": "电力路灯", en: "Power & lamps" }, deadlineClass: "general", ownerIds: [] },
  {
    id: "sanitation",
    name: { "zh-CN": "环境卫生", en: "Sanitation" },
    deadlineClass: "general",
    ownerIds: [],
  },
  {
    id: "elderly",
    name: { "zh-CN": "养老助老", en: "Elderly care" },
    deadlineClass: "general",
    ownerIds: [],
  },
  {
    id: "policy",
    name: { "zh-CN": "政策补贴", en: "Policy & subsidies" },
    deadlineClass: "general",
    ownerIds: [],
  },
  { id: "safety", name: { "zh-CN": "安全隐患", en: "Safety hazard" }, deadlineClass: "urgent", ownerIds: [] },
  { id: "other", name: { "zh-CN": "其他", en: "Other" }, deadlineClass: "general", ownerIds: [] },
];

export interface NewVillage {
  townName: string;
  villageName: string;
  code: string;
  secretaryName: string;
  identity?: Identity;
  language: Language;
}

const PLACE_NAME = /^[^\n\r]{1,60}$/;

/** Creates a village (and its town when new); whoever sets it up becomes its first secretary. */
export async function setupVillageIn(
  unit: Unit,
  input: NewVillage,
): Promise<Result<{ village: Village; secretary: Member }, SetupRefusal>> {
  const townName = input.townName.trim();
  const villageName = input.villageName.trim();
  const code = input.code.trim().toUpperCase();
  if (!PLACE_NAME.test(townName) || !PLACE_NAME.test(villageName) || input.secretaryName.trim() === "") {
    return refuse("name_invalid");
  }
  if (!/^[A-Z]{2,4}$/.test(code)) return refuse("code_invalid");
  if (input.identity !== undefined && (await unit.tx.findMemberByIdentity(input.identity)) !== undefined) {
    return refuse("already_member");
  }
  const villages = await unit.tx.listVillages();
  if (villages.some((v) => v.code === code)) return refuse("code_taken", { code });
  let town = (await unit.tx.listTowns()).find((candidate) => candidate.name === townName);
  if (town === undefined) {
    town = { id: await unit.tx.nextId("town"), name: townName, supervisors: [] } satisfies Town;
    unit.tx.putTown(town);
  }
  const village: Village = {
    id: await unit.tx.nextId("village"),
    townId: town.id,
    name: villageName,
    code,
    language: input.language,
    categories: DEFAULT_CATEGORIES,
    createdAt: unit.now.toISOString(),
  };
  unit.tx.putVillage(village);
  const secretary: Member = {
    id: await unit.tx.nextId("member"),
    villageId: village.id,
    name: input.secretaryName.trim().slice(0, 40),
    role: "secretary",
    identities: input.identity === undefined ? [] : [input.identity],
    language: input.language,
    active: true,
  };
  if (input.identity !== undefined) secretary.lastChannel = input.identity.channel;
  unit.tx.putMember(secretary);
  const next = input.identity === undefined ? "setup.done_local" : "setup.done";
  tell(unit, secretary, mainMenu(secretary, village, t(next, { village: village.name, code })));
  return ok({ village, secretary });
}

/** Someone the channel has checked is in the village's group joins its roster as a villager. */
export async function joinVillageIn(
  unit: Unit,
  identity: Identity,
  villageId: string,
  name: string,
  language: Language,
): Promise<Result<Member, SetupRefusal>> {
  const village = await unit.tx.getVillage(villageId);
  if (village === undefined) return refuse("no_such_village");
  const existing = await unit.tx.findMemberByIdentity(identity);
  if (existing !== undefined) {
    const existingVillage = await unit.tx.getVillage(existing.villageId);
    if (existingVillage !== undefined)
      tell(unit, existing, mainMenu(existing, existingVillage, t("join.welcome_back")));
    return ok(existing);
  }
  const member: Member = {
    id: await unit.tx.nextId("member"),
    villageId,
    name: name.trim().slice(0, 40) || "村民",
    role: "villager",
    identities: [identity],
    lastChannel: identity.channel,
    language,
    active: true,
  };
  unit.tx.putMember(member);
  tell(unit, member, mainMenu(member, village, t("join.welcome", { village: village.name })));
  return ok(member);
}

/** A secretary binds a group chat to their village; the group gets a welcome with a button to send requests. */
export async function bindGroupIn(
  unit: Unit,
  actor: Member,
  channel: ChannelName,
  chatId: string,
): Promise<Result<Village, SetupRefusal>> {
  if (!isSecretary(actor)) return refuse("not_allowed");
  const village = await unit.tx.getVillage(actor.villageId);
  if (village === undefined) return refuse("no_such_village");
  unit.tx.putBinding({
    channel,
    chatId,
    villageId: village.id,
    boundAt: unit.now.toISOString(),
    boundBy: actor.id,
  });
  await tellGroup(unit, village.id, groupWelcome(village));
  return ok(village);
}

export function groupWelcome(village: Village) {
  return message(
    [t("group.welcome", { village: village.name })],
    [[button("group.open_private", { type: "open_private", villageId: village.id })]],
  );
}

/** Counts for the group: open requests by light, nothing about any person. */
export async function villageStats(unit: Unit, village: Village) {
  const active = await unit.tx.listActiveRequests(village.id);
  const counts = { green: 0, yellow: 0, red: 0, waiting: 0 };
  for (const request of active) {
    const light = trafficLight(request, unit.now);
    if (light === undefined) counts.waiting++;
    else counts[light]++;
  }
  return message(
    [t("group.stats", { village: village.name, open: active.length - counts.waiting, ...counts })],
    [[button("group.open_private", { type: "open_private", villageId: village.id })]],
  );
}
