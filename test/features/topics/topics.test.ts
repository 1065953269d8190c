import { beforeEach, describe, expect, it } from "vitest";
import { localGroupChat } from "../../../src/app/deps.js";
import type { Member } from "../../../src/domain/model.js";
import { Requests } from "../../../src/features/requests/index.js";
import { Topics } from "../../../src/features/topics/index.js";
import { archiveTopics } from "../../../src/features/topics/use-cases.js";
import { addVillagers, createHarness, fileRequest, type Harness, seedVillage } from "../../app/harness.js";
import { type SeededVillage, seedVillage as seedSharedVillage } from "../../support/village.js";

let h: Harness;
let people: SeededVillage;
let group: string;

beforeEach(async () => {
  h = await createHarness();
  people = await seedVillage(h);
  group = localGroupChat(people.village.id);
});

const stored = (id: string) => h.store.transaction((tx) => tx.get(Topics, id));
const press = (userId: string, data: string, options: { group?: string } = {}) =>
  h.send(userId, { type: "button", data }, options);
const say = (userId: string, text: string) => h.send(userId, { type: "text", text });

/** The villager proposes a topic through the form and gets its number back. */
async function propose(memberId = people.villager.id, title = "修村口那段路"): Promise<string> {
  await h.send(memberId, { type: "command", command: "propose" });
  await say(memberId, title);
  await say(memberId, "村口的路坑坑洼洼，下雨就积水，老人走路容易摔。");
  await h.press(memberId, "topics.submit");
  const told = h.messages(memberId).find((m) => m.entry.message.lines[0]?.key === "topics.proposed");
  const id = told?.entry.message.lines[0]?.params?.id;
  if (typeof id !== "string") throw new Error("no topic number");
  return id;
}

describe("proposing a topic (提议题)", () => {
  it("stores the topic and posts it to the village group with a support button", async () => {
    const id = await propose();

    const topic = await stored(id);
    const posted = h.messages(group).find((m) => m.entry.message.lines[0]?.key === "topics.group.new");
    expect([topic?.state, topic?.title, id]).toEqual(["proposed", "修村口那段路", "DF-T1"]);
    expect(posted?.text).toContain("📣 新议题DF-T1：修村口那段路");
    expect(h.buttonsOf(posted?.entry.message ?? { lines: [] })).toEqual(["topics.support"]);
  });

  it("keeps a photo sent with the topic and shows it in the group", async () => {
    await h.send(people.villager.id, { type: "command", command: "propose" });
    await say(people.villager.id, "修村口那段路");
    await say(people.villager.id, "路坏了");
    await h.send(people.villager.id, { type: "photo", fileRef: "road.jpg" });
    await h.press(people.villager.id, "topics.submit");

    const posted = h.messages(group).find((m) => m.entry.message.lines[0]?.key === "topics.group.new");
    expect(posted?.entry.message.attachments?.map((a) => a.fileRef)).toEqual(["road.jpg"]);
  });

  it("refuses a title longer than 40 characters and asks again", async () => {
    await h.send(people.villager.id, { type: "command", command: "propose" });

    const outcome = await say(people.villager.id, "路".repeat(41));

    expect(outcome.notice?.key).toBe("topics.refusal.title_too_long");
    expect(await h.store.transaction((tx) => tx.all(Topics))).toEqual([]);
  });

  it("sets the threshold to 5 households, or 10% of a small village's households", async () => {
    const small = await propose();
    await addVillagers(h, people.secretary, 60);

    const big = await propose(people.neighbour.id, "建一个文化广场");

    expect([(await stored(small))?.threshold, (await stored(big))?.threshold]).toEqual([1, 5]);
  });
});

