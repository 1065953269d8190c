import { describe, expect, it } from "vitest";
import { Decisions, reviewDecisions } from "../../../src/features/decisions/index.js";
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
const villager = tgUser(201, "李大爷");
const neighbour = tgUser(202, "刘大妈");
const group = groupChat(-4001);

function toasts(h: TelegramHarness): string[] {
  return h.fake.callsOf("answerCallbackQuery").map((call) => String(call.payload.text ?? ""));
}

function groupTexts(h: TelegramHarness): string[] {
  return h.sentMessages(group.id).map((sent) => sent.text);
}

describe("everyone discuss together (众人来商量) walked through Telegram", () => {
  it("takes a topic from proposal through support, a poll and a decision to its effect evaluation", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    await joinVillage(h, villager, group, villageId);
    await joinVillage(h, neighbour, group, villageId);
    const secretaryId = (await h.memberOf(secretary))?.id ?? "";
    const mine = privateChat(villager);
    const desk = privateChat(secretary);

    // 提议题 in the private chat; the topic reaches the group with its support button.
    await h.deliver(h.updates.text(villager, mine, "/propose"));
    await h.deliver(h.updates.text(villager, mine, "修村口那段路"));
    await h.deliver(h.updates.text(villager, mine, "村口的路坑坑洼洼，下雨就积水。"));
    await h.press(villager, mine, /^tps:ok$/);
    expect(groupTexts(h).at(-1)).toBe(
      "📣 新议题XF-T1：修村口那段路\n李大爷提议：村口的路坑坑洼洼，下雨就积水。\n附议：0户，需要1户（2026-12-23前）",
    );

    // 附议 in the group, answered only to the supporter.
    await h.press(neighbour, group, /^ts:XF-T1$/);
    expect(toasts(h).at(-1)).toBe("已附议议题XF-T1");
    expect(groupTexts(h)).toContain("🎉 议题XF-T1“修村口那段路”已有1户附议，进入书记的议程。");

    // 投票: the secretary opens a poll on the topic with buttons; two vote in the group.
    await h.deliver(h.updates.text(secretary, desk, "/start"));
    await h.press(secretary, desk, /^pd$/);
    await h.press(secretary, desk, /^pn$/);
    await h.press(secretary, desk, /^pt:XF-T1$/);
    await h.press(secretary, desk, /^pk:yes_no$/);
    await h.deliver(h.updates.text(secretary, desk, "同意用村集体资金修村口的路吗？"));
    await h.press(secretary, desk, /^pub$/);
    const poll = h.lastSent(group.id);
    expect(poll?.buttons.map((button) => button.callback_data)).toEqual([
      "pv:XF-P1:0",
      "pv:XF-P1:1",
      "pv:XF-P1:2",
      "pc:XF-P1",
    ]);
    const postedBefore = h.sentMessages(group.id).length;
    await h.press(neighbour, group, /^pv:XF-P1:0$/);
    await h.press(villager, group, /^pv:XF-P1:0$/);
    expect(toasts(h).slice(-2)).toEqual(["已投：赞成", "已投：赞成"]);
    expect(h.sentMessages(group.id).length).toBe(postedBefore);

    // The live count is one edit of the poll's message, a few seconds later, with both votes.
    h.advance(6_000);
    await h.dispatcher.flush();
    const edits = h.fake
      .callsOf("editMessageText")
      .filter(
        (call) =>
          Number(call.payload.chat_id) === group.id && String(call.payload.text).startsWith("🗳 投票XF-P1"),
      );
    expect(edits.map((call) => String(call.payload.text).split("\n")[2])).toEqual([
      "赞成 2 · 反对 0 · 弃权 0（已投2/3人）",
    ]);

    await h.press(secretary, group, /^pc:XF-P1$/);
    await h.press(secretary, desk, /^pcl:XF-P1$/);
    expect(groupTexts(h).at(-1)).toContain("🗳 投票XF-P1结束：同意用村集体资金修村口的路吗？");

    // 决议 and its progress, shared with the group.
    await h.deliver(h.updates.text(secretary, desk, "/start"));
    await h.press(secretary, desk, /^dd$/);
    await h.press(secretary, desk, /^dn$/);
    await h.press(secretary, desk, /^dt:XF-T1$/);
    await h.deliver(h.updates.text(secretary, desk, "用村集体资金修村口的路"));
    await h.press(secretary, desk, new RegExp(`^do:${secretaryId}$`));
    await h.press(secretary, desk, /^dl:30$/);
    expect(groupTexts(h).at(-1)).toBe(
      "📜 决议XF-D1：用村集体资金修村口的路\n负责人：王书记，2026-12-23前完成。",
    );
    await h.press(secretary, desk, /^dp:XF-D1:100$/);
    await h.deliver(h.updates.text(secretary, desk, "路修好了"));
    expect(groupTexts(h)).toContain(
      "✅ 决议XF-D1已落实：用村集体资金修村口的路\n请大家给效果打分（效果共评）。",
    );

    // 效果共评: the village rates the effect; the result comes back to the decision and the group.
    await h.press(neighbour, group, /^pv:XF-P2:0$/);
    await h.press(villager, group, /^pv:XF-P2:1$/);
    await h.press(secretary, group, /^pc:XF-P2$/);
    await h.press(secretary, desk, /^pcl:XF-P2$/);
    await reviewDecisions(h.app.deps);
    await h.dispatcher.flush();

    expect(groupTexts(h).at(-1)).toBe(
      "📊 决议XF-D1的效果共评结果：满意1，基本满意1，不满意0（2/3人参加）。满意率100%。",
    );
    const decision = await h.store.transaction((tx) => tx.get(Decisions, "XF-D1"));
    expect([decision?.state, decision?.effect?.ballots]).toEqual(["evaluated", 2]);
  });
});
