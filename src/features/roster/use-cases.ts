import { parse } from "csv-parse/sync";
import { tell, type Unit } from "../../app/deps.js";
import { type Button, message } from "../../app/messages.js";
import { Households, Members, Villages } from "../../app/tables.js";
import { t as kernel } from "../../app/text.js";
import type { Household, Member, Role, Village } from "../../domain/model.js";
import { MAX_PERSON_NAME, validName } from "../../domain/names.js";
import { canManageRoster, leavesASecretary } from "../../domain/permissions.js";
import { ok, type Result, refuse } from "../../domain/result.js";
import {
  addToRoster,
  householdCard,
  importRoster,
  memberCard,
  moveMember,
  pickCategories,
  pickHousehold,
  removeHousehold,
  removeMember,
  renameHousehold,
  renameMember,
  setRole,
  showRoster,
  toggleCategory,
} from "./codecs.js";
import { text } from "./i18n.js";

const { t } = text;

export type RosterRefusal =
  | "not_allowed"
  | "no_such_member"
  | "no_such_household"
  | "last_secretary"
  | "bad_member_line"
  | "name_invalid"
  | "household_exists"
  | "csv_unreadable"
  | "csv_too_big";

type RosterResult<T> = Result<T, RosterRefusal>;

const ROLE_WORDS: Record<string, Role> = {
  villager: "villager",
  村民: "villager",
  居民: "villager",
  grid_worker: "grid_worker",
  grid: "grid_worker",
  网格员: "grid_worker",
  包联干部: "grid_worker",
  干部: "grid_worker",
  secretary: "secretary",
  书记: "secretary",
  召集人: "secretary",
};

export function parseRole(word: string | undefined): Role | undefined {
  if (word === undefined || word.trim() === "") return "villager";
  return ROLE_WORDS[word.trim().toLowerCase()] ?? ROLE_WORDS[word.trim()];
}

/** A roster name: a valid name without the commas that separate a typed line's parts. */
export function rosterName(typed: string): string | undefined {
  const name = validName(typed, MAX_PERSON_NAME);
  return name === undefined || /[,，、]/.test(name) ? undefined : name;
}

const nameInvalid = () => refuse("name_invalid" as const, { max: MAX_PERSON_NAME });

async function managedMember(unit: Unit, actor: Member, memberId: string): Promise<RosterResult<Member>> {
  if (!canManageRoster(actor)) return refuse("not_allowed");
  const member = await unit.tx.get(Members, memberId);
  if (member === undefined || member.villageId !== actor.villageId || !member.active)
    return refuse("no_such_member");
  return ok(member);
}

async function householdByName(unit: Unit, villageId: string, name: string): Promise<Household> {
  const households = await unit.tx.find(Households, "village", villageId);
  const existing = households.find((h) => h.name === name);
  if (existing !== undefined) return existing;
  const created: Household = { id: await unit.tx.nextId(Households), villageId, name };
  unit.tx.put(Households, created);
  return created;
}

const backToRoster = () => [showRoster.button(kernel("action.back"), {})];

export async function rosterIn(unit: Unit, actor: Member, village: Village): Promise<RosterResult<Village>> {
  if (!canManageRoster(actor)) return refuse("not_allowed");
  const members = (await unit.tx.find(Members, "village", village.id)).filter((m) => m.active);
  const households = await unit.tx.find(Households, "village", village.id);
  const order: Record<Role, number> = { secretary: 0, grid_worker: 1, villager: 2 };
  members.sort((a, b) => order[a.role] - order[b.role] || a.name.localeCompare(b.name, "zh-CN"));
  const shown = members.slice(0, 40);
  const rows: Button[][] = [];
  for (let i = 0; i < shown.length; i += 2) {
    rows.push(
      shown.slice(i, i + 2).map((m) =>
        memberCard.button(t("member_button", { name: m.name, role: kernel(`role.${m.role}`) }), {
          memberId: m.id,
        }),
      ),
    );
  }
  for (let i = 0; i < Math.min(households.length, 20); i += 3) {
    rows.push(
      households
        .slice(i, Math.min(i + 3, 20))
        .map((h) => householdCard.button(t("household_button", { name: h.name }), { householdId: h.id })),
    );
  }
  rows.push([
    addToRoster.button(t("add_member"), { what: "member" }),
    addToRoster.button(t("add_household"), { what: "household" }),
  ]);
  rows.push([importRoster.button(t("import"), {})]);
  const lines = [
    t("title", { village: village.name, members: members.length, households: households.length }),
  ];
  if (members.length > shown.length) lines.push(t("more", { count: members.length - shown.length }));
  tell(unit, actor, message(lines, rows));
  return ok(village);
}

