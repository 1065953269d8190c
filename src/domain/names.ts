/** Limits and checks for the names people type: villages, towns, people, households. */

export const MAX_PLACE_NAME = 60;
export const MAX_PERSON_NAME = 40;

/** Characters that show nothing or turn text around: controls, zero-width and direction marks, private use. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Co}\p{Cs}\p{Zl}\p{Zp}]/u;

/** The trimmed name, or undefined when it is empty, longer than `max`, or holds an invisible character. */
export function validName(text: string, max: number): string | undefined {
  const name = text.trim();
  if (name === "" || [...name].length > max || INVISIBLE.test(name)) return undefined;
  return name;
}

/** A name a chat platform reports for someone: invisible characters dropped, cut to fit. */
export function displayName(text: string | undefined): string | undefined {
  const cleaned = (text ?? "").replace(new RegExp(INVISIBLE.source, "gu"), "").replace(/\s+/g, " ").trim();
  if (cleaned === "") return undefined;
  return [...cleaned].slice(0, MAX_PERSON_NAME).join("");
}
