import { mkdir } from "node:fs/promises";
import type { AnyTable, Table } from "../../src/app/tables.js";
import { DocumentFiles } from "../../src/store/lowdb/documents.js";
import { Layout } from "../../src/store/lowdb/layout.js";
import { acquireLock } from "../../src/store/lowdb/lock.js";
import { Manifest } from "../../src/store/lowdb/manifest.js";
import { writeChanges } from "../../src/store/lowdb/snapshot.js";
import { Tables } from "../../src/store/tables.js";

/** Records of one declared table, to be written by `bulkLoadForBench`. */
export interface BulkRecords {
  table: AnyTable;
  records: Iterable<unknown>;
}

/** Pairs a table with records of its type, so that the compiler checks them. */
export function bulk<T, I extends string>(table: Table<T, I>, records: Iterable<T>): BulkRecords {
  return { table, records };
}

/** Records put between two writes of the files: at most this many wait in memory (their keys stay). */
const FLUSH_EVERY = 20_000;

/**
 * Writes records straight into the data files, without the journal: for benchmarks and fixtures that need
 * a large history fast. `tables` are the tables to write (every table `data` names must be among them);
 * records are not validated. The directory must not be open; records already on disk are overwritten, and
 * a file shared with a table left out of `tables` loses that table's records. Records are taken from each
 * iterable as they are written, every `flushEvery` of them, so a generator can yield millions.
 *
 * @example
 * await bulkLoadForBench(dir, [...KERNEL_TABLES, Requests], [bulk(Villages, villages), bulk(Requests, requests)]);
 */
export async function bulkLoadForBench(
  dir: string,
  tables: readonly AnyTable[],
  data: readonly BulkRecords[],
  flushEvery = FLUSH_EVERY,
): Promise<void> {
  const layout = new Layout(dir);
  await mkdir(dir, { recursive: true });
  const lock = await acquireLock(layout.lock);
  try {
    const documents = new DocumentFiles(layout);
    const state = new Tables(tables, documents);
    const manifest = await Manifest.open(layout);
    const flush = async () => {
      await documents.prepare();
      await writeChanges(layout, state, documents, manifest);
    };
    let unwritten = 0;
    for (const { table, records } of data) {
      for (const v of records) {
        state.apply({ t: "put", table: table.name, v });
        if (++unwritten < flushEvery) continue;
        await flush();
        unwritten = 0;
      }
    }
    await flush();
  } finally {
    await lock.release();
  }
}
