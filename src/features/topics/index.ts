import { z } from "zod";
import type { ActionCodec } from "../../app/actions.js";
import { type Feature, type FormSpec, type MemberTurn, type Outcome, on } from "../../app/feature.js";
import { cancelRow, defineTextStep } from "../../app/kernel.js";
import { type Button, message, type Text } from "../../app/messages.js";
import { canConvene } from "../../domain/permissions.js";
import { refuse } from "../../domain/result.js";
import { MAX_TOPIC_TEXT, MAX_TOPIC_TITLE } from "../../domain/topic.js";
import {
  agendaTopic,
  keepTopic,
  proposeTopic,
  submitTopic,
  supportTopic,
  topicFromRequest,
  topicList,
  viewTopic,
} from "./codecs.js";
import { currentTopicDraft, MAX_TOPIC_PHOTOS, topicDraftStep } from "./draft.js";
import { text } from "./i18n.js";
import { Topics } from "./tables.js";
import {
  archiveTopics,
  keepOpenIn,
  openTopics,
  proposeTopicIn,
  putOnAgendaIn,
  supportTopicIn,
  topicCardIn,
  topicFromRequestIn,
  topicListIn,
} from "./use-cases.js";

export { viewTopic } from "./codecs.js";
export { Topics } from "./tables.js";
/**
 * Asks which open topic a poll or a decision is about: a button per topic (agenda first, at most ten), one for
 * no topic (`topicId` "none"), and cancel. `choose` is the asking feature's button.
 */
export async function askTopic(
  turn: MemberTurn,
  choose: ActionCodec<{ topicId: string }>,
  question: Text,
): Promise<Outcome> {
  const topics = await openTopics(turn.unit, turn.village.id);
  const rows: Button[][] = topics
    .slice(0, 10)
    .map((topic) => [
      choose.button(t("pick.topic", { id: topic.id, title: topic.title }), { topicId: topic.id }),
    ]);
  rows.push([choose.button(t("pick.none"), { topicId: "none" })], cancelRow());
  turn.say(message([question], rows));
  return turn.done();
}

export { markDecidedIn, openTopics, proposeTopicIn } from "./use-cases.js";

const { t, why } = text;

function startTopic(turn: MemberTurn) {
  if (currentTopicDraft(turn) !== undefined) turn.endStep();
  return turn.ask(topicDraftStep, { stage: "title", attachments: [] });
}

const fromRequestStep = defineTextStep({
  name: "topics.from_request",
  data: z.object({}),
  maxText: 24,
  question: () => t("ask.request"),
  answer: (turn, typed) => topicFromRequestIn(turn.unit, turn.actor, typed),
  why,
  retryOn: ["no_such_request"],
});

/** The topic form all at once, for channels that show forms: the same topic the conversation proposes. */
const topicForm: FormSpec = {
  name: "topic",
  title: t("form.title"),
  submit: t("submit"),
  startedBy: { actions: [proposeTopic.code], commands: ["propose"] },
  fields: [
    { name: "title", label: t("form.topic_title"), kind: "text", max: MAX_TOPIC_TITLE },
    { name: "text", label: t("form.text"), kind: "text", max: MAX_TOPIC_TEXT, multiline: true },
    { name: "photos", label: t("form.photos"), kind: "photos", maxFiles: MAX_TOPIC_PHOTOS, optional: true },
  ],
  async run(turn, values) {
    const channel = turn.event.channel;
    const proposed = await proposeTopicIn(turn.unit, turn.actor, {
      title: values.title?.[0] ?? "",
      text: values.text?.[0] ?? "",
      attachments: (values.photos ?? []).map((fileRef) => ({ type: "photo" as const, channel, fileRef })),
      requestIds: [],
    });
    return turn.answer(proposed, why);
  },
};

/** 议题 and 附议: villagers propose topics and support each other's; enough support puts one on the agenda. */
export const topicsFeature: Feature = {
  name: "topics",
  text,
  tables: [Topics],
  forms: [topicForm],
  actions: [
    on(proposeTopic, async (turn) => startTopic(turn)),
    on(submitTopic, async (turn) => {
      const draft = currentTopicDraft(turn);
      if (draft?.stage !== "extras" || draft.title === undefined || draft.text === undefined)
        return turn.refuse(t("refusal.no_draft"));
      const proposed = await proposeTopicIn(turn.unit, turn.actor, {
        title: draft.title,
        text: draft.text,
        attachments: draft.attachments,
        requestIds: [],
      });
      if (proposed.ok) turn.endStep();
      return turn.answer(proposed, why);
    }),
    on(supportTopic, async (turn, { topicId }) => {
      const supported = await supportTopicIn(turn.unit, turn.actor, topicId);
      return supported.ok ? turn.done(t("supported", { id: topicId })) : turn.refuse(why(supported));
    }),
    on(viewTopic, async (turn, { topicId }) =>
      turn.answer(await topicCardIn(turn.unit, turn.actor, topicId), why),
    ),
    on(topicList, async (turn, { page }) =>
      turn.answer(await topicListIn(turn.unit, turn.actor, turn.village, page), why),
    ),
    on(agendaTopic, async (turn, { topicId }) =>
      turn.answer(await putOnAgendaIn(turn.unit, turn.actor, topicId), why),
    ),
    on(keepTopic, async (turn, { topicId }) =>
      turn.answer(await keepOpenIn(turn.unit, turn.actor, topicId), why),
    ),
    on(topicFromRequest, async (turn) =>
      canConvene(turn.actor, turn.village.id)
        ? turn.ask(fromRequestStep, {})
        : turn.refuse(why(refuse("not_allowed"))),
    ),
  ],
  steps: [topicDraftStep, fromRequestStep],
  commands: [
    {
      name: "propose",
      description: t("command.propose"),
      menus: ["private"],
      private: async (turn) => startTopic(turn),
    },
  ],
  menu: [
    { row: 4, button: () => proposeTopic.button(t("menu.propose"), {}) },
    {
      row: 5,
      button: (member, village) =>
        canConvene(member, village.id) ? topicList.button(t("menu.topics"), { page: 0 }) : undefined,
    },
    {
      row: 5,
      button: (member, village) =>
        canConvene(member, village.id) ? topicFromRequest.button(t("from_request"), {}) : undefined,
    },
  ],
  jobs: [{ name: "topics.archive", cron: "30 8 * * *", run: (deps) => archiveTopics(deps) }],
};
