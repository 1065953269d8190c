import { workingCalendar } from "../../src/domain/calendar.js";
import { DEFAULT_DEADLINE_POLICY } from "../../src/domain/deadlines.js";
import type { GroupBinding, Member, ServiceRequest, Town, Village } from "../../src/domain/model.js";
import { createRequest, trackingNumber } from "../../src/domain/request.js";
import { DEFAULT_CATEGORIES } from "../../src/features/setup/index.js";

export const VILLAGES = 20;
export const MEMBERS_PER_VILLAGE = 50;

export const calendar = workingCalendar("Asia/Shanghai", { holidays: [], workdays: [] });
export const deadlines = { policy: DEFAULT_DEADLINE_POLICY, calendar };

/** The history's requests are all of this year; requests submitted now go to the current year's files. */
const HISTORY_YEAR = 2025;

/** The village the Telegram walk runs in: bound to a Telegram group, its secretary on Telegram. */
export const TELEGRAM_VILLAGE = 1;
export const TELEGRAM_GROUP_ID = -1009000000001;
export const TELEGRAM_SECRETARY_ID = 900000001;

export function villageId(v: number): string {
  return `v${v + 1}`;
}

export function memberId(v: number, m: number): string {
  return `m${v * MEMBERS_PER_VILLAGE + m + 1}`;
}

/** The village and its requester of history request `i`, of a history over `villages` villages. */
function placeOf(i: number, villages = VILLAGES): { v: number; requester: string; seq: number } {
  const v = i % villages;
  return {
    v,
    requester: memberId(v, 3 + (i % (MEMBERS_PER_VILLAGE - 3))),
    seq: Math.floor(i / villages) + 1,
  };
}

/** Request `i` of the history stays open (submitted, never answered); the others ended rated. */
export function staysOpen(i: number): boolean {
  return i % 10 === 0;
}

/** The id history request `i` got. */
export function historyRequestId(i: number): string {
  const { v, seq } = placeOf(i);
  return trackingNumber(villageCode(v), HISTORY_YEAR, seq);
}

function villageCode(v: number): string {
  return String.fromCharCode(65 + Math.floor(v / 26), 65 + (v % 26), 66);
}

export interface History {
  town: Town;
  villages: Village[];
  members: Member[];
  bindings: GroupBinding[];
  /** Made one at a time as they are read (once), so a million of them never sit in memory together. */
  requests: Iterable<ServiceRequest>;
}

/**
 * A town of villages with members, and a history of requests that mostly ended rated, as in real villages.
 * With `telegram`, one village is bound to a Telegram group and its secretary is on Telegram.
 */
export function history(count: number, options: { telegram?: boolean; villages?: number } = {}): History {
  const town: Town = { id: "t1", name: "红旗镇", supervisors: [] };
  const villages: Village[] = [];
  const members: Member[] = [];
  for (let v = 0; v < (options.villages ?? VILLAGES); v++) {
    villages.push({
      id: villageId(v),
      townId: town.id,
      name: `第${v + 1}村`,
      code: villageCode(v),
      language: "zh-CN",
      categories: DEFAULT_CATEGORIES,
      createdAt: "2024-01-01T00:00:00.000Z",
    });
    for (let m = 0; m < MEMBERS_PER_VILLAGE; m++) members.push(memberOf(v, m, options.telegram === true));
  }
  const bindings: GroupBinding[] =
    options.telegram === true
      ? [
          {
            channel: "telegram",
            chatId: String(TELEGRAM_GROUP_ID),
            villageId: villageId(TELEGRAM_VILLAGE),
            boundAt: "2024-01-01T00:00:00.000Z",
            boundBy: memberId(TELEGRAM_VILLAGE, 0),
          },
        ]
      : [];
  return { town, villages, members, bindings, requests: historyRequests(count, villages) };
}

function memberOf(v: number, m: number, telegram: boolean): Member {
  const onTelegram = telegram && v === TELEGRAM_VILLAGE && m === 0;
  return {
    id: memberId(v, m),
    villageId: villageId(v),
    name: m === 0 ? "书记" : `村民${m}`,
    role: m === 0 ? "secretary" : m < 3 ? "grid_worker" : "villager",
    identities: onTelegram ? [{ channel: "telegram", userId: String(TELEGRAM_SECRETARY_ID) }] : [],
    ...(onTelegram ? { lastChannel: "telegram" as const } : {}),
    active: true,
  };
}

function* historyRequests(count: number, villages: readonly Village[]): Generator<ServiceRequest> {
  const start = Date.parse(`${HISTORY_YEAR}-01-01T02:00:00Z`);
  for (let i = 0; i < count; i++) {
    const { v, requester, seq } = placeOf(i, villages.length);
    const village = villages[v] as Village;
    const now = new Date(start + i * 60_000);
    const request = createRequest(
      {
        villageId: village.id,
        code: village.code,
        year: HISTORY_YEAR,
        seq,
        kind: "problem",
        categoryId: "power",
        deadlineClass: "general",
        text: "三组路口的路灯坏了，晚上出门看不清，老人走路不方便，麻烦尽快来修一下。",
        attachments: [],
        requesterId: requester,
        filedById: requester,
        channel: "local",
        now,
      },
      deadlines,
    );
    if (staysOpen(i)) {
      yield request;
      continue;
    }
    const at = new Date(now.getTime() + 86_400_000).toISOString();
    yield {
      ...request,
      state: "rated",
      rating: "satisfied",
      ownerId: memberId(v, 1),
      respondedAt: at,
      resolvedAt: at,
      timeline: [
        ...request.timeline,
        { at, by: memberId(v, 0), action: "accepted", ownerId: memberId(v, 1) },
        { at, by: memberId(v, 1), action: "resolved", note: "已修好" },
        { at, by: requester, action: "rated", rating: "satisfied" },
      ],
    };
  }
}
