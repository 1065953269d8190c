import type { AnyTable } from "../../app/tables.js";
import type { Op } from "../tables.js";
import { CorruptDataFileError } from "./errors.js";
import { type AppendFile, checksum } from "./files.js";
import { type Layout, segmentNumbers } from "./layout.js";
import { JournalLine } from "./schema.js";

interface Line {
  text: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Rotation {
  resolve: (closedSegment: string) => void;
  reject: (error: unknown) => void;
}

type Item = Line | Rotation;

/**
 * The write-ahead journal: one JSON line per committed unit, appended to the current segment file.
 *
 * Group commit: lines queue up while a write + fdatasync is in flight, and the next round writes them all
 * with one fdatasync; each line's promise resolves after the fdatasync that covers it.
 * `rotate()` starts a new segment, so a checkpoint can drop the old one once the data files reflect it.
 */
export class Journal {
  private readonly items: Item[] = [];
  private draining: Promise<void> | undefined;
  private failure: unknown;
  /** Lines written and fdatasyncs done so far. */
  readonly stats = { lines: 0, syncs: 0 };

  /** The next segment, opened (and its name synced) ahead, so a rotation holds no line up. */
  private upcoming: Promise<AppendFile>;

  private constructor(
    private readonly layout: Layout,
    private segment: number,
    private handle: AppendFile,
  ) {
    this.upcoming = this.openAhead();
  }

  static async create(layout: Layout, segment: number): Promise<Journal> {
    return new Journal(layout, segment, await openSegment(layout, segment));
  }

  append(text: string): Promise<void> {
    return this.push((resolve, reject) => ({ text, resolve, reject }));
  }

  /** Sends later lines to a new segment; resolves with the old segment's path once it is durable and closed. */
  rotate(): Promise<string> {
    return this.push<string>((resolve, reject) => ({ resolve, reject }));
  }

  async close(): Promise<void> {
    await this.draining;
    await this.handle.close();
    const upcoming = await this.upcoming.catch(() => undefined);
    if (upcoming === undefined) return;
    await upcoming.close();
    await this.layout.files.remove(this.layout.segment(this.segment + 1));
  }

  private openAhead(): Promise<AppendFile> {
    const opening = openSegment(this.layout, this.segment + 1);
    // A failure here is met at the next rotation, which awaits it.
    opening.catch(() => undefined);
    return opening;
  }

  private push<T>(item: (resolve: (value: T) => void, reject: (error: unknown) => void) => Item): Promise<T> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.items.push(item(resolve, reject));
      this.kick();
    });
  }

  private kick(): void {
    if (this.draining !== undefined) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.items.length > 0) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.items.length > 0) {
      const next = this.items[0];
      if (next !== undefined && !("text" in next)) {
        this.items.shift();
        await this.settle([next], () => this.startNextSegment(next));
        continue;
      }
      const end = this.items.findIndex((item) => !("text" in item));
      const batch = this.items.splice(0, end < 0 ? this.items.length : end) as Line[];
      await this.settle(batch, async () => {
        await this.handle.append(batch.map((line) => line.text).join(""));
        await this.handle.datasync();
        this.stats.lines += batch.length;
        this.stats.syncs += 1;
        for (const line of batch) line.resolve();
      });
    }
  }

  private async startNextSegment(rotation: Rotation): Promise<void> {
    const closed = this.layout.segment(this.segment);
    const previous = this.handle;
    this.handle = await this.upcoming;
    this.segment += 1;
    this.upcoming = this.openAhead();
    await previous.close();
    rotation.resolve(closed);
  }

  /** Runs one step; if it fails, it and everything queued behind it fail, and so will later calls. */
  private async settle(current: Item[], step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.failure = error;
      for (const item of [...current, ...this.items.splice(0)]) item.reject(error);
    }
  }
}

async function openSegment(layout: Layout, segment: number): Promise<AppendFile> {
  const handle = await layout.files.openAppend(layout.segment(segment));
  await layout.files.sync(layout.root);
  return handle;
}

export interface Replay {
  /** Segment files read, oldest first. */
  segments: string[];
  /** The number the next segment should get. */
  next: number;
  units: Op[][];
}

/**
 * Reads every journal segment, oldest first. A last line without its newline is a write cut short by a
 * crash, never acknowledged, and is ignored; any other unreadable line makes the segment corrupt.
 */
