import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import {
  BOT_USERNAME,
  createTelegramHarness,
  groupChat,
  joinVillage,
  privateChat,
  setUpVillage,
  tgUser,
} from "./fake-api.js";

const secretary = tgUser(101, "王书记");
const villager = tgUser(201, "李大爷");
const group = groupChat(-4001);

describe("updates at the edge", () => {
  it("changes nothing the second time the same update is delivered", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    await joinVillage(h, villager, group, villageId);
    const request = h.updates.text(villager, privateChat(villager), "/request");
    await h.deliver(request);
    const before = h.fake.calls.length;
    const conversationBefore = await h.conversationOf(villager);

    await h.deliver(request);

    expect(conversationBefore?.steps.map((step) => step.name)).toEqual(["intake.draft"]);
    expect(h.fake.calls.length).toBe(before);
    expect(await h.conversationOf(villager)).toEqual(conversationBefore);
  });

  it("does not join a villager twice when the deep-link update is delivered twice", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.setChatMember(group.id, villager.id, "member");
    const start = h.updates.text(villager, privateChat(villager), `/start j_${villageId}`);

    await h.deliver(start);
    await h.deliver(start);

    const members = await h.membersOf(villageId);
    expect(members.filter((m) => m.name === "李大爷")).toHaveLength(1);
    expect(h.sentMessages(villager.id)).toHaveLength(1);
  });

  it("refuses a non-admin's group /setup only once when delivered twice", async () => {
    const h = await createTelegramHarness();
    h.fake.setChatMember(group.id, villager.id, "member");
    const setup = h.updates.text(villager, group, `/setup@${BOT_USERNAME}`);

    await h.deliver(setup);
    await h.deliver(setup);

    expect(h.sentMessages(group.id)).toHaveLength(1);
  });

  it.each<[string, Record<string, unknown>]>([
    [
      "an update_id that is a string",
      { update_id: "9", message: { message_id: 1, date: 1, chat: { id: 1, type: "private" } } },
    ],
    ["a message without a chat", { update_id: 9, message: { message_id: 1, date: 1, text: "hi" } }],
    [
      "a sender whose id is not a number",
      {
        update_id: 9,
        message: { message_id: 1, date: 1, chat: { id: 1, type: "private" }, from: { id: "x" }, text: "hi" },
      },
    ],
    [
      "a wrong chat type",
      { update_id: 9, message: { message_id: 1, date: 1, chat: { id: 1, type: "secret" }, text: "hi" } },
    ],
    [
      "a location off the globe",
      {
        update_id: 9,
        message: {
          message_id: 1,
          date: 1,
          chat: { id: 1, type: "private" },
          from: { id: 1, is_bot: false, first_name: "a" },
          location: { latitude: 91, longitude: 0 },
        },
      },
    ],
  ])("logs and ignores an update with %s without throwing", async (_name, raw) => {
    const h = await createTelegramHarness();

    await expect(h.channel.bot.handleUpdate(raw as unknown as Update)).resolves.toBeUndefined();

    expect(h.fake.calls).toHaveLength(0);
    expect(h.logger.lines.map((line) => line.message)).toContain("telegram update not understood");
  });

  it.each<[string, Record<string, unknown>]>([
    [
      "an edited message",
      { edited_message: { message_id: 1, date: 1, chat: { id: 5, type: "private" }, text: "x" } },
    ],
    [
      "a poll answer",
      { poll_answer: { poll_id: "1", option_ids: [0], user: { id: 5, is_bot: false, first_name: "a" } } },
    ],
    [
      "a channel post",
      { channel_post: { message_id: 1, date: 1, chat: { id: -5, type: "channel" }, text: "x" } },
    ],
  ])("logs and ignores %s", async (_name, fields) => {
    const h = await createTelegramHarness();

    await h.deliver({ update_id: 77, ...fields } as Update);

    expect(h.fake.calls).toHaveLength(0);
    expect(h.logger.lines).toContainEqual({
      level: "info",
      message: "telegram update ignored",
      data: { updateId: 77, reason: "update kind not handled" },
    });
  });

  it("ignores plain text in a group", async () => {
    const h = await createTelegramHarness();
    await setUpVillage(h, secretary, group);
    h.fake.clear();

    await h.deliver(h.updates.text(villager, group, "大家好"));

    expect(h.fake.calls).toHaveLength(0);
  });

  it("ignores messages from other bots", async () => {
    const h = await createTelegramHarness();
    const bot = { ...tgUser(999, "OtherBot"), is_bot: true } as unknown as ReturnType<typeof tgUser>;

    await h.deliver(h.updates.text(bot, privateChat(bot), "/start"));

    expect(h.fake.calls).toHaveLength(0);
  });

  it("asks the outbox to send after every handled update", async () => {
    const h = await createTelegramHarness();

    await h.deliver(h.updates.text(villager, privateChat(villager), "/start"));
    await h.deliver(h.updates.text(villager, privateChat(villager), "hello"));

    expect(h.kicks()).toBe(2);
  });

  it("keeps running when the store fails, and logs the failure", async () => {
    const h = await createTelegramHarness();
    const transaction = h.store.transaction.bind(h.store);
    h.store.transaction = () => Promise.reject(new Error("disk full"));

    await h.channel.bot.handleUpdate(h.updates.text(villager, privateChat(villager), "/start"));
    h.store.transaction = transaction;

    expect(
      h.logger.lines.some((line) => line.level === "error" && line.message === "telegram update failed"),
    ).toBe(true);
  });
});

