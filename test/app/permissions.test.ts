import { beforeEach, describe, expect, it } from "vitest";
import type { InboundOutcome } from "../../src/app/handle.js";
import type { InboundInput } from "../../src/app/inbound.js";
import { Bindings, Households, Members, Towns, Villages } from "../../src/app/tables.js";
import { Requests } from "../../src/features/requests/index.js";
import type { SeededVillage } from "../support/village.js";
import { seedVillage as seedOtherVillage } from "../support/village.js";
import { createHarness, fileRequest, type Harness, seedVillage } from "./harness.js";

/**
 * Every action × every kind of person: allowed ones change what they should, refused ones are refused and
 * change nothing. Each rule lives once, in the use case or domain/permissions.ts; these tests fail without it.
 */

type Role = "requester" | "villager" | "owner" | "worker" | "secretary" | "outsider" | "stranger";
const ROLES: readonly Role[] = [
  "requester",
  "villager",
  "owner",
  "worker",
  "secretary",
  "outsider",
  "stranger",
];
type Stage = "none" | "submitted" | "accepted" | "resolved";

interface World {
  h: Harness;
  people: SeededVillage;
  other: SeededVillage;
  id: string;
  actor: string;
}

interface Case {
  name: string;
  stage: Stage;
  allowed: readonly Role[];
  /** What the person does: a button press, maybe followed by typed text. */
  inputs: (world: World) => InboundInput[];
  /** Where they do it; the private chat unless told. */
  group?: string;
  /** Only shows something: allowed, it changes nothing either. */
  reads?: true;
}

const press = (data: string): InboundInput => ({ type: "button", data });
const type = (text: string): InboundInput => ({ type: "text", text });

/** Lists, the roster and new groups are each secretary's own village's: another village's secretary is one too. */
const CASES: Case[] = [
  {
    name: "view a request",
    reads: true,
    stage: "submitted",
    allowed: ["requester", "owner", "worker", "secretary"],
    inputs: (w) => [press(`v:${w.id}`)],
  },
  { name: "take it (接单)", stage: "submitted", allowed: ["owner"], inputs: (w) => [press(`acc:${w.id}`)] },
  {
    name: "ask whom to assign it to (派单)",
    reads: true,
    stage: "submitted",
    allowed: ["secretary"],
    inputs: (w) => [press(`trf:${w.id}`)],
  },
  {
    name: "assign it (派单)",
    stage: "submitted",
    allowed: ["secretary"],
    inputs: (w) => [press(`own:${w.id}:${w.people.otherWorker.id}`)],
  },
  {
    name: "reassign it (转办)",
    stage: "accepted",
    allowed: ["secretary"],
    inputs: (w) => [press(`own:${w.id}:${w.people.otherWorker.id}`)],
  },
  {
    name: "write progress",
    stage: "accepted",
    allowed: ["owner", "secretary"],
    inputs: (w) => [press(`prg:${w.id}`), type("已联系电工")],
  },
  {
    name: "resolve it (办结)",
    stage: "accepted",
    allowed: ["owner", "secretary"],
    inputs: (w) => [press(`res:${w.id}`), type("修好了")],
  },
  {
    name: "extend it",
    stage: "accepted",
    allowed: ["owner", "secretary"],
    inputs: (w) => [press(`ext:${w.id}`), type("等配件")],
  },
  {
    name: "decline a request someone has taken",
    stage: "accepted",
    allowed: ["secretary"],
    inputs: (w) => [press(`dec:${w.id}`), type("不归村里管")],
  },
  {
    name: "decline it",
    stage: "submitted",
    allowed: ["secretary"],
    inputs: (w) => [press(`dec:${w.id}`), type("不归村里管")],
  },
  {
    name: "merge a request someone has taken",
    stage: "accepted",
    allowed: ["secretary"],
    inputs: (w) => [press(`mrg:${w.id}`), type("DF-2026-0002")],
  },
  {
    name: "merge it into another",
    stage: "submitted",
    allowed: ["secretary"],
    inputs: (w) => [press(`mrg:${w.id}`), type("DF-2026-0002")],
  },
  { name: "rate it 满意", stage: "resolved", allowed: ["requester"], inputs: (w) => [press(`r:${w.id}:s`)] },
  {
    name: "rate it 不满意",
    stage: "resolved",
    allowed: ["requester"],
    inputs: (w) => [press(`r:${w.id}:n`), type("还是不亮")],
  },
  {
    name: "file for a villager (代办), or for oneself",
    stage: "none",
    allowed: ["requester", "owner", "worker", "secretary"],
    inputs: (w) => [
      press(`pf:${w.people.villager.id}`),
      press("k:errand"),
      press("c:policy"),
      type("问补贴"),
      press("d:ok"),
    ],
  },
  {
    name: "see the work list",
    reads: true,
    stage: "none",
    allowed: ["owner", "worker", "secretary", "outsider"],
    inputs: () => [press("wk")],
  },
  {
    name: "see the ledger (台账)",
    reads: true,
    stage: "none",
    allowed: ["secretary", "outsider"],
    inputs: () => [press("led:a:m:0")],
  },
  {
    name: "open the roster",
    reads: true,
    stage: "none",
    allowed: ["secretary", "outsider"],
    inputs: () => [press("ro")],
  },
  {
    name: "change a role",
    stage: "none",
    allowed: ["secretary"],
    inputs: (w) => [press(`mr:${w.people.neighbour.id}:g`)],
  },
  {
    name: "remove a member",
    stage: "none",
    allowed: ["secretary"],
    inputs: (w) => [press(`mx:${w.people.neighbour.id}`)],
  },
  {
    name: "rename a member",
    stage: "none",
    allowed: ["secretary"],
    inputs: (w) => [press(`mn:${w.people.neighbour.id}`), type("刘桂英")],
  },
  {
    name: "add a member",
    stage: "none",
    allowed: ["secretary", "outsider"],
    inputs: () => [press("ra:m"), type("孙小妹，村民")],
  },
  {
    name: "add a household",
    stage: "none",
    allowed: ["secretary", "outsider"],
    inputs: () => [press("ra:h"), type("三组9号")],
  },
  {
    name: "give a category",
    stage: "none",
    allowed: ["secretary"],
    inputs: (w) => [press(`mt:${w.people.otherWorker.id}:water`)],
  },
  {
    name: "move a member to a household",
    stage: "none",
    allowed: ["secretary"],
    inputs: (w) => [press(`mv:${w.people.villager.id}:${w.people.neighbour.householdId ?? ""}`)],
  },
  {
    name: "remove a household",
    stage: "none",
    allowed: ["secretary"],
    inputs: (w) => [press(`hx:${w.people.villager.householdId ?? ""}`)],
  },
  {
    name: "import a roster",
    stage: "none",
    allowed: ["secretary", "outsider"],
    inputs: () => [press("ri"), { type: "file", fileName: "r.csv", content: "姓名,身份\n钱大叔,村民\n" }],
  },
  {
    name: "bind a group",
    stage: "none",
    allowed: ["secretary", "outsider"],
    group: "new-group",
    inputs: () => [{ type: "bind_group" }],
  },
];

