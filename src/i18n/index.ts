import type { Language, LocalizedName } from "../domain/model.js";
import { en } from "./en.js";
import { zhCN } from "./zh-CN.js";

export type MessageKey = keyof typeof zhCN;

/** A key with its parameters, the shape use cases return (see app/messages.ts). */
export interface Translatable {
  key: MessageKey;
  params?: Record<string, string | number | Translatable | LocalizedName>;
}

const CATALOGS: Record<Language, Record<MessageKey, string>> = { "zh-CN": zhCN, en };

export const LANGUAGES: readonly Language[] = ["zh-CN", "en"];

function renderParam(value: string | number | Translatable | LocalizedName, language: Language): string {
  if (typeof value === "string" || typeof value === "number") return String(value);
  if ("key" in value && typeof value.key === "string") return translate(value as Translatable, language);
  const name = value as LocalizedName;
  return (language === "en" ? name.en : undefined) ?? name["zh-CN"];
}

export function translate(text: Translatable, language: Language): string {
  const template = CATALOGS[language][text.key] ?? zhCN[text.key] ?? text.key;
  const params = text.params;
  if (params === undefined) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : renderParam(value, language);
  });
}
