import { z } from "zod";
import {
  defineStep,
  type Feature,
  type MemberTurn,
  moveStep,
  type Outcome,
  on,
  type StepSpec,
  waitingData,
} from "../../app/feature.js";
import { backToMenu, cancelRow } from "../../app/kernel.js";
import { type Button, message, type Text } from "../../app/messages.js";
import {
  type Decision,
  MAX_DECISION_TEXT,
  MAX_PROGRESS_NOTE,
  progressPercent,
} from "../../domain/decision.js";
import type { Attachment } from "../../domain/model.js";
import { canConvene } from "../../domain/permissions.js";
import { refuse } from "../../domain/result.js";
import { askTopic } from "../topics/index.js";
import {
  decisionCard,
  decisionDeadline,
  decisionDesk,
  decisionOwner,
  decisionProgress,
  decisionTopic,
  newDecision,
} from "./codecs.js";
import { text } from "./i18n.js";
import { Decisions } from "./tables.js";
import {
  activeDecisions,
  checkOutcome,
  checkProgressIn,
  decisionCardIn,
  possibleOwners,
  recordDecisionIn,
  reportProgressIn,
  reviewDecisions,
} from "./use-cases.js";

export { decisionCard } from "./codecs.js";
export { Decisions } from "./tables.js";
export { activeDecisions, reviewDecisions } from "./use-cases.js";

/** How a decision's state reads. */
export function decisionStateText(state: Decision["state"]): Text {
  return t(`state.${state}`);
}

const { t, why } = text;

const DEADLINES = [7, 15, 30, 60, 90] as const;

const DraftDecision = z.object({
  stage: z.enum(["outcome", "owner", "deadline"]),
  topicId: z.string().optional(),
  outcome: z.string().max(MAX_DECISION_TEXT).optional(),
  ownerId: z.string().optional(),
});
type DraftDecision = z.infer<typeof DraftDecision>;

/** The decision form: the decision's words, then its owner and deadline with buttons. */
const decisionDraftStep: StepSpec<DraftDecision> = defineStep<DraftDecision>({
  name: "decisions.draft",
  data: DraftDecision,
  accepts: ["text"],
  maxText: MAX_DECISION_TEXT,
  async prompt(turn, draft) {
    if (draft.stage === "outcome")
      return message([t("ask.outcome", { max: MAX_DECISION_TEXT })], [cancelRow()]);
    if (draft.stage === "owner") {
      const village = turn.actor?.villageId ?? "";
      const owners = await possibleOwners(turn.unit, village);
      const rows: Button[][] = owners
        .slice(0, 20)
        .map((owner) => [
          decisionOwner.button(t("owner.option", { name: owner.name }), { memberId: owner.id }),
        ]);
      return message([t("ask.owner")], [...rows, cancelRow()]);
    }
    const rows = [DEADLINES.map((days) => decisionDeadline.button(t("deadline.days", { days }), { days }))];
    return message([t("ask.deadline")], [...rows, cancelRow()]);
  },
  async answer(turn, input, draft): Promise<Outcome> {
    if (draft.stage !== "outcome" || input.type !== "text") {
      await turn.askAgain();
      return turn.done();
    }
    const outcome = checkOutcome(input.text);
    if (!outcome.ok) return turn.refuse(why(outcome), [cancelRow()]);
    return moveTo(turn, { ...draft, outcome: outcome.value, stage: "owner" });
  },
});

function moveTo(turn: MemberTurn, draft: DraftDecision): Promise<Outcome> {
  return moveStep(turn, decisionDraftStep, draft);
}

function currentDraft(turn: MemberTurn): DraftDecision | undefined {
  return waitingData(turn, decisionDraftStep);
}

const ProgressNote = z.object({ decisionId: z.string(), percent: z.number().int().min(0).max(100) });

