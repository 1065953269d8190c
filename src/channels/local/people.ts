import type { App } from "../../app/create-app.js";
import { inUnit } from "../../app/deps.js";
import { Members, Towns, Villages } from "../../app/tables.js";
import { t } from "../../app/text.js";
import type { Language, Member, Role } from "../../domain/model.js";
import type { Refusal } from "../../domain/result.js";
import { explainSetup, type SetupRefusal, setupVillageIn } from "../../features/setup/index.js";
import { LANGUAGES } from "../../i18n/index.js";
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

export function personView(app: App, member: Member): PersonView {
  const roleName = {} as Record<Language, string>;
  for (const language of LANGUAGES) roleName[language] = app.translate(t(`role.${member.role}`), language);
  return { id: member.id, name: member.name, role: member.role, roleName };
}

/** Every village with its town and its active members, secretaries first: the page's "who are you?" list. */
export async function listPeople(app: App): Promise<VillageView[]> {
  return app.store.transaction(async (tx) => {
    const towns = new Map((await tx.all(Towns)).map((town) => [town.id, town.name]));
    const villages: VillageView[] = [];
    for (const village of await tx.all(Villages)) {
      const members = (await tx.find(Members, "village", village.id)).filter((member) => member.active);
      members.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role]);
      villages.push({
        id: village.id,
        name: village.name,
        code: village.code,
        town: towns.get(village.townId) ?? "",
        members: members.map((member) => personView(app, member)),
      });
    }
    return villages;
  });
}

export async function findMember(app: App, memberId: string): Promise<Member | undefined> {
  return app.store.transaction((tx) => tx.get(Members, memberId));
}

export { explainSetup };

export type SetupOutcome = { ok: true; member: Member } | Refusal<SetupRefusal>;

/** The page's "set up a new village" form: the setup use case, with the person as its first secretary. */
export async function setupFromPage(app: App, body: SetupBody): Promise<SetupOutcome> {
  const created = await inUnit(app.deps, (unit) =>
    setupVillageIn(
      unit,
      {
        townName: body.townName,
        villageName: body.villageName,
        code: body.code,
        secretaryName: body.name,
        language: body.language ?? app.deps.defaultLanguage,
      },
      (member, village, lead) => app.menuFor(member, village, lead),
    ),
  );
  return created.ok ? { ok: true, member: created.value.secretary } : created;
}
