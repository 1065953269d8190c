import { z } from "zod";
import {
  defineOpenStep,
  type Feature,
  type GroupTurn,
  type Outcome,
  type StepSpec,
} from "../../app/feature.js";
import { cancelRow } from "../../app/kernel.js";
import { message } from "../../app/messages.js";
import { displayName, MAX_PLACE_NAME, validName } from "../../domain/names.js";
import { isSecretary } from "../../domain/permissions.js";
import { refuse } from "../../domain/result.js";
import { text } from "./i18n.js";
import {
  bindGroupIn,
  bindTownGroupIn,
  CODE,
  groupWelcome,
  joinVillageIn,
  releaseGroupIn,
  setupVillageIn,
} from "./use-cases.js";

export {
  DEFAULT_CATEGORIES,
  groupWelcome,
  type NewVillage,
  type SetupRefusal,
  setupVillageIn,
} from "./use-cases.js";

const { t, why } = text;

/** Says why setting up a village was refused, for the local page's form. */
export const explainSetup = why;

const SetupAnswers = z.object({
  stage: z.enum(["village", "town", "code"]),
  name: z.string().max(128),
  village: z.string().max(MAX_PLACE_NAME).optional(),
  town: z.string().max(MAX_PLACE_NAME).optional(),
});

/** Three questions to set up a village in a private chat: its name, its town, its number prefix. */
const setupStep: StepSpec<z.infer<typeof SetupAnswers>> = defineOpenStep({
  name: "setup.village",
  data: SetupAnswers,
  accepts: ["text"],
  maxText: MAX_PLACE_NAME,
  prompt: (_turn, answers) =>
    message(
      [
        answers.stage === "village"
          ? t("ask_village", { max: MAX_PLACE_NAME })
          : answers.stage === "town"
            ? t("ask_town", { max: MAX_PLACE_NAME })
            : t("ask_code"),
      ],
      [cancelRow()],
    ),
  async answer(turn, input, answers): Promise<Outcome> {
    if (input.type !== "text") return turn.done();
    if (answers.stage === "code") {
      if (!CODE.test(input.text.trim().toUpperCase()))
        return turn.refuse(why(refuse("code_invalid")), [cancelRow()]);
      const created = await setupVillageIn(
        turn.unit,
        {
          townName: answers.town ?? "",
          villageName: answers.village ?? "",
          code: input.text,
          secretaryName: displayName(answers.name) ?? answers.village ?? "",
          identity: { channel: turn.event.channel, userId: turn.event.userId },
          language: turn.language,
        },
        (member, village, lead) => turn.menuFor(member, village, lead),
      );
      if (created.ok || created.reason !== "code_taken") turn.endStep();
      return turn.answer(created, why);
    }
    const name = validName(input.text, MAX_PLACE_NAME);
    if (name === undefined)
      return turn.refuse(why(refuse("place_name_invalid", { max: MAX_PLACE_NAME })), [cancelRow()]);
    turn.endStep();
    return answers.stage === "village"
      ? turn.ask(setupStep, { ...answers, stage: "town", village: name })
      : turn.ask(setupStep, { ...answers, stage: "code", town: name });
  },
});

/** What follows /setup to bind the town's supervision chat instead of a village's group. */
const TOWN_WORDS = new Set(["town", "镇", "乡镇"]);

/**
 * A group admin's /setup (or the channel's bind): binds the group to the secretary's village, or with
 * `/setup town` makes it the town's supervision chat.
 */
async function bindGroup(turn: GroupTurn, args = ""): Promise<Outcome> {
  if (turn.actor === undefined) return turn.refuse(why(refuse("setup_first")), []);
  const { channel, chat } = turn.event;
  const bound = TOWN_WORDS.has(args.trim().toLowerCase())
    ? await bindTownGroupIn(turn.unit, turn.actor, channel, chat.chatId)
    : await bindGroupIn(turn.unit, turn.actor, channel, chat.chatId);
  return bound.ok ? turn.done() : turn.refuse(why(bound), []);
}

/** /start or /help in a group: the village's welcome with its button, or how to bind the group. */
async function welcomeGroup(turn: GroupTurn): Promise<Outcome> {
  turn.say(turn.group === undefined ? message([t("group.help_unbound")]) : groupWelcome(turn.group));
  return turn.done();
}

/** Setting up a village, binding its group chat, and joining its roster. */
export const setupFeature: Feature = {
  name: "setup",
  text,
  steps: [setupStep],
  commands: [
    {
      name: "setup",
      description: t("command.setup"),
      menus: ["group_admins"],
      stranger: (turn) => turn.ask(setupStep, { stage: "village", name: turn.event.displayName ?? "" }),
      private: async (turn) =>
        turn.refuse(
          why(
            refuse(isSecretary(turn.actor) ? "setup_in_group" : "already_member", {
              village: turn.village.name,
            }),
          ),
        ),
      group: (turn, args) => bindGroup(turn, args),
    },
    {
      name: "release",
      description: t("command.release"),
      menus: ["group_admins"],
      group: async (turn) => {
        const released = await releaseGroupIn(
          turn.unit,
          turn.actor,
          turn.event.channel,
          turn.event.chat.chatId,
        );
        if (!released.ok) return turn.refuse(why(released), []);
        turn.say(message([t("group.released", { village: released.value.name })]));
        return turn.done();
      },
    },
    { name: "help", menus: [], group: welcomeGroup },
    { name: "start", menus: [], group: welcomeGroup },
  ],
  async onJoin(turn, villageId) {
    const joined = await joinVillageIn(
      turn.unit,
      { channel: turn.event.channel, userId: turn.event.userId },
      villageId,
      turn.event.displayName ?? "",
      turn.language,
      (member, village, lead) => turn.menuFor(member, village, lead),
    );
    return joined.ok ? turn.done() : turn.refuse(why(joined), []);
  },
  onBindGroup: (turn, args) => bindGroup(turn, args),
};
