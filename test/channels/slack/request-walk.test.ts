import { afterEach, describe, expect, it } from "vitest";
import {
  CHANNEL,
  createSlackHarness,
  fileRequest,
  joinVillage,
  type SlackHarness,
  type SlackUser,
  secretary,
  setUpVillage,
  slackUser,
  villager,
  worker,
} from "./harness.js";

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

/** A village with a secretary, a grid worker owning 电力路灯 and a villager, set up with the secretary's buttons. */
async function village(): Promise<{ workerId: string }> {
  await setUpVillage(h, secretary, CHANNEL);
  await joinVillage(h, worker, CHANNEL);
  await joinVillage(h, villager, CHANNEL);
  const workerId = (await h.memberOf(worker))?.id ?? "";
  await h.command(secretary, "");
  await h.press(secretary, secretary.id, /^ro$/);
  await h.press(secretary, secretary.id, new RegExp(`^mb:${workerId}$`));
  await h.press(secretary, secretary.id, new RegExp(`^mr:${workerId}:g$`));
  await h.press(secretary, secretary.id, new RegExp(`^mc:${workerId}$`));
  await h.press(secretary, secretary.id, new RegExp(`^mt:${workerId}:power$`));
  return { workerId };
}

/** The villager fills in the form (a modal) with a photo, and submits it. */
async function fileRequestWithPhoto(who: SlackUser = villager): Promise<string> {
  h.fake.addFile("F0PHOTO", "路灯.jpg", "image/jpeg", "JPEG-BYTES");
  return fileRequest(h, who, ["F0PHOTO"]);
}

describe("a request walked through Slack", () => {
  it("files the request with its text and photo from the form and gives the villager a receipt", async () => {
    h = await createSlackHarness();
    await village();

    const id = await fileRequestWithPhoto();

    const [request] = await h.requestsOf(villager);
    expect(request).toMatchObject({
      kind: "problem",
      categoryId: "power",
      text: "村口三盏路灯坏了，晚上看不见路。",
      state: "submitted",
      channel: "slack",
      attachments: [{ type: "photo", channel: "slack", fileRef: "F0PHOTO" }],
    });
    const receipt = h.posted(villager.id).find((one) => one.text.startsWith("已收到您的诉求"));
    expect(receipt?.text.split("\n")[0]).toBe(`已收到您的诉求，编号${id}。`);
  });

  it("shows the grid worker the new request with a take button, and shares the villager's photo with them", async () => {
    h = await createSlackHarness();
    await village();

    const id = await fileRequestWithPhoto();

    const card = h.lastPosted(worker.id);
    expect(card?.text.split("\n")[0]).toBe(`新诉求${id}（电力路灯），请尽快接单。`);
    expect(card?.buttons.map((button) => button.value)).toContain(`acc:${id}`);
    const shared = h.fake.callsOf("files.completeUploadExternal").map((call) => call.args.channel_id);
    expect(shared).toContain(`D${worker.id}`);
    expect(h.fake.uploads.some((file) => file.bytes.includes("JPEG-BYTES"))).toBe(true);
  });

  it("walks from submission to the villager's rating: secretary assigns, owner resolves, villager rates", async () => {
    h = await createSlackHarness();
    const { workerId } = await village();
    const id = await fileRequestWithPhoto();

    await h.press(secretary, secretary.id, new RegExp(`^trf:${id}$`));
    await h.press(secretary, secretary.id, new RegExp(`^own:${id}:${workerId}$`));
    await h.press(worker, worker.id, new RegExp(`^res:${id}$`));
    await h.dm(worker, "已换新灯泡，三盏都亮了。");
    await h.press(villager, villager.id, new RegExp(`^r:${id}:s$`));

    const [request] = await h.requestsOf(villager);
    expect(request).toMatchObject({ state: "rated", rating: "satisfied", ownerId: workerId });
    expect(request?.timeline.map((entry) => entry.action)).toEqual([
      "submitted",
      "assigned",
      "resolved",
      "rated",
    ]);
    expect(h.posted(villager.id).map((one) => one.text.split("\n")[0])).toEqual(
      expect.arrayContaining([`诉求${id}已派给赵网格办理。`, `诉求${id}已评价：😊 满意。谢谢！`]),
    );
  });

  it("reopens the request when the villager is not satisfied", async () => {
    h = await createSlackHarness();
    const { workerId } = await village();
    const id = await fileRequestWithPhoto();
    await h.press(worker, worker.id, new RegExp(`^acc:${id}$`));
    await h.press(worker, worker.id, new RegExp(`^res:${id}$`));
    await h.dm(worker, "修好了。");

    await h.press(villager, villager.id, new RegExp(`^r:${id}:n$`));
    await h.dm(villager, "只修了一盏。");

    const [request] = await h.requestsOf(villager);
    expect([request?.state, request?.ownerId, request?.timeline.at(-1)?.action]).toEqual([
      "in_progress",
      workerId,
      "reopened",
    ]);
  });

  it("adds each photo of one message to the request being written in messages", async () => {
    h = await createSlackHarness();
    await village();
    h.fake.fail("views.open", "expired_trigger_id");
    await h.command(villager, "request");
    await h.press(villager, villager.id, /^k:problem$/);
    await h.press(villager, villager.id, /^c:power$/);
    await h.dm(villager, "村口三盏路灯坏了。");

    await h.deliver(
      h.payloads.message(villager, "白天拍的", [
        { id: "F0ONE", name: "1.jpg", mimetype: "image/jpeg", size: 10 },
        { id: "F0TWO", name: "2.jpg", mimetype: "image/jpeg", size: 10 },
      ]),
    );
    await h.press(villager, villager.id, /^d:ok$/);

    const [request] = await h.requestsOf(villager);
    expect(request?.attachments.map((one) => one.fileRef)).toEqual(["F0ONE", "F0TWO"]);
  });

  it("does nothing twice when Slack delivers the same message event again", async () => {
    h = await createSlackHarness();
    await village();
    h.fake.fail("views.open", "expired_trigger_id");
    await h.command(villager, "request");
    await h.press(villager, villager.id, /^k:problem$/);
    await h.press(villager, villager.id, /^c:power$/);
    const typed = h.payloads.message(villager, "村口三盏路灯坏了。");
    await h.deliver(typed);
    const before = h.posted(villager.id).length;

    await h.deliver(typed, 1);

    expect(h.posted(villager.id).length).toBe(before);
  });

  it("does nothing twice when the same slash command comes again", async () => {
    h = await createSlackHarness();
    await village();
    const command = h.payloads.command(villager, `D${villager.id}`, "request");
    await h.deliver(command);
    const before = h.posted(villager.id).length;

    await h.deliver(command);

    expect(h.posted(villager.id).length).toBe(before);
  });

  it("tells a stranger who presses a village button in the channel to join first, only them", async () => {
    h = await createSlackHarness();
    await village();
    const id = await fileRequestWithPhoto();
    const stranger = slackUser("U0STRANGER", "过路人");

    await h.deliver(h.payloads.action(stranger, CHANNEL, "act_0_0", `v:${id}`));

    expect(h.ephemerals(stranger).at(-1)?.text).toBe(h.say("refusal.join_first"));
  });

  it("lists the villager's own requests with /shangliang my", async () => {
    h = await createSlackHarness();
    await village();
    const id = await fileRequestWithPhoto();

    await h.command(villager, "my");

    expect(h.lastPosted(villager.id)?.buttons.map((button) => button.value)).toContain(`v:${id}`);
  });
});
