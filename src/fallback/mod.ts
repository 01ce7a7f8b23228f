/**
 * The Router: LiteLLM-style load balancing, retries, cooldowns and fallback
 * chains over `completion()` and `embedding()`.
 *
 * @example Load-balance one group over two deployments, fall back to a third
 * ```ts
 * import { Router, routeInfo } from "./mod.ts";
 * const router = new Router({
 *   model_list: [
 *     { model_name: "gpt", litellm_params: { model: "openai/gpt-4o", mock_response: "A", weight: 3 } },
 *     { model_name: "gpt", litellm_params: { model: "openai/gpt-4o-mini", mock_response: "B", weight: 1 } },
 *     { model_name: "local", litellm_params: { model: "ollama/llama3.2", mock_response: "C" } },
 *   ],
 *   routing_strategy: "simple-shuffle",
 *   fallbacks: [{ gpt: ["local"] }],
 * }, { random: () => 0.1 });
 * const res = await router.completion({ model: "gpt", messages: [{ role: "user", content: "hi" }] });
 * console.assert(res.choices[0].message.content === "A");
 * console.assert(routeInfo(res)?.modelGroup === "gpt" && routeInfo(res)?.attempts === 1);
 * ```
 *
 * @module
 */

export {
  Router,
  type RouterCompletionParams,
  type RouterEmbeddingParams,
  type RouterOptions,
} from "./router.ts";
export type {
  DeploymentConfig,
  FallbackList,
  LiteLLMParams,
  ModelGroupAlias,
  ModelInfo,
  RouterConfig,
  RoutingStrategyName,
} from "./config.ts";
export { type Deployment, deploymentId } from "./deployment.ts";
export type { DeploymentHealth, HealthCheckOptions } from "./health.ts";
export { type AttemptRecord, ROUTE_INFO, type RouteInfo, routeInfo } from "./route_info.ts";
export {
  type AllowedFailsPolicy,
  classifyError,
  type CooldownRule,
  type ErrorClassification,
  type ErrorKind,
  type FallbackRoute,
  type RetryPolicy,
} from "./policy.ts";
export {
  type Awaitable,
  type Cooldown,
  type CooldownListEntryWithGroup,
  type CooldownStore,
  DEFAULT_ALLOWED_FAILS,
  DEFAULT_COOLDOWN_TIME_SECONDS,
  MemoryCooldownStore,
} from "./cooldown.ts";
export {
  type CooldownListEntry,
  RouterRateLimitError,
  type RouterRateLimitErrorOptions,
} from "./errors.ts";
export type { PreCallCheck, PreCallContext, RouterCallback, RouterCallEvent } from "./hooks.ts";
export type { Candidate, PickContext, RoutingStrategy } from "./strategies/types.ts";
export { DeploymentStats, MovingAverage } from "./stats.ts";
