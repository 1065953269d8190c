import { describe, expect, it } from "vitest";
import { clip } from "../../../src/channels/telegram/limits.js";
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
const stranger = tgUser(666, "路人");
const group = groupChat(-4001);

describe("button presses", () => {
  it.each([
    ["garbage data", "%%%not-an-action%%%"],
    ["an unknown action code", "zz:1"],
    ["a request that does not exist", "acc:XF-2026-9999"],
    ["a stale menu", "m:nonsense"],
    ["a button whose values do not fit its action", "r:XF-2026-0001:excellent"],
  ])("answers a villager's press with %s and a short refusal", async (_name, data) => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    await joinVillage(h, villager, group, villageId);
    h.fake.clear();

    await h.deliver(h.updates.press(villager, privateChat(villager), data));

    const answers = h.fake.callsOf("answerCallbackQuery");
    expect(answers).toHaveLength(1);
    expect(String(answers[0]?.payload.text).length).toBeGreaterThan(0);
    expect(String(answers[0]?.payload.text).length).toBeLessThanOrEqual(200);
  });

  it("answers a stranger's press in a private chat with the stranger welcome", async () => {
    const h = await createTelegramHarness();

    await h.deliver(h.updates.press(stranger, privateChat(stranger), "rq"));

    const answers = h.fake.callsOf("answerCallbackQuery").map((call) => call.payload);
    expect(answers).toEqual([
      {
        callback_query_id: expect.any(String),
        text: clip(h.say("stranger.welcome"), 200),
      },
    ]);
  });

  it("refuses a stranger pressing a worker's button in the group with a short answer", async () => {
    const h = await createTelegramHarness();
    await setUpVillage(h, secretary, group);
    h.fake.clear();

    await h.deliver(h.updates.press(stranger, group, "acc:XF-2026-0001"));

    const answer = h.fake.callsOf("answerCallbackQuery")[0]?.payload;
    expect(answer?.text).toBe(h.say("refusal.join_first"));
  });

  it("refuses a villager pressing a secretary's button", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    await joinVillage(h, villager, group, villageId);
    h.fake.clear();

    await h.deliver(h.updates.press(villager, privateChat(villager), "ro"));

    const answer = h.fake.callsOf("answerCallbackQuery")[0]?.payload;
    expect(answer?.text).toBe(h.say("refusal.not_allowed"));
  });

  it("answers a press without data (a game button) with nothing to say", async () => {
    const h = await createTelegramHarness();
    const update = h.updates.press(villager, privateChat(villager), "x");
    delete (update.callback_query as { data?: string }).data;

    await h.deliver(update);

    expect(h.fake.callsOf("answerCallbackQuery").map((call) => call.payload)).toEqual([
      { callback_query_id: update.callback_query?.id },
    ]);
  });

  it("answers a press on an inaccessible old message", async () => {
    const h = await createTelegramHarness();
    const update = h.updates.press(villager, privateChat(villager), "m");
    (update.callback_query as unknown as { message: unknown }).message = {
      message_id: 3,
      date: 0,
      chat: privateChat(villager),
    };

    await h.deliver(update);

    expect(h.fake.callsOf("answerCallbackQuery")).toHaveLength(1);
  });

  it("still answers when the press's update is malformed", async () => {
    const h = await createTelegramHarness();
    const update = h.updates.press(villager, privateChat(villager), "m");
    (update.callback_query as unknown as { from: unknown }).from = { id: "not a number" };

    await h.deliver(update);

    expect(h.fake.callsOf("answerCallbackQuery").map((call) => call.payload)).toEqual([
      { callback_query_id: update.callback_query?.id },
    ]);
  });

  it("keeps going when answering the press fails because the query is too old", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    await joinVillage(h, villager, group, villageId);
    h.fake.failNext("answerCallbackQuery", failures.queryTooOld());

    await h.deliver(h.updates.press(villager, privateChat(villager), "rq"));

    const step = (await h.conversationOf(villager))?.steps.at(-1);
    expect([step?.name, (step?.data as { stage?: string } | undefined)?.stage]).toEqual([
      "intake.draft",
      "kind",
    ]);
  });

  it("answers in the language the member chose", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    await joinVillage(h, villager, group, villageId);
    await h.deliver(h.updates.press(villager, privateChat(villager), "l:en"));
    h.fake.clear();

    await h.deliver(h.updates.press(villager, privateChat(villager), "ro"));

    expect(h.fake.callsOf("answerCallbackQuery")[0]?.payload.text).toBe(
      h.say("refusal.not_allowed", undefined, "en"),
    );
  });
});
