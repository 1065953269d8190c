import { describe, expect, it } from "vitest";
import { kernelFeature } from "../../src/app/kernel.js";
import { createRegistry } from "../../src/app/registry.js";
import { refuse } from "../../src/domain/result.js";
import { FEATURES } from "../../src/features/index.js";
import { text } from "../../src/features/requests/i18n.js";

const registry = createRegistry(FEATURES, kernelFeature);

describe("refusal sentences", () => {
  it("explains a feature's own refusal with its own sentence", () => {
    const said = text.why(refuse("extension_used"));

    expect([said.key, registry.translator.has(said.key)]).toEqual(["requests.refusal.extension_used", true]);
  });

  it("explains a kernel refusal with the kernel's sentence", () => {
    const said = text.why(refuse("not_allowed"));

    expect([said.key, registry.translator.has(said.key)]).toEqual(["refusal.not_allowed", true]);
  });

  it("does not compile a refusal that has no sentence (the type check runs in `npm run typecheck`)", () => {
    // @ts-expect-error: there is no refusal.no_sentence in the requests book or the kernel's.
    const said = text.why(refuse("no_sentence"));

    expect(registry.translator.has(said.key)).toBe(false);
  });
});
