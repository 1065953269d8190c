import { describe, expect, it } from "vitest";
import { en } from "../src/i18n/en.js";
import { translate } from "../src/i18n/index.js";
import { zhCN } from "../src/i18n/zh-CN.js";

const placeholders = (template: string) => [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("i18n", () => {
  it("uses the same placeholders in English as in Chinese", () => {
    const mismatched = Object.keys(zhCN).filter(
      (key) =>
        placeholders(zhCN[key as keyof typeof zhCN]).join() !==
        placeholders(en[key as keyof typeof en]).join(),
    );
    expect(mismatched).toEqual([]);
  });

  it("fills nested texts and localized names in the reader's language", () => {
    const text = {
      key: "notify.new_request" as const,
      params: { id: "DF-2026-0001", category: { "zh-CN": "道路交通", en: "Roads" } },
    };
    expect([translate(text, "zh-CN"), translate(text, "en")]).toEqual([
      "新诉求 DF-2026-0001（道路交通），请尽快受理。",
      "New request DF-2026-0001 (Roads). Please accept it soon.",
    ]);
  });
});
