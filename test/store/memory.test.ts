import { describe, expect, it } from "vitest";
import { Towns } from "../../src/app/tables.js";
import { createMemoryStore } from "../../src/store/memory.js";
import { TEST_TABLES } from "./builders.js";
import { storeContract } from "./contract.js";

describe("memory store", () => {
  storeContract(async (clock) => {
    const store = createMemoryStore({ tables: TEST_TABLES, clock });
    return { store, cleanup: () => store.close() };
  });

  it("refuses two tables of the same name", () => {
    const opening = () => createMemoryStore({ tables: [Towns, { ...Towns }] });

    expect(opening).toThrow("Table towns is declared twice.");
  });
});