/** The owner says what was done at this percentage, with a photo if they like. */
const progressStep = defineStep({
  name: "decisions.progress",
  data: ProgressNote,
  accepts: ["text", "photo"],
  maxText: MAX_PROGRESS_NOTE,
  prompt: (_turn, { percent }) => message([t("ask.note", { percent })], [cancelRow()]),
  async answer(turn, input, { decisionId, percent }) {
    const note = input.type === "text" ? input.text : input.type === "photo" ? (input.caption ?? "") : "";
    const attachments: Attachment[] =
      input.type === "photo" ? [{ type: "photo", channel: input.channel, fileRef: input.fileRef }] : [];
    const reported = await reportProgressIn(turn.unit, turn.actor, decisionId, percent, note, attachments);
    if (!reported.ok && reported.reason === "note_required") return turn.refuse(why(reported), [cancelRow()]);
    turn.endStep();
    if (!reported.ok) return turn.refuse(why(reported));
    turn.say(
      message(
        [t("progress.done")],
        [[decisionCard.button(t("button.card", { id: decisionId }), { decisionId })], [backToMenu()]],
      ),
    );
    return turn.done(t("progress.done"));
  },
});

async function desk(turn: MemberTurn) {
  const decisions = await activeDecisions(turn.unit, turn.village.id);
  const lines: Text[] = [t(decisions.length === 0 ? "desk.none" : "desk.title", { count: decisions.length })];
  for (const decision of decisions.slice(0, 10))
    lines.push(
      t("desk.line", {
        id: decision.id,
        outcome: decision.outcome.slice(0, 30),
        percent: progressPercent(decision),
        state: t(`state.${decision.state}`),
      }),
    );
  const rows: Button[][] = decisions.slice(0, 10).map((decision) => [
    decisionCard.button(t("card.title", { id: decision.id, outcome: decision.outcome.slice(0, 16) }), {
      decisionId: decision.id,
    }),
  ]);
  if (canConvene(turn.actor, turn.village.id)) rows.push([newDecision.button(t("desk.new"), {})]);
  rows.push([backToMenu()]);
  turn.say(message(lines, rows));
  return turn.done();
}

/** 决议: decisions, their implementation and the village's judgement of their effect (效果共评). */
export const decisionsFeature: Feature = {
  name: "decisions",
  text,
  tables: [Decisions],
  actions: [
    on(decisionDesk, desk),
    on(newDecision, async (turn) => {
      if (!canConvene(turn.actor, turn.village.id)) return turn.refuse(why(refuse("not_allowed")));
      return askTopic(turn, decisionTopic, t("new.pick_topic"));
    }),
    on(decisionTopic, async (turn, { topicId }) => {
      if (!canConvene(turn.actor, turn.village.id)) return turn.refuse(why(refuse("not_allowed")));
      if (currentDraft(turn) !== undefined) turn.endStep();
      return turn.ask(
        decisionDraftStep,
        topicId === "none" ? { stage: "outcome" } : { stage: "outcome", topicId },
      );
    }),
    on(decisionOwner, async (turn, { memberId }) => {
      const draft = currentDraft(turn);
      if (draft?.stage !== "owner") return turn.refuse(t("refusal.no_draft"));
      return moveTo(turn, { ...draft, ownerId: memberId, stage: "deadline" });
    }),
    on(decisionDeadline, async (turn, { days }) => {
      const draft = currentDraft(turn);
      if (draft?.stage !== "deadline" || draft.outcome === undefined || draft.ownerId === undefined)
        return turn.refuse(t("refusal.no_draft"));
      const recorded = await recordDecisionIn(turn.unit, turn.actor, {
        outcome: draft.outcome,
        ownerId: draft.ownerId,
        days,
        ...(draft.topicId === undefined ? {} : { topicId: draft.topicId }),
      });
      if (recorded.ok || recorded.reason !== "no_such_owner") turn.endStep();
      return turn.answer(recorded, why);
    }),
    on(decisionCard, async (turn, { decisionId }) =>
      turn.answer(await decisionCardIn(turn.unit, turn.actor, decisionId), why),
    ),
    on(decisionProgress, async (turn, { decisionId, percent }) => {
      const allowed = await checkProgressIn(turn.unit, turn.actor, decisionId, percent);
      if (!allowed.ok) return turn.refuse(why(allowed));
      return turn.ask(progressStep, { decisionId, percent });
    }),
  ],
  steps: [decisionDraftStep, progressStep],
  menu: [
    {
      row: 5,
      button: (member, village) =>
        canConvene(member, village.id) ? decisionDesk.button(t("menu.decisions"), {}) : undefined,
    },
  ],
  jobs: [{ name: "decisions.review", cron: "*/10 * * * *", run: (deps) => reviewDecisions(deps) }],
};