/** Everything a refused action must leave alone (where the bot last reached someone is delivery bookkeeping). */
async function snapshot(h: Harness): Promise<string> {
  return h.store.transaction(async (tx) => {
    const villages = await tx.all(Villages);
    const requests = [];
    for (const village of villages) requests.push(...(await tx.find(Requests, "year", `${village.id}/2026`)));
    const members = [];
    const households = [];
    for (const village of villages) {
      members.push(
        ...(await tx.find(Members, "village", village.id)).map(({ lastChannel: _, ...member }) => member),
      );
      households.push(...(await tx.find(Households, "village", village.id)));
    }
    return JSON.stringify({
      villages,
      towns: await tx.all(Towns),
      bindings: await tx.all(Bindings),
      requests,
      members,
      households,
    });
  });
}

function isRefusal(outcome: InboundOutcome): boolean {
  const key = outcome.notice?.key ?? "";
  return /(^|\.)refusal\./.test(key) || key === "stranger.welcome";
}

async function world(stage: Stage): Promise<Omit<World, "actor">> {
  const h = await createHarness();
  const people = await seedVillage(h);
  const other = await seedOtherVillage(h.app, { village: "向阳村", code: "XY" });
  await h.drain();
  let id = "";
  if (stage !== "none") {
    id = await fileRequest(h, people.villager.id);
    await fileRequest(h, people.neighbour.id, "路灯坏了");
  }
  if (stage === "accepted" || stage === "resolved") await h.send(people.worker.id, press(`acc:${id}`));
  if (stage === "resolved") {
    await h.send(people.worker.id, press(`res:${id}`));
    await h.send(people.worker.id, type("修好了"));
  }
  return { h, people, other, id };
}

function actorOf(role: Role, w: Omit<World, "actor">): string {
  switch (role) {
    case "requester":
      return w.people.villager.id;
    case "villager":
      return w.people.neighbour.id;
    case "owner":
      return w.people.worker.id;
    case "worker":
      return w.people.otherWorker.id;
    case "secretary":
      return w.people.secretary.id;
    case "outsider":
      return w.other.secretary.id;
    case "stranger":
      return "stranger-1";
  }
}

const matrix = CASES.flatMap((c) =>
  ROLES.map((role) => ({ ...c, role, expected: c.allowed.includes(role) ? "allowed" : "refused" })),
);

describe("permission matrix", () => {
  it.each(matrix)("$name by $role: $expected", async ({ stage, role, inputs, group, expected, reads }) => {
    const w0 = await world(stage);
    const w: World = { ...w0, actor: actorOf(role, w0) };
    const before = await snapshot(w.h);

    const outcomes: InboundOutcome[] = [];
    for (const input of inputs(w))
      outcomes.push(await w.h.send(w.actor, input, group === undefined ? {} : { group }));

    const after = await snapshot(w.h);
    const refused = outcomes.some(isRefusal);
    if (expected === "refused") expect([refused, after === before]).toEqual([true, true]);
    else expect([refused, after === before]).toEqual([false, reads === true]);
  });
});

