import { monitorEventLoopDelay, performance } from "node:perf_hooks";
import type { App } from "../../src/app/create-app.js";
import { inUnit, type Unit } from "../../src/app/deps.js";
import { Members, roleKey } from "../../src/app/tables.js";
import type { Member } from "../../src/domain/model.js";
import {
  noteIn,
  Requests,
  rateRequestIn,
  type SubmitRequestInput,
  submitRequestIn,
} from "../../src/features/requests/index.js";
import { takeRequestIn } from "../../src/features/requests/use-cases.js";
import { historyRequestId, staysOpen } from "./history.js";
import { percentile } from "./stats.js";

export interface LoadOptions {
  /** Requests of the history on record (the old requests worked on are picked among them). */
  history: number;
  /** Writes started per second, on a schedule, whether or not earlier ones are done (an open loop). */
  perSecond: number;
  warmUpMs: number;
  durationMs: number;
  /** One write in this many works on an old request instead of submitting a new one. */
  oldEvery: number;
  /** The new submission of write `i`. */
  submission: (i: number) => SubmitRequestInput;
}

export interface LoadFigures {
  writeP99Ms: number;
  writeMedianMs: number;
  /** The longest the event loop was blocked: the monitor's maximum less its resolution. */
  stallMaxMs: number;
  writesPerSecond: number;
  oldUpdates: number;
  /** Outbox entries not yet marked sent when the run ended. */
  backlog: number;
}

const LOOP_RESOLUTION_MS = 5;
/** Spreads consecutive old updates over the history's files (coprime with the number of open requests). */
const STRIDE = 7_919;

/**
 * Writes started on a fixed schedule (`perSecond`, an open loop: a slow write does not slow the arrivals,
 * as villagers do not wait for each other) on an open store, for long enough to run through many
 * checkpoints: new submissions, and every `oldEvery`-th write a step in the life of an old request (taken,
 * resolved, reopened by a 不满意, resolved again…) through the use cases, so old files are read and rewritten
 * too. A write's latency runs from when it was due to start until it is durable. A drainer marks outbox
 * entries sent, as the dispatcher would, so the outbox does not grow without bound.
 */
export async function writesUnderLoad(app: App, options: LoadOptions): Promise<LoadFigures> {
  const open = openHistoryRequests(options.history);
  let oldUpdates = 0;
  let running = true;
  let measuring = false;
  const latencies: number[] = [];
  const inFlight = new Set<Promise<void>>();
  const write = async (i: number) => {
    if (i % options.oldEvery !== 0) return submit(app, options.submission(i));
    if (measuring) oldUpdates++;
    return advanceOldRequest(app, open[((i / options.oldEvery) * STRIDE) % open.length] ?? "");
  };
  const drainer = drain(app, () => running);
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  const start = performance.now();
  const gapMs = 1_000 / options.perSecond;
  const endMs = options.warmUpMs + options.durationMs;
  let writes = 0;
  for (let i = 0; ; i++) {
    const due = i * gapMs;
    if (due >= endMs) break;
    const now = performance.now() - start;
    if (due > now) await sleep(due - now);
    if (!measuring && due >= options.warmUpMs) {
      measuring = true;
      loop.enable();
    }
    const counted = measuring;
    const done: Promise<void> = write(i).then(() => {
      if (counted) latencies.push(performance.now() - start - due);
      inFlight.delete(done);
    });
    inFlight.add(done);
    if (counted) writes++;
  }
  await Promise.all(inFlight);
  loop.disable();
  running = false;
  await drainer;
  return {
    writeP99Ms: percentile(latencies, 0.99),
    writeMedianMs: percentile(latencies, 0.5),
    stallMaxMs: Math.max(0, loop.max / 1e6 - LOOP_RESOLUTION_MS),
    writesPerSecond: writes / (options.durationMs / 1000),
    oldUpdates,
    backlog: (await app.store.due(new Date("2100-01-01"), Number.MAX_SAFE_INTEGER)).length,
  };
}

/** Ids of the history's requests still open at the start, each with a life ahead of it. */
function openHistoryRequests(count: number): string[] {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) if (staysOpen(i)) ids.push(historyRequestId(i));
  if (ids.length === 0) throw new Error("the history has no open requests to work on");
  return ids;
}

async function submit(app: App, input: SubmitRequestInput): Promise<void> {
  const result = await inUnit(app.deps, (unit) => submitRequestIn(unit, input));
  if (!result.ok) throw new Error(`submission refused: ${result.reason}`);
}

/** The next step in an old request's life: its village's first grid worker takes and resolves it, its requester reopens it. */
async function advanceOldRequest(app: App, requestId: string): Promise<void> {
  const result = await inUnit(app.deps, async (unit) => {
    const request = await unit.tx.get(Requests, requestId);
    if (request === undefined) throw new Error(`no request ${requestId}`);
    const [worker] = await unit.tx.find(Members, "role", roleKey(request.villageId, "grid_worker"));
    if (worker === undefined) throw new Error(`no grid worker in ${request.villageId}`);
    switch (request.state) {
      case "submitted":
        return takeRequestIn(unit, worker, requestId);
      case "accepted":
      case "in_progress":
        return noteIn(unit, worker, requestId, "resolve", "已修好，换了新灯泡。");
      case "resolved":
        return rateRequestIn(
          unit,
          await member(unit, request.requesterId),
          requestId,
          "not_satisfied",
          "还是不亮。",
        );
      default:
        throw new Error(`request ${requestId} is ${request.state}; the bench expects it open`);
    }
  });
  if (!result.ok) throw new Error(`old request ${requestId} refused: ${result.reason}`);
}

async function member(unit: Unit, id: string): Promise<Member> {
  const found = await unit.tx.get(Members, id);
  if (found === undefined) throw new Error(`no member ${id}`);
  return found;
}

/** A dispatcher that keeps up: every due entry is marked sent (one more commit each). */
async function drain(app: App, running: () => boolean): Promise<void> {
  while (running()) {
    const due = await app.store.due(new Date("2100-01-01"), 1_000);
    await app.store.markSent(due.map((entry) => ({ id: entry.id, revision: entry.revision ?? 0 })));
    if (due.length === 0) await sleep(5);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
