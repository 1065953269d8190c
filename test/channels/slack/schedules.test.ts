import { afterEach, describe, expect, it } from "vitest";
import {
  CHANNEL,
  createSlackHarness,
  fileRequest,
  type SlackHarness,
  secretary,
  setUpVillage,
  villager,
  villageWithVillager,
} from "./harness.js";

const HOUR = 3_600_000;

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

/** The Web API methods called since `from`, in order. */
function methodsSince(from: number): string[] {
  return h.fake.calls.slice(from).map((call) => call.method);
}

describe("reminders and tallies in Slack", () => {
  it("gives the channel its tally with /shangliang tally: the picture uploaded to the channel, then the figures", async () => {
    h = await createSlackHarness();
    await setUpVillage(h, secretary, CHANNEL);
    const from = h.fake.calls.length;

    await h.command(secretary, "tally 2026-11", CHANNEL);

    expect(methodsSince(from)).toEqual([
      "files.getUploadURLExternal",
      "files.completeUploadExternal",
      "chat.postMessage",
    ]);
    expect(h.fake.callsOf("files.completeUploadExternal").at(-1)?.args.channel_id).toBe(CHANNEL);
    expect(h.lastPosted(CHANNEL)?.text.split("\n")[0]).toContain("幸福村");
  });

  it("sends last month's tally to the channel on the 1st at 09:00, once however often the job runs", async () => {
    h = await createSlackHarness({ start: "2026-11-20T02:00:00Z" });
    await villageWithVillager(h);
    await fileRequest(h, villager);
    h.advance(Date.parse("2026-12-01T01:00:00Z") - Date.parse("2026-11-20T02:00:00Z"));

    await h.app.runJobs();
    await h.app.runJobs();
    await h.dispatcher.flush();

    const tallies = h.posted(CHANNEL).filter((one) => one.text.includes("2026年11月"));
    expect(tallies.length).toBe(1);
    expect(h.fake.callsOf("files.completeUploadExternal").map((call) => call.args.channel_id)).toEqual([
      CHANNEL,
    ]);
  });

  it("tells the secretary in direct messages, once, when a request nobody answered goes red", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);
    const id = await fileRequest(h, villager);
    const [request] = await h.requestsOf(villager);
    h.advance(Date.parse(request?.respondBy ?? "") - Date.parse("2026-11-23T02:00:00Z") + HOUR);

    await h.app.runJobs();
    await h.app.runJobs();
    await h.dispatcher.flush();

    const reminders = h.posted(secretary.id).filter((one) => one.text.startsWith(`🔴 诉求${id}`));
    expect(reminders.length).toBe(1);
  });
});
