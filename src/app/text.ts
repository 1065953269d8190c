import type { Language, LocalizedName } from "../domain/model.js";
import type { Refusal } from "../domain/result.js";
import { en } from "../i18n/en.js";
import { fillTemplate } from "../i18n/fill.js";
import { zhCN } from "../i18n/zh-CN.js";

export type TextParam = string | number | Text | LocalizedName;

/** A sentence to be said in the reader's language: a catalog key and its parameters. */
export interface Text {
  key: string;
  params?: Record<string, TextParam>;
}

/** The kernel's own sentences (menus, roles, common refusals). */
export type KernelKey = keyof typeof zhCN;

type ReasonOf<K extends string> = K extends `refusal.${infer R}` ? R : never;
export type KernelReason = ReasonOf<KernelKey>;

/** One feature's sentences in every language, and typed ways to say them. */
export interface TextBook<K extends string> {
  readonly namespace: string;
  readonly catalogs: Readonly<Record<Language, Readonly<Record<string, string>>>>;
  /** A sentence of this book. */
  t(key: K, params?: Record<string, TextParam>): Text;
  /** The sentence that explains a refusal: this book's `refusal.<reason>`, else the kernel's. */
  why(refusal: Refusal<ReasonOf<K> | KernelReason>): Text;
}

function text(key: string, params: Record<string, TextParam> | undefined): Text {
  return params === undefined ? { key } : { key, params };
}

/**
 * Declares a feature's sentences. Keys are prefixed with the namespace; English must have every key Chinese
 * has, so a sentence missing in one language does not compile.
 */
export function defineText<const Z extends Record<string, string>>(
  namespace: string,
  zh: Z,
  english: { readonly [K in keyof Z]: string },
): TextBook<keyof Z & string> {
  const prefix = namespace === "" ? "" : `${namespace}.`;
  const prefixed = (catalog: Record<string, string>) =>
    Object.fromEntries(Object.entries(catalog).map(([key, value]) => [`${prefix}${key}`, value]));
  return {
    namespace,
    catalogs: { "zh-CN": prefixed(zh), en: prefixed(english) },
    t: (key, params) => text(`${prefix}${key}`, params),
    why(refusal) {
      const own = `refusal.${refusal.reason}`;
      const key = own in zh ? `${prefix}${own}` : own;
      return text(key, refusal.params);
    },
  };
}

/** The kernel's book: shared sentences every feature may use. */
export const kernelText: TextBook<KernelKey> = defineText("", zhCN, en);
export const t = kernelText.t;

export interface Translator {
  translate(text: Text, language: Language): string;
  has(key: string): boolean;
}

/** One catalog per language from every book; a key defined twice is a bug found at start-up. */
export function createTranslator(books: readonly TextBook<string>[]): Translator {
  const catalogs: Record<Language, Map<string, string>> = { "zh-CN": new Map(), en: new Map() };
  for (const book of books) {
    for (const language of ["zh-CN", "en"] as const) {
      for (const [key, value] of Object.entries(book.catalogs[language])) {
        if (catalogs[language].has(key)) throw new Error(`Sentence ${key} is defined twice.`);
        catalogs[language].set(key, value);
      }
    }
  }
  function renderParam(value: TextParam, language: Language): string {
    if (typeof value === "string" || typeof value === "number") return String(value);
    if ("key" in value && typeof value.key === "string") return translate(value as Text, language);
    const name = value as LocalizedName;
    return (language === "en" ? name.en : undefined) ?? name["zh-CN"];
  }
  function translate(text: Text, language: Language): string {
    const template = catalogs[language].get(text.key) ?? catalogs["zh-CN"].get(text.key) ?? text.key;
    const params = text.params;
    if (params === undefined) return template;
    return fillTemplate(template, (name) => {
      const value = params[name];
      return value === undefined ? undefined : renderParam(value, language);
    });
  }
  return { translate, has: (key) => catalogs["zh-CN"].has(key) };
}
