import { describe, expect, it } from "vitest";
import {
  createTelegramHarness,
  groupChat,
  joinVillage,
  privateChat,
  setUpVillage,
  type TelegramHarness,
  tgUser,
} from "./fake-api.js";

const LONG_VILLAGE =
  "黑龙江省牡丹江市宁安市渤海镇上官地村第一村民小组与第二村民小组联合党支部所在的新型农村社区示范村庄".padEnd(
    60,
    "村",
  );
const LONG_TOWN =
  "黑龙江省牡丹江市宁安市渤海镇人民政府便民服务中心暨新时代文明实践所所在的乡镇街道办事处管理区域".padEnd(
    60,
    "镇",
  );
const secretary = tgUser(101, "欧阳".repeat(32).slice(0, 64));
const villager = tgUser(201, "司马".repeat(32).slice(0, 64));
const group = groupChat(-1009999999999, "群".repeat(128));

/** Every call the bot made stayed within the Bot API's limits. */
function expectWithinLimits(h: TelegramHarness): void {
  for (const { method, payload } of h.fake.calls) {
    if (typeof payload.text === "string") {
      const max = method === "answerCallbackQuery" ? 200 : 4096;
      expect(payload.text.length, method).toBeLessThanOrEqual(max);
    }
    if (typeof payload.caption === "string") expect(payload.caption.length).toBeLessThanOrEqual(1024);
    const markup = payload.reply_markup as { inline_keyboard?: { callback_data?: string }[][] } | undefined;
    for (const button of markup?.inline_keyboard?.flat() ?? []) {
      if (button.callback_data !== undefined)
        expect(Buffer.byteLength(button.callback_data)).toBeLessThanOrEqual(64);
    }
  }
  expect(h.logger.lines.filter((line) => line.message === "delivery failed")).toEqual([]);
}

async function longestVillage(h: TelegramHarness): Promise<string> {
  expect(LONG_VILLAGE.length).toBe(60);
  const villageId = await setUpVillage(h, secretary, group, {
    village: LONG_VILLAGE,
    town: LONG_TOWN,
    code: "ABCD",
  });
  await joinVillage(h, villager, group, villageId);
  return villageId;
}

describe("Bot API limits with the longest names and texts", () => {
  it("keeps set-up, the group welcome and joining within the limits", async () => {
    const h = await createTelegramHarness();

    await longestVillage(h);

    expect(h.fake.callsOf("sendMessage").length).toBeGreaterThan(3);
    expectWithinLimits(h);
  });

  it("keeps a request of the longest text, with a long history of progress notes, within the limits", async () => {
    const h = await createTelegramHarness();
    await longestVillage(h);
    const chat = privateChat(villager);
    const desk = privateChat(secretary);
    await h.deliver(h.updates.text(villager, chat, "/request"));
    await h.press(villager, chat, /^k:errand$/);
    await h.press(villager, chat, /^c:sanitation$/);
    await h.deliver(h.updates.text(villager, chat, "垃圾".repeat(1000)));
    await h.press(villager, chat, /^d:ok$/);
    await h.press(secretary, desk, /^trf:/);
    await h.press(secretary, desk, /^own:/);

    for (let note = 0; note < 8; note++) {
      await h.press(secretary, desk, /^prg:/);
      await h.deliver(h.updates.text(secretary, desk, `第${note}次进展：${"清运".repeat(245)}`));
    }

    const longest = Math.max(
      ...h.fake.callsOf("sendMessage").map((call) => String(call.payload.text).length),
    );
    expect(longest).toBeGreaterThan(3000);
    expect(
      h.fake.callsOf("sendMessage").filter((call) => call.payload.chat_id === villager.id).length,
    ).toBeGreaterThan(8);
    expectWithinLimits(h);
  });

  it("keeps the group's stats within the limits", async () => {
    const h = await createTelegramHarness();
    await longestVillage(h);

    await h.deliver(h.updates.text(villager, group, "/stats"));

    expectWithinLimits(h);
  });
});
