import { describe, expect, it } from "vitest";
import type { Deps } from "../../../src/app/deps.js";
import { measureTelegramUpdatesPerSecond } from "../../../src/channels/telegram/bench.js";
import { workingCalendar } from "../../../src/domain/calendar.js";
import { DEFAULT_DEADLINE_POLICY } from "../../../src/domain/deadlines.js";
import { createMemoryStore } from "../../../src/store/memory.js";

function deps(): Deps {
  return {
    store: createMemoryStore(),
    clock: { now: () => new Date("2026-11-23T02:00:00Z") },
    policy: DEFAULT_DEADLINE_POLICY,
    calendar: workingCalendar("Asia/Shanghai", { holidays: [], workdays: [] }),
    channels: ["telegram"],
    defaultLanguage: "zh-CN",
  };
}

describe("the Telegram bench", () => {
  it("files a request for every five updates it handles", async () => {
    const d = deps();

    const perSecond = await measureTelegramUpdatesPerSecond(d, 50);

    expect(perSecond).toBeGreaterThan(0);
    const filed = await d.store.transaction(async (tx) => {
      const villages = await tx.listVillages();
      return tx.listActiveRequests(villages[0]?.id ?? "");
    });
    expect(filed).toHaveLength(10);
  });

  it("runs several villagers at once", async () => {
    const d = deps();

    await measureTelegramUpdatesPerSecond(d, 60, { chats: 3 });

    const filed = await d.store.transaction(async (tx) =>
      tx.listActiveRequests((await tx.listVillages())[0]?.id ?? ""),
    );
    expect(filed).toHaveLength(12);
  });
});
