import { describe, expect, it } from "vitest";
import { telegramSays } from "../../../src/i18n/telegram.js";
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
const NOT_IN_GROUP = telegramSays("join.not_in_group", "zh-CN");

describe("joining a village through the group's deep link", () => {
  it("puts a member of the bound group on the roster as a villager", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);

    await joinVillage(h, villager, group, villageId);

    const member = await h.memberOf(villager);
    expect(member).toMatchObject({ villageId, role: "villager", name: "李大爷", active: true });
  });

  it("asks Telegram whether the person is in the bound group", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.clear();

    await joinVillage(h, villager, group, villageId);

    expect(h.fake.callsOf("getChatMember").map((call) => call.payload)).toEqual([
      { chat_id: group.id, user_id: villager.id },
    ]);
  });

  it("welcomes the new villager in the private chat with the main menu", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);

    await joinVillage(h, villager, group, villageId);

    const welcome = h.lastSent(villager.id);
    expect(welcome?.text.split("\n")[0]).toBe(h.say("setup.join.welcome", { village: "幸福村" }));
    expect(welcome?.buttons.map((button) => button.callback_data)).toContain("rq");
  });

  it.each(["left", "kicked"] as const)("refuses someone whose group status is %s", async (status) => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.setChatMember(group.id, villager.id, status);

    await h.deliver(h.updates.text(villager, privateChat(villager), `/start j_${villageId}`));

    expect(await h.memberOf(villager)).toBeUndefined();
    expect(h.lastSent(villager.id)?.text).toBe(NOT_IN_GROUP);
  });

  it("accepts a restricted group member who is still in the group", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.setChatMember(group.id, villager.id, "restricted");

    await h.deliver(h.updates.text(villager, privateChat(villager), `/start j_${villageId}`));

    expect((await h.memberOf(villager))?.villageId).toBe(villageId);
  });

  it("refuses a deep link to a village with no bound group without asking Telegram", async () => {
    const h = await createTelegramHarness();

    await h.deliver(h.updates.text(villager, privateChat(villager), "/start j_v404"));

    expect(await h.memberOf(villager)).toBeUndefined();
    expect(h.fake.callsOf("getChatMember")).toHaveLength(0);
    expect(h.lastSent(villager.id)?.text).toBe(NOT_IN_GROUP);
  });

  it("answers in English when the person's Telegram is in English", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    const english = tgUser(202, "Lee", "en");

    await h.deliver(h.updates.text(english, privateChat(english), `/start j_${villageId}`));

    expect(h.lastSent(english.id)?.text).toBe(telegramSays("join.not_in_group", "en"));
  });

  it("treats a failed membership check as not a member", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.failNext("getChatMember", { error_code: 400, description: "Bad Request: chat not found" });

    await h.deliver(h.updates.text(villager, privateChat(villager), `/start j_${villageId}`));

    expect(await h.memberOf(villager)).toBeUndefined();
  });

  it("waits out a short 429 on the membership check and then joins", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.failNext("getChatMember", failures.tooManyRequests(1));

    await joinVillage(h, villager, group, villageId);

    expect(
      h.fake.callsOf("getChatMember").filter((call) => call.payload.user_id === villager.id),
    ).toHaveLength(2);
    expect((await h.memberOf(villager))?.villageId).toBe(villageId);
  });

  it("welcomes back someone already on the roster without asking Telegram again", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    await joinVillage(h, villager, group, villageId);
    h.fake.clear();

    await h.deliver(h.updates.text(villager, privateChat(villager), `/start j_${villageId}`));

    expect(h.fake.callsOf("getChatMember")).toHaveLength(0);
    expect(h.lastSent(villager.id)?.text.split("\n")[0]).toBe(h.say("setup.join.welcome_back"));
  });

  it("greets a stranger who sends /start without a payload", async () => {
    const h = await createTelegramHarness();

    await h.deliver(h.updates.text(villager, privateChat(villager), "/start"));

    expect(h.lastSent(villager.id)?.text).toBe(h.say("stranger.welcome"));
  });
});
