import { describe, expect, it } from "vitest";
import { Bindings, bindingKey, TownBindings } from "../../../src/app/tables.js";
import { MAX_PLACE_NAME } from "../../../src/domain/names.js";
import {
  BOT_USERNAME,
  createTelegramHarness,
  groupChat,
  privateChat,
  setUpVillage,
  tgUser,
} from "./fake-api.js";

const secretary = tgUser(101, "王书记");
const group = groupChat(-4001);

describe("group /setup", () => {
  it("binds the group when a group admin who is the village secretary sends it", async () => {
    const h = await createTelegramHarness();

    const villageId = await setUpVillage(h, secretary, group);

    const binding = await h.bindingOf(group);
    expect(binding?.villageId).toBe(villageId);
  });

  it("posts a welcome in the group with a URL button that deep-links into the private chat", async () => {
    const h = await createTelegramHarness();

    const villageId = await setUpVillage(h, secretary, group);

    const welcome = h.lastSent(group.id);
    expect(welcome?.text).toBe(h.say("setup.group.welcome", { village: "幸福村" }));
    expect(welcome?.buttons).toEqual([
      {
        text: h.say("intake.open_private"),
        url: `https://t.me/${BOT_USERNAME}?start=j_${villageId}`,
      },
    ]);
  });

  it("makes the group the town's supervision chat with /setup town, not a village's group", async () => {
    const h = await createTelegramHarness();
    await setUpVillage(h, secretary, group);
    const townChat = groupChat(-4002);
    h.fake.setChatMember(townChat.id, secretary.id, "administrator");

    await h.deliver(h.updates.text(secretary, townChat, `/setup@${BOT_USERNAME} town`));

    const key = bindingKey("telegram", String(townChat.id));
    const bound = await h.store.transaction(async (tx) => ({
      town: await tx.get(TownBindings, key),
      village: await tx.get(Bindings, key),
    }));
    expect([bound.town?.townId !== undefined, bound.village]).toEqual([true, undefined]);
  });

  it("checks with Telegram that the sender is an admin of the group", async () => {
    const h = await createTelegramHarness();

    await setUpVillage(h, secretary, group);

    const checks = h.fake.callsOf("getChatMember").map((call) => call.payload);
    expect(checks).toContainEqual({ chat_id: group.id, user_id: secretary.id });
  });

  it("refuses a group member who is not an admin, and binds nothing", async () => {
    const h = await createTelegramHarness();
    const villager = tgUser(201, "李大爷");
    h.fake.setChatMember(group.id, villager.id, "member");

    await h.deliver(h.updates.text(villager, group, `/setup@${BOT_USERNAME}`));

    const binding = await h.bindingOf(group);
    expect(binding).toBeUndefined();
    expect(h.lastSent(group.id)?.text).toBe("只有本群管理员可以用 /setup 把本群绑定到村。");
  });

  it("asks an anonymous admin to post as themselves", async () => {
    const h = await createTelegramHarness();
    const anonymous = { id: 1087968824, is_bot: true, first_name: "Group", username: "GroupAnonymousBot" };
    const update = h.updates.text(tgUser(1, "x"), group, `/setup@${BOT_USERNAME}`);
    const message = update.message as unknown as Record<string, unknown>;
    message.from = anonymous;
    message.sender_chat = { id: group.id, type: "group", title: group.title };

    await h.deliver(update);

    expect(h.lastSent(group.id)?.text).toContain("匿名管理员");
    expect(h.fake.callsOf("getChatMember")).toHaveLength(0);
  });

  it("lets a group admin who is not a secretary in the app be refused by the app", async () => {
    const h = await createTelegramHarness();
    const admin = tgUser(301, "张三");
    h.fake.setChatMember(group.id, admin.id, "administrator");

    await h.deliver(h.updates.text(admin, group, `/setup@${BOT_USERNAME}`));

    const binding = await h.bindingOf(group);
    expect(binding).toBeUndefined();
    expect(h.lastSent(group.id)?.text).toBe(h.say("setup.refusal.setup_first"));
  });

  it("ignores /setup addressed to another bot", async () => {
    const h = await createTelegramHarness();
    h.fake.setChatMember(group.id, secretary.id, "creator");

    await h.deliver(h.updates.text(secretary, group, "/setup@other_bot"));

    expect(h.fake.calls).toHaveLength(0);
  });

  it("sends a private /setup to the app's setup conversation", async () => {
    const h = await createTelegramHarness();

    await h.deliver(h.updates.text(secretary, privateChat(secretary), "/setup"));

    expect(h.lastSent(secretary.id)?.text).toBe(h.say("setup.ask_village", { max: MAX_PLACE_NAME }));
  });
});
