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

/** A town's monthly roll-up already published to its supervision chat. */
export const TownTallySent = z.object({
  /** `<town id>/<month>`. */
  id: z.string(),
  townId: z.string(),
  month: z.string(),
  at: z.string(),
});
export type TownTallySent = z.infer<typeof TownTallySent>;

export const TownTalliesSent = defineTable({
  name: "town_tallies_sent",
  schema: TownTallySent,
  key: (sent) => sent.id,
  file: (sent) => `towns/${sent.townId}/tallies.json`,
});
