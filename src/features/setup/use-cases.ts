import { tell, tellGroup, type Unit } from "../../app/deps.js";
import { message, type OutgoingMessage, type Text } from "../../app/messages.js";
import { Bindings, bindingKey, Members, TownBindings, Towns, Villages } from "../../app/tables.js";
import { TOWN_ESCALATION_WORKING_DAYS } from "../../domain/deadlines.js";
import type { Category, ChannelName, Identity, Language, Member, Town, Village } from "../../domain/model.js";
import { displayName, MAX_PERSON_NAME, MAX_PLACE_NAME, validName } from "../../domain/names.js";
import { canBindGroup, canManageTown, canReleaseGroup } from "../../domain/permissions.js";
import { ok, type Result, refuse } from "../../domain/result.js";
import type { MonthlyTime } from "../../domain/tally.js";
import { sendRequestButton } from "../intake/index.js";
import { text } from "./i18n.js";

const { t } = text;

export type SetupRefusal =
  | "already_member"
  | "no_such_village"
  | "not_allowed"
  | "place_name_invalid"
  | "person_name_invalid"
  | "code_invalid"
  | "code_taken"
  | "group_taken"
  | "group_not_bound"
  | "town_chat"
  | "not_town_manager";

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

export const CODE = /^[A-Z]{2,4}$/;

/** Creates a village (and its town when new); whoever sets it up becomes its first secretary. */
export async function setupVillageIn(
  unit: Unit,
  input: NewVillage,
  menuFor: (member: Member, village: Village, lead: Text) => OutgoingMessage,
): Promise<Result<{ village: Village; secretary: Member }, SetupRefusal>> {
  const townName = validName(input.townName, MAX_PLACE_NAME);
  const villageName = validName(input.villageName, MAX_PLACE_NAME);
  const secretaryName = validName(input.secretaryName, MAX_PERSON_NAME);
  if (townName === undefined || villageName === undefined)
    return refuse("place_name_invalid", { max: MAX_PLACE_NAME });
  if (secretaryName === undefined) return refuse("person_name_invalid", { max: MAX_PERSON_NAME });
  const code = input.code.trim().toUpperCase();
  if (!CODE.test(code)) return refuse("code_invalid");
  if (input.identity !== undefined && (await memberWith(unit, input.identity)) !== undefined) {
    return refuse("already_member", { village: villageName });
  }
  const villages = await unit.tx.all(Villages);
  if (villages.some((v) => v.code === code)) return refuse("code_taken", { code });
  let town = (await unit.tx.all(Towns)).find((candidate) => candidate.name === townName);
  if (town === undefined) {
    town = { id: await unit.tx.nextId(Towns), name: townName, supervisors: [] } satisfies Town;
    unit.tx.put(Towns, town);
  }
  const village: Village = {
    id: await unit.tx.nextId(Villages),
    townId: town.id,
    name: villageName,
    code,
    language: input.language,
    categories: DEFAULT_CATEGORIES,
    createdAt: unit.now.toISOString(),
  };
  unit.tx.put(Villages, village);
  const secretary: Member = {
    id: await unit.tx.nextId(Members),
    villageId: village.id,
    name: secretaryName,
    role: "secretary",
    identities: input.identity === undefined ? [] : [input.identity],
    language: input.language,
    active: true,
  };
  if (input.identity !== undefined) secretary.lastChannel = input.identity.channel;
  unit.tx.put(Members, secretary);
  const next = input.identity === undefined ? "done_local" : "done";
  tell(unit, secretary, menuFor(secretary, village, t(next, { village: village.name, code })));
  return ok({ village, secretary });
}

async function memberWith(unit: Unit, identity: Identity): Promise<Member | undefined> {
  return (await unit.tx.find(Members, "identity", `${identity.channel}:${identity.userId}`))[0];
}

/** Someone the channel has checked is in the village's group joins its roster as a villager. */
export async function joinVillageIn(
  unit: Unit,
  identity: Identity,
  villageId: string,
  name: string,
  language: Language,
  menuFor: (member: Member, village: Village, lead: Text) => OutgoingMessage,
): Promise<Result<Member, SetupRefusal>> {
  const village = await unit.tx.get(Villages, villageId);
  if (village === undefined) return refuse("no_such_village");
  const existing = await memberWith(unit, identity);
  if (existing !== undefined) {
    const home = await unit.tx.get(Villages, existing.villageId);
    if (home !== undefined) tell(unit, existing, menuFor(existing, home, t("join.welcome_back")));
    return ok(existing);
  }
  const member: Member = {
    id: await unit.tx.nextId(Members),
    villageId,
    name: displayName(name) ?? "村民",
    role: "villager",
    identities: [identity],
    lastChannel: identity.channel,
    language,
    active: true,
  };
  unit.tx.put(Members, member);
  tell(unit, member, menuFor(member, village, t("join.welcome", { village: village.name })));
  return ok(member);
}

