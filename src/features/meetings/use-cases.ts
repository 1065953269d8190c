import { type Deps, inUnit, tell, tellGroup, type Unit } from "../../app/deps.js";
import { backToMenu } from "../../app/kernel.js";
import { type Button, message, type Text } from "../../app/messages.js";
import { Villages } from "../../app/tables.js";
import { formatLocal } from "../../domain/calendar.js";
import * as rules from "../../domain/meeting.js";
import { AGENDA_NOTICE_MS, MAX_MINUTES, type Meeting, meetingNumber } from "../../domain/meeting.js";
import type { Member } from "../../domain/model.js";
import { canConvene } from "../../domain/permissions.js";
import { ok, type Result, refuse } from "../../domain/result.js";
import { Topics } from "../topics/index.js";
import { meetingCard, recordMeetingStart } from "./codecs.js";
import { text } from "./i18n.js";
import { Meetings, meetingSequence } from "./tables.js";

const { t } = text;

export type MeetingsRefusal =
  | rules.MeetingRefusal
  | "not_allowed"
  | "no_such_meeting"
  | "minutes_required"
  | "attendees_invalid";

export type MeetingResult = Result<Meeting, MeetingsRefusal>;

export interface NewMeeting {
  at: Date;
  place?: string;
  topicIds: string[];
}

function when(unit: Unit, meeting: Meeting): string {
  return formatLocal(new Date(meeting.at), unit.deps.calendar.timeZone);
}

function placeOf(meeting: Meeting): Text | string {
  return meeting.place ?? t("place.online");
}

/** Decisions taken on the meeting's topics. */
async function decisionsOf(unit: Unit, meeting: Meeting): Promise<string[]> {
  const ids: string[] = [];
  for (const id of meeting.topicIds) ids.push(...((await unit.tx.get(Topics, id))?.decisionIds ?? []));
  return ids;
}

async function topicLines(unit: Unit, meeting: Meeting, key: "group.topic" | "card.topic"): Promise<Text[]> {
  const lines: Text[] = [];
  for (const [index, id] of meeting.topicIds.entries()) {
    const topic = await unit.tx.get(Topics, id);
    if (topic !== undefined) lines.push(t(key, { n: index + 1, id, title: topic.title }));
  }
  return lines;
}

/** 会议: the secretary schedules a meeting at least a day ahead; its agenda goes to the group at once. */
export async function scheduleMeetingIn(
  unit: Unit,
  actor: Member,
  draft: NewMeeting,
): Promise<MeetingResult> {
  const village = await unit.tx.get(Villages, actor.villageId);
  if (village === undefined || !canConvene(actor, village.id)) return refuse("not_allowed");
  if (draft.at.getTime() - unit.now.getTime() < AGENDA_NOTICE_MS) return refuse("too_soon");
  const topicIds: string[] = [];
  for (const id of draft.topicIds) {
    const topic = await unit.tx.get(Topics, id);
    if (topic?.villageId === village.id) topicIds.push(id);
  }
  const seq = await unit.tx.nextNumber(meetingSequence(village.id));
  const meeting: Meeting = {
    id: meetingNumber(village.code, seq),
    villageId: village.id,
    seq,
    at: draft.at.toISOString(),
    topicIds,
    state: "scheduled",
    createdBy: actor.id,
    createdAt: unit.now.toISOString(),
  };
  if (draft.place !== undefined) meeting.place = draft.place;
  unit.tx.put(Meetings, meeting);
  const topics = await topicLines(unit, meeting, "group.topic");
  const lines: Text[] = [
    t("group.agenda", { id: meeting.id, at: when(unit, meeting), place: placeOf(meeting) }),
  ];
  lines.push(...(topics.length === 0 ? [t("group.no_topics")] : [t("group.topics"), ...topics]));
  await tellGroup(unit, village.id, message(lines));
  tell(
    unit,
    actor,
    message(
      [t("published", { id: meeting.id })],
      [
        [
          meetingCard.button(t("desk.line", { id: meeting.id, at: when(unit, meeting) }), {
            meetingId: meeting.id,
          }),
        ],
      ],
    ),
  );
  return ok(meeting);
}

