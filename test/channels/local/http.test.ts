import { mkdir, readFile, writeFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { LocalMessage } from "../../../src/channels/local/schema.js";
import { getJson, postJson, type Running, type Seeded, seedVillage, startLocalChat } from "./fixture.js";
import { openEventStream } from "./sse.js";

interface History {
  private: LocalMessage[];
  group: LocalMessage[];
}

let app: Running;
let seeded: Seeded;

beforeEach(async () => {
  app = await startLocalChat();
  seeded = await seedVillage(app.app);
});

afterEach(async () => {
  await app.close();
});

async function history(memberId: string): Promise<History> {
  const { json } = await getJson(`${app.url}/api/history?member=${memberId}`);
  return json as unknown as History;
}

function event(userId: string, input: unknown, eventId: string = crypto.randomUUID(), chat = "private") {
  return { eventId, userId, chat, input };
}

describe("GET /api/people", () => {
  it("lists each village with its town and active members, secretary first", async () => {
    const { status, json } = await getJson(`${app.url}/api/people`);

    expect(status).toBe(200);
    expect(json.villages).toEqual([
      {
        id: seeded.village.id,
        name: "东风村",
        code: "DF",
        town: "红旗镇",
        members: [
          {
            id: seeded.secretary.id,
            name: "李书记",
            role: "secretary",
            roleName: { "zh-CN": "书记", en: "secretary" },
          },
          {
            id: seeded.worker.id,
            name: "王网格",
            role: "grid_worker",
            roleName: { "zh-CN": "网格员", en: "grid worker" },
          },
          {
            id: seeded.otherWorker.id,
            name: "赵网格",
            role: "grid_worker",
            roleName: { "zh-CN": "网格员", en: "grid worker" },
          },
          {
            id: seeded.villager.id,
            name: "张大爷",
            role: "villager",
            roleName: { "zh-CN": "村民", en: "villager" },
          },
          {
            id: seeded.neighbour.id,
            name: "刘大妈",
            role: "villager",
            roleName: { "zh-CN": "村民", en: "villager" },
          },
        ],
      },
    ]);
  });
});

describe("POST /api/events", () => {
  it("hands the event to the bot and the bot's reply lands in the member's history", async () => {
    const { status, json } = await postJson(
      `${app.url}/api/events`,
      event(seeded.villager.id, { type: "command", command: "start" }),
    );
    await app.settle();

    expect(status).toBe(200);
    expect(json).toEqual({ status: "handled", language: "zh-CN" });
    const { private: chat } = await history(seeded.villager.id);
    const reply = chat.find((m) => m.from === "bot");
    expect(reply?.text).toContain("张大爷（东风村·村民），您好！");
    expect(reply?.buttons[0]?.[0]).toEqual({ label: "📝 提诉求", data: "rq" });
  });

  it("shows what the person typed on their side of the private chat", async () => {
    await postJson(`${app.url}/api/events`, event(seeded.villager.id, { type: "text", text: "你好" }));
    await app.settle();

    const { private: chat } = await history(seeded.villager.id);
    expect(chat.map((m) => [m.from, m.text.split("\n")[0]])).toEqual([
      ["person", "你好"],
      ["bot", "请点下面的按钮操作。"],
    ]);
  });

  it("answers a button press with the notice translated into the member's language", async () => {
    const { json } = await postJson(
      `${app.url}/api/events`,
      event(seeded.villager.id, { type: "button", data: "rq" }),
    );

    expect(json).toEqual({ status: "handled", language: "zh-CN", notice: "您想办什么事？请选一项：" });
  });

  it("treats a repeated event id as a duplicate that changes nothing", async () => {
    const first = event(seeded.villager.id, { type: "text", text: "你好" }, "same-id");
    await postJson(`${app.url}/api/events`, first);
    await app.settle();
    const before = await history(seeded.villager.id);

    const { json } = await postJson(`${app.url}/api/events`, first);
    await app.settle();

    expect(json).toEqual({ status: "duplicate", language: "zh-CN" });
    expect(await history(seeded.villager.id)).toEqual(before);
  });

  it("sends a press of the group's open-private button to the private chat", async () => {
    const press = event(
      seeded.villager.id,
      { type: "button", data: `op:${seeded.village.id}` },
      undefined,
      "private",
    );

    await postJson(`${app.url}/api/events`, press);
    await app.settle();

    const { private: chat, group } = await history(seeded.villager.id);
    expect(chat.at(-1)?.text).toBe("您想办什么事？请选一项：");
    expect(group).toEqual([]);
  });

  it("refuses a body that is not JSON with 400 and says why", async () => {
    const { status, json } = await postJson(`${app.url}/api/events`, "{not json");

    expect(status).toBe(400);
    expect(json.error).toBe("bad_json");
    expect(json.message).toMatch(/not valid JSON/);
  });

  it("refuses a body of the wrong shape with 400 naming the field", async () => {
    const { status, json } = await postJson(
      `${app.url}/api/events`,
      event(seeded.villager.id, { type: "shout" }),
    );

    expect(status).toBe(400);
    expect(json.error).toBe("invalid_body");
    expect(json.message).toMatch(/input/);
  });

  it("refuses a body over 1 MB with 413", async () => {
    const huge = event(seeded.villager.id, { type: "text", text: "字".repeat(400_000) });

    const { status, json } = await postJson(`${app.url}/api/events`, huge);

    expect(status).toBe(413);
    expect(json.error).toBe("too_large");
  });

  it("refuses a body that is not sent as JSON with 415", async () => {
    const response = await fetch(`${app.url}/api/events`, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: JSON.stringify(event(seeded.villager.id, { type: "text", text: "hi" })),
    });

    expect(response.status).toBe(415);
  });

  it("answers 404 for a member who does not exist", async () => {
    const { status, json } = await postJson(
      `${app.url}/api/events`,
      event("nobody", { type: "text", text: "你好" }),
    );

    expect(status).toBe(404);
    expect(json.error).toBe("unknown_member");
  });
});

