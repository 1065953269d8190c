import { describe, expect, it } from "vitest";
import type { OutboxEntry } from "../../../src/app/ports.js";
import { createHarness, seedVillage } from "../../app/harness.js";

function entryTo(target: OutboxEntry["target"]): OutboxEntry {
  return {
    id: "o000000000999",
    target,
    message: { lines: [{ key: "notice.done" }] },
    createdAt: "2026-11-23T02:00:00.000Z",
    attempts: 0,
    notBefore: "2026-11-23T02:00:00.000Z",
  };
}

describe("messages the bot could not deliver", () => {
  it("tell the secretary in plain words that the bot is no longer in the village group", async () => {
    const h = await createHarness();
    const { village, secretary } = await seedVillage(h);
    const group = entryTo({ channel: "local", chatId: "group-x", language: "zh-CN", villageId: village.id });

    await h.app.undelivered(group, "Forbidden: bot was kicked from the group chat");
    await h.drain();

    expect(h.last(secretary.id)?.text).toBe(
      "⚠️ 已有1条消息没能发到东风村的村民群：机器人不在群里了（被移出，或群已解散）。请把机器人重新拉进群，在群里发 /setup。",
    );
  });

  it("name the villager a message did not reach", async () => {
    const h = await createHarness();
    const { secretary, villager } = await seedVillage(h);
    const person = entryTo({
      channel: "local",
      chatId: villager.id,
      language: "zh-CN",
      memberId: villager.id,
    });

    await h.app.undelivered(person, "Forbidden: bot was blocked by the user");
    await h.drain();

    expect(h.last(secretary.id)?.text).toContain("没能发给张大爷：对方停用了机器人");
  });

  it("keep one notice per failing chat, counting, instead of one message each", async () => {
    const h = await createHarness();
    const { village, secretary } = await seedVillage(h);
    const group = entryTo({ channel: "local", chatId: "group-x", language: "zh-CN", villageId: village.id });
    await h.app.undelivered(group, "Forbidden: bot was kicked from the group chat");
    await h.drain();
    const before = h.messages(secretary.id).length;

    await h.app.undelivered(group, "Forbidden: bot was kicked from the group chat");
    await h.app.undelivered(group, "Forbidden: bot was kicked from the group chat");
    await h.drain();

    const notices = h.messages(secretary.id).slice(before);
    expect(notices.map((n) => [n.entry.key, n.text.slice(0, 11)])).toEqual([
      ["undelivered:local:group-x", "⚠️ 已有3条消息没能"],
    ]);
  });
});
