import { describe, expect, it } from "vitest";
import { loadDemo } from "../../scripts/demo.js";
import { Villages } from "../../src/app/tables.js";
import type { RequestState } from "../../src/domain/model.js";
import { Requests } from "../../src/features/requests/index.js";
import { createTestApp } from "../support/app.js";

describe("demo town", () => {
  it("loads villages with requests in every state", async () => {
    let now = new Date("2026-11-23T02:00:00Z");
    const app = await createTestApp({ clock: { now: () => now } });
    await loadDemo(
      app,
      (at) => {
        now = at;
      },
      new Date("2026-11-23T02:00:00Z"),
    );
    const states = new Set<RequestState>();
    await app.store.transaction(async (tx) => {
      for (const village of await tx.all(Villages)) {
        for (const request of await tx.find(Requests, "year", `${village.id}/2026`))
          states.add(request.state);
      }
    });
    expect([...states].sort()).toEqual([
      "accepted",
      "declined",
      "in_progress",
      "rated",
      "resolved",
      "submitted",
    ]);
  });

  it("refuses to load over existing villages", async () => {
    const app = await createTestApp();
    const noClock = () => {};
    await loadDemo(app, noClock, new Date("2026-11-23T02:00:00Z"));
    await expect(loadDemo(app, noClock, new Date("2026-11-23T02:00:00Z"))).rejects.toThrow(
      "already has villages",
    );
  });
});
