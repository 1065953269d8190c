import { defineTable } from "../../app/tables.js";
import { Topic } from "../../domain/topic.js";

export function topicSequence(villageId: string): string {
  return `topics:${villageId}`;
}

export const Topics = defineTable({
  name: "topics",
  schema: Topic,
  key: (topic) => topic.id,
  indexes: {
    /** Still collecting supports, or on the agenda. */
    open: (topic) => (topic.state === "proposed" || topic.state === "agenda" ? topic.villageId : undefined),
    village: (topic) => topic.villageId,
  },
  file: (topic) => `villages/${topic.villageId}/topics.json`,
  sequence: (topic) => ({ name: topicSequence(topic.villageId), n: topic.seq }),
});
