/**
 * The gateway config: LiteLLM's proxy `config.yaml` (`model_list`,
 * `router_settings`, `litellm_settings`, `general_settings`,
 * `environment_variables`, `credential_list`), validated, with every
 * `os.environ/NAME` resolved. Field names are LiteLLM's.
 *
 * @module
 */

import type {
  DeploymentConfig,
  FallbackList,
  ModelGroupAlias,
  RouterConfig,
  RoutingStrategyName,
} from "../fallback/config.ts";
import type { AllowedFailsPolicy, RetryPolicy } from "../fallback/policy.ts";

/** Reads one environment variable; `undefined` when unset. */
export type EnvReader = (name: string) => string | undefined;

/** An environment: a reader, or a plain map of variables (handy in tests). */
export type EnvSource = EnvReader | Readonly<Record<string, string | undefined>>;

/**
 * `router_settings`: LiteLLM's `Router(...)` arguments. The ones llmux's
 * Router implements are typed; any other key LiteLLM documents is kept as
 * given (and reported in `warnings`).
 */
export interface RouterSettings {
  /** How a deployment is picked within a group (default `"simple-shuffle"`). */
  routing_strategy?: RoutingStrategyName;
  /** Strategy settings, e.g. `lowest_latency_buffer` for `latency-based-routing`. */
  routing_strategy_args?: { lowest_latency_buffer?: number; [key: string]: unknown };
  /** Generic fallbacks: `[{ "group": ["next", …] }]`. */
  fallbacks?: FallbackList;
  /** Fallbacks for context-window errors. */
  context_window_fallbacks?: FallbackList;
  /** Fallbacks for content-policy refusals. */
  content_policy_fallbacks?: FallbackList;
  /** Fallbacks for every group without its own `fallbacks` entry. */
  default_fallbacks?: readonly string[];
  /** Most fallback groups one request may try (default 5). */
  max_fallbacks?: number;
  /** Retries within a group (default 2). */
  num_retries?: number;
  /** Minimum seconds before a retry that re-uses a deployment. */
  retry_after?: number;
  /** Retries per error class. */
  retry_policy?: RetryPolicy;
  /** Retries per error class, per model group. */
  model_group_retry_policy?: Readonly<Record<string, RetryPolicy>>;
  /** Failures a minute before a deployment cools down (default 3). */
  allowed_fails?: number;
  /** Failures a minute per error class. */
  allowed_fails_policy?: AllowedFailsPolicy;
  /** Seconds a deployment stays out of rotation (default 5). */
  cooldown_time?: number;
  /** Never cool deployments down. */
  disable_cooldowns?: boolean;
  /** Seconds each upstream call may take. */
  timeout?: number;
  /** Seconds a streaming call may take to its first content. */
  stream_timeout?: number;
  /** Other names for groups: `{ "gpt-4": "gpt-4o-group" }`. */
  model_group_alias?: Readonly<Record<string, ModelGroupAlias>>;
  /** `completion()` defaults for every deployment (a deployment's own `litellm_params` win). */
  default_litellm_params?: Readonly<Record<string, unknown>>;
  /** LiteLLM's switch for context-window pre-checks (llmux always checks `model_info.max_input_tokens`). */
  enable_pre_call_checks?: boolean;
  /** Any other LiteLLM router setting, kept as given. */
  [key: string]: unknown;
}

/**
 * `litellm_settings`: LiteLLM module settings. The reliability keys feed the
 * Router (a `router_settings` value wins over the same key here); the rest
 * is read by the gateway.
 */
export interface LitellmSettings {
  /** Drop parameters a provider does not support instead of failing (every deployment). */
  drop_params?: boolean;
  /** Retries within a group (`router_settings.num_retries` wins). */
  num_retries?: number;
  /** Seconds each upstream call may take; becomes the Router's `timeout` (`router_settings.timeout` wins). */
  request_timeout?: number;
  /** Generic fallbacks (`router_settings.fallbacks` wins). */
  fallbacks?: FallbackList;
  /** Context-window fallbacks (`router_settings` wins). */
  context_window_fallbacks?: FallbackList;
  /** Content-policy fallbacks (`router_settings` wins). */
  content_policy_fallbacks?: FallbackList;
  /** Fallbacks for every group without its own entry (`router_settings` wins). */
  default_fallbacks?: readonly string[];
  /** llmux: fallbacks when a budget is exhausted, same shape as `fallbacks`. */
  budget_fallbacks?: FallbackList;
  /** Failures a minute before a deployment cools down (`router_settings` wins). */
  allowed_fails?: number;
  /** Most fallback groups one request may try (`router_settings` wins). */
  max_fallbacks?: number;
  /** Verbose (debug) logging. */
  set_verbose?: boolean;
  /** Logs as JSON lines. */
  json_logs?: boolean;
  /** Callbacks run on success and failure, e.g. `["prometheus"]`. */
  callbacks?: readonly string[];
  /** Callbacks run on success. */
  success_callback?: readonly string[];
  /** Callbacks run on failure. */
  failure_callback?: readonly string[];
  /** Never log prompts and completions (wins over `general_settings.log_prompts`). */
  turn_off_message_logging?: boolean;
  /** Any other LiteLLM setting, kept as given. */
  [key: string]: unknown;
}

