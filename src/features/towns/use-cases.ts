import { tell, type Unit } from "../../app/deps.js";
import { message, type OutgoingMessage } from "../../app/messages.js";
import { Members, TownBindings, Towns, Villages } from "../../app/tables.js";
import { TOWN_ESCALATION_WORKING_DAYS } from "../../domain/deadlines.js";
import {
  formulaOfTown,
  type Member,
  type SatisfactionFormula,
  type Town,
  type Village,
} from "../../domain/model.js";
import { canManageTown, isTownSupervisor, isWorker } from "../../domain/permissions.js";
import { ok, type Result, refuse } from "../../domain/result.js";
import { chooseFormula, supervisorList, toggleSupervisor, townCard, townTallyNow } from "./codecs.js";
import { text } from "./i18n.js";

const { t } = text;

export type TownRefusal = "not_allowed" | "not_a_worker";

/** The actor's town, when they may manage it (for its roll-up too). */
export async function managedTownIn(
  unit: Unit,
  actor: Member,
  village: Village,
): Promise<Result<Town, TownRefusal>> {
  const town = await unit.tx.get(Towns, village.townId);
  if (town === undefined) throw new Error(`town ${village.townId} missing for village ${village.id}`);
  return canManageTown(actor, village, town) ? ok(town) : refuse("not_allowed");
}

/** The town at a glance: its villages, its supervision chat, its supervisors, how satisfaction is counted. */
export async function townCardIn(
  unit: Unit,
  actor: Member,
  village: Village,
): Promise<Result<OutgoingMessage, TownRefusal>> {
  const managed = await managedTownIn(unit, actor, village);
  if (!managed.ok) return managed;
  const town = managed.value;
  const villages = await unit.tx.find(Villages, "town", town.id);
  const chats = await unit.tx.find(TownBindings, "town", town.id);
  const formula = formulaOfTown(town);
  const lines = [
    t("card.title", { town: town.name }),
    t("card.villages", { count: villages.length, names: villages.map((one) => one.name).join("、") }),
    chats.length > 0 ? t("card.chat_bound", { count: chats.length }) : t("card.chat_unbound"),
    town.supervisors.length > 0
      ? t("card.supervisors", { names: town.supervisors.map((one) => one.name).join("、") })
      : t("card.no_supervisors"),
    t("card.formula", { formula: t(`formula.${formula}`) }),
    t("card.escalation", { days: TOWN_ESCALATION_WORKING_DAYS }),
  ];
  const other: SatisfactionFormula =
    formula === "satisfied_or_mostly" ? "satisfied_only" : "satisfied_or_mostly";
  return ok(
    message(lines, [
      [supervisorList.button(t("button.supervisors"), {})],
      [
        chooseFormula.button(
          t(other === "satisfied_only" ? "button.formula_strict" : "button.formula_mostly"),
          { formula: other },
        ),
      ],
      [townTallyNow.button(t("button.tally"), {})],
    ]),
  );
}

/** The village's secretaries and grid workers, each a button that makes them a supervisor or no longer. */
export async function supervisorListIn(
  unit: Unit,
  actor: Member,
  village: Village,
): Promise<Result<OutgoingMessage, TownRefusal>> {
  const managed = await managedTownIn(unit, actor, village);
  if (!managed.ok) return managed;
  const town = managed.value;
  const workers = (await unit.tx.find(Members, "village", village.id)).filter(isWorker);
  const rows = workers.map((member) => [
    toggleSupervisor.button(
      t(isTownSupervisor(member, town) ? "list.on" : "list.off", { name: member.name }),
      { memberId: member.id },
    ),
  ]);
  rows.push([townCard.button(t("button.back_to_card"), {})]);
  return ok(message([t(workers.length === 0 ? "list.none" : "list.title")], rows));
}

/** Makes a secretary or grid worker of one's village a town supervisor, or no longer; the list again. */
export async function toggleSupervisorIn(
  unit: Unit,
  actor: Member,
  village: Village,
  memberId: string,
): Promise<Result<OutgoingMessage, TownRefusal>> {
  const managed = await managedTownIn(unit, actor, village);
  if (!managed.ok) return managed;
  const town = managed.value;
  const member = await unit.tx.get(Members, memberId);
  if (member === undefined || member.villageId !== village.id || !isWorker(member))
    return refuse("not_a_worker");
  const supervising = town.supervisors.some((one) => one.id === member.id);
  const supervisors = supervising
    ? town.supervisors.filter((one) => one.id !== member.id)
    : [...town.supervisors, { id: member.id, name: member.name }];
  unit.tx.put(Towns, { ...town, supervisors });
  if (!supervising && member.id !== actor.id)
    tell(unit, member, message([t("notify.added", { town: town.name })]));
  return supervisorListIn(unit, actor, village);
}

/** Sets how the town counts satisfaction in every village's tally; the card again. */
export async function chooseFormulaIn(
  unit: Unit,
  actor: Member,
  village: Village,
  formula: SatisfactionFormula,
): Promise<Result<OutgoingMessage, TownRefusal>> {
  const managed = await managedTownIn(unit, actor, village);
  if (!managed.ok) return managed;
  if (managed.value.satisfactionFormula !== formula)
    unit.tx.put(Towns, { ...managed.value, satisfactionFormula: formula });
  return townCardIn(unit, actor, village);
}
