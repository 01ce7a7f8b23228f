/**
 * Which OpenAI request fields each provider honours, and the generic check
 * that rejects (or, with `drop_params`, drops) the rest.
 *
 * @module
 */

import { UnsupportedParamsError } from "../errors.ts";
import type { ChatCompletionRequest } from "../types.ts";

/** Every OpenAI Chat Completions field llmux knows about (besides model and messages). */
export const OPENAI_PARAMS: readonly string[] = [
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "seed",
  "n",
  "user",
  "stream",
  "stream_options",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "reasoning_effort",
  "presence_penalty",
  "frequency_penalty",
  "logit_bias",
  "logprobs",
  "top_logprobs",
  "metadata",
  "store",
  "service_tier",
  "modalities",
  "audio",
  "prediction",
  "web_search_options",
  "safety_identifier",
  "prompt_cache_key",
  "verbosity",
  "functions",
  "function_call",
];

const KNOWN: ReadonlySet<string> = new Set(OPENAI_PARAMS);

/** Build a supported-parameter set from a list. */
export function paramSet(params: readonly string[]): ReadonlySet<string> {
  return new Set(params);
}

/** Result of {@linkcode checkParams}. */
export interface CheckedParams {
  /** The request, with dropped params removed. */
  request: ChatCompletionRequest;
  /** Names of params that were dropped. */
  dropped: string[];
}

/**
 * Reject OpenAI params the provider cannot honour, or drop them when
 * `dropParams` is true. Unknown (non-OpenAI) keys are left for the adapter,
 * which passes them on to OpenAI-compatible hosts and ignores them elsewhere.
 * `null` values (and `n: 1`, the default) count as absent.
 */
export function checkParams(
  request: ChatCompletionRequest,
  supported: ReadonlySet<string>,
  options: { provider: string; dropParams: boolean },
): CheckedParams {
  const dropped: string[] = [];
  let out: ChatCompletionRequest | undefined;
  for (const key in request) {
    if (!KNOWN.has(key) || supported.has(key)) continue;
    const value = request[key];
    if (value === undefined || value === null) continue;
    if (key === "n" && value === 1) continue; // the default, sent by some clients
    if (!options.dropParams) {
      throw new UnsupportedParamsError(
        `Provider "${options.provider}" does not support parameter '${key}'. ` +
          `Set drop_params: true to drop it.`,
        { provider: options.provider, model: request.model, param: key },
      );
    }
    out ??= { ...request };
    delete out[key];
    dropped.push(key);
  }
  return { request: out ?? request, dropped };
}
