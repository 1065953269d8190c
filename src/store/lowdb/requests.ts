import type { ServiceRequest } from "../../domain/model.js";
import type { RequestDocs, RequestSummary } from "../tables.js";
import { readDataFile } from "./files.js";
import type { Layout } from "./layout.js";
import { BucketFile } from "./schema.js";

type Bucket = Map<string, ServiceRequest>;

/**
 * Full request documents, kept in their bucket files. Committed puts wait in `pending` (by file) until a
 * checkpoint folds them into the bucket and writes it; read buckets are cached, least recently used out.
 * A bucket with pending changes or a write in flight stays cached, so its cached copy is always current.
 */
export class RequestFiles implements RequestDocs {
  private readonly pending = new Map<string, Map<string, ServiceRequest | null>>();
  private readonly cache = new Map<string, Bucket>();
  private readonly loading = new Map<string, Promise<Bucket>>();
  private readonly writing = new Set<string>();

  constructor(
    private readonly layout: Layout,
    private readonly capacity = 32,
  ) {}

  async get(summary: RequestSummary): Promise<ServiceRequest | undefined> {
    const path = this.layout.bucket(summary);
    const bucket = await this.bucket(path);
    const pending = this.pending.get(path)?.get(summary.id);
    if (pending !== undefined) return pending ?? undefined;
    return bucket.get(summary.id);
  }

  put(request: ServiceRequest, previous: RequestSummary | undefined): void {
    const path = this.layout.bucket(request);
    if (previous !== undefined) {
      const previousPath = this.layout.bucket(previous);
      if (previousPath !== path) this.changesOf(previousPath).set(request.id, null);
    }
    this.changesOf(path).set(request.id, request);
  }

  /** Loads every bucket that has pending changes, so that `take` can run without waiting. */
  async prepare(): Promise<void> {
    for (;;) {
      const missing = [...this.pending.keys()].filter((path) => !this.cache.has(path));
      if (missing.length === 0) return;
      await Promise.all(missing.map((path) => this.bucket(path)));
    }
  }

  /** Folds pending changes into their cached buckets and returns the files to write. Call after `prepare`. */
  take(): { path: string; data: BucketFile }[] {
    const files: { path: string; data: BucketFile }[] = [];
    for (const [path, changes] of this.pending) {
      const bucket = this.cache.get(path);
      if (bucket === undefined) throw new Error(`Bucket ${path} was not prepared.`);
      for (const [id, request] of changes) {
        if (request === null) bucket.delete(id);
        else bucket.set(id, request);
      }
      this.writing.add(path);
      const requests = [...bucket.values()].sort((a, b) => a.seq - b.seq);
      files.push({ path, data: { schemaVersion: 1, requests } });
    }
    this.pending.clear();
    return files;
  }

  /** The files `take` returned are on disk. */
  written(paths: readonly string[]): void {
    for (const path of paths) this.writing.delete(path);
    this.evict();
  }

  private changesOf(path: string): Map<string, ServiceRequest | null> {
    let changes = this.pending.get(path);
    if (changes === undefined) {
      changes = new Map();
      this.pending.set(path, changes);
    }
    return changes;
  }

  private bucket(path: string): Promise<Bucket> {
    const cached = this.cache.get(path);
    if (cached !== undefined) {
      this.cache.delete(path);
      this.cache.set(path, cached);
      return Promise.resolve(cached);
    }
    let loading = this.loading.get(path);
    if (loading === undefined) {
      loading = this.load(path);
      this.loading.set(path, loading);
      const done = () => this.loading.delete(path);
      loading.then(done, done);
    }
    return loading;
  }

  private async load(path: string): Promise<Bucket> {
    const file = await readDataFile(path, BucketFile);
    const bucket: Bucket = new Map(file?.requests.map((request) => [request.id, request]));
    this.cache.set(path, bucket);
    this.evict();
    return bucket;
  }

  private evict(): void {
    for (const path of this.cache.keys()) {
      if (this.cache.size <= this.capacity) return;
      if (!this.pending.has(path) && !this.writing.has(path)) this.cache.delete(path);
    }
  }
}
