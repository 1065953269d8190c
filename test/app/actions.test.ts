import { describe, expect, it } from "vitest";
import { type Action, decodeAction, encodeAction } from "../../src/app/actions.js";

const examples: Action[] = [
  { type: "menu", menu: "request" },
  { type: "draft_kind", kind: "wish" },
  { type: "draft_category", categoryId: "roads" },
  { type: "draft_submit" },
  { type: "draft_cancel" },
  { type: "proxy_for", memberId: "m12" },
  { type: "view", requestId: "DF-2026-0042" },
  { type: "assign", requestId: "DF-2026-0042", ownerId: "m7" },
  { type: "rate", requestId: "DF-2026-0042", rating: "not_satisfied" },
  { type: "lang", language: "en" },
  { type: "member_role", memberId: "m3", role: "grid_worker" },
  { type: "member_move", memberId: "m3", householdId: "h9" },
  { type: "member_category", memberId: "m3", categoryId: "water" },
  { type: "household_remove", householdId: "h9" },
  { type: "roster_import" },
  { type: "open_private", villageId: "v2" },
];

describe("button actions", () => {
  it.each(examples)("round-trips %o", (action) => {
    expect(decodeAction(encodeAction(action))).toEqual(action);
  });

  it("fits Telegram's 64-byte callback_data with the longest ids", () => {
    const longest: Action = {
      type: "assign",
      requestId: "ABCD-2026-123456",
      ownerId: "m123456789012345678901",
    };
    expect(Buffer.byteLength(encodeAction(longest))).toBeLessThanOrEqual(64);
  });

  it.each([
    "",
    "zz:1",
    "v:",
    "v:a:b:c",
    "r:DF-2026-0001:q",
    "mr:m1:x",
    `v:${"a".repeat(70)}`,
    "k:nothing",
    "v:../etc",
  ])("rejects malformed data %j", (data) => {
    expect(decodeAction(data)).toBeUndefined();
  });
});
