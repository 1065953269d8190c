import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, expect, it } from "vitest";
import { KERNEL_TABLES } from "../../src/app/tables.js";
import { Requests, requestSequence } from "../../src/features/requests/tables.js";
import { openLowdbStore } from "../../src/store/lowdb/index.js";
import { tempDir } from "./temp.js";

const writer = fileURLToPath(new URL("./fixtures/crash-writer.ts", import.meta.url));
const root = fileURLToPath(new URL("../..", import.meta.url));

let dir: { path: string; remove(): Promise<void> };

beforeEach(async () => {
  dir = await tempDir();
});

afterEach(async () => {
  await dir.remove();
});

/** Runs the writer until it has acknowledged `count` units, then kills it with SIGKILL. */
function runAndKill(count: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", writer, dir.path], { cwd: root });
    const acked: string[] = [];
    let buffered = "";
    let errors = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split("\n");
      buffered = lines.pop() ?? "";
      acked.push(...lines);
      if (acked.length >= count) child.kill("SIGKILL");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      errors += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (_code, signal) => {
      if (signal === "SIGKILL") resolve(acked);
      else reject(new Error(`writer exited on its own: ${errors}`));
    });
  });
}

it("keeps every acknowledged write when the process is killed with SIGKILL", async () => {
  const acked = await runAndKill(400);

  const store = await openLowdbStore(dir.path, { tables: [...KERNEL_TABLES, Requests] });
  const missing = await store.transaction(async (tx) => {
    const gone: string[] = [];
    for (const id of acked) if ((await tx.get(Requests, id)) === undefined) gone.push(id);
    return gone;
  });
  const next = await store.transaction((tx) => tx.nextNumber(requestSequence("v1", 2026)));
  await store.close();

  expect(acked.length).toBeGreaterThanOrEqual(400);
  expect(missing).toEqual([]);
  expect(next).toBeGreaterThan(acked.length);
});