describe("supporting a topic (附议)", () => {
  it("counts households, not members: two people of one household are one support", async () => {
    const villagers = await addVillagers(h, people.secretary, 60);
    const id = await propose();

    for (const villager of villagers.slice(0, 3)) await press(villager.id, `ts:${id}`, { group });
    await press(people.worker.id, `ts:${id}`, { group });
    await press(people.otherWorker.id, `ts:${id}`, { group });

    const topic = await stored(id);
    expect([topic?.supports.length, topic?.threshold, topic?.state]).toEqual([5, 5, "proposed"]);
  });

  it("confirms a support pressed in the group only to the supporter, as a short answer", async () => {
    const id = await propose();
    const before = h.messages(group).length;

    const outcome = await press(people.neighbour.id, `ts:${id}`, { group });

    expect(outcome.notice?.key).toBe("topics.supported");
    expect(
      h
        .messages(group)
        .slice(before)
        .map((m) => m.entry.message.lines[0]?.key),
    ).not.toContain("topics.supported");
  });

  it.each([
    ["the proposer", "villager", "topics.refusal.own_topic"],
    ["someone who supported already", "neighbour", "topics.refusal.already_supported"],
  ] as const)("refuses %s", async (_who, member, reason) => {
    await addVillagers(h, people.secretary, 60);
    const id = await propose();
    await press(people.neighbour.id, `ts:${id}`, { group });

    const outcome = await press(people[member].id, `ts:${id}`, { group });

    expect(outcome.notice?.key).toBe(reason);
    expect((await stored(id))?.supports.length).toBe(1);
  });

  it("refuses a member of another village", async () => {
    const id = await propose();
    const other = await seedSharedVillage(h.app, { village: "西山村", code: "XS" });

    const outcome = await press(other.villager.id, `ts:${id}`);

    expect(outcome.notice?.key).toBe("topics.refusal.no_such_topic");
    expect((await stored(id))?.supports).toEqual([]);
  });

  it("changes nothing twice when the same press is delivered twice", async () => {
    await addVillagers(h, people.secretary, 60);
    const id = await propose();

    await h.send(people.neighbour.id, { type: "button", data: `ts:${id}` }, { group, eventId: "same" });
    const again = await h.send(
      people.neighbour.id,
      { type: "button", data: `ts:${id}` },
      { group, eventId: "same" },
    );

    expect(again.status).toBe("duplicate");
    expect((await stored(id))?.supports.length).toBe(1);
  });

  it("puts the topic on the agenda at the threshold and tells the group and the secretary", async () => {
    const villagers = await addVillagers(h, people.secretary, 60);
    const id = await propose();

    for (const villager of villagers.slice(0, 5)) await press(villager.id, `ts:${id}`, { group });

    const topic = await stored(id);
    expect([topic?.state, topic?.agendaBy]).toEqual(["agenda", "threshold"]);
    expect(h.messages(group).some((m) => m.entry.message.lines[0]?.key === "topics.group.reached")).toBe(
      true,
    );
    expect(
      h
        .messages(people.secretary.id)
        .some((m) => m.entry.message.lines[0]?.key === "topics.secretary.reached"),
    ).toBe(true);
  });

  it("does not count supports given after the 30 days", async () => {
    const villagers = await addVillagers(h, people.secretary, 60);
    const id = await propose();
    for (const villager of villagers.slice(0, 4)) await press(villager.id, `ts:${id}`, { group });

    h.advanceHours(31 * 24);
    await press(villagers[4]?.id ?? "", `ts:${id}`, { group });

    const topic = await stored(id);
    expect([topic?.supports.length, topic?.state]).toEqual([5, "proposed"]);
  });

  it("edits the group's copy of the count at most every 5 seconds, with the newest count", async () => {
    const villagers = await addVillagers(h, people.secretary, 60);
    const id = await propose();
    const inGroup = (eventId: string, villager: Member | undefined) =>
      h.app.handle({
        eventId,
        channel: "local",
        userId: villager?.id ?? "",
        chat: { kind: "group", chatId: group },
        input: { type: "button", data: `ts:${id}` },
      });
    await inGroup("s1", villagers[0]);
    await inGroup("s2", villagers[1]);
    await inGroup("s3", villagers[2]);

    const waiting = (await h.store.due(new Date(8.64e15), 1000)).filter((e) => e.key === `topic:${id}`);
    expect(waiting.map((e) => e.message.lines[1]?.params?.households)).toEqual([3]);
    expect(Date.parse(waiting[0]?.notBefore ?? "") - h.now.getTime()).toBe(5_000);
  });
});

