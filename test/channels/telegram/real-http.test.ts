import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { identityKey, Members } from "../../../src/app/tables.js";
import { Requests } from "../../../src/features/requests/index.js";
import { type RunningApp, startApp } from "../../../src/main.js";
import { openLowdbStore } from "../../../src/store/lowdb/index.js";
import { createTestApp } from "../../support/app.js";
import { type SentMessage, type StandInBotApi, startStandInBotApi } from "./bot-api-server.js";
import {
  BOT_USERNAME,
  createUpdates,
  groupChat,
  privateChat,
  recordingLogger,
  TOKEN,
  tgUser,
} from "./fake-api.js";

const secretary = tgUser(101, "王书记");
const villager = tgUser(201, "李大爷");
const group = groupChat(-4001);

let api: StandInBotApi | undefined;
let app: RunningApp | undefined;
let dataDir: string | undefined;

afterEach(async () => {
  await app?.stop();
  await api?.close();
  if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  app = undefined;
  api = undefined;
  dataDir = undefined;
});

describe("the bot over real HTTP, started like npm start", () => {
  it("walks a request from the group's deep link to the villager's rating", async () => {
    api = await startStandInBotApi(TOKEN);
    const bot = api;
    dataDir = await mkdtemp(join(tmpdir(), "shangliang-telegram-"));
    const logger = recordingLogger();
    app = await startApp(
      {
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_API_ROOT: bot.url,
        LOCAL_CHAT: "off",
        DATA_DIR: dataDir,
        // The walk is about the steps, not the pace: a private chat may take many messages a second here.
        TELEGRAM_CHAT_MESSAGES_PER_SECOND: "30",
      },
      logger,
    );
    const updates = createUpdates();

    /** Sends an update through getUpdates and waits for the bot's matching answer. */
    async function say(update: object, answer: (m: SentMessage) => boolean): Promise<SentMessage> {
      const reply = bot.waitForMessage(answer);
      bot.push(update);
      return reply;
    }
    const to = (chatId: number, data?: RegExp) => (m: SentMessage) =>
      m.chat_id === chatId &&
      (data === undefined ||
        m.buttons.some((b) => b.callback_data !== undefined && data.test(b.callback_data)));
    async function press(
      user: typeof villager,
      reply: SentMessage,
      data: RegExp,
      answer: (m: SentMessage) => boolean,
    ) {
      const found = reply.buttons.find((b) => b.callback_data !== undefined && data.test(b.callback_data));
      if (found?.callback_data === undefined) throw new Error(`no button ${data} on message ${reply.text}`);
      return say(updates.press(user, privateChat(user), found.callback_data, reply.message_id), answer);
    }
    const desk = privateChat(secretary);
    const home = privateChat(villager);

    // The secretary sets up the village in private and binds the group.
    await say(updates.text(secretary, desk, "/setup"), to(secretary.id));
    await say(updates.text(secretary, desk, "幸福村"), to(secretary.id));
    await say(updates.text(secretary, desk, "和平镇"), to(secretary.id));
    await say(updates.text(secretary, desk, "XF"), to(secretary.id, /^rq$/));
    bot.setChatMember(group.id, secretary.id, "creator");
    const welcome = await say(updates.text(secretary, group, `/setup@${BOT_USERNAME}`), to(group.id));
    const link = welcome.buttons[0]?.url ?? "";
    expect(link).toMatch(new RegExp(`^https://t\\.me/${BOT_USERNAME}\\?start=j_`));

    // The villager presses the group's deep link, which opens the private chat with /start <payload>.
    bot.setChatMember(group.id, villager.id, "member");
    const payload = new URL(link).searchParams.get("start") ?? "";
    let reply = await say(updates.text(villager, home, `/start ${payload}`), to(villager.id, /^rq$/));

    // The request form: kind, category, text, submit.
    reply = await press(villager, reply, /^rq$/, to(villager.id, /^k:problem$/));
    reply = await press(villager, reply, /^k:problem$/, to(villager.id, /^c:power$/));
    reply = await press(villager, reply, /^c:power$/, to(villager.id));
    reply = await say(updates.text(villager, home, "村口路灯坏了三盏。"), to(villager.id, /^d:ok$/));
    const card = bot.waitForMessage(to(secretary.id, /^trf:/));
    await press(villager, reply, /^d:ok$/, to(villager.id));

    // The secretary assigns it (派单) to himself; as owner resolves it with a note.
    let desktop = await card;
    desktop = await press(secretary, desktop, /^trf:/, to(secretary.id, /^own:/));
    desktop = await press(secretary, desktop, /^own:/, to(secretary.id, /^res:/));
    await press(secretary, desktop, /^res:/, to(secretary.id));
    const rating = bot.waitForMessage(to(villager.id, /^r:.*:s$/));
    await say(updates.text(secretary, desk, "已换新灯泡。"), to(secretary.id));

    // The villager rates it.
    const thanks = await press(villager, await rating, /^r:.*:s$/, to(villager.id));
    expect(thanks.text.split("\n")[0]).toBe("诉求XF-2026-0001已评价：😊 满意。谢谢！");

    await app.stop();
    app = undefined;
    const folder = dataDir;
    const reopened = await createTestApp({ openStore: (tables) => openLowdbStore(folder, { tables }) });
    const requests = await reopened.store.transaction(async (tx) => {
      const [member] = await tx.find(Members, "identity", identityKey("telegram", String(villager.id)));
      return tx.find(Requests, "requester", `${member?.villageId}/${member?.id}`);
    });
    await reopened.close();
    expect(requests.map((r) => [r.state, r.rating])).toEqual([["rated", "satisfied"]]);
    expect(bot.methods.filter((m) => m === "answerCallbackQuery")).toHaveLength(8);
    expect(bot.methods).toEqual(
      expect.arrayContaining(["getMe", "setMyCommands", "deleteWebhook", "getUpdates"]),
    );
    expect(logger.lines.filter((line) => line.level === "error")).toEqual([]);
  });
});
