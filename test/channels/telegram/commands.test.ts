import { describe, expect, it } from "vitest";
import { commandMenus, syncCommandMenus } from "../../../src/channels/telegram/commands.js";
import { createTelegramHarness } from "./fake-api.js";

describe("command menus", () => {
  it("sets a menu for private chats, groups and group admins in zh, en and a default", () => {
    const menus = commandMenus("zh-CN");

    const keys = menus.map((menu) => `${menu.scope.type}/${menu.languageCode ?? "*"}`);
    expect(keys.sort()).toEqual(
      [
        "all_chat_administrators/*",
        "all_chat_administrators/en",
        "all_chat_administrators/zh",
        "all_group_chats/*",
        "all_group_chats/en",
        "all_group_chats/zh",
        "all_private_chats/*",
        "all_private_chats/en",
        "all_private_chats/zh",
        "default/*",
        "default/en",
        "default/zh",
      ].sort(),
    );
  });

  it.each(
    commandMenus("en").map((menu) => [`${menu.scope.type}/${menu.languageCode ?? "*"}`, menu] as const),
  )("keeps %s within Telegram's limits", (_key, menu) => {
    expect(menu.commands.length).toBeGreaterThan(0);
    expect(menu.commands.length).toBeLessThanOrEqual(100);
    for (const { command, description } of menu.commands) {
      expect(command).toMatch(/^[a-z0-9_]{1,32}$/);
      expect(description.length).toBeGreaterThanOrEqual(1);
      expect(description.length).toBeLessThanOrEqual(256);
    }
  });

  it("offers /setup only to group admins, not to every group member", () => {
    const menus = commandMenus("zh-CN");

    const names = (type: string) =>
      menus
        .find((menu) => menu.scope.type === type && menu.languageCode === undefined)
        ?.commands.map((c) => c.command);
    expect(names("all_chat_administrators")).toContain("setup");
    expect(names("all_group_chats")).not.toContain("setup");
    expect(names("all_private_chats")).toEqual(["start", "help", "request", "my", "lang", "cancel"]);
  });

  it("describes the default menu in the bot's default language", () => {
    const zh = commandMenus("zh-CN").find((m) => m.scope.type === "default" && m.languageCode === undefined);
    const en = commandMenus("en").find((m) => m.scope.type === "default" && m.languageCode === undefined);

    expect(zh?.commands[1]?.description).toBe("帮助");
    expect(en?.commands[1]?.description).toBe("Help");
  });

  it("sends every menu to Telegram, which accepts them all", async () => {
    const h = createTelegramHarness();

    await syncCommandMenus(h.channel.bot.api, "zh-CN", h.logger);

    const calls = h.fake.callsOf("setMyCommands");
    expect(calls).toHaveLength(12);
    expect(calls[0]?.payload).toMatchObject({
      scope: { type: "default" },
      commands: [{ command: "start" }, { command: "help" }],
    });
    expect(h.logger.lines.filter((line) => line.level !== "info")).toEqual([]);
  });

  it("logs a menu Telegram refuses and carries on with the others", async () => {
    const h = createTelegramHarness();
    h.fake.failNext("setMyCommands", { error_code: 400, description: "Bad Request: BOT_COMMAND_INVALID" });

    await syncCommandMenus(h.channel.bot.api, "zh-CN", h.logger);

    expect(h.fake.callsOf("setMyCommands")).toHaveLength(12);
    expect(h.logger.lines.filter((line) => line.level === "warn")).toHaveLength(1);
  });
});
