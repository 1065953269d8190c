import type { Api } from "grammy";
import type { BotCommand, BotCommandScope, LanguageCode } from "grammy/types";
import type { Command } from "../../app/inbound.js";
import type { Language } from "../../domain/model.js";
import { type TelegramTextKey, telegramSays } from "../../i18n/telegram.js";
import type { Logger } from "../../outbox/dispatcher.js";

type ScopeType = "default" | "all_private_chats" | "all_group_chats" | "all_chat_administrators";

/** Which commands each menu shows; the bot still checks every command it receives. */
const MENUS: Record<ScopeType, readonly Command[]> = {
  default: ["start", "help"],
  all_private_chats: ["start", "help", "request", "my", "lang", "cancel"],
  all_group_chats: ["help", "stats"],
  all_chat_administrators: ["help", "stats", "setup"],
};

/** Telegram's two-letter language codes for the menus, per app language. */
const MENU_LANGUAGES: Record<Language, LanguageCode> = { "zh-CN": "zh", en: "en" };

export interface CommandMenu {
  scope: BotCommandScope;
  /** Undefined for the fallback menu shown to users whose language has no menu of its own. */
  languageCode?: LanguageCode;
  commands: BotCommand[];
}

function describe(command: Command, language: Language): string {
  return telegramSays(`command.${command}` as TelegramTextKey, language);
}

/** Every menu to set: each scope in each language, plus a fallback per scope in the default language. */
export function commandMenus(defaultLanguage: Language): CommandMenu[] {
  const menus: CommandMenu[] = [];
  for (const [type, names] of Object.entries(MENUS) as [ScopeType, readonly Command[]][]) {
    const scope = { type } as BotCommandScope;
    const variants: [Language, LanguageCode | undefined][] = [
      [defaultLanguage, undefined],
      ...(Object.entries(MENU_LANGUAGES) as [Language, LanguageCode][]),
    ];
    for (const [language, languageCode] of variants) {
      const commands = names.map((command) => ({ command, description: describe(command, language) }));
      menus.push(languageCode === undefined ? { scope, commands } : { scope, languageCode, commands });
    }
  }
  return menus;
}

/** Sets the menus; a failure is logged and start-up goes on, since the menus only help people type. */
export async function syncCommandMenus(api: Api, defaultLanguage: Language, logger: Logger): Promise<void> {
  for (const menu of commandMenus(defaultLanguage)) {
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
