/**
 * Google AI Studio (Gemini API, `generativelanguage.googleapis.com`) adapter,
 * assembled from the folder's pure converters, which the Vertex AI adapter
 * reuses with its own URL and auth.
 *
 * - `api_base` is the scheme+host(+port) root (default
 *   `https://generativelanguage.googleapis.com`, env `GEMINI_API_BASE`);
 *   `/v1beta/models/{model}:generateContent` (stream:
 *   `:streamGenerateContent?alt=sse`, embeddings: `:embedContent` /
 *   `:batchEmbedContents`) is appended. A base already ending in `/v1` or
 *   `/v1beta` is used as is.
 * - Auth: `x-goog-api-key` (key from `GEMINI_API_KEY`, then `GOOGLE_API_KEY`).
 * - The model may be written `gemini-2.5-flash` or `models/gemini-2.5-flash`.
 *
 * @example
 * ```ts
 * import { completion } from "../../../mod.ts";
 * const fakeFetch: typeof fetch = () =>
 *   Promise.resolve(Response.json({
 *     candidates: [{ content: { role: "model", parts: [{ text: "Hello!" }] }, finishReason: "STOP" }],
 *     usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 2, totalTokenCount: 4 },
 *     modelVersion: "gemini-2.5-flash",
 *   }));
 * const res = await completion({
 *   model: "gemini/gemini-2.5-flash",
 *   messages: [{ role: "user", content: "Hi" }],
 *   api_key: "test-key",
 *   fetch: fakeFetch,
 * });
 * console.assert(res.choices[0].message.content === "Hello!");
 * ```
 *
 * @module
 */

import type { ProviderAdapter, RequestContext, UpstreamRequest } from "../types.ts";
import type { ChatCompletionRequest } from "../../types.ts";
import { paramSet } from "../_params.ts";
import { toGeminiRequest } from "./convert_request.ts";
import { fromGeminiResponse } from "./convert_response.ts";
import { createGeminiStreamTransform, createGeminiStreamTransformer } from "./stream_transform.ts";
import { mapGeminiError } from "./map_error.ts";
import { geminiEmbeddingAdapter } from "./embedding.ts";
import { geminiHeaders, geminiMethodUrl } from "./_endpoint.ts";

export { cleanGeminiSchema } from "./convert_schema.ts";
export {
  GEMINI_THINKING_BUDGETS,
  GEMINI_THOUGHT_SIGNATURE_SEPARATOR,
  type GeminiContents,
  type GeminiConvertOptions,
  guessGeminiMimeType,
  toGeminiContents,
  toGeminiGenerationConfig,
  toGeminiRequest,
  toGeminiThinkingConfig,
  toGeminiToolConfig,
  toGeminiTools,
} from "./convert_request.ts";
export {
  fromGeminiFunctionCall,
  fromGeminiLogprobs,
  fromGeminiResponse,
  fromGeminiUsage,
  type OpenAITokenLogprob,
} from "./convert_response.ts";
export { createGeminiStreamTransform, type GeminiStreamOptions } from "./stream_transform.ts";
export { mapGeminiFinishReason } from "./map_finish_reason.ts";
export { mapGeminiError, parseGeminiRetryDelay } from "./map_error.ts";
export {
  fromGeminiEmbedResponse,
  type GeminiEmbedCall,
  geminiEmbeddingAdapter,
  toGeminiEmbedCall,
} from "./embedding.ts";
export type * from "./api_types.ts";

/**
 * The OpenAI fields Gemini can honour. `user`, `parallel_tool_calls`,
 * `logit_bias`, `metadata`, `store`, `service_tier`, audio/modalities,
 * `prediction`, `web_search_options` and the legacy `functions` are not
 * supported (rejected, or dropped with `drop_params: true`).
 */
export const GEMINI_SUPPORTED_PARAMS: ReadonlySet<string> = paramSet([
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "seed",
  "n",
  "stream",
  "stream_options",
  "tools",
  "tool_choice",
  "response_format",
  "reasoning_effort",
  "presence_penalty",
  "frequency_penalty",
  "logprobs",
  "top_logprobs",
]);

/** The Gemini API (Google AI Studio) adapter. */
export const geminiAdapter: ProviderAdapter = {
  id: "gemini",
  defaultApiBase: "https://generativelanguage.googleapis.com",
  apiKeyEnv: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
  apiKeyRequired: true,
  apiBaseEnv: ["GEMINI_API_BASE"],
  supportedParams: GEMINI_SUPPORTED_PARAMS,
  streamFraming: "sse",
  buildRequest(req: ChatCompletionRequest, ctx: RequestContext): UpstreamRequest {
    const method = ctx.stream ? "streamGenerateContent?alt=sse" : "generateContent";
    return {
      url: geminiMethodUrl(ctx.apiBase, ctx.model, method),
      headers: geminiHeaders(ctx),
      body: JSON.stringify(
        toGeminiRequest(req, { provider: ctx.provider, model: ctx.requestedModel }),
      ),
    };
  },
  parseResponse: fromGeminiResponse,
  createStreamTransform: (ctx) => createGeminiStreamTransform(ctx),
  createStreamTransformer: (ctx) => createGeminiStreamTransformer(ctx),
  mapError: mapGeminiError,
  embedding: geminiEmbeddingAdapter,
};
