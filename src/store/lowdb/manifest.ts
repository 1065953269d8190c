import { relative, sep } from "node:path";
import { z } from "zod";
import { MissingDataFileError } from "./errors.js";
import { readDataFile, writeDataFile } from "./files.js";
import type { Layout } from "./layout.js";

export const ManifestFile = z.object({ schemaVersion: z.literal(1), files: z.array(z.string()) });
export type ManifestFile = z.infer<typeof ManifestFile>;

/**
 * Every file the store has written, so that one gone missing stops start-up instead of silently taking its
 * records (and the ids they used) with it. Files are never removed from the list: a file whose records all
 * went is still written, empty. Written after the files it lists, and before the journal they came from is
 * dropped.
 */
export class Manifest {
  private changed = false;

  private constructor(
    private readonly layout: Layout,
    private readonly files: Set<string>,
  ) {}

  /** Reads the manifest (see `check`). A directory from before manifests has none. */
  static async open(layout: Layout): Promise<Manifest> {
    const file = await readDataFile(layout.files, layout.manifest, ManifestFile);
    if (file === undefined) {
      if ((await layout.files.size(layout.counters)) !== undefined)
        throw new MissingDataFileError(layout.manifest);
      // Written before any other file, so that a data folder with counters.json always has one.
      const manifest = new Manifest(layout, new Set());
      manifest.changed = true;
      await manifest.save();
      return manifest;
    }
    return new Manifest(layout, new Set(file.files));
  }

  /** Throws for the first file listed that is not among `present` (every file in the folder, by name). */
  check(present: ReadonlySet<string>): void {
    for (const name of this.files)
      if (!present.has(name)) throw new MissingDataFileError(this.layout.absolute(name));
  }

  /** Notes files that exist now (written, or found at open in a directory from before manifests). */
  note(paths: Iterable<string>): void {
    for (const path of paths) {
      const name = relative(this.layout.root, path).split(sep).join("/");
      if (this.files.has(name)) continue;
      this.files.add(name);
      this.changed = true;
    }
  }

  /** Writes the list when it gained files since it was last written. */
  async save(): Promise<void> {
    if (!this.changed) return;
    this.changed = false;
    await writeDataFile(this.layout.files, this.layout.manifest, {
      schemaVersion: 1,
      files: [...this.files].sort(),
    } satisfies ManifestFile);
    await this.layout.files.sync(this.layout.root);
  }
}
