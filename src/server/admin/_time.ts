/**
 * Time helpers of the admin API: key lifetimes (`duration` → `expires`),
 * budget periods (`budget_duration` → `budget_reset_at`) and the dates of
 * spend queries. Durations are parsed by the store's own parser, so the admin
 * API and budget resets agree on what `30d` means. Private to
 * `src/server/admin`.
 *
 * @module
 */

import { nextReset, parseDuration } from "../../store/duration.ts";

/** Length of a duration (`30s`, `15m`, `1h`, `1d`, `2w`, `1mo`) in ms, or undefined when it does not parse. */
export function durationMs(text: string): number | undefined {
  try {
    const ms = parseDuration(text);
    return Number.isFinite(ms) && ms > 0 ? ms : undefined;
  } catch {
    return undefined;
  }
}

/** When a key made now with lifetime `duration` expires (ISO; `mo` is a calendar month). */
export function expiresAt(duration: string, nowMs: number): string {
  return nextReset(new Date(nowMs), duration).toISOString();
}

/** When a budget period of `duration` starting now ends (ISO), as the store computes resets. */
export function budgetResetAt(duration: string, nowMs: number): string {
  return nextReset(new Date(nowMs), duration).toISOString();
}

const DAY_REGEXP = /^\d{4}-\d{2}-\d{2}$/;
const DAY_MS = 86_400_000;

/**
 * A date query parameter as an ISO instant. `YYYY-MM-DD` is a whole UTC day:
 * its start for `"start"`, the start of the next day for `"end"` (so the end
 * day is included). Anything else must parse as an ISO date-time (UTC when it names no zone). Returns
 * undefined when the text is not a date.
 */
export function parseDateParam(text: string, edge: "start" | "end"): string | undefined {
  if (DAY_REGEXP.test(text)) {
    const t = Date.parse(`${text}T00:00:00Z`);
    if (Number.isNaN(t)) return undefined;
    return new Date(edge === "end" ? t + DAY_MS : t).toISOString();
  }
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text)) return undefined;
  // No zone designator means UTC (Date.parse would read local time).
  const t = Date.parse(/(Z|[+-]\d{2}:?\d{2})$/i.test(text) ? text : `${text}Z`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}
