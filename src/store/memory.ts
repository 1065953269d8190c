import type { Clock } from "../app/ports.js";
import type { ServiceRequest } from "../domain/model.js";
import { noPersistence, StagedStore, systemClock } from "./staged.js";
import { type RequestDocs, type RequestSummary, Tables } from "./tables.js";

/** Full request documents in a Map. */
class MemoryRequestDocs implements RequestDocs {
  private readonly docs = new Map<string, ServiceRequest>();

  async get(summary: RequestSummary): Promise<ServiceRequest | undefined> {
    return this.docs.get(summary.id);
  }

  put(request: ServiceRequest): void {
    this.docs.set(request.id, request);
  }
}

export interface MemoryStoreOptions {
  /** Stamps outbox entries; pass the clock the use cases run on. */
  clock?: Clock;
}

/** Everything in Maps, nothing on disk: the store of unit tests. */
export function createMemoryStore(options: MemoryStoreOptions = {}): StagedStore {
  return new StagedStore(new Tables(new MemoryRequestDocs()), noPersistence, options.clock ?? systemClock);
}
