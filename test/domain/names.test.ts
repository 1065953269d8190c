import { describe, expect, it } from "vitest";
import { displayName, validName } from "../../src/domain/names.js";

describe("names people type", () => {
  it.each([
    ["张三", "张三"],
    ["  东风村 ", "东风村"],
    ["", undefined],
    ["   ", undefined],
    ["\u200b", undefined],
    ["张\u200b三", undefined],
    ["\u202e三张", undefined],
    ["张\u0000三", undefined],
    ["a".repeat(40), "a".repeat(40)],
    ["a".repeat(41), undefined],
    ["𠀀".repeat(40), "𠀀".repeat(40)],
  ])("reads %j as %j (at most 40)", (typed, expected) => {
    expect(validName(typed, 40)).toBe(expected);
  });
});

describe("names a chat platform reports", () => {
  it.each([
    ["马大哥", "马大哥"],
    ["马\u200b大哥\u202e", "马大哥"],
    ["\u200b\u200b", undefined],
    [undefined, undefined],
    ["x".repeat(50), "x".repeat(40)],
  ])("cleans %j to %j", (reported, expected) => {
    expect(displayName(reported)).toBe(expected);
  });
});