describe("GET /api/history and /api/stream", () => {
  it.each(["/api/history", "/api/stream"])("%s answers 404 for a member who does not exist", async (path) => {
    const response = await fetch(`${app.url}${path}?member=nobody`);

    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: "unknown_member" });
  });

  it("streams a new message of the member's private chat as it is sent", async () => {
    const stream = await openEventStream(`${app.url}/api/stream?member=${seeded.villager.id}`);
    try {
      await postJson(`${app.url}/api/events`, event(seeded.villager.id, { type: "button", data: "my:0" }));

      const pushed = await stream.next<{ chat: string; message: LocalMessage }>((data) =>
        data.message.text.startsWith("您还没有提过诉求"),
      );

      expect(pushed.chat).toBe("private");
    } finally {
      stream.close();
    }
  });

  it("greets a newly opened empty group with the button that opens the private chat", async () => {
    const stream = await openEventStream(`${app.url}/api/stream?member=${seeded.villager.id}`);
    try {
      const pushed = await stream.next<{ chat: string; message: LocalMessage }>(
        (data) => data.chat === "group",
      );

      expect(pushed.message.buttons).toEqual([
        [{ label: "📝 提诉求", data: `op:${seeded.village.id}`, opensPrivate: true }],
      ]);
    } finally {
      stream.close();
    }
  });

  it("keeps the history in one file per chat, so a restart keeps it", async () => {
    await postJson(`${app.url}/api/events`, event(seeded.villager.id, { type: "text", text: "记住我" }));
    await app.settle();
    await app.stop();

    const again = await startLocalChat({ dataDir: app.dataDir, store: app.store });
    try {
      const { json } = await getJson(`${again.url}/api/history?member=${seeded.villager.id}`);
      const file = await readFile(join(app.dataDir, "local-chat", `${seeded.villager.id}.jsonl`), "utf8");

      expect((json as unknown as History).private[0]?.text).toBe("记住我");
      expect(JSON.parse(file.split("\n")[0] ?? "").text).toBe("记住我");
    } finally {
      await again.stop();
    }
  });

  it("starts a chat afresh when its stored log is not readable", async () => {
    await app.stop();
    await mkdir(join(app.dataDir, "local-chat"), { recursive: true });
    await writeFile(join(app.dataDir, "local-chat", `${seeded.villager.id}.json`), '{"messages": "oops"}');
    const again = await startLocalChat({ dataDir: app.dataDir, store: app.store });
    try {
      const { status, json } = await getJson(`${again.url}/api/history?member=${seeded.villager.id}`);

      expect(status).toBe(200);
      expect((json as unknown as History).private).toEqual([]);
    } finally {
      await again.stop();
    }
  });
});

describe("POST /api/setup", () => {
  it("sets up a village with the person as its secretary", async () => {
    const { status, json } = await postJson(`${app.url}/api/setup`, {
      townName: "青山镇",
      villageName: "柳树村",
      code: "ls",
      name: "周书记",
    });
    await app.settle();

    expect(status).toBe(200);
    const member = json.member as { id: string; role: string; name: string };
    expect(member).toMatchObject({ name: "周书记", role: "secretary" });
    const { private: chat } = await history(member.id);
    expect(chat[0]?.text).toContain("柳树村建好了，您是书记。诉求编号以LS开头。");
  });

  it("refuses a prefix another village uses with 422 and the code", async () => {
    const { status, json } = await postJson(`${app.url}/api/setup`, {
      townName: "青山镇",
      villageName: "柳树村",
      code: "DF",
      name: "周书记",
    });

    expect(status).toBe(422);
    expect(json).toMatchObject({ error: "code_taken", params: { code: "DF" } });
  });
});

