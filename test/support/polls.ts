import type { NewPoll } from "../../src/features/polls/use-cases.js";

/** A yes/no poll open 3 days, anonymous, its count shown as votes come: what most poll tests start from. */
export function yesNoPoll(
  question = "同意用村集体资金修村口的路吗？",
  settings: Partial<NewPoll> = {},
): NewPoll {
  return {
    question,
    kind: "yes_no",
    options: [],
    anonymous: true,
    results: "live",
    perHousehold: false,
    days: 3,
    ...settings,
  };
}
