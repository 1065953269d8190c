import { describe, expect, it } from "vitest";
import { loadDemo } from "../../scripts/demo.js";
import type { RequestState } from "../../src/domain/model.js";
import { createHarness } from "../app/harness.js";

describe("demo town", () => {
  it("loads villages with requests in every state", async () => {
    const h = createHarness();
    let now = new Date("2026-11-23T02:00:00Z");
    const deps = { ...h.deps, clock: { now: () => now } };
    await loadDemo(
      deps,
      (at) => {
        now = at;
      },
      new Date("2026-11-23T02:00:00Z"),
    );
    const states = new Set<RequestState>();
    await h.store.transaction(async (tx) => {
      for (const village of await tx.listVillages()) {
        for (const member of await tx.listMembers(village.id)) {
          for (const request of await tx.listRequestsOf(village.id, member.id)) states.add(request.state);
        }
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
    const h = createHarness();
    const noClock = () => {};
    await loadDemo(h.deps, noClock, new Date("2026-11-23T02:00:00Z"));
    await expect(loadDemo(h.deps, noClock, new Date("2026-11-23T02:00:00Z"))).rejects.toThrow(
      "already has villages",
    );
  });
});
