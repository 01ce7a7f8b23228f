/**
 * Budget periods in LiteLLM's `budget_duration` form: a whole number and a
 * unit, `30s`, `15m`, `1h`, `1d`, `30d`, `2w` or `1mo`.
 *
 * `mo` is a calendar month: {@linkcode nextReset} adds months on the UTC
 * calendar (Jan 31 + 1mo = Feb 28/29), while {@linkcode parseDuration}
 * reports a nominal 30 days per month for callers that need a length.
 *
 * @example
 * ```ts
 * import { nextReset, parseDuration } from "./duration.ts";
 * console.assert(parseDuration("1h") === 3_600_000);
 * const next = nextReset(new Date("2025-01-31T00:00:00Z"), "1mo");
 * console.assert(next.toISOString() === "2025-02-28T00:00:00.000Z");
 * ```
 *
 * @module
 */

/** A duration unit: seconds, minutes, hours, days, weeks or calendar months. */
export type DurationUnit = "s" | "m" | "h" | "d" | "w" | "mo";

/** A parsed duration. */
export interface Duration {
  /** How many units (≥ 1). */
  readonly value: number;
  /** The unit. */
  readonly unit: DurationUnit;
}

const DURATION_REGEXP = /^\s*(\d+)(mo|s|m|h|d|w)\s*$/;

const UNIT_MS: Readonly<Record<Exclude<DurationUnit, "mo">, number>> = {
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Nominal length of a month in {@linkcode parseDuration}: 30 days. */
export const NOMINAL_MONTH_MS = 30 * 86_400_000;

/**
 * Parse a `budget_duration` into its value and unit.
 *
 * @param text A duration such as `"30d"` or `"1mo"`.
 * @returns The value and unit.
 * @throws {TypeError} When the text is not `<positive integer><s|m|h|d|w|mo>`.
 *
 * @example
 * ```ts
 * import { parseDurationParts } from "./duration.ts";
 * const d = parseDurationParts("2mo");
 * console.assert(d.value === 2 && d.unit === "mo");
 * ```
 */
export function parseDurationParts(text: string): Duration {
  const match = typeof text === "string" ? DURATION_REGEXP.exec(text) : null;
  if (match === null) {
    throw new TypeError(
      `Cannot parse duration ${
        JSON.stringify(text)
      }: expected a whole number and a unit (s, m, h, d, w or mo), e.g. "30d"`,
    );
  }
  const value = Number(match[1]);
  if (value < 1 || !Number.isSafeInteger(value * NOMINAL_MONTH_MS)) {
    throw new TypeError(
      `Cannot parse duration ${JSON.stringify(text)}: the number must be at least 1 and not huge`,
    );
  }
  return { value, unit: match[2] as DurationUnit };
}

/**
 * A `budget_duration` in milliseconds. Months count as 30 days here; use
 * {@linkcode nextReset} for calendar-exact month boundaries.
 *
 * @param text A duration such as `"30s"`, `"1m"`, `"1h"`, `"1d"`, `"2w"`, `"1mo"`.
 * @returns Milliseconds.
 * @throws {TypeError} On anything else.
 *
 * @example
 * ```ts
 * import { parseDuration } from "./duration.ts";
 * console.assert(parseDuration("30s") === 30_000);
 * console.assert(parseDuration("1d") === 86_400_000);
 * ```
 */
export function parseDuration(text: string): number {
  const { value, unit } = parseDurationParts(text);
  return value * (unit === "mo" ? NOMINAL_MONTH_MS : UNIT_MS[unit]);
}

/**
 * When a budget period that starts at `from` ends: `from` plus one
 * `duration` (calendar months for `mo`, on the UTC calendar, clamped to the
 * end of shorter months).
 *
 * @param from Start of the period.
 * @param duration A `budget_duration`.
 * @returns The end of the period.
 * @throws {TypeError} On an invalid duration.
 *
 * @example
 * ```ts
 * import { nextReset } from "./duration.ts";
 * const at = nextReset(new Date("2025-03-01T12:00:00Z"), "1d");
 * console.assert(at.toISOString() === "2025-03-02T12:00:00.000Z");
 * ```
 */
export function nextReset(from: Date, duration: string): Date {
  return addPeriods(from, parseDurationParts(duration), 1);
}

/**
 * The first period boundary after `now`, counting whole periods of
 * `duration` from `resetAt` (a boundary that is already due). Used when
 * budgets reset late (a gateway was down): the schedule keeps its phase.
 *
 * @param resetAt A due boundary (≤ `now`).
 * @param duration A `budget_duration`.
 * @param now The current time.
 * @returns The next boundary, strictly after `now`.
 * @throws {TypeError} On an invalid duration.
 *
 * @example
 * ```ts
 * import { advanceReset } from "./duration.ts";
 * const next = advanceReset(
 *   new Date("2025-01-01T00:00:00Z"),
 *   "1d",
 *   new Date("2025-01-03T05:00:00Z"),
 * );
 * console.assert(next.toISOString() === "2025-01-04T00:00:00.000Z");
 * ```
 */
export function advanceReset(resetAt: Date, duration: string, now: Date): Date {
  const parts = parseDurationParts(duration);
  const start = resetAt.getTime();
  const target = now.getTime();
  if (start > target) return new Date(start);
  if (parts.unit !== "mo") {
    const period = parts.value * UNIT_MS[parts.unit];
    const periods = Math.floor((target - start) / period) + 1;
    return new Date(start + periods * period);
  }
  // Calendar months: estimate from the month difference, then correct.
  const a = new Date(start);
  const b = new Date(target);
  const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 +
    (b.getUTCMonth() - a.getUTCMonth());
  let periods = Math.max(1, Math.floor(months / parts.value));
  while (periods > 1 && addPeriods(resetAt, parts, periods - 1).getTime() > target) periods--;
  let next = addPeriods(resetAt, parts, periods);
  while (next.getTime() <= target) next = addPeriods(resetAt, parts, ++periods);
  return next;
}

/** `from` plus `count` periods, months counted from `from` to avoid drift. */
function addPeriods(from: Date, duration: Duration, count: number): Date {
  if (duration.unit !== "mo") {
    return new Date(from.getTime() + count * duration.value * UNIT_MS[duration.unit]);
  }
  const months = from.getUTCMonth() + count * duration.value;
  const year = from.getUTCFullYear() + Math.floor(months / 12);
  const month = ((months % 12) + 12) % 12;
  const lastDay = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
  return new Date(Date.UTC(
    year,
    month,
    Math.min(from.getUTCDate(), lastDay),
    from.getUTCHours(),
    from.getUTCMinutes(),
    from.getUTCSeconds(),
    from.getUTCMilliseconds(),
  ));
}
