import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { actionCodec } from "../../src/app/actions.js";
import type { App } from "../../src/app/create-app.js";
import { defineStep, type Feature, on } from "../../src/app/feature.js";
import { message } from "../../src/app/messages.js";
import { defineTable } from "../../src/app/tables.js";
import { defineText } from "../../src/app/text.js";
import { commandMenus } from "../../src/channels/telegram/commands.js";
import { FEATURES } from "../../src/features/index.js";
import { openLowdbStore } from "../../src/store/lowdb/index.js";
import { createTestApp, inPrivateChat } from "../support/app.js";
import { seedVillage } from "../support/village.js";

// The shortest feature: a command, a button, a typed answer and a table, in this file alone.
const text = defineText(
  "greet",
  {
    command: "打个招呼",
    hello: "您好！想让我记住您的小名吗？",
    ask: "请告诉我您的小名：",
    button: "记住小名",
    saved: "记住了，{name}！",
  },
  {
    command: "Say hello",
    hello: "Hello! Shall I remember your nickname?",
    ask: "What is your nickname?",
    button: "Remember it",
    saved: "Got it, {name}!",
  },
);
const Nickname = z.object({ memberId: z.string(), name: z.string().max(20) });
const Nicknames = defineTable({
  name: "nicknames",
  schema: Nickname,
  key: (nickname) => nickname.memberId,
  file: () => "nicknames.json",
});
const askName = actionCodec("gn", {});
const nameStep = defineStep({
  name: "greet.name",
  data: z.object({}),
  accepts: ["text"],
  maxText: 20,
  prompt: () => message([text.t("ask")]),
  async answer(turn, input) {
    if (input.type !== "text") return turn.done();
    turn.unit.tx.put(Nicknames, { memberId: turn.actor.id, name: input.text });
    turn.endStep();
    turn.say(message([text.t("saved", { name: input.text })]));
    return turn.done();
  },
});
const greetFeature: Feature = {
  name: "greet",
  text,
  tables: [Nicknames],
  actions: [on(askName, (turn) => turn.ask(nameStep, {}))],
  steps: [nameStep],
  commands: [
    {
      name: "hello",
      description: text.t("command"),
      menus: ["private"],
      private: async (turn) => {
        turn.say(message([text.t("hello")], [[askName.button(text.t("button"), {})]]));
        return turn.done();
      },
    },
  ],
};

let dir: string;
let app: App;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shangliang-example-"));
  app = await createTestApp({
    features: [...FEATURES, greetFeature],
    openStore: (tables) => openLowdbStore(dir, { tables }),
  });
});

afterEach(async () => {
  await app.close();
  await rm(dir, { recursive: true, force: true });
});

describe("a feature added with one registration line", () => {
  it("takes a command, a button press and a typed answer, and keeps the answer in its own table", async () => {
    const { villager } = await seedVillage(app);
    const send = inPrivateChat(app, villager.id);

    await send("1", { type: "command", command: "hello" });
    await send("2", { type: "button", data: "gn" });
    await send("3", { type: "text", text: "小张" });
    await app.close();
    const file = JSON.parse(await readFile(join(dir, "nicknames.json"), "utf8"));
    app = await createTestApp({
      features: [...FEATURES, greetFeature],
      openStore: (tables) => openLowdbStore(dir, { tables }),
    });
    const stored = await app.store.transaction((tx) => tx.get(Nicknames, villager.id));

    expect([file.nicknames, stored?.name]).toEqual([[{ memberId: villager.id, name: "小张" }], "小张"]);
  });

  it("lists its command in the Telegram private-chat menu", () => {
    const menus = commandMenus(app.registry.commands.values(), "zh-CN", app.translate);

    const privateMenu = menus.find(
      (menu) => menu.scope.type === "all_private_chats" && menu.languageCode === "en",
    );

    expect(privateMenu?.commands).toContainEqual({ command: "hello", description: "Say hello" });
  });
});
