import { defineTable } from "../../app/tables.js";
import { Decision } from "../../domain/decision.js";

export function decisionSequence(villageId: string): string {
  return `decisions:${villageId}`;
}

export const Decisions = defineTable({
  name: "decisions",
  schema: Decision,
  key: (decision) => decision.id,
  indexes: {
    /** Still being implemented or evaluated. */
    active: (decision) => (decision.state === "evaluated" ? undefined : decision.villageId),
    /** Every decision waiting for something a job does: its effect poll to open, or its result. */
    pending: (decision) => (decision.state === "evaluated" ? undefined : decision.state),
    village: (decision) => decision.villageId,
  },
  file: (decision) => `villages/${decision.villageId}/decisions.json`,
  sequence: (decision) => ({ name: decisionSequence(decision.villageId), n: decision.seq }),
});
