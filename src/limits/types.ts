/**
 * The counters behind virtual-key enforcement: request and token windows
 * (rpm / tpm), concurrent requests, and budget spend, behind one
 * {@linkcode LimitStore} interface with an in-process backend
 * (`MemoryLimitStore`) and a shared one (`RedisLimitStore`) that several
 * gateway processes use together.
 *
 * Two calls per request, each atomic over every counter it touches:
 * {@linkcode LimitStore.admit} before the upstream call (check budgets,
 * then check and take rate limits, all or nothing) and
 * {@linkcode LimitStore.settle} when the request is over (release the
 * parallel slot, add the tokens used and the spend).
 *
 * Windows: a scope's minute window starts with its first request and lasts
 * `windowMs` (LiteLLM's v3 limiter counts the same way); the next request
 * after it ends opens a new one. Time always comes from the caller's
 * injected clock, never from the backend.
 *
 * @module
 */

/** One rate-limited scope of a request: a key, its team or its user. */
export interface RateScope {
  /** Counter id, e.g. `key:<hash>`, `team:<id>`, `user:<id>`. */
  readonly id: string;
  /** Requests per window (`rpm_limit`), or null for none. */
  readonly rpm: number | null;
  /** Tokens per window (`tpm_limit`), or null for none. */
  readonly tpm: number | null;
  /** Concurrent requests (`max_parallel_requests`), or null for none. */
  readonly parallel: number | null;
}

/** One budget a request is checked against. */
export interface BudgetCheck {
  /**
   * Counter id, including the budget period so that a new period starts a
   * new counter, e.g. `key:<hash>:2025-02-01T00:00:00.000Z`.
   */
  readonly id: string;
  /** Spend to start from when the counter does not exist (the store's `spend`). */
  readonly seed: number;
  /** Hard budget: a spend at or over it rejects the request. Null: check nothing, just read. */
  readonly max: number | null;
}

/** What {@linkcode LimitStore.admit} needs. */
export interface AdmitRequest {
  /** The request id (the parallel slot's name, released by `settle`). */
  readonly requestId: string;
  /** The time (ms since the epoch, injected clock). */
  readonly now: number;
  /** Budgets to check, in order (the first exceeded one is reported). */
  readonly budgets: readonly BudgetCheck[];
  /** Rate-limited scopes, in order (the first exhausted one is reported). */
  readonly scopes: readonly RateScope[];
}

/** A scope's counters as seen by an admission (after taking, when admitted). */
export interface ScopeUsage {
  /** Requests counted in the current window. */
  readonly requests: number;
  /** Tokens counted in the current window. */
  readonly tokens: number;
  /** Requests in flight (only counted when the scope has a parallel limit). */
  readonly parallel: number;
  /** When the current window ends (ms since the epoch). */
  readonly resetAt: number;
}

/** Which limit rejected a request. */
export type RateLimitKind = "rpm" | "tpm" | "parallel";

/** The answer of {@linkcode LimitStore.admit}. */
export type AdmitResult =
  | {
    /** Admitted: a request was counted and a parallel slot taken in every scope. */
    readonly ok: true;
    /** Spend per budget, in the order asked. */
    readonly spends: readonly number[];
    /** Counters per scope, in the order asked, including this request. */
    readonly usage: readonly ScopeUsage[];
  }
  | {
    /** Rejected: nothing was taken. */
    readonly ok: false;
    /** A hard budget is spent. */
    readonly reason: "budget";
    /** Index of the first budget at or over its `max`. */
    readonly index: number;
    /** Spend per budget. */
    readonly spends: readonly number[];
    /** Counters per scope, as they are. */
    readonly usage: readonly ScopeUsage[];
  }
  | {
    /** Rejected: nothing was taken. */
    readonly ok: false;
    /** The limit that is exhausted. */
    readonly reason: RateLimitKind;
    /** Index of the first exhausted scope. */
    readonly index: number;
    /** Spend per budget. */
    readonly spends: readonly number[];
    /** Counters per scope, as they are. */
    readonly usage: readonly ScopeUsage[];
  };

/** A scope to settle: which of its counters the admission touched. */
export interface SettleScope {
  /** Counter id, as admitted. */
  readonly id: string;
  /** Release the request's parallel slot (the scope has a parallel limit). */
  readonly release: boolean;
  /** Add the request's tokens to the window (the scope has a tpm limit). */
  readonly tokens: boolean;
}

/** Spend to add to one budget counter. */
export interface SpendAdd {
  /** Counter id (with its period), as in {@linkcode BudgetCheck.id}. */
  readonly id: string;
  /** Spend to start from when the counter does not exist. */
  readonly seed: number;
  /** Amount to add (reporting currency). */
  readonly amount: number;
}

/** What {@linkcode LimitStore.settle} needs. */
export interface SettleRequest {
  /** The request id given to `admit`. */
  readonly requestId: string;
  /** The time (ms since the epoch, injected clock). */
  readonly now: number;
  /** Tokens the request used (prompt + completion). */
  readonly tokens: number;
  /** Scopes to release and charge tokens to. */
  readonly scopes: readonly SettleScope[];
  /** Budget counters to add spend to. */
  readonly spend: readonly SpendAdd[];
}

/**
 * Request, token, parallel and spend counters, atomic per call. Both
 * backends pass the same test suite (`tests/limits/`).
 */
export interface LimitStore {
  /** `"memory"` (this process only) or `"redis"` (shared by every process using the same Redis). */
  readonly kind: "memory" | "redis";
  /**
   * Check every budget (seeding absent counters), then every rate limit;
   * when all pass, count the request and take a parallel slot in each
   * scope. Rejections take nothing.
   */
  admit(request: AdmitRequest): Promise<AdmitResult>;
  /**
   * Release the request's parallel slots, add its tokens to the current
   * windows and its spend to the budget counters. Returns each counter's
   * spend after the addition, in order.
   */
  settle(request: SettleRequest): Promise<number[]>;
  /** Current spend of budget counters (the seed when absent; nothing is written). */
  spends(budgets: readonly { id: string; seed: number }[]): Promise<number[]>;
  /** Drop budget counters (a manual reset), so the next admission seeds them again. */
  dropSpend(ids: readonly string[]): Promise<void>;
  /** Release connections. */
  close(): Promise<void>;
}

/** Timing settings shared by both backends. */
export interface LimitTimings {
  /** Length of a rate-limit window in ms (default 60 000: per minute). */
  windowMs?: number;
  /**
   * A parallel slot older than this (ms) no longer counts, so a crashed
   * process cannot hold slots forever (default 600 000: 10 minutes).
   */
  parallelStaleMs?: number;
  /**
   * A budget counter unused for this long (ms) is dropped and seeded again
   * from the store's `spend` on next use (default 3 600 000: 1 hour).
   */
  spendTtlMs?: number;
}

/** Defaults of {@linkcode LimitTimings}. */
export const DEFAULT_LIMIT_TIMINGS: Readonly<Required<LimitTimings>> = {
  windowMs: 60_000,
  parallelStaleMs: 600_000,
  spendTtlMs: 3_600_000,
};
