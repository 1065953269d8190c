import { type Feature, on, type Turn } from "../../app/feature.js";
import type { Village } from "../../domain/model.js";
import { canConvene } from "../../domain/permissions.js";
import { isMonth, type Month } from "../../domain/tally.js";
import { tallyNow } from "./codecs.js";
import { text } from "./i18n.js";
import { TalliesSent } from "./tables.js";
import { lastMonth, publishMonthlyTallies, villageTally } from "./use-cases.js";

export { TalliesSent } from "./tables.js";
export { publishMonthlyTallies, villageTally } from "./use-cases.js";

const { t } = text;

/** The month typed after the command, or last month; undefined when what was typed is no month. */
function monthAsked(turn: Turn, args: string): Month | undefined {
  const typed = args.trim();
  if (typed === "") return lastMonth(turn.unit.now, turn.unit.deps.calendar.timeZone);
  return isMonth(typed) ? typed : undefined;
}

async function show(turn: Turn, village: Village, args: string) {
  const month = monthAsked(turn, args);
  if (month === undefined) return turn.refuse(t("refusal.month_unreadable"), []);
  turn.say(await villageTally(turn.unit, village, month));
  return turn.done();
}

/** 月度晾晒: what the village did last month (or any month), in the group every 1st at 09:00 and on demand. */
export const tallyFeature: Feature = {
  name: "tally",
  text,
  tables: [TalliesSent],
  actions: [
    on(tallyNow, async (turn) => {
      if (!canConvene(turn.actor, turn.village.id)) return turn.refuse(t("refusal.not_allowed"));
      return show(turn, turn.village, "");
    }),
  ],
  commands: [
    {
      name: "tally",
      description: t("command"),
      menus: ["private", "group", "group_admins"],
      private: (turn, args) => show(turn, turn.village, args),
      group: async (turn, args) =>
        turn.group === undefined
          ? turn.refuse(t("refusal.group_not_bound"), [])
          : show(turn, turn.group, args),
    },
  ],
  menu: [
    {
      row: 5,
      button: (member, village) =>
        canConvene(member, village.id) ? tallyNow.button(t("menu.tally"), {}) : undefined,
    },
  ],
  jobs: [{ name: "tally.monthly", cron: "0 9 1 * *", run: (deps) => publishMonthlyTallies(deps) }],
};
