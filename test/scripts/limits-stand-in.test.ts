import { afterEach, describe, expect, it } from "vitest";
import { type LimitsStandIn, startLimitsStandIn } from "../../scripts/bench/limits-stand-in.js";

let standIn: LimitsStandIn | undefined;

afterEach(async () => {
  await standIn?.close();
  standIn = undefined;
});

async function send(api: LimitsStandIn, chatId: number): Promise<number> {
  const response = await fetch(`${api.apiRoot}/botTOKEN/sendMessage`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ chat_id: chatId, text: "hi" }),
  });
  return response.status;
}

describe("the benchmark's Bot API that enforces Telegram's limits", () => {
  it("answers 429 to a second message to one private chat within a second", async () => {
    standIn = await startLimitsStandIn({ perSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 }, 0);

    const statuses = [await send(standIn, 7), await send(standIn, 7), await send(standIn, 8)];

    expect([statuses, standIn.tooMany(), standIn.deliveries.map((d) => d.chatId)]).toEqual([
      [200, 429, 200],
      1,
      [7, 8],
    ]);
  });

  it("answers 429 past 20 messages a minute to one group", async () => {
    standIn = await startLimitsStandIn({ perSecond: 1000, perChatPerSecond: 1000, perGroupPerMinute: 20 }, 0);

    const statuses: number[] = [];
    for (let i = 0; i < 21; i++) statuses.push(await send(standIn, -100));

    expect([statuses.filter((s) => s === 200).length, statuses.at(-1)]).toEqual([20, 429]);
  });

  it("answers 429 past its messages per second in all", async () => {
    standIn = await startLimitsStandIn({ perSecond: 3, perChatPerSecond: 1, perGroupPerMinute: 20 }, 0);

    const statuses: number[] = [];
    for (let chat = 1; chat <= 4; chat++) statuses.push(await send(standIn, chat));

    expect(statuses).toEqual([200, 200, 200, 429]);
  });

  it("fails whole with 502 during an outage", async () => {
    standIn = await startLimitsStandIn({ perSecond: 30, perChatPerSecond: 1, perGroupPerMinute: 20 }, 0);
    standIn.outage(true);

    const status = await send(standIn, 7);

    expect([status, standIn.deliveries.length]).toEqual([502, 0]);
  });
});
