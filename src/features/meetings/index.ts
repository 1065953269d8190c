import { z } from "zod";
import {
  defineStep,
  type Feature,
  type MemberTurn,
  moveStep,
  type Outcome,
  on,
  type StepSpec,
  waitingData,
} from "../../app/feature.js";
import { backToMenu, cancelRow } from "../../app/kernel.js";
import { type Button, message, type Text } from "../../app/messages.js";
import { formatLocal } from "../../domain/calendar.js";
import { MAX_MINUTES, MAX_PLACE, parseMeetingTime } from "../../domain/meeting.js";
import { canConvene } from "../../domain/permissions.js";
import { refuse } from "../../domain/result.js";
import { openTopics } from "../topics/index.js";
import {
  meetingCard,
  meetingDesk,
  meetOnline,
  newMeeting,
  publishMeeting,
  recordMeetingStart,
  toggleMeetingTopic,
} from "./codecs.js";
import { text } from "./i18n.js";
import { Meetings } from "./tables.js";
import {
  checkRecordIn,
  meetingCardIn,
  recordMeetingIn,
  remindMeetings,
  scheduledMeetings,
  scheduleMeetingIn,
} from "./use-cases.js";

export { Meetings } from "./tables.js";
export { remindMeetings } from "./use-cases.js";

const { t, why } = text;

const DraftMeeting = z.object({
  stage: z.enum(["time", "place", "topics"]),
  at: z.string().optional(),
  place: z.string().max(MAX_PLACE).optional(),
  online: z.boolean(),
  topicIds: z.array(z.string()).max(10),
});
type DraftMeeting = z.infer<typeof DraftMeeting>;

/** The meeting form: when (typed), where (typed, or online in the group), and which topics (buttons). */
const meetingDraftStep: StepSpec<DraftMeeting> = defineStep<DraftMeeting>({
  name: "meetings.draft",
  data: DraftMeeting,
  accepts: ["text"],
  maxText: MAX_PLACE,
  async prompt(turn, draft) {
    if (draft.stage === "time") return message([t("ask.time")], [cancelRow()]);
    if (draft.stage === "place")
      return message([t("ask.place")], [[meetOnline.button(t("online"), {})], cancelRow()]);
    const topics = await openTopics(turn.unit, turn.actor?.villageId ?? "");
    const rows: Button[][] = topics.slice(0, 10).map((topic) => [
      toggleMeetingTopic.button(
        t(draft.topicIds.includes(topic.id) ? "topic.on" : "topic.off", {
          id: topic.id,
          title: topic.title,
        }),
        { topicId: topic.id },
      ),
    ]);
    return message(
      [t("ask.topics", { count: draft.topicIds.length })],
      [...rows, [publishMeeting.button(t("publish"), {})], cancelRow()],
    );
  },
  async answer(turn, input, draft): Promise<Outcome> {
    if (input.type !== "text" || draft.stage === "topics") {
      await turn.askAgain();
      return turn.done();
    }
    if (draft.stage === "time") {
      const at = parseMeetingTime(input.text, turn.unit.deps.calendar.timeZone, turn.unit.now);
      if (!at.ok) return turn.refuse(why(at), [cancelRow()]);
      return moveTo(turn, { ...draft, at: at.value.toISOString(), stage: "place" });
    }
    const place = input.text.trim();
    if (place === "") return turn.refuse(t("refusal.place_required"), [cancelRow()]);
    return moveTo(turn, { ...draft, place, online: false, stage: "topics" });
  },
});

function moveTo(turn: MemberTurn, draft: DraftMeeting): Promise<Outcome> {
  return moveStep(turn, meetingDraftStep, draft);
}

function currentDraft(turn: MemberTurn): DraftMeeting | undefined {
  return waitingData(turn, meetingDraftStep);
}

const Recording = z.object({
  meetingId: z.string(),
  stage: z.enum(["minutes", "attendees"]),
  minutes: z.string().max(MAX_MINUTES).optional(),
});

/** After the meeting: the minutes, then how many came. */
type Recording = z.infer<typeof Recording>;

