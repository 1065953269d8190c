import { z } from "zod";
import { defineStep, type MemberTurn, type Outcome, type StepSpec, waitingData } from "../../app/feature.js";
import { cancelRow } from "../../app/kernel.js";
import { message } from "../../app/messages.js";
import { Attachment } from "../../domain/model.js";
import { MAX_TOPIC_TEXT, MAX_TOPIC_TITLE } from "../../domain/topic.js";
import { submitTopic } from "./codecs.js";
import { text } from "./i18n.js";
import { checkTitle } from "./use-cases.js";

const { t, why } = text;

export const MAX_TOPIC_PHOTOS = 3;

export const DraftTopic = z.object({
  stage: z.enum(["title", "text", "extras"]),
  title: z.string().max(MAX_TOPIC_TITLE).optional(),
  text: z.string().max(MAX_TOPIC_TEXT).optional(),
  attachments: z.array(Attachment).max(MAX_TOPIC_PHOTOS),
});
export type DraftTopic = z.infer<typeof DraftTopic>;

/** The topic form: a title, the words, then photos until submitted. */
export const topicDraftStep: StepSpec<DraftTopic> = defineStep<DraftTopic>({
  name: "topics.draft",
  data: DraftTopic,
  accepts: ["text", "photo"],
  maxText: MAX_TOPIC_TEXT,
  prompt(_turn, draft) {
    if (draft.stage === "title")
      return {
        ...message([t("ask.title", { max: MAX_TOPIC_TITLE })], [cancelRow()]),
        inputMax: MAX_TOPIC_TITLE,
      };
    if (draft.stage === "text") return message([t("ask.text", { max: MAX_TOPIC_TEXT })], [cancelRow()]);
    return message(
      [t("ask.extras", { photos: draft.attachments.length })],
      [[submitTopic.button(t("submit"), { how: "submit" })], cancelRow()],
    );
  },
  async answer(turn, input, draft): Promise<Outcome> {
    if (draft.stage === "title") {
      if (input.type !== "text") return askAgain(turn, draft);
      const title = checkTitle(input.text);
      if (!title.ok) return turn.refuse(why(title), [cancelRow()]);
      turn.endStep();
      return turn.ask(topicDraftStep, { ...draft, title: title.value, stage: "text" });
    }
    if (draft.stage === "text") {
      const typed = input.type === "text" ? input.text : input.type === "photo" ? (input.caption ?? "") : "";
      const attachments =
        input.type === "photo"
          ? [...draft.attachments, { type: "photo" as const, channel: input.channel, fileRef: input.fileRef }]
          : draft.attachments;
      if (typed.trim() === "") {
        turn.update(topicDraftStep, { ...draft, attachments });
        return turn.refuse(t("refusal.text_required"), [cancelRow()]);
      }
      turn.endStep();
      return turn.ask(topicDraftStep, { ...draft, text: typed.trim(), attachments, stage: "extras" });
    }
    if (input.type !== "photo") return askAgain(turn, draft);
    if (draft.attachments.length >= MAX_TOPIC_PHOTOS)
      return turn.refuse(t("photo.too_many", { max: MAX_TOPIC_PHOTOS }), [
        [submitTopic.button(t("submit"), { how: "submit" })],
        cancelRow(),
      ]);
    const attachments = [
      ...draft.attachments,
      { type: "photo" as const, channel: input.channel, fileRef: input.fileRef },
    ];
    turn.update(topicDraftStep, { ...draft, attachments });
    await turn.askAgain();
    return turn.done(t("photo.added"));
  },
});

async function askAgain(turn: MemberTurn, _draft: DraftTopic) {
  await turn.askAgain();
  return turn.done();
}

export function currentTopicDraft(turn: MemberTurn): DraftTopic | undefined {
  return waitingData(turn, topicDraftStep);
}
