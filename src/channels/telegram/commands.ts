import type { Api } from "grammy";
import type { BotCommand, BotCommandScope, LanguageCode } from "grammy/types";
import type { CommandSpec } from "../../app/feature.js";
import type { Language } from "../../domain/model.js";
import type { Logger } from "../../outbox/dispatcher.js";
import type { Translate } from "../render.js";

type ScopeType = "default" | "all_private_chats" | "all_group_chats" | "all_chat_administrators";

/** Which commands each menu shows, from what the features declare; the bot still checks every command. */
function menus(commands: Iterable<CommandSpec>): Record<ScopeType, CommandSpec[]> {
  const all = [...commands];
  const listed = (...places: CommandSpec["menus"][number][]) =>
    all.filter((command) => command.menus.some((place) => places.includes(place)));
  return {
    default: all.filter((command) => command.name === "start" || command.name === "help"),
    all_private_chats: listed("private"),
    all_group_chats: listed("group"),
    all_chat_administrators: listed("group", "group_admins"),
  };
}

/** Telegram's two-letter language codes for the menus, per app language. */
const MENU_LANGUAGES: Record<Language, LanguageCode> = { "zh-CN": "zh", en: "en" };

export interface CommandMenu {
  scope: BotCommandScope;
  /** Undefined for the fallback menu shown to users whose language has no menu of its own. */
  languageCode?: LanguageCode;
  commands: BotCommand[];
}

/** Every menu to set: each scope in each language, plus a fallback per scope in the default language. */
export function commandMenus(
  commands: Iterable<CommandSpec>,
  defaultLanguage: Language,
  translate: Translate,
): CommandMenu[] {
  const result: CommandMenu[] = [];
  for (const [type, listed] of Object.entries(menus(commands)) as [ScopeType, CommandSpec[]][]) {
    const scope = { type } as BotCommandScope;
    const variants: [Language, LanguageCode | undefined][] = [
      [defaultLanguage, undefined],
      ...(Object.entries(MENU_LANGUAGES) as [Language, LanguageCode][]),
    ];
    for (const [language, languageCode] of variants) {
      const shown = listed.flatMap(({ name, description }) =>
        description === undefined ? [] : [{ command: name, description: translate(description, language) }],
      );
      result.push(
        languageCode === undefined ? { scope, commands: shown } : { scope, languageCode, commands: shown },
      );
    }
  }
  return result;
}

/** Sets the menus; a failure is logged and start-up goes on, since the menus only help people type. */
export async function syncCommandMenus(
  api: Api,
  menusToSet: readonly CommandMenu[],
  logger: Logger,
): Promise<void> {
  for (const menu of menusToSet) {
    try {
      await api.setMyCommands(menu.commands, {
        scope: menu.scope,
        ...(menu.languageCode === undefined ? {} : { language_code: menu.languageCode }),
      });
    } catch (error) {
      logger.warn("telegram command menu not set", {
        scope: menu.scope.type,
        languageCode: menu.languageCode,
        error: String(error),
      });
    }
  }
}
