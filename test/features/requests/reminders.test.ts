import { beforeEach, describe, expect, it } from "vitest";
import { trafficLight } from "../../../src/domain/deadlines.js";
import { Requests } from "../../../src/features/requests/index.js";
import { remindUnrated, remindYellow } from "../../../src/features/requests/use-cases.js";
import { createHarness, fileRequest, type Harness, seedVillage } from "../../app/harness.js";
import type { SeededVillage } from "../../support/village.js";

let h: Harness;
let people: SeededVillage;

beforeEach(async () => {
  h = await createHarness();
  people = await seedVillage(h);
});

const stored = async (id: string) => {
  const request = await h.store.transaction((tx) => tx.get(Requests, id));
  if (request === undefined) throw new Error(`no request ${id}`);
  return request;
};
const lines = (memberId: string, key: string) =>
  h.messages(memberId).filter((m) => m.entry.message.lines[0]?.key === key);

describe("the yellow light (快到期)", () => {
  it("asks the secretaries once to assign a request nobody has taken when it turns yellow, not while green", async () => {
    const id = await fileRequest(h, people.villager.id);
    await remindYellow(h.deps);
    await h.drain();
    const whileGreen = lines(people.secretary.id, "requests.notify.yellow").length;
    while (trafficLight(await stored(id), h.now) === "green") h.advanceHours(1);

    await remindYellow(h.deps);
    await remindYellow(h.deps);
    await h.drain();

    expect(whileGreen).toBe(0);
    expect(lines(people.secretary.id, "requests.notify.yellow")).toHaveLength(1);
  });

  it("reminds the owner, not the secretaries, once someone carries it", async () => {
    const id = await fileRequest(h, people.villager.id);
    await h.send(people.worker.id, { type: "button", data: `acc:${id}` });
    while (trafficLight(await stored(id), h.now) === "green") h.advanceHours(6);

    await remindYellow(h.deps);
    await h.drain();

    expect(lines(people.worker.id, "requests.notify.yellow_owner")).toHaveLength(1);
    expect(lines(people.secretary.id, "requests.notify.yellow")).toHaveLength(0);
  });
});

describe("the rating reminder", () => {
  it("asks the villager once, a day after 办结, with the rating buttons", async () => {
    const id = await fileRequest(h, people.villager.id);
    await h.send(people.worker.id, { type: "button", data: `acc:${id}` });
    await h.send(people.worker.id, { type: "button", data: `res:${id}` });
    await h.send(people.worker.id, { type: "text", text: "换了新灯泡" });
    h.advanceHours(23);
    await remindUnrated(h.deps);
    await h.drain();
    const early = lines(people.villager.id, "requests.notify.rate_reminder").length;

    h.advanceHours(2);
    await remindUnrated(h.deps);
    await remindUnrated(h.deps);
    await h.drain();

    const reminders = lines(people.villager.id, "requests.notify.rate_reminder");
    expect(early).toBe(0);
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.entry.message.buttons?.flat().map((b) => b.data)).toContain(`r:${id}:s`);
  });
});
