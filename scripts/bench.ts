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
import { Members, Towns, Villages } from "../src/app/tables.js";
import { workingCalendar } from "../src/domain/calendar.js";
import { DEFAULT_DEADLINE_POLICY } from "../src/domain/deadlines.js";
import type { ChannelName, Member, ServiceRequest, Town, Village } from "../src/domain/model.js";
import { createRequest } from "../src/domain/request.js";
import { FEATURES } from "../src/features/index.js";
import { Requests, submitRequestIn } from "../src/features/requests/index.js";
import { DEFAULT_CATEGORIES } from "../src/features/setup/index.js";
import { openLowdbStore } from "../src/store/lowdb/index.js";
import { bulk, bulkLoadForBench } from "./bench/bulk-load.js";
import { measureTelegramUpdatesPerSecond } from "./bench/telegram.js";

const run = promisify(execFile);

const VILLAGES = 20;
const MEMBERS_PER_VILLAGE = 50;
const RUNS = 5;

const calendar = workingCalendar("Asia/Shanghai", { holidays: [], workdays: [] });
const deadlines = { policy: DEFAULT_DEADLINE_POLICY, calendar };

function villageId(v: number): string {
  return `v${v + 1}`;
}

function memberId(v: number, m: number): string {
  return `m${v * MEMBERS_PER_VILLAGE + m + 1}`;
}

/** A town of villages with members, and a history of requests that mostly ended rated, as in real villages. */
function history(count: number) {
  const town: Town = { id: "t1", name: "红旗镇", supervisors: [] };
  const villages: Village[] = [];
  const members: Member[] = [];
  for (let v = 0; v < VILLAGES; v++) {
    const code = String.fromCharCode(65 + Math.floor(v / 26), 65 + (v % 26), 66);
    villages.push({
      id: villageId(v),
      townId: town.id,
      name: `第${v + 1}村`,
      code,
      language: "zh-CN",
      categories: DEFAULT_CATEGORIES,
      createdAt: "2024-01-01T00:00:00.000Z",
    });
    for (let m = 0; m < MEMBERS_PER_VILLAGE; m++) {
      members.push({
        id: memberId(v, m),
        villageId: villageId(v),
        name: m === 0 ? "书记" : `村民${m}`,
        role: m === 0 ? "secretary" : m < 3 ? "grid_worker" : "villager",
        identities: [],
        active: true,
      });
    }
  }
  const requests: ServiceRequest[] = [];
  const start = Date.parse("2025-01-01T02:00:00Z");
  for (let i = 0; i < count; i++) {
    const v = i % VILLAGES;
    const village = villages[v] as Village;
    const seq = Math.floor(i / VILLAGES) + 1;
    const now = new Date(start + i * 60_000);
    const requester = memberId(v, 3 + (i % (MEMBERS_PER_VILLAGE - 3)));
    const request = createRequest(
      {
        villageId: village.id,
        code: village.code,
        year: 2025,
        seq,
        kind: "problem",
        categoryId: "power",
        deadlineClass: "general",
        text: "三组路口的路灯坏了，晚上出门看不清，老人走路不方便，麻烦尽快来修一下。",
        attachments: [],
        requesterId: requester,
        filedById: requester,
        channel: "local",
        now,
      },
      deadlines,
    );
    const closed = i % 10 !== 0;
    const at = new Date(now.getTime() + 86_400_000).toISOString();
    requests.push(
      closed
        ? {
            ...request,
            state: "rated",
            rating: "satisfied",
            ownerId: memberId(v, 1),
            respondedAt: at,
            resolvedAt: at,
            timeline: [
              ...request.timeline,
              { at, by: memberId(v, 0), action: "accepted", ownerId: memberId(v, 1) },
              { at, by: memberId(v, 1), action: "resolved", note: "已修好" },
              { at, by: requester, action: "rated", rating: "satisfied" },
            ],
          }
        : request,
    );
  }
  return { town, villages, members, requests };
}

/** The app main.ts builds, on a lowdb data folder: the same composition root. */
function appOn(dir: string, channels: ChannelName[] = ["local"]): Promise<App> {
  return createApp({
    features: FEATURES,
    openStore: (tables) => openLowdbStore(dir, { tables }),
    calendar,
    channels,
  });
}

function submitRequest(app: App, input: ReturnType<typeof submission>) {
  return inUnit(app.deps, (unit) => submitRequestIn(unit, input));
}

