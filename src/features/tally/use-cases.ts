import { type Deps, inUnit, tellGroup, tellTown, type Unit } from "../../app/deps.js";
import { type Chart, message, type OutgoingMessage, type Text } from "../../app/messages.js";
import { Towns, Villages } from "../../app/tables.js";
import { localDate, localParts } from "../../domain/calendar.js";
import {
  formulaOfTown,
  type RequestKind,
  type SatisfactionFormula,
  type Town,
  type Village,
} from "../../domain/model.js";
import {
  isMonth,
  type Month,
  monthlyTimeReached,
  monthRange,
  type Period,
  type PeriodTally,
  previousMonth,
  previousPeriod,
  tallyPeriod,
  type VillageRecords,
  yearsRead,
} from "../../domain/tally.js";
import { Decisions } from "../decisions/index.js";
import { Meetings } from "../meetings/index.js";
import { Polls } from "../polls/index.js";
import { categoryName, Requests } from "../requests/index.js";
import { Topics } from "../topics/index.js";
import { text } from "./i18n.js";
import { TalliesSent, TownTalliesSent } from "./tables.js";

const { t } = text;

const KINDS: readonly RequestKind[] = ["problem", "wish", "consultation", "errand"];

/** The month before the one `now` falls in, in the village's time zone. */
export function lastMonth(now: Date, timeZone: string): Month {
  return previousMonth(localDate(now, timeZone).slice(0, 7));
}

