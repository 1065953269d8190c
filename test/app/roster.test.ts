import { beforeEach, describe, expect, it } from "vitest";
import type { InboundInput } from "../../src/app/inbound.js";
import {
  Bindings,
  Conversations,
  Households,
  identityKey,
  Members,
  Towns,
  Villages,
} from "../../src/app/tables.js";
import { createHarness, type Harness, seedVillage } from "./harness.js";

let h: Harness;
let people: Awaited<ReturnType<typeof seedVillage>>;

beforeEach(async () => {
  h = await createHarness();
  people = await seedVillage(h);
});

const member = (id: string) => h.store.transaction((tx) => tx.get(Members, id));
const roster = () =>
  h.store.transaction(async (tx) =>
    (await tx.find(Members, "village", people.village.id)).filter((m) => m.active),
  );

describe("roster", () => {
  it("adds a member from one typed line with role, household and phone", async () => {
    await h.send(people.secretary.id, { type: "command", command: "roster" });
    await h.press(people.secretary.id, "roster.add_member");
    await h.send(people.secretary.id, { type: "text", text: "孙小妹，网格员，二组1号，13800000000" });
    const added = (await roster()).find((m) => m.name === "孙小妹");
    const household = await h.store.transaction((tx) => tx.get(Households, added?.householdId ?? ""));
    expect([added?.role, household?.name, added?.phone]).toEqual(["grid_worker", "二组1号", "13800000000"]);
  });

  it("keeps asking when the typed line cannot be read", async () => {
    await h.send(people.secretary.id, { type: "button", data: "ra:m" });
    const outcome = await h.send(people.secretary.id, { type: "text", text: "孙小妹，宇航员" });
    expect([outcome.notice?.key, (await roster()).length]).toEqual(["roster.refusal.bad_member_line", 5]);
  });

  it("renames a member", async () => {
    await h.send(people.secretary.id, { type: "button", data: `mn:${people.villager.id}` });
    await h.send(people.secretary.id, { type: "text", text: "张德福" });
    expect((await member(people.villager.id))?.name).toBe("张德福");
  });

  it("makes a villager a grid worker and tells them", async () => {
    await h.send(people.secretary.id, { type: "button", data: `mr:${people.neighbour.id}:g` });
    expect([(await member(people.neighbour.id))?.role, h.last(people.neighbour.id)?.text]).toEqual([
      "grid_worker",
      "您的身份已改为：网格员。",
    ]);
  });

  it("refuses to demote the last secretary", async () => {
    const outcome = await h.send(people.secretary.id, {
      type: "button",
      data: `mr:${people.secretary.id}:v`,
    });
    expect([outcome.notice?.key, (await member(people.secretary.id))?.role]).toEqual([
      "roster.refusal.last_secretary",
      "secretary",
    ]);
  });

  it("moves a member to another household", async () => {
    const neighbourHousehold = (await member(people.neighbour.id))?.householdId ?? "";
    await h.send(people.secretary.id, {
      type: "button",
      data: `mv:${people.villager.id}:${neighbourHousehold}`,
    });
    expect((await member(people.villager.id))?.householdId).toBe(neighbourHousehold);
  });

  it("removes a member but keeps the record", async () => {
    await h.send(people.secretary.id, { type: "button", data: `mx:${people.neighbour.id}` });
    expect([(await member(people.neighbour.id))?.active, (await roster()).length]).toEqual([false, 4]);
  });

  it("refuses a removed member who tries to use the bot", async () => {
    await h.send(people.secretary.id, { type: "button", data: `mx:${people.neighbour.id}` });
    const outcome = await h.send(people.neighbour.id, { type: "command", command: "request" });
    expect(outcome.notice?.key).toBe("refusal.removed");
  });

  it("gives a grid worker a category and takes it back", async () => {
    await h.send(people.secretary.id, { type: "button", data: `mt:${people.otherWorker.id}:water` });
    const owns = async () =>
      (await h.store.transaction((tx) => tx.get(Villages, people.village.id)))?.categories.find(
        (c) => c.id === "water",
      )?.ownerIds;
    const after = await owns();
    await h.send(people.secretary.id, { type: "button", data: `mt:${people.otherWorker.id}:water` });
    expect([after, await owns()]).toEqual([[people.otherWorker.id], []]);
  });

  it("renames and removes a household, keeping its members on the roster", async () => {
    const householdId = (await member(people.villager.id))?.householdId ?? "";
    await h.send(people.secretary.id, { type: "button", data: `hn:${householdId}` });
    await h.send(people.secretary.id, { type: "text", text: "一组3号 张家" });
    const renamed = await h.store.transaction((tx) => tx.get(Households, householdId));
    await h.send(people.secretary.id, { type: "button", data: `hx:${householdId}` });
    const villager = await member(people.villager.id);
    expect([renamed?.name, villager?.active, villager?.householdId]).toEqual([
      "一组3号 张家",
      true,
      undefined,
    ]);
  });

  it("imports a CSV roster and reports the rows it could not read", async () => {
    await h.send(people.secretary.id, { type: "button", data: "ri" });
    const csv =
      "\uFEFF姓名,身份,户,电话\n陈阿姨,村民,三组2号,13900000000\n,村民,三组2号,\n周师傅,司机,三组4号,\n张大爷,网格员,一组3号,\n吴小弟,,三组2号,abc\n";
    await h.send(people.secretary.id, { type: "file", fileName: "roster.csv", content: csv });
    const report = h.last(people.secretary.id)?.text ?? "";
    expect([report.split("\n"), (await member(people.villager.id))?.role]).toEqual([
      [
        "名册导入完成：新增1人，更新1人，3行没读懂。",
        "第3行：姓名为空、太长或带看不见的字符",
        "第4行：身份看不懂（可填：村民、网格员、书记）",
        "第6行：电话格式不对",
      ],
      "grid_worker",
    ]);
  });

  it("refuses a CSV without a name column", async () => {
    await h.send(people.secretary.id, { type: "button", data: "ri" });
    const outcome = await h.send(people.secretary.id, { type: "text", text: "foo,bar\n1,2" });
    expect(outcome.notice?.key).toBe("roster.refusal.csv_unreadable");
  });

  it("keeps the roster from villagers", async () => {
    const outcome = await h.send(people.villager.id, { type: "button", data: `mx:${people.neighbour.id}` });
    expect([outcome.notice?.key, (await member(people.neighbour.id))?.active]).toEqual([
      "refusal.not_allowed",
      true,
    ]);
  });
});

