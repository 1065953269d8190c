import { join } from "node:path";
import { type FileSystem, nodeFileSystem } from "./files.js";

/** The folder of outbox buckets. */
export const OUTBOX_DIR = "outbox";

const SAFE_SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$/;
const SEGMENT = /^journal\.(\d{1,15})\.jsonl$/;

/** Files and folders of the data directory that hold no table. */
export const NOT_TABLE_FILES: ReadonlySet<string> = new Set([
  "manifest.json",
  "processed.json",
  "outbox.json",
  OUTBOX_DIR,
  "counters.json",
  "holidays.json",
  "local-chat",
  "uploads",
]);

/**
 * Where each record lives under the data directory. Tables say which file each record goes in
 * (`Table.file`); a file holds `{ "schemaVersion": 1, "<table name>": [records…] }` for one or more tables:
 *
 *   LOCK                                     pid of the process that has the directory open
 *   journal.<n>.jsonl                        committed units not yet in the files below
 *   directory.json                           towns, villages, group bindings
 *   villages/<villageId>/roster.json         members and households of one village
 *   villages/<villageId>/requests/<year>-<bucket>.json   up to 250 requests each
 *   conversations.json                       steps waiting for a typed answer
 *   counters.json, processed.json, outbox.json (outbox counter, dead letters, ids of keyed messages sent)
 *   outbox/<bucket>.json                     messages waiting to be sent, spread over 64 files
 *   manifest.json                            every file above the store has written (a missing one stops start-up)
 */
export class Layout {
  constructor(
    readonly root: string,
    /** The file layer every read and write goes through. */
    readonly files: FileSystem = nodeFileSystem,
  ) {}

  get lock(): string {
    return join(this.root, "LOCK");
  }

  get manifest(): string {
    return join(this.root, "manifest.json");
  }

  /** A path below the root from its "/"-separated relative name (any file the store writes). */
  absolute(relative: string): string {
    const parts = relative.split("/");
    if (parts.some((part) => !SAFE_SEGMENT.test(part)))
      throw new Error(`Not a data file name: ${JSON.stringify(relative)}`);
    return join(this.root, ...parts);
  }

  get counters(): string {
    return join(this.root, "counters.json");
  }

  get processed(): string {
    return join(this.root, "processed.json");
  }

  get outbox(): string {
    return join(this.root, "outbox.json");
  }

  outboxBucket(bucket: number): string {
    return join(this.root, OUTBOX_DIR, `${bucket}.json`);
  }

  /** The absolute path of a table file; throws for a path that could leave the data directory. */
  file(relative: string): string {
    const parts = relative.split("/");
    if (
      !relative.endsWith(".json") ||
      parts.some((part) => !SAFE_SEGMENT.test(part)) ||
      NOT_TABLE_FILES.has(parts[0] ?? "")
    )
      throw new Error(
        `A table file must be a plain relative path ending in .json, not ${JSON.stringify(relative)}.`,
      );
    return join(this.root, ...parts);
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
