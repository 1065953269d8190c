import type { Language } from "../domain/model.js";
import { channelSayer } from "./fill.js";

/** Words only the Telegram channel says: checks done before the app sees an update. */
export const telegramText = {
  "zh-CN": {
    "join.not_in_group": "我没能核实您是本村群的成员。请在您所在的村群里点“提诉求”按钮，再按“开始”。",
    "setup.admins_only": "只有本群管理员可以用 /setup 把本群绑定到村。",
    "setup.anonymous_admin": "您正以匿名管理员身份发言，我无法核实身份。请先关闭匿名再发送 /setup。",
    "file.too_big": "文件太大了（最多 {max} KB），请拆分后再发。",
    "private.fallback":
      "{name}，我有一条消息要私下告诉您，但您还没有和我开始私聊。请点下面的按钮，再按“开始”。",
    "private.fallback_button": "💬 打开私聊",
  },
  en: {
    "join.not_in_group":
      "I could not check that you are in your village group. Please tap “Send a request” inside your village group, then “Start”.",
    "setup.admins_only": "Only an admin of this group can link it to a village with /setup.",
    "setup.anonymous_admin":
      "You are posting as an anonymous admin, so I cannot tell who you are. Please turn that off and send /setup again.",
    "file.too_big": "The file is too big (at most {max} KB). Please split it.",
    "private.fallback":
      "{name}, I have a message for you, but you have not started a private chat with me yet. Please tap the button below, then “Start”.",
    "private.fallback_button": "💬 Open the chat",
  },
} as const satisfies Record<Language, Record<string, string>>;

export type TelegramTextKey = keyof (typeof telegramText)["zh-CN"];

/** The sentence in the reader's language, with {name}-style parameters filled in. */
export const telegramSays = channelSayer<TelegramTextKey>(telegramText);
