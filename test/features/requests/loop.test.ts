import { beforeEach, describe, expect, it } from "vitest";
import { Conversations } from "../../../src/app/tables.js";
import { workingCalendar } from "../../../src/domain/calendar.js";
import { Requests } from "../../../src/features/requests/index.js";
import { createHarness, fileRequest, type Harness, seedVillage } from "../../app/harness.js";
import type { SeededVillage } from "../../support/village.js";

let h: Harness;
let people: SeededVillage;

beforeEach(async () => {
  h = await createHarness();
  people = await seedVillage(h);
});

const stored = (id: string) => h.store.transaction((tx) => tx.get(Requests, id));
const press = (userId: string, data: string) => h.send(userId, { type: "button", data });
const say = (userId: string, text: string) => h.send(userId, { type: "text", text });
const linesOf = (userId: string) => h.messages(userId).map((m) => m.text.split("\n")[0] ?? "");

async function takenBy(ownerId: string): Promise<string> {
  const id = await fileRequest(h, people.villager.id);
  await press(ownerId, `acc:${id}`);
  return id;
}

async function resolved(): Promise<string> {
  const id = await takenBy(people.worker.id);
  await press(people.worker.id, `res:${id}`);
  await say(people.worker.id, "换了新灯泡");
  return id;
}

describe("resolving (办结) with an after photo", () => {
  it("keeps a photo sent after 🏁办结 with the resolution", async () => {
    const id = await takenBy(people.worker.id);
    await press(people.worker.id, `res:${id}`);

    const photo = await h.send(people.worker.id, { type: "photo", fileRef: "after.jpg" });
    await say(people.worker.id, "换了新灯泡");

    const entry = (await stored(id))?.timeline.at(-1);
    expect([photo.notice?.key, entry?.action, entry?.attachments?.map((a) => a.fileRef)]).toEqual([
      "requests.note.attached",
      "resolved",
      ["after.jpg"],
    ]);
  });

  it("shows the villager the after photo with the news", async () => {
    const id = await takenBy(people.worker.id);
    await press(people.worker.id, `res:${id}`);
    await h.send(people.worker.id, { type: "photo", fileRef: "after.jpg", caption: "修好了" });

    const news = h.messages(people.villager.id).find((m) => m.text.startsWith(`诉求${id}已办结：修好了`));

    expect(news?.entry.message.attachments?.map((a) => a.fileRef)).toEqual(["after.jpg"]);
  });

  it("keeps saying the typed limit after a photo, while the words are still to come", async () => {
    const id = await takenBy(people.worker.id);
    await press(people.worker.id, `res:${id}`);

    await h.send(people.worker.id, { type: "photo", fileRef: "after.jpg" });

    expect(h.last(people.worker.id)?.entry.message.inputMax).toBe(500);
  });

  it("keeps saying the typed limit when an answer is refused", async () => {
    const id = await takenBy(people.worker.id);
    await press(people.worker.id, `res:${id}`);

    await say(people.worker.id, "长".repeat(501));

    expect(h.last(people.worker.id)?.entry.message.inputMax).toBe(500);
  });

  it("asks for the typed limit with the question, so the page can show it before typing", async () => {
    const id = await takenBy(people.worker.id);

    await press(people.worker.id, `res:${id}`);

    expect(h.last(people.worker.id)?.entry.message.inputMax).toBe(500);
  });
});