export async function memberCardIn(
  unit: Unit,
  actor: Member,
  memberId: string,
): Promise<RosterResult<Member>> {
  const found = await managedMember(unit, actor, memberId);
  if (!found.ok) return found;
  const member = found.value;
  const village = await unit.tx.get(Villages, member.villageId);
  const household =
    member.householdId === undefined ? undefined : await unit.tx.get(Households, member.householdId);
  const categories = (village?.categories ?? []).filter((c) => c.ownerIds.includes(member.id));
  const lines = [
    t("member.card", {
      name: member.name,
      role: kernel(`role.${member.role}`),
      household: household?.name ?? t("member.no_household"),
      phone: member.phone ?? "-",
    }),
  ];
  if (member.role === "grid_worker") {
    lines.push(
      t("member.categories", {
        list:
          categories.length === 0
            ? t("member.no_categories")
            : categories.map((c) => c.name["zh-CN"]).join("、"),
      }),
    );
  }
  const roles: Role[] = ["villager", "grid_worker", "secretary"];
  const rows: Button[][] = [
    roles
      .filter((role) => role !== member.role)
      .map((role) =>
        setRole.button(t("member.make", { role: kernel(`role.${role}`) }), { memberId: member.id, role }),
      ),
    [
      pickHousehold.button(t("member.move"), { memberId: member.id }),
      renameMember.button(t("member.rename"), { memberId: member.id }),
    ],
  ];
  if (member.role === "grid_worker")
    rows.push([pickCategories.button(t("member.set_categories"), { memberId: member.id })]);
  rows.push([removeMember.button(t("member.remove"), { memberId: member.id })]);
  rows.push(backToRoster());
  tell(unit, actor, message(lines, rows));
  return ok(member);
}

export async function setRoleIn(
  unit: Unit,
  actor: Member,
  memberId: string,
  role: Role,
): Promise<RosterResult<Member>> {
  const found = await managedMember(unit, actor, memberId);
  if (!found.ok) return found;
  const member = found.value;
  const next: Member = { ...member, role };
  if (!leavesASecretary(await unit.tx.find(Members, "village", member.villageId), member, next))
    return refuse("last_secretary");
  unit.tx.put(Members, next);
  if (role !== "grid_worker") await dropCategoryOwnership(unit, next);
  tell(unit, next, message([t("member.role_changed_you", { role: kernel(`role.${role}`) })]));
  return memberCardIn(unit, actor, member.id);
}

async function dropCategoryOwnership(unit: Unit, member: Member): Promise<void> {
  const village = await unit.tx.get(Villages, member.villageId);
  if (village === undefined || !village.categories.some((c) => c.ownerIds.includes(member.id))) return;
  unit.tx.put(Villages, {
    ...village,
    categories: village.categories.map((c) => ({
      ...c,
      ownerIds: c.ownerIds.filter((id) => id !== member.id),
    })),
  });
}

export async function removeMemberIn(
  unit: Unit,
  actor: Member,
  memberId: string,
): Promise<RosterResult<Member>> {
  const found = await managedMember(unit, actor, memberId);
  if (!found.ok) return found;
  const member = found.value;
  if (!leavesASecretary(await unit.tx.find(Members, "village", member.villageId), member, undefined))
    return refuse("last_secretary");
  unit.tx.put(Members, { ...member, active: false });
  await dropCategoryOwnership(unit, member);
  tell(unit, actor, message([t("member.removed", { name: member.name })], [backToRoster()]));
  return ok(member);
}

export async function renameMemberIn(
  unit: Unit,
  actor: Member,
  memberId: string,
  typed: string,
): Promise<RosterResult<Member>> {
  const found = await managedMember(unit, actor, memberId);
  if (!found.ok) return found;
  const name = rosterName(typed);
  if (name === undefined) return nameInvalid();
  unit.tx.put(Members, { ...found.value, name });
  return memberCardIn(unit, actor, memberId);
}

export async function askHouseholdIn(
  unit: Unit,
  actor: Member,
  memberId: string,
): Promise<RosterResult<Member>> {
  const found = await managedMember(unit, actor, memberId);
  if (!found.ok) return found;
  const households = await unit.tx.find(Households, "village", actor.villageId);
  const rows: Button[][] = households
    .slice(0, 40)
    .map((h) => [
      moveMember.button(t("household_button", { name: h.name }), { memberId, householdId: h.id }),
    ]);
  rows.push([addToRoster.button(t("add_household"), { what: "household" })]);
  rows.push([memberCard.button(kernel("action.back"), { memberId })]);
  tell(unit, actor, message([t("member.pick_household", { name: found.value.name })], rows));
  return found;
}

