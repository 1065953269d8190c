import { describe, expect, it } from "vitest";
import { type Button, message, type OutgoingMessage } from "../../../src/app/messages.js";
import type { OutboxEntry } from "../../../src/app/ports.js";
import { Bindings, bindingKey } from "../../../src/app/tables.js";
import { renderMessage } from "../../../src/channels/render.js";
import { chooseCategory, startRequest } from "../../../src/features/intake/codecs.js";
import { text as intake } from "../../../src/features/intake/i18n.js";
import { sendRequestButton } from "../../../src/features/intake/index.js";
import {
  assignRequest,
  ledger,
  myRequests,
  rateRequest,
  takeRequest,
} from "../../../src/features/requests/codecs.js";
import { text as requests } from "../../../src/features/requests/i18n.js";
import { moveMember, setRole, toggleCategory } from "../../../src/features/roster/codecs.js";
import { text as setup } from "../../../src/features/setup/i18n.js";
import { DeliveryError } from "../../../src/outbox/dispatcher.js";
import {
  BOT_USERNAME,
  createTelegramHarness,
  failures,
  groupChat,
  joinVillage,
  setUpVillage,
  type TelegramHarness,
  tgUser,
} from "./fake-api.js";

const secretary = tgUser(101, "王书记");
const villager = tgUser(201, "李大爷");
const group = groupChat(-4001);

function entry(target: Partial<OutboxEntry["target"]>, outgoing: OutgoingMessage, id = "o1"): OutboxEntry {
  return {
    id,
    target: { channel: "telegram", chatId: String(villager.id), language: "zh-CN", ...target },
    message: outgoing,
    createdAt: "2026-11-23T02:00:00Z",
    attempts: 0,
    notBefore: "2026-11-23T02:00:00Z",
  };
}

/** Sends as the dispatcher does, keeping the parts delivered on the entry. */
function send(h: TelegramHarness, sent: OutboxEntry) {
  return h.channel.sender.send(sent, {
    async partSent(parts) {
      sent.partsSent = parts;
    },
  });
}

const hello = message([setup.t("join.welcome_back")], [[startRequest.button(intake.t("menu.request"), {})]]);

async function failure(h: TelegramHarness, sent: OutboxEntry): Promise<DeliveryError> {
  const error = await send(h, sent).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof DeliveryError)) throw new Error(`expected a DeliveryError, got ${String(error)}`);
  return error;
}