function submission(i: number) {
  const v = i % VILLAGES;
  const requester = memberId(v, 3 + (i % (MEMBERS_PER_VILLAGE - 3)));
  return {
    villageId: villageId(v),
    requesterId: requester,
    filedById: requester,
    kind: "problem" as const,
    categoryId: "water",
    text: "自来水这两天发黄，不敢喝，请帮忙看看。",
    attachments: [],
    channel: "local" as const,
  };
}

/** Opens a data folder another process filled, so this process's peak memory is the store's alone. */
/** A data folder another process filled with this many requests; removed when `work` is done. */
async function withPreparedFolder<T>(records: number, work: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), "shangliang-bench-"));
  try {
    await run(process.execPath, [
      "--import",
      "tsx",
      fileURLToPath(import.meta.url),
      "--prepare",
      String(records),
      dir,
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

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
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

/** The same work on one lowdb file holding everything: append the request and its messages, write it all. */
async function plainLowdbLatency(records: number): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), "shangliang-plain-"));
  try {
    const data = history(records);
    const db = new Low(new JSONFile<typeof data & { outbox: unknown[] }>(join(dir, "db.json")), {
      ...data,
      outbox: [],
    });
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

const SCENARIOS: Record<string, () => Promise<number>> = {
  submissions_per_s: throughput,
  write_ms_at_1k: () => writeLatency(1_000),
  write_ms_at_100k: () => writeLatency(100_000),
  open_ms_at_100k: () => openTime(100_000),
  plain_lowdb_write_ms_at_1k: () => plainLowdbLatency(1_000),
  plain_lowdb_write_ms_at_100k: () => plainLowdbLatency(100_000),
  telegram_updates_per_s: () => telegramUpdates(20),
  telegram_updates_per_s_one_chat: () => telegramUpdates(1),
};

/** Each measurement runs in a fresh process, so one's memory and caches do not colour another's. */
async function measureInChild(scenario: string): Promise<{ value: number; rssMb: number }> {
  const self = fileURLToPath(import.meta.url);
  const { stdout } = await run(process.execPath, ["--import", "tsx", self, "--scenario", scenario], {
    maxBuffer: 1024 * 1024,
  });
  const last = stdout.trim().split("\n").at(-1) ?? "{}";
  return JSON.parse(last) as { value: number; rssMb: number };
}

const round = (value: number, digits = 2) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === "--prepare") {
    const { town, villages, members, requests } = history(Number(args[1]));
    const tables = createRegistry(FEATURES, kernelFeature).tables;
    await bulkLoadForBench(args[2] ?? "", tables, [
      bulk(Towns, [town]),
      bulk(Villages, villages),
      bulk(Members, members),
      bulk(Requests, requests),
    ]);
    return;
  }
  const scenarioIndex = args.indexOf("--scenario");
  if (scenarioIndex >= 0) {
    const name = args[scenarioIndex + 1] ?? "";
    const scenario = SCENARIOS[name];
    if (scenario === undefined) throw new Error(`unknown scenario ${name}`);
    const value = await scenario();
    process.stdout.write(`${JSON.stringify({ value, rssMb: process.resourceUsage().maxRSS / 1024 })}\n`);
    return;
  }
  const json = args.includes("--json");
  const runs = Number(args[args.indexOf("--runs") + 1]) || RUNS;
  const figures: Record<string, number> = {};
  let rssAt100k = 0;
  for (const name of Object.keys(SCENARIOS)) {
    const values: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < runs; i++) {
      const measured = await measureInChild(name);
      values.push(measured.value);
      rss.push(measured.rssMb);
    }
    figures[name] = round(median(values), name.includes("_per_s") ? 0 : 2);
    if (name === "write_ms_at_100k") rssAt100k = median(rss);
    if (!json)
      process.stdout.write(
        `${name.padEnd(34)} ${String(figures[name]).padStart(10)}   (median of ${runs} runs: ${values.map((v) => round(v, 1)).join(", ")})\n`,
      );
  }
  figures.rss_mb_at_100k = round(rssAt100k, 0);
  if (!json) {
    process.stdout.write(
      `${"rss_mb_at_100k".padEnd(34)} ${String(figures.rss_mb_at_100k).padStart(10)}   (peak RSS of the 100k write process, median)\n`,
    );
    process.stdout.write(
      `write_ms_at_100k / write_ms_at_1k = ${round((figures.write_ms_at_100k ?? 0) / (figures.write_ms_at_1k ?? 1))}\n`,
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
