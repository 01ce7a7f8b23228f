/**
 * Cohere adapter (`cohere/<model>`, also `cohere_chat/<model>`): the v2 Chat
 * API (`POST {api_base}/v2/chat`) and Embed API (`POST {api_base}/v2/embed`).
 *
 * - `api_base` (env `COHERE_API_BASE`) is the host root, default
 *   `https://api.cohere.com`; a base already ending in `/v2` is used as is.
 * - Auth: `Authorization: Bearer <key>` from `api_key`, `COHERE_API_KEY` or
 *   `CO_API_KEY` (the SDK's name).
 * - Tools keep OpenAI's shape both ways (tool results are `tool` messages
 *   with `tool_call_id`); `tool_choice` `required`/`none` → `REQUIRED`/`NONE`,
 *   a named tool → `REQUIRED` with only that tool. The model's `tool_plan`
 *   and thinking come back as `reasoning_content`.
 * - Not supported (rejected, or dropped with `drop_params`): `n`, `user`,
 *   `parallel_tool_calls`, `logit_bias`, `logprobs`, `top_logprobs` and the
 *   OpenAI-only fields. Documents/RAG and citations are not mapped.
 * - Finish reasons: `COMPLETE`/`STOP_SEQUENCE` → `stop`, `MAX_TOKENS` →
 *   `length`, `TOOL_CALL` → `tool_calls`, `ERROR`/`TIMEOUT` → typed errors.
 * - Embeddings: `input_type` defaults to `search_document` (see
 *   `embedding.ts`).
 *
 * @example Against a stub fetch
 * ```ts
 * import { completion } from "../../../mod.ts";
 * const fakeFetch: typeof fetch = () =>
 *   Promise.resolve(Response.json({
 *     id: "c14c80c3-18eb-4519-9460-6c92edd8cfb4", finish_reason: "COMPLETE",
 *     message: { role: "assistant", content: [{ type: "text", text: "Hello!" }] },
 *     usage: { billed_units: { input_tokens: 5, output_tokens: 2 }, tokens: { input_tokens: 70, output_tokens: 2 } },
 *   }));
 * const res = await completion({
 *   model: "cohere/command-a-03-2025",
 *   messages: [{ role: "user", content: "Hi" }],
 *   api_key: "co-test-key",
 *   fetch: fakeFetch,
 * });
 * console.assert(res.choices[0].message.content === "Hello!");
 * ```
 *
 * @module
 */

import type { ProviderAdapter, RequestContext, UpstreamRequest } from "../types.ts";
import { paramSet } from "../_params.ts";
import { toCohereRequest } from "./convert_request.ts";
import { fromCohereResponse } from "./convert_response.ts";
import { createCohereStreamTransform, createCohereStreamTransformer } from "./stream_transform.ts";
import { mapCohereError } from "./map_error.ts";
import { fromCohereEmbedResponse, toCohereEmbedRequest } from "./embedding.ts";

export {
  COHERE_THINKING_BUDGETS,
  type CohereErrorScope,
  toCohereMessages,
  toCohereRequest,
  toCohereResponseFormat,
  toCohereToolChoice,
} from "./convert_request.ts";
export { fromCohereResponse, fromCohereUsage } from "./convert_response.ts";
export { createCohereStreamTransform, createCohereStreamTransformer } from "./stream_transform.ts";
export {
  cohereFinishError,
  isCohereErrorFinishReason,
  mapCohereFinishReason,
} from "./map_finish_reason.ts";
export { mapCohereError } from "./map_error.ts";
export {
  COHERE_DEFAULT_INPUT_TYPE,
  fromCohereEmbedResponse,
  toCohereEmbedRequest,
} from "./embedding.ts";
export type * from "./api_types.ts";

/** The OpenAI request fields the Cohere adapter honours. */
export const COHERE_SUPPORTED_PARAMS: ReadonlySet<string> = paramSet([
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "seed",
  "stream",
  "stream_options",
  "tools",
  "tool_choice",
  "response_format",
  "reasoning_effort",
  "presence_penalty",
  "frequency_penalty",
]);

const V2_SUFFIX_REGEXP = /\/v2$/;

/**
 * The URL of a v2 endpoint (`chat`, `embed`) for an `api_base` root.
 *
 * @example
 * ```ts
 * import { cohereUrl } from "./mod.ts";
 * console.assert(cohereUrl("https://api.cohere.com", "chat") === "https://api.cohere.com/v2/chat");
 * console.assert(cohereUrl("http://proxy/v2", "embed") === "http://proxy/v2/embed");
 * ```
 */
export function cohereUrl(apiBase: string, endpoint: "chat" | "embed"): string {
  return V2_SUFFIX_REGEXP.test(apiBase) ? `${apiBase}/${endpoint}` : `${apiBase}/v2/${endpoint}`;
}

function headers(ctx: RequestContext): Record<string, string> {
  const h: Record<string, string> = {
    "content-type": "application/json",
    accept: "application/json",
  };
  if (ctx.stream) h.accept = "text/event-stream";
  if (ctx.apiKey) h.authorization = `Bearer ${ctx.apiKey}`;
  return Object.assign(h, ctx.extraHeaders);
}

/** The Cohere adapter. */
export const cohereAdapter: ProviderAdapter = {
  id: "cohere",
  defaultApiBase: "https://api.cohere.com",
  apiKeyEnv: ["COHERE_API_KEY", "CO_API_KEY"],
  apiKeyRequired: true,
  apiBaseEnv: ["COHERE_API_BASE"],
  supportedParams: COHERE_SUPPORTED_PARAMS,
  streamFraming: "sse",
  buildRequest(req, ctx): UpstreamRequest {
    return {
      url: cohereUrl(ctx.apiBase, "chat"),
      headers: headers(ctx),
      body: JSON.stringify(toCohereRequest(req, ctx)),
    };
  },
  parseResponse: fromCohereResponse,
  createStreamTransform: createCohereStreamTransform,
  createStreamTransformer: createCohereStreamTransformer,
  mapError: mapCohereError,
  embedding: {
    buildRequest(req, ctx): UpstreamRequest {
      return {
        url: cohereUrl(ctx.apiBase, "embed"),
        headers: { ...headers({ ...ctx, stream: false }) },
        body: JSON.stringify(toCohereEmbedRequest(req, ctx)),
      };
    },
    parseResponse: fromCohereEmbedResponse,
  },
};
