import { actionCodec, codeField, enumField, idField } from "../../app/actions.js";
import { RequestKind } from "../../domain/model.js";

/** Starts a request form for oneself. */
export const startRequest = actionCodec("rq", {});
/** From a village group's button: opens the private chat and starts a request for that village. */
export const openPrivate = actionCodec("op", { villageId: idField });
export const proxyMenu = actionCodec("px", {});
export const proxyFor = actionCodec("pf", { memberId: idField });
export const chooseKind = actionCodec("k", { kind: enumField(RequestKind) });
export const chooseCategory = actionCodec("c", { categoryId: idField });
export const submitDraft = actionCodec("d", { how: codeField<"submit">({ submit: "ok" }) });
