import { createHash } from "node:crypto";
import { open, readFile, realpath, rm } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { dirname } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { StoreLockedError } from "./errors.js";
import { isNotFound } from "./files.js";

export interface Lock {
  release(): Promise<void>;
}

/** How long to wait for a holder that is dying (killed a moment ago, not yet gone) before refusing. */
const DYING_HOLDER_MS = 3_000;

/**
 * Takes the data directory for this process. On Linux the lock is an abstract Unix socket named after the
 * directory: the kernel frees it the moment its holder dies (SIGKILL included, reaped or not), so a PID in a
 * file never decides, and two processes can never both hold it. The LOCK file only tells who holds it.
 * Elsewhere the LOCK file's PID is checked as the fallback.
 */
export async function acquireLock(path: string): Promise<Lock> {
  if (process.platform !== "linux") return acquirePidLock(path);
  const name = `\0shangliang-store:${createHash("sha256")
    .update(await realpath(dirname(path)))
    .digest("hex")}`;
  const started = Date.now();
  for (;;) {
    const server = await listen(name);
    if (server !== undefined) {
      await writeHolder(path);
      return {
        async release() {
          await rm(path, { force: true });
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    }
    if (Date.now() - started > DYING_HOLDER_MS) throw new StoreLockedError(path, await readHolder(path));
    await sleep(50);
  }
}

/** Listens on the abstract socket; undefined when another live process already does. */
function listen(name: string): Promise<Server | undefined> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") resolve(undefined);
      else reject(error);
    });
    server.listen({ path: name }, () => {
      server.unref();
      resolve(server);
    });
  });
}

async function writeHolder(path: string): Promise<void> {
  const handle = await open(path, "w");
  try {
    await handle.writeFile(`${process.pid}\n`);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The fallback where abstract sockets do not exist: a LOCK file holding our pid; a dead holder's is taken over. */
async function acquirePidLock(path: string): Promise<Lock> {
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
