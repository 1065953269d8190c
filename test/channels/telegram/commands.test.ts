import { describe, expect, it } from "vitest";
import { commandMenus, syncCommandMenus } from "../../../src/channels/telegram/commands.js";
import type { Language } from "../../../src/domain/model.js";
import { createTestApp } from "../../support/app.js";
import { createTelegramHarness } from "./fake-api.js";

const app = await createTestApp({ channels: ["telegram"] });

/** The menus the channel sets at start, from the commands the features declare. */
function menusIn(defaultLanguage: Language) {
  return commandMenus(app.registry.commands.values(), defaultLanguage, app.translate);
}

function names(menus: ReturnType<typeof menusIn>, type: string): string[] | undefined {
  return menus
    .find((menu) => menu.scope.type === type && menu.languageCode === undefined)
    ?.commands.map((c) => c.command);
}

describe("command menus", () => {
  it("sets a menu for private chats, groups and group admins in zh, en and a default", () => {
    const menus = menusIn("zh-CN");

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

  it.each(menusIn("en").map((menu) => [`${menu.scope.type}/${menu.languageCode ?? "*"}`, menu] as const))(
    "keeps %s within Telegram's limits",
    (_key, menu) => {
      expect(menu.commands.length).toBeGreaterThan(0);
      expect(menu.commands.length).toBeLessThanOrEqual(100);
      for (const { command, description } of menu.commands) {
        expect(command).toMatch(/^[a-z0-9_]{1,32}$/);
        expect(description.length).toBeGreaterThanOrEqual(1);
        expect(description.length).toBeLessThanOrEqual(256);
      }
    },
  );

  it("offers /setup only to group admins, not to every group member", () => {
    const menus = menusIn("zh-CN");

    expect(names(menus, "all_chat_administrators")).toContain("setup");
    expect(names(menus, "all_group_chats")).not.toContain("setup");
    expect(names(menus, "all_private_chats")?.sort()).toEqual(
      [
        "start",
        "help",
        "request",
        "my",
        "lang",
        "cancel",
        "propose",
        "topics",
        "polls",
        "tally",
        "town",
      ].sort(),
    );
  });

  it("lists in groups only the commands a feature answers in groups", () => {
    const menus = menusIn("zh-CN");

    expect(names(menus, "all_group_chats")?.sort()).toEqual(["help", "polls", "stats", "tally", "topics"]);
    expect(names(menus, "all_chat_administrators")?.sort()).toEqual([
      "help",
      "polls",
      "release",
      "setup",
      "stats",
      "tally",
      "topics",
    ]);
  });

  it("describes the default menu in the bot's default language", () => {
    const zh = menusIn("zh-CN").find((m) => m.scope.type === "default" && m.languageCode === undefined);
    const en = menusIn("en").find((m) => m.scope.type === "default" && m.languageCode === undefined);

    expect(zh?.commands.map((c) => c.description)).toEqual(["开始 / 主菜单", "帮助"]);
    expect(en?.commands.map((c) => c.description)).toEqual(["Start / main menu", "Help"]);
  });

  it("describes each command with its own sentence in every menu", () => {
    const described = new Map<string, Set<string>>();
    for (const menu of menusIn("zh-CN").filter((m) => m.languageCode === "zh")) {
      for (const { command, description } of menu.commands) {
        described.set(description, (described.get(description) ?? new Set()).add(command));
      }
    }

    const shared = [...described.entries()].filter(([, commands]) => commands.size > 1);
    expect(shared).toEqual([]);
  });

  it("sends every menu to Telegram, which accepts them all", async () => {
    const h = await createTelegramHarness();

    await syncCommandMenus(h.channel.bot.api, menusIn("zh-CN"), h.logger);

    const calls = h.fake.callsOf("setMyCommands");
    expect(calls).toHaveLength(12);
    expect(calls[0]?.payload).toMatchObject({
      scope: { type: "default" },
      commands: [{ command: "start" }, { command: "help" }],
    });
    expect(h.logger.lines.filter((line) => line.level !== "info")).toEqual([]);
  });

  it("logs a menu Telegram refuses and carries on with the others", async () => {
    const h = await createTelegramHarness();
    h.fake.failNext("setMyCommands", { error_code: 400, description: "Bad Request: BOT_COMMAND_INVALID" });

    await syncCommandMenus(h.channel.bot.api, menusIn("zh-CN"), h.logger);

    expect(h.fake.callsOf("setMyCommands")).toHaveLength(12);
    expect(h.logger.lines.filter((line) => line.level === "warn")).toHaveLength(1);
  });

  it("sets the menus when the channel starts", async () => {
    const h = await createTelegramHarness();

    await h.channel.start();
    await h.channel.stop();

    expect(h.fake.callsOf("setMyCommands")).toHaveLength(12);
  });
});
