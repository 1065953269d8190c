import { actionCodec } from "../../app/actions.js";

/** A secretary's "tally now": last month's figures, in their private chat. */
export const tallyNow = actionCodec("tly", {});
