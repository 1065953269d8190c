import { defineTable } from "../../app/tables.js";
import { Meeting } from "../../domain/meeting.js";

export function meetingSequence(villageId: string): string {
  return `meetings:${villageId}`;
}

export const Meetings = defineTable({
  name: "meetings",
  schema: Meeting,
  key: (meeting) => meeting.id,
  indexes: {
    /** Scheduled and not yet recorded. */
    scheduled: (meeting) => (meeting.state === "scheduled" ? meeting.villageId : undefined),
    village: (meeting) => meeting.villageId,
  },
  file: (meeting) => `villages/${meeting.villageId}/meetings.json`,
  sequence: (meeting) => ({ name: meetingSequence(meeting.villageId), n: meeting.seq }),
});