async function meetingOf(unit: Unit, actor: Member, meetingId: string): Promise<MeetingResult> {
  const meeting = await unit.tx.get(Meetings, meetingId);
  if (meeting === undefined || meeting.villageId !== actor.villageId) return refuse("no_such_meeting");
  return ok(meeting);
}

/** Whether the secretary may record the meeting now; the same check runs again on recording. */
export async function checkRecordIn(unit: Unit, actor: Member, meetingId: string): Promise<MeetingResult> {
  const found = await meetingOf(unit, actor, meetingId);
  if (!found.ok) return found;
  if (!canConvene(actor, found.value.villageId)) return refuse("not_allowed");
  if (found.value.state === "held") return refuse("already_recorded");
  if (Date.parse(found.value.at) > unit.now.getTime()) return refuse("not_yet_held");
  return found;
}

/** After the meeting: its minutes and attendance, shared with the group. */
export async function recordMeetingIn(
  unit: Unit,
  actor: Member,
  meetingId: string,
  minutes: string,
  attendees: number,
): Promise<MeetingResult> {
  const found = await checkRecordIn(unit, actor, meetingId);
  if (!found.ok) return found;
  const text = minutes.trim().slice(0, MAX_MINUTES);
  if (text === "") return refuse("minutes_required");
  if (!Number.isInteger(attendees) || attendees < 0 || attendees > rules.MAX_ATTENDEES)
    return refuse("attendees_invalid");
  const recorded = rules.recordMeeting(found.value, text, attendees, unit.now);
  if (!recorded.ok) return recorded;
  unit.tx.put(Meetings, recorded.value);
  const meeting = recorded.value;
  const lines = [t("group.held", { id: meeting.id, at: when(unit, meeting), attendees, minutes: text })];
  const decisions = await decisionsOf(unit, meeting);
  if (decisions.length > 0) lines.push(t("decisions", { ids: decisions.join("、") }));
  await tellGroup(unit, meeting.villageId, message(lines));
  tell(unit, actor, message([t("recorded", { id: meeting.id })], [[backToMenu()]]));
  return ok(meeting);
}

export async function meetingCardIn(unit: Unit, actor: Member, meetingId: string): Promise<MeetingResult> {
  const found = await meetingOf(unit, actor, meetingId);
  if (!found.ok) return found;
  const meeting = found.value;
  const lines: Text[] = [
    t("card.title", { id: meeting.id, at: when(unit, meeting), place: placeOf(meeting) }),
  ];
  lines.push(...(await topicLines(unit, meeting, "card.topic")));
  if (meeting.state === "held")
    lines.push(t("card.held", { attendees: meeting.attendees ?? 0, minutes: meeting.minutes ?? "" }));
  const decisions = await decisionsOf(unit, meeting);
  if (decisions.length > 0) lines.push(t("decisions", { ids: decisions.join("、") }));
  const buttons: Button[][] = [];
  if (meeting.state === "scheduled" && canConvene(actor, meeting.villageId))
    buttons.push([recordMeetingStart.button(t("record"), { meetingId: meeting.id })]);
  buttons.push([backToMenu()]);
  tell(unit, actor, message(lines, buttons));
  return ok(meeting);
}

/** The day before and the hour before a meeting, once each, the group is reminded (bulk: quiet hours hold it). */
export async function remindMeetings(deps: Deps): Promise<void> {
  const villages = await inUnit(deps, (unit) => unit.tx.all(Villages));
  for (const village of villages) {
    await inUnit(deps, async (unit) => {
      for (const meeting of await unit.tx.find(Meetings, "scheduled", village.id)) {
        const due = rules.meetingReminderDue(meeting, unit.now);
        if (due === undefined) continue;
        // The hour's reminder also stands for the day's when both are due (a meeting set up late, or downtime).
        const reminded = due === "hour" ? (["day", "hour"] as const) : (["day"] as const);
        unit.tx.put(Meetings, {
          ...meeting,
          reminded: [...new Set([...(meeting.reminded ?? []), ...reminded])],
        });
        const params = { id: meeting.id, at: when(unit, meeting), place: placeOf(meeting) };
        await tellGroup(unit, meeting.villageId, message([t(`remind.${due}`, params)]), { bulk: true });
      }
    });
  }
}

export async function scheduledMeetings(unit: Unit, villageId: string): Promise<Meeting[]> {
  return unit.tx.find(Meetings, "scheduled", villageId);
}
