import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createTelegramHarness, groupChat, privateChat, setUpVillage, TOKEN, tgUser } from "./fake-api.js";

const secretary = tgUser(101, "王书记");
const group = groupChat(-4001);
const desk = privateChat(secretary);
const CSV = "name,role,household,phone\n张三,villager,一组3号,13800000000\n李四,grid_worker,,\n";

let server: Server | undefined;
const requested: string[] = [];

/** Serves files the way a Bot API server does under /file/bot<token>/<file_path>. */
async function fileServer(files: Record<string, string>): Promise<string> {
  const listening = createServer((request, response) => {
    requested.push(request.url ?? "");
    const body = files[request.url ?? ""];
    if (body === undefined) response.writeHead(404).end();
    else response.writeHead(200, { "Content-Type": "text/csv" }).end(body);
  });
  server = listening;
  await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
}

afterEach(async () => {
  requested.length = 0;
  await new Promise<void>((resolve) => (server === undefined ? resolve() : server.close(() => resolve())));
  server = undefined;
});

describe("roster files sent as documents", () => {
  it("downloads a CSV from the API root's file path and imports it", async () => {
    const apiRoot = await fileServer({ [`/file/bot${TOKEN}/documents/file_1.csv`]: CSV });
    const h = await createTelegramHarness({ apiRoot });
    const villageId = await setUpVillage(h, secretary, group);
    await h.deliver(h.updates.text(secretary, desk, "/start"));
    await h.press(secretary, desk, /^ro$/);
    await h.press(secretary, desk, /^ri$/);
    h.fake.addFile("doc-1", "documents/file_1.csv", CSV.length);

    await h.deliver(
      h.updates.document(secretary, {
        file_id: "doc-1",
        file_name: "名册.csv",
        mime_type: "text/csv",
        file_size: CSV.length,
      }),
    );

    const names = (await h.membersOf(villageId)).map((m) => m.name);
    expect(names).toEqual(expect.arrayContaining(["张三", "李四"]));
    expect(h.sentMessages(secretary.id).some((sent) => sent.text.includes("名册导入完成：新增2人"))).toBe(
      true,
    );
  });

  it("refuses a file over 512 KB without downloading it", async () => {
    const apiRoot = await fileServer({});
    const h = await createTelegramHarness({ apiRoot });
    await setUpVillage(h, secretary, group);

    await h.deliver(
      h.updates.document(secretary, {
        file_id: "doc-2",
        file_name: "big.csv",
        mime_type: "text/csv",
        file_size: 600_000,
      }),
    );

    expect(requested).toEqual([]);
    expect(h.fake.callsOf("getFile")).toHaveLength(0);
    expect(h.lastSent(secretary.id)?.text).toBe("文件太大了（最多 512 KB），请拆分后再发。");
  });

  it("tells a member who sends a picture as a file that no file is needed now", async () => {
    const h = await createTelegramHarness();
    await setUpVillage(h, secretary, group);

    await h.deliver(
      h.updates.document(secretary, {
        file_id: "doc-3",
        file_name: "x.jpg",
        mime_type: "image/jpeg",
        file_size: 2000,
      }),
    );

    expect(h.fake.callsOf("getFile")).toHaveLength(0);
    expect(h.lastSent(secretary.id)?.text).toContain(h.say("refusal.unexpected_file"));
  });
});
