import { describe } from "vitest";
import { createMemoryStore } from "../../src/store/memory.js";
import { storeContract } from "./contract.js";

describe("memory store", () => {
  storeContract(async (clock) => {
    const store = createMemoryStore({ clock });
    return { store, cleanup: () => store.close() };
  });
});
