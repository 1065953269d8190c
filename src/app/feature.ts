import type { z } from "zod";
import type { ChannelName, GroupBinding, Language, Member, Village } from "../domain/model.js";
import type { Refusal, Result } from "../domain/result.js";
import type { ActionCodec } from "./actions.js";
import type { PendingStep } from "./conversation.js";
import type { Deps, Unit } from "./deps.js";
import type { InboundEvent } from "./inbound.js";
import type { Button, OutgoingMessage, Text } from "./messages.js";
import type { DeliveryTarget, OutboxEntry } from "./ports.js";
import type { AnyTable } from "./tables.js";
import type { TextBook } from "./text.js";

/** What handling one event came to; a notice is the short answer to a button press (a toast on Telegram). */
export interface Outcome {
  status: "handled";
  notice?: Text;
}

/** One event being handled: who did what, where answers go, and the steps waiting for a typed answer. */
export interface Turn {
  readonly unit: Unit;
  readonly event: InboundEvent;
  /** The active member who did it; undefined for someone not on any roster. */
  readonly actor: Member | undefined;
  readonly language: Language;
  /** Where answers go: the person's private chat (also for a button pressed in a group) or the group. */
  readonly reply: DeliveryTarget;
  /** The step waiting for an answer, the one asked last. */
  readonly step: PendingStep | undefined;
  say(message: OutgoingMessage): void;
  done(notice?: Text): Outcome;
  /** Tells the person why not and what to do next; the same words answer a button press. */
  refuse(text: Text, menu?: Button[][]): Outcome;
  /** Done, or the refusal explained by `why`. */
  answer<R extends string>(result: Result<unknown, R>, why: (refusal: Refusal<R>) => Text): Outcome;
  /** Waits for a typed answer: puts the step on top and asks its question. */
  ask<D>(step: StepSpec<D>, data: D): Promise<Outcome>;
  /** Keeps the top step, with new data. */
  update<D>(step: StepSpec<D>, data: D): void;
  endStep(): void;
  /** Drops every step waiting (cancel). */
  clearSteps(): void;
  /** Asks the top step's question again (after a language switch, or when a step above it ended). */
  askAgain(): Promise<void>;
  /** The main menu as this member sees it, with an optional first line. */
  menuFor(member: Member, village: Village, lead?: Text): OutgoingMessage;
  /** The person chose another language: answers from now on are in it. */
  switchLanguage(language: Language): void;
}

/** A turn of an active member, with their village. */
export interface MemberTurn extends Turn {
  readonly actor: Member;
  readonly village: Village;
}

/** A turn in a group chat, with the village the group is bound to, if any. */
export interface GroupTurn extends Turn {
  readonly binding: GroupBinding | undefined;
  readonly group: Village | undefined;
}

/** A button's meaning bound to what pressing it does. */
export interface ActionHandler {
  // biome-ignore lint/suspicious/noExplicitAny: the payload type is the codec's, checked where `on` binds it.
  readonly codec: ActionCodec<any>;
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  run(turn: MemberTurn, payload: any): Promise<Outcome>;
}

export function on<P>(
  codec: ActionCodec<P>,
  run: (turn: MemberTurn, payload: P) => Promise<Outcome>,
): ActionHandler {
  return { codec, run };
}

export interface CommandSpec {
  /** Lowercase ASCII, as Telegram wants: `/stats`. */
  name: string;
  /** One line for command menus; may be left to another feature that handles the same command. */
  description?: Text;
  /** Which command menus list it: private chats, groups, group admins. */
  menus: readonly ("private" | "group" | "group_admins")[];
  private?: (turn: MemberTurn, args: string) => Promise<Outcome>;
  /** In a private chat, from someone on no roster. */
  stranger?: (turn: Turn, args: string) => Promise<Outcome>;
  group?: (turn: GroupTurn, args: string) => Promise<Outcome>;
}

export type StepInput =
  | { type: "text"; text: string }
  | { type: "photo"; fileRef: string; caption?: string; channel: ChannelName }
  | { type: "voice"; fileRef: string; channel: ChannelName }
  | { type: "location"; lat: number; lng: number }
  | { type: "file"; fileName: string; content: string };

/** A question the bot asks and the handling of its typed answer. */
export interface StepSpec<D = unknown> {
  /** Unique across features, e.g. `requests.note`. */
  readonly name: string;
  readonly data: z.ZodType<D>;
  /** Also answered by someone on no roster (setting up a village). */
  readonly forStrangers: boolean;
  readonly accepts: readonly StepInput["type"][];
  /** The most characters a typed answer may have; shown before the person types. */
  readonly maxText?: number;
  prompt(turn: Turn, data: D): Promise<OutgoingMessage> | OutgoingMessage;
  /** Handles an answer; ends the step with `turn.endStep()` or keeps it with `turn.update()`. */
  answer(turn: Turn, input: StepInput, data: D): Promise<Outcome>;
}

