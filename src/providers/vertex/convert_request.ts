/**
 * OpenAI request → Vertex AI request bodies. Gemini models take the Gemini
 * API body unchanged (`toGeminiRequest`); Claude models take the Anthropic
 * Messages body without `model` and with `anthropic_version`.
 *
 * @module
 */

import type { ChatCompletionRequest } from "../../types.ts";
import type { RequestContext } from "../types.ts";
import { toAnthropicRequest } from "../anthropic/convert_request.ts";
import { toGeminiRequest } from "../gemini/convert_request.ts";
import type { GeminiGenerateContentRequest } from "../gemini/api_types.ts";
import type { VertexAnthropicRequest } from "./api_types.ts";

/** The `anthropic_version` Vertex AI requires in Claude request bodies. */
export const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";

/**
 * The `:rawPredict` / `:streamRawPredict` body of a Claude model: the
 * Anthropic conversion (system hoisting, tools, `max_tokens` default,
 * thinking, JSON mode as a forced tool) minus `model`, plus
 * `anthropic_version: "vertex-2023-10-16"`. `stream: true` stays in the body
 * for streams.
 *
 * @example
 * ```ts
 * import { toVertexAnthropicRequest } from "./convert_request.ts";
 * const ctx = { provider: "vertex_ai", model: "claude-sonnet-4-5@20250929", stream: false } as never;
 * const body = toVertexAnthropicRequest({ model: "x", messages: [{ role: "user", content: "Hi" }] }, ctx);
 * console.assert(body.anthropic_version === "vertex-2023-10-16" && !("model" in body));
 * ```
 */
export function toVertexAnthropicRequest(
  req: ChatCompletionRequest,
  ctx: RequestContext,
): VertexAnthropicRequest {
  const { model: _model, ...rest } = toAnthropicRequest(req, ctx);
  return { anthropic_version: VERTEX_ANTHROPIC_VERSION, ...rest };
}

/**
 * The `:generateContent` body of a Gemini model on Vertex: the Gemini API
 * body (Vertex requires `contents[].role`, which the converter always sets),
 * errors naming the Vertex provider.
 */
export function toVertexGeminiRequest(
  req: ChatCompletionRequest,
  ctx: RequestContext,
): GeminiGenerateContentRequest {
  return toGeminiRequest(req, { provider: ctx.provider, model: ctx.requestedModel });
}
