import type { ChannelName, Language, Member, Village } from "../domain/model.js";
import { splitActionData } from "./actions.js";
import { inUnit } from "./deps.js";
import type { FormField, FormSpec, FormValues } from "./feature.js";
import type { Kernel } from "./handle.js";
import type { Text } from "./messages.js";
import { memberOnChannel, Villages } from "./tables.js";

/** A form as one person sees it: their options filled in, ready for a channel to draw. */
export interface ShownForm {
  name: string;
  language: Language;
  title: Text;
  submit: Text;
  fields: (Omit<FormField, "options"> & { options?: { value: string; label: Text }[] })[];
}

/** What started a conversation: a button's data or a command's name. */
export type FormStart = { data: string } | { command: string };

function startedHere(form: FormSpec, start: FormStart): boolean {
  if ("command" in start) return form.startedBy.commands.includes(start.command);
  const code = splitActionData(start.data)?.code;
  return code !== undefined && form.startedBy.actions.includes(code);
}

/**
 * The form that stands for the conversation a button or command starts, as this person sees it; undefined when
 * none does or they are not on a roster (then the channel hands the press or command to the app as it is).
 */
export async function formFor(
  kernel: Kernel,
  channel: ChannelName,
  userId: string,
  start: FormStart,
): Promise<ShownForm | undefined> {
  const form = [...kernel.registry.forms.values()].find((one) => startedHere(one, start));
  if (form === undefined) return undefined;
  return inUnit(kernel.deps, async (unit) => {
    const member = await memberOnChannel(unit.tx, channel, userId);
    const village = member?.active === true ? await unit.tx.get(Villages, member.villageId) : undefined;
    if (member === undefined || village === undefined) return undefined;
    return {
      name: form.name,
      language: member.language ?? kernel.deps.defaultLanguage,
      title: form.title,
      submit: form.submit,
      fields: form.fields.map(({ options, ...field }) =>
        options === undefined ? field : { ...field, options: options(member, village) },
      ),
    };
  });
}

/** The answers checked against the form's fields: the first field not filled in right, or the clean values. */
export function checkForm(
  form: FormSpec,
  values: FormValues,
  member: Member,
  village: Village,
): { ok: true; values: FormValues } | { ok: false; field: FormField } {
  const clean: Record<string, readonly string[]> = {};
  for (const field of form.fields) {
    const given = (values[field.name] ?? []).map((value) => value.trim()).filter((value) => value !== "");
    if (given.length === 0) {
      if (field.optional === true) continue;
      return { ok: false, field };
    }
    const fits =
      field.kind === "choice"
        ? given.length === 1 && (field.options?.(member, village) ?? []).some((one) => one.value === given[0])
        : field.kind === "text"
          ? given.length === 1 && (given[0] ?? "").length <= (field.max ?? Number.POSITIVE_INFINITY)
          : given.length <= (field.maxFiles ?? 1);
    if (!fits) return { ok: false, field };
    clean[field.name] = given;
  }
  return { ok: true, values: clean };
}
