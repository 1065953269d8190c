import { z } from "zod";
import { ok, type Result, refuse } from "./result.js";

export const MAX_POLL_QUESTION = 200;
export const MAX_POLL_OPTION = 40;
export const MAX_POLL_OPTIONS = 10;

/** 赞成/反对/弃权, choose one, choose several, or the 3-level satisfaction scale (满意/基本满意/不满意). */
export const PollKind = z.enum(["yes_no", "single", "multiple", "satisfaction"]);
export type PollKind = z.infer<typeof PollKind>;

/** Loomio's `hide_results`: live, once the person voted, or only after closing (never earlier). */
export const ResultsShown = z.enum(["live", "after_vote", "after_close"]);
export type ResultsShown = z.infer<typeof ResultsShown>;

export const VoteOrigin = z.enum(["self", "in_person", "proxy"]);
export type VoteOrigin = z.infer<typeof VoteOrigin>;

/** The options of the kinds whose options are fixed, as keys the views translate. */
export const FIXED_OPTIONS = {
  yes_no: ["yes", "no", "abstain"],
  satisfaction: ["satisfied", "mostly_satisfied", "not_satisfied"],
} as const;

export const Poll = z.object({
  /** e.g. DF-P3: the village's code, P, and the village's poll number. */
  id: z.string(),
  villageId: z.string(),
  seq: z.number().int().positive(),
  question: z.string().min(1).max(MAX_POLL_QUESTION),
  kind: PollKind,
  /** Typed options for single and multiple; the fixed keys for the other kinds. */
  options: z.array(z.string().min(1).max(MAX_POLL_OPTION)).min(2).max(MAX_POLL_OPTIONS),
  anonymous: z.boolean(),
  results: ResultsShown,
  /** One vote per household: the latest vote cast in a household is the one that counts. */
  perHousehold: z.boolean(),
  /** Share of the roster (members, or households) that must vote for the result to stand, in percent. */
  quorumPercent: z.number().int().min(1).max(100).optional(),
  topicId: z.string().optional(),
  decisionId: z.string().optional(),
  createdBy: z.string(),
  openedAt: z.string(),
  closesAt: z.string(),
  state: z.enum(["open", "closed"]),
  closedAt: z.string().optional(),
  /** A secretary's member id when closed early; absent when closed at its time. */
  closedBy: z.string().optional(),
  /** Votes that count, per option. */
  tally: z.array(z.number().int().nonnegative()),
  /** Ballots that count: members, or households when one vote per household. */
  ballots: z.number().int().nonnegative(),
  /** Who may vote, counted when it opened: active members, or their households. */
  eligible: z.number().int().nonnegative(),
  /** When the members who had not voted were reminded, 24 hours before the close; once. */
  remindedAt: z.string().optional(),
  /** When the group's copy of the poll is next brought up to date (a coalesced edit). */
  refreshAt: z.string().optional(),
});
export type Poll = z.infer<typeof Poll>;

export const Vote = z.object({
  /** `<poll id>/<member id>`. */
  id: z.string(),
  pollId: z.string(),
  villageId: z.string(),
  memberId: z.string(),
  household: z.string(),
  /** Indexes into the poll's options; one for every kind but multiple. */
  choices: z.array(z.number().int().nonnegative()),
  at: z.string(),
  origin: VoteOrigin,
  /** The secretary who recorded a vote cast in person or by proxy (代投). */
  recordedBy: z.string().optional(),
  /** False once a later vote of the same household replaced it (one vote per household). */
  counts: z.boolean(),
});
export type Vote = z.infer<typeof Vote>;

export function pollNumber(code: string, seq: number): string {
  return `${code}-P${seq}`;
}

export function voteId(pollId: string, memberId: string): string {
  return `${pollId}/${memberId}`;
}

export type PollRefusal =
  | "poll_closed"
  | "no_such_option"
  | "anonymity_fixed"
  | "results_hidden_until_close"
  | "already_that_setting";

/** Members who have not voted are reminded once, this long before the close. */
export const REMIND_BEFORE_CLOSE_MS = 24 * 3_600_000;

/** Whether the reminder to those who have not voted is due now (and not sent yet). */
export function reminderDue(poll: Poll, now: Date): boolean {
  return (
    isOpenPoll(poll, now) &&
    poll.remindedAt === undefined &&
    Date.parse(poll.closesAt) - now.getTime() <= REMIND_BEFORE_CLOSE_MS
  );
}

