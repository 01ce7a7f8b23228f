/**
 * Anthropic Messages response → OpenAI `chat.completion`.
 *
 * @module
 */

import type {
  ChatCompletion,
  CompletionMessage,
  FinishReason,
  ThinkingBlock,
  ToolCall,
  Usage,
} from "../../types.ts";
import type { RequestContext } from "../types.ts";
import { usageWithCache } from "../_usage.ts";
import { APIConnectionError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { AnthropicUsage } from "./api_types.ts";
import { ANTHROPIC_JSON_TOOL_NAME } from "./convert_request.ts";
import { mapAnthropicStopReason } from "./map_finish_reason.ts";

/**
 * Anthropic usage → OpenAI usage. Anthropic's `input_tokens` excludes cache
 * reads and writes, so `prompt_tokens` adds them back; cache reads are also
 * reported as `prompt_tokens_details.cached_tokens`, and both cache counts
 * are kept as extension fields for billing.
 *
 * @example
 * ```ts
 * import { fromAnthropicUsage } from "./convert_response.ts";
 * const u = fromAnthropicUsage({ input_tokens: 5, output_tokens: 2, cache_read_input_tokens: 100 });
 * console.assert(u.prompt_tokens === 105 && u.total_tokens === 107);
 * ```
 */
export function fromAnthropicUsage(usage: AnthropicUsage | undefined): Usage {
  return usageWithCache({
    input: usage?.input_tokens,
    output: usage?.output_tokens,
    cacheRead: usage?.cache_read_input_tokens,
    cacheWrite: usage?.cache_creation_input_tokens,
  });
}

function invalid(ctx: RequestContext, what: string): APIConnectionError {
  return new APIConnectionError(`Provider "${ctx.provider}" returned ${what}`, {
    provider: ctx.provider,
    model: ctx.requestedModel,
  });
}

/**
 * Convert a parsed Anthropic response. Text blocks are concatenated (`null`
 * when there are none); `tool_use` blocks become `tool_calls`; thinking
 * becomes `reasoning_content` plus `thinking_blocks` (signatures and
 * redacted blocks kept for the next turn). A call of the reserved JSON tool
 * (see `toAnthropicRequest`) becomes the message content, and when it is the
 * only call the finish reason is `"stop"`.
 *
 * @example
 * ```ts
 * import { fromAnthropicResponse } from "./convert_response.ts";
 * const ctx = { provider: "anthropic", model: "m", now: () => 1730000000000 } as never;
 * const res = fromAnthropicResponse({
 *   id: "msg_1", type: "message", role: "assistant", model: "claude-x",
 *   content: [{ type: "text", text: "Hi" }], stop_reason: "end_turn", stop_sequence: null,
 *   usage: { input_tokens: 3, output_tokens: 1 },
 * }, ctx);
 * console.assert(res.choices[0].message.content === "Hi" && res.created === 1730000000);
 * ```
 */
export function fromAnthropicResponse(body: unknown, ctx: RequestContext): ChatCompletion {
  if (!isRecord(body) || !Array.isArray(body.content)) {
    throw invalid(ctx, "a body without a 'content' array");
  }
  let text: string | null = null;
  let json: string | undefined;
  let reasoning: string | undefined;
  const toolCalls: ToolCall[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  for (const block of body.content) {
    if (!isRecord(block)) continue;
    switch (block.type) {
      case "text":
        if (typeof block.text === "string") text = text === null ? block.text : text + block.text;
        break;
      case "tool_use": {
        const args = JSON.stringify(block.input ?? {});
        if (block.name === ANTHROPIC_JSON_TOOL_NAME) {
          json = args;
        } else {
          toolCalls.push({
            id: String(block.id),
            type: "function",
            function: { name: String(block.name), arguments: args },
          });
        }
        break;
      }
      case "thinking": {
        const thinking = typeof block.thinking === "string" ? block.thinking : "";
        reasoning = reasoning === undefined ? thinking : reasoning + thinking;
        thinkingBlocks.push({
          type: "thinking",
          thinking,
          signature: typeof block.signature === "string" ? block.signature : "",
        });
        break;
      }
      case "redacted_thinking":
        thinkingBlocks.push({
          type: "redacted_thinking",
          data: typeof block.data === "string" ? block.data : "",
        });
        break;
    }
  }
  const message: CompletionMessage = { role: "assistant", content: json ?? text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  if (thinkingBlocks.length > 0) message.thinking_blocks = thinkingBlocks;
  let finish: FinishReason | null = mapAnthropicStopReason(
    typeof body.stop_reason === "string" ? body.stop_reason : null,
  );
  if (json !== undefined && toolCalls.length === 0 && finish === "tool_calls") finish = "stop";
  return {
    id: typeof body.id === "string" ? body.id : `chatcmpl-${ctx.generateId()}`,
    object: "chat.completion",
    created: Math.floor(ctx.now() / 1000),
    model: typeof body.model === "string" ? body.model : ctx.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage: fromAnthropicUsage(isRecord(body.usage) ? body.usage as AnthropicUsage : undefined),
  };
}
