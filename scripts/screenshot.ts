// Takes docs/local-chat.png: the villager (on a phone) and the secretary (on a computer) in the local web chat.
// Run: npx tsx scripts/screenshot.ts   (needs /usr/bin/chromium; CJK and emoji fonts make it look right)
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { inUnit } from "../src/app/deps.js";
import { Villages } from "../src/app/tables.js";
import { createLocalChat } from "../src/channels/local/index.js";
import type { Member } from "../src/domain/model.js";
import { silentLogger } from "../src/logger.js";
import { createDispatcher } from "../src/outbox/dispatcher.js";
import { createMemoryStore } from "../src/store/memory.js";
import type { StagedStore } from "../src/store/staged.js";
import { createTestApp } from "../test/support/app.js";
import { seedVillage } from "../test/support/village.js";

const OUTPUT = "docs/local-chat.png";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** A small drawing standing in for the villager's photo of the broken street lamp. */
const LAMP_PHOTO = `<body style="margin:0"><svg xmlns="http://www.w3.org/2000/svg" width="320" height="200">
<rect width="320" height="200" fill="#1f2a44"/><circle cx="270" cy="40" r="16" fill="#f4efd0"/>
<rect y="160" width="320" height="40" fill="#3b3b3b"/><rect x="0" y="176" width="320" height="4" fill="#d9c36a"/>
<rect x="96" y="40" width="8" height="122" fill="#7d848c"/><path d="M100 44 q30 -14 56 0" stroke="#7d848c" stroke-width="7" fill="none"/>
<rect x="144" y="42" width="26" height="12" rx="3" fill="#555"/><path d="M150 56 l6 8 l6 -8" stroke="#999" stroke-width="2" fill="none"/>
<text x="186" y="120" fill="#f4efd0" font-size="20" font-family="sans-serif">💡✖</text></svg></body>`;

async function main(): Promise<void> {
  const clock = { now: () => new Date("2026-11-23T02:00:00Z") };
  let opened: StagedStore | undefined;
  const app = await createTestApp({
    clock,
    openStore: async (tables) => {
      opened = createMemoryStore({ tables, clock });
      return opened;
    },
  });
  const store = opened;
  if (store === undefined) throw new Error("no store");
  const dataDir = await mkdtemp(join(tmpdir(), "shangliang-screenshot-"));
  const logger = silentLogger();
  const chat = createLocalChat({
    app,
    port: 0,
    host: "127.0.0.1",
    dataDir,
    kick: () => {
      dispatcher.flush().catch(() => undefined);
    },
    logger,
  });
  const dispatcher = createDispatcher({
    outbox: store,
    senders: new Map([["local", chat.sender]]),
    clock,
    logger,
  });
  const url = await chat.start();
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
  try {
    const { village, secretary, worker, villager, neighbour } = await seedVillage(app);
    await inUnit(app.deps, async (unit) => {
      const current = await unit.tx.get(Villages, village.id);
      if (current === undefined) return;
      const categories = current.categories.map((c) =>
        c.id === "power" ? { ...c, ownerIds: [worker.id] } : c,
      );
      unit.tx.put(Villages, { ...current, categories });
    });

    const post = async (
      path: string,
      body: unknown,
      type = "application/json",
    ): Promise<Record<string, unknown>> => {
      const response = await fetch(`${url}${path}`, {
        method: "POST",
        headers: { "content-type": type },
        body: type === "application/json" ? JSON.stringify(body) : new Uint8Array(body as Buffer),
      });
      if (!response.ok) throw new Error(`${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, unknown>;
    };
    const act = async (member: Member, input: unknown) => {
      await post("/api/events", { eventId: randomUUID(), userId: member.id, chat: "private", input });
      await dispatcher.flush();
    };
    const press = (member: Member, data: string) => act(member, { type: "button", data });

    // Each person opens the page once, so the bot greets them and the village group.
    for (const member of [secretary, worker, villager, neighbour]) {
      const response = await fetch(`${url}/api/stream?member=${member.id}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await response.body?.cancel();
      await dispatcher.flush();
    }

    const photoPage = await browser.newPage({ viewport: { width: 320, height: 200 } });
    await photoPage.setContent(LAMP_PHOTO);
    const photo = await photoPage.screenshot({ type: "png" });
    await photoPage.close();

    await press(villager, `op:${village.id}`);
    await press(villager, "k:problem");
    await press(villager, "c:power");
    await act(villager, { type: "text", text: "三组路口的路灯坏了，晚上黑，老人走路不安全。" });
    const { fileRef } = await post(`/api/upload?member=${villager.id}`, photo, "image/png");
    await act(villager, { type: "photo", fileRef });
    await press(villager, "d:ok");
    const id = "DF-2026-0001";
    await press(secretary, `trf:${id}`);
    await press(secretary, `own:${id}:${worker.id}`);
    await press(worker, `res:${id}`);
    await act(worker, { type: "text", text: "已换了新灯泡，今晚就亮。" });

    await press(neighbour, `op:${village.id}`);
    await press(neighbour, "k:wish");
    await press(neighbour, "c:elderly");
    await act(neighbour, { type: "text", text: "想请人帮忙代买降压药，每月一次。" });
    await press(neighbour, "d:ok");

    const shots: { title: string; png: Buffer; width: number }[] = [];
    for (const [who, member, viewport] of [
      ["村民 张大爷 · 手机", villager, { width: 420, height: 900 }],
      ["书记 李书记 · 电脑", secretary, { width: 1180, height: 900 }],
    ] as const) {
      const context = await browser.newContext({ viewport, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
      const page = await context.newPage();
      await page.goto(`${url}/?member=${member.id}`);
      await page.locator("#pane-private .message").last().waitFor();
      await page.locator("#pane-group .message").last().waitFor();
      await page.locator("#pane-private img.photo").first().waitFor();
      await page.waitForTimeout(300);
      shots.push({ title: who, png: await page.screenshot({ type: "png" }), width: viewport.width });
      await context.close();
    }

    const board = await browser.newPage({ viewport: { width: 1700, height: 1000 } });
    const figures = shots
      .map(
        (shot) =>
          `<figure><figcaption>${shot.title}</figcaption><img width="${shot.width}" src="data:image/png;base64,${shot.png.toString("base64")}"></figure>`,
      )
      .join("");
    await board.setContent(`<!doctype html><html><head><style>
      body { margin: 0; padding: 24px; background: #e9e3d8; display: inline-flex; gap: 28px; align-items: flex-start;
             font-family: "Noto Sans CJK SC", sans-serif; }
      figure { margin: 0; }
      figcaption { font-size: 18px; color: #4b433b; margin: 0 0 8px 4px; font-weight: 600; }
      img { display: block; border-radius: 14px; box-shadow: 0 6px 24px rgb(0 0 0 / 18%); }
    </style></head><body>${figures}</body></html>`);
    const size = await board.evaluate(() => ({
      width: document.body.scrollWidth,
      height: document.body.scrollHeight,
    }));
    await board.setViewportSize({ width: Math.ceil(size.width), height: Math.ceil(size.height) });
    await mkdir("docs", { recursive: true });
    await writeFile(OUTPUT, await board.screenshot({ type: "png", fullPage: true }));
    process.stdout.write(`wrote ${OUTPUT}\n`);
  } finally {
    await browser.close();
    await chat.close();
    await dispatcher.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}

await main();
