import { mkdir } from "node:fs/promises";
import type { Member, ServiceRequest, Town, Village } from "../../domain/model.js";
import { Tables } from "../tables.js";
import { Layout } from "./layout.js";
import { acquireLock } from "./lock.js";
import { RequestFiles } from "./requests.js";
import { writeChanges } from "./snapshot.js";

export interface BulkData {
  towns?: Iterable<Town>;
  villages?: Iterable<Village>;
  members?: Iterable<Member>;
  requests?: Iterable<ServiceRequest>;
}

/**
 * Writes records straight into the data files, without the journal: for benchmarks and fixtures that need
 * a large history fast. The directory must not be open; records already on disk are overwritten.
 */
export async function bulkLoadForBench(dir: string, data: BulkData): Promise<void> {
  const layout = new Layout(dir);
  await mkdir(dir, { recursive: true });
  const lock = await acquireLock(layout.lock);
  try {
    const requests = new RequestFiles(layout);
    const tables = new Tables(requests);
    for (const v of data.towns ?? []) tables.apply({ t: "town", v });
    for (const v of data.villages ?? []) tables.apply({ t: "village", v });
    for (const v of data.members ?? []) tables.apply({ t: "member", v });
    for (const v of data.requests ?? []) tables.apply({ t: "request", v });
    await requests.prepare();
    await writeChanges(layout, tables, requests);
  } finally {
    await lock.release();
  }
}
