import { lightSeverity, trafficLight } from "../domain/deadlines.js";
import type { Language, Member, Village } from "../domain/model.js";
import { canRate, canWorkOn, isSecretary, isWorker } from "../domain/permissions.js";
import * as transitions from "../domain/request.js";
import type { Refusal, Result } from "../domain/result.js";
import { type Action, decodeAction } from "./actions.js";
import type { Awaiting, Conversation } from "./conversation.js";
import { type Deps, deadlinesOf, privateTarget, tell, type Unit } from "./deps.js";
import { type Command, InboundEvent, MAX_INBOUND_TEXT } from "./inbound.js";
import * as intake from "./intake.js";
import { type Button, button, message, type OutgoingMessage, type Text, t } from "./messages.js";
import type { DeliveryTarget } from "./ports.js";
import * as requests from "./requests.js";
import * as roster from "./roster.js";
import * as setup from "./setup.js";
import { mainMenu, requestLine } from "./views.js";

export interface InboundOutcome {
  status: "handled" | "duplicate" | "invalid";
  /** A short answer for the person who pressed a button (a toast on Telegram). */
  notice?: Text;
  /** The language the notice is for. */
  language?: Language;
}

/** Everything the handlers of one event need. */
interface Turn {
  unit: Unit;
  event: InboundEvent;
  language: Language;
  reply: DeliveryTarget;
  conversation: Conversation;
  /** A button pressed in a group: answers go to the private chat, refusals only as a notice. */
  quiet: boolean;
}

type AnyResult = Result<unknown, string>;

export function languageFromHint(hint: string | undefined, fallback: Language): Language {
  if (hint === undefined) return fallback;
  if (hint.toLowerCase().startsWith("zh")) return "zh-CN";
  if (hint.toLowerCase().startsWith("en")) return "en";
  return fallback;
}

/** The one entry point for every channel: a person did something; the bot answers through the outbox. */
export async function handleInbound(deps: Deps, raw: unknown): Promise<InboundOutcome> {
  const parsed = InboundEvent.safeParse(raw);
  if (!parsed.success) return { status: "invalid" };
  const event = parsed.data;
  return deps.store.transaction(async (tx) => {
    const eventKey = `${event.channel}:${event.eventId}`;
    if (await tx.hasProcessed(eventKey)) return { status: "duplicate" };
    tx.markProcessed(eventKey);
    const unit: Unit = { deps, tx, now: deps.clock.now() };
    let actor =
      event.channel === "local"
        ? await tx.getMember(event.userId)
        : await tx.findMemberByIdentity({ channel: event.channel, userId: event.userId });
    if (
      actor !== undefined &&
      event.chat.kind === "private" &&
      actor.lastChannel !== event.channel &&
      actor.active
    ) {
      actor = { ...actor, lastChannel: event.channel };
      tx.putMember(actor);
    }
    const language = actor?.language ?? languageFromHint(event.languageHint, deps.defaultLanguage);
    const key = `${event.channel}:${event.userId}`;
    const turn: Turn = {
      unit,
      event,
      language,
      reply: { channel: event.channel, chatId: event.chat.chatId, language },
      conversation: (await tx.getConversation(key)) ?? { key, updatedAt: unit.now.toISOString() },
      quiet: event.chat.kind === "group" && event.input.type === "button",
    };
    const outcome = await route(turn, actor);
    return outcome.notice === undefined ? outcome : { ...outcome, language };
  });
}

async function route(turn: Turn, actor: Member | undefined): Promise<InboundOutcome> {
  if (turn.event.chat.kind === "group") return inGroup(turn, actor);
  if (actor === undefined || !actor.active) return fromStranger(turn, actor);
  const village = await turn.unit.tx.getVillage(actor.villageId);
  if (village === undefined) throw new Error(`member ${actor.id} has no village ${actor.villageId}`);
  return fromMember(turn, actor, village);
}

