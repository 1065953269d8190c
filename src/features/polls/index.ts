import { z } from "zod";
import { defineStep, type Feature, type MemberTurn, on, settleStep } from "../../app/feature.js";
import { backToMenu, cancelRow } from "../../app/kernel.js";
import { type Button, message, type Text } from "../../app/messages.js";
import { formatLocal } from "../../domain/calendar.js";
import { canConvene } from "../../domain/permissions.js";
import { ok, refuse } from "../../domain/result.js";
import { askTopic } from "../topics/index.js";
import {
  castVote,
  changePoll,
  closePollEarly,
  myVotes,
  newPoll,
  pollCard,
  pollDesk,
  pollKind,
  pollTopic,
  proxyMember,
  proxyStart,
  proxyVote,
  publishPoll,
  toggleDraft,
} from "./codecs.js";
import { currentPollDraft, moveTo, newDraft, pollDraftStep, toggled } from "./draft.js";
import { text } from "./i18n.js";
import { Polls, Votes } from "./tables.js";
import {
  changePollIn,
  closeDuePolls,
  closePollIn,
  myVotesIn,
  myVotesView,
  openPollIn,
  openPolls,
  pollCardIn,
  proxyBallotIn,
  proxyCandidatesIn,
  proxyVoteIn,
  remindNonVoters,
  voteIn,
} from "./use-cases.js";

export { pollCard } from "./codecs.js";
export { Polls, Votes } from "./tables.js";
export {
  closeDuePolls,
  type NewPoll,
  openPollFor,
  openPolls,
  pollsAwaiting,
  remindNonVoters,
} from "./use-cases.js";

const { t, why } = text;

/** The secretary's desk: the open polls, and a button to start one. */
async function desk(turn: MemberTurn) {
  if (!canConvene(turn.actor, turn.village.id)) return turn.refuse(why(refuse("not_allowed")));
  const polls = await openPolls(turn.unit, turn.village.id);
  const lines: Text[] = [t(polls.length === 0 ? "list.none" : "list.title", { count: polls.length })];
  const rows: Button[][] = polls.slice(0, 10).map((poll) => [
    pollCard.button(t("card.title", { id: poll.id, question: poll.question.slice(0, 20) }), {
      pollId: poll.id,
    }),
  ]);
  rows.push([newPoll.button(t("list.new"), {})], [backToMenu()]);
  turn.say(message(lines, rows));
  return turn.done();
}

async function pickTopic(turn: MemberTurn) {
  if (!canConvene(turn.actor, turn.village.id)) return turn.refuse(why(refuse("not_allowed")));
  return askTopic(turn, pollTopic, t("new.pick_topic"));
}

const ProxyTarget = z.object({ pollId: z.string() });

/** The secretary types part of a villager's name to record their vote. */
const proxyNameStep = defineStep({
  name: "polls.proxy_name",
  data: ProxyTarget,
  accepts: ["text"],
  maxText: 40,
  prompt: () => message([t("proxy.ask")], [cancelRow()]),
  async answer(turn, input, { pollId }) {
    if (input.type !== "text") return turn.done();
    const found = await proxyCandidatesIn(turn.unit, turn.actor, pollId, input.text);
    if (found.ok) {
      const rows = found.value.map((member) => [
        proxyMember.button(t("button.vote", { option: member.name }), { pollId, memberId: member.id }),
      ]);
      turn.say(message([t("proxy.pick")], [...rows, cancelRow()]));
    }
    const outcome = settleStep(
      turn,
      found.ok ? ok(undefined) : found,
      (refusal) =>
        refusal.reason === "no_such_member" ? t("proxy.none", { name: input.text.trim() }) : why(refusal),
      ["no_such_member"],
    );
    return outcome;
  },
});

