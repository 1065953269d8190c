import { z } from "zod";
import { Language, type Rating, RequestKind, type Role } from "../domain/model.js";

/** What a button does. Encoded into at most 64 ASCII bytes (Telegram's callback_data limit). */
export type Action =
  | { type: "menu"; menu: "request" | "my" | "work" | "lang" | "help" | "proxy" | "roster" }
  | { type: "draft_kind"; kind: RequestKind }
  | { type: "draft_category"; categoryId: string }
  | { type: "draft_skip" }
  | { type: "draft_submit" }
  | { type: "draft_cancel" }
  | { type: "proxy_for"; memberId: string }
  | { type: "view"; requestId: string }
  | { type: "accept"; requestId: string }
  | { type: "assign"; requestId: string; ownerId: string }
  | { type: "transfer"; requestId: string }
  | { type: "progress"; requestId: string }
  | { type: "resolve"; requestId: string }
  | { type: "extend"; requestId: string }
  | { type: "decline"; requestId: string }
  | { type: "merge"; requestId: string }
  | { type: "rate"; requestId: string; rating: Rating }
  | { type: "lang"; language: Language }
  | { type: "member"; memberId: string }
  | { type: "member_role"; memberId: string; role: Role }
  | { type: "member_household"; memberId: string }
  | { type: "member_move"; memberId: string; householdId: string }
  | { type: "member_remove"; memberId: string }
  | { type: "member_rename"; memberId: string }
  | { type: "member_categories"; memberId: string }
  | { type: "member_category"; memberId: string; categoryId: string }
  | { type: "roster_add_member" }
  | { type: "roster_add_household" }
  | { type: "household"; householdId: string }
  | { type: "household_rename"; householdId: string }
  | { type: "household_remove"; householdId: string }
  | { type: "roster_import" }
  /** Opens the private chat with the bot, for this village (a deep link on Telegram). */
  | { type: "open_private"; villageId: string };

const MENUS = ["request", "my", "work", "lang", "help", "proxy", "roster"] as const;
const RATING_CODES = { satisfied: "s", mostly_satisfied: "m", not_satisfied: "n" } as const;
const ROLE_CODES = { villager: "v", grid_worker: "g", secretary: "s" } as const;

const Id = z.string().regex(/^[A-Za-z0-9_-]{1,24}$/);

function invert<K extends string, V extends string>(table: Record<K, V>): Record<V, K> {
  return Object.fromEntries(Object.entries(table).map(([k, v]) => [v, k])) as Record<V, K>;
}
const RATING_BY_CODE = invert(RATING_CODES);
const ROLE_BY_CODE = invert(ROLE_CODES);

export function encodeAction(action: Action): string {
  switch (action.type) {
    case "menu":
      return `m:${action.menu}`;
    case "draft_kind":
      return `k:${action.kind}`;
    case "draft_category":
      return `c:${action.categoryId}`;
    case "draft_skip":
      return "d:skip";
    case "draft_submit":
      return "d:ok";
    case "draft_cancel":
      return "d:x";
    case "proxy_for":
      return `pf:${action.memberId}`;
    case "view":
      return `v:${action.requestId}`;
    case "accept":
      return `acc:${action.requestId}`;
    case "assign":
      return `own:${action.requestId}:${action.ownerId}`;
    case "transfer":
      return `trf:${action.requestId}`;
    case "progress":
      return `prg:${action.requestId}`;
    case "resolve":
      return `res:${action.requestId}`;
    case "extend":
      return `ext:${action.requestId}`;
    case "decline":
      return `dec:${action.requestId}`;
    case "merge":
      return `mrg:${action.requestId}`;
    case "rate":
      return `r:${action.requestId}:${RATING_CODES[action.rating]}`;
    case "lang":
      return `l:${action.language}`;
    case "member":
      return `mb:${action.memberId}`;
    case "member_role":
      return `mr:${action.memberId}:${ROLE_CODES[action.role]}`;
    case "member_household":
      return `mh:${action.memberId}`;
    case "member_move":
      return `mv:${action.memberId}:${action.householdId}`;
    case "member_remove":
      return `mx:${action.memberId}`;
    case "member_rename":
      return `mn:${action.memberId}`;
    case "member_categories":
      return `mc:${action.memberId}`;
    case "member_category":
      return `mt:${action.memberId}:${action.categoryId}`;
    case "roster_add_member":
      return "ra:m";
    case "roster_add_household":
      return "ra:h";
    case "household":
      return `hh:${action.householdId}`;
    case "household_rename":
      return `hn:${action.householdId}`;
    case "household_remove":
      return `hx:${action.householdId}`;
    case "roster_import":
      return "ri";
    case "open_private":
      return `op:${action.villageId}`;
  }
}

