import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { Low } from "lowdb";
import { JSONFile } from "lowdb/node";
import { type App, createApp } from "../src/app/create-app.js";
import { inUnit } from "../src/app/deps.js";
import { kernelFeature } from "../src/app/kernel.js";
import { createRegistry } from "../src/app/registry.js";
import { Bindings, Members, Towns, Villages } from "../src/app/tables.js";
import { createChartRenderer } from "../src/charts/render.js";
import type { ChannelName } from "../src/domain/model.js";
import { createRequest } from "../src/domain/request.js";
import { tallyPeriod } from "../src/domain/tally.js";
import { FEATURES } from "../src/features/index.js";
import { Requests, type SubmitRequestInput, submitRequestIn } from "../src/features/requests/index.js";
import { tallyChart as tallyChartOf, townTally, villageTally } from "../src/features/tally/index.js";
import { openLowdbStore } from "../src/store/lowdb/index.js";
import { broadcast } from "./bench/broadcast.js";
import { bulk, bulkLoadForBench } from "./bench/bulk-load.js";
import {
  calendar,
  deadlines,
  history,
  MEMBERS_PER_VILLAGE,
  memberId,
  VILLAGES,
  villageId,
} from "./bench/history.js";
import { writesUnderLoad } from "./bench/load.js";
import { localBurst } from "./bench/local-burst.js";
import { pollBench } from "./bench/poll.js";
import { median } from "./bench/stats.js";
import { measureTelegramUpdatesPerSecond } from "./bench/telegram.js";
import { telegramCrowd, telegramWalks } from "./bench/telegram-walk.js";

const run = promisify(execFile);

const RUNS = 5;
/** The history `--large` opens. */
const LARGE = 1_000_000;

type Figures = Record<string, number>;

/** The app main.ts builds, on a lowdb data folder: the same composition root. */
function appOn(dir: string, channels: ChannelName[] = ["local"]): Promise<App> {
  return createApp({
    features: FEATURES,
    openStore: (tables) => openLowdbStore(dir, { tables }),
    calendar,
    channels,
  });
}

function submitRequest(app: App, input: SubmitRequestInput) {
  return inUnit(app.deps, (unit) => submitRequestIn(unit, input));
}

function submission(i: number): SubmitRequestInput {
  const v = i % VILLAGES;
  const requester = memberId(v, 3 + (i % (MEMBERS_PER_VILLAGE - 3)));
  return {
    villageId: villageId(v),
    requesterId: requester,
    filedById: requester,
    kind: "problem",
    categoryId: "water",
    text: "自来水这两天发黄，不敢喝，请帮忙看看。",
    attachments: [],
    channel: "local",
  };
}

interface PrepareOptions {
  /** Binds a village to a Telegram group, for the Telegram walk. */
  telegram?: boolean;
  /** Villages of the town, 20 unless set. */
  villages?: number;
}