describe("rules the matrix cannot show alone", () => {
  let h: Harness;
  let people: SeededVillage;

  beforeEach(async () => {
    h = await createHarness();
    people = await seedVillage(h);
  });

  it("keeps a worker from rating a request they filed for a villager and resolved themselves", async () => {
    await h.send(people.worker.id, press(`pf:${people.villager.id}`));
    await h.send(people.worker.id, press("k:errand"));
    await h.send(people.worker.id, press("c:roads"));
    await h.send(people.worker.id, type("帮张大爷修门口的路"));
    await h.send(people.worker.id, press("d:ok"));
    await h.send(people.worker.id, press("acc:DF-2026-0001"));
    await h.send(people.worker.id, press("res:DF-2026-0001"));
    await h.send(people.worker.id, type("修好了"));

    const outcome = await h.send(people.worker.id, press("r:DF-2026-0001:s"));

    const stored = await h.store.transaction((tx) => tx.get(Requests, "DF-2026-0001"));
    expect([outcome.notice?.key, stored?.state]).toEqual(["refusal.not_allowed", "resolved"]);
  });

  it("lets the villager rate a request a worker filed for them", async () => {
    const id = await fileRequest(h, people.villager.id);
    await h.send(people.worker.id, press(`acc:${id}`));
    await h.send(people.worker.id, press(`res:${id}`));
    await h.send(people.worker.id, type("修好了"));

    await h.send(people.villager.id, press(`r:${id}:s`));

    expect((await h.store.transaction((tx) => tx.get(Requests, id)))?.rating).toBe("satisfied");
  });

  it.each([
    ["a villager", (p: SeededVillage) => p.neighbour.id],
    ["the requester", (p: SeededVillage) => p.villager.id],
  ])("refuses to give a request to %s, who cannot work on requests", async (_who, ownerOf) => {
    const id = await fileRequest(h, people.villager.id);

    const outcome = await h.send(people.secretary.id, press(`own:${id}:${ownerOf(people)}`));

    const stored = await h.store.transaction((tx) => tx.get(Requests, id));
    expect([outcome.notice?.key, stored?.ownerId]).toEqual(["requests.refusal.no_such_owner", undefined]);
  });

  it("refuses to give a request to a grid worker of another village", async () => {
    const other = await seedOtherVillage(h.app, { village: "向阳村", code: "XY" });
    const id = await fileRequest(h, people.villager.id);

    const outcome = await h.send(people.secretary.id, press(`own:${id}:${other.worker.id}`));

    expect(outcome.notice?.key).toBe("requests.refusal.no_such_owner");
  });

  it("refuses to remove the last secretary", async () => {
    const outcome = await h.send(people.secretary.id, press(`mx:${people.secretary.id}`));

    const secretary = await h.store.transaction((tx) => tx.get(Members, people.secretary.id));
    expect([outcome.notice?.key, secretary?.active]).toEqual(["roster.refusal.last_secretary", true]);
  });

  it("refuses to re-point a group bound to another village", async () => {
    const other = await seedOtherVillage(h.app, { village: "向阳村", code: "XY" });
    await h.send(people.secretary.id, { type: "bind_group" }, { group: "east-group" });

    const outcome = await h.send(other.secretary.id, { type: "bind_group" }, { group: "east-group" });

    const binding = await h.store.transaction((tx) => tx.get(Bindings, "local:east-group"));
    expect([outcome.notice?.key, binding?.villageId]).toEqual([
      "setup.refusal.group_taken",
      people.village.id,
    ]);
  });

  it("lets the bound village's secretary release the group, and then another village bind it", async () => {
    const other = await seedOtherVillage(h.app, { village: "向阳村", code: "XY" });
    await h.send(people.secretary.id, { type: "bind_group" }, { group: "east-group" });
    const stranger = await h.send(
      other.secretary.id,
      { type: "command", command: "release" },
      { group: "east-group" },
    );

    await h.send(people.secretary.id, { type: "command", command: "release" }, { group: "east-group" });
    await h.send(other.secretary.id, { type: "bind_group" }, { group: "east-group" });

    const binding = await h.store.transaction((tx) => tx.get(Bindings, "local:east-group"));
    expect([stranger.notice?.key, binding?.villageId]).toEqual(["refusal.not_allowed", other.village.id]);
  });

  it("lets a secretary bind their own village's group again", async () => {
    await h.send(people.secretary.id, { type: "bind_group" }, { group: "east-group" });

    const again = await h.send(people.secretary.id, { type: "bind_group" }, { group: "east-group" });

    expect(again.notice).toBeUndefined();
  });
});
