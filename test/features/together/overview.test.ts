import { beforeEach, describe, expect, it } from "vitest";
import { inUnit, localGroupChat } from "../../../src/app/deps.js";
import { recordDecisionIn } from "../../../src/features/decisions/use-cases.js";
import { openPollIn } from "../../../src/features/polls/use-cases.js";
import { proposeTopicIn } from "../../../src/features/topics/index.js";
import { createHarness, type Harness, seedVillage } from "../../app/harness.js";
import { yesNoPoll } from "../../support/polls.js";
import type { SeededVillage } from "../../support/village.js";

let h: Harness;
let people: SeededVillage;
let group: string;

beforeEach(async () => {
  h = await createHarness();
  people = await seedVillage(h);
  group = localGroupChat(people.village.id);
  await inUnit(h.deps, async (unit) => {
    await proposeTopicIn(unit, people.villager, {
      title: "修村口那段路",
      text: "路坏了",
      attachments: [],
      requestIds: [],
    });
    await openPollIn(unit, people.secretary, yesNoPoll("要不要装路灯？"));
    await recordDecisionIn(unit, people.secretary, {
      outcome: "修村口的路",
      ownerId: people.worker.id,
      days: 30,
    });
  });
  await h.drain();
});

describe("/topics: everything under discussion", () => {
  it("lists topics, open polls marked where I have not voted, and decisions, with buttons", async () => {
    await h.send(people.neighbour.id, { type: "command", command: "topics" });

    const shown = h.last(people.neighbour.id);
    expect(shown?.text.split("\n")).toEqual([
      "🤝 众人来商量：东风村",
      "💬 征集附议的议题：",
      "· DF-T1 修村口那段路（0/1户）",
      "🗳 进行中的投票：",
      "· ✋ DF-P1 要不要装路灯？（2026-11-26 10:00截止，等你投票）",
      "📜 落实中的决议：",
      "· DF-D1 修村口的路（0%，落实中）",
    ]);
    expect(h.buttonsOf(shown?.entry.message ?? { lines: [] })).toEqual([
      "together.button.topic",
      "together.button.poll",
      "together.button.decision",
      "menu.back_to_menu",
    ]);
  });

  it("shows the group the same list with no one's own state and no buttons", async () => {
    await h.send(people.neighbour.id, { type: "command", command: "topics" }, { group });

    const shown = h.last(group);
    expect(shown?.text).toContain("· DF-P1 要不要装路灯？（2026-11-26 10:00截止）");
    expect(shown?.entry.message.buttons).toBeUndefined();
  });
});
