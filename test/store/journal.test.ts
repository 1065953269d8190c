import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, expect, it } from "vitest";
import { Journal, readJournal } from "../../src/store/lowdb/journal.js";
import { Layout } from "../../src/store/lowdb/layout.js";
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

const line = (id: string) => `${JSON.stringify({ v: 1, ops: [{ t: "town", v: town(id) }] })}\n`;

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
  expect((await readJournal(layout)).units.map((ops) => ops[0]?.t === "town" && ops[0].v.id)).toEqual([
    "t1",
    "t2",
  ]);
});