/** A secretary binds a group chat to their village; a group bound to another village stays with it. */
export async function bindGroupIn(
  unit: Unit,
  actor: Member,
  channel: ChannelName,
  chatId: string,
): Promise<Result<Village, SetupRefusal>> {
  const town = await unit.tx.get(TownBindings, bindingKey(channel, chatId));
  if (town !== undefined) return refuse("town_chat", { town: await townName(unit, town.townId) });
  const existing = await unit.tx.get(Bindings, bindingKey(channel, chatId));
  if (!canBindGroup(actor, existing?.villageId)) {
    if (existing === undefined || existing.villageId === actor.villageId) return refuse("not_allowed");
    const other = await unit.tx.get(Villages, existing.villageId);
    return refuse("group_taken", { village: other?.name ?? existing.villageId });
  }
  const village = await unit.tx.get(Villages, actor.villageId);
  if (village === undefined) return refuse("no_such_village");
  unit.tx.put(Bindings, {
    channel,
    chatId,
    villageId: village.id,
    boundAt: unit.now.toISOString(),
    boundBy: actor.id,
  });
  await tellGroup(unit, village.id, groupWelcome(village));
  return ok(village);
}

function tallyTime(at: MonthlyTime): { day: number; time: string } {
  return { day: at.day, time: `${String(at.hour).padStart(2, "0")}:${String(at.minute).padStart(2, "0")}` };
}

async function townName(unit: Unit, townId: string): Promise<string> {
  return (await unit.tx.get(Towns, townId))?.name ?? townId;
}

/**
 * Binds a group chat as the town's supervision chat (`/setup town`): escalations and the monthly roll-up of
 * the actor's town go there. A village's group stays the village's.
 */
export async function bindTownGroupIn(
  unit: Unit,
  actor: Member,
  channel: ChannelName,
  chatId: string,
): Promise<Result<Town, SetupRefusal>> {
  const village = await unit.tx.get(Villages, actor.villageId);
  const town = village === undefined ? undefined : await unit.tx.get(Towns, village.townId);
  if (village === undefined || town === undefined) return refuse("no_such_village");
  if (!canManageTown(actor, village, town)) return refuse("not_town_manager", { town: town.name });
  const key = bindingKey(channel, chatId);
  const asVillage = await unit.tx.get(Bindings, key);
  if (asVillage !== undefined) {
    const other = await unit.tx.get(Villages, asVillage.villageId);
    return refuse("group_taken", { village: other?.name ?? asVillage.villageId });
  }
  const asTown = await unit.tx.get(TownBindings, key);
  if (asTown !== undefined && asTown.townId !== town.id)
    return refuse("town_chat", { town: await townName(unit, asTown.townId) });
  unit.tx.put(TownBindings, {
    channel,
    chatId,
    townId: town.id,
    boundAt: unit.now.toISOString(),
    boundBy: actor.id,
  });
  unit.tx.enqueue(
    { channel, chatId, language: village.language },
    message([
      t("town.welcome", {
        town: town.name,
        days: TOWN_ESCALATION_WORKING_DAYS,
        ...tallyTime(unit.deps.tallyAt),
      }),
    ]),
  );
  return ok(town);
}

/** Unbinds a town's supervision chat; one who runs the town does it. */
async function releaseTownGroupIn(
  unit: Unit,
  actor: Member | undefined,
  townId: string,
  key: string,
): Promise<Result<{ name: string }, SetupRefusal>> {
  const town = await unit.tx.get(Towns, townId);
  const village = actor === undefined ? undefined : await unit.tx.get(Villages, actor.villageId);
  if (town === undefined) return refuse("group_not_bound");
  if (actor === undefined || village === undefined || !canManageTown(actor, village, town))
    return refuse("not_town_manager", { town: town.name });
  unit.tx.delete(TownBindings, key);
  return ok({ name: town.name });
}

/** The bound village's secretary releases its group, so another village may bind it; a town chat likewise. */
export async function releaseGroupIn(
  unit: Unit,
  actor: Member | undefined,
  channel: ChannelName,
  chatId: string,
): Promise<Result<{ name: string }, SetupRefusal>> {
  const town = await unit.tx.get(TownBindings, bindingKey(channel, chatId));
  if (town !== undefined) return releaseTownGroupIn(unit, actor, town.townId, bindingKey(channel, chatId));
  const existing = await unit.tx.get(Bindings, bindingKey(channel, chatId));
  if (existing === undefined) return refuse("group_not_bound");
  if (actor === undefined || !canReleaseGroup(actor, existing.villageId)) return refuse("not_allowed");
  const village = await unit.tx.get(Villages, existing.villageId);
  if (village === undefined) return refuse("no_such_village");
  unit.tx.delete(Bindings, bindingKey(channel, chatId));
  return ok(village);
}

export function groupWelcome(village: Village): OutgoingMessage {
  return message([t("group.welcome", { village: village.name })], [[sendRequestButton(village.id)]]);
}
