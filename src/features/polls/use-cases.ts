import {
  type Deps,
  inUnit,
  memberName,
  privateTarget,
  showLiveInGroup,
  tell,
  tellGroup,
  type Unit,
} from "../../app/deps.js";
import { backToMenu } from "../../app/kernel.js";
import { type Button, message, type OutgoingMessage, type Text } from "../../app/messages.js";
import { Members, Villages } from "../../app/tables.js";
import { formatLocal } from "../../domain/calendar.js";
import type { Member, Village } from "../../domain/model.js";
import { canConvene, canTakePart } from "../../domain/permissions.js";
import * as rules from "../../domain/poll.js";
import {
  FIXED_OPTIONS,
  isOpenPoll,
  MAX_POLL_OPTION,
  MAX_POLL_OPTIONS,
  MAX_POLL_QUESTION,
  type Poll,
  type PollKind,
  pollNumber,
  type ResultsShown,
  type Vote,
  type VoteOrigin,
  voteId,
} from "../../domain/poll.js";
import { ok, type Result, refuse } from "../../domain/result.js";
import { householdOf } from "../../domain/topic.js";
import { castVote, changePoll, closePollEarly, pollCard, proxyStart, proxyVote } from "./codecs.js";
import { text } from "./i18n.js";
import { Polls, pollSequence, Votes } from "./tables.js";

const { t } = text;

type FixedOptionKey = `option.${(typeof FIXED_OPTIONS)[keyof typeof FIXED_OPTIONS][number]}`;

export type PollsRefusal =
  | rules.PollRefusal
  | "no_such_poll"
  | "not_allowed"
  | "not_eligible"
  | "question_required"
  | "question_too_long"
  | "options_count"
  | "option_too_long"
  | "no_such_member";

export type PollResult = Result<Poll, PollsRefusal>;

export interface NewPoll {
  question: string;
  kind: PollKind;
  /** Typed options of a single or multiple poll; ignored for the kinds with fixed options. */
  options: string[];
  anonymous: boolean;
  results: ResultsShown;
  perHousehold: boolean;
  quorumPercent?: number;
  days: number;
  topicId?: string;
  decisionId?: string;
}

const DAY_MS = 86_400_000;

export function checkQuestion(typed: string): Result<string, PollsRefusal> {
  const question = typed.replace(/\s+/g, " ").trim();
  if (question === "") return refuse("question_required");
  if (question.length > MAX_POLL_QUESTION) return refuse("question_too_long", { max: MAX_POLL_QUESTION });
  return ok(question);
}

/** Options typed one per line: 2 to 10, each short. */
export function checkOptions(typed: string): Result<string[], PollsRefusal> {
  const options = typed
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "");
  if (options.length < 2 || options.length > MAX_POLL_OPTIONS)
    return refuse("options_count", { max: MAX_POLL_OPTIONS });
  if (options.some((option) => option.length > MAX_POLL_OPTION))
    return refuse("option_too_long", { max: MAX_POLL_OPTION });
  return ok(options);
}

/** An option as people read it: a fixed option's words, or the option as typed. */
export function optionText(poll: Pick<Poll, "kind" | "options">, index: number): Text | string {
  const option = poll.options[index] ?? "?";
  const fixed = poll.kind === "yes_no" || poll.kind === "satisfaction";
  return fixed ? t(`option.${option}` as FixedOptionKey) : option;
}

function choicesText(poll: Poll, choices: readonly number[]): Text {
  if (choices.length === 0) return t("voted.none");
  return choices
    .map((choice) => optionText(poll, choice))
    .map((option): Text => (typeof option === "string" ? t("button.vote", { option }) : option))
    .reduce((first, rest) => t("tally.join", { first, rest }));
}

function closes(unit: Unit, poll: Poll): string {
  return formatLocal(new Date(poll.closesAt), unit.deps.calendar.timeZone);
}

function unitOf(poll: Poll): Text {
  return t(poll.perHousehold ? "unit.households" : "unit.people");
}

function tallyText(poll: Poll): Text {
  return poll.options
    .map((_, index) => t("tally.item", { option: optionText(poll, index), count: poll.tally[index] ?? 0 }))
    .reduce((first, rest) => t("tally.join", { first, rest }));
}

