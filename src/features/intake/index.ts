import { type Feature, type FormSpec, type MemberTurn, on } from "../../app/feature.js";
import { backToMenu } from "../../app/kernel.js";
import { type Button, message } from "../../app/messages.js";
import { Members } from "../../app/tables.js";
import { MAX_REQUEST_TEXT, RequestKind } from "../../domain/model.js";
import { canFileFor, isWorker } from "../../domain/permissions.js";
import { refuse } from "../../domain/result.js";
import { explainRefusal, kindLabel, submitRequestIn } from "../requests/index.js";
import {
  chooseCategory,
  chooseKind,
  openPrivate,
  proxyFor,
  proxyMenu,
  startRequest,
  submitDraft,
} from "./codecs.js";
import { currentDraft, draftStep, KINDS } from "./draft.js";
import { text } from "./i18n.js";

const { t, why } = text;

/** The group's button: opens the private chat and starts a request there (a deep link on Telegram). */
export function sendRequestButton(villageId: string): Button {
  return openPrivate.button(t("open_private"), { villageId }, villageId);
}

/** Starts the form for the actor, or for a villager when a grid worker files it for them (代办). */
async function startDraft(turn: MemberTurn, requesterId: string) {
  const requester = await turn.unit.tx.get(Members, requesterId);
  if (requester === undefined || requester.villageId !== turn.actor.villageId || !requester.active)
    return turn.refuse(why(refuse("no_such_member")));
  if (!canFileFor(turn.actor, requester)) return turn.refuse(why(refuse("not_allowed")));
  if (currentDraft(turn) !== undefined) turn.endStep();
  if (requester.id !== turn.actor.id) turn.say(message([t("proxy_for", { name: requester.name })]));
  return turn.ask(draftStep, {
    stage: "kind",
    villageId: turn.actor.villageId,
    requesterId,
    attachments: [],
  });
}

async function listVillagers(turn: MemberTurn) {
  if (!isWorker(turn.actor)) return turn.refuse(why(refuse("not_allowed")));
  const villagers = (await turn.unit.tx.find(Members, "village", turn.village.id))
    .filter((m) => m.active && m.role === "villager")
    .slice(0, 40);
  const rows: Button[][] = villagers.map((m) => [
    proxyFor.button(t("proxy.villager", { name: m.name }), { memberId: m.id }),
  ]);
  rows.push([backToMenu()]);
  turn.say(message([t(villagers.length === 0 ? "proxy.none" : "proxy.pick")], rows));
  return turn.done();
}

const MAX_FORM_PHOTOS = 5;

/** The request form all at once, for channels that show forms: the same request the conversation files. */
const requestForm: FormSpec = {
  name: "request",
  title: t("form.title"),
  submit: t("submit"),
  startedBy: { actions: [startRequest.code, openPrivate.code], commands: ["request"] },
  fields: [
    {
      name: "kind",
      label: t("form.kind"),
      kind: "choice",
      options: () => KINDS.map((kind) => ({ value: kind, label: kindLabel(kind) })),
    },
    {
      name: "category",
      label: t("form.category"),
      kind: "choice",
      options: (_member, village) =>
        village.categories.map((category) => ({
          value: category.id,
          label: t("category", { name: category.name }),
        })),
    },
    { name: "text", label: t("form.text"), kind: "text", max: MAX_REQUEST_TEXT, multiline: true },
    { name: "photos", label: t("form.photos"), kind: "photos", maxFiles: MAX_FORM_PHOTOS, optional: true },
  ],
  async run(turn, values) {
    const channel = turn.event.channel;
    const submitted = await submitRequestIn(turn.unit, {
      villageId: turn.village.id,
      requesterId: turn.actor.id,
      filedById: turn.actor.id,
      kind: RequestKind.parse(values.kind?.[0]),
      categoryId: values.category?.[0] ?? "",
      text: values.text?.[0] ?? "",
      attachments: (values.photos ?? []).map((fileRef) => ({ type: "photo" as const, channel, fileRef })),
      channel,
    });
    return turn.answer(submitted, explainRefusal);
  },
};

/** 提诉求: the request form, for oneself or for a villager. */
export const intakeFeature: Feature = {
  name: "intake",
  text,
  actions: [
    on(startRequest, (turn) => startDraft(turn, turn.actor.id)),
    on(openPrivate, (turn, { villageId }) =>
      villageId === turn.actor.villageId
        ? startDraft(turn, turn.actor.id)
        : Promise.resolve(turn.refuse(why(refuse("not_allowed")))),
    ),
    on(proxyMenu, listVillagers),
    on(proxyFor, (turn, { memberId }) => startDraft(turn, memberId)),
    on(chooseKind, async (turn, { kind }) => {
      const draft = currentDraft(turn);
      if (draft === undefined) return turn.refuse(t("refusal.no_draft"));
      const next = { ...draft, kind, stage: "category" as const };
      turn.endStep();
      return turn.ask(draftStep, next);
    }),
    on(chooseCategory, async (turn, { categoryId }) => {
      const draft = currentDraft(turn);
      if (draft?.kind === undefined) return turn.refuse(t("refusal.no_draft"));
      if (!turn.village.categories.some((c) => c.id === categoryId))
        return turn.refuse(t("refusal.no_draft"));
      turn.endStep();
      return turn.ask(draftStep, { ...draft, categoryId, stage: "text" });
    }),
    on(submitDraft, async (turn) => {
      const draft = currentDraft(turn);
      if (draft?.kind === undefined || draft.categoryId === undefined || draft.stage !== "extras")
        return turn.refuse(t("refusal.no_draft"));
      const submitted = await submitRequestIn(turn.unit, {
        villageId: draft.villageId,
        requesterId: draft.requesterId,
        filedById: turn.actor.id,
        kind: draft.kind,
        categoryId: draft.categoryId,
        text: draft.text ?? "",
        attachments: draft.attachments,
        channel: turn.event.channel,
        ...(draft.location === undefined ? {} : { location: draft.location }),
      });
      if (submitted.ok) turn.endStep();
      return turn.answer(submitted, explainRefusal);
    }),
  ],
  steps: [draftStep],
  forms: [requestForm],
  commands: [
    {
      name: "request",
      description: t("command.request"),
      menus: ["private"],
      private: (turn) => startDraft(turn, turn.actor.id),
    },
  ],
  menu: [
    { row: 1, button: () => startRequest.button(t("menu.request"), {}) },
    { row: 2, button: (member) => (isWorker(member) ? proxyMenu.button(t("menu.proxy"), {}) : undefined) },
  ],
};
