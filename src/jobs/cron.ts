import { createTask, type ScheduledTask, validate } from "node-cron";
import type { Clock, Schedule } from "../app/ports.js";
import type { Logger } from "../outbox/dispatcher.js";

export interface CronScheduleOptions {
  timeZone: string;
  clock: Clock;
  logger: Logger;
}

interface Job {
  name: string;
  cron: string;
  run: (now: Date) => Promise<void>;
}

/**
 * The Schedule port on node-cron. node-cron does not run what was missed while the process was down, so
 * every job also runs once at start; jobs work out what is due from stored state, so that is a catch-up.
 */
export function createCronSchedule(options: CronScheduleOptions): Schedule {
  const { timeZone, clock, logger } = options;
  const jobs: Job[] = [];
  const tasks: ScheduledTask[] = [];
  const running = new Set<Promise<void>>();

  function runJob(job: Job): Promise<void> {
    const run = job
      .run(clock.now())
      .catch((error: unknown) => logger.error("job failed", { job: job.name, error: String(error) }))
      .finally(() => running.delete(run));
    running.add(run);
    return run;
  }

  return {
    add(name, cron, run) {
      if (!validate(cron)) throw new Error(`Job ${name} has an invalid cron expression: ${cron}`);
      jobs.push({ name, cron, run });
    },
    async start() {
      for (const job of jobs) await runJob(job);
      for (const job of jobs) {
        const task = createTask(job.cron, () => runJob(job), {
          timezone: timeZone,
          name: job.name,
          noOverlap: true,
        });
        tasks.push(task);
        await task.start();
      }
    },
    async stop() {
      for (const task of tasks.splice(0)) await task.destroy();
      await Promise.all(running);
    },
  };
}
