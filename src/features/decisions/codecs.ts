import { actionCodec, countField, idField } from "../../app/actions.js";

/** The decisions in progress, and a button to record one (secretary). */
export const decisionDesk = actionCodec("dd", {});
export const newDecision = actionCodec("dn", {});
/** The draft's topic; "none" for a decision on no topic. */
export const decisionTopic = actionCodec("dt", { topicId: idField });
export const decisionOwner = actionCodec("do", { memberId: idField });
export const decisionDeadline = actionCodec("dl", { days: countField });
export const decisionCard = actionCodec("dc", { decisionId: idField });
/** The owner reports progress: a percentage, then a note. */
export const decisionProgress = actionCodec("dp", { decisionId: idField, percent: countField });
