import { z } from "zod";
import {
  defineStep,
  type MemberTurn,
  type Outcome,
  type StepInput,
  type StepSpec,
  settleStep,
} from "../../app/feature.js";
import { cancelRow, defineTextStep } from "../../app/kernel.js";
import { message } from "../../app/messages.js";
import { Attachment, MAX_NOTE_TEXT } from "../../domain/model.js";
import { text } from "./i18n.js";
import { mergeRequestIn, noteIn, rateRequestIn } from "./use-cases.js";

const { t, why } = text;

const MAX_NOTE_ATTACHMENTS = 10;

export const NoteData = z.object({
  kind: z.enum(["progress", "resolve", "extend", "decline"]),
  requestId: z.string(),
  /** Photos and voice sent before the words that finish the note. */
  attachments: z.array(Attachment).max(MAX_NOTE_ATTACHMENTS),
});
export type NoteData = z.infer<typeof NoteData>;

/** A progress note, a resolution (办结), an extension reason or a decline reason; the first two take photos. */
export const noteStep: StepSpec<NoteData> = defineStep({
  name: "requests.note",
  data: NoteData,
  accepts: ["text", "photo", "voice"],
  maxText: MAX_NOTE_TEXT,
  prompt: (_turn, data) =>
    message([t(`prompt.${data.kind}`, { id: data.requestId, max: MAX_NOTE_TEXT })], [cancelRow()]),
  async answer(turn, input, data) {
    if (input.type === "photo" || input.type === "voice") return attach(turn, input, data);
    if (input.type !== "text") return turn.done();
    const result = await noteIn(
      turn.unit,
      turn.actor,
      data.requestId,
      data.kind,
      input.text,
      data.attachments,
    );
    return settleStep(turn, result, why, ["reason_required", "text_too_long"]);
  },
});

function attach(
  turn: MemberTurn,
  input: Extract<StepInput, { type: "photo" | "voice" }>,
  data: NoteData,
): Promise<Outcome> {
  if (data.kind !== "progress" && data.kind !== "resolve")
    return Promise.resolve(turn.refuse(t("refusal.reason_required")));
  const attachments = [
    ...data.attachments,
    { type: input.type, channel: input.channel, fileRef: input.fileRef },
  ];
  if (attachments.length > MAX_NOTE_ATTACHMENTS) attachments.shift();
  const caption = input.type === "photo" ? (input.caption ?? "").trim() : "";
  turn.update(noteStep, { ...data, attachments });
  if (caption !== "") return noteStep.answer(turn, { type: "text", text: caption }, { ...data, attachments });
  const counts = {
    photos: attachments.filter((a) => a.type === "photo").length,
    voices: attachments.filter((a) => a.type === "voice").length,
  };
  turn.say({ ...message([t("note.attached", counts)], [cancelRow()]), inputMax: MAX_NOTE_TEXT });
  return Promise.resolve(turn.done(t("note.attached", counts)));
}

const RequestRef = z.object({ requestId: z.string() });

export const mergeStep = defineTextStep({
  name: "requests.merge",
  data: RequestRef,
  maxText: 32,
  question: (data) => t("prompt.merge", { id: data.requestId }),
  answer: (turn, typed, data) => mergeRequestIn(turn.unit, turn.actor, data.requestId, typed),
  why,
  retryOn: ["no_such_request", "same_request", "target_closed"],
});

/** Why a 不满意: the reason reopens the request. */
export const rateReasonStep = defineTextStep({
  name: "requests.rate_reason",
  data: RequestRef,
  maxText: MAX_NOTE_TEXT,
  question: (data) => t("prompt.rate_reason", { id: data.requestId, max: MAX_NOTE_TEXT }),
  answer: (turn, typed, data) => rateRequestIn(turn.unit, turn.actor, data.requestId, "not_satisfied", typed),
  why,
  retryOn: ["reason_required", "text_too_long"],
});
