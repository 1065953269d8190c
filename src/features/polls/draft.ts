import { z } from "zod";
import {
  defineStep,
  type MemberTurn,
  moveStep,
  type Outcome,
  type StepSpec,
  waitingData,
} from "../../app/feature.js";
import { cancelRow } from "../../app/kernel.js";
import { type Button, message, type Text } from "../../app/messages.js";
import {
  MAX_POLL_OPTION,
  MAX_POLL_OPTIONS,
  MAX_POLL_QUESTION,
  PollKind,
  ResultsShown,
} from "../../domain/poll.js";
import { type DraftToggle, pollKind, publishPoll, toggleDraft } from "./codecs.js";
import { text } from "./i18n.js";
import { checkOptions, checkQuestion } from "./use-cases.js";

const { t, why } = text;

const KINDS: readonly PollKind[] = ["yes_no", "single", "multiple", "satisfaction"];
const DAYS = [1, 3, 7, 14] as const;
const QUORUMS = [undefined, 30, 50, 67] as const;
const RESULTS: readonly ResultsShown[] = ["live", "after_vote", "after_close"];

export const DraftPoll = z.object({
  stage: z.enum(["kind", "question", "options", "settings"]),
  topicId: z.string().optional(),
  kind: PollKind.optional(),
  question: z.string().max(MAX_POLL_QUESTION).optional(),
  options: z.array(z.string().max(MAX_POLL_OPTION)).max(MAX_POLL_OPTIONS),
  anonymous: z.boolean(),
  results: ResultsShown,
  perHousehold: z.boolean(),
  quorumPercent: z.number().int().min(1).max(100).optional(),
  days: z.number().int().min(1).max(30),
});
export type DraftPoll = z.infer<typeof DraftPoll>;

/** Loomio's defaults: a poll that decides a topic stays open a week, any other poll three days. */
export function newDraft(topicId: string | undefined): DraftPoll {
  const draft: DraftPoll = {
    stage: "kind",
    options: [],
    anonymous: true,
    results: "live",
    perHousehold: false,
    days: topicId === undefined ? 3 : 7,
  };
  if (topicId !== undefined) draft.topicId = topicId;
  return draft;
}

function next<T>(values: readonly T[], current: T): T {
  return values[(values.indexOf(current) + 1) % values.length] as T;
}

/** The draft with one setting moved on to its next value. */
export function toggled(draft: DraftPoll, toggle: DraftToggle): DraftPoll {
  switch (toggle) {
    case "anonymous":
      return { ...draft, anonymous: !draft.anonymous };
    case "results":
      return { ...draft, results: next(RESULTS, draft.results) };
    case "ballot":
      return { ...draft, perHousehold: !draft.perHousehold };
    case "days":
      return { ...draft, days: next(DAYS, draft.days as (typeof DAYS)[number]) };
    case "quorum": {
      const { quorumPercent: _, ...rest } = draft;
      const quorum = next(QUORUMS, draft.quorumPercent as (typeof QUORUMS)[number]);
      return quorum === undefined ? rest : { ...rest, quorumPercent: quorum };
    }
  }
}

function settingsText(draft: DraftPoll): Text {
  return t("draft.settings", {
    anonymous: t(draft.anonymous ? "setting.anonymous" : "setting.named"),
    results: t(`results.${draft.results}`),
    ballot: t(draft.perHousehold ? "setting.household" : "setting.person"),
    quorum:
      draft.quorumPercent === undefined
        ? t("setting.no_quorum")
        : t("setting.quorum", { percent: draft.quorumPercent }),
    days: t("setting.days", { days: draft.days }),
  });
}

/** The poll form: how people vote, the question, the options, then the settings until published. */
export const pollDraftStep: StepSpec<DraftPoll> = defineStep<DraftPoll>({
  name: "polls.draft",
  data: DraftPoll,
  accepts: ["text"],
  maxText: MAX_POLL_OPTION * MAX_POLL_OPTIONS + MAX_POLL_OPTIONS,
  prompt(_turn, draft) {
    switch (draft.stage) {
      case "kind":
        return message(
          [t("new.pick_kind")],
          [...KINDS.map((kind) => [pollKind.button(t(`kind.${kind}`), { kind })]), cancelRow()],
        );
      case "question":
        return {
          ...message([t("ask.question", { max: MAX_POLL_QUESTION })], [cancelRow()]),
          inputMax: MAX_POLL_QUESTION,
        };
      case "options":
        return message([t("ask.options", { max: MAX_POLL_OPTIONS, length: MAX_POLL_OPTION })], [cancelRow()]);
      case "settings": {
        const toggles: Button[][] = [
          [
            toggleDraft.button(t("toggle.anonymous"), { toggle: "anonymous" }),
            toggleDraft.button(t("toggle.results"), { toggle: "results" }),
          ],
          [
            toggleDraft.button(t("toggle.ballot"), { toggle: "ballot" }),
            toggleDraft.button(t("toggle.quorum"), { toggle: "quorum" }),
          ],
          [toggleDraft.button(t("toggle.days"), { toggle: "days" })],
        ];
        const summary = t("draft.summary", {
          question: draft.question ?? "",
          kind: t(`kind.${draft.kind ?? "yes_no"}`),
          settings: settingsText(draft),
        });
        return message([summary], [...toggles, [publishPoll.button(t("publish"), {})], cancelRow()]);
      }
    }
  },
  async answer(turn, input, draft): Promise<Outcome> {
    if (input.type !== "text" || (draft.stage !== "question" && draft.stage !== "options")) {
      await turn.askAgain();
      return turn.done();
    }
    if (draft.stage === "question") {
      const question = checkQuestion(input.text);
      if (!question.ok) return turn.refuse(why(question), [cancelRow()]);
      const multi = draft.kind === "single" || draft.kind === "multiple";
      return moveTo(turn, { ...draft, question: question.value, stage: multi ? "options" : "settings" });
    }
    const options = checkOptions(input.text);
    if (!options.ok) return turn.refuse(why(options), [cancelRow()]);
    return moveTo(turn, { ...draft, options: options.value, stage: "settings" });
  },
});

export function moveTo(turn: MemberTurn, draft: DraftPoll): Promise<Outcome> {
  return moveStep(turn, pollDraftStep, draft);
}

export function currentPollDraft(turn: MemberTurn): DraftPoll | undefined {
  return waitingData(turn, pollDraftStep);
}
