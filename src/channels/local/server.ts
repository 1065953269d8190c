import { randomUUID } from "node:crypto";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { App } from "../../app/create-app.js";
import { inUnit, localGroupChat, localPrivateChat, tellGroup } from "../../app/deps.js";
import { type InboundEvent, MAX_INBOUND_TEXT } from "../../app/inbound.js";
import { Villages } from "../../app/tables.js";
import type { Member } from "../../domain/model.js";
import { groupWelcome } from "../../features/setup/index.js";
import { localChatText } from "../../i18n/local-chat.js";
import type { Logger } from "../../outbox/dispatcher.js";
import { HttpError, readBody, readJson, sendBytes, sendError, sendJson, UPLOAD_LIMIT } from "./http.js";
import type { Hub, Pane, Pushed } from "./hub.js";
import type { ChatLog } from "./log.js";
import { explainSetup, findMember, listPeople, personView, setupFromPage } from "./people.js";
import { EventBody, type LocalMessage, MemberQuery, SetupBody, UploadName } from "./schema.js";
import { sniffUpload, TYPE_OF_EXTENSION, type UploadExtension } from "./uploads.js";

export const HISTORY_LIMIT = 100;
const HEARTBEAT_MS = 20_000;

const PAGE_SECURITY = {
  "content-security-policy":
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
};

const PAGE_TEXT_SLOT = '<script type="application/json" id="page-text">null</script>';

const PUBLIC_DIR = fileURLToPath(new URL("./public/", import.meta.url));

export interface ServerContext {
  app: App;
  dataDir: string;
  log: ChatLog;
  hub: Hub;
  kick: () => void;
  logger: Logger;
}

export interface LocalHandler {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Ends every open stream (so the server can close). */
  closeStreams(): void;
}

/** The chats a member sees: their private chat with the bot and their village's group. */
export function chatsOf(member: Member): Map<string, Pane> {
  return new Map<string, Pane>([
    [localPrivateChat(member.id), "private"],
    [localGroupChat(member.villageId), "group"],
  ]);
}

