/**
 * The Ollama native provider: `/api/chat` (NDJSON streaming) and
 * `/api/embed`. Model strings `ollama/<model>` and `ollama_chat/<model>`
 * both use it.
 *
 * - Base URL: `api_base`, else `OLLAMA_API_BASE` or `OLLAMA_HOST`, else
 *   `http://localhost:11434`; it is the server root, `/api/chat` and
 *   `/api/embed` are appended.
 * - Key: none needed locally. With `api_key` or `OLLAMA_API_KEY` (ollama.com)
 *   it is sent as `Authorization: Bearer <key>`.
 * - Honoured: `temperature`, `top_p`, `seed`, `stop`, `presence_penalty`,
 *   `frequency_penalty`, `max_tokens`/`max_completion_tokens` (→
 *   `options.num_predict`), `tools`, `tool_choice` (`auto`, `none`),
 *   `parallel_tool_calls` (no effect), `response_format` (→ `format`),
 *   `reasoning_effort` (→ `think`), `stream`, `stream_options`. Everything
 *   else OpenAI defines (`n`, `logprobs`, `logit_bias`, `user`, …) is
 *   rejected, or dropped with `drop_params: true`.
 *
 * @example Non-streaming call against a fake server
 * ```ts
 * import { completion } from "../../../mod.ts";
 * const fakeFetch: typeof fetch = () =>
 *   Promise.resolve(Response.json({
 *     model: "llama3.2",
 *     created_at: "2024-07-22T20:33:28.123648Z",
 *     message: { role: "assistant", content: "Hello!" },
 *     done: true,
 *     done_reason: "stop",
 *     prompt_eval_count: 26,
 *     eval_count: 3,
 *   }));
 * const res = await completion({
 *   model: "ollama/llama3.2",
 *   messages: [{ role: "user", content: "Hi" }],
 *   api_base: "http://localhost:11434",
 *   fetch: fakeFetch,
 * });
 * console.assert(res.choices[0].message.content === "Hello!");
 * console.assert(res.usage?.prompt_tokens === 26);
 * ```
 *
 * @module
 */

import type { ChatCompletion, ChatCompletionRequest } from "../../types.ts";
import type { ProviderAdapter, RequestContext, UpstreamRequest } from "../types.ts";
import { paramSet } from "../_params.ts";
import { toOllamaRequest } from "./convert_request.ts";
import { fromOllamaResponse } from "./convert_response.ts";
import { createOllamaStreamTransform, createOllamaStreamTransformer } from "./stream_transform.ts";
import { mapOllamaError } from "./map_error.ts";
import { ollamaEmbeddingAdapter } from "./embedding.ts";
import { ollamaHeaders, ollamaUrl } from "./_request.ts";

/** The OpenAI request fields Ollama can honour. */
export const OLLAMA_SUPPORTED_PARAMS: ReadonlySet<string> = paramSet([
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
  "parallel_tool_calls",
  "response_format",
  "reasoning_effort",
  "presence_penalty",
  "frequency_penalty",
]);

/** The Ollama adapter. */
export const ollamaAdapter: ProviderAdapter = {
  id: "ollama",
  defaultApiBase: "http://localhost:11434",
  apiKeyEnv: ["OLLAMA_API_KEY"],
  apiKeyRequired: false,
  apiBaseEnv: ["OLLAMA_API_BASE", "OLLAMA_HOST"],
  supportedParams: OLLAMA_SUPPORTED_PARAMS,
  streamFraming: "ndjson",
  buildRequest(req: ChatCompletionRequest, ctx: RequestContext): UpstreamRequest {
    return {
      url: ollamaUrl(ctx, "/api/chat"),
      headers: ollamaHeaders(ctx),
      body: JSON.stringify(toOllamaRequest(req, ctx)),
    };
  },
  parseResponse(body: unknown, ctx: RequestContext): ChatCompletion {
    return fromOllamaResponse(body, ctx);
  },
  createStreamTransform: createOllamaStreamTransform,
  createStreamTransformer: createOllamaStreamTransformer,
  mapError: mapOllamaError,
  embedding: ollamaEmbeddingAdapter,
};
