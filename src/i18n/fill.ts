import type { Language } from "../domain/model.js";

/** Fills `{name}` placeholders; a name with no value stays as written. */
export function fillTemplate(template: string, value: (name: string) => string | undefined): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => value(name) ?? whole);
}

/** The `says` of a channel's own sentences: the one for the reader's language, its parameters filled in. */
export function channelSayer<K extends string>(table: Record<Language, Record<K, string>>) {
  return (key: K, language: Language, params: Record<string, string | number> = {}): string =>
    fillTemplate(table[language][key], (name) => {
      const param = params[name];
      return param === undefined ? undefined : String(param);
    });
}