describe("sending outbox entries to Telegram", () => {
  it("sends the rendered text with an inline keyboard of callback buttons", async () => {
    const h = await createTelegramHarness();

    await send(h, entry({}, hello));

    expect(h.fake.calls.map((call) => call.payload)).toEqual([
      {
        chat_id: villager.id,
        text: "欢迎回来！",
        reply_markup: { inline_keyboard: [[{ text: "📝 提诉求", callback_data: "rq" }]] },
      },
    ]);
  });

  it("turns a 429 into a DeliveryError that waits Telegram's retry_after", async () => {
    const h = await createTelegramHarness();
    h.fake.failNext("sendMessage", failures.tooManyRequests(17));

    const error = await failure(h, entry({}, hello));

    expect([error.failure, error.retryAfterMs]).toEqual(["rate_limited", 17_000]);
  });

  it("gives up at once on a 400 that can never succeed", async () => {
    const h = await createTelegramHarness();
    h.fake.failNext("sendMessage", failures.chatNotFound());

    const error = await failure(h, entry({}, hello));

    expect(error.failure).toBe("permanent");
    expect(error.message).toBe("Bad Request: chat not found");
  });

  it("gives up at once when the bot was removed from a group", async () => {
    const h = await createTelegramHarness();
    h.fake.failNext("sendMessage", {
      error_code: 403,
      description: "Forbidden: bot was kicked from the group chat",
    });

    const error = await failure(h, entry({ chatId: String(group.id), villageId: "v1" }, hello));

    expect(error.failure).toBe("permanent");
  });

  it("waits for Telegram, without counting an attempt, when it has an internal error", async () => {
    const h = await createTelegramHarness();
    h.fake.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" });

    const error = await failure(h, entry({}, hello));

    expect([error.failure, error.retryAfterMs]).toEqual(["unavailable", undefined]);
  });

  it("does not resend the parts of an entry that went out before a 429", async () => {
    const h = await createTelegramHarness();
    const card: OutgoingMessage = {
      ...hello,
      attachments: [{ type: "photo", channel: "telegram", fileRef: "photo-1" }],
    };
    const once = entry({}, card);
    h.fake.failNext("sendMessage", failures.tooManyRequests(3));
    await failure(h, once);

    await send(h, once);

    expect(h.fake.callsOf("sendPhoto")).toHaveLength(1);
    expect(h.fake.callsOf("sendMessage")).toHaveLength(2);
  });

  it("sends Telegram photos and voice by file_id, a location, and skips files from other channels", async () => {
    const h = await createTelegramHarness();
    const card: OutgoingMessage = {
      ...hello,
      attachments: [
        { type: "photo", channel: "telegram", fileRef: "photo-1" },
        { type: "voice", channel: "telegram", fileRef: "voice-1" },
        { type: "photo", channel: "local", fileRef: "uploads/p.jpg" },
      ],
      location: { lat: 43.37, lng: 128.2 },
    };

    await send(h, entry({}, card));

    expect(h.fake.calls.map((call) => call.method)).toEqual([
      "sendPhoto",
      "sendVoice",
      "sendLocation",
      "sendMessage",
    ]);
  });

  it("splits a long text into pieces under 4096 characters, with the buttons on the last", async () => {
    const h = await createTelegramHarness();
    const line = requests.t("card.text", { text: "路面塌陷，积水很深。".repeat(190) });
    const long = message(
      [line, line, line, line, line],
      [[myRequests.button(requests.t("menu.my"), { page: 0 })]],
    );

    await send(h, entry({}, long));

    const sent = h.fake.callsOf("sendMessage").map((call) => call.payload);
    expect(sent.length).toBeGreaterThan(1);
    for (const payload of sent) expect(String(payload.text).length).toBeLessThanOrEqual(4096);
    expect(sent.slice(0, -1).every((payload) => payload.reply_markup === undefined)).toBe(true);
    expect(sent.at(-1)?.reply_markup).toBeDefined();
    expect(sent.map((payload) => payload.text).join("\n")).toBe(
      renderMessage(long, "zh-CN", h.app.translate).text,
    );
  });

  it("keeps every callback_data within 64 bytes for the longest ids an action can carry", async () => {
    const h = await createTelegramHarness();
    const id = "A".repeat(24);
    const label = requests.t("action.take");
    const buttons: Button[] = [
      assignRequest.button(label, { requestId: id, ownerId: id }),
      moveMember.button(label, { memberId: id, householdId: id }),
      toggleCategory.button(label, { memberId: id, categoryId: id }),
      rateRequest.button(label, { requestId: id, rating: "mostly_satisfied" }),
      setRole.button(label, { memberId: id, role: "grid_worker" }),
      chooseCategory.button(label, { categoryId: id }),
      takeRequest.button(label, { requestId: id }),
      ledger.button(label, { filter: "closed", period: "last_month", page: 9999 }),
    ];

    await send(
      h,
      entry(
        {},
        message(
          [requests.t("work.none")],
          buttons.map((b) => [b]),
        ),
      ),
    );

    const keyboard = h.fake.callsOf("sendMessage")[0]?.payload.reply_markup as {
      inline_keyboard: { callback_data: string }[][];
    };
    const data = keyboard.inline_keyboard.flat().map((b) => b.callback_data);
    expect(data).toEqual(buttons.map((b) => b.data));
    for (const value of data) expect(Buffer.byteLength(value)).toBeLessThanOrEqual(64);
  });

  it("drops a button whose data Telegram would refuse, and sends the rest", async () => {
    const h = await createTelegramHarness();
    const label = requests.t("action.take");
    const buttons: Button[] = [
      { label, data: `acc:${"A".repeat(61)}` },
      takeRequest.button(label, { requestId: "XF-2026-0001" }),
    ];

    await send(h, entry({}, message([requests.t("work.none")], [buttons])));

    expect(h.fake.callsOf("sendMessage")[0]?.payload.reply_markup).toEqual({
      inline_keyboard: [[{ text: "✋ 接单", callback_data: "acc:XF-2026-0001" }]],
    });
    expect(h.logger.lines.map((line) => line.message)).toContain(
      "telegram button dropped: callback data too long",
    );
  });

  it("turns the open-private action into a URL button deep-linking to the village", async () => {
    const h = await createTelegramHarness();
    const invite = message([setup.t("group.welcome", { village: "东风村" })], [[sendRequestButton("v12")]]);

    await send(h, entry({ chatId: String(group.id), villageId: "v12" }, invite));

    const keyboard = h.fake.callsOf("sendMessage")[0]?.payload.reply_markup;
    expect(keyboard).toEqual({
      inline_keyboard: [[{ text: "📝 提诉求", url: `https://t.me/${BOT_USERNAME}?start=j_v12` }]],
    });
  });
});

