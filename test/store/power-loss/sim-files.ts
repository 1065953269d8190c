import { basename, dirname, join } from "node:path/posix";
import type { AppendFile, FileSystem } from "../../../src/store/lowdb/index.js";

/**
 * A file layer in memory that knows what a power loss would keep, after the model SQLite's crash tests use:
 *
 * - A file's bytes are durable once the file is fsynced (or fdatasynced); writes since then are not.
 * - A name created, renamed or removed in a directory is durable once that directory is fsynced.
 * - `crashImage("synced")` keeps only what is durable. `crashImage("torn", random)` also keeps, as real
 *   disks may, a random subset of the unsynced writes of each file (the last kept one possibly cut short,
 *   a write torn mid-line) and a random prefix of the unsynced name changes (file systems journal them in
 *   order).
 *
 * Every operation waits a random few microtasks first (from the seeded `random`), so concurrent work
 * interleaves differently per seed yet the same way for the same seed. `onStep` is called after every
 * operation that changes what is on disk or what is durable.
 */
export class SimFiles implements FileSystem {
  private readonly root = new Dir();
  /** Name changes not yet made durable by a directory sync, oldest first. */
  private unsyncedNames: NameChange[] = [];
  steps = 0;
  renames = 0;
  onStep: (() => void) | undefined;

  constructor(
    private readonly random: () => number,
    image: ReadonlyMap<string, Buffer> = new Map(),
  ) {
    for (const [path, bytes] of image) {
      const dir = this.makeDurableDirs(dirname(path));
      const inode = new Inode();
      inode.data = bytes;
      inode.durable = bytes;
      dir.entries.set(basename(path), inode);
      dir.durable.set(basename(path), inode);
    }
  }

  async read(path: string): Promise<Buffer | undefined> {
    await this.pause();
    const node = this.lookup(path);
    if (node instanceof Dir) throw errno("EISDIR", path);
    return node?.data;
  }

  async write(path: string, content: string | Uint8Array): Promise<void> {
    await this.pause();
    const inode = this.fileFor(path);
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : Buffer.from(content);
    inode.change({ truncate: true, offset: 0, bytes });
    this.step();
  }

  async rename(from: string, to: string): Promise<void> {
    await this.pause();
    if (dirname(from) !== dirname(to)) throw new Error("The simulation renames within one directory only.");
    const dir = this.dirAt(dirname(from));
    const node = dir.entries.get(basename(from));
    if (node === undefined) throw errno("ENOENT", from);
    this.changeName(dir, { dir, name: basename(from), node: undefined });
    this.changeName(dir, { dir, name: basename(to), node });
    this.renames += 1;
    this.step();
  }

  async remove(path: string): Promise<void> {
    await this.pause();
    const dir = this.lookup(dirname(path));
    if (!(dir instanceof Dir) || !dir.entries.has(basename(path))) return;
    this.changeName(dir, { dir, name: basename(path), node: undefined });
    this.step();
  }

  async sync(path: string): Promise<void> {
    await this.pause();
    const node = this.lookup(path);
    if (node === undefined) throw errno("ENOENT", path);
    if (node instanceof Dir) {
      node.durable = new Map(node.entries);
      this.unsyncedNames = this.unsyncedNames.filter((change) => change.dir !== node);
    } else node.sync();
    this.step();
  }

  async makeDirectory(path: string): Promise<void> {
    await this.pause();
    let dir = this.root;
    for (const part of parts(path)) {
      const next = dir.entries.get(part);
      if (next instanceof Inode) throw errno("ENOTDIR", path);
      if (next !== undefined) {
        dir = next;
        continue;
      }
      const created = new Dir();
      this.changeName(dir, { dir, name: part, node: created });
      this.step();
      dir = created;
    }
  }

  async list(path: string): Promise<{ name: string; directory: boolean }[] | undefined> {
    await this.pause();
    const node = this.lookup(path);
    if (node === undefined) return undefined;
    if (!(node instanceof Dir)) throw errno("ENOTDIR", path);
    return [...node.entries].map(([name, entry]) => ({ name, directory: entry instanceof Dir }));
  }

  async size(path: string): Promise<number | undefined> {
    await this.pause();
    const node = this.lookup(path);
    return node instanceof Inode ? node.data.length : node === undefined ? undefined : 0;
  }

  async openAppend(path: string): Promise<AppendFile> {
    await this.pause();
    const inode = this.fileFor(path);
    let open = true;
    const check = () => {
      if (!open) throw new Error(`${path} is closed.`);
    };
    return {
      append: async (text) => {
        await this.pause();
        check();
        inode.change({ truncate: false, offset: inode.data.length, bytes: Buffer.from(text, "utf8") });
        this.step();
      },
      datasync: async () => {
        await this.pause();
        check();
        inode.sync();
        this.step();
      },
      close: async () => {
        open = false;
      },
    };
  }

