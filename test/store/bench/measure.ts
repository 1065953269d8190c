// Commits per second on a lowdb store holding a small and a large history (not a test).
// Run: node --import tsx test/store/bench/measure.ts [seconds]
import { spawnSync } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { bulk, bulkLoadForBench } from "../../../scripts/bench/bulk-load.js";
import { KERNEL_TABLES, Members, Towns, Villages } from "../../../src/app/tables.js";
import { Requests, requestSequence } from "../../../src/features/requests/tables.js";
import { openLowdbStore } from "../../../src/store/lowdb/index.js";
import { member, request, target, text, town, village } from "../builders.js";
import { tempDir } from "../temp.js";

const seconds = Number(process.argv[2] ?? 5);
const self = fileURLToPath(import.meta.url);
const VILLAGES = 10;
const LANES = 64;
const TABLES = [...KERNEL_TABLES, Requests];
const TEXT = "村东头桥边的路灯坏了，晚上孩子放学回家很危险，请尽快派人修理。".repeat(8);

function bigRequest(villageId: string, seq: number) {
  const r = request(seq, {
    villageId,
    requesterId: `m${seq % 50}`,
    text: TEXT,
    state: seq % 3 === 0 ? "rated" : "accepted",
  });
  return { ...r, id: `V${villageId}-2026-${seq}` };
}

async function bench(history: number): Promise<void> {
  const dir = await tempDir();
  try {
    let started = performance.now();
    // A separate process loads the history, so that this one starts as a fresh server would.
    const loaded = spawnSync(process.execPath, [
      "--import",
      "tsx",
      self,
      "--load",
      dir.path,
      String(history),
    ]);
    if (loaded.status !== 0) throw new Error(loaded.stderr.toString());
    const loadMs = performance.now() - started;
    const bytes = await sizeOf(dir.path);

    started = performance.now();
    const store = await openLowdbStore(dir.path, {
      tables: TABLES,
      checkpointDelayMs: Number(process.env.CHECKPOINT_MS ?? 200),
    });
    const openMs = performance.now() - started;
    globalThis.gc?.();
    const rssAfterOpen = process.memoryUsage().rss;
    const heapAfterOpen = process.memoryUsage().heapUsed;

    let commits = 0;
    let running = true;
    let latencies: number[] = [];
    const lane = async (n: number) => {
      while (running) {
        const t0 = performance.now();
        await store.transaction(async (tx) => {
          const villageId = `v${((n + commits) % VILLAGES) + 1}`;
          const seq = await tx.nextNumber(requestSequence(villageId, 2026));
          tx.put(Requests, bigRequest(villageId, seq));
          tx.enqueue(target(`a${n}`), text("notify.new_request"));
          tx.enqueue(target(`b${n}`), text("submit.receipt"));
        });
        latencies.push(performance.now() - t0);
        commits += 1;
      }
    };
    const drain = async () => {
      while (running) {
        // A dispatcher that keeps up: every entry is sent and marked sent (one more commit each).
        const due = await store.due(new Date("2100-01-01"), 1_000);
        await Promise.all(due.map((e) => store.markSent(e.id)));
        if (due.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    // warm-up
    running = true;
    const warm = Array.from({ length: LANES }, (_, n) => lane(n));
    const drainer = drain();
    await new Promise((resolve) => setTimeout(resolve, 500));
    commits = 0;
    latencies = [];
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const elapsed = (performance.now() - started) / 1000;
    const measured = commits;
    loop.disable();
    running = false;
    await Promise.all([...warm, drainer]);
    const backlog = (await store.due(new Date("2100-01-01"), 1e9)).length;
    const { rss, heapTotal, external } = process.memoryUsage();
    globalThis.gc?.();
    const heap = process.memoryUsage().heapUsed;
    await store.close();
    latencies.sort((a, b) => a - b);
    const p = (q: number) => latencies[Math.floor(latencies.length * q)]?.toFixed(1);
    console.log(
      JSON.stringify({
        history,
        dataMB: (bytes / 1e6).toFixed(1),
        bulkLoadS: (loadMs / 1000).toFixed(1),
        openS: (openMs / 1000).toFixed(2),
        commitsPerSecond: Math.round(measured / elapsed),
        outboxBacklogAtEnd: backlog,
        latencyMs: { p50: p(0.5), p99: p(0.99) },
        eventLoopBlockedMs: { p99: Math.round(loop.percentile(99) / 1e6), max: Math.round(loop.max / 1e6) },
        rssMB: { afterOpen: Math.round(rssAfterOpen / 1e6), afterRun: Math.round(rss / 1e6) },
        heapMB: { afterOpen: Math.round(heapAfterOpen / 1e6), afterRun: Math.round(heap / 1e6) },
        atEndOfRunMB: { heapTotal: Math.round(heapTotal / 1e6), external: Math.round(external / 1e6) },
      }),
    );
  } finally {
    await dir.remove();
  }
}

async function sizeOf(path: string): Promise<number> {
  const info = await stat(path);
  if (!info.isDirectory()) return info.size;
  let total = 0;
  for (const name of await readdir(path)) total += await sizeOf(join(path, name));
  return total;
}

async function load(dir: string, history: number): Promise<void> {
  const villages = Array.from({ length: VILLAGES }, (_, i) => village(`v${i + 1}`));
  await bulkLoadForBench(dir, TABLES, [
    bulk(Towns, [town("t1")]),
    bulk(Villages, villages),
    bulk(
      Members,
      villages.flatMap((v) => Array.from({ length: 50 }, (_, i) => member(`${v.id}m${i}`, v.id))),
    ),
    bulk(
      Requests,
      (function* () {
        for (let i = 0; i < history; i++)
          yield bigRequest(`v${(i % VILLAGES) + 1}`, Math.floor(i / VILLAGES) + 1);
      })(),
    ),
  ]);
}

if (process.argv[2] === "--load") await load(process.argv[3] ?? "", Number(process.argv[4]));
else if (process.argv[3] !== undefined) await bench(Number(process.argv[3]));
else for (const n of [1_000, 100_000]) await bench(n);