function voteButtons(poll: Poll): Button[][] {
  const buttons = poll.options.map((_, index) =>
    castVote.button(t("button.vote", { option: optionText(poll, index) }), {
      pollId: poll.id,
      option: index,
    }),
  );
  const rows: Button[][] = [];
  const perRow = poll.options.length <= 3 ? 3 : 2;
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return rows;
}

/** The poll as the group sees it: the count only where its setting shows it, buttons while it is open. */
function groupMessage(unit: Unit, poll: Poll): OutgoingMessage {
  const open = isOpenPoll(poll, unit.now);
  const lines: Text[] = [
    t("group.title", { id: poll.id, question: poll.question }),
    t("group.settings", {
      kind: t(`kind.${poll.kind}`),
      anonymous: t(poll.anonymous ? "setting.anonymous" : "setting.named"),
      ballot: t(poll.perHousehold ? "setting.household" : "setting.person"),
      closes: closes(unit, poll),
    }),
  ];
  const counts = { ballots: poll.ballots, eligible: poll.eligible, unit: unitOf(poll) };
  if (!open) lines.push(t("group.closed"));
  else if (poll.results === "live") lines.push(t("group.count", { tally: tallyText(poll), ...counts }));
  else lines.push(t("group.turnout", { ...counts, results: t(`results.${poll.results}`) }));
  if (!open) return message(lines);
  return message(lines, [...voteButtons(poll), [pollCard.button(t("button.card"), { pollId: poll.id })]]);
}

/** Posts the poll to the group or brings the group's copy up to date, at most every few seconds. */
async function showInGroup(unit: Unit, poll: Poll, atOnce = false): Promise<Poll> {
  const message = groupMessage(unit, poll);
  const refreshAt = await showLiveInGroup(
    unit,
    poll.villageId,
    `poll:${poll.id}`,
    message,
    poll.refreshAt,
    atOnce,
  );
  return { ...poll, refreshAt };
}

/** Who may vote, counted now: the village's active members, or their households. */
async function eligibleOf(unit: Unit, villageId: string, perHousehold: boolean): Promise<number> {
  const members = (await unit.tx.find(Members, "village", villageId)).filter((member) => member.active);
  return perHousehold ? new Set(members.map(householdOf)).size : members.length;
}

/** Opens a poll: the secretary's, posted to the village group with its vote buttons. */
export async function openPollIn(unit: Unit, actor: Member, draft: NewPoll): Promise<PollResult> {
  const village = await unit.tx.get(Villages, actor.villageId);
  if (village === undefined || !canConvene(actor, village.id)) return refuse("not_allowed");
  return openPollFor(unit, village, actor.id, draft);
}

/** Opens a poll for a village, by a secretary or by the bot itself (an effect evaluation). */
export async function openPollFor(
  unit: Unit,
  village: Village,
  by: string,
  draft: NewPoll,
): Promise<PollResult> {
  const question = checkQuestion(draft.question);
  if (!question.ok) return question;
  let options: readonly string[];
  if (draft.kind === "yes_no" || draft.kind === "satisfaction") options = FIXED_OPTIONS[draft.kind];
  else {
    const checked = checkOptions(draft.options.join("\n"));
    if (!checked.ok) return checked;
    options = checked.value;
  }
  const seq = await unit.tx.nextNumber(pollSequence(village.id));
  const poll: Poll = {
    id: pollNumber(village.code, seq),
    villageId: village.id,
    seq,
    question: question.value,
    kind: draft.kind,
    options: [...options],
    anonymous: draft.anonymous,
    results: draft.results,
    perHousehold: draft.perHousehold,
    createdBy: by,
    openedAt: unit.now.toISOString(),
    closesAt: new Date(unit.now.getTime() + draft.days * DAY_MS).toISOString(),
    state: "open",
    tally: options.map(() => 0),
    ballots: 0,
    eligible: await eligibleOf(unit, village.id, draft.perHousehold),
  };
  if (draft.quorumPercent !== undefined) poll.quorumPercent = draft.quorumPercent;
  if (draft.topicId !== undefined) poll.topicId = draft.topicId;
  if (draft.decisionId !== undefined) poll.decisionId = draft.decisionId;
  const shown = await showInGroup(unit, poll, true);
  unit.tx.put(Polls, shown);
  return ok(shown);
}

async function pollOf(unit: Unit, actor: Member, pollId: string): Promise<PollResult> {
  const poll = await unit.tx.get(Polls, pollId);
  if (poll === undefined || poll.villageId !== actor.villageId) return refuse("no_such_poll", { id: pollId });
  return ok(poll);
}