export function createHandler(context: ServerContext): LocalHandler {
  const { app, dataDir, log, hub, kick, logger } = context;
  const { deps } = app;
  const uploadDir = join(dataDir, "uploads");
  const streams = new Set<ServerResponse>();
  const greetedGroups = new Set<string>();
  const greetedMembers = new Set<string>();
  const files = new Map<string, Promise<Buffer>>();
  let heartbeat: NodeJS.Timeout | undefined;

  function publicFile(name: string): Promise<Buffer> {
    let found = files.get(name);
    if (found === undefined) {
      found = readFile(join(PUBLIC_DIR, name));
      files.set(name, found);
    }
    return found;
  }

  /** The page in Chinese from the first byte (the script switches languages), with all its text embedded. */
  async function page(): Promise<string> {
    const template = (await publicFile("index.html")).toString("utf8");
    const text = JSON.stringify(localChatText).replace(/</g, "\\u003c");
    const chinese: Record<string, string> = localChatText["zh-CN"];
    return template
      .replace(PAGE_TEXT_SLOT, () => `<script type="application/json" id="page-text">${text}</script>`)
      .replace(
        /(data-text="(\w+)"[^>]*>)…</g,
        (_whole, open: string, key: string) => `${open}${escapeHtml(chinese[key] ?? "")}<`,
      );
  }

  async function memberFromQuery(url: URL): Promise<Member> {
    const parsed = MemberQuery.safeParse(url.searchParams.get("member"));
    if (!parsed.success) throw new HttpError(400, "member_required", "Give the member id as ?member=ID.");
    return knownMember(parsed.data);
  }

  async function knownMember(memberId: string): Promise<Member> {
    const member = await findMember(app, memberId);
    if (member === undefined) throw new HttpError(404, "unknown_member", `No member with id ${memberId}.`);
    return member;
  }

  /** The first time a page opens a chat that is still empty, the bot says hello there, as on Telegram's Start. */
  async function greet(member: Member): Promise<void> {
    if (!member.active) return;
    let said = false;
    if (!greetedGroups.has(member.villageId)) {
      greetedGroups.add(member.villageId);
      if ((await log.recent(localGroupChat(member.villageId), 1)).length === 0) {
        await inUnit(deps, async (unit) => {
          const village = await unit.tx.get(Villages, member.villageId);
          if (village !== undefined) await tellGroup(unit, village.id, groupWelcome(village));
        });
        said = true;
      }
    }
    if (!greetedMembers.has(member.id)) {
      greetedMembers.add(member.id);
      if ((await log.recent(localPrivateChat(member.id), 1)).length === 0) {
        await app.handle({
          eventId: `hello-${member.id}`,
          channel: "local",
          userId: member.id,
          displayName: member.name,
          chat: { kind: "private", chatId: localPrivateChat(member.id) },
          input: { type: "command", command: "start" },
        } satisfies InboundEvent);
        said = true;
      }
    }
    if (said) kick();
  }

  /**
   * What the person sent, shown in the chat they sent it to (a group sees who sent it); keyed by event id so
   * a retry adds nothing. In a group only commands are taken, as with Telegram's privacy mode.
   */
  async function echo(member: Member, body: EventBody, chatId: string): Promise<void> {
    const input = body.input;
    const base = {
      id: `p-${body.eventId}`,
      at: deps.clock.now().toISOString(),
      from: "person" as const,
      buttons: [],
      photos: [],
      ...(body.chat === "group" ? { sender: { id: member.id, name: member.name } } : {}),
    };
    let message: Omit<LocalMessage, "n"> | undefined;
    if (input.type === "command")
      message = { ...base, text: `/${input.command}${input.args === undefined ? "" : ` ${input.args}`}` };
    else if (body.chat === "group") message = undefined;
    else if (input.type === "text") message = { ...base, text: input.text.slice(0, MAX_INBOUND_TEXT) };
    else if (input.type === "photo")
      message = { ...base, text: input.caption ?? "", photos: [input.fileRef] };
    else if (input.type === "voice") message = { ...base, text: "", voices: [input.fileRef] };
    else if (input.type === "location")
      message = { ...base, text: "", location: { lat: input.lat, lng: input.lng } };
    else if (input.type === "file") message = { ...base, text: "", fileName: input.fileName };
    if (message === undefined) return;
    const stored = await log.append(chatId, message);
    if (stored !== undefined) hub.publish(chatId, stored);
  }

  function languageOf(member: Member): string {
    return member.language ?? deps.defaultLanguage;
  }

  async function postEvent(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req, EventBody);
    const member = await knownMember(body.userId);
    const input = body.input;
    if (
      (input.type === "photo" || input.type === "voice") &&
      !(await uploadExists(input.fileRef, input.type))
    ) {
      throw new HttpError(
        400,
        "unknown_upload",
        `Upload the ${input.type} to /api/upload first and send the fileRef it returns.`,
      );
    }
    const chatId = body.chat === "private" ? localPrivateChat(member.id) : localGroupChat(member.villageId);
    await echo(member, body, chatId);
    const outcome = await app.handle({
      eventId: body.eventId,
      channel: "local",
      userId: member.id,
      displayName: member.name,
      chat: { kind: body.chat, chatId },
      input: body.input,
    } satisfies InboundEvent);
    kick();
    if (outcome.status === "invalid")
      throw new HttpError(400, "invalid_event", "The event was refused as invalid.");
    const now = (await findMember(app, member.id)) ?? member;
    const language = now.language ?? deps.defaultLanguage;
    sendJson(res, 200, {
      status: outcome.status,
      language,
      ...(outcome.notice === undefined ? {} : { notice: app.translate(outcome.notice, language) }),
    });
  }

  async function postSetup(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson(req, SetupBody);
    const created = await setupFromPage(app, body);
    if (!created.ok) {
      const language = body.language ?? deps.defaultLanguage;
      throw new HttpError(422, created.reason, app.translate(explainSetup(created), language), {
        params: created.params ?? {},
      });
    }
    greetedMembers.add(created.member.id);
    kick();
    sendJson(res, 200, { member: personView(app, created.member), villageId: created.member.villageId });
  }

  async function uploadExists(name: string, kind: "photo" | "voice"): Promise<boolean> {
    if (!UploadName.safeParse(name).success) return false;
    const extension = name.slice(name.lastIndexOf(".") + 1) as UploadExtension;
    if (TYPE_OF_EXTENSION[extension].startsWith("audio/") !== (kind === "voice")) return false;
    return stat(join(uploadDir, name)).then(
      (found) => found.isFile(),
      () => false,
    );
  }

  async function postUpload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    await memberFromQuery(url);
    const type = (req.headers["content-type"] ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
    const kind = type.startsWith("audio/") ? "voice" : "photo";
    const body = await readBody(req, UPLOAD_LIMIT);
    if (body.length === 0) throw new HttpError(400, "empty_upload", "The upload is empty.");
    const sniffed = await sniffUpload(body, kind);
    if (sniffed === undefined) {
      throw kind === "voice"
        ? new HttpError(415, "not_voice", "Upload a voice recording (webm, ogg, m4a, mp3 or wav).")
        : new HttpError(415, "not_image", "Upload a png, jpeg, gif or webp image.");
    }
    const name = `${randomUUID()}.${sniffed.extension}`;
    await mkdir(uploadDir, { recursive: true });
    await writeFile(join(uploadDir, name), body);
    sendJson(res, 200, { fileRef: name });
  }

  async function getUpload(res: ServerResponse, name: string): Promise<void> {
    const parsed = UploadName.safeParse(name);
    if (!parsed.success) throw new HttpError(404, "not_found", "No such upload.");
    const bytes = await readFile(join(uploadDir, parsed.data)).catch(() => undefined);
    if (bytes === undefined) throw new HttpError(404, "not_found", "No such upload.");
    const extension = parsed.data.slice(parsed.data.lastIndexOf(".") + 1) as UploadExtension;
    sendBytes(res, TYPE_OF_EXTENSION[extension], bytes, {
      "cache-control": "private, max-age=86400",
      "content-security-policy": "default-src 'none'",
    });
  }

  async function getHistory(res: ServerResponse, url: URL): Promise<void> {
    const member = await memberFromQuery(url);
    const chats = chatsOf(member);
    const history: Record<Pane, LocalMessage[]> = { private: [], group: [] };
    for (const [chatId, pane] of chats) history[pane] = await log.recent(chatId, HISTORY_LIMIT);
    sendJson(res, 200, {
      member: personView(app, member),
      villageId: member.villageId,
      language: languageOf(member),
      ...history,
    });
  }

  async function getStream(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const member = await memberFromQuery(url);
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no",
    });
    res.write("retry: 2000\n\n");
    const stop = hub.subscribe(chatsOf(member), (pushed: Pushed) => {
      res.write(`event: message\ndata: ${JSON.stringify(pushed)}\n\n`);
    });
    streams.add(res);
    startHeartbeat();
    const end = () => {
      stop();
      streams.delete(res);
    };
    req.on("close", end);
    res.on("close", end);
    res.write("event: ready\ndata: {}\n\n");
    await greet(member).catch((error: unknown) => {
      logger.error("local chat greeting failed", { member: member.id, error: String(error) });
    });
  }

  function startHeartbeat(): void {
    if (heartbeat !== undefined) return;
    heartbeat = setInterval(() => {
      for (const stream of streams) stream.write(": ping\n\n");
    }, HEARTBEAT_MS);
    heartbeat.unref();
  }

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = URL.parse(req.url ?? "/", "http://local");
    if (url === null) throw new HttpError(400, "bad_url", "That address cannot be read.");
    const method = req.method ?? "GET";
    const path = url.pathname;
    const get = method === "GET" || method === "HEAD";
    if (path === "/" || path === "/index.html") {
      if (!get) throw methodNotAllowed();
      return sendBytes(res, "text/html; charset=utf-8", await page(), PAGE_SECURITY);
    }
    if (path === "/app.js" || path === "/app.css") {
      if (!get) throw methodNotAllowed();
      const type = path.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8";
      return sendBytes(res, type, await publicFile(path.slice(1)));
    }
    if (path.startsWith("/uploads/")) {
      if (!get) throw methodNotAllowed();
      return getUpload(res, path.slice("/uploads/".length));
    }
    const routes: Record<string, { method: string; run: () => Promise<void> }> = {
      "/api/people": {
        method: "GET",
        run: async () => sendJson(res, 200, { villages: await listPeople(app) }),
      },
      "/api/events": { method: "POST", run: () => postEvent(req, res) },
      "/api/setup": { method: "POST", run: () => postSetup(req, res) },
      "/api/upload": { method: "POST", run: () => postUpload(req, res, url) },
      "/api/history": { method: "GET", run: () => getHistory(res, url) },
      "/api/stream": { method: "GET", run: () => getStream(req, res, url) },
    };
    const found = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (found === undefined) throw new HttpError(404, "not_found", `Nothing at ${path}.`);
    if (found.method !== method) throw methodNotAllowed();
    return found.run();
  }

  return {
    handle(req, res) {
      route(req, res).catch((error: unknown) => {
        if (res.headersSent || res.destroyed) {
          if (!res.writableEnded) res.end();
          return;
        }
        if (error instanceof HttpError) return sendError(res, error);
        logger.error("local chat request failed", {
          url: req.url,
          error: error instanceof Error ? error.stack : String(error),
        });
        sendError(res, new HttpError(500, "internal", "Something went wrong on the server; see its log."));
      });
    },
    closeStreams() {
      if (heartbeat !== undefined) clearInterval(heartbeat);
      heartbeat = undefined;
      for (const stream of streams) stream.end();
      streams.clear();
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function methodNotAllowed(): HttpError {
  return new HttpError(405, "method_not_allowed", "That method is not allowed here.");
}
