import { actionCodec, codeField, countField, enumField, idField } from "../../app/actions.js";
import { PollKind, type VoteOrigin } from "../../domain/poll.js";

/** Where a secretary starts a poll: the open polls and a "new poll" button. */
export const pollDesk = actionCodec("pd", {});
export const newPoll = actionCodec("pn", {});
/** The draft's topic; "none" for a poll on no topic. */
export const pollTopic = actionCodec("pt", { topicId: idField });
export const pollKind = actionCodec("pk", { kind: enumField(PollKind) });
export type DraftToggle = "anonymous" | "results" | "ballot" | "quorum" | "days";
export const toggleDraft = actionCodec("pg", {
  toggle: codeField<DraftToggle>({ anonymous: "a", results: "r", ballot: "b", quorum: "q", days: "d" }),
});
export const publishPoll = actionCodec("pub", {});
/** A vote: pressing an option (again, for a several-answers poll, takes it back). */
export const castVote = actionCodec("pv", { pollId: idField, option: countField });
export const pollCard = actionCodec("pc", { pollId: idField });
export const closePollEarly = actionCodec("pcl", { pollId: idField });
export const changePoll = actionCodec("pch", {
  pollId: idField,
  change: codeField<"make_anonymous" | "show_live">({ make_anonymous: "a", show_live: "l" }),
});
export const proxyStart = actionCodec("pp", { pollId: idField });
export const proxyVote = actionCodec("ppv", {
  pollId: idField,
  memberId: idField,
  option: countField,
  origin: codeField<Exclude<VoteOrigin, "self">>({ in_person: "i", proxy: "p" }),
});
export const proxyMember = actionCodec("ppm", { pollId: idField, memberId: idField });
export const myVotes = actionCodec("pmy", {});
