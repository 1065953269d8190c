import type { Update } from "grammy/types";
import { describe, expect, it } from "vitest";
import { createPoller, type UpdateSource } from "../../../src/channels/telegram/polling.js";
import { ALLOWED_UPDATES } from "../../../src/channels/telegram/updates.js";
import {
  createTelegramHarness,
  groupChat,
  privateChat,
  recordingLogger,
  setUpVillage,
  tgUser,
} from "./fake-api.js";

const secretary = tgUser(101, "王书记");
const villager = tgUser(201, "李大爷");
const neighbour = tgUser(202, "刘大妈");
const group = groupChat(-4001);

function settled(promise: Promise<unknown>): () => boolean {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  return () => done;
}

function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const check = () => {
      if (condition()) resolve();
      else if (Date.now() - started > timeoutMs) reject(new Error("timed out"));
      else setTimeout(check, 2);
    };
    check();
  });
}

describe("updates handled through grammY", () => {
  async function villageWithTwoJoining() {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    h.fake.setChatMember(group.id, villager.id, "member");
    h.fake.setChatMember(group.id, neighbour.id, "member");
    h.fake.clear();
    return { h, villageId };
  }

  it("of different chats overlap: one stuck on the Bot API does not hold up another", async () => {
    const { h, villageId } = await villageWithTwoJoining();
    const release = h.fake.hold("getChatMember", (payload) => payload.user_id === villager.id);

    const stuck = h.channel.bot.handleUpdate(
      h.updates.text(villager, privateChat(villager), `/start j_${villageId}`),
    );
    await h.channel.bot.handleUpdate(
      h.updates.text(neighbour, privateChat(neighbour), `/start j_${villageId}`),
    );
    const neighbourJoined = (await h.memberOf(neighbour)) !== undefined;
    const villagerDone = settled(stuck)();
    release();
    await stuck;

    expect([neighbourJoined, villagerDone, (await h.memberOf(villager)) !== undefined]).toEqual([
      true,
      false,
      true,
    ]);
  });

  it("of one chat run one at a time, in order", async () => {
    const { h, villageId } = await villageWithTwoJoining();
    const release = h.fake.hold("getChatMember", (payload) => payload.user_id === villager.id);
    const home = privateChat(villager);

    const first = h.channel.bot.handleUpdate(h.updates.text(villager, home, `/start j_${villageId}`));
    const second = h.channel.bot.handleUpdate(h.updates.text(villager, home, "/start"));
    await until(() => h.fake.callsOf("getChatMember").length > 0);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const secondWhileFirstStuck = settled(second)();
    release();
    await Promise.all([first, second]);
    await h.dispatcher.flush();

    const texts = h.sentMessages(villager.id).map((sent) => sent.text);
    expect(secondWhileFirstStuck).toBe(false);
    expect(texts[0]).toContain("欢迎加入幸福村");
    expect(texts.length).toBeGreaterThanOrEqual(2);
  });

  it("answer a button press without holding up the next update of that chat", async () => {
    const { h, villageId } = await villageWithTwoJoining();
    const home = privateChat(villager);
    await h.deliver(h.updates.text(villager, home, `/start j_${villageId}`));
    const release = h.fake.hold("answerCallbackQuery");

    await h.channel.bot.handleUpdate(h.updates.press(villager, home, "lg"));
    await h.channel.bot.handleUpdate(h.updates.text(villager, home, "/start"));
    const answered = h.fake.callsOf("answerCallbackQuery").length;
    release();
    await h.dispatcher.flush();

    expect(answered).toBe(1);
    expect(h.sentMessages(villager.id).length).toBeGreaterThanOrEqual(3);
  });
});

