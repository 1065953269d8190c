import type { Member, Village } from "../domain/model.js";
import { splitActionData } from "./actions.js";
import type {
  ActionHandler,
  AnyStep,
  CommandSpec,
  Feature,
  FormSpec,
  JobSpec,
  MenuEntry,
} from "./feature.js";
import { type Button, message, type OutgoingMessage, type Text } from "./messages.js";
import { type AnyTable, KERNEL_TABLES } from "./tables.js";
import { createTranslator, type TextBook, type Translator, t } from "./text.js";

/** Every feature's declarations merged, each name checked to be used once. */
export interface Registry {
  readonly features: readonly Feature[];
  readonly tables: readonly AnyTable[];
  readonly commands: ReadonlyMap<string, CommandSpec>;
  readonly steps: ReadonlyMap<string, AnyStep>;
  readonly actions: ReadonlyMap<string, ActionHandler>;
  readonly jobs: readonly JobSpec[];
  readonly translator: Translator;
  /** The handler and payload a button's data stands for; undefined for anything unknown or malformed. */
  decode(data: string): { handler: ActionHandler; payload: unknown } | undefined;
  /** The main menu as this member sees it, with an optional first line. */
  mainMenu(member: Member, village: Village, lead?: Text): OutgoingMessage;
  onText: readonly NonNullable<Feature["onText"]>[];
  onJoin: Feature["onJoin"] | undefined;
  onBindGroup: Feature["onBindGroup"] | undefined;
  onUndelivered: NonNullable<Feature["onUndelivered"]>[];
  home: NonNullable<Feature["home"]>[];
  forms: ReadonlyMap<string, FormSpec>;
}

/** A form's name as channels carry it in their payloads (see InboundInput's "form"). */
const FORM_NAME = /^[a-z_]{1,32}$/;

function unique<T>(kind: string, items: Iterable<[string, T]>): Map<string, T> {
  const map = new Map<string, T>();
  for (const [name, item] of items) {
    if (map.has(name)) throw new Error(`The ${kind} ${name} is declared twice.`);
    map.set(name, item);
  }
  return map;
}

/** One command per name: features may each handle it in another kind of chat; the first one describes it. */
function mergeCommands(specs: readonly CommandSpec[]): Map<string, CommandSpec> {
  const merged = new Map<string, CommandSpec>();
  for (const spec of specs) {
    const previous = merged.get(spec.name);
    if (previous === undefined) {
      merged.set(spec.name, spec);
      continue;
    }
    for (const place of ["private", "stranger", "group"] as const) {
      if (previous[place] !== undefined && spec[place] !== undefined)
        throw new Error(`The command /${spec.name} is handled twice in ${place} chats.`);
    }
    merged.set(spec.name, {
      ...previous,
      ...spec,
      ...description(previous, spec),
      ...(previous.private === undefined ? {} : { private: previous.private }),
      ...(previous.stranger === undefined ? {} : { stranger: previous.stranger }),
      ...(previous.group === undefined ? {} : { group: previous.group }),
      menus: [...new Set([...previous.menus, ...spec.menus])],
    });
  }
  return merged;
}

/** The first declaration's description of a command, or the first there is. */
function description(first: CommandSpec, later: CommandSpec): Pick<CommandSpec, "description"> {
  const text = first.description ?? later.description;
  return text === undefined ? {} : { description: text };
}

function only<K extends "onJoin" | "onBindGroup">(
  features: readonly Feature[],
  hook: K,
): Feature[K] | undefined {
  const found = features.filter((feature) => feature[hook] !== undefined);
  if (found.length > 1) throw new Error(`Only one feature may handle ${hook}.`);
  return found[0]?.[hook];
}

/** Merges the features (after the kernel's own commands); a name used twice is a bug found at start-up. */
export function createRegistry(declared: readonly Feature[], kernel: Feature): Registry {
  const features = [kernel, ...declared];
  unique(
    "feature",
    features.map((feature) => [feature.name, feature]),
  );
  const books: TextBook<string>[] = features.map((feature) => feature.text);
  const tables = [...KERNEL_TABLES, ...features.flatMap((feature) => feature.tables ?? [])];
  unique(
    "table",
    tables.map((table) => [table.name, table]),
  );
  const actions = unique(
    "action code",
    features.flatMap((feature) => feature.actions ?? []).map((handler) => [handler.codec.code, handler]),
  );
  const steps = unique(
    "step",
    features.flatMap((feature) => feature.steps ?? []).map((step) => [step.name, step]),
  );
  const menu: MenuEntry[] = features.flatMap((feature) => feature.menu ?? []);
  const commands = mergeCommands(features.flatMap((feature) => feature.commands ?? []));
  for (const command of commands.values()) {
    if (command.menus.length > 0 && command.description === undefined)
      throw new Error(`The command /${command.name} is listed in a menu but nothing describes it.`);
  }
  return {
    features,
    tables,
    commands,
    steps,
    actions,
    jobs: features.flatMap((feature) => feature.jobs ?? []),
    translator: createTranslator(books),
    decode(data) {
      const split = splitActionData(data);
      const handler = split === undefined ? undefined : actions.get(split.code);
      if (split === undefined || handler === undefined) return undefined;
      const payload = handler.codec.decode(split.parts);
      return payload === undefined ? undefined : { handler, payload };
    },
    mainMenu(member, village, lead) {
      const rows = new Map<number, Button[]>();
      for (const entry of menu) {
        const button = entry.button(member, village);
        if (button === undefined) continue;
        rows.set(entry.row, [...(rows.get(entry.row) ?? []), button]);
      }
      const lines = lead === undefined ? [] : [lead];
      lines.push(
        t("menu.title", { name: member.name, village: village.name, role: t(`role.${member.role}`) }),
      );
      return message(
        lines,
        [...rows.entries()].sort(([a], [b]) => a - b).map(([, buttons]) => buttons),
      );
    },
    onText: features.flatMap((feature) => (feature.onText === undefined ? [] : [feature.onText])),
    onJoin: only(features, "onJoin"),
    onBindGroup: only(features, "onBindGroup"),
    onUndelivered: features.flatMap((feature) =>
      feature.onUndelivered === undefined ? [] : [feature.onUndelivered],
    ),
    home: features.flatMap((feature) => (feature.home === undefined ? [] : [feature.home])),
    forms: unique(
      "form",
      features
        .flatMap((feature) => feature.forms ?? [])
        .map((form) => {
          if (!FORM_NAME.test(form.name))
            throw new Error(`Form name ${form.name} must be 1-32 of a-z and _.`);
          return [form.name, form];
        }),
    ),
  };
}
