import { describe, expect, it } from "vitest";
import { kernelFeature } from "../src/app/kernel.js";
import { createRegistry } from "../src/app/registry.js";
import { FEATURES } from "../src/features/index.js";

const books = [kernelFeature, ...FEATURES].map((feature) => feature.text);
const registry = createRegistry(FEATURES, kernelFeature);
const placeholders = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const entries = books.flatMap((book) =>
  Object.entries(book.catalogs["zh-CN"]).map(([key, zh]) => ({ key, zh, en: book.catalogs.en[key] ?? "" })),
);

describe("i18n", () => {
  it("uses the same placeholders in English as in Chinese", () => {
    const mismatched = entries.filter(({ zh, en }) => placeholders(zh).join() !== placeholders(en).join());

    expect(mismatched).toEqual([]);
  });

  it("puts no space between Chinese words and a name, number or id filled into them", () => {
    const cjk = "[\\u3000-\\u303f\\u4e00-\\u9fff\\uff00-\\uffef]";
    const spaced = new RegExp(`${cjk} \\{\\w+\\}|\\{\\w+\\} ${cjk}`);

    const offending = entries.filter(({ zh }) => spaced.test(zh)).map(({ key, zh }) => `${key}: ${zh}`);

    expect(offending).toEqual([]);
  });

  it("fills nested texts and localized names in the reader's language", () => {
    const text = {
      key: "requests.notify.new_request",
      params: { id: "DF-2026-0001", category: { "zh-CN": "道路交通", en: "Roads" } },
    };

    const said = [registry.translator.translate(text, "zh-CN"), registry.translator.translate(text, "en")];

    expect(said).toEqual([
      "新诉求DF-2026-0001（道路交通），请尽快接单。",
      "New request DF-2026-0001 (Roads). Please take it soon.",
    ]);
  });
});
