import { mkdir } from "node:fs/promises";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Decisions, reviewDecisions } from "../../../src/features/decisions/index.js";
import {
  browserTitle,
  CHROMIUM,
  CHROMIUM_ARGS,
  haveChromium,
  pressLast,
  say,
  sees,
  WAIT,
} from "./chromium.js";
import { type Running, type Seeded, seedVillage, startLocalChat } from "./fixture.js";

describe.skipIf(!haveChromium)(
  browserTitle("everyone discuss together (众人来商量) in a real browser"),
  () => {
    let app: Running;
    let seeded: Seeded;
    let browser: Browser;

    beforeAll(async () => {
      app = await startLocalChat();
      seeded = await seedVillage(app.app);
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    });

    afterAll(async () => {
      await browser?.close();
      await app?.close();
    });

    async function toasted(page: Page, text: string): Promise<void> {
      await page.locator("#toast").getByText(text).waitFor(WAIT);
    }

    it("takes a topic from proposal through support, a poll and a decision to the village's judgement of its effect, in three windows", async () => {
      const contexts = await Promise.all(
        [0, 1, 2].map(() => browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" })),
      );
      const [villager, neighbour, secretary] = await Promise.all(
        contexts.map((context) => context.newPage()),
      );
      if (villager === undefined || neighbour === undefined || secretary === undefined)
        throw new Error("no pages");
      try {
        await villager.goto(`${app.url}/?member=${seeded.villager.id}`);
        await neighbour.goto(`${app.url}/?member=${seeded.neighbour.id}`);
        await secretary.goto(`${app.url}/?member=${seeded.secretary.id}`);
        await sees(secretary, "private", "东风村建好了，您是书记。");

        // 提议题: the villager proposes; the topic reaches the group with its support button.
        await say(villager, "/propose");
        await sees(villager, "private", "议题的标题是什么？");
        await say(villager, "修村口那段路");
        await sees(villager, "private", "请说说具体情况和你的想法");
        await say(villager, "村口的路坑坑洼洼，下雨就积水，老人走路容易摔。");
        await pressLast(villager, "private", "✅ 提交议题");
        await sees(villager, "private", "议题DF-T1已发到村民群");

        // 附议: the neighbour supports it in the group; with enough households it goes on the agenda.
        await sees(neighbour, "group", "📣 新议题DF-T1：修村口那段路");
        await pressLast(neighbour, "group", "👍 附议");
        await toasted(neighbour, "已附议议题DF-T1");
        await sees(neighbour, "group", "🎉 议题DF-T1“修村口那段路”已有1户附议，进入书记的议程。");
        await sees(secretary, "private", "📌 议题DF-T1“修村口那段路”已有1户附议，进入你的议程。");

        // 投票: the secretary opens a poll on the topic; two villagers vote in the group, told only themselves.
        await say(secretary, "/start");
        await pressLast(secretary, "private", "🗳 投票");
        await pressLast(secretary, "private", "➕ 发起投票");
        await sees(secretary, "private", "这次投票商量哪个议题？");
        await pressLast(secretary, "private", "议题：DF-T1 修村口那段路");
        await sees(secretary, "private", "选择投票方式：");
        await pressLast(secretary, "private", "赞成 / 反对 / 弃权");
        await sees(secretary, "private", "请输入投票的问题");
        await say(secretary, "同意用村集体资金修村口的路吗？");
        await sees(secretary, "private", "投票预览：");
        await pressLast(secretary, "private", "📣 发布投票");
        await sees(secretary, "private", "投票DF-P1已发到村民群");
        await sees(neighbour, "group", "🗳 投票DF-P1：同意用村集体资金修村口的路吗？");
        await pressLast(neighbour, "group", "赞成");
        await toasted(neighbour, "已投：赞成");
        await pressLast(villager, "group", "赞成");
        await toasted(villager, "已投：赞成");
        expect(await neighbour.locator("#pane-group").getByText("已投：赞成").count()).toBe(0);

        await pressLast(secretary, "group", "📄 详情");
        await sees(secretary, "private", "投票DF-P1：同意用村集体资金修村口的路吗？");
        await pressLast(secretary, "private", "⏹ 提前截止");
        await sees(villager, "group", "🗳 投票DF-P1结束：同意用村集体资金修村口的路吗？");
        await sees(villager, "group", "赞成：2票（100%）");

        // 决议: the secretary records the decision and carries it out; its progress reaches the group.
        await say(secretary, "/start");
        await pressLast(secretary, "private", "📜 决议");
        await pressLast(secretary, "private", "➕ 记录决议");
        await sees(secretary, "private", "这个决议是哪个议题的？");
        await pressLast(secretary, "private", "议题：DF-T1 修村口那段路");
        await sees(secretary, "private", "请输入决议的内容");
        await say(secretary, "用村集体资金修村口的路");
        await sees(secretary, "private", "谁负责落实？");
        await pressLast(secretary, "private", "👤 李书记");
        await sees(secretary, "private", "多久完成？");
        await pressLast(secretary, "private", "30天");
        await sees(villager, "group", "📜 决议DF-D1：用村集体资金修村口的路");
        await pressLast(secretary, "private", "进展100%");
        await sees(secretary, "private", "进展100%：请说说做了什么");
        await say(secretary, "路修好了，铺了柏油");
        await sees(villager, "group", "🚧 决议DF-D1进展：100%");
        await sees(villager, "group", "✅ 决议DF-D1已落实：用村集体资金修村口的路");

        // 效果共评: the village rates the effect; the result is attached to the decision.
        await sees(neighbour, "group", "🗳 投票DF-P2：DF-D1 用村集体资金修村口的路");
        await pressLast(neighbour, "group", "满意");
        await toasted(neighbour, "已投：满意");
        await pressLast(villager, "group", "基本满意");
        await toasted(villager, "已投：基本满意");
        await say(secretary, "/topics");
        await sees(secretary, "private", "🤝 众人来商量：东风村");
        await pressLast(secretary, "private", "🗳 DF-P2");
        await sees(secretary, "private", "投票DF-P2：DF-D1");
        await pressLast(secretary, "private", "⏹ 提前截止");
        await sees(villager, "group", "🗳 投票DF-P2结束");
        await reviewDecisions(app.deps);
        await app.settle();
        await sees(
          villager,
          "group",
          "📊 决议DF-D1的效果共评结果：满意1，基本满意1，不满意0（2/5人参加）。满意率100%。",
        );

        const decision = await app.store.transaction((tx) => tx.get(Decisions, "DF-D1"));
        expect([decision?.state, decision?.topicId, decision?.effect?.ballots]).toEqual([
          "evaluated",
          "DF-T1",
          2,
        ]);
      } catch (error) {
        await mkdir("test-results", { recursive: true });
        for (const [name, page] of Object.entries({ villager, neighbour, secretary })) {
          await page
            .screenshot({ path: `test-results/together-${name}.png`, fullPage: true })
            .catch(() => undefined);
        }
        throw error;
      } finally {
        for (const context of contexts) await context.close();
      }
    }, 120_000);
  },
);