function say(turn: Turn, reply: OutgoingMessage): void {
  turn.unit.tx.enqueue(turn.reply, reply);
}

function refusalText(refusal: Refusal): Text {
  return t(`refusal.${refusal.reason}` as Text["key"], refusal.params);
}

/** Tells the actor why not and what to do next; the same words answer a button press. */
function refused(turn: Turn, refusal: Refusal, menu?: Button[][]): InboundOutcome {
  const text = refusalText(refusal);
  if (!turn.quiet)
    say(turn, message([text], menu ?? [[button("menu.back_to_menu", { type: "menu", menu: "help" })]]));
  return { status: "handled", notice: text };
}

function outcome(turn: Turn, result: AnyResult): InboundOutcome {
  return result.ok ? { status: "handled", notice: t("notice.done") } : refused(turn, result);
}

async function inGroup(turn: Turn, actor: Member | undefined): Promise<InboundOutcome> {
  const { unit, event } = turn;
  const binding = await unit.tx.getBinding(event.channel, event.chat.chatId);
  const village = binding === undefined ? undefined : await unit.tx.getVillage(binding.villageId);
  const input = event.input;
  if (input.type === "bind_group" || (input.type === "command" && input.command === "setup")) {
    if (actor === undefined || !actor.active) return refused(turn, { ok: false, reason: "setup_first" }, []);
    const bound = await setup.bindGroupIn(unit, actor, event.channel, event.chat.chatId);
    return bound.ok ? { status: "handled" } : refused(turn, bound, []);
  }
  if (input.type === "command" && input.command === "stats") {
    if (village === undefined) return refused(turn, { ok: false, reason: "group_not_bound" }, []);
    say(turn, await setup.villageStats(unit, village));
    return { status: "handled" };
  }
  if (input.type === "command" && (input.command === "help" || input.command === "start")) {
    if (village === undefined) say(turn, message([t("group.help_unbound")]));
    else say(turn, setup.groupWelcome(village));
    return { status: "handled" };
  }
  if (input.type === "button") {
    if (actor === undefined || !actor.active) return refused(turn, { ok: false, reason: "join_first" }, []);
    const village = await unit.tx.getVillage(actor.villageId);
    if (village === undefined) return { status: "handled" };
    const privateChat = privateTarget(unit.deps, actor);
    return pressed(
      privateChat === undefined ? turn : { ...turn, reply: privateChat },
      actor,
      village,
      input.data,
    );
  }
  return { status: "handled" };
}

async function fromStranger(turn: Turn, removed: Member | undefined): Promise<InboundOutcome> {
  const { unit, event } = turn;
  const input = event.input;
  if (removed !== undefined) return refused(turn, { ok: false, reason: "removed" }, []);
  if (input.type === "join") {
    const joined = await setup.joinVillageIn(
      unit,
      { channel: event.channel, userId: event.userId },
      input.villageId,
      event.displayName ?? "",
      turn.language,
    );
    return joined.ok ? { status: "handled" } : refused(turn, joined, []);
  }
  if (input.type === "command" && input.command === "setup") {
    return ask(
      turn,
      { type: "setup_village", answers: { name: event.displayName ?? "" } },
      t("setup.ask_village"),
    );
  }
  const awaiting = turn.conversation.awaiting;
  if (input.type === "text" && awaiting !== undefined && awaiting.type.startsWith("setup_")) {
    return continueSetup(turn, awaiting, input.text);
  }
  const cancelled =
    (input.type === "command" && input.command === "cancel") ||
    (input.type === "button" && decodeAction(input.data)?.type === "draft_cancel");
  if (cancelled) unit.tx.deleteConversation(turn.conversation.key);
  say(turn, message([t("stranger.welcome")]));
  return { status: "handled", notice: t("stranger.welcome") };
}

