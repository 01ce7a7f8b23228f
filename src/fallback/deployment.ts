/**
 * Deployments: one `model_list` entry, normalised once when the Router is
 * built (id, provider, limits, prices, context window, the parameters to
 * merge into each call).
 *
 * @module
 */

import { resolveModel } from "../providers/registry.ts";
import type { DeploymentConfig, LiteLLMParams, ModelInfo } from "./config.ts";
import { hashString, stableStringify } from "./_hash.ts";

/** A normalised deployment. */
export interface Deployment {
  /** `model_info.id`, or a stable hash of the deployment. */
  readonly id: string;
  /** The model group (`model_name`). */
  readonly modelGroup: string;
  /** The `completion()` model string, e.g. `"openai/gpt-4o"`. */
  readonly model: string;
  /** The provider id the model string resolves to. */
  readonly provider: string;
  /** Requests per minute allowed, if set. */
  readonly rpm: number | undefined;
  /** Tokens per minute allowed, if set. */
  readonly tpm: number | undefined;
  /** `simple-shuffle` weight, if set. */
  readonly weight: number | undefined;
  /** Most calls in flight at once, if set. */
  readonly maxParallelRequests: number | undefined;
  /** Prompt token limit (`model_info.max_input_tokens`), if set. */
  readonly maxInputTokens: number | undefined;
  /** Price of one input plus one output token; `Infinity` when unknown. */
  readonly costPerToken: number;
  /** Per-call timeout in seconds, if set. */
  readonly timeout: number | undefined;
  /** Per-call timeout for streams in seconds, if set. */
  readonly streamTimeout: number | undefined;
  /** Cooldown in seconds, if set. */
  readonly cooldownTime: number | undefined;
  /** The `litellm_params` passed to `completion()` (routing-only fields removed). */
  readonly params: Readonly<Record<string, unknown>>;
  /** `model_info` as given. */
  readonly modelInfo: Readonly<ModelInfo>;
}

/** `litellm_params` fields the Router reads and does not pass to `completion()`. */
export const ROUTER_ONLY_PARAMS: ReadonlySet<string> = new Set([
  "rpm",
  "tpm",
  "weight",
  "max_parallel_requests",
  "timeout",
  "stream_timeout",
  "cooldown_time",
  "input_cost_per_token",
  "output_cost_per_token",
  "order",
  "region_name",
  "base_model",
  "max_retries",
  "num_retries",
  "tags",
  "model_info",
]);

function num(value: unknown, where: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`Invalid deployment: ${where} must be a non-negative number`);
  }
  return value;
}

/**
 * The id LiteLLM would give a deployment without `model_info.id`: a stable
 * hash of its group name and `litellm_params` (functions such as `fetch`
 * are left out).
 *
 * @example
 * ```ts
 * import { deploymentId } from "./deployment.ts";
 * const a = deploymentId({ model_name: "g", litellm_params: { model: "openai/gpt-4o", rpm: 1 } });
 * const b = deploymentId({ model_name: "g", litellm_params: { rpm: 1, model: "openai/gpt-4o" } });
 * console.assert(a === b);
 * ```
 */
export function deploymentId(config: DeploymentConfig): string {
  const explicit = config.model_info?.id;
  if (explicit !== undefined && explicit !== null && String(explicit) !== "") {
    return String(explicit);
  }
  return hashString(stableStringify({
    model_name: config.model_name,
    litellm_params: config.litellm_params,
  }));
}

/**
 * Validate and normalise one `model_list` entry. Bad entries are a
 * `TypeError` naming the field.
 *
 * @example
 * ```ts
 * import { createDeployment } from "./deployment.ts";
 * const d = createDeployment({
 *   model_name: "gpt",
 *   litellm_params: { model: "openai/gpt-4o-mini", api_key: "sk-x", rpm: 60 },
 *   model_info: { id: "gpt-a", input_cost_per_token: 1e-7, output_cost_per_token: 4e-7 },
 * });
 * console.assert(d.id === "gpt-a" && d.provider === "openai" && d.rpm === 60);
 * console.assert(!("rpm" in d.params) && d.params.api_key === "sk-x");
 * ```
 */
export function createDeployment(config: DeploymentConfig): Deployment {
  if (typeof config !== "object" || config === null) {
    throw new TypeError("Invalid deployment: each model_list entry must be an object");
  }
  const group = config.model_name;
  if (typeof group !== "string" || group === "") {
    throw new TypeError("Invalid deployment: 'model_name' must be a non-empty string");
  }
  const lp: LiteLLMParams | undefined = config.litellm_params;
  if (typeof lp !== "object" || lp === null || typeof lp.model !== "string" || lp.model === "") {
    throw new TypeError(
      `Invalid deployment of "${group}": 'litellm_params.model' must be a non-empty string`,
    );
  }
  const info: ModelInfo = config.model_info ?? {};
  const where = (field: string) => `"${group}" ${field}`;
  let provider: string;
  try {
    const custom = typeof lp.custom_llm_provider === "string" ? lp.custom_llm_provider : undefined;
    provider = resolveModel(lp.model, custom).provider;
  } catch (error) {
    throw new TypeError(
      `Invalid deployment of "${group}": ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  const params: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(lp)) {
    if (!ROUTER_ONLY_PARAMS.has(key) && value !== undefined) params[key] = value;
  }
  const inCost = num(
    lp.input_cost_per_token ?? info.input_cost_per_token,
    where("input_cost_per_token"),
  );
  const outCost = num(
    lp.output_cost_per_token ?? info.output_cost_per_token,
    where("output_cost_per_token"),
  );
  const maxParallel = num(lp.max_parallel_requests, where("max_parallel_requests"));
  return {
    id: deploymentId(config),
    modelGroup: group,
    model: lp.model,
    provider,
    rpm: num(lp.rpm ?? config.rpm, where("rpm")),
    tpm: num(lp.tpm ?? config.tpm, where("tpm")),
    weight: num(lp.weight, where("weight")),
    maxParallelRequests: maxParallel,
    maxInputTokens: num(info.max_input_tokens, where("model_info.max_input_tokens")),
    costPerToken: inCost === undefined && outCost === undefined
      ? Number.POSITIVE_INFINITY
      : (inCost ?? 0) + (outCost ?? 0),
    timeout: num(lp.timeout, where("timeout")),
    streamTimeout: num(lp.stream_timeout, where("stream_timeout")),
    cooldownTime: num(lp.cooldown_time, where("cooldown_time")),
    params,
    modelInfo: info,
  };
}
