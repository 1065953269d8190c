/** A use case's answer: done, or a refusal a person can read (the `reason` is an i18n key). */
export type Ok<T> = { ok: true; value: T };
export type Refusal<R extends string = string> = {
  ok: false;
  reason: R;
  params?: Record<string, string | number>;
};
export type Result<T, R extends string = string> = Ok<T> | Refusal<R>;

export function ok<T>(value: T): Ok<T> {
  return { ok: true, value };
}

export function refuse<R extends string>(reason: R, params?: Record<string, string | number>): Refusal<R> {
  return params === undefined ? { ok: false, reason } : { ok: false, reason, params };
}
