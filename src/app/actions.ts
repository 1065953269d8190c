import type { z } from "zod";
import type { Button, Text } from "./messages.js";

/** How one value of an action travels inside button data. */
export interface Field<T> {
  encode(value: T): string;
  decode(text: string): T | undefined;
  /** Values that cover the field's range, the longest included: the codec test round-trips them all. */
  readonly samples: readonly T[];
}

const ID = /^[A-Za-z0-9_-]{1,24}$/;

/** An id of a stored record: letters, digits, _ and -. */
export const idField: Field<string> = {
  encode: (value) => value,
  decode: (text) => (ID.test(text) ? text : undefined),
  samples: ["m1", "DF-2026-0042", "ABCD-2026-000123", "x".repeat(24)],
};

/** A small whole number such as a page. */
export const countField: Field<number> = {
  encode: (value) => String(value),
  decode: (text) => (/^\d{1,4}$/.test(text) ? Number(text) : undefined),
  samples: [0, 1, 9999],
};

/** One of a few values, each sent as a short code. */
export function codeField<T extends string>(codes: Readonly<Record<T, string>>): Field<T> {
  const byCode = new Map(Object.entries(codes).map(([value, code]) => [code as string, value as T]));
  return {
    encode: (value) => codes[value],
    decode: (text) => byCode.get(text),
    samples: [...byCode.values()],
  };
}

/** One of a zod enum's values, sent as itself. */
export function enumField<T extends string>(schema: z.ZodEnum<Record<string, T>>): Field<T> {
  return {
    samples: schema.options as T[],
    encode: (value) => value,
    decode: (text) => {
      const parsed = schema.safeParse(text);
      return parsed.success ? parsed.data : undefined;
    },
  };
}

export type Fields<P> = { readonly [K in keyof P]: Field<P[K]> };

export const MAX_ACTION_BYTES = 64;

/** A button's meaning: a short code and named values, encoded as `code:value:value`. */
export interface ActionCodec<P> {
  readonly code: string;
  readonly fields: Fields<P>;
  encode(payload: P): string;
  decode(parts: readonly string[]): P | undefined;
  button(label: Text, payload: P, opensPrivateFor?: string): Button;
}

export function actionCodec<P extends Record<string, unknown>>(
  code: string,
  fields: Fields<P>,
): ActionCodec<P> {
  if (!/^[a-z]{1,4}$/.test(code)) throw new Error(`Action code ${code} must be 1-4 lowercase letters.`);
  const names = Object.keys(fields) as (keyof P & string)[];
  function encode(payload: P): string {
    const data = [code, ...names.map((name) => fields[name].encode(payload[name]))].join(":");
    if (Buffer.byteLength(data) > MAX_ACTION_BYTES) throw new Error(`Action data too long: ${data}`);
    return data;
  }
  return {
    code,
    fields,
    encode,
    decode(parts) {
      if (parts.length !== names.length) return undefined;
      const payload: Record<string, unknown> = {};
      for (const [index, name] of names.entries()) {
        const value = fields[name].decode(parts[index] ?? "");
        if (value === undefined) return undefined;
        payload[name] = value;
      }
      return payload as P;
    },
    button(label, payload, opensPrivateFor) {
      const button: Button = { label, data: encode(payload) };
      if (opensPrivateFor !== undefined) button.opensPrivateFor = opensPrivateFor;
      return button;
    },
  };
}

/** Splits button data into its code and values; undefined for anything that cannot be ours. */
export function splitActionData(data: string): { code: string; parts: string[] } | undefined {
  if (data.length === 0 || Buffer.byteLength(data) > MAX_ACTION_BYTES) return undefined;
  const [code = "", ...parts] = data.split(":");
  return { code, parts };
}