async function continueSetup(turn: Turn, awaiting: Awaiting, text: string): Promise<InboundOutcome> {
  const answers = { ...awaiting.answers, [awaiting.type]: text.trim() };
  if (text.trim() === "" || text.length > 60) return refused(turn, { ok: false, reason: "name_invalid" }, []);
  if (awaiting.type === "setup_village")
    return ask(turn, { type: "setup_town", answers }, t("setup.ask_town"));
  if (awaiting.type === "setup_town") return ask(turn, { type: "setup_code", answers }, t("setup.ask_code"));
  const created = await setup.setupVillageIn(turn.unit, {
    townName: answers.setup_town ?? "",
    villageName: answers.setup_village ?? "",
    code: answers.setup_code ?? "",
    secretaryName: answers.name || (answers.setup_village ?? ""),
    identity: { channel: turn.event.channel, userId: turn.event.userId },
    language: turn.language,
  });
  if (!created.ok) return refused(turn, created, []);
  turn.unit.tx.deleteConversation(turn.conversation.key);
  return { status: "handled" };
}

function ask(turn: Turn, awaiting: Awaiting, prompt: Text): InboundOutcome {
  turn.unit.tx.putConversation({ ...turn.conversation, awaiting, updatedAt: turn.unit.now.toISOString() });
  say(turn, message([prompt], [[button("action.cancel", { type: "draft_cancel" })]]));
  return { status: "handled", notice: prompt };
}

async function fromMember(turn: Turn, actor: Member, village: Village): Promise<InboundOutcome> {
  const { unit, event, conversation } = turn;
  const input = event.input;
  switch (input.type) {
    case "command":
      return command(turn, actor, village, input.command);
    case "button":
      return pressed(turn, actor, village, input.data);
    case "join":
      say(turn, mainMenu(actor, village, t("join.welcome_back")));
      return { status: "handled" };
    case "bind_group":
      return { status: "handled" };
    case "text": {
      if (input.text.length > MAX_INBOUND_TEXT)
        return refused(turn, { ok: false, reason: "text_too_long", params: { max: MAX_INBOUND_TEXT } });
      if (conversation.awaiting !== undefined)
        return answered(turn, actor, village, conversation.awaiting, input.text);
      if (conversation.draft !== undefined)
        return outcome(turn, await intake.giveTextIn(unit, actor, conversation, input.text));
      say(turn, mainMenu(actor, village, t("menu.use_buttons")));
      return { status: "handled" };
    }
    case "photo":
    case "voice":
    case "location": {
      if (conversation.draft === undefined) return refused(turn, { ok: false, reason: "no_draft" });
      const extra: intake.Extra =
        input.type === "location"
          ? { type: "location", lat: input.lat, lng: input.lng }
          : input.type === "photo"
            ? {
                type: "photo",
                fileRef: input.fileRef,
                ...(input.caption === undefined ? {} : { caption: input.caption }),
              }
            : { type: "voice", fileRef: input.fileRef };
      return outcome(turn, await intake.addExtraIn(unit, actor, conversation, extra, event.channel));
    }
    case "file":
      if (conversation.awaiting?.type !== "import_roster")
        return refused(turn, { ok: false, reason: "unexpected_file" });
      return answered(turn, actor, village, conversation.awaiting, input.content);
  }
}

async function command(turn: Turn, actor: Member, village: Village, name: Command): Promise<InboundOutcome> {
  const { unit, conversation } = turn;
  switch (name) {
    case "start":
    case "help":
      say(turn, mainMenu(actor, village));
      return { status: "handled" };
    case "cancel":
      return outcome(turn, await intake.cancelDraftIn(unit, actor, conversation));
    case "setup":
      return refused(turn, {
        ok: false,
        reason: isSecretary(actor) ? "setup_in_group" : "already_member",
        params: { village: village.name },
      });
    case "stats":
      say(turn, await setup.villageStats(unit, village));
      return { status: "handled" };
    case "request":
      return act(turn, actor, village, { type: "menu", menu: "request" });
    case "my":
      return act(turn, actor, village, { type: "menu", menu: "my" });
    case "work":
      return act(turn, actor, village, { type: "menu", menu: "work" });
    case "lang":
      return act(turn, actor, village, { type: "menu", menu: "lang" });
    case "roster":
      return act(turn, actor, village, { type: "menu", menu: "roster" });
  }
}

