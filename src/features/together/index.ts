import type { Unit } from "../../app/deps.js";
import type { Feature } from "../../app/feature.js";
import { backToMenu } from "../../app/kernel.js";
import { type Button, message, type OutgoingMessage, type Text } from "../../app/messages.js";
import { formatLocal } from "../../domain/calendar.js";
import { progressPercent } from "../../domain/decision.js";
import type { Member, Village } from "../../domain/model.js";
import { supportingHouseholds } from "../../domain/topic.js";
import { activeDecisions, decisionCard, decisionStateText } from "../decisions/index.js";
import { openPolls, pollCard, pollsAwaiting } from "../polls/index.js";
import { openTopics, viewTopic } from "../topics/index.js";
import { text } from "./i18n.js";

const { t } = text;

/**
 * Everything under discussion in a village: the agenda, topics collecting support, open polls (marked where
 * the viewer has not voted) and decisions being carried out. `viewer` is undefined in the group, where no
 * one's own state is shown and no buttons are offered.
 */
export async function overview(
  unit: Unit,
  village: Village,
  viewer: Member | undefined,
): Promise<OutgoingMessage> {
  const zone = unit.deps.calendar.timeZone;
  const topics = await openTopics(unit, village.id);
  const polls = await openPolls(unit, village.id);
  const awaiting = new Set(
    viewer === undefined ? [] : (await pollsAwaiting(unit, viewer, polls)).map((poll) => poll.id),
  );
  const decisions = await activeDecisions(unit, village.id);
  const lines: Text[] = [t("title", { village: village.name })];
  const buttons: Button[] = [];
  for (const [state, heading] of [
    ["agenda", "agenda"],
    ["proposed", "proposed"],
  ] as const) {
    const shown = topics.filter((topic) => topic.state === state).slice(0, 10);
    if (shown.length === 0) continue;
    lines.push(t(heading));
    for (const topic of shown) {
      lines.push(
        t("topic.line", {
          id: topic.id,
          title: topic.title,
          households: supportingHouseholds(topic),
          threshold: topic.threshold,
        }),
      );
      buttons.push(viewTopic.button(t("button.topic", { id: topic.id }), { topicId: topic.id }));
    }
  }
  if (polls.length > 0) {
    lines.push(t("polls"));
    for (const poll of polls.slice(0, 10)) {
      const closes = formatLocal(new Date(poll.closesAt), zone);
      lines.push(
        t(awaiting.has(poll.id) ? "poll.line_mine" : "poll.line", {
          id: poll.id,
          question: poll.question,
          closes,
        }),
      );
      buttons.push(pollCard.button(t("button.poll", { id: poll.id }), { pollId: poll.id }));
    }
  }
  if (decisions.length > 0) {
    lines.push(t("decisions"));
    for (const decision of decisions.slice(0, 10)) {
      lines.push(
        t("decision.line", {
          id: decision.id,
          outcome: decision.outcome.slice(0, 40),
          percent: progressPercent(decision),
          state: decisionStateText(decision.state),
        }),
      );
      buttons.push(
        decisionCard.button(t("button.decision", { id: decision.id }), { decisionId: decision.id }),
      );
    }
  }
  if (lines.length === 1) lines.push(t("none"));
  if (viewer === undefined) return message(lines);
  const rows: Button[][] = [];
  for (let i = 0; i < buttons.length && rows.length < 8; i += 3) rows.push(buttons.slice(i, i + 3));
  rows.push([backToMenu()]);
  return message(lines, rows);
}

/** 众人来商量: one list of everything the village is discussing, in private chat and in the group. */
export const togetherFeature: Feature = {
  name: "together",
  text,
  commands: [
    {
      name: "topics",
      description: t("command"),
      menus: ["private", "group", "group_admins"],
      private: async (turn) => {
        turn.say(await overview(turn.unit, turn.village, turn.actor));
        return turn.done();
      },
      group: async (turn) => {
        if (turn.group === undefined) return turn.done();
        turn.say(await overview(turn.unit, turn.group, undefined));
        return turn.done();
      },
    },
  ],
};
