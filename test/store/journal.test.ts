import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, expect, it } from "vitest";
import { KERNEL_TABLES } from "../../src/app/tables.js";
import { Journal, readJournal } from "../../src/store/lowdb/journal.js";
import { Layout } from "../../src/store/lowdb/layout.js";
import type { Op } from "../../src/store/tables.js";
import { town } from "./builders.js";
import { tempDir } from "./temp.js";

let dir: { path: string; remove(): Promise<void> };
let layout: Layout;

beforeEach(async () => {
  dir = await tempDir();
  layout = new Layout(dir.path);
});

afterEach(async () => {
  await dir.remove();
});

const line = (id: string) =>
  `${JSON.stringify({ v: 1, ops: [{ t: "put", table: "towns", v: town(id) }] })}\n`;
const kernelTable = (name: string) => KERNEL_TABLES.find((table) => table.name === name);
const putId = (op: Op | undefined) => (op?.t === "put" ? (op.v as { id: string }).id : undefined);

it("covers lines appended while an fdatasync is in flight with one more fdatasync", async () => {
  const journal = await Journal.create(layout, 1);

  await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append(line(`t${i}`))));
  await journal.close();

  expect(journal.stats.lines).toBe(50);
  expect(journal.stats.syncs).toBeLessThanOrEqual(2);
});

it("keeps appends in order across a rotation, each in its own segment", async () => {
  const journal = await Journal.create(layout, 1);

  const first = journal.append(line("t1"));
  const closed = journal.rotate();
  const second = journal.append(line("t2"));
  await Promise.all([first, second]);
  await journal.close();

  expect(await closed).toBe(layout.segment(1));
  expect(await readFile(layout.segment(1), "utf8")).toBe(line("t1"));
  expect(await readFile(layout.segment(2), "utf8")).toBe(line("t2"));
  const replay = await readJournal(layout, kernelTable);
  expect(replay.units.map((ops) => putId(ops[0]))).toEqual(["t1", "t2"]);
  expect(replay.next).toBe(3);
});
