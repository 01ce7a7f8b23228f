/**
 * The Anthropic Messages API adapter (`anthropic/<model>`).
 *
 * `api_base` is the scheme, host and port root (default
 * `https://api.anthropic.com`); `/v1/messages` is appended, unless the base
 * already ends in `/v1` or `/v1/messages`. Requests carry `x-api-key`,
 * `anthropic-version: 2023-06-01` and the caller's `extra_headers` (added
 * last, so they may override). No feature llmux maps needs `anthropic-beta`,
 * so none is sent unless the caller adds one.
 *
 * Choices where the OpenAI format has no direct Anthropic counterpart:
 * - **JSON mode.** `response_format` `json_schema` (and `json_object`, with a
 *   permissive object schema) is sent as one extra tool named
 *   `json_tool_call` whose `input_schema` is the schema, forced with
 *   `tool_choice: {"type":"tool"}` — the fallback LiteLLM and the AI SDK use,
 *   because it works on every Claude model, while native `output_config`
 *   structured outputs exist only on newer ones. The tool's input comes back
 *   as `message.content` (a JSON string; in streams, as `content` fragments)
 *   with `finish_reason: "stop"`. The name is reserved: a caller's tool may
 *   not use it. With thinking on, forcing a tool is rejected by the API, so
 *   the choice is `auto`; when the caller also sends tools, the caller's
 *   `tool_choice` is kept.
 * - **`max_tokens`** is required by Anthropic: `max_completion_tokens` ??
 *   `max_tokens` ?? 4096; with thinking on, a limit not above the thinking
 *   budget is raised by the budget.
 * - **`temperature` > 1** is clamped to 1 (Anthropic accepts 0–1).
 * - **`reasoning_effort`** → `thinking.budget_tokens`: minimal/low 1024,
 *   medium 2048, high 4096, xhigh 8192, none → off. With thinking on,
 *   `temperature` and `top_k` are not sent.
 * - **Unsupported:** `n`, `seed`, `logprobs`, `top_logprobs`, penalties,
 *   `logit_bias`, `metadata` (Anthropic's only accepts `user_id`, which comes
 *   from `user`): rejected by the generic layer, or dropped with
 *   `drop_params: true`.
 *
 * @example Non-streaming call against a stub fetch
 * ```ts
 * import { completion } from "../../../mod.ts";
 * const fakeFetch: typeof fetch = () =>
 *   Promise.resolve(Response.json({
 *     id: "msg_01", type: "message", role: "assistant", model: "claude-sonnet-4-5",
 *     content: [{ type: "text", text: "Hello!" }], stop_reason: "end_turn",
 *     stop_sequence: null, usage: { input_tokens: 9, output_tokens: 3 },
 *   }));
 * const res = await completion({
 *   model: "anthropic/claude-sonnet-4-5",
 *   messages: [{ role: "user", content: "Hi" }],
 *   api_key: "sk-ant-test",
 *   fetch: fakeFetch,
 * });
 * console.assert(res.choices[0].message.content === "Hello!");
 * ```
 *
 * @module
 */

import type { ProviderAdapter, RequestContext, UpstreamRequest } from "../types.ts";
import { paramSet } from "../_params.ts";
import { toAnthropicRequest } from "./convert_request.ts";
import { fromAnthropicResponse } from "./convert_response.ts";
import {
  createAnthropicStreamTransform,
  createAnthropicStreamTransformer,
} from "./stream_transform.ts";
import { mapAnthropicError } from "./map_error.ts";

/** The `anthropic-version` header value llmux speaks. */
export const ANTHROPIC_VERSION = "2023-06-01";

/** The OpenAI request fields the Anthropic adapter honours. */
export const ANTHROPIC_SUPPORTED_PARAMS: ReadonlySet<string> = paramSet([
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "stream",
  "stream_options",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "reasoning_effort",
  "user",
]);

/**
 * The Messages endpoint for an `api_base` root, without doubling a `/v1` or
 * `/v1/messages` the caller already wrote.
 *
 * @example
 * ```ts
 * import { anthropicMessagesUrl } from "./mod.ts";
 * console.assert(anthropicMessagesUrl("https://api.anthropic.com") ===
 *   "https://api.anthropic.com/v1/messages");
 * console.assert(anthropicMessagesUrl("http://proxy/v1/") === "http://proxy/v1/messages");
 * ```
 */
export function anthropicMessagesUrl(apiBase: string): string {
  const base = apiBase.replace(/\/+$/, "");
  if (base.endsWith("/v1/messages")) return base;
  if (base.endsWith("/v1")) return `${base}/messages`;
  return `${base}/v1/messages`;
}

function buildRequest(
  req: Parameters<ProviderAdapter["buildRequest"]>[0],
  ctx: RequestContext,
): UpstreamRequest {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "anthropic-version": ANTHROPIC_VERSION,
  };
  if (ctx.apiKey) headers["x-api-key"] = ctx.apiKey;
  Object.assign(headers, ctx.extraHeaders);
  return {
    url: anthropicMessagesUrl(ctx.apiBase),
    headers,
    body: JSON.stringify(toAnthropicRequest(req, ctx)),
  };
}

/** The Anthropic adapter. */
export const anthropicAdapter: ProviderAdapter = {
  id: "anthropic",
  defaultApiBase: "https://api.anthropic.com",
  apiKeyEnv: ["ANTHROPIC_API_KEY"],
  apiKeyRequired: true,
  apiBaseEnv: ["ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"],
  supportedParams: ANTHROPIC_SUPPORTED_PARAMS,
  streamFraming: "sse",
  buildRequest,
  parseResponse: fromAnthropicResponse,
  createStreamTransform: createAnthropicStreamTransform,
  createStreamTransformer: createAnthropicStreamTransformer,
  mapError: mapAnthropicError,
};

export { toAnthropicRequest } from "./convert_request.ts";
export { fromAnthropicResponse } from "./convert_response.ts";
export { createAnthropicStreamTransform } from "./stream_transform.ts";
export { mapAnthropicError } from "./map_error.ts";
export { mapAnthropicStopReason } from "./map_finish_reason.ts";
export type * from "./api_types.ts";
