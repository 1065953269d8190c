import { type App, createApp } from "../../src/app/create-app.js";
import type { Feature } from "../../src/app/feature.js";
import type { InboundInput } from "../../src/app/inbound.js";
import type { Clock, OpenStore, Schedule } from "../../src/app/ports.js";
import { type WorkingCalendar, workingCalendar } from "../../src/domain/calendar.js";
import type { ChannelName } from "../../src/domain/model.js";
import type { MonthlyTime } from "../../src/domain/tally.js";
import { FEATURES } from "../../src/features/index.js";
import { createMemoryStore } from "../../src/store/memory.js";

export interface TestAppOptions {
  clock?: Clock;
  channels?: ChannelName[];
  /** The store to open; an in-memory one on the test clock when omitted. */
  openStore?: OpenStore;
  features?: readonly Feature[];
  schedule?: Schedule;
  calendar?: WorkingCalendar;
  tallyAt?: MonthlyTime;
}

/** The app as main.ts builds it, on Shanghai time with no holidays, in memory unless told otherwise. */
export function createTestApp(options: TestAppOptions = {}): Promise<App> {
  const clock = options.clock ?? { now: () => new Date() };
  return createApp({
    features: options.features ?? FEATURES,
    openStore: options.openStore ?? (async (tables) => createMemoryStore({ tables, clock })),
    clock,
    calendar: options.calendar ?? workingCalendar("Asia/Shanghai", { holidays: [], workdays: [] }),
    channels: options.channels ?? ["local"],
    defaultLanguage: "zh-CN",
    ...(options.schedule === undefined ? {} : { schedule: options.schedule }),
    ...(options.tallyAt === undefined ? {} : { tallyAt: options.tallyAt }),
  });
}

/** A Schedule that runs its jobs only when a test says so. */
export function manualSchedule(): Schedule & {
  jobs: Map<string, { cron: string; run: (now: Date) => Promise<void> }>;
} {
  const jobs = new Map<string, { cron: string; run: (now: Date) => Promise<void> }>();
  return {
    jobs,
    add: (name, cron, run) => {
      jobs.set(name, { cron, run });
    },
    start: async () => undefined,
    stop: async () => undefined,
  };
}

/** What a member does in their private chat of the local channel, each event with the id given. */
export function inPrivateChat(app: App, memberId: string) {
  return (eventId: string, input: InboundInput) =>
    app.handle({
      eventId,
      channel: "local",
      userId: memberId,
      chat: { kind: "private", chatId: memberId },
      input,
    });
}