/** Parses button data from any channel; undefined for anything malformed or unknown. */
export function decodeAction(data: string): Action | undefined {
  if (data.length > 64) return undefined;
  const [code, a = "", b = "", extra] = data.split(":");
  if (extra !== undefined) return undefined;
  const id = (value: string) => Id.safeParse(value).success;
  switch (code) {
    case "m":
      return (MENUS as readonly string[]).includes(a)
        ? { type: "menu", menu: a as (typeof MENUS)[number] }
        : undefined;
    case "k": {
      const kind = RequestKind.safeParse(a);
      return kind.success ? { type: "draft_kind", kind: kind.data } : undefined;
    }
    case "c":
      return id(a) ? { type: "draft_category", categoryId: a } : undefined;
    case "d":
      if (a === "skip") return { type: "draft_skip" };
      if (a === "ok") return { type: "draft_submit" };
      if (a === "x") return { type: "draft_cancel" };
      return undefined;
    case "pf":
      return id(a) ? { type: "proxy_for", memberId: a } : undefined;
    case "own":
      return id(a) && id(b) ? { type: "assign", requestId: a, ownerId: b } : undefined;
    case "r": {
      const rating = RATING_BY_CODE[b as keyof typeof RATING_BY_CODE];
      return id(a) && rating !== undefined ? { type: "rate", requestId: a, rating } : undefined;
    }
    case "l": {
      const language = Language.safeParse(a);
      return language.success ? { type: "lang", language: language.data } : undefined;
    }
    case "mr": {
      const role = ROLE_BY_CODE[b as keyof typeof ROLE_BY_CODE];
      return id(a) && role !== undefined ? { type: "member_role", memberId: a, role } : undefined;
    }
    case "mv":
      return id(a) && id(b) ? { type: "member_move", memberId: a, householdId: b } : undefined;
    case "mt":
      return id(a) && id(b) ? { type: "member_category", memberId: a, categoryId: b } : undefined;
    case "ra":
      if (a === "m") return { type: "roster_add_member" };
      if (a === "h") return { type: "roster_add_household" };
      return undefined;
    case "ri":
      return a === "" ? { type: "roster_import" } : undefined;
    default: {
      const single = SINGLE_ID[code ?? ""];
      if (single === undefined || !id(a) || b !== "") return undefined;
      return single(a);
    }
  }
}

const SINGLE_ID: Record<string, (value: string) => Action> = {
  v: (requestId) => ({ type: "view", requestId }),
  acc: (requestId) => ({ type: "accept", requestId }),
  trf: (requestId) => ({ type: "transfer", requestId }),
  prg: (requestId) => ({ type: "progress", requestId }),
  res: (requestId) => ({ type: "resolve", requestId }),
  ext: (requestId) => ({ type: "extend", requestId }),
  dec: (requestId) => ({ type: "decline", requestId }),
  mrg: (requestId) => ({ type: "merge", requestId }),
  mb: (memberId) => ({ type: "member", memberId }),
  mh: (memberId) => ({ type: "member_household", memberId }),
  mx: (memberId) => ({ type: "member_remove", memberId }),
  mn: (memberId) => ({ type: "member_rename", memberId }),
  mc: (memberId) => ({ type: "member_categories", memberId }),
  hh: (householdId) => ({ type: "household", householdId }),
  hn: (householdId) => ({ type: "household_rename", householdId }),
  hx: (householdId) => ({ type: "household_remove", householdId }),
  op: (villageId) => ({ type: "open_private", villageId }),
};
