import { beforeEach, describe, expect, it } from "vitest";
import { Conversations } from "../../src/app/tables.js";
import { Requests } from "../../src/features/requests/index.js";
import { seedVillage as seedOtherVillage } from "../support/village.js";
import { createHarness, fileRequest, type Harness, seedVillage } from "./harness.js";

let h: Harness;
let people: Awaited<ReturnType<typeof seedVillage>>;

beforeEach(async () => {
  h = await createHarness();
  people = await seedVillage(h);
});

async function stored(id: string) {
  return h.store.transaction((tx) => tx.get(Requests, id));
}

async function acceptAs(ownerId: string, id: string) {
  await h.send(people.secretary.id, { type: "button", data: `trf:${id}` });
  await h.send(people.secretary.id, { type: "button", data: `own:${id}:${ownerId}` });
}

describe("submitting a request", () => {
  it("gives the villager a tracking number per village and year", async () => {
    const first = await fileRequest(h, people.villager.id);
    const second = await fileRequest(h, people.neighbour.id, "水管漏水");
    expect([first, second]).toEqual(["DF-2026-0001", "DF-2026-0002"]);
  });

  it("tells the villager when it will be answered and resolved", async () => {
    await fileRequest(h, people.villager.id);
    const receipt = h.messages(people.villager.id).find((m) => m.text.startsWith("已收到您的诉求"));
    expect(receipt?.text).toContain("2026-11-24 24:00前答复，2026-12-14 24:00前办结");
  });

  it("notifies the secretary and the grid worker who owns the category, each with their button", async () => {
    await fileRequest(h, people.villager.id);
    const notices = [people.secretary.id, people.worker.id, people.otherWorker.id].map((id) =>
      h
        .messages(id)
        .some(
          (m) =>
            m.text.includes("新诉求DF-2026-0001") &&
            h
              .buttonsOf(m.entry.message)
              .some((key) => key === "requests.action.take" || key === "requests.action.assign"),
        ),
    );
    expect(notices).toEqual([true, true, false]);
  });

  it("keeps the photo and location sent with it", async () => {
    await h.send(people.villager.id, { type: "command", command: "request" });
    await h.send(people.villager.id, { type: "button", data: "k:problem" });
    await h.send(people.villager.id, { type: "button", data: "c:power" });
    await h.send(people.villager.id, { type: "photo", fileRef: "lamp.jpg", caption: "路灯不亮" });
    await h.send(people.villager.id, { type: "location", lat: 43.37, lng: 128.2 });
    await h.press(people.villager.id, "intake.submit");
    const request = await stored("DF-2026-0001");
    expect([request?.text, request?.attachments.map((a) => a.fileRef), request?.location?.lat]).toEqual([
      "路灯不亮",
      ["lamp.jpg"],
      43.37,
    ]);
  });

  it("shows the photo to the people who act on it, not again in the villager's own updates", async () => {
    await h.send(people.villager.id, { type: "command", command: "request" });
    await h.send(people.villager.id, { type: "button", data: "k:problem" });
    await h.send(people.villager.id, { type: "button", data: "c:roads" });
    await h.send(people.villager.id, { type: "photo", fileRef: "road.jpg", caption: "路被冲坏了" });
    await h.press(people.villager.id, "intake.submit");
    const photoIn = (memberId: string) =>
      h
        .messages(memberId)
        .some((m) => m.entry.message.attachments?.some((a) => a.fileRef === "road.jpg") === true);
    expect([photoIn(people.secretary.id), photoIn(people.worker.id), photoIn(people.villager.id)]).toEqual([
      true,
      true,
      false,
    ]);
  });

  it("records a grid worker's proxy errand as filed for the villager", async () => {
    await h.send(people.worker.id, { type: "button", data: `pf:${people.villager.id}` });
    await h.send(people.worker.id, { type: "button", data: "k:errand" });
    await h.send(people.worker.id, { type: "button", data: "c:policy" });
    await h.send(people.worker.id, { type: "text", text: "帮张大爷问养老保险补缴" });
    await h.press(people.worker.id, "intake.submit");
    const request = await stored("DF-2026-0001");
    expect([
      request?.requesterId,
      request?.filedById,
      h.messages(people.villager.id).some((m) => m.text.includes("由王网格代张大爷提交")),
    ]).toEqual([people.villager.id, people.worker.id, true]);
  });

  it("refuses a proxy errand from a villager", async () => {
    const outcome = await h.send(people.villager.id, { type: "button", data: `pf:${people.neighbour.id}` });
    expect(outcome.notice?.key).toBe("refusal.not_allowed");
  });

  it("refuses text over 2000 characters and keeps the form open", async () => {
    await h.send(people.villager.id, { type: "command", command: "request" });
    await h.send(people.villager.id, { type: "button", data: "k:problem" });
    await h.send(people.villager.id, { type: "button", data: "c:roads" });
    const outcome = await h.send(people.villager.id, { type: "text", text: "长".repeat(2001) });
    const conversation = await h.store.transaction((tx) =>
      tx.get(Conversations, `local:${people.villager.id}`),
    );
    const step = conversation?.steps.at(-1);
    expect([outcome.notice?.key, step?.name, (step?.data as { stage?: string } | undefined)?.stage]).toEqual([
      "refusal.text_too_long",
      "intake.draft",
      "text",
    ]);
  });

  it("cancels the form without filing anything", async () => {
    await h.send(people.villager.id, { type: "command", command: "request" });
    await h.press(people.villager.id, "action.cancel");
    const mine = await h.store.transaction((tx) =>
      tx.find(Requests, "requester", `${people.village.id}/${people.villager.id}`),
    );
    expect([mine.length, h.last(people.villager.id)?.text]).toEqual([0, expect.stringContaining("已取消")]);
  });

  it("refuses to submit twice when the submit button is pressed again", async () => {
    await fileRequest(h, people.villager.id);
    const again = await h.press(people.villager.id, "intake.submit");
    const mine = await h.store.transaction((tx) =>
      tx.find(Requests, "requester", `${people.village.id}/${people.villager.id}`),
    );
    expect([again.notice?.key, mine.length]).toEqual(["intake.refusal.no_draft", 1]);
  });
});

