import { afterEach, describe, expect, it } from "vitest";
import { inUnit } from "../../../src/app/deps.js";
import { asSlackCommands } from "../../../src/channels/slack/blocks.js";
import { openPollIn } from "../../../src/features/polls/use-cases.js";
import { yesNoPoll } from "../../support/polls.js";
import {
  createSlackHarness,
  fileRequest,
  type SlackHarness,
  secretary,
  villager,
  villageWithVillager,
} from "./harness.js";

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

interface HomeBlock {
  type: string;
  text?: { text: string };
  elements?: { text?: { text: string }; value?: string; action_id?: string }[];
}

/** The Home view last published for the person: its text, its buttons' values. */
function home(user: { id: string }) {
  const call = h.fake.callsOf("views.publish").findLast((one) => one.args.user_id === user.id);
  const view = (typeof call?.args.view === "string" ? JSON.parse(call.args.view) : call?.args.view) as
    | { type: string; blocks: HomeBlock[] }
    | undefined;
  const blocks = view?.blocks ?? [];
  return {
    type: view?.type,
    text: blocks.flatMap((block) => (block.text === undefined ? [] : [block.text.text])).join("\n"),
    values: blocks.flatMap((block) => block.elements ?? []).map((element) => element.value),
    blocks,
  };
}

describe("the App Home tab", () => {
  it("shows a villager their menu, their requests and the polls waiting for their vote", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);
    const id = await fileRequest(h, villager);
    const chief = await h.memberOf(secretary);
    if (chief === undefined) throw new Error("no secretary");
    await inUnit(h.app.deps, (unit) => openPollIn(unit, chief, yesNoPoll("要不要装路灯？")));

    await h.deliver(h.payloads.homeOpened(villager));

    const shown = home(villager);
    expect(shown.type).toBe("home");
    expect(shown.text).toContain(h.say("requests.my.title", { count: 1, page: 1, pages: 1 }));
    expect(shown.text).toContain(h.say("polls.mine.title", { count: 1 }));
    expect(shown.values).toContain(`v:${id}`);
  });

  it("shows the secretary the open requests to act on", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);
    await fileRequest(h, villager);

    await h.deliver(h.payloads.homeOpened(secretary));

    expect(home(secretary).text).toContain(h.say("requests.work.title", { count: 1 }));
  });

  it("tells someone not on any roster how to join", async () => {
    h = await createSlackHarness();

    await h.deliver(h.payloads.homeOpened(villager));

    const commands = new Set(h.app.registry.commands.keys());
    expect(home(villager).text).toBe(asSlackCommands(h.say("stranger.welcome"), commands));
  });

  it("answers a button pressed in the Home tab in the person's direct messages", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);
    const id = await fileRequest(h, villager);
    await h.deliver(h.payloads.homeOpened(villager));
    const before = h.posted(villager.id).length;

    await h.deliver(h.payloads.homeAction(villager, "act_0_0", `v:${id}`));

    expect(h.posted(villager.id).length).toBe(before + 1);
    expect(h.lastPosted(villager.id)?.text).toContain(id);
  });
});
