import { afterEach, describe, expect, it } from "vitest";
import { MAX_REQUEST_TEXT } from "../../../src/domain/model.js";
import {
  CHANNEL,
  createSlackHarness,
  fileRequest,
  type SlackHarness,
  villager,
  villageWithVillager,
} from "./harness.js";

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

interface ModalShape {
  callback_id: string;
  title: { text: string };
  blocks: {
    block_id: string;
    element: { type: string; options?: { value: string }[]; max_length?: number; max_files?: number };
  }[];
}

describe("the request form as a Slack modal", () => {
  it("opens with /shangliang request: kind, category, words and photos, and sends no message", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);
    const postedBefore = h.posted(villager.id).length;

    await h.command(villager, "request");

    const modal = h.lastModal() as unknown as ModalShape;
    expect([modal.callback_id, modal.title.text]).toEqual(["form:request", "提诉求"]);
    expect(modal.blocks.map((block) => [block.block_id, block.element.type])).toEqual([
      ["kind", "static_select"],
      ["category", "static_select"],
      ["text", "plain_text_input"],
      ["photos", "file_input"],
    ]);
    expect(modal.blocks[0]?.element.options?.map((option) => option.value)).toEqual([
      "problem",
      "wish",
      "consultation",
      "errand",
    ]);
    expect(modal.blocks[2]?.element.max_length).toBe(MAX_REQUEST_TEXT);
    expect(h.posted(villager.id).length).toBe(postedBefore);
  });

  it("opens from the menu's 提诉求 button too", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);
    await h.command(villager, "");

    await h.press(villager, villager.id, /^rq$/);

    expect(h.lastModal()?.callback_id).toBe("form:request");
  });

  it("opens from the channel's 提诉求 button for someone already on the roster", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);

    await h.pressJoin(villager, CHANNEL);

    expect(h.lastModal()?.callback_id).toBe("form:request");
  });

  it("files the request from the form, photos and all", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);

    const id = await fileRequest(h, villager, ["F0PHOTO1", "F0PHOTO2"]);

    const [request] = await h.requestsOf(villager);
    expect([request?.id, request?.channel, request?.attachments.map((one) => one.fileRef)]).toEqual([
      id,
      "slack",
      ["F0PHOTO1", "F0PHOTO2"],
    ]);
  });

  it("refuses a category the village does not have, names the field, and files nothing", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);
    await h.command(villager, "request");

    await h.submitForm(villager, { kind: "problem", category: "moon", text: "路灯坏了" });

    expect(await h.requestsOf(villager)).toEqual([]);
    expect(h.lastPosted(villager.id)?.text).toBe("“哪方面的事”没有填好。请再填一次。");
  });

  it("refuses words longer than the form allows", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);
    await h.command(villager, "request");

    await h.submitForm(villager, {
      kind: "problem",
      category: "power",
      text: "灯".repeat(MAX_REQUEST_TEXT + 1),
    });

    expect(await h.requestsOf(villager)).toEqual([]);
  });

  it("files one request when Slack delivers the same submission twice", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);
    await h.command(villager, "request");
    const modal = h.lastModal() as unknown as ModalShape;
    const submission = h.payloads.submission(villager, modal.callback_id, {
      kind: { type: "static_select", selected_option: { value: "problem" } },
      category: { type: "static_select", selected_option: { value: "power" } },
      text: { type: "plain_text_input", value: "路灯坏了" },
      photos: { type: "file_input", files: [] },
    });

    await h.deliver(submission);
    await h.deliver(submission);

    expect((await h.requestsOf(villager)).length).toBe(1);
  });

  it("asks in messages instead when Slack will not open the form (the trigger expired)", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);
    h.fake.fail("views.open", "expired_trigger_id");

    await h.command(villager, "request");

    expect(h.lastPosted(villager.id)?.text).toBe(h.say("intake.ask_kind"));
  });

  it("opens the topic form with /shangliang propose", async () => {
    h = await createSlackHarness();
    await villageWithVillager(h);

    await h.command(villager, "propose");

    const modal = h.lastModal() as unknown as ModalShape;
    expect([modal.callback_id, modal.blocks.map((block) => block.block_id)]).toEqual([
      "form:topic",
      ["title", "text", "photos"],
    ]);
  });
});
