import { z } from "zod";
import {
  defineStep,
  type Feature,
  type MemberTurn,
  on,
  type StepSpec,
  settleStep,
} from "../../app/feature.js";
import { cancelRow, defineTextStep } from "../../app/kernel.js";
import { message } from "../../app/messages.js";
import { MAX_PERSON_NAME } from "../../domain/names.js";
import { canManageRoster } from "../../domain/permissions.js";
import { refuse } from "../../domain/result.js";
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
import {
  addHouseholdIn,
  addMemberIn,
  askCategoriesIn,
  askHouseholdIn,
  householdCardIn,
  importRosterIn,
  MAX_CSV_BYTES,
  memberCardIn,
  moveMemberIn,
  removeHouseholdIn,
  removeMemberIn,
  renameHouseholdIn,
  renameMemberIn,
  rosterIn,
  setRoleIn,
  toggleCategoryIn,
} from "./use-cases.js";

export { addMemberIn, importRosterIn, MAX_CSV_BYTES, parseRole } from "./use-cases.js";

const { t, why } = text;

const Target = z.object({ id: z.string() });
const Nothing = z.object({});

const renameMemberStep = defineTextStep({
  name: "roster.rename_member",
  data: Target,
  maxText: MAX_PERSON_NAME,
  question: () => t("prompt.member_rename", { max: MAX_PERSON_NAME }),
  answer: (turn, typed, { id }) => renameMemberIn(turn.unit, turn.actor, id, typed),
  why,
  retryOn: ["name_invalid"],
});

const renameHouseholdStep = defineTextStep({
  name: "roster.rename_household",
  data: Target,
  maxText: MAX_PERSON_NAME,
  question: () => t("prompt.household_rename", { max: MAX_PERSON_NAME }),
  answer: (turn, typed, { id }) => renameHouseholdIn(turn.unit, turn.actor, id, typed),
  why,
  retryOn: ["name_invalid"],
});

const addMemberStep = defineTextStep({
  name: "roster.add_member",
  data: Nothing,
  maxText: 200,
  question: () => t("prompt.add_member"),
  answer: (turn, line) => addMemberIn(turn.unit, turn.actor, line),
  why,
  retryOn: ["bad_member_line"],
});

const addHouseholdStep = defineTextStep({
  name: "roster.add_household",
  data: Nothing,
  maxText: MAX_PERSON_NAME,
  question: () => t("prompt.add_household", { max: MAX_PERSON_NAME }),
  answer: (turn, typed) => addHouseholdIn(turn.unit, turn.actor, typed),
  why,
  retryOn: ["name_invalid", "household_exists"],
});

const importStep = defineStep({
  name: "roster.import",
  data: Nothing,
  accepts: ["text", "file"],
  maxText: MAX_CSV_BYTES,
  prompt: () => message([t("prompt.import_roster")], [cancelRow()]),
  async answer(turn, input) {
    const csv = input.type === "file" ? input.content : input.type === "text" ? input.text : "";
    return settleStep(turn, await importRosterIn(turn.unit, turn.actor, csv), why, [
      "csv_unreadable",
      "csv_too_big",
    ]);
  },
});

/** Asks for typed text, for the secretary only (the use case checks again on the answer). */
function askSecretary<D>(turn: MemberTurn, step: StepSpec<D>, data: D) {
  if (!canManageRoster(turn.actor)) return Promise.resolve(turn.refuse(why(refuse("not_allowed"))));
  return turn.ask(step, data);
}

/** 名册: the secretary keeps the village's members and households. */
export const rosterFeature: Feature = {
  name: "roster",
  text,
  actions: [
    on(showRoster, async (turn) => turn.answer(await rosterIn(turn.unit, turn.actor, turn.village), why)),
    on(memberCard, async (turn, { memberId }) =>
      turn.answer(await memberCardIn(turn.unit, turn.actor, memberId), why),
    ),
    on(setRole, async (turn, { memberId, role }) =>
      turn.answer(await setRoleIn(turn.unit, turn.actor, memberId, role), why),
    ),
    on(pickHousehold, async (turn, { memberId }) =>
      turn.answer(await askHouseholdIn(turn.unit, turn.actor, memberId), why),
    ),
    on(moveMember, async (turn, { memberId, householdId }) =>
      turn.answer(await moveMemberIn(turn.unit, turn.actor, memberId, householdId), why),
    ),
    on(removeMember, async (turn, { memberId }) =>
      turn.answer(await removeMemberIn(turn.unit, turn.actor, memberId), why),
    ),
    on(renameMember, (turn, { memberId }) => askSecretary(turn, renameMemberStep, { id: memberId })),
    on(pickCategories, async (turn, { memberId }) =>
      turn.answer(await askCategoriesIn(turn.unit, turn.actor, memberId), why),
    ),
    on(toggleCategory, async (turn, { memberId, categoryId }) =>
      turn.answer(await toggleCategoryIn(turn.unit, turn.actor, memberId, categoryId), why),
    ),
    on(addToRoster, (turn, { what }) =>
      what === "member" ? askSecretary(turn, addMemberStep, {}) : askSecretary(turn, addHouseholdStep, {}),
    ),
    on(householdCard, async (turn, { householdId }) =>
      turn.answer(await householdCardIn(turn.unit, turn.actor, householdId), why),
    ),
    on(renameHousehold, (turn, { householdId }) =>
      askSecretary(turn, renameHouseholdStep, { id: householdId }),
    ),
    on(removeHousehold, async (turn, { householdId }) =>
      turn.answer(await removeHouseholdIn(turn.unit, turn.actor, householdId), why),
    ),
    on(importRoster, (turn) => askSecretary(turn, importStep, {})),
  ],
  steps: [renameMemberStep, renameHouseholdStep, addMemberStep, addHouseholdStep, importStep],
  commands: [
    {
      name: "roster",
      description: t("command.roster"),
      menus: [],
      private: async (turn) => turn.answer(await rosterIn(turn.unit, turn.actor, turn.village), why),
    },
  ],
  menu: [
    {
      row: 3,
      button: (member) => (canManageRoster(member) ? showRoster.button(t("menu.roster"), {}) : undefined),
    },
  ],
};