async function pressed(turn: Turn, actor: Member, village: Village, data: string): Promise<InboundOutcome> {
  const action = decodeAction(data);
  if (action === undefined) return refused(turn, { ok: false, reason: "stale_button" });
  return act(turn, actor, village, action);
}

/** Asks for typed text after checking, with a trial run of the pure rule, that the answer could be used. */
async function askForNote(
  turn: Turn,
  actor: Member,
  requestId: string,
  type: "progress" | "resolve" | "extend" | "decline" | "merge",
): Promise<InboundOutcome> {
  const request = await turn.unit.tx.getRequest(requestId);
  if (
    request === undefined ||
    request.villageId !== actor.villageId ||
    !(isWorker(actor) || canRate(actor, request))
  ) {
    return refused(turn, { ok: false, reason: "no_such_request", params: { id: requestId } });
  }
  const secretaryOnly = type === "decline" || type === "merge";
  if (secretaryOnly ? !isSecretary(actor) : !canWorkOn(actor, request))
    return refused(turn, { ok: false, reason: "not_allowed" });
  const now = turn.unit.now;
  const trial =
    type === "progress"
      ? transitions.addProgress(request, actor.id, "-", now)
      : type === "resolve"
        ? transitions.resolve(request, actor.id, "-", now)
        : type === "extend"
          ? transitions.extend(request, actor.id, "-", now, deadlinesOf(turn.unit.deps))
          : type === "decline"
            ? transitions.decline(request, actor.id, "-", now)
            : transitions.merge(request, { ...request, id: "" }, actor.id, now);
  if (!trial.ok) return refused(turn, trial);
  return ask(turn, { type, targetId: requestId }, t(`prompt.${type}`, { id: requestId }));
}

