import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { silentLogger } from "../src/logger.js";
import { StartupError, startApp } from "../src/main.js";

describe("startApp", () => {
  it("serves the local web chat when no platform token is set", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "shangliang-main-"));
    const app = await startApp({ PORT: "0", DATA_DIR: dataDir }, silentLogger());
    try {
      const page = await fetch(app.localUrl ?? "");
      expect([page.status, (await page.text()).includes("商量")]).toEqual([200, true]);
    } finally {
      await app.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("refuses to start on a bad setting, naming it", async () => {
    await expect(startApp({ TIME_ZONE: "Mars/Base" }, silentLogger())).rejects.toThrow(StartupError);
  });
});
