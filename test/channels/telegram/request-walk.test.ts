import { describe, expect, it } from "vitest";
import { translate } from "../../../src/i18n/index.js";
import {
  createTelegramHarness,
  groupChat,
  joinVillage,
  privateChat,
  setUpVillage,
  type TelegramHarness,
  tgUser,
} from "./fake-api.js";

const secretary = tgUser(101, "王书记");
const worker = tgUser(301, "赵网格");
const villager = tgUser(201, "李大爷");
const group = groupChat(-4001);

/** A village with a secretary, a grid worker (made one through the roster buttons) and a villager. */
async function village(h: TelegramHarness): Promise<{ workerId: string }> {
  const villageId = await setUpVillage(h, secretary, group);
  await joinVillage(h, worker, group, villageId);
  await joinVillage(h, villager, group, villageId);
  const workerId = (await h.memberOf(worker))?.id ?? "";
  const desk = privateChat(secretary);
  await h.deliver(h.updates.text(secretary, desk, "/start"));
  await h.press(secretary, desk, /^m:roster$/);
  await h.press(secretary, desk, new RegExp(`^mb:${workerId}$`));
  await h.press(secretary, desk, new RegExp(`^mr:${workerId}:g$`));
  return { workerId };
}

/** The villager fills in the form with buttons, text and a photo, and submits it. */
async function fileRequest(h: TelegramHarness): Promise<string> {
  const chat = privateChat(villager);
  await h.deliver(h.updates.text(villager, chat, "/request"));
  await h.press(villager, chat, /^k:problem$/);
  await h.press(villager, chat, /^c:power$/);
  await h.deliver(h.updates.text(villager, chat, "村口三盏路灯坏了，晚上看不见路。"));
  await h.deliver(h.updates.photo(villager, "AgACAgUAAxkBAAIB-photo"));
  await h.press(villager, chat, /^d:ok$/);
  const member = await h.memberOf(villager);
  const requests = await h.store.transaction((tx) =>
    tx.listRequestsOf(member?.villageId ?? "", member?.id ?? ""),
  );
  return requests[0]?.id ?? "";
}

