import { actionCodec, enumField, idField } from "../../app/actions.js";
import { SatisfactionFormula } from "../../domain/model.js";

/** The town card: its villages, its supervision chat, its supervisors and its satisfaction formula. */
export const townCard = actionCodec("twn", {});
/** Names a member of one's village a supervisor of the town, or no longer. */
export const toggleSupervisor = actionCodec("tws", { memberId: idField });
/** The list of the village's workers, to pick the town's supervisors from. */
export const supervisorList = actionCodec("twl", {});
export const chooseFormula = actionCodec("twf", { formula: enumField(SatisfactionFormula) });
/** The town's roll-up of last month, in private. */
export const townTallyNow = actionCodec("twt", {});