describe("group commands", () => {
  it("answers /help in a bound group with the welcome and its deep-link button", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);

    await h.deliver(h.updates.text(villager, group, `/help@${BOT_USERNAME}`));

    const help = h.lastSent(group.id);
    expect(help?.buttons[0]?.url).toBe(`https://t.me/${BOT_USERNAME}?start=j_${villageId}`);
  });

  it("answers /stats in a bound group with counts and no personal details", async () => {
    const h = await createTelegramHarness();
    await setUpVillage(h, secretary, group);

    await h.deliver(h.updates.text(villager, group, `/stats@${BOT_USERNAME}`));

    const stats = h.lastSent(group.id)?.text ?? "";
    const chart = h.fake.callsOf("sendPhoto").filter((call) => call.payload.chat_id === group.id);
    expect([stats.split("\n")[0]?.startsWith("📊 幸福村"), chart.length]).toEqual([true, 1]);
    expect(stats).not.toContain("王书记");
  });

  it("tells an unbound group how to link it", async () => {
    const h = await createTelegramHarness();

    await h.deliver(h.updates.text(villager, group, "/help"));

    expect(h.lastSent(group.id)?.text).toBe(h.say("setup.group.help_unbound"));
  });

  it("ignores private-only commands in a group", async () => {
    const h = await createTelegramHarness();

    await h.deliver(h.updates.text(villager, group, `/request@${BOT_USERNAME}`));

    expect(h.fake.calls).toHaveLength(0);
  });
});

describe("group to supergroup migration", () => {
  const supergroupId = -1004001000001;

  it("moves the binding to the supergroup's id when the service message arrives", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);

    await h.deliver(h.updates.migrateTo(secretary, group, supergroupId));

    const [oldBinding, newBinding] = [await h.bindingOf(group), await h.bindingOf(supergroupId)];
    expect(oldBinding).toBeUndefined();
    expect(newBinding?.villageId).toBe(villageId);
  });

  it("lets villagers join through the supergroup afterwards", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    await h.deliver(h.updates.migrateTo(secretary, group, supergroupId));
    h.fake.clear();

    await joinVillage(h, villager, groupChat(supergroupId), villageId);

    expect(h.fake.callsOf("getChatMember")[0]?.payload.chat_id).toBe(supergroupId);
    expect((await h.memberOf(villager))?.villageId).toBe(villageId);
  });

  it("resends to the supergroup and moves the binding when Telegram answers a send with migrate_to_chat_id", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.migrate(group.id, supergroupId);

    await h.deliver(h.updates.text(villager, group, `/stats@${BOT_USERNAME}`));

    expect(h.lastSent(supergroupId)?.text).toContain("幸福村");
    const binding = await h.bindingOf(supergroupId);
    expect(binding?.villageId).toBe(villageId);
  });
});