describe("a request walked through Telegram", () => {
  it("makes the roster member a grid worker through the secretary's buttons", async () => {
    const h = createTelegramHarness();

    await village(h);

    expect((await h.memberOf(worker))?.role).toBe("grid_worker");
  });

  it("asks for the kind, then the category, then the text with buttons", async () => {
    const h = createTelegramHarness();
    await village(h);
    const chat = privateChat(villager);

    await h.deliver(h.updates.text(villager, chat, "/request"));
    const kinds = h.lastSent(villager.id)?.buttons.map((b) => b.callback_data);
    await h.press(villager, chat, /^k:wish$/);
    const categories = h.lastSent(villager.id)?.buttons.map((b) => b.callback_data);
    await h.press(villager, chat, /^c:roads$/);

    expect(kinds).toEqual(["k:problem", "k:wish", "k:consultation", "k:errand", "d:x"]);
    expect(categories).toContain("c:water");
    expect(h.lastSent(villager.id)?.text).toBe(
      translate({ key: "intake.ask_text", params: { max: 2000 } }, "zh-CN"),
    );
  });

  it("files the request with its text and photo and gives the villager a receipt", async () => {
    const h = createTelegramHarness();
    await village(h);

    const id = await fileRequest(h);

    const request = await h.store.transaction((tx) => tx.getRequest(id));
    expect(request).toMatchObject({
      kind: "problem",
      categoryId: "power",
      text: "村口三盏路灯坏了，晚上看不见路。",
      state: "submitted",
      channel: "telegram",
      attachments: [{ type: "photo", channel: "telegram", fileRef: "AgACAgUAAxkBAAIB-photo" }],
    });
    expect(h.sentMessages(villager.id).some((sent) => sent.text.includes(`${id}`))).toBe(true);
  });

  it("shows the secretary the new request with an accept button and its photo", async () => {
    const h = createTelegramHarness();
    await village(h);

    const id = await fileRequest(h);

    const card = h.lastSent(secretary.id);
    expect(card?.buttons.map((b) => b.callback_data)).toContain(`acc:${id}`);
    expect(h.fake.callsOf("sendPhoto").map((call) => call.payload)).toContainEqual({
      chat_id: secretary.id,
      photo: "AgACAgUAAxkBAAIB-photo",
    });
  });

  it("walks from submission to the villager's rating: secretary accepts, owner resolves, villager rates", async () => {
    const h = createTelegramHarness();
    const { workerId } = await village(h);
    const id = await fileRequest(h);
    const desk = privateChat(secretary);
    const field = privateChat(worker);

    await h.press(secretary, desk, new RegExp(`^acc:${id}$`));
    await h.press(secretary, desk, new RegExp(`^own:${id}:${workerId}$`));
    await h.press(worker, field, new RegExp(`^res:${id}$`));
    await h.deliver(h.updates.text(worker, field, "已换新灯泡，三盏都亮了。"));
    await h.press(villager, privateChat(villager), new RegExp(`^r:${id}:s$`));

    const request = await h.store.transaction((tx) => tx.getRequest(id));
    expect(request).toMatchObject({ state: "rated", rating: "satisfied", ownerId: workerId });
    expect(request?.timeline.map((entry) => entry.action)).toEqual([
      "submitted",
      "accepted",
      "resolved",
      "rated",
    ]);
  });

  it("answers every button press of the walk", async () => {
    const h = createTelegramHarness();
    await village(h);
    await fileRequest(h);

    const presses = h.fake.callsOf("answerCallbackQuery").length;

    expect(presses).toBe(3 + 3);
  });

  it("cancels the form at any step with the cancel button", async () => {
    const h = createTelegramHarness();
    await village(h);
    const chat = privateChat(villager);
    await h.deliver(h.updates.text(villager, chat, "/request"));
    await h.press(villager, chat, /^k:problem$/);

    await h.press(villager, chat, /^d:x$/);

    const conversation = await h.store.transaction((tx) => tx.getConversation(`telegram:${villager.id}`));
    expect(conversation).toBeUndefined();
    expect(h.lastSent(villager.id)?.text).toContain(translate({ key: "intake.cancelled" }, "zh-CN"));
  });

  it("takes a voice message and a location as extras", async () => {
    const h = createTelegramHarness();
    await village(h);
    const chat = privateChat(villager);
    await h.deliver(h.updates.text(villager, chat, "/request"));
    await h.press(villager, chat, /^k:problem$/);
    await h.press(villager, chat, /^c:water$/);

    await h.deliver(h.updates.voice(villager, "AwACAgUAAxkBAAIB-voice"));
    await h.deliver(h.updates.location(villager, 43.37, 128.2));

    const conversation = await h.store.transaction((tx) => tx.getConversation(`telegram:${villager.id}`));
    expect(conversation?.draft?.attachments).toEqual([
      { type: "voice", channel: "telegram", fileRef: "AwACAgUAAxkBAAIB-voice" },
    ]);
    expect(conversation?.draft?.location).toEqual({ lat: 43.37, lng: 128.2 });
  });

  it("switches the language with /lang and answers in the new language", async () => {
    const h = createTelegramHarness();
    await village(h);
    const chat = privateChat(villager);

    await h.deliver(h.updates.text(villager, chat, "/lang"));
    await h.press(villager, chat, /^l:en$/);

    expect((await h.memberOf(villager))?.language).toBe("en");
    expect(h.lastSent(villager.id)?.text).toContain("Language switched to English.");
  });

  it("lists the villager's own requests with /my", async () => {
    const h = createTelegramHarness();
    await village(h);
    const id = await fileRequest(h);

    await h.deliver(h.updates.text(villager, privateChat(villager), "/my"));

    expect(h.lastSent(villager.id)?.buttons.map((b) => b.callback_data)).toContain(`v:${id}`);
  });
});
