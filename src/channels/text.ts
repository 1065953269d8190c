function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Splits text into pieces of at most `max` UTF-16 units (what Telegram and Slack count), cutting at a line break
 * when there is one in the second half of a piece, else at a space, else anywhere but inside a surrogate pair.
 */
export function splitText(text: string, max: number): string[] {
  if (text.length === 0) return [];
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max + 1);
    let cut = window.lastIndexOf("\n");
    if (cut < max / 2) cut = window.lastIndexOf(" ");
    if (cut < max / 2) {
      cut = max;
      if (isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    } else {
      pieces.push(rest.slice(0, cut));
      rest = rest.slice(cut + 1);
    }
  }
  if (rest.length > 0) pieces.push(rest);
  return pieces.filter((piece) => piece.trim().length > 0);
}

/** Shortens text to `max` UTF-16 units, ending with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  if (isHighSurrogate(text.charCodeAt(cut - 1))) cut -= 1;
  return `${text.slice(0, cut)}…`;
}