export async function moveMemberIn(
  unit: Unit,
  actor: Member,
  memberId: string,
  householdId: string,
): Promise<RosterResult<Member>> {
  const found = await managedMember(unit, actor, memberId);
  if (!found.ok) return found;
  const household = await unit.tx.get(Households, householdId);
  if (household === undefined || household.villageId !== actor.villageId) return refuse("no_such_household");
  unit.tx.put(Members, { ...found.value, householdId: household.id });
  return memberCardIn(unit, actor, memberId);
}

export async function askCategoriesIn(
  unit: Unit,
  actor: Member,
  memberId: string,
): Promise<RosterResult<Member>> {
  const found = await managedMember(unit, actor, memberId);
  if (!found.ok) return found;
  const village = await unit.tx.get(Villages, actor.villageId);
  const rows: Button[][] = (village?.categories ?? []).map((c) => [
    toggleCategory.button(
      t(c.ownerIds.includes(memberId) ? "member.category_on" : "member.category_off", { name: c.name }),
      {
        memberId,
        categoryId: c.id,
      },
    ),
  ]);
  rows.push([memberCard.button(kernel("action.back"), { memberId })]);
  tell(unit, actor, message([t("member.pick_categories", { name: found.value.name })], rows));
  return found;
}

/** Gives a category to a grid worker, or takes it back when they already own it. */
export async function toggleCategoryIn(
  unit: Unit,
  actor: Member,
  memberId: string,
  categoryId: string,
): Promise<RosterResult<Member>> {
  const found = await managedMember(unit, actor, memberId);
  if (!found.ok) return found;
  const village = await unit.tx.get(Villages, actor.villageId);
  if (village === undefined || found.value.role !== "grid_worker") return refuse("no_such_member");
  unit.tx.put(Villages, {
    ...village,
    categories: village.categories.map((c) =>
      c.id !== categoryId
        ? c
        : {
            ...c,
            ownerIds: c.ownerIds.includes(memberId)
              ? c.ownerIds.filter((id) => id !== memberId)
              : [...c.ownerIds, memberId],
          },
    ),
  });
  return askCategoriesIn(unit, actor, memberId);
}

const PHONE = /^[0-9+\- ]{0,20}$/;

/** "张三" or "张三，网格员，一组3号，13800000000": name, then optional role, household and phone. */
export async function addMemberIn(unit: Unit, actor: Member, line: string): Promise<RosterResult<Member>> {
  if (!canManageRoster(actor)) return refuse("not_allowed");
  const [typedName = "", roleWord, householdName, phone] = line.split(/[,，、]/).map((part) => part.trim());
  const name = rosterName(typedName);
  const role = parseRole(roleWord);
  const household =
    householdName === undefined || householdName === ""
      ? undefined
      : validName(householdName, MAX_PERSON_NAME);
  if (name === undefined || role === undefined || (phone !== undefined && !PHONE.test(phone)))
    return refuse("bad_member_line");
  if (householdName !== undefined && householdName !== "" && household === undefined)
    return refuse("bad_member_line");
  const member: Member = {
    id: await unit.tx.nextId(Members),
    villageId: actor.villageId,
    name,
    role,
    identities: [],
    active: true,
  };
  if (household !== undefined)
    member.householdId = (await householdByName(unit, actor.villageId, household)).id;
  if (phone !== undefined && phone !== "") member.phone = phone;
  unit.tx.put(Members, member);
  return memberCardIn(unit, actor, member.id);
}

export async function addHouseholdIn(
  unit: Unit,
  actor: Member,
  typed: string,
): Promise<RosterResult<Household>> {
  if (!canManageRoster(actor)) return refuse("not_allowed");
  const name = rosterName(typed);
  if (name === undefined) return nameInvalid();
  const households = await unit.tx.find(Households, "village", actor.villageId);
  if (households.some((h) => h.name === name)) return refuse("household_exists");
  const household = await householdByName(unit, actor.villageId, name);
  const village = await unit.tx.get(Villages, actor.villageId);
  if (village !== undefined) await rosterIn(unit, actor, village);
  return ok(household);
}

async function managedHousehold(
  unit: Unit,
  actor: Member,
  householdId: string,
): Promise<RosterResult<Household>> {
  if (!canManageRoster(actor)) return refuse("not_allowed");
  const household = await unit.tx.get(Households, householdId);
  if (household === undefined || household.villageId !== actor.villageId) return refuse("no_such_household");
  return ok(household);
}

export async function householdCardIn(
  unit: Unit,
  actor: Member,
  householdId: string,
): Promise<RosterResult<Household>> {
  const found = await managedHousehold(unit, actor, householdId);
  if (!found.ok) return found;
  const members = (await unit.tx.find(Members, "village", actor.villageId)).filter(
    (m) => m.active && m.householdId === householdId,
  );
  tell(
    unit,
    actor,
    message(
      [
        t("household.card", {
          name: found.value.name,
          members: members.map((m) => m.name).join("、") || "-",
        }),
      ],
      [
        [
          renameHousehold.button(t("household.rename"), { householdId }),
          removeHousehold.button(t("household.remove"), { householdId }),
        ],
        backToRoster(),
      ],
    ),
  );
  return found;
}

