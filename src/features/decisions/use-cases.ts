import { type Deps, inUnit, memberName, tell, tellGroup, type Unit } from "../../app/deps.js";
import { backToMenu } from "../../app/kernel.js";
import { type Button, message, type Text } from "../../app/messages.js";
import { Members, Villages } from "../../app/tables.js";
import { formatLocal, localDate } from "../../domain/calendar.js";
import * as rules from "../../domain/decision.js";
import {
  DECISION_RULES,
  type Decision,
  decisionNumber,
  effectSatisfaction,
  MAX_DECISION_TEXT,
  progressPercent,
  reviewDate,
} from "../../domain/decision.js";
import type { Attachment, Member } from "../../domain/model.js";
import { canConvene, isWorker } from "../../domain/permissions.js";
import { MAX_POLL_QUESTION } from "../../domain/poll.js";
import { ok, type Result, refuse } from "../../domain/result.js";
import { openPollFor, Polls } from "../polls/index.js";
import { markDecidedIn, Topics } from "../topics/index.js";
import { decisionCard, decisionProgress } from "./codecs.js";
import { text } from "./i18n.js";
import { Decisions, decisionSequence } from "./tables.js";

const { t } = text;

export type DecisionsRefusal =
  | rules.DecisionRefusal
  | "not_allowed"
  | "no_such_decision"
  | "outcome_required"
  | "no_such_owner"
  | "note_required";

export type DecisionResult = Result<Decision, DecisionsRefusal>;

const DAY_MS = 86_400_000;

export interface NewDecision {
  outcome: string;
  topicId?: string;
  ownerId: string;
  days: number;
}

export function checkOutcome(typed: string): Result<string, DecisionsRefusal> {
  const outcome = typed.trim();
  if (outcome === "") return refuse("outcome_required");
  return ok(outcome.slice(0, MAX_DECISION_TEXT));
}

function day(unit: Unit, instant: string): string {
  return localDate(new Date(instant), unit.deps.calendar.timeZone);
}

/** Who may carry a decision out: the village's grid workers and secretaries. */
export async function possibleOwners(unit: Unit, villageId: string): Promise<Member[]> {
  return (await unit.tx.find(Members, "village", villageId)).filter((member) => isWorker(member));
}

function progressButtons(decision: Decision): Button[][] {
  const at = progressPercent(decision);
  const steps = [25, 50, 75, 100].filter((percent) => percent > at);
  return steps.length === 0
    ? []
    : [
        steps.map((percent) =>
          decisionProgress.button(t("button.progress", { percent }), { decisionId: decision.id, percent }),
        ),
      ];
}

/** 决议: the secretary records a decision, its owner and deadline; the group and the owner hear of it. */
export async function recordDecisionIn(
  unit: Unit,
  actor: Member,
  draft: NewDecision,
): Promise<DecisionResult> {
  const village = await unit.tx.get(Villages, actor.villageId);
  if (village === undefined || !canConvene(actor, village.id)) return refuse("not_allowed");
  const outcome = checkOutcome(draft.outcome);
  if (!outcome.ok) return outcome;
  const owner = await unit.tx.get(Members, draft.ownerId);
  if (owner === undefined || owner.villageId !== village.id || !isWorker(owner))
    return refuse("no_such_owner");
  const topic = draft.topicId === undefined ? undefined : await unit.tx.get(Topics, draft.topicId);
  const seq = await unit.tx.nextNumber(decisionSequence(village.id));
  const at = unit.now.toISOString();
  const deadline = new Date(unit.now.getTime() + draft.days * DAY_MS);
  const decision: Decision = {
    id: decisionNumber(village.code, seq),
    villageId: village.id,
    seq,
    outcome: outcome.value,
    ownerId: owner.id,
    createdBy: actor.id,
    createdAt: at,
    updatedAt: at,
    deadline: deadline.toISOString(),
    reviewOn: reviewDate(deadline).toISOString(),
    state: "implementing",
    progress: [],
  };
  if (topic !== undefined && topic.villageId === village.id) {
    decision.topicId = topic.id;
    await markDecidedIn(unit, topic.id, decision.id);
  }
  unit.tx.put(Decisions, decision);
  const params = {
    id: decision.id,
    outcome: decision.outcome,
    owner: owner.name,
    deadline: day(unit, decision.deadline),
  };
  await tellGroup(unit, village.id, message([t("group.recorded", params)]));
  tell(unit, owner, message([t("owner.assigned", params)], [...progressButtons(decision), [backToMenu()]]));
  tell(
    unit,
    actor,
    message(
      [t("recorded", { id: decision.id })],
      [[decisionCard.button(t("card.title", params), { decisionId: decision.id })]],
    ),
  );
  return ok(decision);
}

