/**
 * Cooldown state: which deployments are out of rotation and until when,
 * and how many failures each had in the current window. The Router keeps
 * it behind {@linkcode CooldownStore}, so a shared store (Redis) can
 * replace the in-memory one for several gateway processes.
 *
 * @module
 */

import { LLMuxError } from "../errors.ts";
import { type AllowedFailsPolicy, classifyError } from "./policy.ts";

/** A value, or a promise of it (stores may be remote). */
export type Awaitable<T> = T | Promise<T>;

/** One deployment's cooldown. */
export interface Cooldown {
  /** When it started (ms since the epoch). */
  readonly startedAt: number;
  /** When the deployment returns to rotation (ms since the epoch). */
  readonly until: number;
  /** Status of the error that caused it. */
  readonly status: number;
  /** Why, for humans: the error's class and message. */
  readonly reason: string;
}

/**
 * Where the Router keeps cooldowns and failure counts. Every method may
 * answer synchronously (in memory) or with a promise (a shared store).
 */
export interface CooldownStore {
  /** The cooldowns still active at `now` among `ids`. */
  active(ids: readonly string[], now: number): Awaitable<ReadonlyMap<string, Cooldown>>;
  /** Put a deployment into cooldown (replacing any earlier one). */
  start(id: string, cooldown: Cooldown): Awaitable<void>;
  /**
   * Count one failure of `id` in the fixed window of `windowMs` that holds
   * `now`, and return the failures counted in that window so far.
   */
  countFailure(id: string, now: number, windowMs: number): Awaitable<number>;
  /** Forget the failures counted for `id`. */
  resetFailures(id: string): Awaitable<void>;
}

const EMPTY: ReadonlyMap<string, Cooldown> = new Map();

/**
 * The in-memory {@linkcode CooldownStore}: one per Router, nothing shared
 * between instances.
 *
 * @example
 * ```ts
 * import { MemoryCooldownStore } from "./cooldown.ts";
 * const store = new MemoryCooldownStore();
 * store.start("a", { startedAt: 0, until: 5000, status: 429, reason: "RateLimitError" });
 * console.assert((store.active(["a", "b"], 1000) as Map<string, unknown>).has("a"));
 * console.assert((store.active(["a", "b"], 5000) as Map<string, unknown>).size === 0);
 * ```
 */
export class MemoryCooldownStore implements CooldownStore {
  #cooldowns = new Map<string, Cooldown>();
  #failures = new Map<string, { window: number; count: number }>();

  /** The cooldowns still active at `now` among `ids`. */
  active(ids: readonly string[], now: number): ReadonlyMap<string, Cooldown> {
    if (this.#cooldowns.size === 0) return EMPTY;
    let out: Map<string, Cooldown> | undefined;
    for (const id of ids) {
      const c = this.#cooldowns.get(id);
      if (c === undefined) continue;
      if (c.until <= now) {
        this.#cooldowns.delete(id);
        continue;
      }
      (out ??= new Map()).set(id, c);
    }
    return out ?? EMPTY;
  }

  /** Put a deployment into cooldown. */
  start(id: string, cooldown: Cooldown): void {
    this.#cooldowns.set(id, cooldown);
  }

  /** Count a failure in the current window; returns the window's count. */
  countFailure(id: string, now: number, windowMs: number): number {
    const window = Math.floor(now / windowMs);
    const entry = this.#failures.get(id);
    if (entry === undefined || entry.window !== window) {
      this.#failures.set(id, { window, count: 1 });
      return 1;
    }
    return ++entry.count;
  }

  /** Forget the failures counted for `id`. */
  resetFailures(id: string): void {
    this.#failures.delete(id);
  }
}

/** LiteLLM's default cooldown: 5 seconds (`DEFAULT_COOLDOWN_TIME_SECONDS`). */
export const DEFAULT_COOLDOWN_TIME_SECONDS = 5;
/** LiteLLM's default `allowed_fails`: 3 failures a minute. */
export const DEFAULT_ALLOWED_FAILS = 3;
/** The failure-count window: one minute. */
export const FAILURE_WINDOW_MS = 60_000;

/** The Router's cooldown settings. */
export interface CooldownSettings {
  /** Failures a minute allowed before a counted class cools a deployment down. */
  allowedFails: number;
  /** Per-class overrides of `allowedFails`. */
  allowedFailsPolicy?: AllowedFailsPolicy | undefined;
  /** Default cooldown in seconds. */
  cooldownTime: number;
}

/**
 * Count a failed call toward a deployment's cooldown, and start the
 * cooldown when it is due (LiteLLM's rules):
 * - 429, 401, 404 and timeouts cool the deployment down at once;
 * - 5xx, 529/503 and connection failures once more than `allowed_fails`
 *   happened in the current minute;
 * - other 4xx (400, context window, content policy, 403) never;
 * - a class named in `allowed_fails_policy` is counted against its limit.
 *
 * The cooldown lasts the deployment's `cooldown_time`, else a 429's
 * `Retry-After`, else the Router's `cooldown_time`. Returns the cooldown
 * started, if any.
 *
 * @example
 * ```ts
 * import { MemoryCooldownStore, recordFailure } from "./cooldown.ts";
 * import { RateLimitError } from "../errors.ts";
 * const store = new MemoryCooldownStore();
 * const c = await recordFailure(store, { id: "a", cooldownTime: undefined }, new RateLimitError("x"), {
 *   now: 0, settings: { allowedFails: 3, cooldownTime: 5 },
 * });
 * console.assert(c?.until === 5000);
 * ```
 */
export async function recordFailure(
  store: CooldownStore,
  deployment: { readonly id: string; readonly cooldownTime: number | undefined },
  error: unknown,
  options: { now: number; settings: CooldownSettings },
): Promise<Cooldown | undefined> {
  const { now, settings } = options;
  const cls = classifyError(error);
  const field = cls.allowedFailsField;
  const fromPolicy = field === undefined ? undefined : settings.allowedFailsPolicy?.[field];
  let rule = cls.cooldown;
  let limit = settings.allowedFails;
  if (typeof fromPolicy === "number") {
    rule = "count";
    limit = fromPolicy;
  }
  if (rule === "none") return undefined;
  if (rule === "count") {
    const n = await store.countFailure(deployment.id, now, FAILURE_WINDOW_MS);
    if (n <= limit) return undefined;
  }
  const retryAfter = error instanceof LLMuxError ? error.retryAfter : undefined;
  const seconds = deployment.cooldownTime ??
    (cls.kind === "rate_limit" && retryAfter !== undefined && retryAfter > 0
      ? retryAfter
      : settings.cooldownTime);
  if (!(seconds > 0)) return undefined;
  const cooldown: Cooldown = {
    startedAt: now,
    until: now + seconds * 1000,
    status: cls.status,
    reason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
  };
  await store.start(deployment.id, cooldown);
  await store.resetFailures(deployment.id);
  return cooldown;
}

/** A cooling deployment as `Router.getCooldowns()` lists it. */
export interface CooldownListEntryWithGroup {
  /** Deployment id. */
  readonly id: string;
  /** When it returns to rotation (ms since the epoch). */
  readonly until: number;
  /** Status of the error that cooled it down. */
  readonly status: number;
  /** Its model group. */
  readonly modelGroup: string;
}
