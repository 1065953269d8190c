import type { Language } from "../domain/model.js";
import { channelSayer } from "./fill.js";

/** Words only the Slack channel says: checks done before the app sees an event. */
export const slackText = {
  "zh-CN": {
    "setup.admins_only": "只有频道的创建者或工作区管理员可以用 /shangliang setup 把本频道绑定到村或镇。",
    "join.not_bound": "这个频道还没有绑定村。请书记在频道里发送 /shangliang setup。",
    "join.elsewhere": "请在您所在村的频道里点“提诉求”按钮。",
    "file.too_big": "文件太大了（最多 {max} KB），请拆分后再发。",
    "command.unknown": "我不认识“{command}”。发送 /shangliang help 看看能做什么。",
    "message.continued": "（接上条）",
    "home.more": "还有更多：在“消息”里发 /shangliang 查看。",
    "form.cancel": "取消",
  },
  en: {
    "setup.admins_only":
      "Only the channel's creator or a workspace admin can link this channel to a village or town with /shangliang setup.",
    "join.not_bound":
      "This channel is not linked to a village yet. The secretary sends /shangliang setup here.",
    "join.elsewhere": "Please tap “Send a request” in your own village's channel.",
    "file.too_big": "The file is too big (at most {max} KB). Please split it.",
    "command.unknown": "I do not know “{command}”. Send /shangliang help to see what I can do.",
    "message.continued": "(continued)",
    "home.more": "There is more: send /shangliang in Messages to see it.",
    "form.cancel": "Cancel",
  },
} as const satisfies Record<Language, Record<string, string>>;

export type SlackTextKey = keyof (typeof slackText)["zh-CN"];

/** The sentence in the reader's language, with {name}-style parameters filled in. */
export const slackSays = channelSayer<SlackTextKey>(slackText);
