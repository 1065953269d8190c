/** A data file that is not valid JSON or not in the expected shape. The store never writes over it. */
export class CorruptDataFileError extends Error {
  constructor(
    readonly path: string,
    readonly detail: string,
  ) {
    super(
      `Data file ${path} is corrupt (${detail}). The store will not start on it and has not changed it: ` +
        "restore it from a backup, or move it away to start without its contents.",
    );
    this.name = "CorruptDataFileError";
  }
}

/** Another live process has the data directory open. */
export class StoreLockedError extends Error {
  constructor(
    readonly path: string,
    readonly pid: number | undefined,
  ) {
    super(
      `The data directory is in use by ${pid === undefined ? "another process" : `process ${pid}`} (lock file ${path}). ` +
        "Only one process may use a data directory; stop the other one first.",
    );
    this.name = "StoreLockedError";
  }
}

/** A file the store wrote is gone: starting without it would lose its records and could hand out their ids again. */
export class MissingDataFileError extends Error {
  constructor(readonly path: string) {
    super(
      `Data file ${path} is missing. The store wrote it and will not start without it: its records would be lost ` +
        "and their ids could be handed out again. Restore it from a backup; if it is truly gone, remove its line " +
        "from manifest.json in the data folder to start without it.",
    );
    this.name = "MissingDataFileError";
  }
}
