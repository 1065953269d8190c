import type { Clock } from "../app/ports.js";
import { systemClock } from "../app/ports.js";
import { type AnyTable, KERNEL_TABLES } from "../app/tables.js";
import { noPersistence, StagedStore } from "./staged.js";
import { Tables } from "./tables.js";

export interface MemoryStoreOptions {
  /** The tables to keep; the kernel's when omitted. */
  tables?: readonly AnyTable[];
  /** Stamps outbox entries; pass the clock the use cases run on. */
  clock?: Clock;
}

/** Everything in Maps, nothing on disk: the store of unit tests. */
export function createMemoryStore(options: MemoryStoreOptions = {}): StagedStore {
  const tables = new Tables(options.tables ?? KERNEL_TABLES, undefined);
  return new StagedStore(tables, noPersistence, options.clock ?? systemClock);
}
