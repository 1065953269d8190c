import { crc32 } from "node:zlib";
import { z } from "zod";
import type { AnyTable, IndexValue } from "../../app/tables.js";
import { checksum, type Written } from "./files.js";

/**
 * The keys file written beside each file of a table that is not resident (`2025-000.json` →
 * `2025-000.keys`): the file's keys, their index values and the counters its records raise, so that opening
 * the store reads these small files instead of parsing every record of the history.
 *
 * It holds the size and CRC-32 of the data file it describes, and is written before that file: after a crash
 * between the two, the data file still has the `previous` size and checksum, and the journal (kept until both
 * are on disk) replays what changed. A data file matching neither is corrupt.
 *
 * Format: one line, a CRC-32 of the JSON (8 hex digits), a space, the JSON; so a damaged keys file is noticed
 * and the data file is read instead. Strings repeat across records, so each is written once (`strings`) and
 * the index columns refer to them by position.
 */
const Checked = z.object({ size: z.number().int().nonnegative(), crc: z.number().int().nonnegative() });

export const KeysFile = z.object({
  schemaVersion: z.literal(1),
  table: z.string(),
  /** A checksum of the table's index and file functions: keys files written by other code are not trusted. */
  shape: z.number().int(),
  file: Checked,
  previous: Checked.optional(),
  counters: z.record(z.string(), z.number().int().nonnegative()),
  strings: z.array(z.string()),
  keys: z.array(z.string()),
  /** Lists of positions in `strings`, for indexes that find a record under several values. */
  lists: z.array(z.array(z.number().int().nonnegative())),
  /** One column per index, one cell per key: a position in `strings`, -1 for none, or -2 - a position in `lists`. */
  columns: z.array(z.array(z.number().int())),
});
export type KeysFile = z.infer<typeof KeysFile>;

/** The keys file's name for a data file of a table that is not resident. */
export function keysFileOf(file: string): string {
  return `${file.slice(0, -".json".length)}.keys`;
}

const shapes = new WeakMap<AnyTable, number>();

/** Changes when the table's index names or the code of its index or file functions change. */
export function tableShape(table: AnyTable): number {
  let shape = shapes.get(table);
  if (shape === undefined) {
    const parts = Object.entries(table.indexes).map(([name, of]) => `${name}:${String(of)}`);
    shape = crc32([String(table.file), ...parts].join("\n"));
    shapes.set(table, shape);
  }
  return shape;
}

/** One key's index values, in the order of the table's indexes. */
export type IndexValues = readonly IndexValue[];

export interface KeysContent {
  counters: ReadonlyMap<string, number>;
  entries: Iterable<readonly [key: string, values: IndexValues]>;
}

export function keysText(
  table: AnyTable,
  content: KeysContent,
  file: Written,
  previous: Written | undefined,
): string {
  const strings: string[] = [];
  const positions = new Map<string, number>();
  const position = (text: string) => {
    let at = positions.get(text);
    if (at === undefined) {
      at = strings.length;
      strings.push(text);
      positions.set(text, at);
    }
    return at;
  };
  const keys: string[] = [];
  const lists: number[][] = [];
  const columns: number[][] = Object.keys(table.indexes).map(() => []);
  const cell = (value: IndexValue) => {
    if (value === undefined) return -1;
    if (typeof value === "string") return position(value);
    lists.push(value.map(position));
    return -1 - lists.length;
  };
  for (const [key, values] of content.entries) {
    keys.push(key);
    values.forEach((value, at) => {
      columns[at]?.push(cell(value));
    });
  }
  const json = JSON.stringify({
    schemaVersion: 1,
    table: table.name,
    shape: tableShape(table),
    file,
    ...(previous === undefined ? {} : { previous }),
    counters: Object.fromEntries(content.counters),
    strings,
    lists,
    keys,
    columns,
  } satisfies KeysFile);
  return `${checksum(json)} ${json}\n`;
}

/** The keys file's content, or why it cannot be trusted; `tableNamed` finds the table it names. */
export function readKeys(
  bytes: Buffer,
  tableNamed: (name: string) => AnyTable | undefined,
): { ok: true; table: AnyTable; keys: KeysFile } | { ok: false; problem: string } {
  const text = bytes.toString("utf8");
  const json = text.slice(9).trimEnd();
  if (text.slice(0, 8) !== checksum(json)) return { ok: false, problem: "its checksum does not match" };
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return { ok: false, problem: "it is not valid JSON" };
  }
  const parsed = KeysFile.safeParse(data);
  if (!parsed.success) return { ok: false, problem: "it is not in the expected shape" };
  const keys = parsed.data;
  const table = tableNamed(keys.table);
  if (table === undefined || table.resident || keys.shape !== tableShape(table))
    return { ok: false, problem: "it was written for other tables or index code" };
  const width = Object.keys(table.indexes).length;
  if (keys.columns.length !== width || keys.columns.some((column) => column.length !== keys.keys.length))
    return { ok: false, problem: "its columns do not match its keys" };
  return { ok: true, table, keys };
}

/** The index values of every key, one list per index; `strings` are the file's strings as the caller keeps them. */
export function decodeColumns(keys: KeysFile, strings: readonly string[]): IndexValue[][] {
  const string = (at: number) => {
    const text = strings[at];
    if (text === undefined) throw new Error(`A keys file refers to string ${at}, which it does not have.`);
    return text;
  };
  return keys.columns.map((column) =>
    column.map((cell): IndexValue => {
      if (cell >= 0) return string(cell);
      if (cell === -1) return undefined;
      return (keys.lists[-2 - cell] ?? []).map(string);
    }),
  );
}
