import { describe, expect, it } from "vitest";
import { interpretUpdate } from "../../../src/channels/telegram/inbound.js";
import { clip, splitText } from "../../../src/channels/telegram/limits.js";
import { joinPayload, parseJoinPayload, privateChatLink } from "../../../src/channels/telegram/links.js";
import { TelegramUpdate } from "../../../src/channels/telegram/updates.js";
import { createTestApp } from "../../support/app.js";
import { BOT_USERNAME, createUpdates, groupChat, privateChat, tgUser } from "./fake-api.js";

const user = tgUser(201, "李", "en-US");
const updates = createUpdates();
const { registry } = await createTestApp({ channels: ["telegram"] });

function interpret(update: unknown) {
  return interpretUpdate(TelegramUpdate.parse(update), BOT_USERNAME, registry.commands);
}

describe("reading an update", () => {
  it("passes the person's name, language and private chat to the app", () => {
    const found = interpret(updates.text({ ...user, last_name: "Ming" }, privateChat(user), "hello"));

    expect(found).toMatchObject({
      kind: "event",
      base: {
        channel: "telegram",
        userId: "201",
        displayName: "李 Ming",
        languageHint: "en-US",
        chat: { kind: "private", chatId: "201" },
      },
      input: { type: "text", text: "hello" },
    });
  });

  it("reads /start with a join payload as a request to join that village", () => {
    expect(interpret(updates.text(user, privateChat(user), "/start j_v7"))).toMatchObject({
      kind: "join",
      villageId: "v7",
    });
  });

  it("reads /start with any other payload as a plain start", () => {
    expect(interpret(updates.text(user, privateChat(user), "/start hello"))).toMatchObject({
      kind: "event",
      input: { type: "command", command: "start" },
    });
  });

  it("reads an unknown private command as /help, so it is never taken as a typed answer", () => {
    expect(interpret(updates.text(user, privateChat(user), "/weather"))).toMatchObject({
      kind: "event",
      input: { type: "command", command: "help" },
    });
  });

  it("reads a command addressed to this bot with a capitalised username", () => {
    expect(
      interpret(updates.text(user, groupChat(-5), `/Stats@${BOT_USERNAME.toUpperCase()}`)),
    ).toMatchObject({
      kind: "event",
      base: { chat: { kind: "group", chatId: "-5" } },
      input: { type: "command", command: "stats" },
    });
  });

  it("passes a group command's words to the app", () => {
    expect(interpret(updates.text(user, groupChat(-5), `/release@${BOT_USERNAME} 换届`))).toMatchObject({
      kind: "event",
      input: { type: "command", command: "release", args: "换届" },
    });
  });

  it("has the channel check /setup in a group before the app binds it", () => {
    expect(interpret(updates.text(user, groupChat(-5, "东风村群"), "/setup"))).toMatchObject({
      kind: "bind",
      base: { chat: { kind: "group", chatId: "-5" } },
      title: "东风村群",
    });
  });

  it.each(["request", "my", "cancel", "lang", "weather"])(
    "ignores /%s in a group, which no feature answers there",
    (command) => {
      expect(interpret(updates.text(user, groupChat(-5), `/${command}@${BOT_USERNAME}`))).toEqual({
        kind: "ignore",
        reason: "group command not ours",
      });
    },
  );

  it("passes a private command's words to the app", () => {
    expect(interpret(updates.text(user, privateChat(user), "/my 2"))).toMatchObject({
      kind: "event",
      input: { type: "command", command: "my", args: "2" },
    });
  });

  it("takes the largest photo size and the caption", () => {
    expect(interpret(updates.photo(user, "big", "路灯"))).toMatchObject({
      kind: "event",
      input: { type: "photo", fileRef: "big", caption: "路灯" },
    });
  });

  it.each([
    ["roster.csv", "text/csv", true],
    ["roster.txt", "application/octet-stream", true],
    ["photo.jpg", "image/jpeg", false],
  ])("marks a document %s (%s) as readable text: %s", (fileName, mime, textual) => {
    const found = interpret(
      updates.document(user, { file_id: "f1", file_name: fileName, mime_type: mime, file_size: 10 }),
    );

    expect(found).toMatchObject({ kind: "file", fileName, textual });
  });

  it("reads a press on a button under a group message as coming from the group", () => {
    expect(interpret(updates.press(user, groupChat(-1001), "op:v1"))).toMatchObject({
      kind: "button",
      base: { chat: { kind: "group", chatId: "-1001" } },
      data: "op:v1",
    });
  });

  it("reads the supergroup's migrate_from_chat_id service message as the same move", () => {
    const update = updates.text(user, groupChat(-1009), "x");
    const message = update.message as unknown as Record<string, unknown>;
    delete message.text;
    delete message.entities;
    message.migrate_from_chat_id = -9;

    expect(interpret(update)).toMatchObject({ kind: "migrate", fromChatId: "-9", toChatId: "-1009" });
  });
});

describe("deep links", () => {
  it("carries a village id in a start payload and reads it back", () => {
    const payload = joinPayload("v123");

    expect(payload).toBe("j_v123");
    expect(parseJoinPayload(payload)).toBe("v123");
  });

  it.each(["x".repeat(63), "村1", "v 1"])(
    "has no payload for a village id Telegram cannot carry: %s",
    (villageId) => {
      expect(joinPayload(villageId)).toBeUndefined();
    },
  );

  it("links to the bare private chat when there is no payload", () => {
    expect(privateChatLink("my_bot", undefined)).toBe("https://t.me/my_bot");
  });
});

describe("text limits", () => {
  it("leaves a short text whole", () => {
    expect(splitText("你好")).toEqual(["你好"]);
  });

  it("cuts at line breaks", () => {
    const pieces = splitText(`${"a".repeat(3000)}\n${"b".repeat(3000)}`);

    expect(pieces).toEqual(["a".repeat(3000), "b".repeat(3000)]);
  });

  it("never cuts inside an emoji's surrogate pair", () => {
    const pieces = splitText("😀".repeat(3000));

    expect(pieces.every((piece) => piece.length <= 4096)).toBe(true);
    expect(pieces.join("")).toBe("😀".repeat(3000));
  });

  it("clips an answer to 200 characters with an ellipsis", () => {
    const clipped = clip("啊".repeat(300), 200);

    expect(clipped).toHaveLength(200);
    expect(clipped.endsWith("…")).toBe(true);
  });
});
