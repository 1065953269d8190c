import { describe, expect, it } from "vitest";
import { translate } from "../../../src/i18n/index.js";
import {
  createTelegramHarness,
  failures,
  groupChat,
  joinVillage,
  privateChat,
  setUpVillage,
  tgUser,
} from "./fake-api.js";

const secretary = tgUser(101, "王书记");
const villager = tgUser(201, "李大爷");
const group = groupChat(-4001);

describe("joining a village through the group's deep link", () => {
  it("puts a member of the bound group on the roster as a villager", async () => {
    const h = createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);

    await joinVillage(h, villager, group, villageId);

    const member = await h.memberOf(villager);
    expect(member).toMatchObject({ villageId, role: "villager", name: "李大爷", active: true });
  });

  it("asks Telegram whether the person is in the bound group", async () => {
    const h = createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.clear();

    await joinVillage(h, villager, group, villageId);

    expect(h.fake.callsOf("getChatMember").map((call) => call.payload)).toEqual([
      { chat_id: group.id, user_id: villager.id },
    ]);
  });

  it("welcomes the new villager in the private chat with the main menu", async () => {
    const h = createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);

    await joinVillage(h, villager, group, villageId);

    const welcome = h.lastSent(villager.id);
    expect(welcome?.text).toContain(
      translate({ key: "join.welcome", params: { village: "幸福村" } }, "zh-CN"),
    );
    expect(welcome?.buttons.map((button) => button.callback_data)).toContain("m:request");
  });

  it.each(["left", "kicked"] as const)("refuses someone whose group status is %s", async (status) => {
    const h = createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.setChatMember(group.id, villager.id, status);

    await h.deliver(h.updates.text(villager, privateChat(villager), `/start j_${villageId}`));

    expect(await h.memberOf(villager)).toBeUndefined();
    expect(h.lastSent(villager.id)?.text).toContain("村群");
  });

  it("accepts a restricted group member who is still in the group", async () => {
    const h = createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.setChatMember(group.id, villager.id, "restricted");

    await h.deliver(h.updates.text(villager, privateChat(villager), `/start j_${villageId}`));

    expect((await h.memberOf(villager))?.villageId).toBe(villageId);
  });

  it("refuses a deep link to a village with no bound group without asking Telegram", async () => {
    const h = createTelegramHarness();

    await h.deliver(h.updates.text(villager, privateChat(villager), "/start j_v404"));

    expect(await h.memberOf(villager)).toBeUndefined();
    expect(h.fake.callsOf("getChatMember")).toHaveLength(0);
    expect(h.lastSent(villager.id)?.text).toContain("村群");
  });

  it("answers in English when the person's Telegram is in English", async () => {
    const h = createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    const english = tgUser(202, "Lee", "en");

    await h.deliver(h.updates.text(english, privateChat(english), `/start j_${villageId}`));

    expect(h.lastSent(english.id)?.text).toContain("village group");
  });

  it("treats a failed membership check as not a member", async () => {
    const h = createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.failNext("getChatMember", { error_code: 400, description: "Bad Request: chat not found" });

    await h.deliver(h.updates.text(villager, privateChat(villager), `/start j_${villageId}`));

    expect(await h.memberOf(villager)).toBeUndefined();
  });

  it("waits out a short 429 on the membership check and then joins", async () => {
    const h = createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.failNext("getChatMember", failures.tooManyRequests(1));

    await joinVillage(h, villager, group, villageId);

    expect(
      h.fake.callsOf("getChatMember").filter((call) => call.payload.user_id === villager.id),
    ).toHaveLength(2);
    expect((await h.memberOf(villager))?.villageId).toBe(villageId);
  });

  it("welcomes back someone already on the roster without asking Telegram again", async () => {
    const h = createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    await joinVillage(h, villager, group, villageId);
    h.fake.clear();

    await h.deliver(h.updates.text(villager, privateChat(villager), `/start j_${villageId}`));

    expect(h.fake.callsOf("getChatMember")).toHaveLength(0);
    expect(h.lastSent(villager.id)?.text).toContain(translate({ key: "join.welcome_back" }, "zh-CN"));
  });

  it("greets a stranger who sends /start without a payload", async () => {
    const h = createTelegramHarness();

    await h.deliver(h.updates.text(villager, privateChat(villager), "/start"));

    expect(h.lastSent(villager.id)?.text).toBe(translate({ key: "stranger.welcome" }, "zh-CN"));
  });
});
