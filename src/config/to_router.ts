/**
 * From a validated config to the Router's arguments, merged the way LiteLLM's
 * proxy builds its `Router`: `router_settings` keys are Router arguments; the
 * reliability keys of `litellm_settings` are module defaults the Router falls
 * back to when its own argument is unset (`Router.__init__`: `num_retries`,
 * `allowed_fails`, `max_fallbacks` when `None`; `timeout or
 * litellm.request_timeout`; `fallbacks or litellm.fallbacks`, and the same for
 * the other fallback lists). So `router_settings` wins on conflict.
 *
 * @module
 */

import type {
  DeploymentConfig,
  FallbackList,
  ModelGroupAlias,
  RouterConfig,
} from "../fallback/config.ts";
import type { GatewayConfig } from "./types.ts";

/** `litellm_params` keys that configure LiteLLM itself and are never sent to a provider. */
export const CONFIG_ONLY_PARAMS: ReadonlySet<string> = new Set([
  "litellm_credential_name",
  "use_in_pass_through",
  "use_litellm_proxy",
  "merge_reasoning_content_in_choices",
  "configurable_clientside_auth_params",
]);

/** Options of {@linkcode toRouterConfig}. */
export interface ToRouterConfigOptions {
  /** The deployments to route to (default: all of `config.model_list`). */
  modelList?: readonly DeploymentConfig[];
}

function isSet<T>(value: T | undefined | null): value is T {
  return value !== undefined && value !== null;
}

/** LiteLLM's `a or b`: an unset, zero, empty string or empty list falls through. */
function orElse<T>(a: T | undefined, b: T | undefined): T | undefined {
  const falsy = a === undefined || a === null || a === 0 || a === "" ||
    (Array.isArray(a) && a.length === 0);
  return falsy ? b : a;
}

function deployment(
  entry: DeploymentConfig,
  defaults: Readonly<Record<string, unknown>>,
  dropParams: boolean,
): DeploymentConfig {
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(defaults)) {
    if (key !== "model" && !CONFIG_ONLY_PARAMS.has(key)) params[key] = value;
  }
  if (dropParams) params.drop_params = true;
  for (const [key, value] of Object.entries(entry.litellm_params)) {
    if (!CONFIG_ONLY_PARAMS.has(key) && value !== undefined) params[key] = value;
  }
  const out: DeploymentConfig = {
    model_name: entry.model_name,
    litellm_params: { model: entry.litellm_params.model, ...params },
  };
  if (entry.model_info !== undefined) out.model_info = { ...entry.model_info };
  if (entry.rpm !== undefined) out.rpm = entry.rpm;
  if (entry.tpm !== undefined) out.tpm = entry.tpm;
  return out;
}

function keepFallbacks(
  list: FallbackList | undefined,
  known: ReadonlySet<string>,
): FallbackList | undefined {
  if (list === undefined) return undefined;
  const out: Record<string, readonly string[]>[] = [];
  for (const item of list) {
    const kept: Record<string, readonly string[]> = {};
    for (const [group, targets] of Object.entries(item)) {
      if (group !== "*" && !known.has(group)) continue;
      const reachable = targets.filter((t) => known.has(t));
      if (reachable.length > 0) kept[group] = reachable;
    }
    if (Object.keys(kept).length > 0) out.push(kept);
  }
  return out;
}

/**
 * The Router's arguments for a config: the deployments (with
 * `litellm_settings.drop_params` and `router_settings.default_litellm_params`
 * applied, config-only keys removed) and the settings merged as LiteLLM does.
 * Fallbacks and aliases naming a group that has no deployment here (all of
 * its deployments unavailable) are left out, so `new Router(...)` accepts the
 * result.
 *
 * @example
 * ```ts
 * import { toRouterConfig } from "./to_router.ts";
 * const router = toRouterConfig({
 *   model_list: [{ model_name: "demo", litellm_params: { model: "openai/demo", mock_response: "hi" } }],
 *   router_settings: { num_retries: 1 },
 *   litellm_settings: { num_retries: 5, request_timeout: 30, drop_params: true },
 *   general_settings: { allow_client_side_credentials: false, log_prompts: false },
 *   environment_variables: {},
 *   credential_list: [],
 * });
 * console.assert(router.num_retries === 1 && router.timeout === 30);
 * console.assert(router.model_list[0].litellm_params.drop_params === true);
 * ```
 */
export function toRouterConfig(
  config: GatewayConfig,
  options: ToRouterConfigOptions = {},
): RouterConfig {
  const rs = config.router_settings;
  const ls = config.litellm_settings;
  const entries = options.modelList ?? config.model_list;
  const defaults = rs.default_litellm_params ?? {};
  const model_list = entries.map((e) => deployment(e, defaults, ls.drop_params === true));

  const groups = new Set(model_list.map((d) => d.model_name));
  const aliases: Record<string, ModelGroupAlias> = {};
  for (const [alias, target] of Object.entries(rs.model_group_alias ?? {})) {
    const group = typeof target === "string" ? target : target.model;
    if (groups.has(group)) aliases[alias] = target;
  }
  const known = new Set([...groups, ...Object.keys(aliases)]);

  const out: RouterConfig & Record<string, unknown> = { model_list };
  const set = (key: string, value: unknown): void => {
    if (isSet(value)) out[key] = value;
  };
  set("routing_strategy", rs.routing_strategy);
  set("routing_strategy_args", rs.routing_strategy_args);
  set("fallbacks", keepFallbacks(orElse(rs.fallbacks, ls.fallbacks), known));
  set(
    "context_window_fallbacks",
    keepFallbacks(orElse(rs.context_window_fallbacks, ls.context_window_fallbacks), known),
  );
  set(
    "content_policy_fallbacks",
    keepFallbacks(orElse(rs.content_policy_fallbacks, ls.content_policy_fallbacks), known),
  );
  const defaultFallbacks = orElse(rs.default_fallbacks, ls.default_fallbacks);
  set("default_fallbacks", defaultFallbacks?.filter((g) => known.has(g)));
  set("max_fallbacks", rs.max_fallbacks ?? ls.max_fallbacks);
  set("num_retries", rs.num_retries ?? ls.num_retries);
  set("retry_after", rs.retry_after);
  set("retry_policy", rs.retry_policy);
  set("model_group_retry_policy", rs.model_group_retry_policy);
  set("allowed_fails", rs.allowed_fails ?? ls.allowed_fails);
  set("allowed_fails_policy", rs.allowed_fails_policy);
  set("cooldown_time", rs.cooldown_time);
  set("disable_cooldowns", rs.disable_cooldowns);
  set("timeout", orElse(rs.timeout, ls.request_timeout));
  set("stream_timeout", rs.stream_timeout);
  if (Object.keys(aliases).length > 0) out.model_group_alias = aliases;
  return out;
}
