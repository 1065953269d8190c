import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One Web API call as Slack would have received it: its method and its arguments, blocks parsed. */
export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
}

export interface UploadedFile {
  filename: string;
  bytes: Buffer;
}

type Answer = { status: number; body: Record<string, unknown>; headers?: Record<string, string> };

/**
 * A stand-in for Slack's Web API on a local port: records each call and answers as Slack does, so the real
 * WebClient (and Bolt through it) talks to it over HTTP. Files villagers "sent" are served for download.
 */
export async function startFakeSlackApi() {
  const calls: SlackCall[] = [];
  const uploads: UploadedFile[] = [];
  const failures = new Map<string, Answer[]>();
  const channelMembers = new Map<string, string[]>();
  const channelCreators = new Map<string, string>();
  const admins = new Set<string>();
  const files = new Map<string, { name: string; mimetype: string; content: Buffer }>();
  const pendingUploads = new Map<string, string>();
  let socketUrl = "";
  let ts = 1_795_000_000;
  let ids = 0;

  function answer(method: string, args: Record<string, unknown>): Answer {
    const queued = failures.get(method)?.shift();
    if (queued !== undefined) return queued;
    const ok = (body: Record<string, unknown>): Answer => ({ status: 200, body: { ok: true, ...body } });
    const channel = String(args.channel ?? "");
    switch (method) {
      case "apps.connections.open":
        return ok({ url: socketUrl });
      case "auth.test":
        return ok({ user_id: "UBOT", bot_id: "B0SHANGLIANG", team_id: "T1" });
      case "chat.postMessage":
        return ok({ channel: /^[UW]/.test(channel) ? `D${channel}` : channel, ts: `${++ts}.000100` });
      case "chat.update":
        return ok({ channel, ts: args.ts });
      case "chat.postEphemeral":
        return ok({ message_ts: `${++ts}.000200` });
      case "conversations.open":
        return ok({ channel: { id: `D${String(args.users)}` } });
      case "conversations.members":
        return ok({ members: channelMembers.get(channel) ?? [], response_metadata: { next_cursor: "" } });
      case "conversations.info":
        return ok({ channel: { id: channel, creator: channelCreators.get(channel) ?? "UNOBODY" } });
      case "users.info": {
        const user = String(args.user);
        return ok({ user: { id: user, is_admin: admins.has(user), is_owner: false } });
      }
      case "files.info": {
        const id = String(args.file);
        const file = files.get(id);
        if (file === undefined) return { status: 200, body: { ok: false, error: "file_not_found" } };
        return ok({
          file: { id, name: file.name, mimetype: file.mimetype, url_private_download: `${url}/files/${id}` },
        });
      }
      case "files.getUploadURLExternal": {
        const id = `F${++ids}`;
        pendingUploads.set(id, String(args.filename));
        return ok({ upload_url: `${url}/upload/${id}`, file_id: id });
      }
      case "files.completeUploadExternal":
        return ok({ files: JSON.parse(String(args.files)) as unknown[] });
      default:
        return ok({});
    }
  }

  function argsOf(request: IncomingMessage, raw: Buffer): Record<string, unknown> {
    const type = request.headers["content-type"] ?? "";
    const args: Record<string, unknown> = {};
    if (type.includes("application/json")) return JSON.parse(raw.toString("utf8")) as Record<string, unknown>;
    for (const [key, value] of new URLSearchParams(raw.toString("utf8"))) {
      args[key] = key === "blocks" ? (JSON.parse(value) as unknown) : value;
    }
    return args;
  }

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const raw = Buffer.concat(chunks);
      const path = new URL(request.url ?? "/", "http://localhost").pathname;
      if (path.startsWith("/files/")) {
        const file = files.get(path.slice("/files/".length));
        if (file === undefined || request.headers.authorization !== "Bearer xoxb-test-token") {
          response.writeHead(404).end();
          return;
        }
        response.writeHead(200, { "content-type": file.mimetype }).end(file.content);
        return;
      }
      if (path.startsWith("/upload/")) {
        uploads.push({ filename: pendingUploads.get(path.slice("/upload/".length)) ?? "", bytes: raw });
        response.writeHead(200).end("OK");
        return;
      }
      const method = path.replace(/^\/api\//, "");
      const args = argsOf(request, raw);
      calls.push({ method, args });
      const { status, body, headers } = answer(method, args);
      response
        .writeHead(status, { "content-type": "application/json", ...headers })
        .end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    apiUrl: `${url}/api/`,
    calls,
    uploads,
    callsOf: (method: string) => calls.filter((call) => call.method === method),
    /** The next call of `method` fails as Slack fails it: `{ ok: false, error }`. */
    fail(method: string, error: string) {
      failures.set(method, [...(failures.get(method) ?? []), { status: 200, body: { ok: false, error } }]);
    },
    /** The next call of `method` is refused with 429 and Retry-After. */
    rateLimit(method: string, seconds: number) {
      const refusal = {
        status: 429,
        body: { ok: false, error: "ratelimited" },
        headers: { "retry-after": String(seconds) },
      };
      failures.set(method, [...(failures.get(method) ?? []), refusal]);
    },
    /** Where apps.connections.open sends Socket Mode clients. */
    setSocketUrl(url: string) {
      socketUrl = url;
    },
    addMember(channel: string, user: string) {
      channelMembers.set(channel, [...(channelMembers.get(channel) ?? []), user]);
    },
    setCreator(channel: string, user: string) {
      channelCreators.set(channel, user);
    },
    makeAdmin(user: string) {
      admins.add(user);
    },
    addFile(id: string, name: string, mimetype: string, content: Buffer | string) {
      files.set(id, { name, mimetype, content: Buffer.from(content) });
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export type FakeSlackApi = Awaited<ReturnType<typeof startFakeSlackApi>>;
