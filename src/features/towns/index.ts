import { type Feature, type MemberTurn, type Outcome, on } from "../../app/feature.js";
import type { OutgoingMessage } from "../../app/messages.js";
import { isSecretary } from "../../domain/permissions.js";
import type { Refusal, Result } from "../../domain/result.js";
import { lastMonth, townTally } from "../tally/index.js";
import { chooseFormula, supervisorList, toggleSupervisor, townCard, townTallyNow } from "./codecs.js";
import { text } from "./i18n.js";
import {
  chooseFormulaIn,
  managedTownIn,
  supervisorListIn,
  type TownRefusal,
  toggleSupervisorIn,
  townCardIn,
} from "./use-cases.js";

const { t, why } = text;

function show(turn: MemberTurn, shown: Result<OutgoingMessage, TownRefusal>): Outcome {
  if (shown.ok) turn.say(shown.value);
  return turn.answer(shown, (refusal: Refusal<TownRefusal>) => why(refusal));
}

const card = async (turn: MemberTurn) => show(turn, await townCardIn(turn.unit, turn.actor, turn.village));

/** 镇督办: a town's supervisors, its supervision chat and its satisfaction formula, kept by those who run it. */
export const townsFeature: Feature = {
  name: "towns",
  text,
  actions: [
    on(townCard, card),
    on(supervisorList, async (turn) =>
      show(turn, await supervisorListIn(turn.unit, turn.actor, turn.village)),
    ),
    on(toggleSupervisor, async (turn, { memberId }) =>
      show(turn, await toggleSupervisorIn(turn.unit, turn.actor, turn.village, memberId)),
    ),
    on(chooseFormula, async (turn, { formula }) =>
      show(turn, await chooseFormulaIn(turn.unit, turn.actor, turn.village, formula)),
    ),
    on(townTallyNow, async (turn) => {
      const town = await managedTownIn(turn.unit, turn.actor, turn.village);
      if (!town.ok) return turn.refuse(why(town));
      const month = lastMonth(turn.unit.now, turn.unit.deps.calendar.timeZone);
      turn.say(await townTally(turn.unit, town.value, month));
      return turn.done();
    }),
  ],
  commands: [{ name: "town", description: t("command"), menus: ["private"], private: card }],
  menu: [
    {
      row: 5,
      button: (member) => (isSecretary(member) ? townCard.button(t("menu.town"), {}) : undefined),
    },
  ],
};