async function act(turn: Turn, actor: Member, village: Village, action: Action): Promise<InboundOutcome> {
  const { unit, conversation } = turn;
  switch (action.type) {
    case "menu":
      return menu(turn, actor, village, action.menu);
    case "draft_kind":
      return outcome(turn, await intake.chooseKindIn(unit, actor, conversation, action.kind));
    case "draft_category":
      return outcome(turn, await intake.chooseCategoryIn(unit, actor, conversation, action.categoryId));
    case "draft_skip":
    case "draft_submit":
      return outcome(turn, await intake.submitDraftIn(unit, actor, conversation));
    case "draft_cancel":
      return outcome(turn, await intake.cancelDraftIn(unit, actor, conversation));
    case "proxy_for":
      return outcome(turn, await intake.startDraftIn(unit, actor, conversation, action.memberId));
    case "open_private":
      if (action.villageId !== actor.villageId) return refused(turn, { ok: false, reason: "not_allowed" });
      return outcome(turn, await intake.startDraftIn(unit, actor, conversation, actor.id));
    case "view":
      return outcome(turn, await requests.viewRequestIn(unit, actor, action.requestId));
    case "accept":
      return outcome(turn, await requests.acceptRequestIn(unit, actor, action.requestId));
    case "assign":
      return outcome(turn, await requests.assignRequestIn(unit, actor, action.requestId, action.ownerId));
    case "transfer":
      return outcome(turn, await requests.transferRequestIn(unit, actor, action.requestId));
    case "progress":
    case "resolve":
    case "extend":
    case "decline":
    case "merge":
      return askForNote(turn, actor, action.requestId, action.type);
    case "rate": {
      if (action.rating !== "not_satisfied") {
        return outcome(
          turn,
          await requests.rateRequestIn(unit, actor, action.requestId, action.rating, undefined),
        );
      }
      const request = await unit.tx.getRequest(action.requestId);
      if (request === undefined || !canRate(actor, request)) {
        return refused(turn, { ok: false, reason: "no_such_request", params: { id: action.requestId } });
      }
      const trial = transitions.rate(
        request,
        actor.id,
        "not_satisfied",
        "-",
        unit.now,
        deadlinesOf(unit.deps),
      );
      if (!trial.ok) return refused(turn, trial);
      return ask(
        turn,
        { type: "rate_reason", targetId: request.id },
        t("prompt.rate_reason", { id: request.id }),
      );
    }
    case "lang": {
      const next = { ...actor, language: action.language };
      unit.tx.putMember(next);
      tell(unit, next, mainMenu(next, village, t("lang.changed")));
      return { status: "handled", notice: t("notice.done") };
    }
    case "member":
      return outcome(turn, await roster.memberCardIn(unit, actor, action.memberId));
    case "member_role":
      return outcome(turn, await roster.setRoleIn(unit, actor, action.memberId, action.role));
    case "member_household":
      return outcome(turn, await roster.askHouseholdIn(unit, actor, action.memberId));
    case "member_move":
      return outcome(turn, await roster.moveMemberIn(unit, actor, action.memberId, action.householdId));
    case "member_remove":
      return outcome(turn, await roster.removeMemberIn(unit, actor, action.memberId));
    case "member_categories":
      return outcome(turn, await roster.askCategoriesIn(unit, actor, action.memberId));
    case "member_category":
      return outcome(turn, await roster.toggleCategoryIn(unit, actor, action.memberId, action.categoryId));
    case "household":
      return outcome(turn, await roster.householdCardIn(unit, actor, action.householdId));
    case "household_remove":
      return outcome(turn, await roster.removeHouseholdIn(unit, actor, action.householdId));
    case "member_rename":
    case "household_rename":
    case "roster_add_member":
    case "roster_add_household":
    case "roster_import": {
      if (!isSecretary(actor)) return refused(turn, { ok: false, reason: "not_allowed" });
      const awaiting: Awaiting =
        action.type === "member_rename"
          ? { type: "member_rename", targetId: action.memberId }
          : action.type === "household_rename"
            ? { type: "household_rename", targetId: action.householdId }
            : {
                type:
                  action.type === "roster_add_member"
                    ? "add_member"
                    : action.type === "roster_add_household"
                      ? "add_household"
                      : "import_roster",
              };
      return ask(turn, awaiting, t(`prompt.${awaiting.type}` as Text["key"]));
    }
  }
}

async function menu(
  turn: Turn,
  actor: Member,
  village: Village,
  which: Extract<Action, { type: "menu" }>["menu"],
): Promise<InboundOutcome> {
  const { unit, conversation } = turn;
  switch (which) {
    case "help":
      tell(unit, actor, mainMenu(actor, village));
      return { status: "handled" };
    case "request":
      return outcome(turn, await intake.startDraftIn(unit, actor, conversation, actor.id));
    case "lang":
      tell(
        unit,
        actor,
        message(
          [t("lang.pick")],
          [
            [
              button("lang.zh", { type: "lang", language: "zh-CN" }),
              button("lang.en", { type: "lang", language: "en" }),
            ],
          ],
        ),
      );
      return { status: "handled" };
    case "my": {
      const mine = await unit.tx.listRequestsOf(village.id, actor.id);
      mine.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      tell(
        unit,
        actor,
        requestList(
          mine.slice(0, 10),
          village,
          unit.now,
          mine.length === 0 ? t("my.none") : t("my.title", { count: mine.length }),
        ),
      );
      return { status: "handled" };
    }
    case "work": {
      if (!isWorker(actor)) return refused(turn, { ok: false, reason: "not_allowed" });
      const open = (await unit.tx.listActiveRequests(village.id)).filter(
        (r) =>
          r.state !== "resolved" &&
          (isSecretary(actor) ||
            r.ownerId === actor.id ||
            (r.state === "submitted" && takesCategory(village, actor, r.categoryId))),
      );
      open.sort(
        (a, b) =>
          lightSeverity(trafficLight(b, unit.now)) - lightSeverity(trafficLight(a, unit.now)) ||
          b.createdAt.localeCompare(a.createdAt),
      );
      tell(
        unit,
        actor,
        requestList(
          open.slice(0, 20),
          village,
          unit.now,
          open.length === 0 ? t("work.none") : t("work.title", { count: open.length }),
        ),
      );
      return { status: "handled" };
    }
    case "proxy": {
      if (!isWorker(actor)) return refused(turn, { ok: false, reason: "not_allowed" });
      const villagers = (await unit.tx.listMembers(village.id))
        .filter((m) => m.active && m.role === "villager")
        .slice(0, 40);
      const rows: Button[][] = villagers.map((m) => [
        { label: t("proxy.villager", { name: m.name }), action: { type: "proxy_for", memberId: m.id } },
      ]);
      rows.push([button("menu.back_to_menu", { type: "menu", menu: "help" })]);
      tell(unit, actor, message([t(villagers.length === 0 ? "proxy.none" : "proxy.pick")], rows));
      return { status: "handled" };
    }
    case "roster":
      if (!isSecretary(actor)) return refused(turn, { ok: false, reason: "not_allowed" });
      await roster.rosterMessage(unit, actor, village);
      return { status: "handled" };
  }
}

