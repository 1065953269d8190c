import type { WorkingCalendar } from "../domain/calendar.js";
import { DEFAULT_DEADLINE_POLICY, type DeadlinePolicy } from "../domain/deadlines.js";
import type { ChannelName, Language, Member, Village } from "../domain/model.js";
import { DEFAULT_TALLY_AT, type MonthlyTime } from "../domain/tally.js";
import { type Deps, inUnit } from "./deps.js";
import type { Feature } from "./feature.js";
import { type FormStart, formFor, type ShownForm } from "./forms.js";
import { handleInbound, type InboundOutcome, type Kernel } from "./handle.js";
import { type Home, homeOf } from "./home.js";
import { kernelFeature } from "./kernel.js";
import type { OutgoingMessage } from "./messages.js";
import {
  type Clock,
  type OpenStore,
  type Outbox,
  type OutboxEntry,
  type Schedule,
  type Store,
  systemClock,
} from "./ports.js";
import { createRegistry, type Registry } from "./registry.js";
import type { Text } from "./text.js";

export interface AppConfig {
  features: readonly Feature[];
  /** Opens the store for the tables the features declare. */
  openStore: OpenStore;
  calendar: WorkingCalendar;
  channels: readonly ChannelName[];
  clock?: Clock;
  policy?: DeadlinePolicy;
  defaultLanguage?: Language;
  /** Where the features' jobs are registered; none when omitted (scripts, most tests). */
  schedule?: Schedule;
  /** When the monthly tally goes out; the 1st at 09:00 when omitted. */
  tallyAt?: MonthlyTime;
}

/** The app every caller shares: main.ts, the scripts and the tests build it the same way. */
export interface App extends Kernel {
  store: Store & Outbox;
  registry: Registry;
  /** Handles one inbound event from any channel. */
  handle(event: unknown): Promise<InboundOutcome>;
  translate(text: Text, language: Language): string;
  /** The main menu as this member sees it, with an optional first line. */
  menuFor(member: Member, village: Village, lead?: Text): OutgoingMessage;
  /** A person's overview (menu, their requests, votes due, tasks), for a channel that shows one. */
  homeFor(channel: ChannelName, userId: string): Promise<Home>;
  /** The form standing for the conversation a button or command starts, for a channel that shows forms. */
  formFor(channel: ChannelName, userId: string, start: FormStart): Promise<ShownForm | undefined>;
  /** Runs every job once now (as at start): what is due is sent, what was sent is not sent again. */
  runJobs(): Promise<void>;
  /** The outbox gave a message up: the features that care say so to the people who can fix it. */
  undelivered(entry: OutboxEntry, reason: string): Promise<void>;
  close(): Promise<void>;
}

export async function createApp(config: AppConfig): Promise<App> {
  const registry = createRegistry(config.features, kernelFeature);
  const store = await config.openStore(registry.tables);
  const deps: Deps = {
    store,
    clock: config.clock ?? systemClock,
    policy: config.policy ?? DEFAULT_DEADLINE_POLICY,
    calendar: config.calendar,
    channels: config.channels,
    defaultLanguage: config.defaultLanguage ?? "zh-CN",
    tallyAt: config.tallyAt ?? DEFAULT_TALLY_AT,
  };
  for (const job of registry.jobs) {
    const cron = typeof job.cron === "string" ? job.cron : job.cron(deps);
    config.schedule?.add(job.name, cron, (now) => job.run(deps, now));
  }
  const kernel: Kernel = { deps, registry };
  return {
    deps,
    registry,
    store,
    handle: (event) => handleInbound(kernel, event),
    translate: (text, language) => registry.translator.translate(text, language),
    menuFor: (member, village, lead) => registry.mainMenu(member, village, lead),
    homeFor: (channel, userId) => homeOf(kernel, channel, userId),
    formFor: (channel, userId, start) => formFor(kernel, channel, userId, start),
    async runJobs() {
      for (const job of registry.jobs) await job.run(deps, deps.clock.now());
    },
    async undelivered(entry, reason) {
      for (const hook of registry.onUndelivered) await inUnit(deps, (unit) => hook(unit, entry, reason));
    },
    close: () => store.close(),
  };
}
