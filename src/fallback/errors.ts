/**
 * Errors the Router raises itself (as opposed to re-raising a provider's).
 *
 * @module
 */

import { type LLMuxErrorOptions, RateLimitError } from "../errors.ts";

/** A deployment that was out of rotation when the Router looked. */
export interface CooldownListEntry {
  /** Deployment id. */
  readonly id: string;
  /** When it returns to rotation (ms since the epoch). */
  readonly until: number;
  /** Status of the error that cooled it down. */
  readonly status: number;
}

/** Details of a {@linkcode RouterRateLimitError}. */
export interface RouterRateLimitErrorOptions extends LLMuxErrorOptions {
  /** The model group no deployment was available in. */
  modelGroup: string;
  /** The deployments cooling down. */
  cooldownList?: readonly CooldownListEntry[];
}

/**
 * 429: no deployment of the group can take the request now (all cooling
 * down, at `max_parallel_requests`, or at their rpm/tpm limit), and no
 * fallback could. Its `retryAfter` says when the earliest one returns, like
 * LiteLLM's `RouterRateLimitError` ("No deployments available for selected
 * model, Try again in N seconds").
 *
 * @example
 * ```ts
 * import { RouterRateLimitError } from "./errors.ts";
 * const err = new RouterRateLimitError("No deployments available", {
 *   modelGroup: "gpt", retryAfter: 4,
 * });
 * console.assert(err.status === 429 && err.modelGroup === "gpt" && err.retryAfter === 4);
 * ```
 */
export class RouterRateLimitError extends RateLimitError {
  /** The model group no deployment was available in. */
  readonly modelGroup: string;
  /** The deployments cooling down when the Router looked. */
  readonly cooldownList: readonly CooldownListEntry[];

  /**
   * Create the error.
   *
   * @param message Message for humans.
   * @param options The group, the cooldowns and the usual error details.
   */
  constructor(message: string, options: RouterRateLimitErrorOptions) {
    super(message, { code: "no_deployments_available", ...options });
    this.modelGroup = options.modelGroup;
    this.cooldownList = options.cooldownList ?? [];
  }
}
