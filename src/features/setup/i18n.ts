import { defineText } from "../../app/text.js";

export const text = defineText(
  "setup",
  {
    done: "{village}建好了，您是书记。诉求编号以{code}开头。\n下一步：把我拉进村里的群，在群里发 /setup，村民就能在群里找到我。",
    done_local:
      "{village}建好了，您是书记。诉求编号以{code}开头。\n下一步：点“村民名册”添加村民，或导入 CSV 名册。",
    ask_village: "开始建村。请输入村的名字（最多{max}字），比如：东风村",
    ask_town: "请输入所属乡镇的名字（最多{max}字），比如：红旗镇",
    ask_code: "请输入诉求编号的字母前缀（2-4个英文字母），比如东风村填 DF",
    "join.welcome": "欢迎加入{village}！有事就点“提诉求”。",
    "join.welcome_back": "欢迎回来！",
    "group.welcome":
      "大家好，我是{village}的“商量”助手。\n有问题、有心愿，点下面的按钮私下告诉我，我会给您一个编号，全程跟踪到办好。",
    "group.help_unbound": "这个群还没绑定村。请书记先私聊我发 /setup 建村，再在群里发 /setup。",
    "group.released": "这个群已和{village}解除绑定。新的村书记可以在群里发 /setup 绑定。",
    "town.welcome":
      "本群已设为{town}的督办群。超期{days}个工作日还没办结的诉求会报到这里；每月{day}日{time}发各村晾晒的汇总和排名。",
    "command.setup": "把本群绑定到村（限群管理员）；发 /setup town 设为镇督办群",
    "command.release": "解除本群和村的绑定（限本村书记）",
    "refusal.already_member": "您已经在{village}的名册里了。点“提诉求”就可以用。",
    "refusal.place_name_invalid": "名字不能为空，最多{max}字，也不能带看不见的字符。请重新输入。",
    "refusal.person_name_invalid": "您的名字不能为空，最多{max}字，也不能带看不见的字符。请重新输入。",
    "refusal.code_invalid": "编号前缀要2-4个英文字母，比如 DF。请重新输入。",
    "refusal.code_taken": "前缀{code}已经有村在用了。请换一个字母前缀，直接发给我。",
    "refusal.setup_first": "只有本村书记能绑定群。书记请先私聊我发 /setup 建村，再回到群里发 /setup。",
    "refusal.setup_in_group": "您是{village}的书记。要绑定村民群，请把我拉进群，在群里发 /setup。",
    "refusal.group_taken":
      "这个群已经绑定了{village}。要改绑，请先由{village}的书记在群里发 /release 解除绑定。",
    "refusal.group_not_bound": "这个群还没绑定村。请书记在群里发 /setup。",
    "refusal.town_chat": "这个群是{town}的督办群。要改作村民群，请先在群里发 /release 解除。",
    "refusal.not_town_manager": "只有{town}各村的书记或镇督办人能设置镇督办群。",
  },
  {
    done: "{village} is ready and you are its secretary. Request numbers start with {code}.\nNext: add me to the village group and send /setup there, so villagers find me.",
    done_local:
      "{village} is ready and you are its secretary. Request numbers start with {code}.\nNext: tap “Roster” to add villagers, or import a CSV roster.",
    ask_village: "Let's set up your village. What is its name (at most {max} characters)?",
    ask_town: "Which town (乡镇) does it belong to (at most {max} characters)?",
    ask_code: "Pick 2–4 letters to start request numbers with, e.g. DF",
    "join.welcome": "Welcome to {village}! Tap “Send a request” whenever you need something.",
    "join.welcome_back": "Welcome back!",
    "group.welcome":
      "Hello everyone, I am the Shangliang helper of {village}.\nHave a problem or a wish? Tap the button below to tell me privately; you get a number and can follow it until it is done.",
    "group.help_unbound":
      "This group is not linked to a village yet. A secretary should send me /setup in a private chat first, then /setup here.",
    "group.released":
      "This group is no longer linked to {village}. A secretary can link it again with /setup here.",
    "town.welcome":
      "This group is now the supervision chat of {town}. Requests still overdue {days} working days after their deadline are reported here, and on day {day} of each month at {time} the villages' tallies, ranked.",
    "command.setup":
      "Link this group to a village (group admins); /setup town makes it the town's supervision chat",
    "command.release": "Unlink this group from its village (its secretary)",
    "refusal.already_member": "You are already on the roster of {village}. Tap “Send a request” to use me.",
    "refusal.place_name_invalid":
      "A name must not be empty, be at most {max} characters and have no invisible characters. Please type it again.",
    "refusal.person_name_invalid":
      "Your name must not be empty, be at most {max} characters and have no invisible characters. Please type it again.",
    "refusal.code_invalid": "The prefix must be 2–4 letters, e.g. DF. Please type it again.",
    "refusal.code_taken": "The prefix {code} is taken by another village. Type another one.",
    "refusal.setup_first":
      "Only the village secretary can link a group. Secretary: send me /setup in a private chat first, then /setup here.",
    "refusal.setup_in_group":
      "You are the secretary of {village}. To link the village group, add me to it and send /setup there.",
    "refusal.group_taken":
      "This group is linked to {village}. To link it elsewhere, a secretary of {village} must first send /release here.",
    "refusal.group_not_bound":
      "This group is not linked to a village yet. The secretary should send /setup here.",
    "refusal.town_chat":
      "This group is the supervision chat of {town}. To make it a village group, first send /release here.",
    "refusal.not_town_manager":
      "Only a secretary of a village of {town}, or a town supervisor, can set up the town's supervision chat.",
  },
);
