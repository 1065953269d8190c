import { parse } from "csv-parse/sync";
import type { Household, Member, Role, Village } from "../domain/model.js";
import { isSecretary } from "../domain/permissions.js";
import { ok, type Result, refuse } from "../domain/result.js";
import { tell, type Unit } from "./deps.js";
import { type Button, button, message, t } from "./messages.js";

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

const NAME = /^[^\n\r,，]{1,40}$/;

function validName(name: string): boolean {
  return NAME.test(name.trim()) && name.trim() !== "";
}

async function managedMember(unit: Unit, actor: Member, memberId: string): Promise<RosterResult<Member>> {
  if (!isSecretary(actor)) return refuse("not_allowed");
  const member = await unit.tx.getMember(memberId);
  if (member === undefined || member.villageId !== actor.villageId || !member.active)
    return refuse("no_such_member");
  return ok(member);
}

async function householdByName(unit: Unit, villageId: string, name: string): Promise<Household> {
  const households = await unit.tx.listHouseholds(villageId);
  const existing = households.find((h) => h.name === name.trim());
  if (existing !== undefined) return existing;
  const created: Household = { id: await unit.tx.nextId("household"), villageId, name: name.trim() };
  unit.tx.putHousehold(created);
  return created;
}

async function otherSecretaries(unit: Unit, member: Member): Promise<number> {
  const members = await unit.tx.listMembers(member.villageId);
  return members.filter((m) => m.id !== member.id && isSecretary(m)).length;
}

export async function rosterMessage(unit: Unit, actor: Member, village: Village) {
  const members = (await unit.tx.listMembers(village.id)).filter((m) => m.active);
  const households = await unit.tx.listHouseholds(village.id);
  const order: Record<Role, number> = { secretary: 0, grid_worker: 1, villager: 2 };
  members.sort((a, b) => order[a.role] - order[b.role] || a.name.localeCompare(b.name, "zh-CN"));
  const shown = members.slice(0, 40);
  const rows: Button[][] = [];
  for (let i = 0; i < shown.length; i += 2) {
    rows.push(
      shown.slice(i, i + 2).map((m) => ({
        label: t("roster.member_button", { name: m.name, role: t(`role.${m.role}`) }),
        action: { type: "member", memberId: m.id },
      })),
    );
  }
  for (let i = 0; i < Math.min(households.length, 20); i += 3) {
    rows.push(
      households.slice(i, Math.min(i + 3, 20)).map((h) => ({
        label: t("roster.household_button", { name: h.name }),
        action: { type: "household", householdId: h.id },
      })),
    );
  }
  rows.push([
    button("roster.add_member", { type: "roster_add_member" }),
    button("roster.add_household", { type: "roster_add_household" }),
  ]);
  rows.push([button("roster.import", { type: "roster_import" })]);
  const lines = [
    t("roster.title", { village: village.name, members: members.length, households: households.length }),
  ];
  if (members.length > shown.length) lines.push(t("roster.more", { count: members.length - shown.length }));
  tell(unit, actor, message(lines, rows));
}

