import { z } from "zod";
import { defineTable } from "../../app/tables.js";

/** A monthly tally already published to a village's group: it is published once. */
export const TallySent = z.object({
  /** `<village id>/<month>`. */
  id: z.string(),
  villageId: z.string(),
  month: z.string(),
  at: z.string(),
});
export type TallySent = z.infer<typeof TallySent>;

export const TalliesSent = defineTable({
  name: "tallies_sent",
  schema: TallySent,
  key: (sent) => sent.id,
  file: (sent) => `villages/${sent.villageId}/tallies.json`,
});
