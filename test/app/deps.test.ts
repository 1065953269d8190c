import { describe, expect, it } from "vitest";
import { inUnit, tellTown } from "../../src/app/deps.js";
import { message } from "../../src/app/messages.js";
import { Members, Towns } from "../../src/app/tables.js";
import { createTestApp } from "../support/app.js";

const notice = message([{ key: "requests.notify.town" }]);

/** A town whose one supervisor is on the roster, reachable on Telegram or not at all. */
async function townWithSupervisor(onTelegram: boolean) {
  const app = await createTestApp({ channels: ["telegram"] });
  await app.store.transaction(async (tx) => {
    tx.put(Towns, { id: "t1", name: "和平镇", supervisors: [{ id: "m1", name: "王书记" }] });
    tx.put(Members, {
      id: "m1",
      villageId: "v1",
      name: "王书记",
      role: "secretary",
      identities: onTelegram ? [{ channel: "telegram", userId: "101" }] : [],
      active: true,
    });
  });
  return app;
}

describe("telling a town", () => {
  it("tells a supervisor in private when the town has no chat, and says someone was told", async () => {
    const app = await townWithSupervisor(true);

    const told = await inUnit(app.deps, (unit) => tellTown(unit, "t1", notice));

    expect(told).toBe(true);
  });

  it("says nobody was told when its supervisors cannot be reached on any channel running here", async () => {
    const app = await townWithSupervisor(false);

    const told = await inUnit(app.deps, (unit) => tellTown(unit, "t1", notice));

    expect(told).toBe(false);
  });
});
