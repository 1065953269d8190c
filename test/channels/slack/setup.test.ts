import { afterEach, describe, expect, it } from "vitest";
import {
  CHANNEL,
  createSlackHarness,
  joinVillage,
  type SlackHarness,
  secretary,
  setUpVillage,
  villager,
} from "./harness.js";

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

describe("setting up a village on Slack", () => {
  it("binds the channel when its creator, the village secretary, sends /shangliang setup there", async () => {
    h = await createSlackHarness();

    const villageId = await setUpVillage(h, secretary, CHANNEL);

    expect((await h.bindingOf(CHANNEL))?.villageId).toBe(villageId);
  });

  it("posts the village's welcome in the channel with a join button", async () => {
    h = await createSlackHarness();

    const villageId = await setUpVillage(h, secretary, CHANNEL);

    const welcome = h.lastPosted(CHANNEL);
    expect(welcome?.text).toBe(h.say("setup.group.welcome", { village: "幸福村" }));
    expect(welcome?.buttons).toEqual([
      { text: h.say("intake.open_private"), action_id: "join_0_0", value: `${villageId} op:${villageId}` },
    ]);
  });

  it("refuses someone who neither created the channel nor runs the workspace, only they see it, and binds nothing", async () => {
    h = await createSlackHarness();
    await setUpVillage(h, secretary, "C0OTHER");
    h.fake.setCreator(CHANNEL, "U0SOMEONE");

    await h.command(secretary, "setup", CHANNEL);

    expect(await h.bindingOf(CHANNEL)).toBeUndefined();
    expect(h.ephemerals(secretary).at(-1)?.text).toBe(
      "只有频道的创建者或工作区管理员可以用 /shangliang setup 把本频道绑定到村或镇。",
    );
  });

  it("lets a workspace admin who is the secretary bind a channel someone else created", async () => {
    h = await createSlackHarness();
    const villageId = await setUpVillage(h, secretary, "C0OTHER");
    h.fake.setCreator(CHANNEL, "U0SOMEONE");
    h.fake.makeAdmin(secretary.id);

    await h.command(secretary, "setup", CHANNEL);

    expect((await h.bindingOf(CHANNEL))?.villageId).toBe(villageId);
  });

  it("makes a channel the town's supervision channel with /shangliang setup town", async () => {
    h = await createSlackHarness();
    await setUpVillage(h, secretary, CHANNEL);
    h.fake.setCreator("C0TOWN", secretary.id);

    await h.command(secretary, "setup town", "C0TOWN");

    expect(await h.bindingOf("C0TOWN")).toBeUndefined();
    expect(h.lastPosted("C0TOWN")?.text).toContain("和平镇");
  });

  it("acknowledges every command and button", async () => {
    h = await createSlackHarness();

    await setUpVillage(h, secretary, CHANNEL);

    expect(h.acks.length).toBe(5);
  });

  it("acknowledges a command before it asks Slack anything, so the 3 seconds never run out", async () => {
    h = await createSlackHarness();
    await setUpVillage(h, secretary, "C0OTHER");
    h.fake.setCreator(CHANNEL, secretary.id);
    const callsBefore = h.fake.calls.length;

    await h.command(secretary, "setup", CHANNEL);

    expect(h.acks.at(-1)?.callsBefore).toBe(callsBefore);
    expect(h.fake.calls.length).toBeGreaterThan(callsBefore);
  });
});

describe("joining from the village's channel", () => {
  it("puts a channel member who presses the join button on the roster and answers in direct messages", async () => {
    h = await createSlackHarness();
    const villageId = await setUpVillage(h, secretary, CHANNEL);

    await joinVillage(h, villager, CHANNEL);

    const member = await h.memberOf(villager);
    expect([member?.villageId, member?.name, member?.role]).toEqual([villageId, "李大爷", "villager"]);
    expect(h.lastPosted(villager.id)?.text.split("\n")[0]).toBe(
      h.say("setup.join.welcome", { village: "幸福村" }),
    );
  });

  it("refuses someone the channel does not list as a member", async () => {
    h = await createSlackHarness();
    await setUpVillage(h, secretary, CHANNEL);

    await h.pressJoin(villager, CHANNEL);

    expect(await h.memberOf(villager)).toBeUndefined();
    expect(h.ephemerals(villager).at(-1)?.text).toBe("请在您所在村的频道里点“提诉求”按钮。");
  });

  it("joins with /shangliang join in the channel too", async () => {
    h = await createSlackHarness();
    const villageId = await setUpVillage(h, secretary, CHANNEL);
    h.fake.addMember(CHANNEL, villager.id);

    await h.command(villager, "join", CHANNEL);

    expect((await h.memberOf(villager))?.villageId).toBe(villageId);
  });
});
