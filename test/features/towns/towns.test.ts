import { beforeEach, describe, expect, it } from "vitest";
import { inUnit } from "../../../src/app/deps.js";
import { Towns } from "../../../src/app/tables.js";
import type { ServiceRequest } from "../../../src/domain/model.js";
import { Requests } from "../../../src/features/requests/index.js";
import { alertRed } from "../../../src/features/requests/use-cases.js";
import { publishMonthlyTallies } from "../../../src/features/tally/index.js";
import { createHarness, fileRequest, type Harness, seedVillage } from "../../app/harness.js";
import { type SeededVillage, seedVillage as seedAnother } from "../../support/village.js";

let h: Harness;
let people: SeededVillage;
const townChat = "town-chat";

// Monday 2026-11-23 10:00 in Shanghai.
beforeEach(async () => {
  h = await createHarness("2026-11-23T02:00:00Z");
  people = await seedVillage(h);
});

/** Moves the test clock to a Shanghai wall-clock time. */
function at(local: string): void {
  const target = Date.parse(`${local}+08:00`);
  h.advanceHours((target - h.now.getTime()) / 3_600_000);
}

async function bindTownChat(memberId = people.secretary.id) {
  return h.send(memberId, { type: "command", command: "setup", args: "town" }, { group: townChat });
}

const town = () => inUnit(h.deps, async (unit) => unit.tx.get(Towns, people.village.townId));

describe("the town's supervision chat", () => {
  it("is bound by a secretary of the town with /setup town, and welcomed", async () => {
    const outcome = await bindTownChat();

    expect([outcome.notice, h.last(townChat)?.entry.message.lines[0]?.key]).toEqual([
      undefined,
      "setup.town.welcome",
    ]);
  });

  it("refuses a villager, and a group already bound to a village", async () => {
    const villager = await bindTownChat(people.villager.id);
    await h.send(people.secretary.id, { type: "bind_group" }, { group: "village-chat" });
    const taken = await h.send(
      people.secretary.id,
      { type: "command", command: "setup", args: "town" },
      { group: "village-chat" },
    );

    expect([villager.notice?.key, taken.notice?.key]).toEqual([
      "setup.refusal.not_town_manager",
      "setup.refusal.group_taken",
    ]);
  });

  it("is released with /release, after which it may become a village group", async () => {
    await bindTownChat();
    const released = await h.send(
      people.secretary.id,
      { type: "command", command: "release" },
      { group: townChat },
    );
    const bound = await h.send(people.secretary.id, { type: "bind_group" }, { group: townChat });

    expect([released.notice, bound.notice]).toEqual([undefined, undefined]);
  });
});

describe("supervisors and the formula (镇督办)", () => {
  it("lets a secretary name a grid worker supervisor, who is told and may then manage the town", async () => {
    await h.send(people.secretary.id, { type: "button", data: "twl" });
    await h.send(people.secretary.id, { type: "button", data: `tws:${people.worker.id}` });
    const card = await h.send(people.worker.id, { type: "command", command: "town" });

    expect((await town())?.supervisors).toEqual([{ id: people.worker.id, name: people.worker.name }]);
    expect(h.messages(people.worker.id).map((m) => m.entry.message.lines[0]?.key)).toContain(
      "towns.notify.added",
    );
    expect([card.notice?.key, h.last(people.worker.id)?.entry.message.lines[0]?.key]).toEqual([
      "notice.done",
      "towns.card.title",
    ]);
  });

  it("refuses a villager the town card and a villager as supervisor", async () => {
    const card = await h.send(people.villager.id, { type: "button", data: "twn" });
    const named = await h.send(people.secretary.id, { type: "button", data: `tws:${people.villager.id}` });

    expect([card.notice?.key, named.notice?.key, (await town())?.supervisors]).toEqual([
      "towns.refusal.not_allowed",
      "towns.refusal.not_a_worker",
      [],
    ]);
  });

  it("takes a supervisor off again with a second press", async () => {
    await h.send(people.secretary.id, { type: "button", data: `tws:${people.worker.id}` });
    await h.send(people.secretary.id, { type: "button", data: `tws:${people.worker.id}` });

    expect((await town())?.supervisors).toEqual([]);
  });

  it("counts only 满意 in every village's tally once the town chooses so", async () => {
    const id = await fileRequest(h, people.villager.id);
    await inUnit(h.deps, async (unit) => {
      const request = await unit.tx.get(Requests, id);
      if (request === undefined) throw new Error("no request");
      const rated = { at: unit.now.toISOString(), by: people.villager.id, action: "rated" as const };
      unit.tx.put(Requests, {
        ...request,
        state: "rated",
        resolvedAt: unit.now.toISOString(),
        rating: "mostly_satisfied",
        timeline: [...request.timeline, { ...rated, rating: "mostly_satisfied" as const }],
      });
    });
    const satisfaction = async () => {
      await h.send(people.neighbour.id, { type: "command", command: "stats" }, { group: "g" });
      return h.last("g")?.entry.message.lines.find((line) => line.key === "tally.satisfaction");
    };
    await h.send(people.secretary.id, { type: "bind_group" }, { group: "g" });
    const before = await satisfaction();

    await h.send(people.secretary.id, { type: "button", data: "twf:satisfied_only" });
    const after = await satisfaction();

    expect([before?.params?.rate, after?.params?.rate]).toEqual([
      { key: "tally.rate.value", params: { value: 100 } },
      { key: "tally.rate.value", params: { value: 0 } },
    ]);
  });
});

