import { expect, it } from "vitest";
import { z } from "zod";
import type { Transaction } from "../../src/app/ports.js";
import { defineTable } from "../../src/app/tables.js";
import { openLowdbStore, type SetTimer } from "../../src/store/lowdb/index.js";
import { createMemoryStore } from "../../src/store/memory.js";
import type { StagedStore } from "../../src/store/staged.js";
import { target, text } from "./builders.js";
import { SimFiles } from "./power-loss/sim-files.js";

/**
 * Power loss at every step of a workload, as SQLite tests itself: the store runs on SimFiles, which can say
 * at any moment what a power loss would leave on disk. After every write, rename, sync and removal the test
 * takes that image (only what was synced; and, separately, what a disk that also kept some unsynced writes
 * would leave), opens a store on it and checks: it opens (no file is corrupt), it holds exactly the work of
 * the first m units for some m (nothing half there), and m covers every unit acknowledged by then. Closing
 * and opening again must give the same. A short run is part of `npm test`; `npm run test:power-loss` runs
 * many seeds. A failure names its seed: `POWER_LOSS_SEED=<seed> npx vitest run test/store/power-loss.test.ts`.
 */

const Shelf = z.object({ id: z.string(), room: z.string(), label: z.string(), rev: z.number().int() });

/** Kept in memory; a shelf moves between files when its room changes. */
const Shelves = defineTable({
  name: "shelves",
  schema: Shelf,
  key: (shelf) => shelf.id,
  indexes: { room: (shelf) => shelf.room },
  file: (shelf) => `rooms/${shelf.room}.json`,
  ids: { counter: "shelf", prefix: "s" },
});

const Card = z.object({
  id: z.string(),
  seq: z.number().int().positive(),
  tag: z.string(),
  open: z.boolean(),
  rev: z.number().int(),
});

/** Not kept in memory: files of 6 cards, each with a keys file, like request buckets. */
const Cards = defineTable({
  name: "cards",
  schema: Card,
  key: (card) => card.id,
  indexes: { tag: (card) => card.tag, open: (card) => (card.open ? "open" : undefined) },
  file: (card) => `cards/${String(Math.floor((card.seq - 1) / 6)).padStart(3, "0")}.json`,
  resident: false,
  sequence: (card) => ({ name: "cards", n: card.seq }),
});

const TABLES = [Shelves, Cards];
const ROOMS = ["east", "west", "north"];
const TAGS = ["lamp", "road", "water"];
const ROOT = "/data";
const FAR_FUTURE = new Date("2100-01-01T00:00:00Z");
const clock = { now: () => new Date("2026-03-02T08:00:00.000Z") };

function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)] as T;

/** One unit of work: a transaction, or marking the oldest outbox entry sent. */
type Unit = { kind: "transaction"; work: (tx: Transaction) => Promise<void> } | { kind: "sent" };

function unitOf(seed: number, index: number): Unit {
  const random = seeded(seed * 7919 + index);
  const roll = random();
  if (roll < 0.1) return { kind: "sent" };
  return {
    kind: "transaction",
    async work(tx) {
      tx.markProcessed(`u${index}`);
      if (roll < 0.35) {
        const id = await tx.nextId(Shelves);
        tx.put(Shelves, { id, room: pick(random, ROOMS), label: `u${index}`, rev: 0 });
        tx.enqueue(target(`c${index}`), text(`u${index}`));
        return;
      }
      if (roll < 0.6) {
        const seq = await tx.nextNumber("cards");
        tx.put(Cards, { id: `k${seq}`, seq, tag: pick(random, TAGS), open: true, rev: 0 });
        tx.enqueue(target(`c${index}`), text(`u${index}`));
        return;
      }
      if (roll < 0.8) {
        // An old card changes, so old files are written too, not only the newest.
        const cards = await tx.all(Cards);
        if (cards.length === 0) return;
        const card = pick(random, cards);
        tx.put(Cards, { ...card, open: !card.open, tag: pick(random, TAGS), rev: card.rev + 1 });
        return;
      }
      const shelves = await tx.all(Shelves);
      if (shelves.length === 0) return;
      const shelf = pick(random, shelves);
      if (roll < 0.9) tx.put(Shelves, { ...shelf, room: pick(random, ROOMS), rev: shelf.rev + 1 });
      else if (roll < 0.95) tx.delete(Shelves, shelf.id);
      else tx.delete(Cards, pick(random, await tx.all(Cards))?.id ?? "none");
    },
  };
}