export interface Voted {
  poll: Poll;
  choices: number[];
}

/**
 * Records a press of option `option` by `voter` (themselves, or a secretary recording it for them). The
 * member's earlier vote, or with one vote per household their household's, stops counting.
 */
async function recordVote(
  unit: Unit,
  poll: Poll,
  voter: Member,
  option: number,
  origin: VoteOrigin,
  recordedBy: string | undefined,
): Promise<Result<Voted, PollsRefusal>> {
  if (!isOpenPoll(poll, unit.now)) return refuse("poll_closed");
  if (!canTakePart(voter, poll.villageId)) return refuse("not_eligible");
  const id = voteId(poll.id, voter.id);
  const earlier = await unit.tx.get(Votes, id);
  const choices = rules.choicesAfterPress(poll, earlier?.choices, option);
  if (!choices.ok) return choices;
  const household = householdOf(voter);
  let counted = poll;
  if (earlier?.counts === true) counted = rules.recount(counted, earlier.choices, undefined);
  if (poll.perHousehold) {
    for (const other of await unit.tx.find(Votes, "household", `${poll.id}/${household}`)) {
      if (other.id === id) continue;
      counted = rules.recount(counted, other.choices, undefined);
      unit.tx.put(Votes, { ...other, counts: false });
    }
  }
  counted = rules.recount(counted, undefined, choices.value);
  const vote: Vote = {
    id,
    pollId: poll.id,
    villageId: poll.villageId,
    memberId: voter.id,
    household,
    choices: choices.value,
    at: unit.now.toISOString(),
    origin,
    counts: choices.value.length > 0,
  };
  if (recordedBy !== undefined) vote.recordedBy = recordedBy;
  unit.tx.put(Votes, vote);
  const shown = await showInGroup(unit, counted);
  unit.tx.put(Polls, shown);
  return ok({ poll: shown, choices: choices.value });
}

/** A member votes with a button, in the group or in private; only they are told (a short answer). */
export async function voteIn(
  unit: Unit,
  actor: Member,
  pollId: string,
  option: number,
): Promise<Result<Text, PollsRefusal>> {
  const found = await pollOf(unit, actor, pollId);
  if (!found.ok) return found;
  const voted = await recordVote(unit, found.value, actor, option, "self", undefined);
  if (!voted.ok) return voted;
  const { poll, choices } = voted.value;
  return ok(choices.length === 0 ? t("voted.none") : t("voted", { choices: choicesText(poll, choices) }));
}

/** 代投: a secretary records a vote cast in person or by proxy for a villager, marked with its origin. */
export async function proxyVoteIn(
  unit: Unit,
  actor: Member,
  pollId: string,
  memberId: string,
  option: number,
  origin: Exclude<VoteOrigin, "self">,
): Promise<Result<Text, PollsRefusal>> {
  const found = await pollOf(unit, actor, pollId);
  if (!found.ok) return found;
  if (!canConvene(actor, found.value.villageId)) return refuse("not_allowed");
  const voter = await unit.tx.get(Members, memberId);
  if (voter === undefined || voter.villageId !== found.value.villageId) return refuse("no_such_member");
  const voted = await recordVote(unit, found.value, voter, option, origin, actor.id);
  if (!voted.ok) return voted;
  const { poll, choices } = voted.value;
  const notice = t("voted.for", {
    name: voter.name,
    origin: t(`origin.${origin}`),
    choices: choicesText(poll, choices),
  });
  tell(
    unit,
    actor,
    message([notice], [[pollCard.button(t("button.card"), { pollId: poll.id })], [backToMenu()]]),
  );
  return ok(notice);
}

/** Members of the village whose names contain what the secretary typed, for recording their votes. */
export async function proxyCandidatesIn(
  unit: Unit,
  actor: Member,
  pollId: string,
  typed: string,
): Promise<Result<Member[], PollsRefusal>> {
  const found = await pollOf(unit, actor, pollId);
  if (!found.ok) return found;
  if (!canConvene(actor, found.value.villageId)) return refuse("not_allowed");
  const wanted = typed.trim();
  const members = (await unit.tx.find(Members, "village", found.value.villageId)).filter(
    (member) => member.active && wanted !== "" && member.name.includes(wanted),
  );
  if (members.length === 0) return refuse("no_such_member");
  return ok(members.slice(0, 20));
}

