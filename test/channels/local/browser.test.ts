import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Running, type Seeded, seedVillage, startLocalChat } from "./fixture.js";

const CHROMIUM = "/usr/bin/chromium";
const haveChromium = existsSync(CHROMIUM);
const title = haveChromium
  ? "local web chat in a real browser"
  : `local web chat in a real browser — SKIPPED: ${CHROMIUM} is missing (install it with: apt-get install -y chromium)`;

export const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

const WAIT = { timeout: 10_000 };

describe.skipIf(!haveChromium)(title, () => {
  let app: Running;
  let seeded: Seeded;
  let browser: Browser;

  beforeAll(async () => {
    app = await startLocalChat();
    seeded = await seedVillage(app.deps);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  const privatePane = (page: Page) => page.locator("#pane-private");
  const groupPane = (page: Page) => page.locator("#pane-group");

  async function sees(page: Page, pane: "private" | "group", text: string): Promise<void> {
    await page.locator(`#pane-${pane}`).getByText(text).last().waitFor(WAIT);
  }

  async function pressLast(page: Page, pane: "private" | "group", label: string): Promise<void> {
    await page.locator(`#pane-${pane}`).getByRole("button", { name: label, exact: true }).last().click(WAIT);
  }

  async function say(page: Page, text: string): Promise<void> {
    const box = privatePane(page).getByRole("textbox");
    await box.fill(text);
    await box.press("Enter");
  }

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
      await sees(secretary, "private", "东风村 建好了，您是书记。");
      await sees(worker, "private", "王网格（东风村·网格员），您好！");

      await pressLast(villager, "group", "📝 提诉求");
      await pressLast(villager, "private", "🔧 反映问题");
      await pressLast(villager, "private", "道路交通");
      await say(villager, "三组路口的路灯坏了，晚上很黑");
      await pressLast(villager, "private", "📨 提交");
      await sees(villager, "private", "已收到您的诉求，编号 DF-2026-0001。");

      await sees(secretary, "private", "新诉求 DF-2026-0001（道路交通），请尽快受理。");
      await pressLast(secretary, "private", "✅ 受理");
      await pressLast(secretary, "private", "⭐ 王网格（网格员，分管）");

      await sees(worker, "private", "诉求 DF-2026-0001 已受理，负责人：王网格。");
      await pressLast(worker, "private", "🏁 办结");
      await sees(worker, "private", "请写下诉求 DF-2026-0001 是怎么办好的：");
      await say(worker, "已经换了新灯泡");

      await sees(villager, "private", "诉求 DF-2026-0001 已办结：已经换了新灯泡");
      await pressLast(villager, "private", "😊 满意");
      await sees(villager, "private", "诉求 DF-2026-0001 已评价：😊 满意。谢谢！");

      const stored = await app.store.transaction((tx) => tx.getRequest("DF-2026-0001"));
      expect(stored).toMatchObject({ state: "rated", rating: "satisfied", ownerId: seeded.worker.id });
      const shown = await privatePane(villager).locator(".message").last().textContent();
      expect(shown).toContain("办理经过：");
      expect(shown).toContain("张大爷 提交");
      expect(shown).toContain("王网格 办结（说明：已经换了新灯泡）");
      expect(shown).toContain("张大爷 评价（😊 满意）");
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
});
