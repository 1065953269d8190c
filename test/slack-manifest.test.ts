import { readFile } from "node:fs/promises";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

/** Slack's own manifest schema (github.com/slackapi/manifest-schema, MIT, commit c50cfa8), kept beside the tests. */
const SCHEMA = new URL("./support/slack/manifest.schema.1.0.0.json", import.meta.url);
const MANIFEST = new URL("../slack-manifest.yml", import.meta.url);

async function manifest(): Promise<Record<string, unknown>> {
  return parse(await readFile(MANIFEST, "utf8")) as Record<string, unknown>;
}

describe("slack-manifest.yml", () => {
  it("is a valid app manifest by Slack's published schema", async () => {
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
    const validate = ajv.compile(JSON.parse(await readFile(SCHEMA, "utf8")) as object);

    const valid = validate(await manifest());

    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it("asks for what the bot uses: its command, direct messages, files, the Home tab, Socket Mode", async () => {
    const app = (await manifest()) as {
      features: { slash_commands: { command: string }[]; app_home: { home_tab_enabled: boolean } };
      oauth_config: { scopes: { bot: string[] } };
      settings: { event_subscriptions: { bot_events: string[] }; socket_mode_enabled: boolean };
    };

    expect(app.features.slash_commands.map((command) => command.command)).toEqual(["/shangliang"]);
    expect(app.oauth_config.scopes.bot).toEqual(
      expect.arrayContaining([
        "chat:write",
        "commands",
        "im:history",
        "im:write",
        "files:read",
        "files:write",
        "users:read",
        "channels:read",
      ]),
    );
    expect(app.settings.event_subscriptions.bot_events).toEqual(["message.im", "app_home_opened"]);
    expect([app.features.app_home.home_tab_enabled, app.settings.socket_mode_enabled]).toEqual([true, true]);
  });
});
