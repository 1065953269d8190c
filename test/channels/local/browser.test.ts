import { mkdir } from "node:fs/promises";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inUnit } from "../../../src/app/deps.js";
import { Requests, submitRequestIn } from "../../../src/features/requests/index.js";
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

describe.skipIf(!haveChromium)(browserTitle("local web chat in a real browser"), () => {
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

  const privatePane = (page: Page) => page.locator("#pane-private");
  const groupPane = (page: Page) => page.locator("#pane-group");

  it("takes a request from a villager through the secretary and the grid worker to a rating, live in three browser windows", async () => {
    // One window each, as three people on three phones; tabs in one window would sit in the background.
    const contexts = await Promise.all(
      [0, 1, 2].map(() => browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" })),
    );
    const [villager, secretary, worker] = await Promise.all(contexts.map((context) => context.newPage()));
    if (villager === undefined || secretary === undefined || worker === undefined)
      throw new Error("no pages");
    try {
      await villager.goto(app.url);
      await villager.getByRole("button", { name: /张大爷/ }).click(WAIT);
      await secretary.goto(`${app.url}/?member=${seeded.secretary.id}`);
      await worker.goto(`${app.url}/?member=${seeded.worker.id}`);
      await sees(secretary, "private", "东风村建好了，您是书记。");
      await sees(worker, "private", "王网格（东风村·网格员），您好！");

      await pressLast(villager, "group", "📝 提诉求");
      await pressLast(villager, "private", "🔧 反映问题");
      await pressLast(villager, "private", "道路交通");
      await say(villager, "三组路口的路灯坏了，晚上很黑");
      await pressLast(villager, "private", "📨 提交");
      await sees(villager, "private", "已收到您的诉求，编号DF-2026-0001。");

      await sees(secretary, "private", "新诉求DF-2026-0001（道路交通），请派单或等网格员接单。");
      await pressLast(secretary, "private", "📮 派单");
      await pressLast(secretary, "private", "⭐ 王网格（网格员，分管）");

      await sees(worker, "private", "书记把诉求DF-2026-0001派给了您");
      await pressLast(worker, "private", "🏁 办结");
      await sees(worker, "private", "请写下诉求DF-2026-0001是怎么办好的");
      await say(worker, "已经换了新灯泡");

      await sees(villager, "private", "诉求DF-2026-0001已办结：已经换了新灯泡");
      await pressLast(villager, "private", "😊 满意");
      await sees(villager, "private", "诉求DF-2026-0001已评价：😊 满意。谢谢！");

      const stored = await app.store.transaction((tx) => tx.get(Requests, "DF-2026-0001"));
      expect(stored).toMatchObject({ state: "rated", rating: "satisfied", ownerId: seeded.worker.id });
      const shown = await privatePane(villager).locator(".message").last().textContent();
      expect(shown).toContain("办理经过：");
      expect(shown).toContain("张大爷提交");
      expect(shown).toContain("王网格办结（说明：已经换了新灯泡）");
      expect(shown).toContain("张大爷评价（😊 满意）");
      expect(await groupPane(villager).getByRole("button", { name: "📝 提诉求" }).count()).toBe(1);
    } catch (error) {
      await mkdir("test-results", { recursive: true });
      for (const [name, page] of Object.entries({ villager, secretary, worker })) {
        await page
          .screenshot({ path: `test-results/local-chat-${name}.png`, fullPage: true })
          .catch(() => undefined);
      }
      throw error;
    } finally {
      for (const context of contexts) await context.close();
    }
  }, 60_000);

  /** One person's page, opened as on a phone, with their chats loaded. */
  async function open(memberId: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 420, height: 900 }, locale: "zh-CN" });
    const page = await context.newPage();
    await page.goto(`${app.url}/?member=${memberId}`);
    await privatePane(page).locator(".message").first().waitFor(WAIT);
    return page;
  }

  async function shot<T>(name: string, pages: Page[], work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      await mkdir("test-results", { recursive: true });
      for (const [index, page] of pages.entries()) {
        await page
          .screenshot({ path: `test-results/${name}-${index}.png`, fullPage: true })
          .catch(() => undefined);
      }
      throw error;
    } finally {
      for (const page of pages) await page.context().close();
    }
  }

  async function fileDirectly(text: string): Promise<string> {
    const filed = await inUnit(app.deps, (unit) =>
      submitRequestIn(unit, {
        villageId: seeded.village.id,
        requesterId: seeded.villager.id,
        filedById: seeded.villager.id,
        kind: "problem",
        categoryId: "roads",
        text,
        attachments: [],
        channel: "local",
      }),
    );
    if (!filed.ok) throw new Error(filed.reason);
    await app.settle();
    return filed.value.id;
  }

  const PNG = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
    "base64",
  );

  it("lets the grid worker attach an after photo when finishing, and shows it to the villager", async () => {
    const id = await fileDirectly("村口的路坑坑洼洼");
    await app.app.handle({
      eventId: "take-photo-test",
      channel: "local",
      userId: seeded.worker.id,
      chat: { kind: "private", chatId: seeded.worker.id },
      input: { type: "button", data: `acc:${id}` },
    });
    await app.settle();
    const worker = await open(seeded.worker.id);
    const villager = await open(seeded.villager.id);
    await shot("after-photo", [worker, villager], async () => {
      await pressLast(worker, "private", "🏁 办结");
      await sees(worker, "private", `请写下诉求${id}是怎么办好的`);
      await worker
        .locator("#photo-input")
        .setInputFiles({ name: "after.png", mimeType: "image/png", buffer: PNG });
      await sees(worker, "private", "已收到（照片1张，语音0条）");
      await say(worker, "路面补好了");

      await sees(villager, "private", `诉求${id}已办结：路面补好了`);
      const news = privatePane(villager)
        .locator(".message", { hasText: `诉求${id}已办结` })
        .last();
      expect(await news.locator("img.photo").count()).toBe(1);
    });
  }, 60_000);

  it("pages through a villager's requests", async () => {
    for (let i = 0; i < 11; i++) await fileDirectly(`第${i + 1}件小事`);
    const villager = await open(seeded.villager.id);
    await shot("paging", [villager], async () => {
      await pressLast(villager, "private", "📋 我的诉求");
      await sees(villager, "private", "最新的在前（第1/");
      await pressLast(villager, "private", "更早的 ▶");
      await sees(villager, "private", "（第2/");
      const last = await privatePane(villager).locator(".message").last().textContent();
      expect(last).toContain("◀ 较新的");
    });
  }, 60_000);

  it("takes /stats in the group pane and shows the answer to everyone in the group", async () => {
    const villager = await open(seeded.villager.id);
    const neighbour = await open(seeded.neighbour.id);
    await shot("group-stats", [villager, neighbour], async () => {
      await villager.locator("#group-input").fill("/stats");
      await villager.locator("#group-input").press("Enter");

      await sees(neighbour, "group", "/stats");
      await sees(neighbour, "group", "📊 东风村");
      await sees(villager, "group", "📊 东风村");
    });
  }, 60_000);

  it("switches the page and the bot to English with one button, and the request form carries on", async () => {
    const villager = await open(seeded.neighbour.id);
    await shot("language", [villager], async () => {
      await pressLast(villager, "private", "📝 提诉求");
      await pressLast(villager, "private", "🔧 反映问题");
      await pressLast(villager, "private", "供水排水");
      await sees(villager, "private", "请用一两句话说说情况");

      await villager.locator("#switch-language").click(WAIT);

      await sees(villager, "private", "Language switched to English.");
      await sees(villager, "private", "Please describe it in a sentence or two");
      expect(await villager.locator("#switch-language").textContent()).toBe("中文");
      await say(villager, "The tap water is yellow");
      await pressLast(villager, "private", "📨 Submit");
      await sees(villager, "private", "We have your request, number");
    });
  }, 60_000);

  it("records a voice message with the microphone and adds it to the request", async () => {
    const villager = await open(seeded.villager.id);
    await shot("voice", [villager], async () => {
      await pressLast(villager, "private", "📝 提诉求");
      await pressLast(villager, "private", "🔧 反映问题");
      await pressLast(villager, "private", "电力路灯");
      await sees(villager, "private", "请用一两句话说说情况");

      await villager.locator("#voice-button").click(WAIT);
      await villager.waitForTimeout(1500);
      await villager.locator("#voice-stop").click(WAIT);

      await sees(villager, "private", "语音已收到。");
      expect(await privatePane(villager).locator("audio").count()).toBeGreaterThan(0);
    });
  }, 60_000);
});
