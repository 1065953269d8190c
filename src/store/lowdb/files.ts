import {
  type FileHandle,
  mkdir,
  open,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  writeFile,
} from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { crc32 } from "node:zlib";
import { type Adapter, Low } from "lowdb";
import { type ZodType, z } from "zod";
import { CorruptDataFileError } from "./errors.js";
import { acquireLock, type Lock } from "./lock.js";

/**
 * Every file operation the lowdb adapter makes, so that tests can run it on a file layer that records writes,
 * renames and syncs and "pulls the plug" between any two of them.
 */
export interface FileSystem {
  /** The file's bytes; undefined when it does not exist. */
  read(path: string): Promise<Buffer | undefined>;
  /** Creates or truncates the file and writes `content` (text as UTF-8); nothing is synced. */
  write(path: string, content: string | Uint8Array): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  /** Removes a file; nothing happens when it does not exist. */
  remove(path: string): Promise<void>;
  /** fsync of a file, or of a directory (which makes the names created, renamed or removed in it durable). */
  sync(path: string): Promise<void>;
  /** Creates a directory and its parents. */
  makeDirectory(path: string): Promise<void>;
  /** The entries of a directory; undefined when it does not exist. */
  list(path: string): Promise<{ name: string; directory: boolean }[] | undefined>;
  size(path: string): Promise<number | undefined>;
  /** Opens a file for appending, creating it when missing. */
  openAppend(path: string): Promise<AppendFile>;
  /** Takes the data directory for this process (its lock file is `path`). */
  lock(path: string): Promise<Lock>;
}

export interface AppendFile {
  append(text: string): Promise<void>;
  /** fdatasync: the appended bytes survive a power loss once this resolves. */
  datasync(): Promise<void>;
  close(): Promise<void>;
}

/** The machine's own file system. */
export const nodeFileSystem: FileSystem = {
  async read(path) {
    try {
      return await readFile(path);
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  },
  write: (path, content) => writeFile(path, content),
  rename: (from, to) => rename(from, to),
  remove: (path) => rm(path, { force: true }),
  async sync(path) {
    const handle = await open(path, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  },
  async makeDirectory(path) {
    await mkdir(path, { recursive: true });
  },
  async list(path) {
    try {
      const entries = await readdir(path, { withFileTypes: true });
      return entries.map((entry) => ({ name: entry.name, directory: entry.isDirectory() }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  },
  async size(path) {
    try {
      return (await stat(path)).size;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  },
  async openAppend(path) {
    const handle: FileHandle = await open(path, "a");
    return {
      append: async (text) => {
        const bytes = Buffer.from(text, "utf8");
        let written = 0;
        while (written < bytes.length) written += (await handle.write(bytes, written)).bytesWritten;
      },
      datasync: () => handle.datasync(),
      close: () => handle.close(),
    };
  },
  lock: (path) => acquireLock(path),
};

/** A file as written: its size and CRC-32, to check it against later. */
export interface Written {
  size: number;
  crc: number;
}

/** A CRC-32 of a text as 8 hex digits: the checksum journal lines and keys files start with. */
export function checksum(text: string): string {
  return crc32(text).toString(16).padStart(8, "0");
}

/**
 * Writes files so that each survives a power loss: every new content goes to a temp file (`stage`), then
 * all temp files are fsynced and renamed over the old files in the order they were staged (`commit`). The
 * caller syncs the directories, which makes the renames durable.
 */
export class DurableWrites {
  private readonly staged: { path: string; sync: boolean }[] = [];
  private readonly made = new Set<string>();

  constructor(private readonly files: FileSystem) {}

  /** `sync: false` for a file that may be lost or torn by a crash, as it can be rebuilt from others. */
  async stage(path: string, content: string | Uint8Array, { sync = true } = {}): Promise<void> {
    const dir = dirname(path);
    if (!this.made.has(dir)) await this.files.makeDirectory(dir);
    this.made.add(dir);
    // A temp file left by a crash is removed, not overwritten: unsynced, its old content could outlive the new.
    if (!sync) await this.files.remove(tempOf(path));
    await this.files.write(tempOf(path), content);
    this.staged.push({ path, sync });
  }

  async commit(): Promise<string[]> {
    // One at a time: Node runs file calls on four threads, and the journal and reads must find one free.
    for (const { path, sync } of this.staged) if (sync) await this.files.sync(tempOf(path));
    for (const { path } of this.staged) await this.files.rename(tempOf(path), path);
    return this.staged.map(({ path }) => path);
  }
}

function tempOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp`);
}

/**
 * lowdb's adapter for one data file, written with `DurableWrites`: lowdb's own JSONFile renames without an
 * fsync, so a crash soon after can leave an empty file under the old name.
 */
class DurableJsonFile implements Adapter<unknown> {
  constructor(
    private readonly files: FileSystem,
    private readonly path: string,
  ) {}

  async read(): Promise<unknown> {
    const bytes = await this.files.read(this.path);
    return bytes === undefined ? null : parseJson(this.path, bytes);
  }

  async write(data: unknown): Promise<void> {
    const writes = new DurableWrites(this.files);
    await writes.stage(this.path, dataFileText(data));
    await writes.commit();
  }
}

/** Reads and validates one data file; undefined when it does not exist. Never writes. */
export async function readDataFile<T>(
  files: FileSystem,
  path: string,
  schema: ZodType<T>,
): Promise<T | undefined> {
  const db = new Low<unknown>(new DurableJsonFile(files, path), null);
  await db.read();
  if (db.data === null) return undefined;
  return parseData(path, db.data, schema);
}

/** A data file's bytes as JSON; a file that is not JSON, or holds `null`, is corrupt. */
export function parseJson(path: string, bytes: Buffer): unknown {
  let data: unknown;
  try {
    data = JSON.parse(bytes.toString("utf8"));
  } catch (error) {
    throw new CorruptDataFileError(path, `not valid JSON: ${(error as Error).message}`);
  }
  if (typeof data !== "object" || data === null) throw new CorruptDataFileError(path, "it holds no data");
  return data;
}

export function parseData<T>(path: string, data: unknown, schema: ZodType<T>): T {
  const parsed = schema.safeParse(data);
  if (!parsed.success)
    throw new CorruptDataFileError(path, z.prettifyError(parsed.error).replaceAll("\n", " "));
  return parsed.data;
}

/** A data file's text as lowdb's JSONFile writes it. */
export function dataFileText(data: unknown): string {
  return JSON.stringify(data, null, 2);
}

/** Writes one data file through lowdb, durably; its directory still needs a sync for the rename. */
export async function writeDataFile(files: FileSystem, path: string, data: unknown): Promise<void> {
  await new Low<unknown>(new DurableJsonFile(files, path), data).write();
}

export function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}
