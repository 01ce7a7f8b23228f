/**
 * Ollama `/api/chat` response → OpenAI `chat.completion`.
 *
 * Ollama responses carry no id: the completion id is `chatcmpl-<id>` and
 * tool-call ids are `call_<id>` (unless Ollama sent one), both from
 * `ctx.generateId()`. `created` comes from `ctx.now()` rather than Ollama's
 * `created_at`, so every provider reports the gateway's clock.
 *
 * @module
 */

import type { ChatCompletion, CompletionMessage, ToolCall, Usage } from "../../types.ts";
import type { RequestContext } from "../types.ts";
import { APIConnectionError } from "../../errors.ts";
import { isRecord, numberField, stringField } from "../../_json.ts";
import { mapOllamaDoneReason } from "./map_finish_reason.ts";
import { mapOllamaError } from "./map_error.ts";

/**
 * One Ollama tool call (`{id?, function: {name, arguments: object}}`) →
 * an OpenAI tool call with `arguments` as JSON text.
 */
export function fromOllamaToolCall(call: unknown, ctx: RequestContext): ToolCall {
  const fn = isRecord(call) ? call.function : undefined;
  const name = stringField(fn, "name");
  if (name === undefined) {
    throw new APIConnectionError(
      `Provider "${ctx.provider}" returned a tool call without a function name`,
      { provider: ctx.provider, model: ctx.requestedModel },
    );
  }
  const args = (fn as Record<string, unknown>).arguments;
  const id = stringField(call, "id");
  return {
    id: id ? id : `call_${ctx.generateId()}`,
    type: "function",
    function: { name, arguments: typeof args === "string" ? args : JSON.stringify(args ?? {}) },
  };
}

/** Usage from the statistics of a final line: `prompt_eval_count` and `eval_count`. */
export function toOllamaUsage(body: Record<string, unknown>): Usage {
  const prompt = numberField(body, "prompt_eval_count") ?? 0;
  const completion = numberField(body, "eval_count") ?? 0;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
}

/**
 * Translate a non-stream `/api/chat` response into a `chat.completion`.
 *
 * @example
 * ```ts
 * import { fromOllamaResponse } from "./convert_response.ts";
 * const ctx = {
 *   provider: "ollama", model: "llama3.2", requestedModel: "ollama/llama3.2",
 *   apiKey: undefined, apiBase: "http://localhost:11434", apiVersion: undefined,
 *   extraHeaders: {}, stream: false, includeUsage: false, providerOptions: {}, env: () => undefined,
 *   now: () => 1730000000000, generateId: () => "abc",
 * };
 * const res = fromOllamaResponse({
 *   model: "llama3.2", message: { role: "assistant", content: "Hi!" },
 *   done: true, done_reason: "stop", prompt_eval_count: 3, eval_count: 2,
 * }, ctx);
 * console.assert(res.id === "chatcmpl-abc" && res.usage?.total_tokens === 5);
 * ```
 */
export function fromOllamaResponse(body: unknown, ctx: RequestContext): ChatCompletion {
  if (!isRecord(body)) {
    throw new APIConnectionError(
      `Provider "${ctx.provider}" returned a body that is not an object`,
      {
        provider: ctx.provider,
        model: ctx.requestedModel,
      },
    );
  }
  if (body.error !== undefined) {
    throw mapOllamaError(numberField(body, "status") ?? 500, body, {
      provider: ctx.provider,
      model: ctx.requestedModel,
      headers: new Headers(),
    });
  }
  const id = `chatcmpl-${ctx.generateId()}`;
  const native = isRecord(body.message) ? body.message : {};
  const calls = Array.isArray(native.tool_calls) ? native.tool_calls : [];
  const content = typeof native.content === "string" ? native.content : "";
  const message: CompletionMessage = {
    role: "assistant",
    content: content === "" && calls.length > 0 ? null : content,
  };
  if (typeof native.thinking === "string" && native.thinking !== "") {
    message.reasoning_content = native.thinking;
  }
  if (calls.length > 0) message.tool_calls = calls.map((call) => fromOllamaToolCall(call, ctx));
  return {
    id,
    object: "chat.completion",
    created: Math.floor(ctx.now() / 1000),
    model: stringField(body, "model") ?? ctx.model,
    choices: [{
      index: 0,
      message,
      logprobs: null,
      finish_reason: mapOllamaDoneReason(stringField(body, "done_reason"), calls.length > 0),
    }],
    usage: toOllamaUsage(body),
  };
}