const recordStep: StepSpec<Recording> = defineStep<Recording>({
  name: "meetings.record",
  data: Recording,
  accepts: ["text"],
  maxText: MAX_MINUTES,
  prompt: (_turn, { stage }) =>
    message(
      [stage === "minutes" ? t("ask.minutes", { max: MAX_MINUTES }) : t("ask.attendees")],
      [cancelRow()],
    ),
  async answer(turn, input, data): Promise<Outcome> {
    if (input.type !== "text") return turn.done();
    if (data.stage === "minutes") {
      if (input.text.trim() === "") return turn.refuse(t("refusal.minutes_required"), [cancelRow()]);
      turn.endStep();
      return turn.ask(recordStep, { ...data, minutes: input.text.trim(), stage: "attendees" });
    }
    const typed = input.text.trim();
    const attendees = /^\d{1,6}$/.test(typed) ? Number(typed) : Number.NaN;
    const recorded = await recordMeetingIn(
      turn.unit,
      turn.actor,
      data.meetingId,
      data.minutes ?? "",
      attendees,
    );
    if (!recorded.ok && recorded.reason === "attendees_invalid")
      return turn.refuse(why(recorded), [cancelRow()]);
    turn.endStep();
    return turn.answer(recorded, why);
  },
});

async function desk(turn: MemberTurn) {
  if (!canConvene(turn.actor, turn.village.id)) return turn.refuse(why(refuse("not_allowed")));
  const meetings = await scheduledMeetings(turn.unit, turn.village.id);
  const zone = turn.unit.deps.calendar.timeZone;
  const lines: Text[] = [t(meetings.length === 0 ? "desk.none" : "desk.title", { count: meetings.length })];
  const rows: Button[][] = meetings.slice(0, 10).map((meeting) => [
    meetingCard.button(t("desk.line", { id: meeting.id, at: formatLocal(new Date(meeting.at), zone) }), {
      meetingId: meeting.id,
    }),
  ]);
  rows.push([newMeeting.button(t("desk.new"), {})], [backToMenu()]);
  turn.say(message(lines, rows));
  return turn.done();
}

/** 会议: meetings with their agenda published ahead, and their minutes and attendance afterwards. */
export const meetingsFeature: Feature = {
  name: "meetings",
  text,
  tables: [Meetings],
  actions: [
    on(meetingDesk, desk),
    on(newMeeting, async (turn) => {
      if (!canConvene(turn.actor, turn.village.id)) return turn.refuse(why(refuse("not_allowed")));
      if (currentDraft(turn) !== undefined) turn.endStep();
      return turn.ask(meetingDraftStep, { stage: "time", online: false, topicIds: [] });
    }),
    on(meetOnline, async (turn) => {
      const draft = currentDraft(turn);
      if (draft?.stage !== "place") return turn.refuse(t("refusal.no_draft"));
      const { place: _, ...rest } = draft;
      return moveTo(turn, { ...rest, online: true, stage: "topics" });
    }),
    on(toggleMeetingTopic, async (turn, { topicId }) => {
      const draft = currentDraft(turn);
      if (draft?.stage !== "topics") return turn.refuse(t("refusal.no_draft"));
      const topicIds = draft.topicIds.includes(topicId)
        ? draft.topicIds.filter((id) => id !== topicId)
        : [...draft.topicIds, topicId].slice(0, 10);
      return moveTo(turn, { ...draft, topicIds });
    }),
    on(publishMeeting, async (turn) => {
      const draft = currentDraft(turn);
      if (draft?.stage !== "topics" || draft.at === undefined) return turn.refuse(t("refusal.no_draft"));
      const scheduled = await scheduleMeetingIn(turn.unit, turn.actor, {
        at: new Date(draft.at),
        topicIds: draft.topicIds,
        ...(draft.online || draft.place === undefined ? {} : { place: draft.place }),
      });
      turn.endStep();
      return turn.answer(scheduled, why);
    }),
    on(meetingCard, async (turn, { meetingId }) =>
      turn.answer(await meetingCardIn(turn.unit, turn.actor, meetingId), why),
    ),
    on(recordMeetingStart, async (turn, { meetingId }) => {
      const allowed = await checkRecordIn(turn.unit, turn.actor, meetingId);
      if (!allowed.ok) return turn.refuse(why(allowed));
      return turn.ask(recordStep, { meetingId, stage: "minutes" });
    }),
  ],
  steps: [meetingDraftStep, recordStep],
  menu: [
    {
      row: 5,
      button: (member, village) =>
        canConvene(member, village.id) ? meetingDesk.button(t("menu.meetings"), {}) : undefined,
    },
  ],
  jobs: [{ name: "meetings.remind", cron: "*/10 * * * *", run: (deps) => remindMeetings(deps) }],
};
