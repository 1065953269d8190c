import { type Feature, type GroupTurn, on, type Turn } from "../../app/feature.js";
import { bindingKey, TownBindings, Towns } from "../../app/tables.js";
import { localDate } from "../../domain/calendar.js";
import type { Village } from "../../domain/model.js";
import { canConvene } from "../../domain/permissions.js";
import { isPeriod, monthlyCron, type Period } from "../../domain/tally.js";
import { tallyNow } from "./codecs.js";
import { text } from "./i18n.js";
import { TalliesSent, TownTalliesSent } from "./tables.js";
import { lastMonth, publishMonthlyTallies, townTally, villageTally } from "./use-cases.js";

export { TalliesSent, TownTalliesSent } from "./tables.js";
export { lastMonth, publishMonthlyTallies, tallyChart, townTally, villageTally } from "./use-cases.js";

const { t } = text;

/** Which month a command means when none is typed: /tally the last one, /stats the one under way. */
type Fallback = "last" | "this";

/** The month or year typed after the command, or the fallback; undefined when what was typed is neither. */
function periodAsked(turn: Turn, args: string, fallback: Fallback): Period | undefined {
  const typed = args.trim();
  const zone = turn.unit.deps.calendar.timeZone;
  if (typed === "")
    return fallback === "last" ? lastMonth(turn.unit.now, zone) : localDate(turn.unit.now, zone).slice(0, 7);
  return isPeriod(typed) ? typed : undefined;
}

async function show(turn: Turn, village: Village, args: string, fallback: Fallback = "last") {
  const month = periodAsked(turn, args, fallback);
  if (month === undefined) return turn.refuse(t("refusal.month_unreadable"), []);
  turn.say(await villageTally(turn.unit, village, month));
  return turn.done();
}

/** In a village's group, the village's tally; in a town's supervision chat, the town's roll-up. */
async function showInGroup(turn: GroupTurn, args: string, fallback: Fallback) {
  if (turn.group !== undefined) return show(turn, turn.group, args, fallback);
  const { channel, chat } = turn.event;
  const binding = await turn.unit.tx.get(TownBindings, bindingKey(channel, chat.chatId));
  const town = binding === undefined ? undefined : await turn.unit.tx.get(Towns, binding.townId);
  if (town === undefined) return turn.refuse(t("refusal.group_not_bound"), []);
  const month = periodAsked(turn, args, fallback);
  if (month === undefined) return turn.refuse(t("refusal.month_unreadable"), []);
  turn.say(await townTally(turn.unit, town, month));
  return turn.done();
}

/**
 * 月度晾晒: what the village did last month (or any month), in the group every 1st at 09:00 and on demand; each
 * town's supervision chat gets the villages' roll-up, ranked.
 */
export const tallyFeature: Feature = {
  name: "tally",
  text,
  tables: [TalliesSent, TownTalliesSent],
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
      group: (turn, args) => showInGroup(turn, args, "last"),
    },
    {
      name: "stats",
      description: t("command.stats"),
      menus: ["group", "group_admins"],
      group: (turn, args) => showInGroup(turn, args, "this"),
    },
  ],
  menu: [
    {
      row: 5,
      button: (member, village) =>
        canConvene(member, village.id) ? tallyNow.button(t("menu.tally"), {}) : undefined,
    },
  ],
  jobs: [
    {
      name: "tally.monthly",
      cron: (deps) => monthlyCron(deps.tallyAt),
      run: (deps) => publishMonthlyTallies(deps),
    },
  ],
};