describe("the whole loop", () => {
  it("goes submitted → accepted → in progress → resolved → rated with a timeline entry for each", async () => {
    const id = await fileRequest(h, people.villager.id);
    await acceptAs(people.worker.id, id);
    await h.press(people.worker.id, "requests.action.progress");
    await h.send(people.worker.id, { type: "text", text: "已联系电工，明天来修" });
    await h.press(people.worker.id, "requests.action.resolve");
    await h.send(people.worker.id, { type: "text", text: "换了新灯泡" });
    await h.press(people.villager.id, "requests.rating.satisfied");
    const request = await stored(id);
    expect([request?.state, request?.rating, request?.timeline.map((e) => e.action)]).toEqual([
      "rated",
      "satisfied",
      ["submitted", "assigned", "progress", "resolved", "rated"],
    ]);
  });

  it("tells the villager of every change", async () => {
    const id = await fileRequest(h, people.villager.id);
    await acceptAs(people.worker.id, id);
    await h.press(people.worker.id, "requests.action.resolve");
    await h.send(people.worker.id, { type: "text", text: "换了新灯泡" });
    const texts = h.messages(people.villager.id).map((m) => m.text.split("\n")[0]);
    expect(texts.filter((line) => line?.includes(id))).toEqual([
      `已收到您的诉求，编号${id}。`,
      `诉求${id}已派给王网格办理。`,
      `诉求${id}已办结：换了新灯泡`,
    ]);
  });

  it("lets the grid worker who owns the category accept it directly", async () => {
    const id = await fileRequest(h, people.villager.id);
    await h.send(people.worker.id, { type: "button", data: `acc:${id}` });
    expect((await stored(id))?.ownerId).toBe(people.worker.id);
  });

  it("refuses acceptance by a grid worker who does not own the category", async () => {
    const id = await fileRequest(h, people.villager.id);
    const outcome = await h.send(people.otherWorker.id, { type: "button", data: `acc:${id}` });
    expect([outcome.notice?.key, (await stored(id))?.state]).toEqual([
      "requests.refusal.not_your_category",
      "submitted",
    ]);
  });

  it("refuses a villager pressing a secretary's button", async () => {
    const id = await fileRequest(h, people.villager.id);
    const outcome = await h.send(people.neighbour.id, {
      type: "button",
      data: `own:${id}:${people.neighbour.id}`,
    });
    expect([outcome.notice?.key, (await stored(id))?.state]).toEqual([
      "requests.refusal.no_such_request",
      "submitted",
    ]);
  });

  it("hides a request from another village's secretary", async () => {
    const id = await fileRequest(h, people.villager.id);
    const other = await seedOtherVillage(h.app, { village: "向阳村", code: "XY" });
    const outcome = await h.send(other.secretary.id, { type: "button", data: `v:${id}` });
    expect(outcome.notice).toMatchObject({ key: "requests.refusal.no_such_request", params: { id } });
  });

  it("refuses to rate twice", async () => {
    const id = await fileRequest(h, people.villager.id);
    await acceptAs(people.worker.id, id);
    await h.press(people.worker.id, "requests.action.resolve");
    await h.send(people.worker.id, { type: "text", text: "修好了" });
    await h.press(people.villager.id, "requests.rating.satisfied");
    const again = await h.send(people.villager.id, { type: "button", data: `r:${id}:m` });
    expect([again.notice?.key, (await stored(id))?.rating]).toEqual([
      "requests.refusal.already_rated",
      "satisfied",
    ]);
  });

  it("reopens on 不满意 with the villager's reason and tells the owner", async () => {
    const id = await fileRequest(h, people.villager.id);
    await acceptAs(people.worker.id, id);
    await h.press(people.worker.id, "requests.action.resolve");
    await h.send(people.worker.id, { type: "text", text: "修好了" });
    await h.press(people.villager.id, "requests.rating.not_satisfied");
    await h.send(people.villager.id, { type: "text", text: "晚上还是不亮" });
    const request = await stored(id);
    const ownerTold = h
      .messages(people.worker.id)
      .some((m) => m.text.includes(`诉求${id}评价为不满意，已重新办理。原因：晚上还是不亮`));
    expect([request?.state, ownerTold]).toEqual(["in_progress", true]);
  });

  it("refuses to act on a closed request", async () => {
    const id = await fileRequest(h, people.villager.id);
    await h.send(people.secretary.id, { type: "button", data: `dec:${id}` });
    await h.send(people.secretary.id, { type: "text", text: "不属于村里管，请找供电所" });
    const outcome = await h.send(people.secretary.id, { type: "button", data: `res:${id}` });
    expect(outcome.notice?.key).toBe("requests.refusal.not_open");
  });

  it("shows the villager the reason a request was declined", async () => {
    const id = await fileRequest(h, people.villager.id);
    await h.send(people.secretary.id, { type: "button", data: `dec:${id}` });
    await h.send(people.secretary.id, { type: "text", text: "请找供电所" });
    expect(
      h.messages(people.villager.id).some((m) => m.text.includes(`诉求${id}不予受理。原因：请找供电所`)),
    ).toBe(true);
  });

  it("merges a duplicate into the request that carries on", async () => {
    const first = await fileRequest(h, people.villager.id);
    const duplicate = await fileRequest(h, people.neighbour.id, "路灯坏了");
    await h.send(people.secretary.id, { type: "button", data: `mrg:${duplicate}` });
    await h.send(people.secretary.id, { type: "text", text: first.toLowerCase() });
    const [merged, target] = [await stored(duplicate), await stored(first)];
    expect([merged?.state, merged?.mergedInto, target?.timeline.at(-1)?.action]).toEqual([
      "merged",
      first,
      "merged_in",
    ]);
  });

  it("keeps asking when the merge target does not exist", async () => {
    const id = await fileRequest(h, people.villager.id);
    await h.send(people.secretary.id, { type: "button", data: `mrg:${id}` });
    const outcome = await h.send(people.secretary.id, { type: "text", text: "DF-2026-9999" });
    const conversation = await h.store.transaction((tx) =>
      tx.get(Conversations, `local:${people.secretary.id}`),
    );
    expect([outcome.notice?.key, conversation?.steps.at(-1)?.name]).toEqual([
      "requests.refusal.no_such_request",
      "requests.merge",
    ]);
  });

  it("transfers to another grid worker and tells the new owner", async () => {
    const id = await fileRequest(h, people.villager.id);
    await acceptAs(people.worker.id, id);
    await h.send(people.secretary.id, { type: "button", data: `trf:${id}` });
    await h.send(people.secretary.id, { type: "button", data: `own:${id}:${people.otherWorker.id}` });
    const told = h.messages(people.otherWorker.id).some((m) => m.text.includes(`诉求${id}转给您办理了`));
    expect([(await stored(id))?.ownerId, told]).toEqual([people.otherWorker.id, true]);
  });

  it("extends once with a reason the villager sees, and refuses a second extension", async () => {
    const id = await fileRequest(h, people.villager.id);
    await acceptAs(people.worker.id, id);
    await h.press(people.worker.id, "requests.action.extend");
    await h.send(people.worker.id, { type: "text", text: "等路灯配件" });
    const second = await h.send(people.worker.id, { type: "button", data: `ext:${id}` });
    const villagerSaw = h.messages(people.villager.id).some((m) => m.text.includes("原因：等路灯配件"));
    expect([(await stored(id))?.extended, villagerSaw, second.notice?.key]).toEqual([
      true,
      true,
      "requests.refusal.extension_used",
    ]);
  });
});