/** The option buttons a secretary records a villager's vote with, in person or by proxy. */
export async function proxyBallotIn(
  unit: Unit,
  actor: Member,
  pollId: string,
  memberId: string,
): Promise<PollResult> {
  const found = await pollOf(unit, actor, pollId);
  if (!found.ok) return found;
  const poll = found.value;
  if (!canConvene(actor, poll.villageId)) return refuse("not_allowed");
  if (!isOpenPoll(poll, unit.now)) return refuse("poll_closed");
  const voter = await unit.tx.get(Members, memberId);
  if (voter === undefined || voter.villageId !== poll.villageId || !voter.active)
    return refuse("no_such_member");
  const rows: Button[][] = (["in_person", "proxy"] as const).flatMap((origin) =>
    poll.options.map((_, option) => [
      proxyVote.button(
        t("proxy.option", { origin: t(`origin.${origin}`), option: optionText(poll, option) }),
        {
          pollId: poll.id,
          memberId,
          option,
          origin,
        },
      ),
    ]),
  );
  tell(
    unit,
    actor,
    message([t("proxy.choose", { name: voter.name, question: poll.question })], [...rows, [backToMenu()]]),
  );
  return ok(poll);
}

/** The poll's card in a private chat: its settings, the member's vote, the count where allowed. */
export async function pollCardIn(unit: Unit, actor: Member, pollId: string): Promise<PollResult> {
  const found = await pollOf(unit, actor, pollId);
  if (!found.ok) return found;
  const poll = found.value;
  const mine = await unit.tx.get(Votes, voteId(poll.id, actor.id));
  const open = isOpenPoll(poll, unit.now);
  const lines: Text[] = [
    t("card.title", { id: poll.id, question: poll.question }),
    t("card.settings", {
      kind: t(`kind.${poll.kind}`),
      anonymous: t(poll.anonymous ? "setting.anonymous" : "setting.named"),
      results: t(`results.${poll.results}`),
      ballot: t(poll.perHousehold ? "setting.household" : "setting.person"),
    }),
    open
      ? t("card.closes", { closes: closes(unit, poll) })
      : t("card.closed", {
          closed: formatLocal(new Date(poll.closedAt ?? poll.closesAt), unit.deps.calendar.timeZone),
        }),
  ];
  if (poll.topicId !== undefined) lines.push(t("card.topic", { id: poll.topicId }));
  lines.push(
    mine === undefined || mine.choices.length === 0
      ? t("card.not_voted")
      : t("card.mine", { choices: choicesText(poll, mine.choices) }),
  );
  if (rules.mayShowResults(poll, unit.now, mine !== undefined && mine.choices.length > 0))
    lines.push(...(await countLines(unit, poll)));
  else lines.push(t("card.hidden", { when: t(`results.${poll.results}`) }));
  if (open && canConvene(actor, poll.villageId)) lines.push(...(await notVotedLines(unit, poll)));
  const buttons: Button[][] = open ? voteButtons(poll) : [];
  if (open && canConvene(actor, poll.villageId)) {
    buttons.push([
      proxyStart.button(t("button.proxy"), { pollId: poll.id }),
      closePollEarly.button(t("button.close"), { pollId: poll.id }),
    ]);
    const changes: Button[] = [];
    if (!poll.anonymous)
      changes.push(
        changePoll.button(t("button.make_anonymous"), { pollId: poll.id, change: "make_anonymous" }),
      );
    if (poll.results === "after_vote")
      changes.push(changePoll.button(t("button.show_live"), { pollId: poll.id, change: "show_live" }));
    if (changes.length > 0) buttons.push(changes);
  }
  buttons.push([backToMenu()]);
  tell(unit, actor, message(lines, buttons));
  return ok(poll);
}

const NOT_VOTED_SHOWN = 30;

/**
 * For the secretary: who on the roster has not voted yet (for a household poll, whose household has not), so
 * they can be reminded or their vote recorded in person. Who voted is no secret in an anonymous poll; how is.
 */
