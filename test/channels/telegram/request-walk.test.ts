import { describe, expect, it } from "vitest";
import { MAX_REQUEST_TEXT } from "../../../src/domain/model.js";
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

/** A village with a secretary, a grid worker owning the power category (电力路灯) and a villager, set up with the secretary's buttons. */
async function village(h: TelegramHarness): Promise<{ workerId: string }> {
  const villageId = await setUpVillage(h, secretary, group);
  await joinVillage(h, worker, group, villageId);
  await joinVillage(h, villager, group, villageId);
  const workerId = (await h.memberOf(worker))?.id ?? "";
  const desk = privateChat(secretary);
  await h.deliver(h.updates.text(secretary, desk, "/start"));
  await h.press(secretary, desk, /^ro$/);
  await h.press(secretary, desk, new RegExp(`^mb:${workerId}$`));
  await h.press(secretary, desk, new RegExp(`^mr:${workerId}:g$`));
  await h.press(secretary, desk, new RegExp(`^mc:${workerId}$`));
  await h.press(secretary, desk, new RegExp(`^mt:${workerId}:power$`));
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
  const requests = await h.requestsOf(villager);
  return requests[0]?.id ?? "";
}

describe("a request walked through Telegram", () => {
  it("makes the roster member a grid worker through the secretary's buttons", async () => {
    const h = await createTelegramHarness();

    await village(h);

    expect((await h.memberOf(worker))?.role).toBe("grid_worker");
  });

  it("asks for the kind, then the category, then the text with buttons", async () => {
    const h = await createTelegramHarness();
    await village(h);
    const chat = privateChat(villager);

    await h.deliver(h.updates.text(villager, chat, "/request"));
    const kinds = h.lastSent(villager.id)?.buttons.map((b) => b.callback_data);
    await h.press(villager, chat, /^k:wish$/);
    const categories = h.lastSent(villager.id)?.buttons.map((b) => b.callback_data);
    await h.press(villager, chat, /^c:roads$/);

    expect(kinds).toEqual(["k:problem", "k:wish", "k:consultation", "k:errand", "x"]);
    expect(categories).toContain("c:water");
    expect(h.lastSent(villager.id)?.text).toBe(h.say("intake.ask_text", { max: MAX_REQUEST_TEXT }));
  });

  it("files the request with its text and photo and gives the villager a receipt", async () => {
    const h = await createTelegramHarness();
    await village(h);

    const id = await fileRequest(h);

    const request = await h.request(id);
    expect(id).toBe("XF-2026-0001");
    expect(request).toMatchObject({
      kind: "problem",
      categoryId: "power",
      text: "村口三盏路灯坏了，晚上看不见路。",
      state: "submitted",
      channel: "telegram",
      attachments: [{ type: "photo", channel: "telegram", fileRef: "AgACAgUAAxkBAAIB-photo" }],
    });
    const receipt = h.sentMessages(villager.id).find((sent) => sent.text.startsWith("已收到您的诉求"));
    expect(receipt?.text.split("\n")[0]).toBe(`已收到您的诉求，编号${id}。`);
  });

  it("shows the secretary the new request with an assign button and its photo", async () => {
    const h = await createTelegramHarness();
    await village(h);

    const id = await fileRequest(h);

    const card = h.lastSent(secretary.id);
    expect(card?.text.split("\n")[0]).toBe(`新诉求${id}（电力路灯），请派单或等网格员接单。`);
    expect(card?.buttons).toContainEqual({
      text: h.say("requests.action.assign"),
      callback_data: `trf:${id}`,
    });
    expect(card?.buttons.map((b) => b.callback_data)).not.toContain(`acc:${id}`);
    expect(h.fake.callsOf("sendPhoto").map((call) => call.payload)).toContainEqual({
      chat_id: secretary.id,
      photo: "AgACAgUAAxkBAAIB-photo",
    });
  });

  it("shows the grid worker the new request with a take button and its photo", async () => {
    const h = await createTelegramHarness();
    await village(h);

    const id = await fileRequest(h);

    const card = h.lastSent(worker.id);
    expect(card?.text.split("\n")[0]).toBe(`新诉求${id}（电力路灯），请尽快接单。`);
    expect(card?.buttons).toContainEqual({ text: h.say("requests.action.take"), callback_data: `acc:${id}` });
    expect(h.fake.callsOf("sendPhoto").map((call) => call.payload)).toContainEqual({
      chat_id: worker.id,
      photo: "AgACAgUAAxkBAAIB-photo",
    });
  });

  it("walks from submission to the villager's rating: secretary assigns, owner resolves, villager rates", async () => {
    const h = await createTelegramHarness();
    const { workerId } = await village(h);
    const id = await fileRequest(h);
    const desk = privateChat(secretary);
    const field = privateChat(worker);

    await h.press(secretary, desk, new RegExp(`^trf:${id}$`));
    await h.press(secretary, desk, new RegExp(`^own:${id}:${workerId}$`));
    await h.press(worker, field, new RegExp(`^res:${id}$`));
    await h.deliver(h.updates.text(worker, field, "已换新灯泡，三盏都亮了。"));
    await h.press(villager, privateChat(villager), new RegExp(`^r:${id}:s$`));

    const request = await h.request(id);
    expect(request).toMatchObject({ state: "rated", rating: "satisfied", ownerId: workerId });
    expect(request?.timeline.map((entry) => entry.action)).toEqual([
      "submitted",
      "assigned",
      "resolved",
      "rated",
    ]);
    expect(h.sentMessages(villager.id).map((sent) => sent.text.split("\n")[0])).toEqual(
      expect.arrayContaining([`诉求${id}已派给赵网格办理。`, `诉求${id}已评价：😊 满意。谢谢！`]),
    );
  });

  it("lets the grid worker take the request and tells the secretary who took it", async () => {
    const h = await createTelegramHarness();
    const { workerId } = await village(h);
    const id = await fileRequest(h);

    await h.press(worker, privateChat(worker), new RegExp(`^acc:${id}$`));

    const request = await h.request(id);
    expect(request).toMatchObject({ state: "accepted", ownerId: workerId });
    expect(request?.timeline.map((entry) => entry.action)).toEqual(["submitted", "accepted"]);
    expect(h.lastSent(secretary.id)?.text.split("\n")[0]).toBe(`诉求${id}已由赵网格接单。`);
    expect(h.lastSent(worker.id)?.buttons.map((b) => b.callback_data)).toContain(`res:${id}`);
  });

  it("offers the secretary reassignment once someone has the request", async () => {
    const h = await createTelegramHarness();
    await village(h);
    const id = await fileRequest(h);

    await h.press(worker, privateChat(worker), new RegExp(`^acc:${id}$`));

    expect(h.lastSent(secretary.id)?.buttons).toContainEqual({
      text: h.say("requests.action.reassign"),
      callback_data: `trf:${id}`,
    });
  });

  it("answers every button press of the walk", async () => {
    const h = await createTelegramHarness();
    await village(h);
    await fileRequest(h);

    const presses = h.fake.callsOf("answerCallbackQuery").length;

    // The secretary's five presses setting up the worker, then the villager's three in the form.
    expect(presses).toBe(5 + 3);
  });

  it("cancels the form at any step with the cancel button", async () => {
    const h = await createTelegramHarness();
    await village(h);
    const chat = privateChat(villager);
    await h.deliver(h.updates.text(villager, chat, "/request"));
    await h.press(villager, chat, /^k:problem$/);

    await h.press(villager, chat, /^x$/);

    expect(await h.conversationOf(villager)).toBeUndefined();
    expect(await h.requestsOf(villager)).toEqual([]);
    expect(h.lastSent(villager.id)?.text.split("\n")[0]).toBe(h.say("cancel.done"));
  });

  it("takes a voice message and a location as extras", async () => {
    const h = await createTelegramHarness();
    await village(h);
    const chat = privateChat(villager);
    await h.deliver(h.updates.text(villager, chat, "/request"));
    await h.press(villager, chat, /^k:problem$/);
    await h.press(villager, chat, /^c:water$/);

    await h.deliver(h.updates.voice(villager, "AwACAgUAAxkBAAIB-voice"));
    await h.deliver(h.updates.location(villager, 43.37, 128.2));

    const draft = (await h.conversationOf(villager))?.steps.at(-1)?.data as
      | { attachments?: unknown; location?: unknown }
      | undefined;
    expect(draft?.attachments).toEqual([
      { type: "voice", channel: "telegram", fileRef: "AwACAgUAAxkBAAIB-voice" },
    ]);
    expect(draft?.location).toEqual({ lat: 43.37, lng: 128.2 });
  });

  it("switches the language with /lang and answers in the new language", async () => {
    const h = await createTelegramHarness();
    await village(h);
    const chat = privateChat(villager);

    await h.deliver(h.updates.text(villager, chat, "/lang"));
    await h.press(villager, chat, /^l:en$/);

    expect((await h.memberOf(villager))?.language).toBe("en");
    expect(h.lastSent(villager.id)?.text.split("\n")[0]).toBe("Language switched to English.");
  });

  it("lists the villager's own requests with /my", async () => {
    const h = await createTelegramHarness();
    await village(h);
    const id = await fileRequest(h);

    await h.deliver(h.updates.text(villager, privateChat(villager), "/my"));

    expect(h.lastSent(villager.id)?.buttons.map((b) => b.callback_data)).toContain(`v:${id}`);
  });
});