async function decisionOf(unit: Unit, actor: Member, decisionId: string): Promise<DecisionResult> {
  const decision = await unit.tx.get(Decisions, decisionId);
  if (decision === undefined || decision.villageId !== actor.villageId) return refuse("no_such_decision");
  return ok(decision);
}

/** The owner, or a secretary, may report progress. */
export function canReport(actor: Member, decision: Decision): boolean {
  return canConvene(actor, decision.villageId) || (actor.active && actor.id === decision.ownerId);
}

export async function checkProgressIn(
  unit: Unit,
  actor: Member,
  decisionId: string,
  percent: number,
): Promise<DecisionResult> {
  const found = await decisionOf(unit, actor, decisionId);
  if (!found.ok) return found;
  if (!canReport(actor, found.value)) return refuse("not_allowed");
  if (found.value.state !== "implementing") return refuse("decision_done");
  if (!rules.isPercent(percent)) return refuse("percent_invalid");
  return found;
}

/** A progress update, shared with the group (成果共享); at 100% the effect poll opens at once. */
export async function reportProgressIn(
  unit: Unit,
  actor: Member,
  decisionId: string,
  percent: number,
  note: string,
  attachments: Attachment[],
): Promise<DecisionResult> {
  const found = await checkProgressIn(unit, actor, decisionId, percent);
  if (!found.ok) return found;
  if (note.trim() === "") return refuse("note_required");
  const added = rules.addProgress(found.value, {
    at: unit.now.toISOString(),
    by: actor.id,
    percent,
    note: note.trim().slice(0, rules.MAX_PROGRESS_NOTE),
    attachments,
  });
  if (!added.ok) return added;
  let decision = added.value.decision;
  const shared = message([t("group.progress", { id: decision.id, percent, note: note.trim() })]);
  await tellGroup(unit, decision.villageId, attachments.length === 0 ? shared : { ...shared, attachments });
  if (added.value.done) decision = await openEffectPoll(unit, decision);
  unit.tx.put(Decisions, decision);
  return ok(decision);
}

/** 效果共评: a satisfaction poll for the whole village, results shown after it closes. */
async function openEffectPoll(unit: Unit, decision: Decision): Promise<Decision> {
  const village = await unit.tx.get(Villages, decision.villageId);
  if (village === undefined)
    throw new Error(`village ${decision.villageId} missing for decision ${decision.id}`);
  const opened = await openPollFor(unit, village, decision.ownerId, {
    // The poll's kind (satisfaction) and the group's notice say what is asked; the question names the decision.
    question: `${decision.id} ${decision.outcome}`.slice(0, MAX_POLL_QUESTION),
    kind: "satisfaction",
    options: [],
    anonymous: true,
    results: "after_close",
    perHousehold: false,
    days: DECISION_RULES.effectPollDays,
    decisionId: decision.id,
    ...(decision.topicId === undefined ? {} : { topicId: decision.topicId }),
  });
  if (!opened.ok) throw new Error(`the effect poll of ${decision.id} was refused: ${opened.reason}`);
  await tellGroup(
    unit,
    decision.villageId,
    message([t("group.done", { id: decision.id, outcome: decision.outcome })]),
  );
  return {
    ...decision,
    state: "evaluating",
    effectPollId: opened.value.id,
    updatedAt: unit.now.toISOString(),
  };
}