/** A village's records a tally reads: its requests of the given years, and the rest. */
async function recordsOf(unit: Unit, villageId: string, years: readonly number[]): Promise<VillageRecords> {
  const requests = [];
  for (const year of years) requests.push(...(await unit.tx.find(Requests, "year", `${villageId}/${year}`)));
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

function change(
  now: number | undefined,
  before: number | undefined,
  of: "change" | "change_year" | "town.change" | "town.change_year",
): Text {
  if (now === undefined || before === undefined) return t("change.none");
  if (now === before) return t(`${of}.same`);
  return t(now > before ? `${of}.up` : `${of}.down`, { points: Math.abs(now - before) });
}

/** Requests received by category, most first; no line for a month with none. */
function categoriesLine(village: Village, byCategory: Record<string, number>): Text[] {
  const counted = Object.entries(byCategory).sort(([, a], [, b]) => b - a);
  if (counted.length === 0) return [];
  const parts = counted.map(([id, count]) => t("category", { name: categoryName(village, id), count }));
  return [t("categories", { list: parts.reduce((first, rest) => t("join", { first, rest })) })];
}

/** The tally as the group reads it: figures, change on last month, and the formulas in plain words. No names. */
export function tallyMessage(
  village: Village,
  tally: PeriodTally,
  before: PeriodTally,
  formula: SatisfactionFormula,
): OutgoingMessage {
  const { requests, deliberation } = tally;
  const kinds = KINDS.filter((kind) => (requests.byKind[kind] ?? 0) > 0).map((kind) =>
    t(`kind.${kind}`, { count: requests.byKind[kind] ?? 0 }),
  );
  const of = isMonth(tally.period) ? "change" : "change_year";
  const lines: Text[] = [
    t(isMonth(tally.period) ? "title" : "title_year", {
      village: village.name,
      ...periodParams(tally.period),
    }),
    t("received", {
      count: requests.received,
      kinds: kinds.length === 0 ? t("kinds.none") : kinds.reduce((first, rest) => t("join", { first, rest })),
    }),
    ...categoriesLine(village, requests.byCategory),
    t("response", {
      rate: rate(tally.responseRate),
      part: requests.respondedOnTime,
      whole: requests.received,
      change: change(tally.responseRate, before.responseRate, of),
    }),
    t("resolution", {
      rate: rate(tally.resolutionRate),
      part: requests.resolvedOfDue,
      whole: requests.due,
      change: change(tally.resolutionRate, before.resolutionRate, of),
    }),
    t("satisfaction", {
      rate: rate(tally.satisfactionRate),
      part: tally.satisfied,
      whole: tally.rated,
      unrated: requests.unrated,
      change: change(tally.satisfactionRate, before.satisfactionRate, of),
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
    formulasLine(formula),
  ];
  return message(lines);
}

/** How 基本满意 is counted in the village's town (a town's choice; most count it as satisfied). */
async function formulaOf(unit: Unit, village: Village): Promise<SatisfactionFormula> {
  return formulaOfTown(await unit.tx.get(Towns, village.townId));
}

/** The formulas under the figures, in plain words, as the town counts satisfaction. */
function formulasLine(formula: SatisfactionFormula): Text {
  return t("formulas", {
    satisfied: t(formula === "satisfied_or_mostly" ? "formula.mostly" : "formula.strict"),
  });
}

/** One village's figures for a period and the one before, with the town's formula; its records read once. */
async function figuresOf(unit: Unit, village: Village, period: Period, formula: SatisfactionFormula) {
  const zone = unit.deps.calendar.timeZone;
  const records = await recordsOf(unit, village.id, yearsRead(period));
  return {
    tally: tallyPeriod(records, period, zone, unit.now, formula),
    before: tallyPeriod(records, previousPeriod(period), zone, unit.now, formula),
  };
}

/** The year and month a title names; a year's tally has no month. */
function periodParams(period: Period): { year: number; month: number } | { year: number } {
  const [year, month] = period.split("-");
  return month === undefined ? { year: Number(year) } : { year: Number(year), month: Number(month) };
}

const LAST_MONTH_COLOUR = "#b0b7c3";
const THIS_MONTH_COLOUR = "#3b6fd8";
const LIGHT_COLOURS = ["#2e9e4f", "#e6b000", "#d63b30"];

/** The month's picture: requests by state, the three rates against last month, the traffic lights. */
export function tallyChart(village: Village, tally: PeriodTally, before: PeriodTally): Chart {
  const { byState, lights } = tally.requests;
  const params = { village: village.name, ...periodParams(tally.period) };
  const year = !isMonth(tally.period);
  return {
    title: t(year ? "chart.title_year" : "chart.title", params),
    panels: [
      {
        title: t(year ? "chart.states_year" : "chart.states"),
        categories: [t("chart.open"), t("chart.resolved"), t("chart.closed")],
        series: [
          {
            name: t("chart.count"),
            values: [byState.open, byState.resolved, byState.closed],
            color: [THIS_MONTH_COLOUR, LIGHT_COLOURS[0] as string, LAST_MONTH_COLOUR],
          },
        ],
      },
      {
        title: t("chart.rates"),
        percent: true,
        categories: [t("chart.response"), t("chart.resolution"), t("chart.satisfaction")],
        series: [
          {
            name: t(year ? "chart.last_year" : "chart.last_month"),
            values: [before.responseRate, before.resolutionRate, before.satisfactionRate].map(orNull),
            color: LAST_MONTH_COLOUR,
          },
          {
            name: t(year ? "chart.this_year" : "chart.this_month"),
            values: [tally.responseRate, tally.resolutionRate, tally.satisfactionRate].map(orNull),
            color: THIS_MONTH_COLOUR,
          },
        ],
      },
      {
        title: t(year ? "chart.lights_year" : "chart.lights"),
        categories: [t("chart.green"), t("chart.yellow"), t("chart.red")],
        series: [
          { name: t("chart.count"), values: [lights.green, lights.yellow, lights.red], color: LIGHT_COLOURS },
        ],
      },
    ],
  };
}

function roundOf(value: number | undefined): number | undefined {
  return value === undefined ? undefined : Math.round(value);
}

function orNull(value: number | undefined): number | null {
  return value ?? null;
}

/** The tally of one village for a month or year, with the one before for comparison: a picture, then figures. */
export async function villageTally(unit: Unit, village: Village, period: Period): Promise<OutgoingMessage> {
  const formula = await formulaOf(unit, village);
  const { tally, before } = await figuresOf(unit, village, period, formula);
  return { ...tallyMessage(village, tally, before, formula), chart: tallyChart(village, tally, before) };
}

/** A village's place in the town's ranking: the mean of its rates that have a value (none: last). */
export function rankScore(tally: PeriodTally): number | undefined {
  const rates = [tally.responseRate, tally.resolutionRate, tally.satisfactionRate].filter(
    (rate) => rate !== undefined,
  );
  return rates.length === 0 ? undefined : rates.reduce((sum, rate) => sum + rate, 0) / rates.length;
}

interface VillageLine {
  village: Village;
  tally: PeriodTally;
  before: PeriodTally;
  score: number | undefined;
}

/** Best first; villages with no rate at all come last, by name. */
function ranked(lines: VillageLine[]): VillageLine[] {
  return lines.sort((a, b) => {
    if (a.score === undefined || b.score === undefined)
      return a.score === b.score
        ? a.village.name.localeCompare(b.village.name, "zh-CN")
        : a.score === undefined
          ? 1
          : -1;
    return b.score - a.score || b.tally.requests.received - a.tally.requests.received;
  });
}

/** The town's roll-up: one line per village, ranked, a bar per village, and the formulas. No names of people. */
export async function townTally(unit: Unit, town: Town, period: Period): Promise<OutgoingMessage> {
  const formula = formulaOfTown(town);
  const lines: VillageLine[] = [];
  for (const village of await unit.tx.find(Villages, "town", town.id)) {
    const { tally, before } = await figuresOf(unit, village, period, formula);
    lines.push({ village, tally, before, score: rankScore(tally) });
  }
  const order = ranked(lines);
  const title = { town: town.name, ...periodParams(period) };
  const year = !isMonth(period);
  const text: Text[] = [t(year ? "town.title_year" : "town.title", title)];
  order.forEach(({ village, tally, before, score }, at) => {
    text.push(
      t("town.line", {
        rank: at + 1,
        village: village.name,
        received: tally.requests.received,
        response: rate(tally.responseRate),
        resolution: rate(tally.resolutionRate),
        satisfaction: rate(tally.satisfactionRate),
        unrated: tally.requests.unrated,
        red: tally.requests.redLights,
        topics: tally.deliberation.topicsProposed,
        decisions: tally.deliberation.decisionsTaken,
        change: change(roundOf(score), roundOf(rankScore(before)), year ? "town.change_year" : "town.change"),
      }),
    );
  });
  if (order.length === 0) text.push(t("town.none"));
  text.push(t("town.ranking"));
  text.push(formulasLine(formula));
  const chart: Chart = {
    title: t(year ? "town.chart_title_year" : "town.chart_title", title),
    panels: [
      {
        title: t("chart.rates"),
        percent: true,
        horizontal: true,
        categories: order.map(({ village }) => t("town.village", { village: village.name })),
        series: [
          {
            name: t("chart.resolution"),
            values: order.map(({ tally }) => orNull(tally.resolutionRate)),
            color: THIS_MONTH_COLOUR,
          },
          {
            name: t("chart.satisfaction"),
            values: order.map(({ tally }) => orNull(tally.satisfactionRate)),
            color: LIGHT_COLOURS[0] as string,
          },
        ],
      },
    ],
  };
  return order.length === 0 ? message(text) : { ...message(text), chart };
}

function existedBefore(createdAt: string, month: Month, zone: string): boolean {
  return Date.parse(createdAt) < monthRange(month, zone).end.getTime();
}

/**
 * Publishes last month's tally to each village's group, and each town's roll-up to its supervision chat, once:
 * the record of it is written in the same unit of work that queues it, so overlapping runs, a restart or a run
 * late after downtime send it once.
 */
export async function publishMonthlyTallies(deps: Deps): Promise<void> {
  const zone = deps.calendar.timeZone;
  const now = deps.clock.now();
  const { day, hour, minute } = localParts(now, zone);
  if (!monthlyTimeReached(deps.tallyAt, day, hour, minute)) return;
  const month = lastMonth(now, zone);
  const villages = await inUnit(deps, (unit) => unit.tx.all(Villages));
  for (const { id } of villages) {
    await inUnit(deps, async (unit) => {
      const village = await unit.tx.get(Villages, id);
      if (village === undefined || !existedBefore(village.createdAt, month, zone)) return;
      const key = `${village.id}/${month}`;
      if ((await unit.tx.get(TalliesSent, key)) !== undefined) return;
      unit.tx.put(TalliesSent, { id: key, villageId: village.id, month, at: unit.now.toISOString() });
      await tellGroup(unit, village.id, await villageTally(unit, village, month), { bulk: true });
    });
  }
  const towns = await inUnit(deps, (unit) => unit.tx.all(Towns));
  for (const { id } of towns) {
    await inUnit(deps, async (unit) => {
      const town = await unit.tx.get(Towns, id);
      if (town === undefined) return;
      const villagesThen = (await unit.tx.find(Villages, "town", town.id)).filter((village) =>
        existedBefore(village.createdAt, month, zone),
      );
      if (villagesThen.length === 0) return;
      const key = `${town.id}/${month}`;
      if ((await unit.tx.get(TownTalliesSent, key)) !== undefined) return;
      // Recorded only once someone is told: a town with nobody to tell yet is tried again at the next run.
      if (await tellTown(unit, town.id, await townTally(unit, town, month), { bulk: true }))
        unit.tx.put(TownTalliesSent, { id: key, townId: town.id, month, at: unit.now.toISOString() });
    });
  }
}
