import { actionCodec, enumField } from "../../app/actions.js";
import { type Feature, type MemberTurn, on } from "../../app/feature.js";
import { message } from "../../app/messages.js";
import { Members } from "../../app/tables.js";
import { defineText } from "../../app/text.js";
import { Language } from "../../domain/model.js";

const text = defineText(
  "language",
  {
    "menu.lang": "🌐 语言 Language",
    pick: "请选择语言 / Choose a language:",
    zh: "中文",
    en: "English",
    changed: "语言已切换为中文。",
    "command.lang": "切换语言 Language",
  },
  {
    "menu.lang": "🌐 Language 语言",
    pick: "请选择语言 / Choose a language:",
    zh: "中文",
    en: "English",
    changed: "Language switched to English.",
    "command.lang": "Language 语言",
  },
);
const { t } = text;

const pickLanguage = actionCodec("lg", {});
const setLanguage = actionCodec("l", { language: enumField(Language) });

function picker(turn: MemberTurn) {
  turn.say(
    message(
      [t("pick")],
      [[setLanguage.button(t("zh"), { language: "zh-CN" }), setLanguage.button(t("en"), { language: "en" })]],
    ),
  );
  return turn.done();
}

/** 语言: each person picks the language the bot speaks to them; a form being filled in carries on. */
export const languageFeature: Feature = {
  name: "language",
  text,
  actions: [
    on(pickLanguage, async (turn) => picker(turn)),
    on(setLanguage, async (turn, { language }) => {
      const next = { ...turn.actor, language };
      turn.unit.tx.put(Members, next);
      turn.switchLanguage(language);
      if (turn.step === undefined) turn.say(turn.menuFor(next, turn.village, t("changed")));
      else {
        turn.say(message([t("changed")]));
        await turn.askAgain();
      }
      return turn.done(t("changed"));
    }),
  ],
  commands: [
    {
      name: "lang",
      description: t("command.lang"),
      menus: ["private"],
      private: async (turn) => picker(turn),
    },
  ],
  menu: [{ row: 9, button: () => pickLanguage.button(t("menu.lang"), {}) }],
};
