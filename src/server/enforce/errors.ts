/**
 * Errors of virtual-key enforcement, shaped as LiteLLM's proxy sends them:
 * a spent budget is a 400 of type `budget_exceeded` whose message names the
 * budget (`Budget has been exceeded! Team=t1 Current cost: …, Max budget: …`),
 * an exhausted rate limit a 429 with `retry-after` and `x-ratelimit-*`.
 *
 * @module
 */

import { LLMuxError, RateLimitError } from "../../errors.ts";
import type { BudgetEntity } from "../../store/types.ts";

/** LiteLLM's name of each budget entity in budget messages. */
const ENTITY_LABEL: Readonly<Record<BudgetEntity, string>> = {
  key: "Key",
  team: "Team",
  user: "User",
};

/** Round money for messages: at most 6 decimals, no float noise. */
export function formatMoney(amount: number): string {
  return String(Math.round(amount * 1e6) / 1e6);
}

/** What a {@linkcode BudgetExceededError} reports. */
export interface BudgetExceededDetails {
  /** Which budget: the key's, its team's or its user's. */
  entity: BudgetEntity;
  /** The key hash, team id or user id. */
  id: string;
  /** Spend in the current period (reporting currency). */
  spend: number;
  /** The hard budget (reporting currency). */
  maxBudget: number;
  /** The reporting currency. */
  currency: string;
}

/**
 * A hard budget is spent: 400, type `budget_exceeded`, code `"400"`, as
 * LiteLLM's proxy answers. The message keeps LiteLLM's wording and adds the
 * currency at the end.
 *
 * @example
 * ```ts
 * import { BudgetExceededError } from "./errors.ts";
 * const err = new BudgetExceededError({
 *   entity: "team", id: "t1", spend: 20.35, maxBudget: 18.5, currency: "ZAR",
 * });
 * console.assert(err.status === 400 && err.type === "budget_exceeded");
 * console.assert(err.message === "Budget has been exceeded! Team=t1 Current cost: 20.35, Max budget: 18.5 (ZAR)");
 * ```
 */
export class BudgetExceededError extends LLMuxError {
  /** HTTP status this class reports. */
  static override readonly defaultStatus: number = 400;
  /** OpenAI error type this class reports. */
  static override readonly defaultType: string = "budget_exceeded";
  /** What was exceeded. */
  readonly details: BudgetExceededDetails;

  /**
   * Create the error.
   *
   * @param details Which budget, the spend and the limit.
   */
  constructor(details: BudgetExceededDetails) {
    super(
      `Budget has been exceeded! ${ENTITY_LABEL[details.entity]}=${details.id} ` +
        `Current cost: ${formatMoney(details.spend)}, Max budget: ${
          formatMoney(details.maxBudget)
        } (${details.currency})`,
      { code: "400" },
    );
    this.details = details;
  }
}

/** What a rate-limit rejection reports. */
export interface RateLimitDetails {
  /** Which scope: the key, its team or its user. */
  entity: BudgetEntity;
  /** The key hash, team id or user id. */
  id: string;
  /** What the limit is on, in LiteLLM's words, when not the entity's own (`model_per_key`). */
  descriptor?: string | undefined;
  /** `requests` (rpm), `tokens` (tpm) or `max_parallel_requests`. */
  limitType: "requests" | "tokens" | "max_parallel_requests";
  /** The limit. */
  limit: number;
  /** Seconds until it may pass again. */
  retryAfter: number;
  /** `x-ratelimit-*` headers. */
  headers: Record<string, string>;
}

const DESCRIPTOR: Readonly<Record<BudgetEntity, string>> = {
  key: "api_key",
  team: "team",
  user: "user",
};

/**
 * A 429 for an exhausted rpm / tpm / parallel limit, with `retry-after` and
 * the `x-ratelimit-*` headers, worded as LiteLLM's v3 limiter.
 *
 * @example
 * ```ts
 * import { rateLimitExceeded } from "./errors.ts";
 * const err = rateLimitExceeded({
 *   entity: "key", id: "abc", limitType: "requests", limit: 10, retryAfter: 42,
 *   headers: { "x-ratelimit-remaining-requests": "0" },
 * });
 * console.assert(err.status === 429 && err.retryAfter === 42);
 * ```
 */
export function rateLimitExceeded(details: RateLimitDetails): RateLimitError {
  return new RateLimitError(
    `Rate limit exceeded for ${details.descriptor ?? DESCRIPTOR[details.entity]}: ${details.id}. ` +
      `Limit type: ${details.limitType}. Current limit: ${details.limit}, Remaining: 0. ` +
      `Limit resets in ${details.retryAfter}s`,
    {
      code: "429",
      retryAfter: details.retryAfter,
      headers: { ...details.headers, "retry-after": String(details.retryAfter) },
    },
  );
}