describe("words for the person who reads them", () => {
  it("asks only the villager to rate, with the buttons to do it", async () => {
    const id = await resolved();

    const villager = h.messages(people.villager.id).find((m) => m.text.startsWith(`诉求${id}已办结`));
    const worker = h.messages(people.worker.id).find((m) => m.text.startsWith(`诉求${id}已办结`));

    expect([
      villager?.text.includes("请点下面的按钮评价"),
      h.buttonsOf(villager?.entry.message ?? { lines: [] }).includes("requests.rating.satisfied"),
      worker?.text.includes("请点下面的按钮评价"),
      worker?.text.includes("正在等村民评价"),
    ]).toEqual([true, true, false, true]);
  });

  it("tells the villager, not the secretary, to talk to the secretary about a decline", async () => {
    const id = await fileRequest(h, people.villager.id);
    await press(people.secretary.id, `dec:${id}`);
    await say(people.secretary.id, "请找供电所");

    const told = (userId: string) =>
      h
        .messages(userId)
        .find((m) => m.text.startsWith(`诉求${id}不予受理`))
        ?.text.includes("直接找书记");

    expect([told(people.villager.id), told(people.secretary.id)]).toEqual([true, false]);
  });

  it("gives the villager a way on from a receipt a grid worker filed for them", async () => {
    await press(people.worker.id, `pf:${people.villager.id}`);
    await press(people.worker.id, "k:errand");
    await press(people.worker.id, "c:policy");
    await say(people.worker.id, "帮张大爷问养老保险补缴");
    await press(people.worker.id, "d:ok");

    const receipt = h.messages(people.villager.id).find((m) => m.text.startsWith("已收到您的诉求"));

    expect(h.buttonsOf(receipt?.entry.message ?? { lines: [] })).toEqual([
      "requests.action.my",
      "menu.back_to_menu",
    ]);
  });
});

describe("派单, 接单 and 转办", () => {
  it("tells the new owner the request is theirs when they press a stale 接单 after being assigned", async () => {
    const id = await fileRequest(h, people.villager.id);
    await press(people.secretary.id, `own:${id}:${people.worker.id}`);

    const stale = await press(people.worker.id, `acc:${id}`);

    expect([stale.notice?.key, (await stored(id))?.timeline.length]).toEqual(["notice.done", 2]);
    expect(h.last(people.worker.id)?.text.startsWith("这件诉求已经由您负责了。")).toBe(true);
  });

  it("shows the secretary 派单 on a new request and 转办 once someone has it", async () => {
    const id = await fileRequest(h, people.villager.id);
    const before = h.buttonsOf(h.last(people.secretary.id)?.entry.message ?? { lines: [] });
    await press(people.worker.id, `acc:${id}`);

    const after = h.buttonsOf(h.last(people.secretary.id)?.entry.message ?? { lines: [] });

    expect([before.includes("requests.action.assign"), after.includes("requests.action.reassign")]).toEqual([
      true,
      true,
    ]);
  });
});

describe("what the secretary hears", () => {
  it("tells the secretary when a villager rates a request 不满意", async () => {
    const id = await resolved();
    await press(people.villager.id, `r:${id}:n`);
    await say(people.villager.id, "晚上还是不亮");

    expect(linesOf(people.secretary.id)).toContain(
      `请注意：诉求${id}评价为不满意，已重新办理，负责人：王网格。原因：晚上还是不亮`,
    );
  });

  it("tells the secretary and the owner once when a request turns red", async () => {
    const id = await takenBy(people.worker.id);
    h.advanceHours(24 * 30);

    await h.app.runJobs();
    await h.app.runJobs();
    await h.drain();

    const count = (userId: string, start: string) =>
      linesOf(userId).filter((line) => line.startsWith(start)).length;
    expect([
      count(people.secretary.id, `🔴 诉求${id}`),
      count(people.worker.id, `🔴 您负责的诉求${id}`),
    ]).toEqual([1, 1]);
  });

  it("tells the secretary again when a reopened request turns red again", async () => {
    const id = await takenBy(people.worker.id);
    h.advanceHours(24 * 30);
    await h.app.runJobs();
    await press(people.worker.id, `res:${id}`);
    await say(people.worker.id, "修好了");
    await press(people.villager.id, `r:${id}:n`);
    await say(people.villager.id, "还是不亮");
    h.advanceHours(24 * 30);

    await h.app.runJobs();
    await h.drain();

    expect(linesOf(people.secretary.id).filter((line) => line.startsWith(`🔴 诉求${id}`)).length).toBe(2);
  });
});

