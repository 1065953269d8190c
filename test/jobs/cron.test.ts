import { describe, expect, it } from "vitest";
import { createCronSchedule } from "../../src/jobs/cron.js";
import type { Logger } from "../../src/outbox/dispatcher.js";
import { createTestApp, manualSchedule } from "../support/app.js";

function recordingLogger(): Logger & { errors: string[] } {
  const errors: string[] = [];
  return {
    errors,
    info: () => {},
    warn: () => {},
    error: (message, data) => errors.push(`${message} ${JSON.stringify(data)}`),
  };
}

const clock = { now: () => new Date("2026-12-01T01:00:00Z") };

describe("the cron schedule", () => {
  it("runs every job once at start, so what was missed while the bot was down is caught up", async () => {
    const schedule = createCronSchedule({ timeZone: "Asia/Shanghai", clock, logger: recordingLogger() });
    const runs: Date[] = [];
    schedule.add("tally", "0 9 1 * *", async (now) => {
      runs.push(now);
    });

    await schedule.start();
    await schedule.stop();

    expect(runs).toEqual([clock.now()]);
  });

  it("runs a job again at its time", async () => {
    const schedule = createCronSchedule({ timeZone: "Asia/Shanghai", clock, logger: recordingLogger() });
    let runs = 0;
    schedule.add("every-second", "* * * * * *", async () => {
      runs++;
    });

    await schedule.start();
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    await schedule.stop();

    expect(runs).toBeGreaterThanOrEqual(2);
  });

  it("logs a failing job and goes on with the others", async () => {
    const logger = recordingLogger();
    const schedule = createCronSchedule({ timeZone: "Asia/Shanghai", clock, logger });
    let ran = false;
    schedule.add("broken", "0 * * * *", async () => {
      throw new Error("boom");
    });
    schedule.add("fine", "0 * * * *", async () => {
      ran = true;
    });

    await schedule.start();
    await schedule.stop();

    expect([ran, logger.errors.length, logger.errors[0]?.includes("broken")]).toEqual([true, 1, true]);
  });

  it("refuses a job whose cron expression is not valid", () => {
    const schedule = createCronSchedule({ timeZone: "Asia/Shanghai", clock, logger: recordingLogger() });

    expect(() => schedule.add("bad", "every day", async () => undefined)).toThrow(/invalid cron expression/);
  });
});

describe("jobs the features declare", () => {
  it("are registered with the app's schedule", async () => {
    const schedule = manualSchedule();

    await createTestApp({ schedule });

    expect([...schedule.jobs].map(([name, job]) => [name, job.cron])).toEqual([
      ["requests.red-alert", "*/10 * * * *"],
      ["requests.yellow-reminder", "*/10 * * * *"],
      ["requests.rate-reminder", "0 * * * *"],
      ["requests.calendar-check", "0 9 * * *"],
      ["topics.archive", "30 8 * * *"],
      ["polls.close", "* * * * *"],
      ["polls.remind", "*/10 * * * *"],
      ["meetings.remind", "*/10 * * * *"],
      ["decisions.review", "*/10 * * * *"],
      ["tally.monthly", "0 9 1 * *"],
    ]);
  });
});