/** A Bot API's getUpdates: updates kept until an offset past them confirms them, as Telegram keeps them. */
function updateQueue(updates: Update[]) {
  const offsets: (number | undefined)[] = [];
  let confirmedBelow = 0;
  const source: UpdateSource = {
    async getUpdates(other = {}) {
      offsets.push(other.offset);
      if (other.offset !== undefined) confirmedBelow = Math.max(confirmedBelow, other.offset);
      const pending = updates
        .filter((update) => update.update_id >= confirmedBelow)
        .slice(0, other.limit ?? 100);
      if (pending.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      return pending;
    },
    deleteWebhook: async () => true,
  };
  return { source, offsets, confirmedBelow: () => confirmedBelow };
}

function messages(...ids: number[]): Update[] {
  return ids.map((id) => ({
    update_id: id,
    message: { message_id: id, date: 0, chat: { id, type: "private", first_name: "U" }, text: `m${id}` },
  })) as Update[];
}

describe("long polling", () => {
  it("never confirms an update that is not handled yet, and starts none twice", async () => {
    const queue = updateQueue(messages(1, 2, 3));
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const handled: number[] = [];
    const poller = createPoller({
      source: queue.source,
      logger: recordingLogger(),
      allowedUpdates: ALLOWED_UPDATES,
      timeoutSeconds: 0,
      handle: async (update) => {
        if (update.update_id === 2) await gate;
        handled.push(update.update_id);
      },
    });

    await poller.start();
    await until(() => handled.length === 2 && queue.confirmedBelow() === 2);
    await new Promise((resolve) => setTimeout(resolve, 600));
    const whileStuck = queue.confirmedBelow();
    release();
    await until(() => queue.confirmedBelow() === 4);
    await poller.stop();

    expect(whileStuck).toBe(2);
    expect([...handled].sort()).toEqual([1, 2, 3]);
  });

  it("after a crash, gets back what was not confirmed, so nothing is lost", async () => {
    const updates = messages(1, 2, 3);
    const queue = updateQueue(updates);
    const before: number[] = [];
    const crashed = createPoller({
      source: queue.source,
      logger: recordingLogger(),
      allowedUpdates: ALLOWED_UPDATES,
      timeoutSeconds: 0,
      stopWaitMs: 0,
      handle: async (update) => {
        if (update.update_id === 2) await new Promise(() => undefined);
        before.push(update.update_id);
      },
    });
    await crashed.start();
    await until(() => before.length === 2 && queue.confirmedBelow() === 2);
    const confirmed = queue.confirmedBelow();
    const after: number[] = [];
    const restarted = createPoller({
      source: updateQueue(updates.filter((update) => update.update_id >= confirmed)).source,
      logger: recordingLogger(),
      allowedUpdates: ALLOWED_UPDATES,
      timeoutSeconds: 0,
      handle: async (update) => {
        after.push(update.update_id);
      },
    });

    await restarted.start();
    await until(() => after.length >= 2);
    await restarted.stop();
    await crashed.stop();

    expect(confirmed).toBe(2);
    expect(after).toEqual([2, 3]);
  });

  it("handles updates whose ids start lower again, as Telegram's do after a quiet week", async () => {
    const batches = [messages(100, 101), messages(5)];
    const source: UpdateSource = {
      async getUpdates() {
        await new Promise((resolve) => setTimeout(resolve, 5));
        return batches.shift() ?? [];
      },
      deleteWebhook: async () => true,
    };
    const handled: number[] = [];
    const poller = createPoller({
      source,
      logger: recordingLogger(),
      allowedUpdates: ALLOWED_UPDATES,
      timeoutSeconds: 0,
      handle: async (update) => {
        handled.push(update.update_id);
      },
    });

    await poller.start();
    await until(() => handled.length === 3);
    await poller.stop();

    expect(handled).toEqual([100, 101, 5]);
  });

  it("stops promptly with an update stuck, confirming what was handled before it", async () => {
    const queue = updateQueue(messages(1, 2, 3));
    const handled: number[] = [];
    const poller = createPoller({
      source: queue.source,
      logger: recordingLogger(),
      allowedUpdates: ALLOWED_UPDATES,
      timeoutSeconds: 0,
      stopWaitMs: 200,
      handle: async (update) => {
        if (update.update_id === 2) await new Promise(() => undefined);
        handled.push(update.update_id);
      },
    });
    await poller.start();
    await until(() => handled.length === 2);

    const started = Date.now();
    await poller.stop();

    expect(Date.now() - started).toBeLessThan(1_000);
    expect(queue.offsets.at(-1)).toBe(2);
  });
});
