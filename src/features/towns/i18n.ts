import { defineText } from "../../app/text.js";

export const text = defineText(
  "towns",
  {
    "menu.town": "🏛 镇督办",
    "card.title": "🏛 {town}",
    "card.villages": "本镇的村（{count}个）：{names}",
    "card.chat_bound": "督办群：已设置（{count}个群）",
    "card.chat_unbound": "督办群：还没有。把我拉进镇里的群，在群里发 /setup town。",
    "card.supervisors": "督办人：{names}",
    "card.no_supervisors": "督办人：还没有（超期诉求和每月汇总只发到督办群）",
    "card.formula": "满意率的算法：{formula}",
    "card.escalation": "诉求超期{days}个工作日还没办结，会报到督办群（没有督办群就私信督办人）。",
    "formula.satisfied_or_mostly": "（满意 + 基本满意）÷ 评价数",
    "formula.satisfied_only": "满意 ÷ 评价数（基本满意不算）",
    "button.supervisors": "👤 选督办人",
    "button.formula_strict": "⚖ 改为只算满意",
    "button.formula_mostly": "⚖ 改为满意+基本满意",
    "button.tally": "📊 全镇上月晾晒",
    "list.title": "点名字设为督办人，再点一次取消（✅ 是督办人）。这里列出本村的书记和网格员。",
    "list.none": "本村还没有书记和网格员以外的人可选。",
    "list.on": "✅ {name}",
    "list.off": "⬜ {name}",
    "button.back_to_card": "↩ 返回镇督办",
    "notify.added":
      "您已被设为{town}的督办人：超期诉求和每月各村汇总会发给您。发 /town 可以查看和管理镇督办。",
    command: "镇督办：本镇的督办群、督办人、满意率算法和各村汇总",
    "refusal.not_allowed": "只有本镇各村的书记和镇督办人能管理镇督办。",
    "refusal.not_a_worker": "只能从本村的书记和网格员里选督办人。",
  },
  {
    "menu.town": "🏛 Town",
    "card.title": "🏛 {town}",
    "card.villages": "Villages of the town ({count}): {names}",
    "card.chat_bound": "Supervision chat: set up ({count} chat(s))",
    "card.chat_unbound": "Supervision chat: none yet. Add me to the town's group and send /setup town there.",
    "card.supervisors": "Supervisors: {names}",
    "card.no_supervisors":
      "Supervisors: none yet (overdue requests and the monthly roll-up go to the supervision chat only)",
    "card.formula": "Satisfaction is counted as: {formula}",
    "card.escalation":
      "A request still open {days} working days after its deadline is reported to the supervision chat (with none, to the supervisors in private).",
    "formula.satisfied_or_mostly": "(satisfied + mostly satisfied) ÷ ratings",
    "formula.satisfied_only": "satisfied ÷ ratings (mostly satisfied not counted)",
    "button.supervisors": "👤 Choose supervisors",
    "button.formula_strict": "⚖ Count only satisfied",
    "button.formula_mostly": "⚖ Count satisfied + mostly satisfied",
    "button.tally": "📊 Town tally of last month",
    "list.title":
      "Tap a name to make them a supervisor; tap again to undo (✅ is a supervisor). Listed: your village's secretaries and grid workers.",
    "list.none": "Your village has no secretaries or grid workers to choose from.",
    "list.on": "✅ {name}",
    "list.off": "⬜ {name}",
    "button.back_to_card": "↩ Back to the town",
    "notify.added":
      "You are now a supervisor of {town}: overdue requests and the villages' monthly tallies come to you. Send /town to see and manage the town.",
    command: "Town: its supervision chat, supervisors, satisfaction formula and the villages' tally",
    "refusal.not_allowed":
      "Only the secretaries of the town's villages and the town's supervisors manage the town.",
    "refusal.not_a_worker": "Supervisors are chosen from your village's secretaries and grid workers.",
  },
);