function takesCategory(village: Village, member: Member, categoryId: string): boolean {
  const owners = village.categories.find((c) => c.id === categoryId)?.ownerIds ?? [];
  return owners.length === 0 || owners.includes(member.id);
}

function requestList(
  list: Parameters<typeof requestLine>[0][],
  village: Village,
  now: Date,
  title: Text,
): OutgoingMessage {
  const lines = [title, ...list.map((r) => requestLine(r, village, now))];
  const rows: Button[][] = list.map((r) => [
    button("list.view", { type: "view", requestId: r.id }, { id: r.id }),
  ]);
  rows.push([button("menu.back_to_menu", { type: "menu", menu: "help" })]);
  return message(lines, rows);
}

const RETRY_REASONS = new Set([
  "bad_member_line",
  "name_invalid",
  "text_too_long",
  "reason_required",
  "no_such_request",
  "csv_unreadable",
  "same_request",
  "target_closed",
]);

async function answered(
  turn: Turn,
  actor: Member,
  village: Village,
  awaiting: Awaiting,
  text: string,
): Promise<InboundOutcome> {
  const { unit } = turn;
  const target = awaiting.targetId ?? "";
  let result: AnyResult;
  switch (awaiting.type) {
    case "progress":
    case "resolve":
    case "extend":
    case "decline":
      result = await requests.noteIn(unit, actor, target, awaiting.type, text);
      break;
    case "merge":
      result = await requests.mergeRequestIn(unit, actor, target, text);
      break;
    case "rate_reason":
      result = await requests.rateRequestIn(unit, actor, target, "not_satisfied", text);
      break;
    case "member_rename":
      result = await roster.renameMemberIn(unit, actor, target, text);
      break;
    case "household_rename":
      result = await roster.renameHouseholdIn(unit, actor, target, text);
      break;
    case "add_member":
      result = await roster.addMemberIn(unit, actor, text);
      break;
    case "add_household":
      result = await roster.addHouseholdIn(unit, actor, text);
      break;
    case "import_roster":
      result = await roster.importRosterIn(unit, actor, text);
      break;
    default:
      result = { ok: false, reason: "already_member", params: { village: village.name } };
  }
  if (result.ok || !RETRY_REASONS.has(result.reason)) {
    const { awaiting: _done, ...rest } = turn.conversation;
    if (rest.draft === undefined) unit.tx.deleteConversation(rest.key);
    else unit.tx.putConversation({ ...rest, updatedAt: unit.now.toISOString() });
  }
  return outcome(turn, result);
}
