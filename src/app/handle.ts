import type { Language } from "../domain/model.js";
import { type Deps, privateTarget, type Unit, villageOfLocalGroup } from "./deps.js";
import type { AnyStep, GroupTurn, MemberTurn, Outcome, StepInput } from "./feature.js";
import { checkForm } from "./forms.js";
import {
  eventKey,
  type InboundEvent,
  InboundEvent as InboundEventSchema,
  MAX_INBOUND_TEXT,
} from "./inbound.js";
import { cancelAction, cancelRow } from "./kernel.js";
import { message, type Text } from "./messages.js";
import type { Registry } from "./registry.js";
import { Bindings, bindingKey, Conversations, Members, memberOnChannel, Villages } from "./tables.js";
import { t } from "./text.js";
import { EventTurn } from "./turn.js";

export interface InboundOutcome {
  status: "handled" | "duplicate" | "invalid";
  /** A short answer for the person who pressed a button (a toast on Telegram). */
  notice?: Text;
  /** The language the notice is for: the person's, after the event. */
  language?: Language;
}

/** What the dispatcher needs: the use cases' dependencies and every feature's declarations. */
export interface Kernel {
  deps: Deps;
  registry: Registry;
}

/** The one entry point for every channel: a person did something; the bot answers through the outbox. */
export async function handleInbound(kernel: Kernel, raw: unknown): Promise<InboundOutcome> {
  const parsed = InboundEventSchema.safeParse(raw);
  if (!parsed.success) return { status: "invalid" };
  const event = parsed.data;
  const { deps } = kernel;
  return deps.store.transaction(async (tx) => {
    const processed = eventKey(event.channel, event.eventId);
    if (await tx.hasProcessed(processed)) return { status: "duplicate" };
    tx.markProcessed(processed);
    const unit: Unit = { deps, tx, now: deps.clock.now() };
    let actor = await memberOnChannel(tx, event.channel, event.userId);
    if (actor?.active === true && event.chat.kind === "private" && actor.lastChannel !== event.channel) {
      actor = { ...actor, lastChannel: event.channel };
      tx.put(Members, actor);
    }
    const key = `${event.channel}:${event.userId}`;
    const stored = await tx.get(Conversations, key);
    const turn = new EventTurn(
      kernel.registry,
      unit,
      event,
      actor,
      stored ?? { key, updatedAt: "", steps: [] },
    );
    const outcome = await route(kernel, turn);
    turn.saveConversation();
    return outcome.notice === undefined ? outcome : { ...outcome, language: turn.language };
  });
}

async function route(kernel: Kernel, turn: EventTurn): Promise<Outcome> {
  const { unit, event, actor } = turn;
  if (event.chat.kind === "group") {
    const binding = await unit.tx.get(Bindings, bindingKey(event.channel, event.chat.chatId));
    const local = event.channel === "local" ? villageOfLocalGroup(event.chat.chatId) : undefined;
    const groupVillageId = binding?.villageId ?? local;
    const group = groupVillageId === undefined ? undefined : await unit.tx.get(Villages, groupVillageId);
    return inGroup(kernel, turn.inGroup(binding, group));
  }
  if (actor !== undefined && !actor.active) return turn.refuse(t("refusal.removed"), []);
  if (actor === undefined) return fromStranger(kernel, turn);
  const village = await unit.tx.get(Villages, actor.villageId);
  if (village === undefined) throw new Error(`member ${actor.id} has no village ${actor.villageId}`);
  return fromMember(kernel, turn.asMember(actor, village));
}

async function inGroup(kernel: Kernel, turn: EventTurn & GroupTurn): Promise<Outcome> {
  const { registry } = kernel;
  const input = turn.event.input;
  const actor = turn.actor?.active === true ? turn.actor : undefined;
  if (input.type === "bind_group") return registry.onBindGroup?.(turn, input.args ?? "") ?? turn.done();
  if (input.type === "command") {
    const handler = registry.commands.get(input.command)?.group;
    return handler === undefined ? turn.done() : handler(turn, input.args ?? "");
  }
  if (input.type !== "button") return turn.done();
  turn.quietly(undefined);
  if (actor === undefined) return turn.refuse(t("refusal.join_first"), []);
  const village = await turn.unit.tx.get(Villages, actor.villageId);
  if (village === undefined) return turn.done();
  const member = turn.asMember(actor, village);
  member.quietly(privateTarget(turn.unit.deps, actor));
  return pressed(kernel, member, input.data);
}