export function isOpenPoll(poll: Poll, now: Date): boolean {
  return poll.state === "open" && Date.parse(poll.closesAt) > now.getTime();
}

/**
 * A member's new choices after pressing option `option`: the option alone for a one-answer poll, the
 * option added or taken away for a several-answers poll.
 */
export function choicesAfterPress(
  poll: Poll,
  previous: readonly number[] | undefined,
  option: number,
): Result<number[], PollRefusal> {
  if (!Number.isInteger(option) || option < 0 || option >= poll.options.length)
    return refuse("no_such_option");
  if (poll.kind !== "multiple") return ok([option]);
  const chosen = new Set(previous ?? []);
  if (chosen.has(option)) chosen.delete(option);
  else chosen.add(option);
  return ok([...chosen].sort((a, b) => a - b));
}

/**
 * The poll's counts after a vote changes: `removed` is the vote that stops counting (the member's earlier
 * vote, or their household's), `added` the new one. A vote with no choices left is no ballot.
 */
export function recount(
  poll: Poll,
  removed: readonly number[] | undefined,
  added: readonly number[] | undefined,
): Poll {
  const tally = [...poll.tally];
  let ballots = poll.ballots;
  if (removed !== undefined && removed.length > 0) {
    for (const choice of removed) tally[choice] = Math.max(0, (tally[choice] ?? 0) - 1);
    ballots = Math.max(0, ballots - 1);
  }
  if (added !== undefined && added.length > 0) {
    for (const choice of added) tally[choice] = (tally[choice] ?? 0) + 1;
    ballots += 1;
  }
  return { ...poll, tally, ballots };
}

/** Whether someone may see the counts now: a closed poll's by anyone; a live one's; or after they voted. */
export function mayShowResults(poll: Poll, now: Date, voted: boolean): boolean {
  if (!isOpenPoll(poll, now)) return true;
  if (poll.results === "live") return true;
  return poll.results === "after_vote" && voted;
}

export type SettingChange = "make_anonymous" | "make_named" | "show_live" | "show_after_vote";

/** Loomio's rules: anonymous never becomes named; results hidden until the close are never shown earlier. */
export function changeSetting(poll: Poll, change: SettingChange, now: Date): Result<Poll, PollRefusal> {
  if (!isOpenPoll(poll, now)) return refuse("poll_closed");
  switch (change) {
    case "make_anonymous":
      return poll.anonymous ? refuse("already_that_setting") : ok({ ...poll, anonymous: true });
    case "make_named":
      return poll.anonymous ? refuse("anonymity_fixed") : refuse("already_that_setting");
    case "show_live":
    case "show_after_vote": {
      const wanted = change === "show_live" ? "live" : "after_vote";
      if (poll.results === wanted) return refuse("already_that_setting");
      if (poll.results === "after_close") return refuse("results_hidden_until_close");
      if (poll.results === "live") return refuse("already_that_setting");
      return ok({ ...poll, results: wanted });
    }
  }
}

export function closePoll(poll: Poll, now: Date, by: string | undefined): Result<Poll, PollRefusal> {
  if (poll.state === "closed") return refuse("poll_closed");
  const closed: Poll = { ...poll, state: "closed", closedAt: now.toISOString() };
  if (by !== undefined) closed.closedBy = by;
  return ok(closed);
}

export interface PollOutcome {
  /** Ballots ÷ eligible, in whole percent. */
  turnoutPercent: number;
  /** Undefined when the poll has no quorum rule. */
  quorumMet: boolean | undefined;
  /** The options with the most votes (several when tied; none when nobody voted). */
  leading: number[];
}

export function outcomeOf(poll: Poll): PollOutcome {
  const turnoutPercent = poll.eligible === 0 ? 0 : Math.round((poll.ballots / poll.eligible) * 100);
  const quorumMet =
    poll.quorumPercent === undefined ? undefined : poll.ballots * 100 >= poll.quorumPercent * poll.eligible;
  const most = Math.max(0, ...poll.tally);
  const leading = most === 0 ? [] : poll.tally.flatMap((count, index) => (count === most ? [index] : []));
  return { turnoutPercent, quorumMet, leading };
}
