import type { Member, RequestKind } from "../domain/model.js";
import { MAX_REQUEST_TEXT } from "../domain/model.js";
import { isWorker } from "../domain/permissions.js";
import { ok, type Result, refuse } from "../domain/result.js";
import type { Conversation, DraftRequest } from "./conversation.js";
import { tell, type Unit } from "./deps.js";
import { type Button, button, message, type Text, t } from "./messages.js";
import { submitRequestIn } from "./requests.js";
import { mainMenu } from "./views.js";

export type IntakeRefusal = "no_draft" | "text_too_long" | "text_required" | "not_allowed" | "no_such_member";

const KINDS: readonly RequestKind[] = ["problem", "wish", "consultation", "errand"];

const cancelRow = (): Button[] => [button("action.cancel", { type: "draft_cancel" })];

function save(unit: Unit, conversation: Conversation, draft: DraftRequest | undefined): void {
  const next: Conversation = { key: conversation.key, updatedAt: unit.now.toISOString() };
  if (draft !== undefined) next.draft = draft;
  unit.tx.putConversation(next);
}

async function askForStep(unit: Unit, actor: Member, draft: DraftRequest): Promise<void> {
  if (draft.step === "kind") {
    const rows = KINDS.map((kind) => [button(`kind.${kind}`, { type: "draft_kind", kind })]);
    tell(unit, actor, message([t("intake.ask_kind")], [...rows, cancelRow()]));
    return;
  }
  if (draft.step === "category") {
    const village = await unit.tx.getVillage(draft.villageId);
    const categories = village?.categories ?? [];
    const rows: Button[][] = [];
    for (let i = 0; i < categories.length; i += 2) {
      rows.push(
        categories.slice(i, i + 2).map((category) => ({
          label: t("intake.category", { name: category.name }),
          action: { type: "draft_category", categoryId: category.id },
        })),
      );
    }
    tell(unit, actor, message([t("intake.ask_category")], [...rows, cancelRow()]));
    return;
  }
  if (draft.step === "text") {
    tell(unit, actor, message([t("intake.ask_text", { max: MAX_REQUEST_TEXT })], [cancelRow()]));
    return;
  }
  tell(unit, actor, extrasMessage(draft));
}

function extrasMessage(draft: DraftRequest, lead?: Text): ReturnType<typeof message> {
  const lines = lead === undefined ? [] : [lead];
  lines.push(
    t("intake.ask_extras", {
      photos: draft.attachments.filter((a) => a.type === "photo").length,
      voices: draft.attachments.filter((a) => a.type === "voice").length,
      location: draft.location === undefined ? t("card.no_location") : t("card.has_location"),
    }),
  );
  return message(lines, [[button("action.submit", { type: "draft_submit" })], cancelRow()]);
}

/** Starts a request form for the actor, or for a villager when a grid worker files it for them (代办). */
export async function startDraftIn(
  unit: Unit,
  actor: Member,
  conversation: Conversation,
  requesterId: string,
): Promise<Result<DraftRequest, IntakeRefusal>> {
  if (requesterId !== actor.id) {
    const requester = await unit.tx.getMember(requesterId);
    if (!isWorker(actor)) return refuse("not_allowed");
    if (requester === undefined || !requester.active || requester.villageId !== actor.villageId) {
      return refuse("no_such_member");
    }
    tell(unit, actor, message([t("intake.proxy_for", { name: requester.name })]));
  }
  const draft: DraftRequest = { step: "kind", villageId: actor.villageId, requesterId, attachments: [] };
  save(unit, conversation, draft);
  await askForStep(unit, actor, draft);
  return ok(draft);
}

export async function chooseKindIn(unit: Unit, actor: Member, conversation: Conversation, kind: RequestKind) {
  if (conversation.draft === undefined) return refuse<IntakeRefusal>("no_draft");
  const draft: DraftRequest = { ...conversation.draft, kind, step: "category" };
  save(unit, conversation, draft);
  await askForStep(unit, actor, draft);
  return ok(draft);
}

