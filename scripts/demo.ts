import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { type App, createApp } from "../src/app/create-app.js";
import { inUnit } from "../src/app/deps.js";
import { Members, Villages } from "../src/app/tables.js";
import { parseConfig } from "../src/config.js";
import { workingCalendar } from "../src/domain/calendar.js";
import type { Member, RequestKind } from "../src/domain/model.js";
import { FEATURES } from "../src/features/index.js";
import { assignRequestIn, noteIn, rateRequestIn, submitRequestIn } from "../src/features/requests/index.js";
import { importRosterIn } from "../src/features/roster/index.js";
import { setupVillageIn } from "../src/features/setup/index.js";
import { loadCalendarData } from "../src/store/calendar.js";
import { openLowdbStore } from "../src/store/lowdb/index.js";

interface DemoVillage {
  name: string;
  code: string;
  secretary: string;
  roster: string;
  /** Grid worker name → categories they own. */
  owners: Record<string, string[]>;
}

const VILLAGES: DemoVillage[] = [
  {
    name: "东风村",
    code: "DF",
    secretary: "李书记",
    roster: `姓名,身份,户,电话
王网格,网格员,村委会,13800000001
赵干部,网格员,村委会,13800000002
张大爷,村民,一组3号 张家,13800000011
张大娘,村民,一组3号 张家,
刘大妈,村民,一组5号 刘家,13800000012
陈师傅,村民,二组2号 陈家,13800000013
陈小妹,村民,二组2号 陈家,
孙老汉,村民,三组8号 孙家,`,
    owners: { 王网格: ["roads", "power", "water"], 赵干部: ["elderly", "policy", "sanitation"] },
  },
  {
    name: "向阳村",
    code: "XY",
    secretary: "周书记",
    roster: `姓名,身份,户,电话
吴网格,网格员,村委会,13900000001
郑大哥,村民,东头1号 郑家,13900000011
何奶奶,村民,东头4号 何家,
马大姐,村民,西头2号 马家,13900000012`,
    owners: { 吴网格: ["roads", "power", "water", "elderly", "policy", "sanitation", "safety", "other"] },
  },
  {
    name: "柳树村",
    code: "LS",
    secretary: "黄书记",
    roster: `姓名,身份,户,电话
冯网格,网格员,村委会,13700000001
杨叔,村民,河边3号 杨家,13700000011
朱阿姨,村民,河边6号 朱家,`,
    owners: { 冯网格: ["roads", "water", "safety"] },
  },
];

interface Story {
  village: string;
  requester: string;
  kind: RequestKind;
  category: string;
  text: string;
  daysAgo: number;
  /** How far it got: left submitted, or accepted by the owner, then on to later states. */
  until: "submitted" | "accepted" | "in_progress" | "resolved" | "rated" | "reopened" | "declined";
  owner?: string;
}

const STORIES: Story[] = [
  {
    village: "东风村",
    requester: "张大爷",
    kind: "problem",
    category: "power",
    text: "一组路口的路灯坏了一个多星期，晚上出门看不清。",
    daysAgo: 20,
    until: "rated",
    owner: "王网格",
  },
  {
    village: "东风村",
    requester: "刘大妈",
    kind: "wish",
    category: "elderly",
    text: "想请人每周帮孙老汉量一次血压。",
    daysAgo: 14,
    until: "resolved",
    owner: "赵干部",
  },
  {
    village: "东风村",
    requester: "陈师傅",
    kind: "problem",
    category: "roads",
    text: "二组到村部的土路下雨就是泥，车过不去。",
    daysAgo: 12,
    until: "in_progress",
    owner: "王网格",
  },
  {
    village: "东风村",
    requester: "张大娘",
    kind: "consultation",
    category: "policy",
    text: "新农合今年什么时候开始缴费？一个人多少钱？",
    daysAgo: 3,
    until: "accepted",
    owner: "赵干部",
  },
  {
    village: "东风村",
    requester: "孙老汉",
    kind: "problem",
    category: "water",
    text: "自来水这两天发黄，不敢喝。",
    daysAgo: 2,
    until: "submitted",
  },
  {
    village: "东风村",
    requester: "陈小妹",
    kind: "problem",
    category: "sanitation",
    text: "村口垃圾箱满了没人收。",
    daysAgo: 9,
    until: "reopened",
    owner: "赵干部",
  },
  {
    village: "东风村",
    requester: "刘大妈",
    kind: "problem",
    category: "other",
    text: "想在广场装个大喇叭放新闻。",
    daysAgo: 6,
    until: "declined",
  },
  {
    village: "向阳村",
    requester: "郑大哥",
    kind: "problem",
    category: "safety",
    text: "东头桥栏杆松了，孩子上学要过。",
    daysAgo: 1,
    until: "accepted",
    owner: "吴网格",
  },
  {
    village: "向阳村",
    requester: "何奶奶",
    kind: "wish",
    category: "elderly",
    text: "腿脚不便，想有人帮忙取药。",
    daysAgo: 10,
    until: "rated",
    owner: "吴网格",
  },
  {
    village: "向阳村",
    requester: "马大姐",
    kind: "errand",
    category: "policy",
    text: "帮忙代办残疾证年审。",
    daysAgo: 5,
    until: "submitted",
  },
  {
    village: "柳树村",
    requester: "杨叔",
    kind: "problem",
    category: "water",
    text: "河边水渠堵了，地里浇不上水。",
    daysAgo: 16,
    until: "in_progress",
    owner: "冯网格",
  },
  {
    village: "柳树村",
    requester: "朱阿姨",
    kind: "consultation",
    category: "other",
    text: "村里什么时候开下一次群众会？",
    daysAgo: 4,
    until: "submitted",
  },
];