/** A decision's card: what was decided, who carries it out, its timeline and its effect. */
export async function decisionCardIn(unit: Unit, actor: Member, decisionId: string): Promise<DecisionResult> {
  const found = await decisionOf(unit, actor, decisionId);
  if (!found.ok) return found;
  const decision = found.value;
  const zone = unit.deps.calendar.timeZone;
  const lines: Text[] = [
    t("card.title", { id: decision.id, outcome: decision.outcome }),
    t("card.owner", {
      owner: await memberName(unit, decision.ownerId),
      deadline: day(unit, decision.deadline),
    }),
  ];
  if (decision.topicId !== undefined) lines.push(t("card.topic", { id: decision.topicId }));
  lines.push(t("card.state", { state: t(`state.${decision.state}`), percent: progressPercent(decision) }));
  for (const entry of decision.progress)
    lines.push(
      t("card.progress", {
        at: formatLocal(new Date(entry.at), zone),
        percent: entry.percent,
        note: entry.note,
      }),
    );
  if (decision.effectPollId !== undefined) lines.push(t("card.effect_poll", { id: decision.effectPollId }));
  const satisfaction = decision.effect === undefined ? undefined : effectSatisfaction(decision.effect);
  if (decision.effect !== undefined && satisfaction !== undefined)
    lines.push(t("card.effect", { percent: satisfaction, ballots: decision.effect.ballots }));
  const buttons =
    decision.state === "implementing" && canReport(actor, decision) ? progressButtons(decision) : [];
  tell(unit, actor, message(lines, [...buttons, [backToMenu()]]));
  return ok(decision);
}

/** Decisions not yet evaluated, newest first. */
export async function activeDecisions(unit: Unit, villageId: string): Promise<Decision[]> {
  return (await unit.tx.find(Decisions, "active", villageId)).reverse();
}

/**
 * Opens the effect poll of every decision whose review date has come, and attaches the result of every
 * effect poll that closed. Run late or twice, it does each once.
 */
export async function reviewDecisions(deps: Deps): Promise<void> {
  const ids = await inUnit(deps, async (unit) => [
    ...(await unit.tx.find(Decisions, "pending", "implementing")).map((decision) => decision.id),
    ...(await unit.tx.find(Decisions, "pending", "evaluating")).map((decision) => decision.id),
  ]);
  for (const id of ids) {
    await inUnit(deps, async (unit) => {
      const decision = await unit.tx.get(Decisions, id);
      if (decision === undefined) return;
      if (rules.effectPollDue(decision, unit.now)) {
        unit.tx.put(Decisions, await openEffectPoll(unit, decision));
        return;
      }
      if (decision.state !== "evaluating" || decision.effectPollId === undefined) return;
      const poll = await unit.tx.get(Polls, decision.effectPollId);
      if (poll === undefined || poll.state !== "closed") return;
      const effect = {
        pollId: poll.id,
        satisfied: poll.tally[0] ?? 0,
        mostlySatisfied: poll.tally[1] ?? 0,
        notSatisfied: poll.tally[2] ?? 0,
        ballots: poll.ballots,
        eligible: poll.eligible,
      };
      unit.tx.put(Decisions, { ...decision, state: "evaluated", effect, updatedAt: unit.now.toISOString() });
      const percent = effectSatisfaction(effect);
      const said =
        percent === undefined
          ? t("group.effect_none", { id: decision.id })
          : t("group.effect", {
              id: decision.id,
              satisfied: effect.satisfied,
              mostly: effect.mostlySatisfied,
              not: effect.notSatisfied,
              ballots: effect.ballots,
              eligible: effect.eligible,
              percent,
            });
      await tellGroup(unit, decision.villageId, message([said]), { bulk: true });
    });
  }
}