export async function chooseCategoryIn(
  unit: Unit,
  actor: Member,
  conversation: Conversation,
  categoryId: string,
) {
  if (conversation.draft?.kind === undefined) return refuse<IntakeRefusal>("no_draft");
  const village = await unit.tx.getVillage(conversation.draft.villageId);
  if (village?.categories.some((c) => c.id === categoryId) !== true) return refuse<IntakeRefusal>("no_draft");
  const draft: DraftRequest = { ...conversation.draft, categoryId, step: "text" };
  save(unit, conversation, draft);
  await askForStep(unit, actor, draft);
  return ok(draft);
}

/** Typed text describes the problem; more text later is added to it. */
export async function giveTextIn(unit: Unit, actor: Member, conversation: Conversation, text: string) {
  const current = conversation.draft;
  if (current === undefined || (current.step !== "text" && current.step !== "extras")) {
    return refuse<IntakeRefusal>("no_draft");
  }
  const combined = current.text === undefined ? text.trim() : `${current.text}\n${text.trim()}`;
  if (combined.length > MAX_REQUEST_TEXT)
    return refuse<IntakeRefusal>("text_too_long", { max: MAX_REQUEST_TEXT });
  const draft: DraftRequest = { ...current, text: combined, step: "extras" };
  save(unit, conversation, draft);
  tell(unit, actor, extrasMessage(draft));
  return ok(draft);
}

export type Extra =
  | { type: "photo"; fileRef: string; caption?: string }
  | { type: "voice"; fileRef: string }
  | { type: "location"; lat: number; lng: number };

export async function addExtraIn(
  unit: Unit,
  actor: Member,
  conversation: Conversation,
  extra: Extra,
  channel: Member["lastChannel"],
) {
  const current = conversation.draft;
  if (current === undefined || (current.step !== "text" && current.step !== "extras")) {
    return refuse<IntakeRefusal>("no_draft");
  }
  const draft: DraftRequest = { ...current, attachments: [...current.attachments], step: "extras" };
  if (extra.type === "location") {
    draft.location = { lat: extra.lat, lng: extra.lng };
  } else {
    draft.attachments.push({ type: extra.type, channel: channel ?? "local", fileRef: extra.fileRef });
  }
  if (extra.type === "photo" && extra.caption !== undefined && extra.caption.trim() !== "") {
    const combined =
      draft.text === undefined ? extra.caption.trim() : `${draft.text}\n${extra.caption.trim()}`;
    if (combined.length > MAX_REQUEST_TEXT)
      return refuse<IntakeRefusal>("text_too_long", { max: MAX_REQUEST_TEXT });
    draft.text = combined;
  }
  save(unit, conversation, draft);
  tell(unit, actor, extrasMessage(draft, t(`intake.added_${extra.type}`)));
  return ok(draft);
}

export async function submitDraftIn(unit: Unit, actor: Member, conversation: Conversation) {
  const draft = conversation.draft;
  if (draft?.kind === undefined || draft.categoryId === undefined || draft.step !== "extras") {
    return refuse<IntakeRefusal>("no_draft");
  }
  const input: Parameters<typeof submitRequestIn>[1] = {
    villageId: draft.villageId,
    requesterId: draft.requesterId,
    filedById: actor.id,
    kind: draft.kind,
    categoryId: draft.categoryId,
    text: draft.text ?? "",
    attachments: draft.attachments,
    channel: actor.lastChannel ?? "local",
  };
  if (draft.location !== undefined) input.location = draft.location;
  const submitted = await submitRequestIn(unit, input);
  if (submitted.ok) unit.tx.deleteConversation(conversation.key);
  return submitted;
}

export async function cancelDraftIn(unit: Unit, actor: Member, conversation: Conversation) {
  unit.tx.deleteConversation(conversation.key);
  const village = await unit.tx.getVillage(actor.villageId);
  if (village !== undefined) tell(unit, actor, mainMenu(actor, village, t("intake.cancelled")));
  return ok(undefined);
}
