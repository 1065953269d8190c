import type { Unit } from "../../app/deps.js";
import { privateTarget, secretariesOf } from "../../app/deps.js";
import type { Feature } from "../../app/feature.js";
import { message } from "../../app/messages.js";
import type { OutboxEntry } from "../../app/ports.js";
import { Members, Villages } from "../../app/tables.js";
import { defineText } from "../../app/text.js";

const text = defineText(
  "deliveries",
  {
    group: "⚠️ 已有{count}条消息没能发到{village}的村民群：{why}",
    person: "⚠️ 已有{count}条消息没能发给{name}：{why}",
    "why.group_gone": "机器人不在群里了（被移出，或群已解散）。请把机器人重新拉进群，在群里发 /setup。",
    "why.person_stopped": "对方停用了机器人，或从没打开过和机器人的私聊。请当面提醒他打开机器人、点“开始”。",
    "why.other": "平台回复“{reason}”。如果一直这样，请联系管理员。",
  },
  {
    group: "⚠️ {count} message(s) could not be posted to the villagers' group of {village}: {why}",
    person: "⚠️ {count} message(s) could not be sent to {name}: {why}",
    "why.group_gone":
      "the bot is no longer in the group (removed, or the group was closed). Add the bot back and send /setup there.",
    "why.person_stopped":
      "they stopped the bot, or never opened a private chat with it. Ask them in person to open the bot and press Start.",
    "why.other": "the platform answered “{reason}”. If this keeps happening, contact your administrator.",
  },
);
const { t } = text;

const GROUP_GONE =
  /kicked|not a member|chat not found|group chat was (deactivated|upgraded)|bot was removed|CHAT_WRITE_FORBIDDEN/i;
const PERSON_STOPPED = /blocked by the user|user is deactivated|can't initiate conversation/i;

function why(reason: string, group: boolean) {
  if (group && GROUP_GONE.test(reason)) return t("why.group_gone");
  if (!group && PERSON_STOPPED.test(reason)) return t("why.person_stopped");
  return t("why.other", { reason: reason.slice(0, 200) });
}

/**
 * Tells the village's secretaries when the bot could not deliver to their group or to one of their villagers.
 * One notice per chat that fails, edited with the running count, so a removed bot does not flood them.
 */
async function reportUndelivered(unit: Unit, entry: OutboxEntry, reason: string): Promise<void> {
  const { target } = entry;
  if (entry.key?.startsWith(NOTICE_KEY) === true) return;
  const person = target.memberId === undefined ? undefined : await unit.tx.get(Members, target.memberId);
  const villageId = target.villageId ?? person?.villageId;
  if (villageId === undefined) return;
  const village = await unit.tx.get(Villages, villageId);
  if (village === undefined) return;
  const secretaries = await secretariesOf(unit, villageId);
  const key = `${NOTICE_KEY}${target.channel}:${target.chatId}`;
  const count = await unit.tx.nextNumber(key);
  const group = target.villageId !== undefined;
  const line =
    group || person === undefined
      ? t("group", { count, village: village.name, why: why(reason, true) })
      : t("person", { count, name: person.name, why: why(reason, false) });
  for (const secretary of secretaries) {
    if (secretary.id === target.memberId) continue;
    const to = privateTarget(unit.deps, secretary);
    if (to !== undefined) unit.tx.enqueue(to, message([line]), { key });
  }
}

const NOTICE_KEY = "undelivered:";

/** 送达: messages the bot could not deliver are not lost from sight; the secretary hears of them. */
export const deliveriesFeature: Feature = {
  name: "deliveries",
  text,
  onUndelivered: reportUndelivered,
};