  async lock(): Promise<{ release(): Promise<void> }> {
    return { release: async () => undefined };
  }

  /** Every file as a power loss now would leave it, by path. */
  crashImage(mode: "synced" | "torn"): Map<string, Buffer> {
    const names = new Map<Dir, Map<string, Inode | Dir>>();
    const namesOf = (dir: Dir) => {
      let current = names.get(dir);
      if (current === undefined) {
        current = new Map(dir.durable);
        names.set(dir, current);
      }
      return current;
    };
    if (mode === "torn") {
      // Half the time every name change made it (the usual outcome), else a random prefix of them.
      const all = this.unsyncedNames.length;
      const kept = this.random() < 0.5 ? all : Math.floor(this.random() * (all + 1));
      for (const change of this.unsyncedNames.slice(0, kept)) {
        const entries = namesOf(change.dir);
        if (change.node === undefined) entries.delete(change.name);
        else entries.set(change.name, change.node);
      }
    }
    const image = new Map<string, Buffer>();
    const walk = (dir: Dir, path: string) => {
      for (const [name, node] of namesOf(dir)) {
        const at = join(path, name);
        if (node instanceof Dir) walk(node, at);
        else image.set(at, mode === "synced" ? node.durable : node.afterPowerLoss(this.random));
      }
    };
    walk(this.root, "/");
    return image;
  }

  private step(): void {
    this.steps += 1;
    this.onStep?.();
  }

  private async pause(): Promise<void> {
    for (let hops = Math.floor(this.random() * 4); hops > 0; hops--) await Promise.resolve();
  }

  private changeName(dir: Dir, change: NameChange): void {
    if (change.node === undefined) dir.entries.delete(change.name);
    else dir.entries.set(change.name, change.node);
    this.unsyncedNames.push(change);
  }

  private fileFor(path: string): Inode {
    const dir = this.dirAt(dirname(path));
    const existing = dir.entries.get(basename(path));
    if (existing instanceof Dir) throw errno("EISDIR", path);
    if (existing !== undefined) return existing;
    const inode = new Inode();
    this.changeName(dir, { dir, name: basename(path), node: inode });
    return inode;
  }

  private lookup(path: string): Inode | Dir | undefined {
    let node: Inode | Dir | undefined = this.root;
    for (const part of parts(path)) {
      if (!(node instanceof Dir)) return undefined;
      node = node.entries.get(part);
    }
    return node;
  }

  private dirAt(path: string): Dir {
    const node = this.lookup(path);
    if (node instanceof Dir) return node;
    throw errno(node === undefined ? "ENOENT" : "ENOTDIR", path);
  }

  private makeDurableDirs(path: string): Dir {
    let dir = this.root;
    for (const part of parts(path)) {
      let next = dir.entries.get(part);
      if (next instanceof Inode) throw new Error(`${path} is a file.`);
      if (next === undefined) {
        next = new Dir();
        dir.entries.set(part, next);
        dir.durable.set(part, next);
      }
      dir = next;
    }
    return dir;
  }
}

interface NameChange {
  dir: Dir;
  name: string;
  /** What the name points to now; undefined when it was removed. */
  node: Inode | Dir | undefined;
}

interface Write {
  truncate: boolean;
  offset: number;
  bytes: Buffer;
}

class Dir {
  entries = new Map<string, Inode | Dir>();
  durable = new Map<string, Inode | Dir>();
}

class Inode {
  data: Buffer = Buffer.alloc(0);
  durable: Buffer = Buffer.alloc(0);
  private unsynced: Write[] = [];

  change(write: Write): void {
    this.data = apply(this.data, write);
    this.unsynced.push(write);
  }

  sync(): void {
    this.durable = this.data;
    this.unsynced = [];
  }

  /** The durable bytes with a random subset of the later writes; the last one kept may be cut short. */
  afterPowerLoss(random: () => number): Buffer {
    const kept = this.unsynced.filter(() => random() < 0.5);
    let bytes = this.durable;
    kept.forEach((write, at) => {
      const torn = at === kept.length - 1 && random() < 0.5;
      const length = torn ? Math.floor(random() * write.bytes.length) : write.bytes.length;
      bytes = apply(bytes, { ...write, bytes: write.bytes.subarray(0, length) });
    });
    return bytes;
  }
}

/** A write on top of a file's bytes; a gap between the old end and the write reads as zeros. */
function apply(data: Buffer, write: Write): Buffer {
  const base = write.truncate ? Buffer.alloc(0) : data;
  const end = Math.max(base.length, write.offset + write.bytes.length);
  const result = Buffer.alloc(end);
  base.copy(result);
  write.bytes.copy(result, write.offset);
  return result;
}

function parts(path: string): string[] {
  return path.split("/").filter((part) => part !== "");
}

function errno(code: string, path: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(`${code}: ${path}`);
  error.code = code;
  return error;
}
