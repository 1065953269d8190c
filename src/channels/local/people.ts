import type { Deps } from "../../app/deps.js";
import { t } from "../../app/messages.js";
import { inUnit } from "../../app/requests.js";
import { type SetupRefusal, setupVillageIn } from "../../app/setup.js";
import type { Language, Member, Role } from "../../domain/model.js";
import type { Refusal } from "../../domain/result.js";
import { LANGUAGES, translate } from "../../i18n/index.js";
import type { SetupBody } from "./schema.js";

export interface PersonView {
  id: string;
  name: string;
  role: Role;
  roleName: Record<Language, string>;
}

export interface VillageView {
  id: string;
  name: string;
  code: string;
  town: string;
  members: PersonView[];
}

const ROLE_ORDER: Record<Role, number> = { secretary: 0, grid_worker: 1, villager: 2 };

export function roleNames(role: Role): Record<Language, string> {
  const names = {} as Record<Language, string>;
  for (const language of LANGUAGES) names[language] = translate(t(`role.${role}`), language);
  return names;
}

export function personView(member: Member): PersonView {
  return { id: member.id, name: member.name, role: member.role, roleName: roleNames(member.role) };
}

/** Every village with its town and its active members, secretaries first: the page's "who are you?" list. */
export async function listPeople(deps: Deps): Promise<VillageView[]> {
  return deps.store.transaction(async (tx) => {
    const towns = new Map((await tx.listTowns()).map((town) => [town.id, town.name]));
    const villages: VillageView[] = [];
    for (const village of await tx.listVillages()) {
      const members = (await tx.listMembers(village.id)).filter((member) => member.active);
      members.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]);
      villages.push({
        id: village.id,
        name: village.name,
        code: village.code,
        town: towns.get(village.townId) ?? "",
        members: members.map(personView),
      });
    }
    return villages;
  });
}

export async function findMember(deps: Deps, memberId: string): Promise<Member | undefined> {
  return deps.store.transaction((tx) => tx.getMember(memberId));
}

export type SetupOutcome = { ok: true; member: Member } | Refusal<SetupRefusal>;

/** The page's "set up a new village" form: the setup use case, with the person as its first secretary. */
export async function setupFromPage(deps: Deps, body: SetupBody): Promise<SetupOutcome> {
  const created = await inUnit(deps, (unit) =>
    setupVillageIn(unit, {
      townName: body.townName,
      villageName: body.villageName,
      code: body.code,
      secretaryName: body.name,
      language: body.language ?? deps.defaultLanguage,
    }),
  );
  return created.ok ? { ok: true, member: created.value.secretary } : created;
}
