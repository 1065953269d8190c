import { join } from "node:path";

/** Requests per bucket file: a write rewrites at most this many requests, however long the history. */
export const BUCKET_SIZE = 250;

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;
const SEGMENT = /^journal\.(\d{1,15})\.jsonl$/;
const BUCKET = /^\d{1,6}-\d{3,}\.json$/;

/**
 * Where each record lives under the data directory:
 *
 *   LOCK                                    pid of the process that has the directory open
 *   journal.<n>.jsonl                       committed units not yet in the files below
 *   directory.json                          towns, villages, group bindings, counters
 *   villages/<villageId>/roster.json        members and households of one village
 *   villages/<villageId>/requests/<year>-<bucket>.json   up to 250 requests: seq 1-250 in bucket 000, ...
 *   conversations.json, processed.json, outbox.json
 */
export class Layout {
  constructor(readonly root: string) {}

  get lock(): string {
    return join(this.root, "LOCK");
  }

  get directory(): string {
    return join(this.root, "directory.json");
  }

  get conversations(): string {
    return join(this.root, "conversations.json");
  }

  get processed(): string {
    return join(this.root, "processed.json");
  }

  get outbox(): string {
    return join(this.root, "outbox.json");
  }

  get villages(): string {
    return join(this.root, "villages");
  }

  roster(villageId: string): string {
    return join(this.villages, safeId(villageId), "roster.json");
  }

  requests(villageId: string): string {
    return join(this.villages, safeId(villageId), "requests");
  }

  bucket(request: { villageId: string; year: number; seq: number }): string {
    const bucket = String(Math.floor((request.seq - 1) / BUCKET_SIZE)).padStart(3, "0");
    return join(this.requests(request.villageId), `${request.year}-${bucket}.json`);
  }

  segment(n: number): string {
    return join(this.root, `journal.${n}.jsonl`);
  }
}

/** Journal segment numbers among a directory's file names, in order. */
export function segmentNumbers(names: readonly string[]): number[] {
  const numbers: number[] = [];
  for (const name of names) {
    const match = SEGMENT.exec(name);
    if (match?.[1] !== undefined) numbers.push(Number(match[1]));
  }
  return numbers.sort((a, b) => a - b);
}

export function isBucketFile(name: string): boolean {
  return BUCKET.test(name);
}

export function isSafeId(id: string): boolean {
  return SAFE_ID.test(id);
}

/** Ids become directory names, so they must be plain ASCII words. */
export function safeId(id: string): string {
  if (!isSafeId(id))
    throw new Error(`Village id ${JSON.stringify(id)} cannot name a directory (use [A-Za-z0-9_-]).`);
  return id;
}