describe("delivery and input at the edge", () => {
  it("changes nothing when the same event arrives twice", async () => {
    const id = await fileRequest(h, people.villager.id);
    await h.send(people.secretary.id, { type: "button", data: `trf:${id}` }, { eventId: "same" });
    await h.send(
      people.secretary.id,
      { type: "button", data: `own:${id}:${people.worker.id}` },
      { eventId: "assign-1" },
    );
    const before = h.messages(people.villager.id).length;
    const again = await h.send(
      people.secretary.id,
      { type: "button", data: `own:${id}:${people.worker.id}` },
      { eventId: "assign-1" },
    );
    expect([
      again.status,
      h.messages(people.villager.id).length,
      (await stored(id))?.timeline.length,
    ]).toEqual(["duplicate", before, 2]);
  });

  it("ignores a malformed event", async () => {
    const outcome = await h.app.handle({ eventId: "x", channel: "fax", input: { type: "text" } });
    expect(outcome.status).toBe("invalid");
  });

  it("answers a garbage button with a way back to the menu", async () => {
    const outcome = await h.send(people.villager.id, { type: "button", data: "no:such:thing:here" });
    expect([
      outcome.notice?.key,
      h.buttonsOf(h.last(people.villager.id)?.entry.message ?? { lines: [] }),
    ]).toEqual(["refusal.stale_button", ["menu.back_to_menu"]]);
  });
});

describe("lists", () => {
  it("shows a villager only their own requests", async () => {
    await fileRequest(h, people.villager.id);
    await fileRequest(h, people.neighbour.id, "水管漏水");
    await h.send(people.villager.id, { type: "command", command: "my" });
    const list = h.last(people.villager.id)?.text ?? "";
    expect([list.includes("DF-2026-0001"), list.includes("DF-2026-0002")]).toEqual([true, false]);
  });

  it("puts the reddest request first in the secretary's work list", async () => {
    await fileRequest(h, people.villager.id);
    h.advanceHours(24 * 3);
    await fileRequest(h, people.neighbour.id, "水管漏水");
    await h.send(people.secretary.id, { type: "command", command: "work" });
    const lines = (h.last(people.secretary.id)?.text ?? "").split("\n");
    expect(lines.slice(1)).toEqual([
      "🔴 DF-2026-0001 道路交通（待接单）",
      "🟢 DF-2026-0002 道路交通（待接单）",
    ]);
  });

  it("refuses the work list to a villager", async () => {
    const outcome = await h.send(people.villager.id, { type: "command", command: "work" });
    expect(outcome.notice?.key).toBe("refusal.not_allowed");
  });
});
