/** Deep links into the private chat: `https://t.me/<bot>?start=j_<villageId>` (payload ≤ 64 of [A-Za-z0-9_-]). */

const JOIN_PREFIX = "j_";
const PAYLOAD = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_PAYLOAD = 64;

/** The /start payload that joins a village, or undefined when the id cannot be carried in one. */
export function joinPayload(villageId: string): string | undefined {
  const payload = `${JOIN_PREFIX}${villageId}`;
  return payload.length <= MAX_PAYLOAD && PAYLOAD.test(payload) ? payload : undefined;
}

/** The village a /start payload asks to join, if it is one of ours. */
export function parseJoinPayload(payload: string | undefined): string | undefined {
  if (payload === undefined || !PAYLOAD.test(payload) || !payload.startsWith(JOIN_PREFIX)) return undefined;
  const villageId = payload.slice(JOIN_PREFIX.length);
  return villageId === "" ? undefined : villageId;
}

export function privateChatLink(botUsername: string, payload?: string): string {
  const base = `https://t.me/${encodeURIComponent(botUsername)}`;
  return payload === undefined ? base : `${base}?start=${payload}`;
}
