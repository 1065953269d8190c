import { afterEach, describe, expect, it } from "vitest";
import { Members } from "../../../src/app/tables.js";
import { CHANNEL, createSlackHarness, type SlackHarness, secretary, setUpVillage } from "./harness.js";

const CSV = "name,role,household,phone\n张三,villager,一组3号,13800000000\n李四,grid_worker,,\n";

let h: SlackHarness;
afterEach(async () => {
  await h.close();
});

async function importStep(): Promise<string> {
  const villageId = await setUpVillage(h, secretary, CHANNEL);
  await h.command(secretary, "");
  await h.press(secretary, secretary.id, /^ro$/);
  await h.press(secretary, secretary.id, /^ri$/);
  return villageId;
}

describe("roster files sent in direct messages", () => {
  it("downloads a CSV with the bot's token and imports it", async () => {
    h = await createSlackHarness();
    const villageId = await importStep();
    h.fake.addFile("F0ROSTER", "名册.csv", "text/csv", CSV);

    await h.deliver(
      h.payloads.message(secretary, "", [
        { id: "F0ROSTER", name: "名册.csv", mimetype: "text/csv", size: CSV.length },
      ]),
    );

    const names = (await h.store.transaction((tx) => tx.find(Members, "village", villageId))).map(
      (m) => m.name,
    );
    expect(names).toEqual(expect.arrayContaining(["张三", "李四"]));
    expect(h.posted(secretary.id).some((one) => one.text.includes("名册导入完成：新增2人"))).toBe(true);
  });

  it("refuses a file over 512 KB without downloading it", async () => {
    h = await createSlackHarness();
    await importStep();

    await h.deliver(
      h.payloads.message(secretary, "", [
        { id: "F0BIG", name: "名册.csv", mimetype: "text/csv", size: 600 * 1024 },
      ]),
    );

    expect(h.fake.callsOf("files.info")).toEqual([]);
    expect(h.lastPosted(secretary.id)?.text).toBe("文件太大了（最多 512 KB），请拆分后再发。");
  });
});
