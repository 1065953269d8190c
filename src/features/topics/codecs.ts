import { actionCodec, codeField, countField, idField } from "../../app/actions.js";

/** Starts the form of a new topic (提议题). */
export const proposeTopic = actionCodec("tp", {});
export const submitTopic = actionCodec("tps", { how: codeField<"submit">({ submit: "ok" }) });
/** 附议, pressed under the topic in the group or on its card. */
export const supportTopic = actionCodec("ts", { topicId: idField });
export const viewTopic = actionCodec("tv", { topicId: idField });
export const topicList = actionCodec("tl", { page: countField });
/** A secretary puts a topic on the agenda (列入议程). */
export const agendaTopic = actionCodec("ta", { topicId: idField });
/** A secretary keeps a topic open: it is not archived for lack of support. */
export const keepTopic = actionCodec("tk", { topicId: idField });
/** A secretary turns a request into a topic. */
export const topicFromRequest = actionCodec("tr", {});
