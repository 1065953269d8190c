import type { App } from "../../src/app/create-app.js";
import { inUnit } from "../../src/app/deps.js";
import { Villages } from "../../src/app/tables.js";
import type { Member, Village } from "../../src/domain/model.js";
import { addMemberIn } from "../../src/features/roster/index.js";
import { setupVillageIn } from "../../src/features/setup/index.js";

export interface SeededVillage {
  village: Village;
  secretary: Member;
  worker: Member;
  otherWorker: Member;
  villager: Member;
  neighbour: Member;
}

/** 东风村 of 红旗镇: a secretary, a grid worker owning roads, a second grid worker and two villagers. */
export async function seedVillage(
  app: App,
  names = { village: "东风村", code: "DF" },
): Promise<SeededVillage> {
  const created = await inUnit(app.deps, (unit) =>
    setupVillageIn(
      unit,
      {
        townName: "红旗镇",
        villageName: names.village,
        code: names.code,
        secretaryName: "李书记",
        language: "zh-CN",
      },
      (member, village, lead) => app.menuFor(member, village, lead),
    ),
  );
  if (!created.ok) throw new Error(created.reason);
  const { village, secretary } = created.value;
  const add = async (line: string): Promise<Member> => {
    const added = await inUnit(app.deps, (unit) => addMemberIn(unit, secretary, line));
    if (!added.ok) throw new Error(added.reason);
    return added.value;
  };
  const worker = await add("王网格，网格员，村委会");
  const otherWorker = await add("赵网格，网格员，村委会");
  const villager = await add("张大爷，村民，一组3号");
  const neighbour = await add("刘大妈，村民，一组5号");
  await inUnit(app.deps, async (unit) => {
    const current = await unit.tx.get(Villages, village.id);
    if (current === undefined) throw new Error("village vanished");
    unit.tx.put(Villages, {
      ...current,
      categories: current.categories.map((c) => (c.id === "roads" ? { ...c, ownerIds: [worker.id] } : c)),
    });
  });
  return { village, secretary, worker, otherWorker, villager, neighbour };
}
