import type { Deps } from "../../src/app/deps.js";
import type { Clock } from "../../src/app/ports.js";
import { inUnit } from "../../src/app/requests.js";
import { addMemberIn } from "../../src/app/roster.js";
import { setupVillageIn } from "../../src/app/setup.js";
import { workingCalendar } from "../../src/domain/calendar.js";
import { DEFAULT_DEADLINE_POLICY } from "../../src/domain/deadlines.js";
import type { ChannelName, Member, Village } from "../../src/domain/model.js";

/** Use-case dependencies for tests: Shanghai time, no holidays, Chinese by default. */
export function testDeps(store: Deps["store"], clock: Clock, channels: ChannelName[]): Deps {
  return {
    store,
    clock,
    policy: DEFAULT_DEADLINE_POLICY,
    calendar: workingCalendar("Asia/Shanghai", { holidays: [], workdays: [] }),
    channels,
    defaultLanguage: "zh-CN",
  };
}

export interface SeededVillage {
  village: Village;
  secretary: Member;
  worker: Member;
  otherWorker: Member;
  villager: Member;
  neighbour: Member;
}

/** 东风村 of 红旗镇: a secretary, a grid worker owning roads, a second grid worker and two villagers. */
export async function seedVillage(deps: Deps): Promise<SeededVillage> {
  const created = await inUnit(deps, (unit) =>
    setupVillageIn(unit, {
      townName: "红旗镇",
      villageName: "东风村",
      code: "DF",
      secretaryName: "李书记",
      language: "zh-CN",
    }),
  );
  if (!created.ok) throw new Error(created.reason);
  const { village, secretary } = created.value;
  const add = async (line: string): Promise<Member> => {
    const added = await inUnit(deps, (unit) => addMemberIn(unit, secretary, line));
    if (!added.ok) throw new Error(added.reason);
    return added.value;
  };
  const worker = await add("王网格，网格员，村委会");
  const otherWorker = await add("赵网格，网格员，村委会");
  const villager = await add("张大爷，村民，一组3号");
  const neighbour = await add("刘大妈，村民，一组5号");
  await inUnit(deps, async (unit) => {
    const current = await unit.tx.getVillage(village.id);
    if (current === undefined) throw new Error("village vanished");
    unit.tx.putVillage({
      ...current,
      categories: current.categories.map((c) => (c.id === "roads" ? { ...c, ownerIds: [worker.id] } : c)),
    });
  });
  return { village, secretary, worker, otherWorker, villager, neighbour };
}
