/**
 * Retry delays: exponential backoff with full jitter, or the upstream's
 * `Retry-After` when it gave one.
 *
 * @module
 */

/** Options of {@linkcode backoffDelay}. */
export interface BackoffOptions {
  /** Uniform random number in [0, 1), from the injected source. */
  random: () => number;
  /** First ceiling in milliseconds (default 500). */
  baseMs?: number;
  /** Largest ceiling in milliseconds (default 8000). */
  maxMs?: number;
  /** Seconds the upstream asked to wait (`Retry-After` / `retry-after-ms`). */
  retryAfter?: number | undefined;
  /** Minimum wait in milliseconds (LiteLLM's router `retry_after`, in ms here). */
  minMs?: number;
}

/**
 * Milliseconds to wait before retry number `retry` (0 for the first retry).
 *
 * With a `retryAfter` the wait is exactly that; otherwise it is "full
 * jitter": a uniform draw from `[0, min(maxMs, baseMs * 2^retry))`. The
 * result is never below `minMs`.
 *
 * @example
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 * console.assert(backoffDelay(0, { random: () => 0.5 }) === 250);
 * console.assert(backoffDelay(3, { random: () => 0.5 }) === 2000);
 * console.assert(backoffDelay(9, { random: () => 0.5, retryAfter: 1.5 }) === 1500);
 * ```
 */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const minMs = options.minMs ?? 0;
  if (options.retryAfter !== undefined && Number.isFinite(options.retryAfter)) {
    return Math.max(minMs, Math.max(0, options.retryAfter) * 1000);
  }
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 8000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, retry));
  return Math.max(minMs, Math.floor(options.random() * ceiling));
}
