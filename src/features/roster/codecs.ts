import { actionCodec, codeField, idField } from "../../app/actions.js";
import type { Role } from "../../domain/model.js";

export const showRoster = actionCodec("ro", {});
export const memberCard = actionCodec("mb", { memberId: idField });
export const setRole = actionCodec("mr", {
  memberId: idField,
  role: codeField<Role>({ villager: "v", grid_worker: "g", secretary: "s" }),
});
export const pickHousehold = actionCodec("mh", { memberId: idField });
export const moveMember = actionCodec("mv", { memberId: idField, householdId: idField });
export const removeMember = actionCodec("mx", { memberId: idField });
export const renameMember = actionCodec("mn", { memberId: idField });
export const pickCategories = actionCodec("mc", { memberId: idField });
export const toggleCategory = actionCodec("mt", { memberId: idField, categoryId: idField });
export const addToRoster = actionCodec("ra", {
  what: codeField<"member" | "household">({ member: "m", household: "h" }),
});
export const householdCard = actionCodec("hh", { householdId: idField });
export const renameHousehold = actionCodec("hn", { householdId: idField });
export const removeHousehold = actionCodec("hx", { householdId: idField });
export const importRoster = actionCodec("ri", {});