interface StepOptions<D, T extends Turn> {
  name: string;
  data: z.ZodType<D>;
  accepts: readonly StepInput["type"][];
  maxText?: number;
  prompt(turn: T, data: D): Promise<OutgoingMessage> | OutgoingMessage;
  answer(turn: T, input: StepInput, data: D): Promise<Outcome>;
}

// biome-ignore lint/suspicious/noExplicitAny: a list of steps with data of any type.
export type AnyStep = StepSpec<any>;

/** A step a member answers. */
export function defineStep<D>(options: StepOptions<D, MemberTurn>): StepSpec<D> {
  return { ...options, forStrangers: false } as StepSpec<D>;
}

/** A step anyone answers, on a roster or not. */
export function defineOpenStep<D>(options: StepOptions<D, Turn>): StepSpec<D> {
  return { ...options, forStrangers: true };
}

/** The data of `step` when it is the step waiting for an answer; undefined when another one is, or none. */
export function waitingData<D>(turn: Turn, step: StepSpec<D>): D | undefined {
  const top = turn.step;
  if (top?.name !== step.name) return undefined;
  const parsed = step.data.safeParse(top.data);
  return parsed.success ? parsed.data : undefined;
}

/** Moves a form on: the waiting step is replaced by the same step with `data`, and its question asked. */
export function moveStep<D>(turn: Turn, step: StepSpec<D>, data: D): Promise<Outcome> {
  turn.endStep();
  return turn.ask(step, data);
}

/** Ends the step unless the refusal is about the answer itself (then the person tries again). */
export function settleStep<R extends string>(
  turn: Turn,
  result: Result<unknown, R>,
  why: (refusal: Refusal<R>) => Text,
  retryOn: readonly R[],
): Outcome {
  if (result.ok || !retryOn.includes(result.reason)) turn.endStep();
  return turn.answer(result, why);
}

export interface MenuEntry {
  /** Entries with the same row share a line of the main menu; lower rows come first. */
  row: number;
  button(member: Member, village: Village): Button | undefined;
}

/** Timed work: what is due now is worked out from stored state, so running late or twice is harmless. */
export interface JobSpec {
  name: string;
  /** node-cron expression in the app's time zone, or one made from the configuration. */
  cron: string | ((deps: Deps) => string);
  run(deps: Deps, now: Date): Promise<void>;
}

/** One field of a form: a choice among options, a text, or photos. */
export interface FormField {
  name: string;
  label: Text;
  kind: "choice" | "text" | "photos";
  /** For a choice: the options this member has. */
  options?: (member: Member, village: Village) => { value: string; label: Text }[];
  /** For a text: the most characters it may have, and whether it runs over several lines. */
  max?: number;
  multiline?: boolean;
  /** For photos: how many at most. */
  maxFiles?: number;
  optional?: boolean;
}

/**
 * A conversation's questions as one form, for channels that can show one at once (Slack's modals). Channels
 * without forms run the conversation its buttons and command start.
 */
export interface FormSpec {
  /** Lower-case letters and underscores: it names the form in the channel's payloads. */
  name: string;
  title: Text;
  submit: Text;
  /** The buttons (action codes) and commands that start the conversation this form stands for. */
  startedBy: { actions: readonly string[]; commands: readonly string[] };
  fields: readonly FormField[];
  /** Takes the answers, already checked against the fields (choices among their options, texts within max). */
  run(turn: MemberTurn, values: FormValues): Promise<Outcome>;
}

/** A form's answers: each field's values (a choice or a text is one; photos are file references). */
export type FormValues = Readonly<Record<string, readonly string[]>>;

/** Everything one feature adds, declared in one place and registered with one line. */
export interface Feature {
  name: string;
  text: TextBook<string>;
  tables?: readonly AnyTable[];
  actions?: readonly ActionHandler[];
  commands?: readonly CommandSpec[];
  steps?: readonly AnyStep[];
  menu?: readonly MenuEntry[];
  /** Free text with no step waiting; undefined when the feature does not take it. */
  onText?: (turn: MemberTurn, text: string) => Promise<Outcome | undefined>;
  /** Someone the channel checked is in a village's group asks to join it. */
  onJoin?: (turn: Turn, villageId: string) => Promise<Outcome>;
  /** Conversations that channels may show as one form (see `FormSpec`). */
  forms?: readonly FormSpec[];
  /** What the person has waiting here (their requests, votes due, tasks), for an overview such as Slack's Home tab. */
  home?: (unit: Unit, member: Member, village: Village) => Promise<OutgoingMessage | undefined>;
  /** A group admin (checked by the channel) binds the group; `args` is what followed the command. */
  onBindGroup?: (turn: GroupTurn, args: string) => Promise<Outcome>;
  jobs?: readonly JobSpec[];
  /** The outbox gave a message up (`reason` as the platform put it); runs in its own unit of work. */
  onUndelivered?: (unit: Unit, entry: OutboxEntry, reason: string) => Promise<void>;
}