export async function memberCardIn(
  unit: Unit,
  actor: Member,
  memberId: string,
): Promise<RosterResult<Member>> {
  const found = await managedMember(unit, actor, memberId);
  if (!found.ok) return found;
  const member = found.value;
  const village = await unit.tx.getVillage(member.villageId);
  const household =
    member.householdId === undefined ? undefined : await unit.tx.getHousehold(member.householdId);
  const categories = (village?.categories ?? []).filter((c) => c.ownerIds.includes(member.id));
  const lines = [
    t("member.card", {
      name: member.name,
      role: t(`role.${member.role}`),
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
        button(
          "member.make",
          { type: "member_role", memberId: member.id, role },
          { role: t(`role.${role}`) },
        ),
      ),
    [
      button("member.move", { type: "member_household", memberId: member.id }),
      button("member.rename", { type: "member_rename", memberId: member.id }),
    ],
  ];
  if (member.role === "grid_worker") {
    rows.push([button("member.set_categories", { type: "member_categories", memberId: member.id })]);
  }
  rows.push([button("member.remove", { type: "member_remove", memberId: member.id })]);
  rows.push([button("action.back", { type: "menu", menu: "roster" })]);
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
  if (member.role === "secretary" && role !== "secretary" && (await otherSecretaries(unit, member)) === 0) {
    return refuse("last_secretary");
  }
  const next: Member = { ...member, role };
  unit.tx.putMember(next);
  if (role !== "grid_worker") await dropCategoryOwnership(unit, next);
  tell(unit, next, message([t("member.role_changed_you", { role: t(`role.${role}`) })]));
  return memberCardIn(unit, actor, member.id);
}

async function dropCategoryOwnership(unit: Unit, member: Member): Promise<void> {
  const village = await unit.tx.getVillage(member.villageId);
  if (village === undefined || !village.categories.some((c) => c.ownerIds.includes(member.id))) return;
  unit.tx.putVillage({
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
  if (isSecretary(member) && (await otherSecretaries(unit, member)) === 0) return refuse("last_secretary");
  unit.tx.putMember({ ...member, active: false });
  await dropCategoryOwnership(unit, member);
  tell(
    unit,
    actor,
    message(
      [t("member.removed", { name: member.name })],
      [[button("action.back", { type: "menu", menu: "roster" })]],
    ),
  );
  return ok(member);
}

export async function renameMemberIn(
  unit: Unit,
  actor: Member,
  memberId: string,
  name: string,
): Promise<RosterResult<Member>> {
  const found = await managedMember(unit, actor, memberId);
  if (!found.ok) return found;
  if (!validName(name)) return refuse("name_invalid");
  unit.tx.putMember({ ...found.value, name: name.trim() });
  return memberCardIn(unit, actor, memberId);
}

export async function askHouseholdIn(
  unit: Unit,
  actor: Member,
  memberId: string,
): Promise<RosterResult<Member>> {
  const found = await managedMember(unit, actor, memberId);
  if (!found.ok) return found;
  const households = await unit.tx.listHouseholds(actor.villageId);
  const rows: Button[][] = households.slice(0, 40).map((h) => [
    {
      label: t("roster.household_button", { name: h.name }),
      action: { type: "member_move", memberId, householdId: h.id },
    },
  ]);
  rows.push([button("roster.add_household", { type: "roster_add_household" })]);
  rows.push([button("action.back", { type: "member", memberId })]);
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
  const household = await unit.tx.getHousehold(householdId);
  if (household === undefined || household.villageId !== actor.villageId) return refuse("no_such_household");
  unit.tx.putMember({ ...found.value, householdId: household.id });
  return memberCardIn(unit, actor, memberId);
}

export async function askCategoriesIn(
  unit: Unit,
  actor: Member,
  memberId: string,
): Promise<RosterResult<Member>> {
  const found = await managedMember(unit, actor, memberId);
  if (!found.ok) return found;
  const village = await unit.tx.getVillage(actor.villageId);
  const rows: Button[][] = (village?.categories ?? []).map((c) => [
    {
      label: t(c.ownerIds.includes(memberId) ? "member.category_on" : "member.category_off", {
        name: c.name,
      }),
      action: { type: "member_category", memberId, categoryId: c.id },
    },
  ]);
  rows.push([button("action.back", { type: "member", memberId })]);
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
  const village = await unit.tx.getVillage(actor.villageId);
  if (village === undefined || found.value.role !== "grid_worker") return refuse("no_such_member");
  unit.tx.putVillage({
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

/** "张三" or "张三，网格员，一组3号，13800000000": name, then optional role, household and phone. */
export async function addMemberIn(unit: Unit, actor: Member, line: string): Promise<RosterResult<Member>> {
  if (!isSecretary(actor)) return refuse("not_allowed");
  const [name = "", roleWord, householdName, phone] = line.split(/[,，、]/).map((part) => part.trim());
  const role = parseRole(roleWord);
  if (!validName(name) || role === undefined || (phone !== undefined && !/^[0-9+\- ]{0,20}$/.test(phone))) {
    return refuse("bad_member_line");
  }
  const member: Member = {
    id: await unit.tx.nextId("member"),
    villageId: actor.villageId,
    name,
    role,
    identities: [],
    active: true,
  };
  if (householdName !== undefined && householdName !== "") {
    member.householdId = (await householdByName(unit, actor.villageId, householdName)).id;
  }
  if (phone !== undefined && phone !== "") member.phone = phone;
  unit.tx.putMember(member);
  return memberCardIn(unit, actor, member.id);
}

export async function addHouseholdIn(
  unit: Unit,
  actor: Member,
  name: string,
): Promise<RosterResult<Household>> {
  if (!isSecretary(actor)) return refuse("not_allowed");
  if (!validName(name)) return refuse("name_invalid");
  const households = await unit.tx.listHouseholds(actor.villageId);
  if (households.some((h) => h.name === name.trim())) return refuse("household_exists");
  const household = await householdByName(unit, actor.villageId, name);
  const village = await unit.tx.getVillage(actor.villageId);
  if (village !== undefined) await rosterMessage(unit, actor, village);
  return ok(household);
}

async function managedHousehold(
  unit: Unit,
  actor: Member,
  householdId: string,
): Promise<RosterResult<Household>> {
  if (!isSecretary(actor)) return refuse("not_allowed");
  const household = await unit.tx.getHousehold(householdId);
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
  const members = (await unit.tx.listMembers(actor.villageId)).filter(
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
          button("household.rename", { type: "household_rename", householdId }),
          button("household.remove", { type: "household_remove", householdId }),
        ],
        [button("action.back", { type: "menu", menu: "roster" })],
      ],
    ),
  );
  return found;
}

export async function renameHouseholdIn(
  unit: Unit,
  actor: Member,
  householdId: string,
  name: string,
): Promise<RosterResult<Household>> {
  const found = await managedHousehold(unit, actor, householdId);
  if (!found.ok) return found;
  if (!validName(name)) return refuse("name_invalid");
  unit.tx.putHousehold({ ...found.value, name: name.trim() });
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
  for (const member of await unit.tx.listMembers(actor.villageId)) {
    if (member.householdId !== householdId) continue;
    const { householdId: _dropped, ...rest } = member;
    unit.tx.putMember(rest);
  }
  unit.tx.deleteHousehold(householdId);
  const village = await unit.tx.getVillage(actor.villageId);
  if (village !== undefined) await rosterMessage(unit, actor, village);
  return found;
}

export interface ImportReport {
  added: number;
  updated: number;
  skipped: { row: number; reason: "name" | "role" | "phone" | "columns" }[];
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
  if (!isSecretary(actor)) return refuse("not_allowed");
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
  const members = await unit.tx.listMembers(actor.villageId);
  for (const [index, record] of records.slice(1).entries()) {
    const row = index + 2;
    const cell = (field: "name" | "role" | "household" | "phone") => {
      const at = column(field);
      return at < 0 ? "" : (record[at] ?? "").trim();
    };
    const name = cell("name");
    const role = parseRole(cell("role"));
    const phone = cell("phone");
    if (!validName(name)) report.skipped.push({ row, reason: "name" });
    else if (role === undefined) report.skipped.push({ row, reason: "role" });
    else if (!/^[0-9+\- ]{0,20}$/.test(phone)) report.skipped.push({ row, reason: "phone" });
    else {
      const household =
        cell("household") === ""
          ? undefined
          : await householdByName(unit, actor.villageId, cell("household"));
      const existing = members.find((m) => m.name === name && m.householdId === household?.id);
      const member: Member = existing ?? {
        id: await unit.tx.nextId("member"),
        villageId: actor.villageId,
        name,
        role,
        identities: [],
        active: true,
      };
      const next: Member = { ...member, role, active: true };
      if (household !== undefined) next.householdId = household.id;
      if (phone !== "") next.phone = phone;
      unit.tx.putMember(next);
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
  tell(unit, actor, message(lines, [[button("action.back", { type: "menu", menu: "roster" })]]));
  return ok(report);
}
