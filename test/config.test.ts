import { describe, expect, it } from "vitest";
import { parseConfig } from "../src/config.js";

describe("configuration", () => {
  it("runs with no settings at all: local chat on port 3000, Shanghai time, Chinese", () => {
    const result = parseConfig({});
    expect(
      result.ok && [
        result.config.PORT,
        result.config.LOCAL_CHAT,
        result.config.TIME_ZONE,
        result.config.DEFAULT_LANGUAGE,
      ],
    ).toEqual([3000, true, "Asia/Shanghai", "zh-CN"]);
  });

  it("keeps quiet hours from 22:00 to 07:00 unless told otherwise, or none when off", () => {
    const fallback = parseConfig({});
    const off = parseConfig({ QUIET_HOURS: "off" });

    expect([fallback.ok && fallback.config.QUIET_HOURS, off.ok && off.config.QUIET_HOURS]).toEqual([
      { start: 22 * 60, end: 7 * 60 },
      undefined,
    ]);
  });

  it("sends the monthly tally on the 1st at 09:00 unless told otherwise", () => {
    const fallback = parseConfig({});
    const fifth = parseConfig({ TALLY_AT: "5 18:30" });

    expect([fallback.ok && fallback.config.TALLY_AT, fifth.ok && fifth.config.TALLY_AT]).toEqual([
      { day: 1, hour: 9, minute: 0 },
      { day: 5, hour: 18, minute: 30 },
    ]);
  });

  it("treats an empty value as unset", () => {
    const result = parseConfig({ TELEGRAM_BOT_TOKEN: "", PORT: "" });
    expect(result.ok && [result.config.TELEGRAM_BOT_TOKEN, result.config.PORT]).toEqual([undefined, 3000]);
  });

  it.each([
    ["PORT", "abc", "PORT: must be a whole number from 0 to 65535"],
    ["TIME_ZONE", "Mars/Base", "TIME_ZONE: must be an IANA time zone"],
    ["LOCAL_CHAT", "maybe", "LOCAL_CHAT: must be on or off"],
    ["TELEGRAM_BOT_TOKEN", "oops", "TELEGRAM_BOT_TOKEN: must look like"],
    ["TELEGRAM_WEBHOOK_URL", "http://example.com/hook", "TELEGRAM_WEBHOOK_URL: must be an https:// URL"],
    ["QUIET_HOURS", "10pm-7am", "QUIET_HOURS: must be a span such as 22:00-07:00, or off"],
    ["TALLY_AT", "31 09:00", "TALLY_AT: must be a day of the month from 1 to 28 and a time"],
  ])("stops on a bad %s with a message naming it", (name, value, expected) => {
    const result = parseConfig({ [name]: value });
    expect(result.ok ? "" : result.message).toContain(expected);
  });
});

describe("Slack settings", () => {
  const BOT = "xoxb-1111-2222-abcdefABCDEF";

  it("takes a bot token with an app token (Socket Mode) or a signing secret (HTTP on 3001)", () => {
    const socket = parseConfig({ SLACK_BOT_TOKEN: BOT, SLACK_APP_TOKEN: "xapp-1-A111-222-abcdef" });
    const http = parseConfig({
      SLACK_BOT_TOKEN: BOT,
      SLACK_SIGNING_SECRET: "8f742231b10e8888abcd99yyyzzz85a5",
    });

    expect([socket.ok, http.ok && http.config.SLACK_PORT]).toEqual([true, 3001]);
  });

  it("refuses a bot token alone and says what it needs beside it", () => {
    const result = parseConfig({ SLACK_BOT_TOKEN: BOT });

    expect(result.ok ? "" : result.message).toContain(
      "SLACK_BOT_TOKEN: needs SLACK_APP_TOKEN (Socket Mode, no public URL) or SLACK_SIGNING_SECRET",
    );
  });

  it("refuses an app token without a bot token", () => {
    const result = parseConfig({ SLACK_APP_TOKEN: "xapp-1-A111-222-abcdef" });

    expect(result.ok ? "" : result.message).toContain("SLACK_BOT_TOKEN: is needed with SLACK_APP_TOKEN");
  });

  it("refuses a user token where the bot token goes", () => {
    const result = parseConfig({
      SLACK_BOT_TOKEN: "xoxp-1111-2222",
      SLACK_APP_TOKEN: "xapp-1-A111-222-abcdef",
    });

    expect(result.ok ? "" : result.message).toContain("must be the Bot User OAuth Token");
  });
});

describe(".env.example", () => {
  it("is itself a valid configuration", async () => {
    const { readFile } = await import("node:fs/promises");
    const { parseEnv } = await import("node:util");
    const result = parseConfig(parseEnv(await readFile(".env.example", "utf8")) as Record<string, string>);
    expect(result.ok).toBe(true);
  });
});
