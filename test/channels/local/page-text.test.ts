import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { SetupBody } from "../../../src/channels/local/schema.js";
import { localChatLimits, localChatText } from "../../../src/i18n/local-chat.js";

type Key = keyof (typeof localChatText)["zh-CN"];

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const publicFile = (name: string) =>
  readFileSync(new URL(`../../../src/channels/local/public/${name}`, import.meta.url), "utf8");
const html = publicFile("index.html");
const script = publicFile("app.js");
const keys = Object.keys(localChatText["zh-CN"]) as Key[];

/** Every text key the page names: in the HTML's data attributes and in app.js (tr("…"), and keys it passes on). */
function keysThePageUses(): string[] {
  const found = new Set<string>();
  const patterns = [
    /data-(?:text|placeholder|empty-text)="(\w+)"/g,
    /\btr\("(\w+)"/g,
    /\breturn "(\w+)";/g,
    /\bupload\([^)]*, "(\w+)"\)/g,
    /^ {2}\w+: "(\w+)",$/gm,
  ];
  for (const pattern of patterns) {
    for (const match of `${html}\n${script}`.matchAll(pattern)) if (match[1]) found.add(match[1]);
  }
  return [...found].sort();
}

describe("the local chat page text", () => {
  it("has the same keys in English as in Chinese", () => {
    expect(Object.keys(localChatText.en).sort()).toEqual(Object.keys(localChatText["zh-CN"]).sort());
  });

  it("is the two languages and the limits, nothing else", () => {
    expect(Object.keys(localChatText).sort()).toEqual(["en", "limits", "zh-CN"]);
  });

  it.each(keys)("uses the same placeholders in both languages for %s", (key) => {
    expect(placeholders(localChatText.en[key])).toEqual(placeholders(localChatText["zh-CN"][key]));
  });

  it.each(keys)("has %s in both languages, not empty", (key) => {
    expect(localChatText["zh-CN"][key].trim()).not.toBe("");
    expect(localChatText.en[key].trim()).not.toBe("");
  });

  it("has every key the page asks for", () => {
    const missing = keysThePageUses().filter((key) => !Object.hasOwn(localChatText["zh-CN"], key));
    expect(missing).toEqual([]);
  });

  /** app.js's calls like tr("textCount", { count, max: textLimit() }): the key and the names it fills in. */
  const filled = [...script.matchAll(/\btr\("(\w+)", \{ ([^{}]*) \}\)/g)].map((match) => ({
    key: match[1] as Key,
    names: (match[2] ?? "")
      .split(",")
      .map((part) => part.split(":")[0]?.trim() ?? "")
      .sort(),
  }));

  it("finds the page's calls that fill in placeholders", () => {
    expect(filled.map((call) => call.key)).toContain("textCount");
  });

  it.each(filled)("fills in exactly the placeholders of $key", ({ key, names }) => {
    expect(names).toEqual(placeholders(localChatText["zh-CN"][key]));
  });

  it.each(keys)("has %s used by the page", (key) => {
    expect(`${html}\n${script}`).toContain(`"${key}"`);
  });
});

describe("the limits the page shows", () => {
  it("are embedded with the page text", () => {
    expect(localChatText.limits).toEqual({
      placeName: 60,
      personName: 40,
      code: "2-4",
      text: 4096,
      voiceSeconds: 60,
    });
  });

  const form = { townName: "红旗镇", villageName: "东风村", code: "DF", name: "李书记" };

  it.each(["townName", "villageName"] as const)("are the server's limit on %s", (field) => {
    const fits = "村".repeat(localChatLimits.placeName);
    expect(SetupBody.safeParse({ ...form, [field]: fits }).success).toBe(true);
    expect(SetupBody.safeParse({ ...form, [field]: `${fits}村` }).success).toBe(false);
  });

  it("are the server's limit on the person's name", () => {
    const fits = "李".repeat(localChatLimits.personName);
    expect(SetupBody.safeParse({ ...form, name: fits }).success).toBe(true);
    expect(SetupBody.safeParse({ ...form, name: `${fits}李` }).success).toBe(false);
  });

  it("show the limit hints in both languages", () => {
    expect(localChatText["zh-CN"].limitHint.replace("{max}", "60")).toBe("最多 60 个字");
    expect(localChatText.en.limitHint.replace("{max}", "60")).toBe("60 characters at most");
  });

  it("keep no maxlength in the page itself (app.js sets it from the limits)", () => {
    expect(html).not.toMatch(/maxlength=/i);
  });
});
