import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTask } from "node-cron";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { App } from "../../src/app/create-app.js";
import { inUnit, localGroupChat } from "../../src/app/deps.js";
import type { OutboxEntry } from "../../src/app/ports.js";
import { formatLocal, workingCalendar } from "../../src/domain/calendar.js";
import type { Member } from "../../src/domain/model.js";
import { isQuietTime, parseQuietHours } from "../../src/domain/quiet.js";
import { openPollIn, voteIn } from "../../src/features/polls/use-cases.js";
import { noteIn, rateRequestIn, submitRequestIn } from "../../src/features/requests/index.js";
import { takeRequestIn } from "../../src/features/requests/use-cases.js";
import { createDispatcher, type Dispatcher } from "../../src/outbox/dispatcher.js";
import { openLowdbStore } from "../../src/store/lowdb/index.js";
import { createTestApp, manualSchedule } from "../support/app.js";
import { yesNoPoll } from "../support/polls.js";
import { type SeededVillage, seedVillage } from "../support/village.js";

/**
 * A whole month of a village driven through the clock port, on a lowdb folder: requests crossing their
 * deadlines (one across a holiday), a poll closing, the bot down for twelve hours in the middle, and the
 * monthly tallies at both ends. Every job runs at the minutes its cron names, as node-cron would run it.
 */

const ZONE = "Asia/Shanghai";
/** Monday 7 December is a holiday in this town's calendar. */
const calendar = workingCalendar(ZONE, { holidays: ["2026-12-07"], workdays: [] });
const quiet = parseQuietHours("22:00-07:00");
const TICK_MS = 10 * 60_000;

/** What the jobs and the people's doings sent, as the reader got it: when, to whom, which sentence. */
interface Seen {
  at: string;
  to: string;
  key: string;
}

let dir: string;
let now = new Date("2026-11-23T02:00:00Z");
const clock = { now: () => now };
let app: App;
let schedule: ReturnType<typeof manualSchedule>;
let dispatcher: Dispatcher;
let people: SeededVillage;
const seen: Seen[] = [];
const chatNames = new Map<string, string>();

const local = (text: string) => new Date(`${text}+08:00`);

async function start(): Promise<void> {
  schedule = manualSchedule();
  app = await createTestApp({
    clock,
    calendar,
    schedule,
    openStore: (tables) => openLowdbStore(dir, { tables, clock }),
  });
  dispatcher = createDispatcher({
    outbox: app.store,
    senders: new Map([["local", { send: async (entry: OutboxEntry) => record(entry) }]]),
    clock,
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    ...(quiet === undefined ? {} : { holdBulk: (at: Date) => isQuietTime(at, ZONE, quiet) }),
  });
}

/** The texts of the tallies, as the group and the town read them. */
const tallies: string[] = [];

function record(entry: OutboxEntry) {
  const key = entry.message.lines[0]?.key ?? "";
  if (key === "tally.title" || key === "tally.town.title")
    tallies.push(entry.message.lines.map((line) => app.translate(line, "zh-CN")).join("\n"));
  seen.push({
    at: formatLocal(now, ZONE),
    to: chatNames.get(entry.target.chatId) ?? entry.target.chatId,
    key,
  });
  return { ref: entry.id };
}

async function stop(): Promise<void> {
  await dispatcher.stop();
  await app.close();
}

/** Runs what the cron schedule would run at this minute, then delivers what is due. */
async function tick(runAll = false): Promise<void> {
  for (const [name, job] of schedule.jobs) {
    const task = createTask(job.cron, () => undefined, { timezone: ZONE, name: `month-${name}` });
    const due = runAll || task.match(now);
    await task.destroy();
    if (due) await job.run(now);
  }
  await dispatcher.flush();
}

/** Moves the clock on in 10-minute steps up to `until`, doing what the cron schedule would do at each. */
async function runUntil(until: string): Promise<void> {
  const end = local(until).getTime();
  while (now.getTime() + TICK_MS <= end) {
    now = new Date(now.getTime() + TICK_MS);
    await tick();
  }
}

function unit<T>(work: Parameters<typeof inUnit<T>>[1]): Promise<T> {
  return inUnit(app.deps, work);
}

function expectOk<T>(result: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!result.ok) throw new Error(result.reason);
  return result.value;
}

async function file(requester: Member, categoryId: string): Promise<string> {
  const filed = await unit((u) =>
    submitRequestIn(u, {
      villageId: people.village.id,
      requesterId: requester.id,
      filedById: requester.id,
      kind: "problem",
      categoryId,
      text: categoryId === "power" ? "三组路灯坏了" : "村口的路塌了一块",
      attachments: [],
      channel: "local",
    }),
  );
  return expectOk(filed).id;
}

