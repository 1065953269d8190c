import type { z } from "zod";
import type { Refusal, Result } from "../domain/result.js";
import { actionCodec } from "./actions.js";
import {
  defineStep,
  type Feature,
  type MemberTurn,
  type Outcome,
  on,
  type StepSpec,
  settleStep,
} from "./feature.js";
import { type Button, message, type Text } from "./messages.js";
import { kernelText, t } from "./text.js";

/** The kernel's own buttons: back to the main menu, and cancel what is being filled in. */
export const menuAction = actionCodec("m", {});
export const cancelAction = actionCodec("x", {});

export const backToMenu = (): Button => menuAction.button(t("menu.back_to_menu"), {});
export const cancelRow = (): Button[] => [cancelAction.button(t("action.cancel"), {})];

/**
 * A question a member answers with one typed message, asked with a cancel button. The step ends with the
 * answer, unless the refusal is one of `retryOn` (about the words themselves: the person tries again).
 */
export function defineTextStep<D, R extends string>(options: {
  name: string;
  data: z.ZodType<D>;
  maxText: number;
  question(data: D): Text;
  answer(turn: MemberTurn, text: string, data: D): Promise<Result<unknown, R>>;
  why: (refusal: Refusal<R>) => Text;
  retryOn: readonly R[];
}): StepSpec<D> {
  return defineStep({
    name: options.name,
    data: options.data,
    accepts: ["text"],
    maxText: options.maxText,
    prompt: (_turn, data) => message([options.question(data)], [cancelRow()]),
    async answer(turn, input, data): Promise<Outcome> {
      if (input.type !== "text") return turn.done();
      return settleStep(turn, await options.answer(turn, input.text, data), options.why, options.retryOn);
    },
  });
}

/** Drops what was being filled in and shows the main menu. */
export function cancel(turn: MemberTurn): Outcome {
  const had = turn.step !== undefined;
  turn.clearSteps();
  turn.say(turn.menuFor(turn.actor, turn.village, t(had ? "cancel.done" : "cancel.nothing")));
  return turn.done();
}

/** The main menu. */
export function showMenu(turn: MemberTurn): Outcome {
  turn.say(turn.menuFor(turn.actor, turn.village));
  return turn.done();
}

/** The kernel's buttons and commands: the main menu and cancel, in every private chat. */
export const kernelFeature: Feature = {
  name: "kernel",
  text: kernelText,
  actions: [on(menuAction, async (turn) => showMenu(turn)), on(cancelAction, async (turn) => cancel(turn))],
  commands: [
    {
      name: "start",
      description: t("command.start"),
      menus: ["private"],
      private: async (turn) => showMenu(turn),
    },
    {
      name: "help",
      description: t("command.help"),
      menus: ["private", "group", "group_admins"],
      private: async (turn) => showMenu(turn),
    },
    {
      name: "cancel",
      description: t("command.cancel"),
      menus: ["private"],
      private: async (turn) => cancel(turn),
    },
  ],
};