async function fromStranger(kernel: Kernel, turn: EventTurn): Promise<Outcome> {
  const { registry } = kernel;
  const input = turn.event.input;
  const welcome = () => {
    turn.say(message([t("stranger.welcome")]));
    return turn.done(t("stranger.welcome"));
  };
  if (input.type === "join") return registry.onJoin?.(turn, input.villageId) ?? welcome();
  const step = turn.topStep();
  if (input.type === "command") {
    if (input.command === "cancel") {
      turn.clearSteps();
      return welcome();
    }
    const handler = registry.commands.get(input.command)?.stranger;
    return handler === undefined ? welcome() : handler(turn, input.args ?? "");
  }
  if (input.type === "button") {
    if (input.data === cancelAction.encode({})) turn.clearSteps();
    return welcome();
  }
  if (step?.spec.forStrangers === true) return answerStep(turn, step, input);
  return welcome();
}

async function fromMember(kernel: Kernel, turn: EventTurn & MemberTurn): Promise<Outcome> {
  const { registry } = kernel;
  const input = turn.event.input;
  switch (input.type) {
    case "command": {
      const handler = registry.commands.get(input.command)?.private;
      if (handler !== undefined) return handler(turn, input.args ?? "");
      turn.say(turn.menuFor(turn.actor, turn.village));
      return turn.done();
    }
    case "button":
      return pressed(kernel, turn, input.data);
    case "join":
      return registry.onJoin?.(turn, input.villageId) ?? turn.done();
    case "bind_group":
      return turn.done();
    case "form": {
      const form = registry.forms.get(input.form);
      if (form === undefined) return turn.refuse(t("refusal.stale_button"));
      const checked = checkForm(form, input.values, turn.actor, turn.village);
      if (!checked.ok) return turn.refuse(t("refusal.form_invalid", { field: checked.field.label }));
      return form.run(turn, checked.values);
    }
    case "text": {
      const step = turn.topStep();
      if (step !== undefined) return answerStep(turn, step, input);
      if (input.text.length > MAX_INBOUND_TEXT)
        return turn.refuse(t("refusal.text_too_long", { max: MAX_INBOUND_TEXT }));
      for (const onText of registry.onText) {
        const handled = await onText(turn, input.text);
        if (handled !== undefined) return handled;
      }
      turn.say(turn.menuFor(turn.actor, turn.village, t("menu.use_buttons")));
      return turn.done();
    }
    case "photo":
    case "voice":
    case "location":
    case "file": {
      const step = turn.topStep();
      if (step !== undefined) return answerStep(turn, step, input);
      return turn.refuse(t(input.type === "file" ? "refusal.unexpected_file" : "refusal.nothing_to_attach"));
    }
  }
}

async function pressed(kernel: Kernel, turn: EventTurn & MemberTurn, data: string): Promise<Outcome> {
  const found = kernel.registry.decode(data);
  if (found === undefined) return turn.refuse(t("refusal.stale_button"));
  return found.handler.run(turn, found.payload);
}

type Input = InboundEvent["input"];

async function answerStep(
  turn: EventTurn,
  step: { spec: AnyStep; data: unknown },
  input: Input,
): Promise<Outcome> {
  const answer = stepInput(turn, input);
  if (answer === undefined || !step.spec.accepts.includes(answer.type)) {
    const outcome = turn.refuse(t("refusal.answer_expected"), []);
    await turn.askAgain();
    return outcome;
  }
  const max = step.spec.maxText ?? MAX_INBOUND_TEXT;
  const typed = answer.type === "text" ? answer.text : answer.type === "photo" ? (answer.caption ?? "") : "";
  if (typed.length > max) return turn.refuse(t("refusal.text_too_long", { max }), [cancelRow()]);
  return step.spec.answer(turn, answer, step.data);
}

function stepInput(turn: EventTurn, input: Input): StepInput | undefined {
  const channel = turn.event.channel;
  switch (input.type) {
    case "text":
      return { type: "text", text: input.text };
    case "photo":
      return input.caption === undefined
        ? { type: "photo", fileRef: input.fileRef, channel }
        : { type: "photo", fileRef: input.fileRef, caption: input.caption, channel };
    case "voice":
      return { type: "voice", fileRef: input.fileRef, channel };
    case "location":
      return { type: "location", lat: input.lat, lng: input.lng };
    case "file":
      return { type: "file", fileName: input.fileName, content: input.content };
    default:
      return undefined;
  }
}