/**
 * `general_settings`: proxy server settings. Booleans llmux defines have
 * their defaults filled in.
 */
export interface GeneralSettings {
  /** The key every client must present (`Authorization: Bearer …`); none means no auth. */
  master_key?: string;
  /** Database URL; absent means llmux's embedded store. */
  database_url?: string;
  /** Redis URL: shared rate-limit, parallel, spend and cooldown counters across processes. */
  redis_url?: string;
  /** Largest request body in MB (LiteLLM's name). */
  max_request_size_mb?: number;
  /** Let clients pass `api_key` / `api_base` / `base_url` … in request bodies (default false: they are ignored). */
  allow_client_side_credentials: boolean;
  /** llmux: keep prompts and completions in logs and the store (default false). */
  log_prompts: boolean;
  /** llmux: ISO 4217 currency spend is reported in (default `"USD"` when unset). */
  currency?: string;
  /** llmux: fixed exchange rates from USD, e.g. `{ EUR: 0.92 }`. */
  fx_rates?: Readonly<Record<string, number>>;
  /** llmux: URL of a JSON feed of exchange rates from USD. */
  fx_rate_url?: string;
  /** llmux: Slack-compatible webhook for budget alerts (else `SLACK_WEBHOOK_URL` with `alerting: ["slack"]`). */
  alert_webhook_url?: string;
  /** llmux: seconds between spend-ledger flushes, in (0, 1] (default 1). */
  spend_flush_interval?: number;
  /** Seconds key, team and user rows are cached for authentication (llmux default 5). */
  user_api_key_cache_ttl?: number;
  /** Any other LiteLLM setting, kept as given. */
  [key: string]: unknown;
}

/** One `credential_list` entry: values shared by deployments that name it. */
export interface CredentialConfig {
  /** The name deployments use in `litellm_params.litellm_credential_name`. */
  credential_name: string;
  /** Merged into the `litellm_params` of each deployment that names it (its own values win). */
  credential_values: Readonly<Record<string, unknown>>;
  /** Free-form description. */
  credential_info?: Readonly<Record<string, unknown>>;
}

/** The whole validated config, with `os.environ/NAME` references resolved. */
export interface GatewayConfig {
  /** Every deployment, as configured (including those reported unavailable). */
  model_list: DeploymentConfig[];
  /** Router settings. */
  router_settings: RouterSettings;
  /** LiteLLM module settings. */
  litellm_settings: LitellmSettings;
  /** Proxy server settings. */
  general_settings: GeneralSettings;
  /** `environment_variables`, every value a string. */
  environment_variables: Record<string, string>;
  /** Shared credentials. */
  credential_list: CredentialConfig[];
  /** Any other top-level key, kept as given. */
  [key: string]: unknown;
}

/** A deployment left out of the Router, and why. */
export interface UnavailableModel {
  /** The model group (`model_name`). */
  model_name: string;
  /** The `litellm_params.model` string. */
  model: string;
  /** Why, naming the missing variable when it is a key, e.g. `OPENAI_API_KEY is not set`. */
  reason: string;
}

/** What `parseConfig` and `loadConfig` return. */
export interface LoadedConfig {
  /** The validated, env-resolved config. */
  config: GatewayConfig;
  /** Ready for `new Router(router)`: available deployments, settings merged LiteLLM's way. */
  router: RouterConfig;
  /**
   * `environment_variables` as strings. They are visible to `os.environ/NAME`
   * and key lookup during loading; the process environment wins where both
   * set a name (LiteLLM's order). Use `withConfigEnv` to build the
   * same reader for runtime key lookup.
   */
  env: Record<string, string>;
  /** Unknown or unsupported keys and other non-fatal findings, one line each. */
  warnings: string[];
  /** Deployments left out of the Router (missing key, provider llmux lacks, wildcard). */
  unavailable: UnavailableModel[];
}

/** Options of `parseConfig`. */
export interface ParseConfigOptions {
  /** Where `os.environ/NAME` and provider keys are looked up. Never `Deno.env` implicitly. */
  env: EnvSource;
  /** File name for messages (`config.yaml:3:5: …`). */
  source?: string;
}

/** Options of `loadConfig`. */
export interface LoadConfigOptions {
  /** Where `os.environ/NAME` and provider keys are looked up. */
  env: EnvSource;
  /** Reads the file (default `Deno.readTextFile`). */
  readTextFile?: (path: string) => Promise<string>;
}