async function runUnit(store: StagedStore, unit: Unit): Promise<void> {
  if (unit.kind === "transaction") {
    await store.transaction(unit.work);
    return;
  }
  const [oldest] = await store.due(FAR_FUTURE, 1);
  if (oldest !== undefined) await store.markSent([{ id: oldest.id, revision: 0 }]);
}

class Dumped {
  constructor(readonly text: string) {}
}

/** Everything the store holds that the workload can change, as one string. */
async function dump(store: StagedStore, units: number): Promise<string> {
  const outbox = (await store.due(FAR_FUTURE, 1_000_000)).map(
    (entry) => `${entry.id}:${entry.target.chatId}`,
  );
  try {
    await store.transaction(async (tx) => {
      const byId = (a: { id: string }, b: { id: string }) => a.id.localeCompare(b.id);
      const ids = (list: { id: string }[]) => list.map((one) => one.id).sort();
      const shelves = (await tx.all(Shelves)).sort(byId);
      const cards = (await tx.all(Cards)).sort(byId);
      const index = {
        rooms: await Promise.all(ROOMS.map(async (room) => ids(await tx.find(Shelves, "room", room)))),
        tags: await Promise.all(TAGS.map(async (tag) => ids(await tx.find(Cards, "tag", tag)))),
        open: ids(await tx.find(Cards, "open", "open")),
      };
      const processed: number[] = [];
      for (let i = 0; i < units; i++) if (await tx.hasProcessed(`u${i}`)) processed.push(i);
      const next = { shelf: await tx.nextId(Shelves), card: await tx.nextNumber("cards") };
      throw new Dumped(JSON.stringify({ shelves, cards, index, processed, next, outbox }));
    });
  } catch (error) {
    if (error instanceof Dumped) return error.text;
    throw error;
  }
  throw new Error("unreachable");
}

/** The state after each prefix of the units, run one by one on the memory store. */
async function expectedStates(seed: number, units: number): Promise<Map<string, number>> {
  const store = createMemoryStore({ tables: TABLES, clock });
  const states = new Map<string, number>([[await dump(store, units), 0]]);
  for (let i = 0; i < units; i++) {
    await runUnit(store, unitOf(seed, i));
    const state = await dump(store, units);
    if (!states.has(state)) states.set(state, i + 1);
    else states.set(state, Math.max(states.get(state) ?? 0, i + 1));
  }
  return states;
}

interface CrashPoint {
  step: number;
  mode: "synced" | "torn";
  image: Map<string, Buffer>;
  /** Units acknowledged before this step. */
  acknowledged: number;
}

/**
 * Runs the workload on SimFiles, units started in small concurrent waves (so commits group) with
 * checkpoints fired at random moments, and takes both crash images after every step.
 */
async function crashPoints(seed: number, units: number): Promise<CrashPoint[]> {
  const random = seeded(seed);
  const files = new SimFiles(random);
  const timers: (() => void)[] = [];
  const setTimer: SetTimer = (run) => {
    timers.push(run);
    return () => timers.splice(timers.indexOf(run) >>> 0, 1);
  };
  const store = await openLowdbStore(ROOT, { tables: TABLES, clock, files, setTimer });
  let acknowledged = 0;
  const points: CrashPoint[] = [];
  files.onStep = () => {
    for (const mode of ["synced", "torn"] as const)
      points.push({ step: files.steps, mode, image: files.crashImage(mode), acknowledged });
  };
  const acks: boolean[] = [];
  const acknowledge = (index: number) => {
    acks[index] = true;
    while (acks[acknowledged] === true) acknowledged += 1;
  };
  let next = 0;
  while (next < units) {
    const wave: Promise<void>[] = [];
    const size = 1 + Math.floor(random() * 4);
    for (let i = 0; i < size && next < units; i++) {
      const index = next++;
      const unit = unitOf(seed, index);
      // Marking sent commits outside the transaction queue: start it only once the units before it are in.
      if (unit.kind === "sent") await Promise.all(wave);
      wave.push(runUnit(store, unit).then(() => acknowledge(index)));
    }
    if (random() < 0.4) {
      for (let hops = Math.floor(random() * 12); hops > 0; hops--) await Promise.resolve();
      timers.shift()?.();
    }
    await Promise.all(wave);
  }
  // Checkpoints must have run between units, or the test would prove nothing about them.
  if (files.renames < units / 2)
    throw new Error(`Only ${files.renames} files were written during the workload: checkpoints did not run.`);
  await store.close();
  return points;
}