describe("lists", () => {
  it("pages through a villager's requests, ten at a time, newest first", async () => {
    for (let i = 0; i < 12; i++) await fileRequest(h, people.villager.id, `第${i + 1}件事`);
    await h.send(people.villager.id, { type: "command", command: "my" });
    const first = h.last(people.villager.id)?.text.split("\n") ?? [];

    await h.press(people.villager.id, "requests.page.older");
    const second = h.last(people.villager.id)?.text.split("\n") ?? [];

    expect([first.length - 1, first[1], second.length - 1, second.at(-1)]).toEqual([
      10,
      "🟢 DF-2026-0012 道路交通（待接单）",
      2,
      "🟢 DF-2026-0001 道路交通（待接单）",
    ]);
  });

  it("shows a request to someone who types its number and may see it", async () => {
    const id = await fileRequest(h, people.villager.id);

    await say(people.villager.id, id.toLowerCase());

    expect(h.last(people.villager.id)?.text).toContain(`诉求编号：${id}`);
  });

  it("refuses a typed number to someone who may not see it", async () => {
    const id = await fileRequest(h, people.villager.id);

    const outcome = await say(people.neighbour.id, id);

    expect(outcome.notice?.key).toBe("requests.refusal.no_such_request");
  });

  it("lists every request for the secretary, filtered by state", async () => {
    const done = await resolved();
    await press(people.villager.id, `r:${done}:s`);
    const open = await fileRequest(h, people.neighbour.id, "水管漏水");

    await press(people.secretary.id, "led:a:m:0");
    const all = h.last(people.secretary.id)?.text ?? "";
    await press(people.secretary.id, "led:d:m:0");
    const rated = h.last(people.secretary.id)?.text ?? "";

    expect([all.includes(done), all.includes(open), rated.includes(done), rated.includes(open)]).toEqual([
      true,
      true,
      true,
      false,
    ]);
  });

  it("counts a request waiting for its rating apart from the open ones in /stats", async () => {
    await resolved();
    await fileRequest(h, people.neighbour.id, "水管漏水");

    await h.send(people.villager.id, { type: "command", command: "stats" });

    expect(h.last(people.villager.id)?.text).toBe(
      "东风村当前在办诉求1件：🟢1件，🟡0件（快到期），🔴0件（已超期）；办结待评价1件。",
    );
  });
});

describe("language", () => {
  it("keeps the request form going when the person switches language in the middle", async () => {
    await h.send(people.villager.id, { type: "command", command: "request" });
    await press(people.villager.id, "k:problem");
    await press(people.villager.id, "c:roads");

    await press(people.villager.id, "l:en");
    await say(people.villager.id, "The lamp is broken");
    await h.press(people.villager.id, "intake.submit");

    const request = await stored("DF-2026-0001");
    expect([request?.text, h.last(people.villager.id)?.text.split("\n")[0]]).toEqual([
      "The lamp is broken",
      "We have your request, number DF-2026-0001.",
    ]);
  });

  it("asks the question again in the new language", async () => {
    await h.send(people.villager.id, { type: "command", command: "request" });

    await press(people.villager.id, "l:en");

    const conversation = await h.store.transaction((tx) =>
      tx.get(Conversations, `local:${people.villager.id}`),
    );
    expect([conversation?.steps.at(-1)?.name, h.last(people.villager.id)?.text]).toEqual([
      "intake.draft",
      "What would you like to do? Pick one:",
    ]);
  });
});

describe("the working-day calendar", () => {
  it("tells each secretary once when the calendar does not cover this year", async () => {
    await h.app.runJobs();
    await h.app.runJobs();
    await h.drain();

    expect(
      linesOf(people.secretary.id).filter((line) => line.startsWith("⚠ 工作日日历里还没有2026年")).length,
    ).toBe(1);
  });

  it("says nothing when the calendar covers this year", async () => {
    const covered = await createHarness("2026-11-23T02:00:00Z", {
      calendar: workingCalendar("Asia/Shanghai", { holidays: [], workdays: [], years: [2026] }),
    });
    const village = await seedVillage(covered);

    await covered.app.runJobs();
    await covered.drain();

    expect(covered.messages(village.secretary.id).some((m) => m.text.startsWith("⚠"))).toBe(false);
  });
});
