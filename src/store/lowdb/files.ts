import { mkdir, open, stat } from "node:fs/promises";
import { dirname } from "node:path";
import { Low } from "lowdb";
import { JSONFile } from "lowdb/node";
import { type ZodType, z } from "zod";
import { CorruptDataFileError } from "./errors.js";

const MISSING = Symbol("missing");

/** Reads and validates one data file; undefined when it does not exist. Never writes. */
export async function readDataFile<T>(path: string, schema: ZodType<T>): Promise<T | undefined> {
  if (!(await exists(path))) return undefined;
  const db = new Low<unknown>(new JSONFile<unknown>(path), MISSING);
  try {
    await db.read();
  } catch (error) {
    if (error instanceof SyntaxError)
      throw new CorruptDataFileError(path, `not valid JSON: ${error.message}`);
    throw error;
  }
  if (db.data === MISSING) throw new CorruptDataFileError(path, "it holds no data");
  const parsed = schema.safeParse(db.data);
  if (!parsed.success)
    throw new CorruptDataFileError(path, z.prettifyError(parsed.error).replaceAll("\n", " "));
  return parsed.data;
}

/**
 * Writes one data file through lowdb (temp file + rename, so a reader sees the old or the new file, never
 * half of one), then fsyncs it so the journal lines it reflects may be dropped.
 */
export async function writeDataFile(path: string, data: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await new Low<unknown>(new JSONFile<unknown>(path), data).write();
  await fsync(path);
}

/** fsyncs a file or a directory (a directory, so that renames and new names in it are durable). */
export async function fsync(path: string): Promise<void> {
  const handle = await open(path, "r");
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}