describe("someone who never started the private chat", () => {
  async function villageWithVillager(h: TelegramHarness): Promise<string> {
    const villageId = await setUpVillage(h, secretary, group);
    await joinVillage(h, villager, group, villageId);
    h.fake.neverStarted(villager.id);
    h.fake.clear();
    return (await h.memberOf(villager))?.id ?? "";
  }

  it("gets a message in the village group that mentions them and deep-links to the private chat", async () => {
    const h = await createTelegramHarness();
    const memberId = await villageWithVillager(h);
    const villageId = (await h.memberOf(villager))?.villageId;

    await send(h, entry({ memberId }, hello));

    const nudge = h.lastSent(group.id);
    expect(nudge?.text).toContain("李大爷");
    expect(nudge?.buttons).toEqual([
      { text: "💬 打开私聊", url: `https://t.me/${BOT_USERNAME}?start=j_${villageId}` },
    ]);
    expect(nudge?.call.payload.entities).toEqual([
      {
        type: "text_mention",
        offset: 0,
        length: 3,
        user: { id: villager.id, is_bot: false, first_name: "李大爷" },
      },
    ]);
  });

  it("is nudged at most once an hour, however many messages wait for them", async () => {
    const h = await createTelegramHarness();
    const memberId = await villageWithVillager(h);

    await send(h, entry({ memberId }, hello, "o1"));
    await send(h, entry({ memberId }, hello, "o2"));
    h.advance(61 * 60_000);
    await send(h, entry({ memberId }, hello, "o3"));

    expect(h.sentMessages(group.id)).toHaveLength(2);
  });

  it("counts the entry as delivered", async () => {
    const h = await createTelegramHarness();
    const memberId = await villageWithVillager(h);

    await expect(send(h, entry({ memberId }, hello))).resolves.toEqual({});
  });

  it("gets the group message when they blocked the bot", async () => {
    const h = await createTelegramHarness();
    const memberId = await villageWithVillager(h);
    h.fake.failNext("sendMessage", failures.blocked(), (payload) => payload.chat_id === villager.id);

    await send(h, entry({ memberId }, hello));

    expect(h.lastSent(group.id)?.text).toContain("李大爷");
  });

  it("fails permanently when their village has no Telegram group", async () => {
    const h = await createTelegramHarness();
    const memberId = await villageWithVillager(h);
    await h.store.transaction(async (tx) => tx.delete(Bindings, bindingKey("telegram", String(group.id))));

    const error = await failure(h, entry({ memberId }, hello));

    expect(error.failure).toBe("permanent");
  });

  it("waits out a 429 from the group message", async () => {
    const h = await createTelegramHarness();
    const memberId = await villageWithVillager(h);
    h.fake.failNext("sendMessage", failures.tooManyRequests(9), (payload) => payload.chat_id === group.id);

    const error = await failure(h, entry({ memberId }, hello));

    expect(error.retryAfterMs).toBe(9000);
  });

  it("is reached through the dispatcher: the villager's receipt becomes a group nudge and leaves the outbox", async () => {
    const h = await createTelegramHarness();
    await villageWithVillager(h);

    await h.deliver(h.updates.text(villager, { id: villager.id, type: "private" }, "/my"));

    expect(h.lastSent(group.id)?.text).toContain("李大爷");
    expect(await h.store.due(new Date(8.64e15), 10)).toEqual([]);
  });
});

describe("keyed messages", () => {
  it("answers with the id of the message sent, for a later edit", async () => {
    const h = await createTelegramHarness();

    const delivered = await send(h, entry({}, hello));

    expect(delivered.ref).toMatch(/^\d+$/);
  });

  it("edits the message sent before instead of posting a new one", async () => {
    const h = await createTelegramHarness();

    await send(h, { ...entry({}, hello), edits: "77" });

    expect(h.fake.calls.map((call) => [call.method, call.payload.message_id])).toEqual([
      ["editMessageText", 77],
    ]);
  });

  it("counts an edit that changes nothing as delivered", async () => {
    const h = await createTelegramHarness();
    h.fake.failNext("editMessageText", {
      error_code: 400,
      description:
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same",
    });

    const delivered = await send(h, { ...entry({}, hello), edits: "77" });

    expect([delivered, h.fake.callsOf("sendMessage").length]).toEqual([{ ref: "77" }, 0]);
  });

  it("posts the message anew when the one to edit is gone", async () => {
    const h = await createTelegramHarness();
    h.fake.failNext("editMessageText", {
      error_code: 400,
      description: "Bad Request: message to edit not found",
    });

    await send(h, { ...entry({}, hello), edits: "77" });

    expect(h.fake.callsOf("sendMessage").length).toBe(1);
  });
});
