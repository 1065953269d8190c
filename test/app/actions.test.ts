import { describe, expect, it } from "vitest";
import { type ActionCodec, splitActionData } from "../../src/app/actions.js";
import { kernelFeature } from "../../src/app/kernel.js";
import { createRegistry } from "../../src/app/registry.js";
import { defineText } from "../../src/app/text.js";
import { FEATURES } from "../../src/features/index.js";

const registry = createRegistry(FEATURES, kernelFeature);
const codecs: ActionCodec<Record<string, unknown>>[] = [...registry.actions.values()].map(
  (handler) => handler.codec,
);

/** Payloads that use every sample of every field at least once, longest ones together. */
function payloads(codec: ActionCodec<Record<string, unknown>>): Record<string, unknown>[] {
  const fields = Object.entries(codec.fields);
  const widest = Math.max(1, ...fields.map(([, field]) => field.samples.length));
  return Array.from({ length: widest }, (_, at) =>
    Object.fromEntries(
      fields.map(([name, field]) => [name, field.samples[Math.min(at, field.samples.length - 1)]]),
    ),
  );
}

const cases = codecs.flatMap((codec) =>
  payloads(codec).map((payload) => ({ code: codec.code, codec, payload })),
);

describe("button actions", () => {
  it.each(cases)("round-trips $code $payload", ({ codec, payload }) => {
    const data = codec.encode(payload);

    const split = splitActionData(data);

    expect([split?.code, codec.decode(split?.parts ?? [])]).toEqual([codec.code, payload]);
  });

  it.each([...registry.actions.values()].map((handler) => handler.codec.code))(
    "finds the handler of %s from its data",
    (code) => {
      const codec = registry.actions.get(code)?.codec as ActionCodec<Record<string, unknown>>;
      const [payload] = payloads(codec);

      const decoded = registry.decode(codec.encode(payload ?? {}));

      expect([decoded?.handler.codec.code, decoded?.payload]).toEqual([code, payload]);
    },
  );

  it.each(cases)("fits Telegram's 64-byte callback_data: $code $payload", ({ codec, payload }) => {
    expect(Buffer.byteLength(codec.encode(payload))).toBeLessThanOrEqual(64);
  });

  it("covers every registered action", () => {
    expect(new Set(cases.map((c) => c.code)).size).toBe(registry.actions.size);
  });

  it.each([
    "",
    "zz:1",
    "v:",
    "v:a:b:c",
    "r:DF-2026-0001:q",
    "mr:m1:x",
    `v:${"a".repeat(70)}`,
    "k:nothing",
    "v:../etc",
    "my:-1",
    "l:fr",
  ])("rejects malformed data %j", (data) => {
    expect(registry.decode(data)).toBeUndefined();
  });

  it("refuses to register two actions with the same code", () => {
    const requests = FEATURES.find((feature) => feature.name === "requests");
    const again = { name: "again", text: kernelFeature.text, actions: requests?.actions ?? [] };
    expect(() => createRegistry([...FEATURES, again], kernelFeature)).toThrow(
      /action code v is declared twice/,
    );
  });
});

describe("forms", () => {
  it("refuses a form whose name channels could not carry", () => {
    const intake = FEATURES.find((feature) => feature.name === "intake");
    const [form] = intake?.forms ?? [];
    if (form === undefined) throw new Error("intake declares no form");
    const odd = { name: "odd", text: defineText("odd", {}, {}), forms: [{ ...form, name: "Request-Form" }] };

    expect(() => createRegistry([...FEATURES, odd], kernelFeature)).toThrow(/Form name Request-Form/);
  });

  it("refuses two forms of the same name", () => {
    const topics = FEATURES.find((feature) => feature.name === "topics");
    const again = { name: "again", text: defineText("again", {}, {}), forms: topics?.forms ?? [] };

    expect(() => createRegistry([...FEATURES, again], kernelFeature)).toThrow(/form topic is declared twice/);
  });
});
