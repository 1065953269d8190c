import { z } from "zod";
import { isValidTimeZone } from "./domain/calendar.js";
import { Language } from "./domain/model.js";
import { parseQuietHours } from "./domain/quiet.js";
import { type MonthlyTime, parseMonthlyTime } from "./domain/tally.js";

const flag = z
  .enum(["on", "off", "true", "false", "1", "0"], { message: "must be on or off" })
  .transform((v) => v === "on" || v === "true" || v === "1");
const blankAsUndefined = (value: unknown) => (value === "" ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsUndefined, schema.optional());
const withDefault = <T extends z.ZodType>(schema: T, fallback: z.input<T>) =>
  z.preprocess(blankAsUndefined, schema.prefault(fallback as never));
const wholeNumber = (min: number, max: number) => {
  const message = `must be a whole number from ${min} to ${max}`;
  return z.coerce.number({ message }).int({ message }).min(min, { message }).max(max, { message });
};

/** Every setting, read from the environment (and .env). Each has a one-line description in .env.example. */
export const Config = z
  .object({
    PORT: withDefault(wholeNumber(0, 65535), 3000),
    HOST: withDefault(z.string().min(1), "127.0.0.1"),
    DATA_DIR: withDefault(z.string().min(1), "data"),
    TIME_ZONE: withDefault(
      z.string().refine(isValidTimeZone, { message: "must be an IANA time zone such as Asia/Shanghai" }),
      "Asia/Shanghai",
    ),
    DEFAULT_LANGUAGE: withDefault(Language, "zh-CN"),
    /** Tallies and reminders wait while it is quiet; replies to what someone just did do not. */
    QUIET_HOURS: withDefault(
      z
        .string()
        .refine((text) => text === "off" || parseQuietHours(text) !== undefined, {
          message: "must be a span such as 22:00-07:00, or off",
        })
        .transform((text) => (text === "off" ? undefined : parseQuietHours(text))),
      "22:00-07:00",
    ),
    /** When the monthly tally goes out: a day of the month (1-28) and a local time. */
    TALLY_AT: withDefault(
      z
        .string()
        .refine((text) => parseMonthlyTime(text) !== undefined, {
          message: "must be a day of the month from 1 to 28 and a time, such as 1 09:00",
        })
        .transform((text) => parseMonthlyTime(text) as MonthlyTime),
      "1 09:00",
    ),
    LOCAL_CHAT: withDefault(flag, "on"),
    RESPOND_WORKING_DAYS: withDefault(wholeNumber(1, 30), 1),
    RESOLVE_WORKING_DAYS: withDefault(wholeNumber(1, 90), 7),
    RESOLVE_WORKING_DAYS_COMPLEX: withDefault(wholeNumber(1, 180), 15),
    URGENT_RESPOND_HOURS: withDefault(wholeNumber(1, 72), 2),
    URGENT_RESOLVE_HOURS: withDefault(wholeNumber(1, 240), 24),
    TELEGRAM_BOT_TOKEN: optional(
      z.string().regex(/^\d+:[A-Za-z0-9_-]{20,}$/, {
        message: "must look like 123456789:AA… as given by @BotFather",
      }),
    ),
    TELEGRAM_API_ROOT: withDefault(
      z.url({ message: "must be a URL such as https://api.telegram.org" }),
      "https://api.telegram.org",
    ),
    TELEGRAM_WEBHOOK_URL: optional(
      z.url({ protocol: /^https$/, message: "must be an https:// URL Telegram can reach" }),
    ),
    TELEGRAM_WEBHOOK_SECRET: optional(
      z
        .string()
        .regex(/^[A-Za-z0-9_-]{1,256}$/, { message: "must be 1-256 characters of A-Z, a-z, 0-9, _ and -" }),
    ),
    TELEGRAM_WEBHOOK_PORT: withDefault(wholeNumber(1, 65535), 8443),
    TELEGRAM_MESSAGES_PER_SECOND: withDefault(wholeNumber(1, 1000), 30),
    TELEGRAM_CHAT_MESSAGES_PER_SECOND: withDefault(wholeNumber(1, 30), 1),
    TELEGRAM_GROUP_MESSAGES_PER_MINUTE: withDefault(wholeNumber(5, 600), 20),
    SLACK_BOT_TOKEN: optional(
      z.string().regex(/^xoxb-[A-Za-z0-9-]{10,}$/, { message: "must be the Bot User OAuth Token, xoxb-…" }),
    ),
    SLACK_APP_TOKEN: optional(
      z.string().regex(/^xapp-[A-Za-z0-9-]{10,}$/, {
        message: "must be an app-level token with connections:write, xapp-…",
      }),
    ),
    SLACK_SIGNING_SECRET: optional(
      z
        .string()
        .regex(/^[A-Za-z0-9]{16,128}$/, { message: "must be the app's Signing Secret (letters and digits)" }),
    ),
    SLACK_PORT: withDefault(wholeNumber(1, 65535), 3001),
    SLACK_API_URL: withDefault(
      z.url({ message: "must be a URL such as https://slack.com/api/" }),
      "https://slack.com/api/",
    ),
    SLACK_MESSAGES_PER_SECOND: withDefault(wholeNumber(1, 100), 10),
    SLACK_CHANNEL_MESSAGES_PER_SECOND: withDefault(wholeNumber(1, 10), 1),
  })
  .refine(
    (config) =>
      config.SLACK_BOT_TOKEN === undefined ||
      config.SLACK_APP_TOKEN !== undefined ||
      config.SLACK_SIGNING_SECRET !== undefined,
    {
      path: ["SLACK_BOT_TOKEN"],
      message:
        "needs SLACK_APP_TOKEN (Socket Mode, no public URL) or SLACK_SIGNING_SECRET (HTTP at /slack/events) beside it",
    },
  )
  .refine(
    (config) =>
      config.SLACK_BOT_TOKEN !== undefined ||
      (config.SLACK_APP_TOKEN === undefined && config.SLACK_SIGNING_SECRET === undefined),
    { path: ["SLACK_BOT_TOKEN"], message: "is needed with SLACK_APP_TOKEN or SLACK_SIGNING_SECRET" },
  );
export type Config = z.infer<typeof Config>;

export type ConfigResult = { ok: true; config: Config } | { ok: false; message: string };

/** Parses the environment; a bad value gives one message naming the setting and what it accepts. */
export function parseConfig(env: Record<string, string | undefined>): ConfigResult {
  const parsed = Config.safeParse(env);
  if (parsed.success) return { ok: true, config: parsed.data };
  const lines = parsed.error.issues.map(
    (issue) =>
      `  ${issue.path.join(".")}: ${issue.message} (got ${JSON.stringify(env[String(issue.path[0])] ?? "")})`,
  );
  return {
    ok: false,
    message: `Shangliang cannot start: a setting is not valid.\n${lines.join("\n")}\nFix it in .env or the environment (see .env.example).`,
  };
}