/** Opens a store on a crash image and returns its state, or says why it could not. */
async function recover(image: Map<string, Buffer>, seed: number, units: number, where: string) {
  const files = new SimFiles(seeded(seed), image);
  const recovery: Map<string, Buffer>[] = [];
  files.onStep = () => recovery.push(files.crashImage("synced"));
  let state: string;
  try {
    const store = await openLowdbStore(ROOT, { tables: TABLES, clock, files });
    state = await dump(store, units);
    await store.close();
  } catch (error) {
    throw new Error(`After a power loss at ${where}, the store did not open: ${String(error)}`);
  }
  files.onStep = undefined;
  return { state, files, recovery };
}

/**
 * Checks every crash point; at every `nested`th one, also a second power loss at each step of the recovery
 * (the store writing its files and dropping replayed journal segments as it opens).
 */
async function check(seed: number, units: number, nested: number): Promise<number> {
  const expected = await expectedStates(seed, units);
  const points = await crashPoints(seed, units);
  let checked = 0;
  const expectPrefix = (state: string, acknowledged: number, where: string) => {
    const prefix = expected.get(state);
    if (prefix === undefined)
      throw new Error(
        `After a power loss at ${where}, the store holds a state no prefix of the units gives.`,
      );
    if (prefix < acknowledged)
      throw new Error(
        `After a power loss at ${where}, units up to ${acknowledged} were acknowledged but only ${prefix} are there.`,
      );
  };
  for (const [at, point] of points.entries()) {
    const where = `seed ${seed}, step ${point.step}, ${point.mode} (rerun: POWER_LOSS_SEED=${seed} npx vitest run test/store/power-loss.test.ts)`;
    const { state, files, recovery } = await recover(point.image, seed + point.step, units, where);
    expectPrefix(state, point.acknowledged, where);
    checked += 1;
    const again = await openLowdbStore(ROOT, { tables: TABLES, clock, files });
    const reopened = await dump(again, units);
    await again.close();
    if (reopened !== state)
      throw new Error(`After a power loss at ${where}, opening a second time gave a different state.`);
    if (at % nested !== 0) continue;
    for (const [step, image] of recovery.entries()) {
      const twice = `${where}, then at step ${step + 1} of the recovery`;
      const second = await recover(image, seed + step, units, twice);
      if (second.state !== state)
        throw new Error(`After a power loss at ${twice}, the store holds other work than the recovery had.`);
      checked += 1;
    }
  }
  return checked;
}

const fixedSeed = Number(process.env.POWER_LOSS_SEED) || undefined;
const runs = Number(process.env.POWER_LOSS_RUNS) || 1;
const seeds = Array.from(
  { length: runs },
  (_, run) => fixedSeed ?? (run === 0 ? 20261123 : Math.floor(Math.random() * 2 ** 31)),
);

// One test per seed, so a long run shows its progress and each seed has its own time limit.
for (const seed of seeds) {
  it(`keeps every acknowledged unit, and no unit in part, after a power loss at any step (seed ${seed})`, async () => {
    const checked = await check(seed, runs > 1 ? 300 : 80, runs > 1 ? 20 : 100);
    expect(checked).toBeGreaterThan(1_000);
  }, 600_000);
}
