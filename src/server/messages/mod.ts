/**
 * The Anthropic Messages API, served by llmux for any provider: Anthropic SDK
 * clients call `POST /v1/messages` and get GPT, Gemini, Ollama… answers in
 * Anthropic's shapes. Requests are translated to OpenAI's Chat Completions
 * format, routed, and the answers (or chunk streams) translated back.
 *
 * @example Mount the routes on a Hono app, backed by a Router
 * ```ts
 * import { Hono } from "hono";
 * import { createMessagesRoutes } from "./mod.ts";
 * import { Router } from "../../fallback/mod.ts";
 *
 * const router = new Router({
 *   model_list: [{ model_name: "claude-x", litellm_params: { model: "openai/gpt-4o", mock_response: "Hi!" } }],
 * });
 * const app = new Hono();
 * app.route("/", createMessagesRoutes({ complete: (params) => router.completion(params) }));
 *
 * const res = await app.request("/v1/messages", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({
 *     model: "claude-x",
 *     max_tokens: 64,
 *     stream: true,
 *     messages: [{ role: "user", content: "Hello" }],
 *   }),
 * });
 * const events = (await res.text()).split("\n").filter((l) => l.startsWith("event: "));
 * console.assert(events[0] === "event: message_start" && events.at(-1) === "event: message_stop");
 * ```
 *
 * @module
 */

export { toolNamesOf, toOpenAIRequest, type ToOpenAIRequestOptions } from "./to_openai_request.ts";
export { fromOpenAICompletion, type FromOpenAICompletionOptions } from "./from_openai_response.ts";
export { type AnthropicEventStreamOptions, toAnthropicEventStream } from "./stream_encoder.ts";
export { type AnthropicErrorResponse, OVERLOADED_STATUS, toAnthropicError } from "./errors.ts";
export { type AnthropicTokenCount, countTokens } from "./count_tokens.ts";
export {
  createMessagesRoutes,
  type MessagesCompleteFn,
  type MessagesRoutesOptions,
} from "./routes.ts";
export type {
  AnthropicErrorBody,
  AnthropicMessageResponse,
  AnthropicOutputBlock,
  AnthropicOutputDelta,
  AnthropicOutputEvent,
  AnthropicOutputRedactedThinkingBlock,
  AnthropicOutputTextBlock,
  AnthropicOutputThinkingBlock,
  AnthropicOutputToolUseBlock,
  AnthropicOutputUsage,
  AnthropicStopReason,
} from "./types.ts";