/** The month as the village and the town lived it, job-sent messages only, in the order they went out. */
const JOB_KEYS = new Set([
  "tally.title",
  "tally.town.title",
  "requests.notify.yellow",
  "requests.notify.yellow_owner",
  "requests.notify.red",
  "requests.notify.red_owner",
  "requests.notify.town",
  "requests.notify.rate_reminder",
  "polls.remind.private",
  "polls.remind.group",
  "polls.result.title",
]);

let lampId = "";
let roadId = "";

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "shangliang-month-"));
  await start();
  people = await seedVillage(app);
  chatNames.set(localGroupChat(people.village.id), "group");
  chatNames.set("town-chat", "town");
  for (const [role, member] of Object.entries(people)) if ("role" in member) chatNames.set(member.id, role);
  await app.handle({
    eventId: "bind-town",
    channel: "local",
    userId: people.secretary.id,
    chat: { kind: "group", chatId: "town-chat" },
    input: { type: "command", command: "setup", args: "town" },
  });
  await dispatcher.flush();
  seen.length = 0;

  now = local("2026-12-01T08:00:00");
  await runUntil("2026-12-01T10:00:00");
  lampId = await file(people.villager, "power");
  roadId = await file(people.neighbour, "roads");
  const poll = expectOk(await unit((u) => openPollIn(u, people.secretary, yesNoPoll())));
  await runUntil("2026-12-01T11:00:00");
  expectOk(await unit((u) => takeRequestIn(u, people.otherWorker, lampId)));
  await runUntil("2026-12-02T09:00:00");
  expectOk(await unit((u) => voteIn(u, people.villager, poll.id, 0)));
  await runUntil("2026-12-14T10:00:00");
  expectOk(await unit((u) => noteIn(u, people.otherWorker, lampId, "resolve", "换了新灯泡", [])));
  await runUntil("2026-12-15T08:00:00");

  // Down from 08:00 to 20:00: what fell due meanwhile is sent once at start, as the cron schedule does.
  await stop();
  now = local("2026-12-15T20:00:00");
  await start();
  await tick(true);

  await runUntil("2026-12-16T10:00:00");
  expectOk(await unit((u) => rateRequestIn(u, people.villager, lampId, "satisfied", undefined)));
  await runUntil("2027-01-01T10:00:00");
}, 300_000);

afterAll(async () => {
  await stop();
  await rm(dir, { recursive: true, force: true });
});

describe("a month of a village, driven by the clock", () => {
  it("sends exactly the reminders, alerts, results and tallies due, each once, at their times", () => {
    const byJobs = seen.filter((one) => JOB_KEYS.has(one.key)).map(({ at, to, key }) => `${at} ${to} ${key}`);

    expect([lampId, roadId]).toEqual(["DF-2026-0001", "DF-2026-0002"]);
    expect(byJobs).toEqual([
      "2026-12-01 09:00 group tally.title",
      "2026-12-01 09:00 town tally.town.title",
      // The road request: nobody answered it by the end of the next working day (12-02).
      "2026-12-02 16:30 secretary requests.notify.yellow",
      "2026-12-03 07:00 secretary requests.notify.red",
      // The poll closes 12-04 10:00: a day before, those who have not voted hear of it.
      "2026-12-03 10:00 secretary polls.remind.private",
      "2026-12-03 10:00 worker polls.remind.private",
      "2026-12-03 10:00 otherWorker polls.remind.private",
      "2026-12-03 10:00 neighbour polls.remind.private",
      "2026-12-04 10:00 group polls.result.title",
      // Red 5 working days after 12-02 (Monday 12-07 a holiday): the town at 00:00, held to the quiet hours' end.
      "2026-12-11 07:00 town requests.notify.town",
      // The lamp: 7 working days from 12-01 end on 12-11, the holiday skipped; yellow and red at night wait.
      "2026-12-11 07:00 otherWorker requests.notify.yellow_owner",
      "2026-12-12 07:00 secretary requests.notify.red",
      "2026-12-12 07:00 otherWorker requests.notify.red_owner",
      // Resolved 12-14 10:00; the day after, the bot was down: the reminder goes once, when it is back.
      "2026-12-15 20:00 villager requests.notify.rate_reminder",
      "2027-01-01 09:00 group tally.title",
      "2027-01-01 09:00 town tally.town.title",
    ]);
  });

  it("publishes December's figures as the month went: 2 received, 1 answered on time, 1 of 2 due resolved", () => {
    const december = tallies.find((text) => text.startsWith("📊 东风村2026年12月晾晒"));

    expect(december?.split("\n").slice(1, 8)).toEqual([
      "收到诉求2件（反映问题2）",
      "按类别：电力路灯1、道路交通1",
      "按时响应率：50%（1/2）",
      "办结率：50%（1/2）",
      "满意率：100%（1/1，另有0件办结后3天未评价，不算满意）",
      "🔴 红灯（超期未办结）：2件",
      "议题：新提0个，列入议程0个；开会0次；投票1次，平均参与20%；决议：新定0个，落实0个",
    ]);
  });
});
