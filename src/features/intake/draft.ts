import { z } from "zod";
import { defineStep, type MemberTurn, type StepInput, waitingData } from "../../app/feature.js";
import { cancelRow } from "../../app/kernel.js";
import { type Button, message, type OutgoingMessage, type Text } from "../../app/messages.js";
import { Villages } from "../../app/tables.js";
import { Attachment, GeoPoint, MAX_REQUEST_TEXT, RequestKind } from "../../domain/model.js";
import { kindLabel } from "../requests/index.js";
import { chooseCategory, chooseKind, submitDraft } from "./codecs.js";
import { text } from "./i18n.js";

const { t } = text;

export const KINDS: readonly RequestKind[] = ["problem", "wish", "consultation", "errand"];
const MAX_DRAFT_ATTACHMENTS = 10;

export const DraftRequest = z.object({
  stage: z.enum(["kind", "category", "text", "extras"]),
  villageId: z.string(),
  requesterId: z.string(),
  kind: RequestKind.optional(),
  categoryId: z.string().optional(),
  text: z.string().max(MAX_REQUEST_TEXT).optional(),
  attachments: z.array(Attachment).max(MAX_DRAFT_ATTACHMENTS),
  location: GeoPoint.optional(),
});
export type DraftRequest = z.infer<typeof DraftRequest>;

function extrasMessage(draft: DraftRequest, lead?: Text): OutgoingMessage {
  const lines = lead === undefined ? [] : [lead];
  lines.push(
    t("ask_extras", {
      photos: draft.attachments.filter((a) => a.type === "photo").length,
      voices: draft.attachments.filter((a) => a.type === "voice").length,
      location: draft.location === undefined ? t("no_location") : t("has_location"),
    }),
  );
  return {
    ...message(lines, [[submitDraft.button(t("submit"), { how: "submit" })], cancelRow()]),
    inputMax: MAX_REQUEST_TEXT - (draft.text?.length ?? 0),
  };
}

/** The request form: kind, category, words, then photos, voice and location until submitted. */
export const draftStep = defineStep({
  name: "intake.draft",
  data: DraftRequest,
  accepts: ["text", "photo", "voice", "location"],
  maxText: MAX_REQUEST_TEXT,
  async prompt(turn, draft) {
    if (draft.stage === "kind") {
      const rows = KINDS.map((kind) => [chooseKind.button(kindLabel(kind), { kind })]);
      return message([t("ask_kind")], [...rows, cancelRow()]);
    }
    if (draft.stage === "category") {
      const village = await turn.unit.tx.get(Villages, draft.villageId);
      const categories = village?.categories ?? [];
      const rows: Button[][] = [];
      for (let i = 0; i < categories.length; i += 2) {
        rows.push(
          categories
            .slice(i, i + 2)
            .map((category) =>
              chooseCategory.button(t("category", { name: category.name }), { categoryId: category.id }),
            ),
        );
      }
      return message([t("ask_category")], [...rows, cancelRow()]);
    }
    if (draft.stage === "text") return message([t("ask_text", { max: MAX_REQUEST_TEXT })], [cancelRow()]);
    return extrasMessage(draft);
  },
  async answer(turn, input, draft) {
    if (draft.stage === "kind" || draft.stage === "category") {
      const outcome = turn.refuse(t("refusal.pick_above"), []);
      await turn.askAgain();
      return outcome;
    }
    return addToDraft(turn, input, draft);
  },
});

function addToDraft(turn: MemberTurn, input: StepInput, current: DraftRequest) {
  const draft: DraftRequest = { ...current, attachments: [...current.attachments], stage: "extras" };
  let words: string | undefined;
  let added: Text | undefined;
  if (input.type === "text") words = input.text;
  else if (input.type === "location") {
    draft.location = { lat: input.lat, lng: input.lng };
    added = t("added_location");
  } else if (input.type === "photo" || input.type === "voice") {
    draft.attachments.push({ type: input.type, channel: input.channel, fileRef: input.fileRef });
    if (draft.attachments.length > MAX_DRAFT_ATTACHMENTS) draft.attachments.shift();
    if (input.type === "photo") words = input.caption;
    added = t(input.type === "photo" ? "added_photo" : "added_voice");
  }
  if (words !== undefined && words.trim() !== "") {
    const combined = draft.text === undefined ? words.trim() : `${draft.text}\n${words.trim()}`;
    if (combined.length > MAX_REQUEST_TEXT)
      return turn.refuse(t("refusal.text_too_long", { max: MAX_REQUEST_TEXT }), []);
    draft.text = combined;
  }
  turn.update(draftStep, draft);
  turn.say(extrasMessage(draft, added));
  return turn.done(added);
}

/** The draft the person is filling in, if the form is the step waiting. */
export function currentDraft(turn: MemberTurn): DraftRequest | undefined {
  return waitingData(turn, draftStep);
}