function must<T>(result: { ok: true; value: T } | { ok: false; reason: string }, what: string): T {
  if (!result.ok) throw new Error(`demo: ${what} was refused: ${result.reason}`);
  return result.value;
}

/** Loads the demo town into an empty store; refuses when villages already exist. */
export async function loadDemo(
  app: App,
  setClock: (at: Date) => void,
  today: Date,
): Promise<{ villages: number; requests: number }> {
  const { deps } = app;
  const existing = await deps.store.transaction((tx) => tx.all(Villages));
  if (existing.length > 0)
    throw new Error("demo: the data folder already has villages; use an empty DATA_DIR for the demo");
  const day = 86_400_000;
  setClock(new Date(today.getTime() - 30 * day));
  const people = new Map<string, Map<string, Member>>();
  for (const spec of VILLAGES) {
    const created = must(
      await inUnit(deps, (unit) =>
        setupVillageIn(
          unit,
          {
            townName: "红旗镇",
            villageName: spec.name,
            code: spec.code,
            secretaryName: spec.secretary,
            language: "zh-CN",
          },
          (member, village, lead) => app.menuFor(member, village, lead),
        ),
      ),
      `setting up ${spec.name}`,
    );
    must(
      await inUnit(deps, (unit) => importRosterIn(unit, created.secretary, spec.roster)),
      `the roster of ${spec.name}`,
    );
    const members = await deps.store.transaction((tx) => tx.find(Members, "village", created.village.id));
    const byName = new Map(members.map((m) => [m.name, m]));
    people.set(spec.name, byName);
    await deps.store.transaction(async (tx) => {
      const village = await tx.get(Villages, created.village.id);
      if (village === undefined) return;
      const owners = (categoryId: string) =>
        Object.entries(spec.owners)
          .filter(([, categories]) => categories.includes(categoryId))
          .flatMap(([name]) => byName.get(name)?.id ?? []);
      tx.put(Villages, {
        ...village,
        categories: village.categories.map((c) => ({ ...c, ownerIds: owners(c.id) })),
      });
    });
  }
  const stories = [...STORIES].sort((a, b) => b.daysAgo - a.daysAgo);
  for (const story of stories) {
    const members = people.get(story.village);
    const person = (name: string | undefined) => {
      const found = name === undefined ? undefined : members?.get(name);
      if (found === undefined) throw new Error(`demo: nobody called ${name} in ${story.village}`);
      return found;
    };
    const secretary = [...(members?.values() ?? [])].find((m) => m.role === "secretary");
    const requester = person(story.requester);
    const at = (hoursAfter: number) =>
      setClock(new Date(today.getTime() - story.daysAgo * day + hoursAfter * 3_600_000));
    at(0);
    const request = must(
      await inUnit(deps, (unit) =>
        submitRequestIn(unit, {
          villageId: requester.villageId,
          requesterId: requester.id,
          filedById: requester.id,
          kind: story.kind,
          categoryId: story.category,
          text: story.text,
          attachments: [],
          channel: "local",
        }),
      ),
      `filing "${story.text}"`,
    );
    if (story.until === "submitted") continue;
    if (secretary === undefined) throw new Error("demo: no secretary");
    at(3);
    if (story.until === "declined") {
      must(
        await inUnit(deps, (unit) =>
          noteIn(unit, secretary, request.id, "decline", "这件事不归村里办，已转告镇文化站。"),
        ),
        "declining",
      );
      continue;
    }
    const owner = person(story.owner);
    must(await inUnit(deps, (unit) => assignRequestIn(unit, secretary, request.id, owner.id)), "assigning");
    if (story.until === "accepted") continue;
    at(20);
    must(
      await inUnit(deps, (unit) =>
        noteIn(unit, owner, request.id, "progress", "已经到现场看过，正在联系人手。"),
      ),
      "progress",
    );
    if (story.until === "in_progress") continue;
    at(50);
    must(
      await inUnit(deps, (unit) => noteIn(unit, owner, request.id, "resolve", "已经办好了，请您看看。")),
      "resolving",
    );
    if (story.until === "resolved") continue;
    at(60);
    const rating = story.until === "rated" ? "satisfied" : "not_satisfied";
    const reason = story.until === "reopened" ? "只收了一次，过两天又满了。" : undefined;
    must(await inUnit(deps, (unit) => rateRequestIn(unit, requester, request.id, rating, reason)), "rating");
  }
  setClock(today);
  return { villages: VILLAGES.length, requests: STORIES.length };
}

async function main(): Promise<void> {
  const parsed = parseConfig(process.env);
  if (!parsed.ok) throw new Error(parsed.message);
  const { DATA_DIR: dataDir, TIME_ZONE: timeZone } = parsed.config;
  const holidays = await loadCalendarData(join(dataDir, "holidays.json"));
  let now = new Date();
  const clock = { now: () => now };
  const app = await createApp({
    features: FEATURES,
    openStore: (tables) => openLowdbStore(dataDir, { tables, clock }),
    clock,
    calendar: workingCalendar(timeZone, holidays.data),
    channels: ["local"],
  });
  try {
    const loaded = await loadDemo(
      app,
      (at) => {
        now = at;
      },
      new Date(),
    );
    process.stdout.write(
      `Demo town 红旗镇 loaded into ${dataDir}/: ${loaded.villages} villages, ${loaded.requests} requests. Now run: npm start\n`,
    );
  } finally {
    await app.close();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
