import type { GroupBinding, Language, Member, Village } from "../domain/model.js";
import type { Refusal, Result } from "../domain/result.js";
import type { Conversation, PendingStep } from "./conversation.js";
import type { Unit } from "./deps.js";
import type { AnyStep, GroupTurn, MemberTurn, Outcome, Turn } from "./feature.js";
import type { InboundEvent } from "./inbound.js";
import { backToMenu } from "./kernel.js";
import { type Button, message, type OutgoingMessage, type Text } from "./messages.js";
import type { DeliveryTarget } from "./ports.js";
import type { Registry } from "./registry.js";
import { Conversations } from "./tables.js";
import { t } from "./text.js";

export function languageFromHint(hint: string | undefined, fallback: Language): Language {
  if (hint === undefined) return fallback;
  if (hint.toLowerCase().startsWith("zh")) return "zh-CN";
  if (hint.toLowerCase().startsWith("en")) return "en";
  return fallback;
}

/** One event's turn; implements every Turn shape, narrowed by `asMember` and `inGroup`. */
export class EventTurn implements Turn {
  language: Language;
  reply: DeliveryTarget;
  village!: Village;
  binding: GroupBinding | undefined;
  group: Village | undefined;
  private quiet = false;
  private readonly steps: PendingStep[];
  /** The steps changed during this turn and must be stored. */
  private stepsChanged = false;

  constructor(
    private readonly registry: Registry,
    readonly unit: Unit,
    readonly event: InboundEvent,
    public actor: Member | undefined,
    private readonly conversation: Conversation,
  ) {
    this.language = actor?.language ?? languageFromHint(event.languageHint, unit.deps.defaultLanguage);
    this.reply = { channel: event.channel, chatId: event.chat.chatId, language: this.language };
    this.steps = [...conversation.steps];
  }

  asMember(actor: Member, village: Village): this & MemberTurn {
    this.actor = actor;
    this.village = village;
    return this as this & MemberTurn;
  }

  inGroup(binding: GroupBinding | undefined, group: Village | undefined): this & GroupTurn {
    this.binding = binding;
    this.group = group;
    return this;
  }

  /** Answers go to `target` (the private chat of someone who pressed a group button); refusals only as a toast. */
  quietly(target: DeliveryTarget | undefined): void {
    this.quiet = true;
    if (target !== undefined) this.reply = target;
  }

  get step(): PendingStep | undefined {
    return this.steps.at(-1);
  }

  /** The top step with its spec and parsed data; a step no feature knows any more is dropped. */
  topStep(): { spec: AnyStep; data: unknown } | undefined {
    for (;;) {
      const top = this.steps.at(-1);
      if (top === undefined) return undefined;
      const spec = this.registry.steps.get(top.name);
      const data = spec?.data.safeParse(top.data);
      if (spec !== undefined && data?.success === true) return { spec, data: data.data };
      this.steps.pop();
      this.stepsChanged = true;
    }
  }

  say(outgoing: OutgoingMessage): void {
    this.unit.tx.enqueue(this.reply, outgoing);
  }

  done(notice?: Text): Outcome {
    return notice === undefined ? { status: "handled" } : { status: "handled", notice };
  }

  refuse(text: Text, menu?: Button[][]): Outcome {
    if (this.quiet) return { status: "handled", notice: text };
    const said = message([text], menu ?? [[backToMenu()]]);
    // While a question waits, its limit still holds for the answer typed next.
    const max = this.topStep()?.spec.maxText;
    this.say(max === undefined ? said : { ...said, inputMax: max });
    return { status: "handled", notice: text };
  }

  answer<R extends string>(result: Result<unknown, R>, why: (refusal: Refusal<R>) => Text): Outcome {
    return result.ok ? this.done(t("notice.done")) : this.refuse(why(result));
  }

  async ask<D>(step: { name: string; data: { parse(value: unknown): D } }, data: D): Promise<Outcome> {
    const spec = this.registry.steps.get(step.name);
    if (spec === undefined) throw new Error(`step ${step.name} is not registered`);
    const parsed = spec.data.parse(data);
    if (this.steps.length >= 4) this.steps.shift();
    this.steps.push({ name: step.name, data: parsed });
    this.stepsChanged = true;
    const prompt = await this.prompt(spec, parsed);
    return this.done(prompt.lines[0]);
  }

  update<D>(step: { name: string }, data: D): void {
    const top = this.steps.at(-1);
    if (top?.name !== step.name) throw new Error(`step ${step.name} is not the one waiting`);
    this.steps[this.steps.length - 1] = { name: step.name, data };
    this.stepsChanged = true;
  }

  endStep(): void {
    if (this.steps.pop() !== undefined) this.stepsChanged = true;
  }

  clearSteps(): void {
    if (this.steps.length > 0) this.stepsChanged = true;
    this.steps.length = 0;
  }

  async askAgain(): Promise<void> {
    const top = this.topStep();
    if (top !== undefined) await this.prompt(top.spec, top.data);
  }

  switchLanguage(language: Language): void {
    this.language = language;
    this.reply = { ...this.reply, language };
  }

  menuFor(member: Member, village: Village, lead?: Text): OutgoingMessage {
    return this.registry.mainMenu(member, village, lead);
  }

  /** Stores the steps left waiting, or forgets the conversation when none are. */
  saveConversation(): void {
    if (!this.stepsChanged) return;
    if (this.steps.length === 0) this.unit.tx.delete(Conversations, this.conversation.key);
    else
      this.unit.tx.put(Conversations, {
        key: this.conversation.key,
        updatedAt: this.unit.now.toISOString(),
        steps: this.steps,
      });
  }

  private async prompt(spec: AnyStep, data: unknown): Promise<OutgoingMessage> {
    const prompt = await spec.prompt(this, data);
    const asked = spec.maxText === undefined ? prompt : { ...prompt, inputMax: spec.maxText };
    this.say(asked);
    return asked;
  }
}
