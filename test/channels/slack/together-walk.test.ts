import { afterEach, describe, expect, it } from "vitest";
import { Decisions, reviewDecisions } from "../../../src/features/decisions/index.js";
import {
  CHANNEL,
  createSlackHarness,
  joinVillage,
  neighbour,
  type SlackHarness,
  type SlackUser,
  secretary,
  setUpVillage,
  villager,
} from "./harness.js";

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

function channelTexts(): string[] {
  return h.posted(CHANNEL).map((one) => one.text);
}

function onlyTo(user: SlackUser): string[] {
  return h.ephemerals(user).map((one) => one.text);
}

describe("everyone discuss together (众人来商量) walked through Slack", () => {
  it("takes a topic from proposal through support, a poll and a decision to its effect evaluation", async () => {
    h = await createSlackHarness();
    await setUpVillage(h, secretary, CHANNEL);
    await joinVillage(h, villager, CHANNEL);
    await joinVillage(h, neighbour, CHANNEL);
    const secretaryId = (await h.memberOf(secretary))?.id ?? "";

    // 提议题 with its form; the topic reaches the channel with its support button.
    await h.command(villager, "propose");
    await h.submitForm(villager, { title: "修村口那段路", text: "村口的路坑坑洼洼，下雨就积水。" });
    expect(channelTexts().at(-1)).toBe(
      "📣 新议题XF-T1：修村口那段路\n李大爷提议：村口的路坑坑洼洼，下雨就积水。\n附议：0户，需要1户（2026-12-23前）",
    );

    // 附议 in the channel, answered only to the supporter.
    await h.press(neighbour, CHANNEL, /^ts:XF-T1$/);
    expect(onlyTo(neighbour).at(-1)).toBe("已附议议题XF-T1");
    expect(channelTexts()).toContain("🎉 议题XF-T1“修村口那段路”已有1户附议，进入书记的议程。");

    // 投票: the secretary opens a poll on the topic; two vote in the channel, each told alone.
    await h.command(secretary, "");
    await h.press(secretary, secretary.id, /^pd$/);
    await h.press(secretary, secretary.id, /^pn$/);
    await h.press(secretary, secretary.id, /^pt:XF-T1$/);
    await h.press(secretary, secretary.id, /^pk:yes_no$/);
    await h.dm(secretary, "同意用村集体资金修村口的路吗？");
    await h.press(secretary, secretary.id, /^pub$/);
    expect(h.lastPosted(CHANNEL)?.buttons.map((button) => button.value)).toEqual([
      "pv:XF-P1:0",
      "pv:XF-P1:1",
      "pv:XF-P1:2",
      "pc:XF-P1",
    ]);
    const postedBefore = h.posted(CHANNEL).length;
    await h.press(neighbour, CHANNEL, /^pv:XF-P1:0$/);
    await h.press(villager, CHANNEL, /^pv:XF-P1:0$/);
    expect([onlyTo(neighbour).at(-1), onlyTo(villager).at(-1)]).toEqual(["已投：赞成", "已投：赞成"]);
    expect(h.posted(CHANNEL).length).toBe(postedBefore);

    // The live count is one chat.update of the poll's message, a few seconds later, with both votes.
    h.advance(6_000);
    await h.dispatcher.flush();
    const edits = h.fake
      .callsOf("chat.update")
      .filter((call) => call.args.channel === CHANNEL && String(call.args.text).startsWith("🗳 投票XF-P1"));
    expect(edits.map((call) => String(call.args.text).split("\n")[2])).toEqual([
      "赞成 2 · 反对 0 · 弃权 0（已投2/3人）",
    ]);

    await h.press(secretary, CHANNEL, /^pc:XF-P1$/);
    await h.press(secretary, secretary.id, /^pcl:XF-P1$/);
    expect(channelTexts().at(-1)).toContain("🗳 投票XF-P1结束：同意用村集体资金修村口的路吗？");

    // 决议 and its progress, shared with the channel.
    await h.command(secretary, "");
    await h.press(secretary, secretary.id, /^dd$/);
    await h.press(secretary, secretary.id, /^dn$/);
    await h.press(secretary, secretary.id, /^dt:XF-T1$/);
    await h.dm(secretary, "用村集体资金修村口的路");
    await h.press(secretary, secretary.id, new RegExp(`^do:${secretaryId}$`));
    await h.press(secretary, secretary.id, /^dl:30$/);
    expect(channelTexts().at(-1)).toBe(
      "📜 决议XF-D1：用村集体资金修村口的路\n负责人：王书记，2026-12-23前完成。",
    );
    await h.press(secretary, secretary.id, /^dp:XF-D1:100$/);
    await h.dm(secretary, "路修好了");
    expect(channelTexts()).toContain(
      "✅ 决议XF-D1已落实：用村集体资金修村口的路\n请大家给效果打分（效果共评）。",
    );

    // 效果共评: the village rates the effect; the result comes back to the decision and the channel.
    await h.press(neighbour, CHANNEL, /^pv:XF-P2:0$/);
    await h.press(villager, CHANNEL, /^pv:XF-P2:1$/);
    await h.press(secretary, CHANNEL, /^pc:XF-P2$/);
    await h.press(secretary, secretary.id, /^pcl:XF-P2$/);
    await reviewDecisions(h.app.deps);
    await h.dispatcher.flush();

    expect(channelTexts().at(-1)).toBe(
      "📊 决议XF-D1的效果共评结果：满意1，基本满意1，不满意0（2/3人参加）。满意率100%。",
    );
    const decision = await h.store.transaction((tx) => tx.get(Decisions, "XF-D1"));
    expect([decision?.state, decision?.effect?.ballots]).toEqual(["evaluated", 2]);
  });
});