/** 投票: polls on topics, with votes through the bot's buttons, live counts and published results. */
export const pollsFeature: Feature = {
  name: "polls",
  text,
  tables: [Polls, Votes],
  actions: [
    on(pollDesk, desk),
    on(newPoll, pickTopic),
    on(pollTopic, async (turn, { topicId }) => {
      if (!canConvene(turn.actor, turn.village.id)) return turn.refuse(why(refuse("not_allowed")));
      if (currentPollDraft(turn) !== undefined) turn.endStep();
      return turn.ask(pollDraftStep, newDraft(topicId === "none" ? undefined : topicId));
    }),
    on(pollKind, async (turn, { kind }) => {
      const draft = currentPollDraft(turn);
      if (draft?.stage !== "kind") return turn.refuse(t("refusal.no_draft"));
      const results = kind === "satisfaction" ? "after_close" : draft.results;
      return moveTo(turn, { ...draft, kind, results, stage: "question" });
    }),
    on(toggleDraft, async (turn, { toggle }) => {
      const draft = currentPollDraft(turn);
      if (draft?.stage !== "settings") return turn.refuse(t("refusal.no_draft"));
      return moveTo(turn, toggled(draft, toggle));
    }),
    on(publishPoll, async (turn) => {
      const draft = currentPollDraft(turn);
      if (draft?.stage !== "settings" || draft.kind === undefined || draft.question === undefined)
        return turn.refuse(t("refusal.no_draft"));
      const opened = await openPollIn(turn.unit, turn.actor, {
        question: draft.question,
        kind: draft.kind,
        options: draft.options,
        anonymous: draft.anonymous,
        results: draft.results,
        perHousehold: draft.perHousehold,
        days: draft.days,
        ...(draft.quorumPercent === undefined ? {} : { quorumPercent: draft.quorumPercent }),
        ...(draft.topicId === undefined ? {} : { topicId: draft.topicId }),
      });
      if (!opened.ok) return turn.refuse(why(opened));
      turn.endStep();
      const poll = opened.value;
      const closes = formatLocal(new Date(poll.closesAt), turn.unit.deps.calendar.timeZone);
      turn.say(
        message(
          [t("opened", { id: poll.id, closes })],
          [[pollCard.button(t("button.card"), { pollId: poll.id })], [backToMenu()]],
        ),
      );
      return turn.done();
    }),
    on(castVote, async (turn, { pollId, option }) => {
      const voted = await voteIn(turn.unit, turn.actor, pollId, option);
      return voted.ok ? turn.done(voted.value) : turn.refuse(why(voted));
    }),
    on(pollCard, async (turn, { pollId }) =>
      turn.answer(await pollCardIn(turn.unit, turn.actor, pollId), why),
    ),
    on(closePollEarly, async (turn, { pollId }) =>
      turn.answer(await closePollIn(turn.unit, turn.actor, pollId), why),
    ),
    on(changePoll, async (turn, { pollId, change }) => {
      const changed = await changePollIn(turn.unit, turn.actor, pollId, change);
      return changed.ok ? turn.done(t("settings.changed")) : turn.refuse(why(changed));
    }),
    on(proxyStart, async (turn, { pollId }) => {
      if (!canConvene(turn.actor, turn.village.id)) return turn.refuse(why(refuse("not_allowed")));
      return turn.ask(proxyNameStep, { pollId });
    }),
    on(proxyMember, async (turn, { pollId, memberId }) =>
      turn.answer(await proxyBallotIn(turn.unit, turn.actor, pollId, memberId), why),
    ),
    on(proxyVote, async (turn, { pollId, memberId, option, origin }) => {
      const voted = await proxyVoteIn(turn.unit, turn.actor, pollId, memberId, option, origin);
      return voted.ok ? turn.done(voted.value) : turn.refuse(why(voted));
    }),
    on(myVotes, async (turn) => turn.answer(await myVotesIn(turn.unit, turn.actor), why)),
  ],
  steps: [pollDraftStep, proxyNameStep],
  commands: [
    {
      name: "polls",
      description: t("command.polls"),
      menus: ["private", "group", "group_admins"],
      private: async (turn) => turn.answer(await myVotesIn(turn.unit, turn.actor), why),
      group: async (turn) => {
        if (turn.group === undefined) return turn.refuse(t("refusal.no_such_poll"), []);
        const polls = await openPolls(turn.unit, turn.group.id);
        const lines: Text[] = [t(polls.length === 0 ? "list.none" : "list.title", { count: polls.length })];
        for (const poll of polls.slice(0, 20))
          lines.push(t("card.title", { id: poll.id, question: poll.question }));
        turn.say(message(lines));
        return turn.done();
      },
    },
  ],
  home: async (unit, member) => (await myVotesView(unit, member)).view,
  menu: [
    { row: 4, button: () => myVotes.button(t("menu.my_votes"), {}) },
    {
      row: 5,
      button: (member, village) =>
        canConvene(member, village.id) ? pollDesk.button(t("menu.polls"), {}) : undefined,
    },
  ],
  jobs: [
    { name: "polls.close", cron: "* * * * *", run: async (deps) => void (await closeDuePolls(deps)) },
    { name: "polls.remind", cron: "*/10 * * * *", run: (deps) => remindNonVoters(deps) },
  ],
};
