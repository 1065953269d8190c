import { defineTable } from "../../app/tables.js";
import { Poll, Vote } from "../../domain/poll.js";

export function pollSequence(villageId: string): string {
  return `polls:${villageId}`;
}

export const Polls = defineTable({
  name: "polls",
  schema: Poll,
  key: (poll) => poll.id,
  indexes: {
    open: (poll) => (poll.state === "open" ? poll.villageId : undefined),
    /** Every open poll, for the job that closes them. */
    all_open: (poll) => (poll.state === "open" ? "open" : undefined),
    topic: (poll) => poll.topicId,
    village: (poll) => poll.villageId,
  },
  file: (poll) => `villages/${poll.villageId}/polls.json`,
  sequence: (poll) => ({ name: pollSequence(poll.villageId), n: poll.seq }),
});

/** Each poll's votes in a file of their own, so a busy poll rewrites only its own. */
export const Votes = defineTable({
  name: "votes",
  schema: Vote,
  key: (vote) => vote.id,
  indexes: {
    poll: (vote) => vote.pollId,
    /** The vote that counts for a household, when one vote per household. */
    household: (vote) => (vote.counts ? `${vote.pollId}/${vote.household}` : undefined),
  },
  file: (vote) => `villages/${vote.villageId}/votes/${vote.pollId}.json`,
});