async function notVotedLines(unit: Unit, poll: Poll): Promise<Text[]> {
  const members = (await unit.tx.find(Members, "village", poll.villageId)).filter((member) => member.active);
  const votes = (await unit.tx.find(Votes, "poll", poll.id)).filter((vote) => vote.counts);
  const voted = new Set(votes.map((vote) => (poll.perHousehold ? vote.household : vote.memberId)));
  const waiting = members.filter((member) => !voted.has(poll.perHousehold ? householdOf(member) : member.id));
  if (waiting.length === 0) return [];
  const names = waiting.slice(0, NOT_VOTED_SHOWN).map((member) => member.name);
  const more = waiting.length - names.length;
  return [
    t(more > 0 ? "card.not_voted_more" : "card.not_voted_list", {
      count: waiting.length,
      names: names.join("、"),
      more,
    }),
  ];
}

/** The counts, turnout and, for a named poll, who chose what. */
async function countLines(unit: Unit, poll: Poll): Promise<Text[]> {
  const lines: Text[] = poll.options.map((_, index) =>
    t("card.tally_line", { option: optionText(poll, index), count: poll.tally[index] ?? 0 }),
  );
  const outcome = rules.outcomeOf(poll);
  lines.push(
    t("card.turnout", {
      ballots: poll.ballots,
      eligible: poll.eligible,
      unit: unitOf(poll),
      percent: outcome.turnoutPercent,
    }),
  );
  if (poll.anonymous) return lines;
  const votes = (await unit.tx.find(Votes, "poll", poll.id)).filter((vote) => vote.counts);
  for (const [index] of poll.options.entries()) {
    const names: string[] = [];
    for (const vote of votes.filter((v) => v.choices.includes(index)))
      names.push(await memberName(unit, vote.memberId));
    if (names.length > 0)
      lines.push(t("card.voters", { option: optionText(poll, index), names: names.join("、") }));
  }
  return lines;
}

/** Changes a setting as Loomio allows: anonymous never becomes named, hidden-until-close is never shown early. */
export async function changePollIn(
  unit: Unit,
  actor: Member,
  pollId: string,
  change: rules.SettingChange,
): Promise<PollResult> {
  const found = await pollOf(unit, actor, pollId);
  if (!found.ok) return found;
  if (!canConvene(actor, found.value.villageId)) return refuse("not_allowed");
  const changed = rules.changeSetting(found.value, change, unit.now);
  if (!changed.ok) return changed;
  const shown = await showInGroup(unit, changed.value);
  unit.tx.put(Polls, shown);
  return ok(shown);
}

/** Closes a poll (at its time, or early by a secretary) and publishes the result to the group. */
async function closeAndPublish(unit: Unit, poll: Poll, by: string | undefined): Promise<PollResult> {
  const closed = rules.closePoll(poll, unit.now, by);
  if (!closed.ok) return closed;
  const shown = await showInGroup(unit, closed.value, true);
  unit.tx.put(Polls, shown);
  await tellGroup(unit, poll.villageId, resultMessage(shown), { bulk: by === undefined });
  return ok(shown);
}

function resultMessage(poll: Poll): OutgoingMessage {
  const outcome = rules.outcomeOf(poll);
  const lines: Text[] = [t("result.title", { id: poll.id, question: poll.question })];
  if (poll.closedBy !== undefined) lines.push(t("result.early"));
  for (const [index] of poll.options.entries()) {
    const count = poll.tally[index] ?? 0;
    const percent = poll.ballots === 0 ? 0 : Math.round((count / poll.ballots) * 100);
    lines.push(t("result.line", { option: optionText(poll, index), count, percent }));
  }
  lines.push(
    t("result.turnout", {
      ballots: poll.ballots,
      eligible: poll.eligible,
      unit: unitOf(poll),
      percent: outcome.turnoutPercent,
    }),
  );
  if (outcome.quorumMet !== undefined)
    lines.push(
      t(outcome.quorumMet ? "result.quorum_met" : "result.quorum_missed", {
        percent: poll.quorumPercent ?? 0,
      }),
    );
  if (outcome.leading.length === 0) lines.push(t("result.nobody"));
  else {
    const options = outcome.leading
      .map((index): Text => {
        const option = optionText(poll, index);
        return typeof option === "string" ? t("button.vote", { option }) : option;
      })
      .reduce((first, rest) => t("tally.join", { first, rest }));
    lines.push(t(outcome.leading.length === 1 ? "result.leading" : "result.tied", { options }));
  }
  return message(lines);
}

export async function closePollIn(unit: Unit, actor: Member, pollId: string): Promise<PollResult> {
  const found = await pollOf(unit, actor, pollId);
  if (!found.ok) return found;
  if (!canConvene(actor, found.value.villageId)) return refuse("not_allowed");
  return closeAndPublish(unit, found.value, actor.id);
}