/** A private chat on Telegram with someone the app may not know yet. */
function telegramUser(userId: string, displayName?: string) {
  let seq = 0;
  return (input: InboundInput) =>
    h.app.handle({
      eventId: `${userId}-${++seq}`,
      channel: "telegram",
      userId,
      ...(displayName === undefined ? {} : { displayName }),
      chat: { kind: "private", chatId: userId },
      input,
    });
}

describe("setting up and joining", () => {
  it("walks a stranger through setting up a village and makes them its secretary", async () => {
    const say = telegramUser("777", "陈书记");
    await say({ type: "command", command: "setup" });
    await say({ type: "text", text: "向阳村" });
    await say({ type: "text", text: "红旗镇" });
    await say({ type: "text", text: "xy" });
    const secretary = await h.store.transaction((tx) =>
      tx.find(Members, "identity", identityKey("telegram", "777")).then((found) => found[0]),
    );
    const village = await h.store.transaction((tx) => tx.get(Villages, secretary?.villageId ?? ""));
    const towns = await h.store.transaction((tx) => tx.all(Towns));
    expect([secretary?.role, secretary?.name, village?.name, village?.code, towns.length]).toEqual([
      "secretary",
      "陈书记",
      "向阳村",
      "XY",
      1,
    ]);
  });

  it("refuses a tracking prefix another village uses", async () => {
    const say = telegramUser("778");
    await say({ type: "command", command: "setup" });
    await say({ type: "text", text: "东风二村" });
    await say({ type: "text", text: "红旗镇" });
    const outcome = await say({ type: "text", text: "DF" });
    await say({ type: "text", text: "DFE" });
    const secretary = await h.store.transaction((tx) =>
      tx.find(Members, "identity", identityKey("telegram", "778")).then((found) => found[0]),
    );
    expect([outcome.notice?.key, outcome.notice?.params?.code, secretary?.role]).toEqual([
      "setup.refusal.code_taken",
      "DF",
      "secretary",
    ]);
  });

  it("lets a stranger cancel the village setup with the cancel button", async () => {
    const say = telegramUser("779");
    await say({ type: "command", command: "setup" });
    await say({ type: "button", data: "x" });
    const conversation = await h.store.transaction((tx) => tx.get(Conversations, "telegram:779"));
    expect(conversation).toBeUndefined();
  });

  it("lets a person the channel checked join the village as a villager", async () => {
    await telegramUser("555", "马大哥")({ type: "join", villageId: people.village.id });
    const joined = await h.store.transaction((tx) =>
      tx.find(Members, "identity", identityKey("telegram", "555")).then((found) => found[0]),
    );
    expect([joined?.name, joined?.role, joined?.villageId]).toEqual([
      "马大哥",
      "villager",
      people.village.id,
    ]);
  });

  it("binds a group only for a secretary and then answers /stats without personal details", async () => {
    const villagerTry = await h.send(people.villager.id, { type: "bind_group" }, { group: "tg-group" });
    await h.send(people.secretary.id, { type: "bind_group" }, { group: "tg-group" });
    await h.send(people.villager.id, { type: "command", command: "stats" }, { group: "tg-group" });
    const binding = await h.store.transaction((tx) => tx.get(Bindings, "local:tg-group"));
    const stats = h.last("tg-group");
    expect([villagerTry.notice?.key, binding?.villageId, stats?.entry.message.lines[0]?.key]).toEqual([
      "refusal.not_allowed",
      people.village.id,
      "tally.title",
    ]);
    expect(stats?.text).not.toContain(people.secretary.name);
  });

  it("answers a stranger's press on a group button with a notice only, posting nothing to the group", async () => {
    await h.send(people.secretary.id, { type: "bind_group" }, { group: "tg-group" });
    const before = h.messages("tg-group").length;
    const outcome = await h.send(
      "stranger",
      { type: "button", data: `op:${people.village.id}` },
      { group: "tg-group" },
    );
    expect([outcome.notice?.key, outcome.language, h.messages("tg-group").length]).toEqual([
      "refusal.join_first",
      "zh-CN",
      before,
    ]);
  });

  it("asks a member who pressed a group button for typed text in their private chat", async () => {
    await h.send(people.secretary.id, { type: "bind_group" }, { group: "tg-group" });
    const before = h.messages("tg-group").length;
    await h.send(people.secretary.id, { type: "button", data: "ra:h" }, { group: "tg-group" });
    expect([h.messages("tg-group").length, h.last(people.secretary.id)?.text]).toEqual([
      before,
      "请输入户名（最多40字），比如：一组3号 张家",
    ]);
  });

  it("switches a member's language and answers in English from then on", async () => {
    await h.send(people.villager.id, { type: "button", data: "l:en" });
    await h.send(people.villager.id, { type: "command", command: "my" });
    expect(h.last(people.villager.id)?.text).toBe(
      "You have not sent any request yet. Tap “Send a request” to start.",
    );
  });
});

