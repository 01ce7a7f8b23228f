/**
 * The Router's configuration, in LiteLLM's field names (snake_case, as in a
 * LiteLLM `config.yaml` under `model_list` and `router_settings`).
 *
 * @module
 */

import type { AllowedFailsPolicy, RetryPolicy } from "./policy.ts";

/** The routing strategies (LiteLLM's names). */
export type RoutingStrategyName =
  | "simple-shuffle"
  | "least-busy"
  | "latency-based-routing"
  | "usage-based-routing"
  | "usage-based-routing-v2"
  | "cost-based-routing";

/**
 * A deployment's `litellm_params`: the `completion()` model string and any
 * provider option (`api_key`, `api_base`, `timeout`, `mock_response`, …),
 * plus the routing fields the Router reads and does not pass on.
 */
export interface LiteLLMParams {
  /** The `provider/model` string `completion()` gets, e.g. `"anthropic/claude-sonnet-4-5"`. */
  model: string;
  /** API key for this deployment. */
  api_key?: string;
  /** Base URL for this deployment. */
  api_base?: string;
  /** API version, for providers that version by parameter. */
  api_version?: string;
  /** Requests per minute this deployment allows (weights `simple-shuffle`, caps `usage-based-routing`). */
  rpm?: number;
  /** Tokens per minute this deployment allows. */
  tpm?: number;
  /** Relative share of traffic under `simple-shuffle`. */
  weight?: number;
  /** At most this many calls in flight at once; a full deployment is skipped. */
  max_parallel_requests?: number;
  /** Seconds each call may take (overrides the Router's `timeout`). */
  timeout?: number;
  /** Seconds a streaming call may take to its first content (overrides `stream_timeout`). */
  stream_timeout?: number;
  /** Seconds this deployment cools down (overrides the Router's `cooldown_time`). */
  cooldown_time?: number;
  /** Price per input token, for `cost-based-routing`. */
  input_cost_per_token?: number;
  /** Price per output token, for `cost-based-routing`. */
  output_cost_per_token?: number;
  /** Any other `completion()` option or request default. */
  [key: string]: unknown;
}

/** A deployment's `model_info`. */
export interface ModelInfo {
  /** Deployment id; a stable hash of the deployment when absent. */
  id?: string;
  /** Price per input token. */
  input_cost_per_token?: number;
  /** Price per output token. */
  output_cost_per_token?: number;
  /** Context window for the prompt; longer prompts skip this deployment. */
  max_input_tokens?: number;
  /** Anything else (kept, not read). */
  [key: string]: unknown;
}

/** One entry of `model_list`. */
export interface DeploymentConfig {
  /** The model group this deployment serves (what callers pass as `model`). */
  model_name: string;
  /** What to call. */
  litellm_params: LiteLLMParams;
  /** Metadata: id, prices, context window. */
  model_info?: ModelInfo;
  /** Requests per minute (LiteLLM also accepts it here). */
  rpm?: number;
  /** Tokens per minute (LiteLLM also accepts it here). */
  tpm?: number;
}

/**
 * Fallback chains: a list of one-key objects, `[{ "gpt-group": ["claude-group",
 * "local"] }]`. The key `"*"` applies to every group without its own entry.
 */
export type FallbackList = readonly Readonly<Record<string, readonly string[]>>[];

/** A `model_group_alias` value: a group name, or `{ model, hidden }`. */
export type ModelGroupAlias = string | { model: string; hidden?: boolean };

/**
 * `new Router(config)`: LiteLLM's `Router(...)` arguments.
 *
 * Defaults follow LiteLLM: `routing_strategy` `"simple-shuffle"`,
 * `num_retries` 2, `allowed_fails` 3 a minute, `cooldown_time` 5 s,
 * `max_fallbacks` 5, `retry_after` 0.
 */
export interface RouterConfig {
  /** The deployments; several may share a `model_name`. */
  model_list: readonly DeploymentConfig[];
  /** How a deployment is picked within a group (default `"simple-shuffle"`). */
  routing_strategy?: RoutingStrategyName;
  /** Strategy settings: `lowest_latency_buffer` (latency-based: pick among those within this fraction of the fastest). */
  routing_strategy_args?: { lowest_latency_buffer?: number };
  /** Generic fallbacks, after a group's retries are spent. */
  fallbacks?: FallbackList;
  /** Fallbacks for context-window errors (also used when the prompt is known to be too long). */
  context_window_fallbacks?: FallbackList;
  /** Fallbacks for content-policy refusals. */
  content_policy_fallbacks?: FallbackList;
  /** Generic fallbacks for every group without its own `fallbacks` entry. */
  default_fallbacks?: readonly string[];
  /** Most fallback groups one request may try (default 5). */
  max_fallbacks?: number;
  /** Retries within a group for retryable errors (default 2). */
  num_retries?: number;
  /** Minimum seconds to wait before a retry that re-uses a deployment (default 0). */
  retry_after?: number;
  /** Retries per error class. */
  retry_policy?: RetryPolicy;
  /** Retries per error class, per model group (wins over `retry_policy`). */
  model_group_retry_policy?: Readonly<Record<string, RetryPolicy>>;
  /** Failures a minute before a deployment cools down (default 3; cooldown on the next one). */
  allowed_fails?: number;
  /** Failures a minute per error class. */
  allowed_fails_policy?: AllowedFailsPolicy;
  /** Seconds a deployment stays out of rotation (default 5). */
  cooldown_time?: number;
  /** Never cool deployments down. */
  disable_cooldowns?: boolean;
  /** Seconds each upstream call may take (per attempt). */
  timeout?: number;
  /** Seconds a streaming call may take to its first content (per attempt; default `timeout`). */
  stream_timeout?: number;
  /** Other names for groups: `{ "gpt-4": "gpt-4o-group" }`. */
  model_group_alias?: Readonly<Record<string, ModelGroupAlias>>;
}