/** Closes every poll whose time has come; run late or twice, it closes each once. */
export async function closeDuePolls(deps: Deps): Promise<Poll[]> {
  const due = await inUnit(deps, async (unit) =>
    (await unit.tx.find(Polls, "all_open", "open")).filter((poll) => !isOpenPoll(poll, unit.now)),
  );
  const closed: Poll[] = [];
  for (const { id } of due) {
    await inUnit(deps, async (unit) => {
      const poll = await unit.tx.get(Polls, id);
      if (poll === undefined || poll.state !== "open" || isOpenPoll(poll, unit.now)) return;
      const done = await closeAndPublish(unit, poll, undefined);
      if (done.ok) closed.push(done.value);
    });
  }
  return closed;
}

/**
 * 24 hours before a poll closes, once: each member who has not voted (or whose household has not) is reminded
 * in their private chat; if any of them has none the bot can reach, one message in the group, naming no one.
 */
export async function remindNonVoters(deps: Deps): Promise<void> {
  const due = await inUnit(deps, async (unit) =>
    (await unit.tx.find(Polls, "all_open", "open")).filter((poll) => rules.reminderDue(poll, unit.now)),
  );
  for (const { id } of due) {
    await inUnit(deps, async (unit) => {
      const poll = await unit.tx.get(Polls, id);
      if (poll === undefined || !rules.reminderDue(poll, unit.now)) return;
      unit.tx.put(Polls, { ...poll, remindedAt: unit.now.toISOString() });
      const members = (await unit.tx.find(Members, "village", poll.villageId)).filter(
        (member) => member.active,
      );
      const votes = (await unit.tx.find(Votes, "poll", poll.id)).filter((vote) => vote.counts);
      const voted = new Set(votes.map((vote) => (poll.perHousehold ? vote.household : vote.memberId)));
      const params = { id: poll.id, question: poll.question, closes: closes(unit, poll) };
      const card = [[pollCard.button(t("button.card"), { pollId: poll.id })]];
      let unreachable = false;
      for (const member of members) {
        if (voted.has(poll.perHousehold ? householdOf(member) : member.id)) continue;
        const target = privateTarget(unit.deps, member);
        if (target === undefined) unreachable = true;
        else unit.tx.enqueue(target, message([t("remind.private", params)], card), { bulk: true });
      }
      if (unreachable)
        await tellGroup(unit, poll.villageId, message([t("remind.group", params)]), { bulk: true });
    });
  }
}

/** Open polls of the village this member has not voted in yet (待我投票). */
export async function pollsAwaiting(unit: Unit, actor: Member, open?: readonly Poll[]): Promise<Poll[]> {
  const waiting: Poll[] = [];
  for (const poll of open ?? (await openPolls(unit, actor.villageId))) {
    const mine = await unit.tx.get(Votes, voteId(poll.id, actor.id));
    if (mine === undefined || mine.choices.length === 0) waiting.push(poll);
  }
  return waiting;
}

/** The open polls still waiting for the person's vote, each with its button. */
export async function myVotesView(
  unit: Unit,
  actor: Member,
): Promise<{ view: OutgoingMessage; waiting: Poll[] }> {
  const waiting = await pollsAwaiting(unit, actor);
  const lines: Text[] = [t(waiting.length === 0 ? "mine.none" : "mine.title", { count: waiting.length })];
  for (const poll of waiting)
    lines.push(t("mine.line", { id: poll.id, question: poll.question, closes: closes(unit, poll) }));
  const buttons: Button[][] = waiting.slice(0, 10).map((poll) => [
    pollCard.button(t("card.title", { id: poll.id, question: poll.question.slice(0, 20) }), {
      pollId: poll.id,
    }),
  ]);
  return { view: message(lines, buttons), waiting };
}

export async function myVotesIn(unit: Unit, actor: Member): Promise<Result<Poll[], PollsRefusal>> {
  const { view, waiting } = await myVotesView(unit, actor);
  tell(unit, actor, { ...view, buttons: [...(view.buttons ?? []), [backToMenu()]] });
  return ok(waiting);
}

export async function openPolls(unit: Unit, villageId: string): Promise<Poll[]> {
  return (await unit.tx.find(Polls, "open", villageId)).filter((poll) => isOpenPoll(poll, unit.now));
}