/** A data folder another process filled with this many requests; removed when `work` is done. */
async function withPreparedFolder<T>(
  records: number,
  work: (dir: string) => Promise<T>,
  options: PrepareOptions = {},
): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "shangliang-bench-"));
  try {
    await run(process.execPath, [
      // The history's keys and indexes stay in memory while it is written: a million need more than the default.
      ...(records > 100_000 ? ["--max-old-space-size=4096"] : []),
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--prepare",
      String(records),
      dir,
      ...(options.telegram === true ? ["--telegram"] : []),
      ...(options.villages === undefined ? [] : ["--villages", String(options.villages)]),
    ]);
    return await work(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function withLoadedStore<T>(records: number, work: (app: App) => Promise<T>): Promise<T> {
  return withPreparedFolder(records, async (dir) => {
    const app = await appOn(dir);
    try {
      return await work(app);
    } finally {
      await app.close();
    }
  });
}

/** Fills `dir` with the bench's history of `records` requests. */
async function prepare(records: number, dir: string, options: PrepareOptions): Promise<void> {
  const { town, villages, members, bindings, requests } = history(records, options);
  const tables = createRegistry(FEATURES, kernelFeature).tables;
  await bulkLoadForBench(dir, tables, [
    bulk(Towns, [town]),
    bulk(Villages, villages),
    bulk(Members, members),
    bulk(Bindings, bindings),
    bulk(Requests, requests),
  ]);
}

function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Milliseconds from opening a data folder with this many requests to the app being ready: a restart's downtime. */
async function openTime(records: number): Promise<number> {
  return withPreparedFolder(records, async (dir) => {
    const started = performance.now();
    const app = await appOn(dir);
    const opened = performance.now() - started;
    await app.close();
    return opened;
  });
}

/** A restart on a million requests: its downtime, and the peak memory of the process after a few writes. */
async function openLarge(): Promise<Figures> {
  return withPreparedFolder(LARGE, async (dir) => {
    const started = performance.now();
    const app = await appOn(dir);
    const opened = performance.now() - started;
    try {
      for (let i = 0; i < 100; i++) {
        const result = await submitRequest(app, submission(i));
        if (!result.ok) throw new Error(result.reason);
      }
    } finally {
      await app.close();
    }
    return { open_ms_at_1m: opened, rss_mb_at_1m: peakRssMb() };
  });
}

/** Submissions per second with 64 in flight, as when many villagers use the bot at once. */
async function throughput(): Promise<number> {
  return withLoadedStore(1_000, async (app) => {
    const total = 3_000;
    let next = 0;
    const started = performance.now();
    const worker = async () => {
      while (next < total) {
        const result = await submitRequest(app, submission(next++));
        if (!result.ok) throw new Error(result.reason);
      }
    };
    await Promise.all(Array.from({ length: 64 }, worker));
    return total / ((performance.now() - started) / 1000);
  });
}

/** Median milliseconds of one awaited submission (durable on disk) with this many requests on record. */
async function writeLatency(records: number): Promise<number> {
  return withLoadedStore(records, async (app) => {
    const times: number[] = [];
    for (let i = 0; i < 300; i++) {
      const started = performance.now();
      const result = await submitRequest(app, submission(i));
      if (!result.ok) throw new Error(result.reason);
      times.push(performance.now() - started);
    }
    return median(times);
  });
}

/**
 * The p99 of awaited writes and the longest event-loop stall with WRITES_PER_SECOND writes started on
 * schedule for 8 s (some 8 checkpoints) on 100,000 requests, one write in four a step in an old request's
 * life.
 */
async function writesUnderLoadAt100k(): Promise<Figures> {
  const records = 100_000;
  return withLoadedStore(records, async (app) => {
    const figures = await writesUnderLoad(app, {
      history: records,
      perSecond: WRITES_PER_SECOND,
      warmUpMs: 1_000,
      durationMs: 8_000,
      oldEvery: 4,
      submission,
    });
    process.stderr.write(`${JSON.stringify(figures)}\n`);
    return {
      write_p99_ms_at_100k: figures.writeP99Ms,
      event_loop_stall_max_ms_at_100k: figures.stallMaxMs,
    };
  });
}

/** The same work on one lowdb file holding everything: append the request and its messages, write it all. */
async function plainLowdbLatency(records: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "shangliang-plain-"));
  try {
    const { town, villages, members, requests } = history(records);
    const data = { town, villages, members, requests: [...requests], outbox: [] as unknown[] };
    const db = new Low(new JSONFile<typeof data>(join(dir, "db.json")), data);
    await db.write();
    const times: number[] = [];
    for (let i = 0; i < (records > 10_000 ? 10 : 30); i++) {
      const started = performance.now();
      const input = submission(i);
      const request = createRequest(
        { ...input, code: "AAB", year: 2026, seq: i + 1, deadlineClass: "general", now: new Date() },
        deadlines,
      );
      db.data.requests.push(request);
      db.data.outbox.push(
        { to: input.requesterId, text: request.id },
        { to: memberId(0, 0), text: request.id },
      );
      await db.write();
      times.push(performance.now() - started);
    }
    return median(times);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function telegramUpdates(chats: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "shangliang-tg-"));
  const app = await appOn(dir, ["telegram"]);
  try {
    return await measureTelegramUpdatesPerSecond(app, 3_000, { chats });
  } finally {
    await app.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** The p99 of one villager's request-walk steps through the running app, long polling a slow Bot API. */
async function telegramWalkAt100k(): Promise<number> {
  return withPreparedFolder(100_000, (dir) => telegramWalks(dir, { walks: 30 }), { telegram: true });
}

/**
 * One village's monthly tally as the monthly job makes it, village after village, each one's requests read from
 * disk: the median of 5 villages after the first, and the first alone. In the town (300 villages sharing
 * 100,000 requests) and in the 20-village history, whose villages are seventeen times as busy.
 */
async function villageMonths(villages: number): Promise<{ first: number; next: number }> {
  return withPreparedFolder(
    100_000,
    async (dir) => {
      const app = await appOn(dir);
      try {
        const timed = async (v: number) => {
          const village = await inUnit(app.deps, (unit) => unit.tx.get(Villages, villageId(v)));
          if (village === undefined) throw new Error("the history has no village");
          const started = performance.now();
          const tally = await inUnit(app.deps, (unit) => villageTally(unit, village, "2025-02"));
          const ms = performance.now() - started;
          if (tally.lines.length < 5) throw new Error("the tally is empty");
          return ms;
        };
        const first = await timed(0);
        const next: number[] = [];
        for (let v = 1; v < 6; v++) next.push(await timed(v));
        return { first, next: median(next) };
      } finally {
        await app.close();
      }
    },
    { villages },
  );
}

async function tallyVillageMonth(): Promise<Figures> {
  const town = await villageMonths(300);
  return { tally_village_month_ms: town.next, tally_village_month_first_ms: town.first };
}

async function tallyBusyVillageMonth(): Promise<Figures> {
  const busy = await villageMonths(VILLAGES);
  return { tally_busy_village_month_ms: busy.next, tally_busy_village_month_first_ms: busy.first };
}

/**
 * A town's year (300 villages, 100,000 requests): every village's figures for the year and the year before,
 * ranked, as `/tally 2025` in the town's chat gives them; the first in a fresh process, read from disk.
 */
async function tallyTownYear(): Promise<number> {
  return withPreparedFolder(
    100_000,
    async (dir) => {
      const app = await appOn(dir);
      try {
        const town = await inUnit(app.deps, (unit) => unit.tx.get(Towns, "t1"));
        if (town === undefined) throw new Error("the history has no town");
        const started = performance.now();
        const tally = await inUnit(app.deps, (unit) => townTally(unit, town, "2025"));
        const ms = performance.now() - started;
        if (tally.lines.length < 300) throw new Error("the roll-up lacks villages");
        return ms;
      } finally {
        await app.close();
      }
    },
    { villages: 300 },
  );
}

/**
 * One village's tally picture drawn to PNG (ECharts SVG, then resvg with the shipped font): the median of 10
 * after the first, and the first alone (loading ECharts and the font) as `tally_chart_first_ms`.
 */
async function tallyChart(): Promise<Figures> {
  const { translator } = createRegistry(FEATURES, kernelFeature);
  const draw = createChartRenderer((text, language) => translator.translate(text, language));
  const village = {
    id: "v1",
    townId: "t1",
    name: "东风村",
    code: "DF",
    language: "zh-CN" as const,
    categories: [],
    createdAt: "2024-01-01T00:00:00.000Z",
  };
  const records = {
    requests: [...history(2_000).requests],
    topics: [],
    polls: [],
    meetings: [],
    decisions: [],
  };
  const now = new Date("2025-03-01T01:00:00Z");
  const chart = tallyChartOf(
    village,
    tallyPeriod(records, "2025-02", calendar.timeZone, now),
    tallyPeriod(records, "2025-01", calendar.timeZone, now),
  );
  const times: number[] = [];
  for (let i = 0; i < 11; i++) {
    const started = performance.now();
    const png = await draw(chart, "zh-CN");
    times.push(performance.now() - started);
    if (png.length < 10_000) throw new Error("the chart is empty");
  }
  return { tally_chart_ms: median(times.slice(1)), tally_chart_first_ms: times[0] ?? Number.NaN };
}

/** `messagesPerSecond` sets the bot's ceiling for all chats (Telegram's is 30; 1,000 is its paid broadcasts'). */
async function crowdAt100k(messagesPerSecond = 30): Promise<number> {
  const settings = { TELEGRAM_MESSAGES_PER_SECOND: String(messagesPerSecond) };
  return withPreparedFolder(
    100_000,
    (dir) => telegramCrowd(dir, { villagers: 300, latencyMs: 100, settings }),
    {
      telegram: true,
    },
  );
}

/** Reports one figure under the scenario's own name. */
const one =
  (name: string, measure: () => Promise<number>): (() => Promise<Figures>) =>
  async () => ({ [name]: await measure() });

/** Each runs in its own process and gives one or more figures. */
const SCENARIOS: Record<string, () => Promise<Figures>> = {
  submissions_per_s: one("submissions_per_s", throughput),
  write_ms_at_1k: one("write_ms_at_1k", () => writeLatency(1_000)),
  write_ms_at_100k: async () => ({
    write_ms_at_100k: await writeLatency(100_000),
    rss_mb_at_100k: peakRssMb(),
  }),
  open_ms_at_100k: one("open_ms_at_100k", () => openTime(100_000)),
  writes_under_load_at_100k: writesUnderLoadAt100k,
  plain_lowdb_write_ms_at_1k: one("plain_lowdb_write_ms_at_1k", () => plainLowdbLatency(1_000)),
  plain_lowdb_write_ms_at_100k: one("plain_lowdb_write_ms_at_100k", () => plainLowdbLatency(100_000)),
  telegram_updates_per_s: one("telegram_updates_per_s", () => telegramUpdates(20)),
  telegram_updates_per_s_one_chat: one("telegram_updates_per_s_one_chat", () => telegramUpdates(1)),
  telegram_walk_p99_ms: one("telegram_walk_p99_ms", telegramWalkAt100k),
  crowd_300_step_p99_ms: one("crowd_300_step_p99_ms", () => crowdAt100k()),
  crowd_300_step_p99_ms_at_1000_per_s: one("crowd_300_step_p99_ms_at_1000_per_s", () => crowdAt100k(1_000)),
  burst_3000: async () => {
    const figures = await localBurst(appOn, Number(process.env.BURST_VILLAGERS) || 3_000);
    process.stderr.write(`${JSON.stringify(figures)}\n`);
    return { burst_3000_last_notification_s: figures.lastNotificationS, burst_3000_rss_mb: figures.rssMb };
  },
  tally_village_month: tallyVillageMonth,
  tally_busy_village_month: tallyBusyVillageMonth,
  tally_town_year_ms: one("tally_town_year_ms", tallyTownYear),
  tally_chart: tallyChart,
  poll: async () => {
    const figures = await withPreparedFolder(100_000, pollBench);
    return {
      poll_votes_per_s: figures.votesPerSecond,
      poll_edits_per_1000_votes: figures.editsPer1000Votes,
      poll_close_ms: figures.closeMs,
    };
  },
  broadcast: () => broadcastFigures(BROADCAST_GROUPS),
  outage: () => outageFigures(BROADCAST_GROUPS, 10_000),
};

/** Groups of the default run's broadcast (20 s at Telegram's 30 a second); `--large` sends to 10,000. */
const BROADCAST_GROUPS = 600;

async function broadcastFigures(groups: number): Promise<Figures> {
  const figures = await broadcast({ groups });
  return {
    broadcast_share_of_ceiling: figures.shareOfCeiling,
    broadcast_429s: figures.tooMany,
    interactive_p99_ms: figures.interactiveP99Ms,
  };
}

async function outageFigures(groups: number, outageMs: number): Promise<Figures> {
  const figures = await broadcast({ groups, outageMs });
  return { outage_lost: figures.lost, outage_duplicated: figures.duplicated };
}

/** Only with `--large`: preparing a million requests takes minutes. */
const LARGE_SCENARIOS: Record<string, () => Promise<Figures>> = {
  open_at_1m: openLarge,
  broadcast_10k: () => broadcastFigures(10_000),
  outage_10k: () => outageFigures(10_000, 60_000),
};

/** The offered load of write_p99_ms_at_100k: far above a county's busiest hour, below what the machine can do. */
const WRITES_PER_SECOND = 300;

const NOTES: Record<string, string> = {
  rss_mb_at_100k: "peak RSS of the write_ms_at_100k process",
  write_p99_ms_at_100k: `${WRITES_PER_SECOND} writes/s started on schedule for 8 s, one in four on an old request`,
  event_loop_stall_max_ms_at_100k: "same run; the monitor's max less its 5 ms resolution",
  telegram_walk_p99_ms: "steps of 30 walks, every Bot API call answered after 30 ms",
  rss_mb_at_1m: "peak RSS of the process that opened 1M and wrote 100",
  broadcast_share_of_ceiling: "every message sent during the broadcast, per second, over 30/s",
  interactive_p99_ms: "replies to villagers writing every 0.5 s during the broadcast",
  crowd_300_step_p99_ms:
    "300 villagers each walking a request at once, every Bot API call answered after 100 ms",
  outage_lost: "the Bot API answering 502 for 10 s (60 s with --large) a third of the way in",
  crowd_300_step_p99_ms_at_1000_per_s: "the same crowd with the bot's ceiling at 1,000 messages a second",
  poll_votes_per_s: "1,000 members' votes through handleInbound, 64 at a time, 100k history on lowdb",
  poll_edits_per_1000_votes: "live-count edits sent while 1,000 votes come in over a minute",
  poll_close_ms: "closing the 1,000-vote poll and publishing its result",
  tally_village_month_ms:
    "a village of the 300-village town (about 130 received that month, 333 that year) read from disk, median of 5 after the first",
  tally_village_month_first_ms: "the first village's, in a fresh process (modules and schemas not warm yet)",
  tally_busy_village_month_ms:
    "a village of the 20-village history (about 2,000 received that month, 5,000 that year), median of 5 after the first",
  tally_busy_village_month_first_ms: "the first of those, in a fresh process",
  tally_town_year_ms:
    "300 villages' year and the year before (100,000 requests), ranked, fresh process, from disk",
  tally_chart_ms: "one village's tally picture to PNG, median of 10 after the first",
  tally_chart_first_ms: "the first picture of the process (ECharts and the 10 MB font loaded)",
};

/** Each measurement runs in a fresh process, so one's memory and caches do not colour another's. */
async function measureInChild(scenario: string): Promise<Figures> {
  const self = fileURLToPath(import.meta.url);
  const { stdout } = await run(process.execPath, ["--import", "tsx", self, "--scenario", scenario], {
    maxBuffer: 1024 * 1024,
  });
  const last = stdout.trim().split("\n").at(-1) ?? "{}";
  return JSON.parse(last) as Figures;
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

function digitsOf(key: string): number {
  return key.includes("_per_s") || key.startsWith("rss_mb") ? 0 : 2;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--prepare") {
    const villages = args.indexOf("--villages");
    await prepare(Number(args[1]), args[2] ?? "", {
      telegram: args.includes("--telegram"),
      ...(villages < 0 ? {} : { villages: Number(args[villages + 1]) }),
    });
    return;
  }
  const scenarioIndex = args.indexOf("--scenario");
  if (scenarioIndex >= 0) {
    const name = args[scenarioIndex + 1] ?? "";
    const scenario = SCENARIOS[name] ?? LARGE_SCENARIOS[name];
    if (scenario === undefined) throw new Error(`unknown scenario ${name}`);
    process.stdout.write(`${JSON.stringify(await scenario())}\n`);
    return;
  }
  const json = args.includes("--json");
  const large = args.includes("--large");
  const runs = Number(args[args.indexOf("--runs") + 1]) || RUNS;
  const scenarios = [...Object.keys(SCENARIOS), ...(large ? Object.keys(LARGE_SCENARIOS) : [])];
  const figures: Figures = {};
  for (const name of scenarios) {
    const measured: Figures[] = [];
    for (let i = 0; i < runs; i++) measured.push(await measureInChild(name));
    for (const key of Object.keys(measured[0] ?? {})) {
      const values = measured.map((m) => m[key] ?? Number.NaN);
      figures[key] = round(median(values), digitsOf(key));
      if (json) continue;
      const what = NOTES[key] === undefined ? "" : `; ${NOTES[key]}`;
      process.stdout.write(
        `${key.padEnd(34)} ${String(figures[key]).padStart(10)}   (median of ${runs} runs: ${values.map((v) => round(v, 1)).join(", ")}${what})\n`,
      );
    }
  }
  if (!json) {
    process.stdout.write(
      `write_ms_at_100k / write_ms_at_1k = ${round((figures.write_ms_at_100k ?? 0) / (figures.write_ms_at_1k ?? 1))}\n`,
    );
    process.stdout.write(
      `ran: ${Object.keys(figures).join(", ")}${large ? "" : " (--large adds open_ms_at_1m, rss_mb_at_1m)"}\n`,
    );
  }
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  });
}
