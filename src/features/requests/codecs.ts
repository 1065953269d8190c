import { actionCodec, codeField, countField, idField } from "../../app/actions.js";
import type { Rating } from "../../domain/model.js";

const rating = codeField<Rating>({ satisfied: "s", mostly_satisfied: "m", not_satisfied: "n" });

export type LedgerFilter = "all" | "open" | "resolved" | "rated" | "closed";
export type LedgerPeriod = "this_month" | "last_month" | "this_year";

export const viewRequest = actionCodec("v", { requestId: idField });
/** A grid worker takes a request (接单). */
export const takeRequest = actionCodec("acc", { requestId: idField });
/** The secretary is asked whom to give a request to (派单, or 转办 once someone has it). */
export const pickOwner = actionCodec("trf", { requestId: idField });
export const assignRequest = actionCodec("own", { requestId: idField, ownerId: idField });
export const askProgress = actionCodec("prg", { requestId: idField });
export const askResolve = actionCodec("res", { requestId: idField });
export const askExtend = actionCodec("ext", { requestId: idField });
export const askDecline = actionCodec("dec", { requestId: idField });
export const askMerge = actionCodec("mrg", { requestId: idField });
export const rateRequest = actionCodec("r", { requestId: idField, rating });
export const myRequests = actionCodec("my", { page: countField });
export const workList = actionCodec("wk", {});
export const ledger = actionCodec("led", {
  filter: codeField<LedgerFilter>({ all: "a", open: "o", resolved: "r", rated: "d", closed: "x" }),
  period: codeField<LedgerPeriod>({ this_month: "m", last_month: "l", this_year: "y" }),
  page: countField,
});
