import { expect, it } from "vitest";
import type { OpenStore, Transaction } from "../../../src/app/ports.js";
import { createMemoryStore } from "../../../src/store/memory.js";
import { createTestApp, inPrivateChat } from "../../support/app.js";
import { seedVillage } from "../../support/village.js";

/** A store that notes every `find` and `all` a unit of work makes, as table/index. */
function notingStore(reads: string[]): OpenStore {
  return async (tables) => {
    const inner = createMemoryStore({ tables });
    const noting = (tx: Transaction): Transaction =>
      new Proxy(tx, {
        get(target, property, receiver) {
          if (property === "find")
            return (table: { name: string }, index: string, value: string) => {
              reads.push(`${table.name}/${index}`);
              return target.find(table as never, index as never, value);
            };
          if (property === "all")
            return (table: { name: string }) => {
              reads.push(`${table.name}/all`);
              return target.all(table as never);
            };
          const value = Reflect.get(target, property, receiver);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    return {
      transaction: (work) => inner.transaction((tx) => work(noting(tx))),
      close: () => inner.close(),
      due: (now, limit) => inner.due(now, limit),
      markSent: (id) => inner.markSent(id),
      markPartsSent: (id, revision, parts) => inner.markPartsSent(id, revision, parts),
      markFailed: (id, error, retryAt) => inner.markFailed(id, error, retryAt),
    };
  };
}

it("files a request without reading the village's whole roster, so a big village is as fast as a small one", async () => {
  const reads: string[] = [];
  const app = await createTestApp({ openStore: notingStore(reads) });
  const { villager } = await seedVillage(app);
  const press = inPrivateChat(app, villager.id);
  await press("1", { type: "command", command: "request" });
  await press("2", { type: "button", data: "k:problem" });
  await press("3", { type: "button", data: "c:roads" });
  await press("4", { type: "text", text: "路灯坏了" });
  reads.length = 0;

  await press("5", { type: "button", data: "d:ok" });

  expect(reads.filter((read) => read === "members/village" || read === "members/all")).toEqual([]);
});