describe("photos", () => {
  const png = Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
    "base64",
  );

  it("stores an uploaded image under uploads/ and serves it back", async () => {
    const response = await fetch(`${app.url}/api/upload?member=${seeded.villager.id}`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: png,
    });
    const { fileRef } = (await response.json()) as { fileRef: string };

    const served = await fetch(`${app.url}/uploads/${fileRef}`);

    expect(response.status).toBe(200);
    expect(await readFile(join(app.dataDir, "uploads", fileRef))).toEqual(png);
    expect(served.headers.get("content-type")).toBe("image/png");
    expect(Buffer.from(await served.arrayBuffer())).toEqual(png);
  });

  it("refuses an upload that is not an image with 415", async () => {
    const response = await fetch(`${app.url}/api/upload?member=${seeded.villager.id}`, {
      method: "POST",
      headers: { "content-type": "text/html" },
      body: "<script>alert(1)</script>",
    });

    expect(response.status).toBe(415);
  });

  it("refuses a text file named like a picture, by its bytes", async () => {
    const response = await fetch(`${app.url}/api/upload?member=${seeded.villager.id}`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: "this is not a png",
    });

    expect([response.status, ((await response.json()) as { error: string }).error]).toEqual([
      415,
      "not_image",
    ]);
  });

  it("refuses a photo sent as a voice message", async () => {
    const upload = await fetch(`${app.url}/api/upload?member=${seeded.villager.id}`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: png,
    });
    const { fileRef } = (await upload.json()) as { fileRef: string };

    const { status, json } = await postJson(
      `${app.url}/api/events`,
      event(seeded.villager.id, { type: "voice", fileRef }),
    );

    expect([status, json.error]).toEqual([400, "unknown_upload"]);
  });

  it("refuses a caption longer than the bot takes, keeping nothing of it", async () => {
    const { status } = await postJson(
      `${app.url}/api/events`,
      event(seeded.villager.id, {
        type: "photo",
        fileRef: "00000000-0000-0000-0000-000000000000.png",
        caption: "长".repeat(4097),
      }),
    );
    await app.settle();

    const { private: chat } = await history(seeded.villager.id);
    expect([status, chat.length]).toEqual([400, 0]);
  });

  it("refuses a photo event whose file was never uploaded", async () => {
    const fileRef = "00000000-0000-0000-0000-000000000000.png";

    const { status, json } = await postJson(
      `${app.url}/api/events`,
      event(seeded.villager.id, { type: "photo", fileRef }),
    );

    expect(status).toBe(400);
    expect(json.error).toBe("unknown_upload");
  });

  it.each(["../secret.png", "x.svg", "..%2Fpeople.json"])(
    "serves nothing for the upload name %s",
    async (name) => {
      const response = await fetch(`${app.url}/uploads/${name}`);

      expect(response.status).toBe(404);
    },
  );
});

describe("addresses that cannot be read", () => {
  it.each(["http://[::1/", "//[::1", "http://%zz"])(
    "answers 400 to the request target %s",
    async (target) => {
      const port = Number(new URL(app.url).port);
      const status = await new Promise<number>((resolve, reject) => {
        const request = httpRequest({ host: "127.0.0.1", port, path: target, method: "GET" }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        });
        request.on("error", reject);
        request.end();
      });

      expect(status).toBe(400);
    },
  );
});

describe("the group pane", () => {
  it("shows a member's group command to everyone in the group, and the bot's answer there", async () => {
    await postJson(`${app.url}/api/events`, {
      eventId: "group-stats-1",
      userId: seeded.villager.id,
      chat: "group",
      input: { type: "command", command: "stats" },
    });
    await app.settle();

    const { group } = await history(seeded.neighbour.id);
    expect(
      group.slice(-2).map((m) => [m.from, m.text.split("\n")[0]?.startsWith("📊 东风村"), m.photos.length]),
    ).toEqual([
      ["person", false, 0],
      ["bot", true, 1],
    ]);
  });
});

describe("the page", () => {
  it("is served at the address start() returned, on the port the system chose", () => {
    expect(app.url).toMatch(/^http:\/\/localhost:[1-9]\d*$/);
  });

  it("serves the page with its text embedded and a strict content security policy", async () => {
    const response = await fetch(`${app.url}/`);
    const html = await response.text();

    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(html).toContain('"pickTitle":"您是谁？"');
    expect(html).toContain('<h1 data-text="pickTitle">您是谁？</h1>');
    expect(html).not.toContain('id="page-text">null<');
  });

  it.each([
    ["/app.js", "text/javascript"],
    ["/app.css", "text/css"],
  ])("serves %s as %s", async (path, type) => {
    const response = await fetch(`${app.url}${path}`);

    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain(type);
  });
});
