import { actionCodec, idField } from "../../app/actions.js";

/** The secretary's meetings: those scheduled, and a button to schedule one. */
export const meetingDesk = actionCodec("mgd", {});
export const newMeeting = actionCodec("mgn", {});
/** The meeting is held online, in the village group. */
export const meetOnline = actionCodec("mgo", {});
export const toggleMeetingTopic = actionCodec("mgt", { topicId: idField });
export const publishMeeting = actionCodec("mgp", {});
export const meetingCard = actionCodec("mgc", { meetingId: idField });
/** After the meeting: its minutes and how many came. */
export const recordMeetingStart = actionCodec("mgr", { meetingId: idField });
