/**
 * Cohere v2 chat response → OpenAI `chat.completion`.
 *
 * @module
 */

import type { ChatCompletion, CompletionMessage, ToolCall, Usage } from "../../types.ts";
import { APIConnectionError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { RequestContext } from "../types.ts";
import type { CohereChatResponse, CohereUsage } from "./api_types.ts";
import {
  cohereFinishError,
  isCohereErrorFinishReason,
  mapCohereFinishReason,
} from "./map_finish_reason.ts";

/**
 * Usage from Cohere's counts: `tokens` (what the model actually processed)
 * when present, else `billed_units`; `cached_tokens` →
 * `prompt_tokens_details.cached_tokens`.
 *
 * @example
 * ```ts
 * import { fromCohereUsage } from "./convert_response.ts";
 * const u = fromCohereUsage({ billed_units: { input_tokens: 5, output_tokens: 2 }, tokens: { input_tokens: 70, output_tokens: 2 } });
 * console.assert(u.prompt_tokens === 70 && u.total_tokens === 72);
 * ```
 */
export function fromCohereUsage(usage: CohereUsage): Usage {
  const counts = isRecord(usage.tokens)
    ? usage.tokens
    : isRecord(usage.billed_units)
    ? usage.billed_units
    : {};
  const prompt = typeof counts.input_tokens === "number" ? counts.input_tokens : 0;
  const completion = typeof counts.output_tokens === "number" ? counts.output_tokens : 0;
  const out: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (typeof usage.cached_tokens === "number" && usage.cached_tokens > 0) {
    out.prompt_tokens_details = { cached_tokens: usage.cached_tokens };
  }
  return out;
}

/**
 * Convert a `/v2/chat` response. Text items are joined into `content` (null
 * when there is none); `thinking` items and the `tool_plan` become
 * `reasoning_content`; tool calls keep their id, name and argument text.
 * `created` comes from `ctx.now()` and `model` from the call (Cohere's
 * response names neither). A `finish_reason` of `ERROR` or `TIMEOUT` throws
 * the typed error for it; a body without `message` is an
 * `APIConnectionError`.
 */
export function fromCohereResponse(body: unknown, ctx: RequestContext): ChatCompletion {
  if (!isRecord(body) || !isRecord(body.message)) {
    throw new APIConnectionError(
      `Provider "${ctx.provider}" returned a response without 'message'`,
      {
        provider: ctx.provider,
        model: ctx.requestedModel,
      },
    );
  }
  const res = body as unknown as CohereChatResponse;
  if (isCohereErrorFinishReason(res.finish_reason)) {
    throw cohereFinishError(res.finish_reason, undefined, {
      provider: ctx.provider,
      model: ctx.requestedModel,
    });
  }
  let text = "";
  let hasText = false;
  const reasoning: string[] = [];
  const items: unknown[] = Array.isArray(res.message.content) ? res.message.content : [];
  for (const item of items) {
    if (!isRecord(item)) continue;
    if (item.type === "text" && typeof item.text === "string") {
      text += item.text;
      hasText = true;
    } else if (item.type === "thinking" && typeof item.thinking === "string") {
      reasoning.push(item.thinking);
    }
  }
  if (typeof res.message.tool_plan === "string" && res.message.tool_plan !== "") {
    reasoning.push(res.message.tool_plan);
  }
  const message: CompletionMessage = { role: "assistant", content: hasText ? text : null };
  if (reasoning.length > 0) message.reasoning_content = reasoning.join("\n\n");
  const calls = Array.isArray(res.message.tool_calls) ? res.message.tool_calls : [];
  if (calls.length > 0) {
    message.tool_calls = calls.map((call): ToolCall => ({
      id: call.id,
      type: "function",
      function: {
        name: call.function?.name ?? "",
        arguments: call.function?.arguments ?? "{}",
      },
    }));
  }
  const completion: ChatCompletion = {
    id: typeof res.id === "string" && res.id !== "" ? res.id : `chatcmpl-${ctx.generateId()}`,
    object: "chat.completion",
    created: Math.floor(ctx.now() / 1000),
    model: ctx.model,
    choices: [{
      index: 0,
      message,
      logprobs: null,
      finish_reason: mapCohereFinishReason(res.finish_reason) ??
        (calls.length > 0 ? "tool_calls" : "stop"),
    }],
  };
  if (isRecord(res.usage)) completion.usage = fromCohereUsage(res.usage);
  return completion;
}
