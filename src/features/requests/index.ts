import { type Feature, type MemberTurn, on } from "../../app/feature.js";
import { isSecretary, isWorker } from "../../domain/permissions.js";
import { parseTrackingNumber } from "../../domain/request.js";
import {
  askDecline,
  askExtend,
  askMerge,
  askProgress,
  askResolve,
  assignRequest,
  ledger,
  myRequests,
  pickOwner,
  rateRequest,
  takeRequest,
  viewRequest,
  workList,
} from "./codecs.js";
import { text } from "./i18n.js";
import { mergeStep, noteStep, rateReasonStep } from "./steps.js";
import { RequestAlerts, Requests } from "./tables.js";
import {
  alertRed,
  assignRequestIn,
  checkMerge,
  checkNote,
  checkRating,
  ledgerIn,
  myRequestsIn,
  type NoteKind,
  pickOwnerIn,
  rateRequestIn,
  remindUnrated,
  remindYellow,
  requestsHome,
  takeRequestIn,
  viewRequestIn,
  villageStats,
  visibleRequest,
  warnCalendarGaps,
  workListIn,
} from "./use-cases.js";

export { Requests } from "./tables.js";
export {
  assignRequestIn,
  noteIn,
  noteTopicIn,
  rateRequestIn,
  remindUnrated,
  remindYellow,
  type SubmitRequestInput,
  submitRequestIn,
  villageStats,
  visibleRequest,
} from "./use-cases.js";
export { categoryName, kindLabel } from "./views.js";

const { t, why } = text;

/** Says why a request use case refused, for features that call one. */
export const explainRefusal = why;

async function askForNote(turn: MemberTurn, requestId: string, kind: NoteKind) {
  const found = await visibleRequest(turn.unit, turn.actor, requestId);
  const allowed = found.ok ? checkNote(turn.unit, turn.actor, found.value, kind) : found;
  if (!allowed.ok) return turn.refuse(why(allowed));
  return turn.ask(noteStep, { kind, requestId, attachments: [] });
}

/** 诉求: a request through every state, its lists, its numbers and its red lights. */
export const requestsFeature: Feature = {
  name: "requests",
  text,
  tables: [Requests, RequestAlerts],
  actions: [
    on(viewRequest, async (turn, { requestId }) =>
      turn.answer(await viewRequestIn(turn.unit, turn.actor, requestId), why),
    ),
    on(takeRequest, async (turn, { requestId }) =>
      turn.answer(await takeRequestIn(turn.unit, turn.actor, requestId), why),
    ),
    on(pickOwner, async (turn, { requestId }) =>
      turn.answer(await pickOwnerIn(turn.unit, turn.actor, requestId), why),
    ),
    on(assignRequest, async (turn, { requestId, ownerId }) =>
      turn.answer(await assignRequestIn(turn.unit, turn.actor, requestId, ownerId), why),
    ),
    on(askProgress, (turn, { requestId }) => askForNote(turn, requestId, "progress")),
    on(askResolve, (turn, { requestId }) => askForNote(turn, requestId, "resolve")),
    on(askExtend, (turn, { requestId }) => askForNote(turn, requestId, "extend")),
    on(askDecline, (turn, { requestId }) => askForNote(turn, requestId, "decline")),
    on(askMerge, async (turn, { requestId }) => {
      const found = await visibleRequest(turn.unit, turn.actor, requestId);
      const allowed = found.ok ? checkMerge(turn.unit, turn.actor, found.value) : found;
      if (!allowed.ok) return turn.refuse(why(allowed));
      return turn.ask(mergeStep, { requestId });
    }),
    on(rateRequest, async (turn, { requestId, rating }) => {
      if (rating !== "not_satisfied")
        return turn.answer(await rateRequestIn(turn.unit, turn.actor, requestId, rating, undefined), why);
      const found = await visibleRequest(turn.unit, turn.actor, requestId);
      const allowed = found.ok ? checkRating(turn.unit, turn.actor, found.value) : found;
      if (!allowed.ok) return turn.refuse(why(allowed));
      return turn.ask(rateReasonStep, { requestId });
    }),
    on(myRequests, async (turn, { page }) =>
      turn.answer(await myRequestsIn(turn.unit, turn.actor, turn.village, page), why),
    ),
    on(workList, async (turn) => turn.answer(await workListIn(turn.unit, turn.actor, turn.village), why)),
    on(ledger, async (turn, choice) =>
      turn.answer(await ledgerIn(turn.unit, turn.actor, turn.village, choice), why),
    ),
  ],
  steps: [noteStep, mergeStep, rateReasonStep],
  commands: [
    {
      name: "my",
      description: t("command.my"),
      menus: ["private"],
      private: async (turn) => turn.answer(await myRequestsIn(turn.unit, turn.actor, turn.village, 0), why),
    },
    {
      name: "work",
      description: t("menu.work"),
      menus: [],
      private: async (turn) => turn.answer(await workListIn(turn.unit, turn.actor, turn.village), why),
    },
    {
      name: "stats",
      menus: [],
      private: async (turn) => {
        turn.say(await villageStats(turn.unit, turn.village));
        return turn.done();
      },
    },
  ],
  home: requestsHome,
  menu: [
    { row: 1, button: () => myRequests.button(t("menu.my"), { page: 0 }) },
    { row: 2, button: (member) => (isWorker(member) ? workList.button(t("menu.work"), {}) : undefined) },
    {
      row: 3,
      button: (member) =>
        isSecretary(member)
          ? ledger.button(t("menu.ledger"), { filter: "all", period: "this_month", page: 0 })
          : undefined,
    },
  ],
  /** A typed tracking number shows that request to those allowed to see it. */
  async onText(turn, typed) {
    const id = parseTrackingNumber(typed);
    if (id === undefined) return undefined;
    return turn.answer(await viewRequestIn(turn.unit, turn.actor, id), why);
  },
  jobs: [
    { name: "requests.red-alert", cron: "*/10 * * * *", run: (deps) => alertRed(deps) },
    { name: "requests.yellow-reminder", cron: "*/10 * * * *", run: (deps) => remindYellow(deps) },
    { name: "requests.rate-reminder", cron: "0 * * * *", run: (deps) => remindUnrated(deps) },
    { name: "requests.calendar-check", cron: "0 9 * * *", run: (deps) => warnCalendarGaps(deps) },
  ],
};
