/**
 * Validation of admin request bodies and query strings with zod. A bad field
 * is a 400 whose message and `param` name it:
 * `Invalid value for 'max_budget' in /key/generate: expected a number >= 0`.
 * As LiteLLM's pydantic models do, numbers and booleans also accept their
 * string forms, and `""` for a number means null. Private to
 * `src/server/admin`.
 *
 * @module
 */

import { z } from "zod";
import { BadRequestError } from "../../errors.ts";
import { durationMs } from "./_time.ts";

function toNumber(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const t = value.trim();
  if (t === "") return null;
  return Number.isFinite(Number(t)) ? Number(t) : value;
}

function toBoolean(value: unknown): unknown {
  if (typeof value !== "string") return value;
  const v = value.trim().toLowerCase();
  return v === "true" ? true : v === "false" ? false : value;
}

/** An optional, nullable amount of money (reporting currency), ≥ 0. */
export function moneyField(): z.ZodOptional<z.ZodType<number | null>> {
  return z.preprocess(
    toNumber,
    z.number({ error: "a number >= 0 or null" }).min(0, { error: "a number >= 0" }).nullable(),
  ).optional() as z.ZodOptional<z.ZodType<number | null>>;
}

/** An optional, nullable whole number ≥ 0 (rate limits, concurrency). */
export function countField(): z.ZodOptional<z.ZodType<number | null>> {
  return z.preprocess(
    toNumber,
    z.number({ error: "a whole number >= 0 or null" })
      .int({ error: "a whole number >= 0" })
      .min(0, { error: "a whole number >= 0" })
      .nullable(),
  ).optional() as z.ZodOptional<z.ZodType<number | null>>;
}

/** An optional boolean (also `"true"` / `"false"`). */
export function boolField(): z.ZodOptional<z.ZodType<boolean>> {
  return z.preprocess(toBoolean, z.boolean({ error: "true or false" }))
    .optional() as z.ZodOptional<z.ZodType<boolean>>;
}

/** An optional, nullable non-empty string of at most `max` characters. */
export function textField(max = 256): z.ZodOptional<z.ZodNullable<z.ZodString>> {
  return z.string({ error: `a string of 1 to ${max} characters or null` })
    .min(1, { error: `a string of 1 to ${max} characters` })
    .max(max, { error: `a string of 1 to ${max} characters` })
    .nullable()
    .optional();
}

/** An optional list of model group names. */
export function modelsField(): z.ZodOptional<z.ZodType<string[]>> {
  return z.preprocess(
    (v) => (v === null ? [] : v),
    z.array(z.string({ error: "a list of model names" }), { error: "a list of model names" }),
  ).optional() as z.ZodOptional<z.ZodType<string[]>>;
}

/** An optional JSON object (`null` means `{}`). */
export function metadataField(): z.ZodOptional<z.ZodType<Record<string, unknown>>> {
  return z.preprocess(
    (v) => (v === null ? {} : v),
    z.record(z.string(), z.unknown(), { error: "a JSON object" }),
  ).optional() as z.ZodOptional<z.ZodType<Record<string, unknown>>>;
}

const DURATION_HINT = "a duration like 30s, 15m, 1h, 1d, 2w or 1mo";

/** An optional, nullable duration string (`30s`, `1h`, `1d`, `30d`). */
export function durationField(): z.ZodOptional<z.ZodType<string | null>> {
  return z.string({ error: `${DURATION_HINT}, or null` })
    .refine((s) => durationMs(s) !== undefined, { error: DURATION_HINT })
    .nullable()
    .optional() as z.ZodOptional<z.ZodType<string | null>>;
}

/**
 * A key's lifetime: a duration, or `null` / `"-1"` for a key that never
 * expires (LiteLLM's `/key/update` convention).
 */
export function lifetimeField(): z.ZodOptional<z.ZodType<string | null>> {
  return z.preprocess(
    (v) => (v === "-1" ? null : v),
    z.string({ error: `${DURATION_HINT}, or null for no expiry` })
      .refine((s) => durationMs(s) !== undefined, { error: DURATION_HINT })
      .nullable(),
  ).optional() as z.ZodOptional<z.ZodType<string | null>>;
}

/** A list of strings, or one string taken as a list of one. */
export function stringListField(what: string): z.ZodType<string[]> {
  return z.preprocess(
    (v) => (typeof v === "string" ? [v] : v),
    z.array(z.string({ error: `a list of ${what}` }).min(1, { error: `a non-empty ${what}` }), {
      error: `a list of ${what}`,
    }),
  ) as unknown as z.ZodType<string[]>;
}

function pathOf(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}

/**
 * Parse `value` with `schema`, or throw a 400 naming the first bad field.
 *
 * @param schema The zod schema.
 * @param value The request body or query object.
 * @param route The route, for the message (e.g. `/key/generate`).
 */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, route: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === "unrecognized_keys") {
    const key = pathOf([...issue.path, issue.keys[0]]);
    throw new BadRequestError(`Unknown field '${key}' in ${route}`, {
      param: key,
      code: "unknown_field",
    });
  }
  const field = pathOf(issue.path);
  if (field === "") {
    throw new BadRequestError(`Invalid request to ${route}: ${issue.message}`, {
      code: "invalid_request",
    });
  }
  throw new BadRequestError(`Invalid value for '${field}' in ${route}: expected ${issue.message}`, {
    param: field,
    code: "invalid_value",
  });
}

/** A 400 for a missing required field. */
export function missingField(field: string, route: string): BadRequestError {
  return new BadRequestError(`Missing required field '${field}' in ${route}`, {
    param: field,
    code: "missing_field",
  });
}

/** An optional whole-number query parameter from 1 to `max` (pages, page sizes). */
export function pageField(max: number): z.ZodOptional<z.ZodType<number>> {
  const hint = max === Number.MAX_SAFE_INTEGER
    ? "a whole number >= 1"
    : `a whole number from 1 to ${max}`;
  return z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
    z.number({ error: hint }).int({ error: hint }).min(1, { error: hint }).max(max, {
      error: hint,
    }),
  ).optional() as z.ZodOptional<z.ZodType<number>>;
}
