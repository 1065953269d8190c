import { describe, expect, it } from "vitest";
import { measureTelegramUpdatesPerSecond } from "../../../scripts/bench/telegram.js";
import type { App } from "../../../src/app/create-app.js";
import { Villages } from "../../../src/app/tables.js";
import { Requests } from "../../../src/features/requests/index.js";
import { createTestApp } from "../../support/app.js";

function telegramApp(): Promise<App> {
  return createTestApp({ clock: { now: () => new Date("2026-11-23T02:00:00Z") }, channels: ["telegram"] });
}

async function filed(app: App) {
  return app.store.transaction(async (tx) => {
    const [village] = await tx.all(Villages);
    return tx.find(Requests, "active", village?.id ?? "");
  });
}

describe("the Telegram bench", () => {
  it("files a request for every five updates it handles", async () => {
    const app = await telegramApp();

    const perSecond = await measureTelegramUpdatesPerSecond(app, 50);

    expect(perSecond).toBeGreaterThan(0);
    expect(await filed(app)).toHaveLength(10);
  });

  it("runs several villagers at once", async () => {
    const app = await telegramApp();

    await measureTelegramUpdatesPerSecond(app, 60, { chats: 3 });

    const requests = await filed(app);
    expect(requests).toHaveLength(12);
    expect(new Set(requests.map((request) => request.requesterId)).size).toBe(3);
  });

  it("refuses an app that does not run the telegram channel", async () => {
    const app = await createTestApp({ channels: ["local"] });

    await expect(measureTelegramUpdatesPerSecond(app, 5)).rejects.toThrow(/telegram channel/);
  });
});
