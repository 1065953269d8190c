import { open, readFile, rm } from "node:fs/promises";
import { StoreLockedError } from "./errors.js";
import { isNotFound } from "./files.js";

export interface Lock {
  release(): Promise<void>;
}

/** Takes the data directory for this process: a LOCK file holding our pid; a dead holder's lock is taken over. */
export async function acquireLock(path: string): Promise<Lock> {
  for (;;) {
    try {
      const handle = await open(path, "wx");
      try {
        await handle.writeFile(`${process.pid}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      return { release: () => rm(path, { force: true }) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = await readHolder(path);
    if (holder !== undefined && isAlive(holder)) throw new StoreLockedError(path, holder);
    await rm(path, { force: true });
  }
}

async function readHolder(path: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(path, "utf8")).trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
