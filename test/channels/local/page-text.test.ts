import { describe, expect, it } from "vitest";
import { localChatText } from "../../../src/i18n/local-chat.js";

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe("the local chat page text", () => {
  it("has the same keys in English as in Chinese", () => {
    expect(Object.keys(localChatText.en).sort()).toEqual(Object.keys(localChatText["zh-CN"]).sort());
  });

  it.each(Object.keys(localChatText["zh-CN"]) as (keyof (typeof localChatText)["zh-CN"])[])(
    "uses the same placeholders in both languages for %s",
    (key) => {
      expect(placeholders(localChatText.en[key])).toEqual(placeholders(localChatText["zh-CN"][key]));
    },
  );
});