describe("escalation to the town (red + 5 working days)", () => {
  /** A request answered at once, so only its resolve deadline can go red. */
  async function overdueRequest(): Promise<string> {
    const id = await fileRequest(h, people.villager.id);
    await change(id, (request) => ({ ...request, state: "accepted", respondedAt: h.now.toISOString() }));
    return id;
  }

  async function change(id: string, edit: (request: ServiceRequest) => ServiceRequest): Promise<void> {
    await inUnit(h.deps, async (unit) => {
      const request = await unit.tx.get(Requests, id);
      if (request === undefined) throw new Error(`no request ${id}`);
      unit.tx.put(Requests, edit(request));
    });
  }

  const escalations = () =>
    h.messages(townChat).filter((m) => m.entry.message.lines[0]?.key === "requests.notify.town");

  it("tells the town's chat once, at the end of the 5th working day after the deadline, not before", async () => {
    await bindTownChat();
    const id = await overdueRequest();
    const request = await inUnit(h.deps, (unit) => unit.tx.get(Requests, id));
    // Roads are complex: 15 working days from Monday 11-23, the end of Monday 12-14; 5 more end on 12-21.
    expect(request?.resolveBy).toBe("2026-12-14T16:00:00.000Z");

    at("2026-12-21T23:59:00");
    await alertRed(h.deps);
    await h.drain();
    const early = escalations().length;
    at("2026-12-22T00:00:00");
    await alertRed(h.deps);
    await alertRed(h.deps);
    await h.drain();

    expect([early, escalations().map((m) => m.entry.message.lines[0]?.params?.id)]).toEqual([0, [id]]);
  });

  it("tells the supervisors in private when the town has no chat", async () => {
    await h.send(people.secretary.id, { type: "button", data: `tws:${people.otherWorker.id}` });
    await overdueRequest();

    at("2026-12-22T10:00:00");
    await alertRed(h.deps);
    await h.drain();

    expect(
      h
        .messages(people.otherWorker.id)
        .filter((m) => m.entry.message.lines[0]?.key === "requests.notify.town"),
    ).toHaveLength(1);
  });

  it("keeps it for the town until someone can be told: a chat bound later gets it at the next run", async () => {
    await overdueRequest();
    at("2026-12-22T10:00:00");
    await alertRed(h.deps);

    await bindTownChat();
    await alertRed(h.deps);
    await alertRed(h.deps);
    await h.drain();

    expect(escalations()).toHaveLength(1);
  });

  it("sends nothing to the town for a request resolved in time", async () => {
    await bindTownChat();
    const id = await overdueRequest();
    await change(id, (request) => ({ ...request, state: "resolved", resolvedAt: h.now.toISOString() }));

    at("2026-12-22T10:00:00");
    await alertRed(h.deps);
    await h.drain();

    expect(escalations()).toHaveLength(0);
  });
});

describe("the town's monthly roll-up", () => {
  const rollUps = () =>
    h.messages(townChat).filter((m) => m.entry.message.lines[0]?.key === "tally.town.title");

  it("goes to the town chat on the 1st at 09:00, once, one line per village, ranked, with a chart", async () => {
    await bindTownChat();
    const other = await seedAnother(h.app, { village: "西岭村", code: "XL" });
    await fileRequest(h, other.villager.id);

    at("2026-12-01T09:00:00");
    await publishMonthlyTallies(h.deps);
    await publishMonthlyTallies(h.deps);
    await h.drain();

    const [rollUp] = rollUps();
    const lines = rollUp?.text.split("\n") ?? [];
    expect(rollUps()).toHaveLength(1);
    expect(lines[0]).toBe("🏛 红旗镇2026年11月各村晾晒");
    expect(lines.filter((line) => /^\d\. /.test(line)).map((line) => line.split("：")[0])).toEqual([
      "1. 西岭村",
      "2. 东风村",
    ]);
    expect(rollUp?.entry.message.chart?.panels[0]?.categories).toHaveLength(2);
    expect(rollUp?.text).not.toContain(other.villager.name);
  });

  it("answers /tally in the town chat with the roll-up", async () => {
    await bindTownChat();

    await h.send(
      people.secretary.id,
      { type: "command", command: "tally", args: "2026-11" },
      { group: townChat },
    );

    expect(h.last(townChat)?.text.split("\n")[0]).toBe("🏛 红旗镇2026年11月各村晾晒");
  });
});
