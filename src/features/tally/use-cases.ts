import { type Deps, inUnit, tellGroup, type Unit } from "../../app/deps.js";
import { message, type OutgoingMessage, type Text } from "../../app/messages.js";
import { Villages } from "../../app/tables.js";
import { localDate, localParts } from "../../domain/calendar.js";
import type { RequestKind, Village } from "../../domain/model.js";
import {
  type Month,
  type MonthTally,
  monthRange,
  previousMonth,
  type SatisfactionFormula,
  tallyMonth,
  type VillageRecords,
} from "../../domain/tally.js";
import { Decisions } from "../decisions/index.js";
import { Meetings } from "../meetings/index.js";
import { Polls } from "../polls/index.js";
import { Requests } from "../requests/index.js";
import { Topics } from "../topics/index.js";
import { text } from "./i18n.js";
import { TalliesSent } from "./tables.js";

const { t } = text;

const KINDS: readonly RequestKind[] = ["problem", "wish", "consultation", "errand"];

/** The month before the one `now` falls in, in the village's time zone. */
export function lastMonth(now: Date, timeZone: string): Month {
  return previousMonth(localDate(now, timeZone).slice(0, 7));
}

/** A village's records a month's tally reads: requests of that year and the year before, and the rest. */
async function recordsOf(unit: Unit, villageId: string, month: Month): Promise<VillageRecords> {
  const year = Number(month.slice(0, 4));
  const requests = [
    ...(await unit.tx.find(Requests, "year", `${villageId}/${year - 1}`)),
    ...(await unit.tx.find(Requests, "year", `${villageId}/${year}`)),
  ];
  return {
    requests,
    topics: await unit.tx.find(Topics, "village", villageId),
    polls: await unit.tx.find(Polls, "village", villageId),
    meetings: await unit.tx.find(Meetings, "village", villageId),
    decisions: await unit.tx.find(Decisions, "village", villageId),
  };
}

function rate(value: number | undefined): Text {
  return value === undefined ? t("rate.none") : t("rate.value", { value });
}

function change(now: number | undefined, before: number | undefined): Text {
  if (now === undefined || before === undefined) return t("change.none");
  if (now === before) return t("change.same");
  return t(now > before ? "change.up" : "change.down", { points: Math.abs(now - before) });
}

/** The tally as the group reads it: figures, change on last month, and the formulas in plain words. No names. */
export function tallyMessage(
  village: Village,
  tally: MonthTally,
  before: MonthTally,
  formula: SatisfactionFormula,
): OutgoingMessage {
  const { requests, deliberation } = tally;
  const kinds = KINDS.filter((kind) => (requests.byKind[kind] ?? 0) > 0).map((kind) =>
    t(`kind.${kind}`, { count: requests.byKind[kind] ?? 0 }),
  );
  const [year, month] = tally.month.split("-");
  const lines: Text[] = [
    t("title", { village: village.name, year: Number(year), month: Number(month) }),
    t("received", {
      count: requests.received,
      kinds: kinds.length === 0 ? t("kinds.none") : kinds.reduce((first, rest) => t("join", { first, rest })),
    }),
    t("response", {
      rate: rate(tally.responseRate),
      part: requests.respondedOnTime,
      whole: requests.received,
      change: change(tally.responseRate, before.responseRate),
    }),
    t("resolution", {
      rate: rate(tally.resolutionRate),
      part: requests.resolvedOfDue,
      whole: requests.due,
      change: change(tally.resolutionRate, before.resolutionRate),
    }),
    t("satisfaction", {
      rate: rate(tally.satisfactionRate),
      part: tally.satisfied,
      whole: tally.rated,
      unrated: requests.unrated,
      change: change(tally.satisfactionRate, before.satisfactionRate),
    }),
    t("red", { count: requests.redLights }),
    t("deliberation", {
      proposed: deliberation.topicsProposed,
      agenda: deliberation.topicsOnAgenda,
      meetings: deliberation.meetingsHeld,
      polls: deliberation.pollsClosed,
      turnout:
        deliberation.pollTurnoutPercent === undefined
          ? t("turnout.none")
          : t("turnout.value", { percent: deliberation.pollTurnoutPercent }),
      taken: deliberation.decisionsTaken,
      done: deliberation.decisionsImplemented,
    }),
    t("formulas", { satisfied: t(formula === "satisfied_or_mostly" ? "formula.mostly" : "formula.strict") }),
  ];
  return message(lines);
}

/** The tally of one village for a month, with the month before for comparison. */
export async function villageTally(unit: Unit, village: Village, month: Month): Promise<OutgoingMessage> {
  const zone = unit.deps.calendar.timeZone;
  const formula: SatisfactionFormula = "satisfied_or_mostly";
  const records = await recordsOf(unit, village.id, month);
  const before = previousMonth(month);
  const earlier =
    before.slice(0, 4) === month.slice(0, 4) ? records : await recordsOf(unit, village.id, before);
  return tallyMessage(
    village,
    tallyMonth(records, month, zone, unit.now, formula),
    tallyMonth(earlier, before, zone, unit.now, formula),
    formula,
  );
}

/** When the monthly tally goes out: the 1st of the month at 09:00 local time. */
export const TALLY_HOUR = 9;

/**
 * Publishes last month's tally to each village's group once: the record of it is written in the same unit of
 * work that queues it, so overlapping runs, a restart or a run late after downtime send it once.
 */
export async function publishMonthlyTallies(deps: Deps): Promise<void> {
  const zone = deps.calendar.timeZone;
  const now = deps.clock.now();
  if (localParts(now, zone).day === 1 && localParts(now, zone).hour < TALLY_HOUR) return;
  const month = lastMonth(now, zone);
  const villages = await inUnit(deps, (unit) => unit.tx.all(Villages));
  for (const { id } of villages) {
    await inUnit(deps, async (unit) => {
      const village = await unit.tx.get(Villages, id);
      if (village === undefined || Date.parse(village.createdAt) >= monthRange(month, zone).end.getTime())
        return;
      const key = `${village.id}/${month}`;
      if ((await unit.tx.get(TalliesSent, key)) !== undefined) return;
      unit.tx.put(TalliesSent, { id: key, villageId: village.id, month, at: unit.now.toISOString() });
      await tellGroup(unit, village.id, await villageTally(unit, village, month), { bulk: true });
    });
  }
}
