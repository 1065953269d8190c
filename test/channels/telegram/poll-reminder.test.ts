import { describe, expect, it } from "vitest";
import { inUnit } from "../../../src/app/deps.js";
import { remindNonVoters } from "../../../src/features/polls/index.js";
import { openPollIn } from "../../../src/features/polls/use-cases.js";
import { addMemberIn } from "../../../src/features/roster/index.js";
import { yesNoPoll } from "../../support/polls.js";
import { createTelegramHarness, groupChat, joinVillage, setUpVillage, tgUser } from "./fake-api.js";

const secretary = tgUser(101, "王书记");
const villager = tgUser(201, "李大爷");
const group = groupChat(-4001);

describe("the poll reminder on Telegram", () => {
  it("reminds in private those the bot can reach, and once in the group, naming no one, for those it cannot", async () => {
    const h = await createTelegramHarness();
    const villageId = await setUpVillage(h, secretary, group);
    await joinVillage(h, villager, group, villageId);
    const chief = await h.memberOf(secretary);
    if (chief === undefined) throw new Error("no secretary");
    await inUnit(h.app.deps, (unit) => addMemberIn(unit, chief, "赵奶奶，村民，二组1号"));
    await inUnit(h.app.deps, (unit) => openPollIn(unit, chief, yesNoPoll("要不要装路灯？")));
    await h.dispatcher.flush();
    h.advance(48 * 3_600_000 + 60_000);

    await remindNonVoters(h.app.deps);
    await h.dispatcher.flush();

    expect(h.lastSent(villager.id)?.text).toMatch(/^⏰ 投票XF-P1“要不要装路灯？”将在.+截止，你还没投。/);
    const toGroup = h.sentMessages(group.id).filter((sent) => sent.text.startsWith("⏰"));
    expect(toGroup.map((sent) => sent.text)).toEqual([
      expect.stringMatching(/^⏰ 投票XF-P1“要不要装路灯？”将在.+截止，还没投的村民请抓紧。$/),
    ]);
    expect(toGroup[0]?.text).not.toContain("赵奶奶");
  });
});
