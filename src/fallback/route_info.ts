/**
 * How a Router result was produced (deployment, group, attempts,
 * fallbacks), kept under a symbol on the result so `JSON.stringify` of a
 * completion is unchanged. The proxy turns it into `x-llmux-model-id`,
 * `x-llmux-model-group`, `x-llmux-attempts` and `x-llmux-fallbacks`.
 *
 * @module
 */

/** One upstream call the Router made for a request. */
export interface AttemptRecord {
  /** Deployment id. */
  readonly deploymentId: string;
  /** Its model group. */
  readonly modelGroup: string;
  /** Its provider. */
  readonly provider: string;
  /** `"success"` or `"failure"`. */
  readonly outcome: "success" | "failure";
  /** Status of the error, on failure. */
  readonly status?: number;
  /** Class name of the error, on failure (e.g. `"RateLimitError"`). */
  readonly error?: string;
  /** Milliseconds the attempt took (to the first content, for streams). */
  readonly latencyMs: number;
}

/** How a Router result was produced. */
export interface RouteInfo {
  /** The deployment that answered. */
  readonly modelId: string;
  /** The model group that answered (after aliases, redirects and fallbacks). */
  readonly modelGroup: string;
  /** The `model` the caller asked for. */
  readonly requestedModel: string;
  /** The `completion()` model string of the deployment, e.g. `"ollama/llama3.2"`. */
  readonly model: string;
  /** The provider of the deployment. */
  readonly provider: string;
  /** Upstream calls made, failures included. */
  readonly attempts: number;
  /** Fallback groups entered, in order (its length is the number of fallbacks taken). */
  readonly fallbacks: readonly string[];
  /** Milliseconds of the answering call (to the first content, for streams). */
  readonly latencyMs: number;
  /** Time to first content in ms, for streams. */
  readonly ttftMs?: number;
  /** Every attempt, in order. */
  readonly attemptLog: readonly AttemptRecord[];
}

/** The symbol a Router result carries its {@linkcode RouteInfo} under. */
export const ROUTE_INFO: unique symbol = Symbol.for("llmux.routeInfo");

/**
 * Attach route info to a result (non-enumerable, under {@linkcode ROUTE_INFO}).
 * Returns the same object.
 */
export function attachRouteInfo<T extends object>(result: T, info: RouteInfo): T {
  Object.defineProperty(result, ROUTE_INFO, {
    value: Object.freeze(info),
    enumerable: false,
    configurable: true,
    writable: false,
  });
  return result;
}

/**
 * How a Router result (a `ChatCompletion`, an embeddings list or a
 * `CompletionStream`) was produced, or `undefined` for anything else.
 *
 * @example
 * ```ts
 * import { attachRouteInfo, routeInfo } from "./route_info.ts";
 * const result = attachRouteInfo({ id: "chatcmpl-1" }, {
 *   modelId: "a", modelGroup: "gpt", requestedModel: "gpt", model: "openai/gpt-4o",
 *   provider: "openai", attempts: 1, fallbacks: [], latencyMs: 12, attemptLog: [],
 * });
 * console.assert(routeInfo(result)?.modelId === "a");
 * console.assert(JSON.stringify(result) === '{"id":"chatcmpl-1"}');
 * ```
 */
export function routeInfo(result: unknown): RouteInfo | undefined {
  if (typeof result !== "object" || result === null) return undefined;
  return (result as { [ROUTE_INFO]?: RouteInfo })[ROUTE_INFO];
}