describe("names that show nothing", () => {
  beforeEach(async () => {
    h = await createHarness();
    people = await seedVillage(h);
  });

  it.each(["\u200b", "张\u202e三", "李\u0000四"])("refuses to rename a member to %j", async (name) => {
    await h.send(people.secretary.id, { type: "button", data: `mn:${people.villager.id}` });

    const outcome = await h.send(people.secretary.id, { type: "text", text: name });

    expect([outcome.notice?.key, (await member(people.villager.id))?.name]).toEqual([
      "roster.refusal.name_invalid",
      "张大爷",
    ]);
  });

  it("drops invisible characters from the name a platform reports when someone joins", async () => {
    await h.app.handle({
      eventId: "join-1",
      channel: "telegram",
      userId: "556",
      displayName: "马\u200b大哥\u202e",
      chat: { kind: "private", chatId: "556" },
      input: { type: "join", villageId: people.village.id },
    });

    const joined = await h.store.transaction((tx) =>
      tx.find(Members, "identity", identityKey("telegram", "556")),
    );
    expect(joined[0]?.name).toBe("马大哥");
  });

  it("says the limit of a place name when the setup answer is too long", async () => {
    const say = (input: InboundInput) =>
      h.app.handle({
        eventId: `s-${Math.random()}`,
        channel: "telegram",
        userId: "900",
        chat: { kind: "private", chatId: "900" },
        input,
      });
    await say({ type: "command", command: "setup" });

    const outcome = await say({ type: "text", text: "村".repeat(61) });

    expect(outcome.notice).toEqual({ key: "refusal.text_too_long", params: { max: 60 } });
  });
});