describe("the secretary and the agenda", () => {
  it("lets the secretary put any topic on the agenda", async () => {
    const id = await propose();

    await press(people.secretary.id, `ta:${id}`);

    const topic = await stored(id);
    expect([topic?.state, topic?.agendaBy]).toEqual(["agenda", people.secretary.id]);
  });

  it.each([
    ["put a topic on the agenda", "ta"],
    ["keep a topic open", "tk"],
  ])("refuses a villager who tries to %s", async (_what, code) => {
    const id = await propose();

    const outcome = await press(people.neighbour.id, `${code}:${id}`);

    expect(outcome.notice?.key).toBe("topics.refusal.not_allowed");
    expect((await stored(id))?.state).toBe("proposed");
    expect((await stored(id))?.keptOpenBy).toBeUndefined();
  });

  it.each([
    ["put on the agenda twice", "ta", "topics.refusal.already_on_agenda"],
    ["kept open twice", "tk", "topics.refusal.already_kept_open"],
  ])("refuses a topic %s", async (_what, code, reason) => {
    const id = await propose();
    await press(people.secretary.id, `${code}:${id}`);

    const outcome = await press(people.secretary.id, `${code}:${id}`);

    expect(outcome.notice?.key).toBe(reason);
  });

  it("refuses a request number it cannot find, and asks again", async () => {
    await press(people.secretary.id, "tr");

    const outcome = await say(people.secretary.id, "DF-2026-9999");

    expect(outcome.notice?.key).toBe("topics.refusal.no_such_request");
    expect(await h.store.transaction((tx) => tx.all(Topics))).toEqual([]);
  });

  it("turns a request into a topic, linked both ways", async () => {
    const requestId = await fileRequest(h, people.villager.id, "村口路灯坏了三盏，晚上很黑");
    await press(people.secretary.id, "tr");

    await say(people.secretary.id, requestId);

    const request = await h.store.transaction((tx) => tx.get(Requests, requestId));
    const link = request?.timeline.at(-1);
    expect([link?.action, link?.relatedId]).toEqual(["topic", "DF-T1"]);
    expect((await stored("DF-T1"))?.requestIds).toEqual([requestId]);
  });
});

describe("archiving unsupported topics", () => {
  it("warns the proposer once at day 80 and archives the topic at day 90", async () => {
    await addVillagers(h, people.secretary, 60);
    const id = await propose();

    h.advanceHours(80 * 24);
    await archiveTopics(h.deps);
    await archiveTopics(h.deps);
    await h.drain();
    const warnings = h
      .messages(people.villager.id)
      .filter((m) => m.entry.message.lines[0]?.key === "topics.warn.archive");
    h.advanceHours(10 * 24);
    await archiveTopics(h.deps);
    await h.drain();

    expect(warnings).toHaveLength(1);
    expect((await stored(id))?.state).toBe("archived");
    expect(
      h
        .messages(people.villager.id)
        .some((m) => m.entry.message.lines[0]?.key === "topics.archived.proposer"),
    ).toBe(true);
  });

  it("does not archive a topic the secretary keeps open", async () => {
    await addVillagers(h, people.secretary, 60);
    const id = await propose();
    await press(people.secretary.id, `tk:${id}`);

    h.advanceHours(100 * 24);
    await archiveTopics(h.deps);

    expect((await stored(id))?.state).toBe("proposed");
  });

  it("refuses a support once the topic is archived", async () => {
    await addVillagers(h, people.secretary, 60);
    const id = await propose();
    h.advanceHours(90 * 24);
    await archiveTopics(h.deps);

    const outcome = await press(people.neighbour.id, `ts:${id}`, { group });

    expect(outcome.notice?.key).toBe("topics.refusal.topic_closed");
  });
});