export async function renameHouseholdIn(
  unit: Unit,
  actor: Member,
  householdId: string,
  typed: string,
): Promise<RosterResult<Household>> {
  const found = await managedHousehold(unit, actor, householdId);
  if (!found.ok) return found;
  const name = rosterName(typed);
  if (name === undefined) return nameInvalid();
  unit.tx.put(Households, { ...found.value, name });
  return householdCardIn(unit, actor, householdId);
}

/** Removes a household; its members stay on the roster without one. */
export async function removeHouseholdIn(
  unit: Unit,
  actor: Member,
  householdId: string,
): Promise<RosterResult<Household>> {
  const found = await managedHousehold(unit, actor, householdId);
  if (!found.ok) return found;
  for (const member of await unit.tx.find(Members, "village", actor.villageId)) {
    if (member.householdId !== householdId) continue;
    const { householdId: _dropped, ...rest } = member;
    unit.tx.put(Members, rest);
  }
  unit.tx.delete(Households, householdId);
  const village = await unit.tx.get(Villages, actor.villageId);
  if (village !== undefined) await rosterIn(unit, actor, village);
  return found;
}

export interface ImportReport {
  added: number;
  updated: number;
  skipped: { row: number; reason: "name" | "role" | "phone" }[];
}

const HEADER_ALIASES: Record<string, "name" | "role" | "household" | "phone"> = {
  name: "name",
  姓名: "name",
  role: "role",
  身份: "role",
  角色: "role",
  household: "household",
  户: "household",
  户名: "household",
  phone: "phone",
  电话: "phone",
  手机: "phone",
};

export const MAX_CSV_BYTES = 512 * 1024;

/** Reads a roster CSV (header row: name/姓名, role/身份, household/户, phone/电话); same name and household update. */
export async function importRosterIn(
  unit: Unit,
  actor: Member,
  csv: string,
): Promise<RosterResult<ImportReport>> {
  if (!canManageRoster(actor)) return refuse("not_allowed");
  if (Buffer.byteLength(csv) > MAX_CSV_BYTES) return refuse("csv_too_big", { max: MAX_CSV_BYTES / 1024 });
  let records: string[][];
  try {
    records = parse(csv.replace(/^\uFEFF/, ""), {
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    });
  } catch {
    return refuse("csv_unreadable");
  }
  const header = (records[0] ?? []).map((cell) => HEADER_ALIASES[cell.toLowerCase()] ?? HEADER_ALIASES[cell]);
  const column = (field: "name" | "role" | "household" | "phone") => header.indexOf(field);
  if (column("name") < 0) return refuse("csv_unreadable");
  const report: ImportReport = { added: 0, updated: 0, skipped: [] };
  const members = await unit.tx.find(Members, "village", actor.villageId);
  for (const [index, record] of records.slice(1).entries()) {
    const row = index + 2;
    const cell = (field: "name" | "role" | "household" | "phone") => {
      const at = column(field);
      return at < 0 ? "" : (record[at] ?? "").trim();
    };
    const name = rosterName(cell("name"));
    const role = parseRole(cell("role"));
    const phone = cell("phone");
    const householdName = cell("household") === "" ? undefined : rosterName(cell("household"));
    if (name === undefined || (cell("household") !== "" && householdName === undefined))
      report.skipped.push({ row, reason: "name" });
    else if (role === undefined) report.skipped.push({ row, reason: "role" });
    else if (!PHONE.test(phone)) report.skipped.push({ row, reason: "phone" });
    else {
      const household =
        householdName === undefined ? undefined : await householdByName(unit, actor.villageId, householdName);
      const existing = members.find((m) => m.name === name && m.householdId === household?.id);
      const member: Member = existing ?? {
        id: await unit.tx.nextId(Members),
        villageId: actor.villageId,
        name,
        role,
        identities: [],
        active: true,
      };
      const next: Member = { ...member, role, active: true };
      if (household !== undefined) next.householdId = household.id;
      if (phone !== "") next.phone = phone;
      unit.tx.put(Members, next);
      if (existing === undefined) members.push(next);
      if (existing === undefined) report.added++;
      else report.updated++;
    }
  }
  const lines = [
    t("import.report", { added: report.added, updated: report.updated, skipped: report.skipped.length }),
  ];
  for (const skipped of report.skipped.slice(0, 20)) {
    lines.push(t("import.skipped_row", { row: skipped.row, reason: t(`import.reason_${skipped.reason}`) }));
  }
  tell(unit, actor, message(lines, [backToRoster()]));
  return ok(report);
}
