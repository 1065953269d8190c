import { performance } from "node:perf_hooks";
import type { Update } from "grammy/types";
import type { App } from "../../src/app/create-app.js";
import { identityKey, Members } from "../../src/app/tables.js";
import { createTelegramChannel } from "../../src/channels/telegram/index.js";
import { silentLogger } from "../../src/logger.js";
import { createFakeBotApi, FAKE_BOT_INFO } from "../../test/support/telegram/fake-bot-api.js";

const SECRETARY = { id: 900000001, is_bot: false, first_name: "书记", language_code: "zh-hans" };
const GROUP = { id: -1009000000001, type: "supergroup" as const, title: "测试村群" };

type BenchUser = typeof SECRETARY;

export interface TelegramBenchOptions {
  /**
   * Villagers walking at once. 1 is how long polling runs (one update after another); more is how webhook
   * delivery runs (Telegram sends different chats concurrently), which lets the store group its commits.
   */
  chats?: number;
}

function randomCode(): string {
  let code = "";
  for (let i = 0; i < 4; i++) code += String.fromCharCode(65 + Math.floor(Math.random() * 26));
  return code;
}

/**
 * Updates handled per second through grammY's handleUpdate into the given app (built as main.ts builds it,
 * running the telegram channel, on a fresh store): villagers' request walks (/request, kind, category,
 * text, submit) repeated, with a recording transformer and no network.
 */
export async function measureTelegramUpdatesPerSecond(
  app: App,
  count: number,
  options: TelegramBenchOptions = {},
): Promise<number> {
  if (!app.deps.channels.includes("telegram"))
    throw new Error("The Telegram bench needs an app that runs the telegram channel.");
  const chats = Math.max(1, Math.min(options.chats ?? 1, count));
  const fake = createFakeBotApi();
  const channel = createTelegramChannel({
    token: "900000000:BENCHBENCHBENCHBENCHBENCH",
    apiRoot: "http://127.0.0.1:9",
    app,
    kick: () => {},
    logger: silentLogger(),
    botInfo: FAKE_BOT_INFO,
    transformer: fake.transformer,
  });
  const bot = channel.bot;
  let updateId = 1_000_000 + Math.floor(Math.random() * 1_000_000_000);
  let messageId = 0;
  const at = () => Math.floor(Date.now() / 1000);
  const privateChat = (user: BenchUser) => ({
    id: user.id,
    type: "private" as const,
    first_name: user.first_name,
  });
  const message = (from: BenchUser, chat: object, text: string): Update => {
    const command = text.startsWith("/") ? (text.split(" ")[0] ?? text).length : 0;
    return {
      update_id: ++updateId,
      message: {
        message_id: ++messageId,
        date: at(),
        chat,
        from,
        text,
        ...(command > 0 ? { entities: [{ type: "bot_command", offset: 0, length: command }] } : {}),
      },
    } as Update;
  };
  const press = (from: BenchUser, data: string): Update =>
    ({
      update_id: ++updateId,
      callback_query: {
        id: String(updateId),
        from,
        chat_instance: "1",
        data,
        message: { message_id: ++messageId, date: at(), chat: privateChat(from), text: "…" },
      },
    }) as Update;

  fake.setChatMember(GROUP.id, SECRETARY.id, "creator");
  for (const text of ["/setup", "测试村", "测试镇", randomCode()]) {
    await bot.handleUpdate(message(SECRETARY, privateChat(SECRETARY), text));
  }
  await bot.handleUpdate(message(SECRETARY, GROUP, `/setup@${FAKE_BOT_INFO.username}`));
  const villageId = await app.store.transaction(
    async (tx) =>
      (await tx.find(Members, "identity", identityKey("telegram", String(SECRETARY.id))))[0]?.villageId,
  );
  if (villageId === undefined) throw new Error("bench set-up failed: no village was created");
  const villagers: BenchUser[] = [];
  for (let i = 0; i < chats; i++) {
    const villager = { ...SECRETARY, id: SECRETARY.id + 1 + i, first_name: `村民${i + 1}` };
    fake.setChatMember(GROUP.id, villager.id, "member");
    await bot.handleUpdate(message(villager, privateChat(villager), `/start j_${villageId}`));
    villagers.push(villager);
  }

  const walk = [
    (user: BenchUser) => message(user, privateChat(user), "/request"),
    (user: BenchUser) => press(user, "k:problem"),
    (user: BenchUser) => press(user, "c:roads"),
    (user: BenchUser) => message(user, privateChat(user), "村口的路灯坏了三盏，晚上看不见路。"),
    (user: BenchUser) => press(user, "d:ok"),
  ];
  const queues: Update[][] = villagers.map(() => []);
  for (let i = 0; i < count; i++) {
    const lane = i % chats;
    const user = villagers[lane];
    const queue = queues[lane];
    const step = walk[Math.floor(i / chats) % walk.length];
    if (user !== undefined && queue !== undefined && step !== undefined) queue.push(step(user));
  }
  fake.clear();
  const started = performance.now();
  await Promise.all(
    queues.map(async (queue) => {
      for (const update of queue) await bot.handleUpdate(update);
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return count / seconds;
}