export async function readJournal(
  layout: Layout,
  tableNamed: (name: string) => AnyTable | undefined,
): Promise<Replay> {
  const entries = (await layout.files.list(layout.root)) ?? [];
  const numbers = segmentNumbers(entries.map((entry) => entry.name));
  const segments = numbers.map((n) => layout.segment(n));
  const units: Op[][] = [];
  const texts = await Promise.all(
    segments.map(async (path) => (await layout.files.read(path))?.toString("utf8") ?? ""),
  );
  // The segment written last: a segment opened ahead of time may follow it, empty.
  const newest = texts.findLastIndex((text) => text !== "");
  for (const [at, path] of segments.entries()) {
    const lines = (texts[at] ?? "").split("\n");
    lines.pop();
    const last = at === newest ? lines.length - 1 : -1;
    for (const [index, line] of lines.entries()) {
      if (line.trim() === "") continue;
      const json = lineJson(path, index + 1, line, index === last);
      if (json !== undefined) units.push(parseOps(path, index + 1, json, tableNamed));
    }
  }
  return { segments, next: (numbers.at(-1) ?? 0) + 1, units };
}

/** A journal line: a CRC-32 of its JSON (8 hex digits), a space, the JSON of one committed unit. */
export function journalLine(ops: readonly Op[]): string {
  const json = JSON.stringify({ v: 1, ops });
  return `${checksum(json)} ${json}\n`;
}

const CHECKED = /^([0-9a-f]{8}) /;

/**
 * The line's JSON, checked against its checksum (lines from before checksums have none). A damaged last line
 * of the newest segment is a write a crash cut short, never acknowledged: it is dropped. Anywhere else the
 * journal is damaged and the store will not start on it.
 */
function lineJson(path: string, number: number, line: string, lastWritten: boolean): unknown {
  const checked = CHECKED.exec(line);
  const text = checked === null ? line : line.slice(checked[0].length);
  let problem: string | undefined;
  let json: unknown;
  if (checked !== null && checked[1] !== checksum(text))
    problem = "its checksum does not match: it was damaged";
  else {
    try {
      json = JSON.parse(text);
    } catch (error) {
      problem = `it is not valid JSON: ${(error as Error).message}`;
    }
  }
  if (problem === undefined) return json;
  if (lastWritten) return undefined;
  throw new CorruptDataFileError(path, `line ${number}: ${problem}`);
}

function parseOps(
  path: string,
  number: number,
  raw: unknown,
  tableNamed: (name: string) => AnyTable | undefined,
): Op[] {
  let json = raw;
  if (typeof json === "object" && json !== null && "ops" in json && Array.isArray(json.ops))
    json = { ...json, ops: json.ops.map(fromLegacyOp) };
  const parsed = JournalLine.safeParse(json);
  if (!parsed.success)
    throw new CorruptDataFileError(path, `line ${number}: ${parsed.error.issues[0]?.message}`);
  return parsed.data.ops.map((op) => {
    if (op.t !== "put" && op.t !== "del") return op;
    const table = tableNamed(op.table);
    if (table === undefined)
      throw new CorruptDataFileError(path, `line ${number} changes "${op.table}", which no table is called`);
    if (op.t === "del") return op;
    const record = table.schema.safeParse(op.v);
    if (!record.success)
      throw new CorruptDataFileError(path, `line ${number}: a ${op.table} record is not valid`);
    return { ...op, v: record.data };
  });
}

const LEGACY_TABLES: Record<string, string> = {
  town: "towns",
  village: "villages",
  member: "members",
  household: "households",
  binding: "bindings",
  request: "requests",
  conversation: "conversations",
};

/** Ops as journals written before tables were declared have them; replayed as today's ops. */
function fromLegacyOp(op: unknown): unknown {
  if (typeof op !== "object" || op === null || !("t" in op) || typeof op.t !== "string") return op;
  const legacy = op as Record<string, unknown> & { t: string };
  const table = LEGACY_TABLES[legacy.t];
  if (table !== undefined) return { t: "put", table, v: legacy.v };
  if (legacy.t === "household.del") return { t: "del", table: "households", key: legacy.id };
  if (legacy.t === "conversation.del") return { t: "del", table: "conversations", key: legacy.key };
  if (legacy.t === "binding.del")
    return { t: "del", table: "bindings", key: `${legacy.channel}:${legacy.chatId}` };
  if (legacy.t === "counter" && "kind" in legacy) return { t: "counter", key: legacy.kind, n: legacy.n };
  if (legacy.t === "seq") return { t: "counter", key: `seq:${legacy.villageId}:${legacy.year}`, n: legacy.n };
  return op;
}
