/**
 * Bedrock Converse response → OpenAI `chat.completion`.
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
import type { BedrockTokenUsage } from "./api_types.ts";
import { BEDROCK_JSON_TOOL_NAME } from "./convert_request.ts";
import { mapBedrockStopReason } from "./map_finish_reason.ts";
import { bedrockModelId } from "./model_id.ts";

/**
 * Converse usage → OpenAI usage. `inputTokens` excludes prompt-cache reads
 * and writes, so `prompt_tokens` adds them back; cache reads are also
 * `prompt_tokens_details.cached_tokens`, and both cache counts are kept as
 * `cache_read_input_tokens` / `cache_creation_input_tokens` for billing.
 *
 * @example
 * ```ts
 * import { fromBedrockUsage } from "./convert_response.ts";
 * const u = fromBedrockUsage({ inputTokens: 5, outputTokens: 2, cacheReadInputTokens: 100 });
 * console.assert(u.prompt_tokens === 105 && u.total_tokens === 107);
 * ```
 */
export function fromBedrockUsage(usage: BedrockTokenUsage | undefined): Usage {
  return usageWithCache({
    input: usage?.inputTokens,
    output: usage?.outputTokens,
    cacheRead: usage?.cacheReadInputTokens,
    cacheWrite: usage?.cacheWriteInputTokens,
  });
}

function invalid(ctx: RequestContext, what: string): APIConnectionError {
  return new APIConnectionError(`Provider "${ctx.provider}" returned ${what}`, {
    provider: ctx.provider,
    model: ctx.requestedModel,
  });
}

/**
 * Convert a parsed Converse response. Text blocks are concatenated (`null`
 * when there are none); `toolUse` blocks become `tool_calls`;
 * `reasoningContent` becomes `reasoning_content` plus `thinking_blocks`
 * (signatures and redacted blocks kept for the next turn). A call of the
 * reserved JSON tool becomes the message content, and when it is the only
 * call the finish reason is `"stop"`. The body has no id: it is
 * `chatcmpl-<generateId()>`; `model` is the Bedrock model id.
 *
 * @example
 * ```ts
 * import { fromBedrockResponse } from "./convert_response.ts";
 * const ctx = { provider: "bedrock", model: "amazon.nova-lite-v1:0", now: () => 1730000000000, generateId: () => "x" } as never;
 * const res = fromBedrockResponse({
 *   output: { message: { role: "assistant", content: [{ text: "Hi" }] } },
 *   stopReason: "end_turn", usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 },
 * }, ctx);
 * console.assert(res.choices[0].message.content === "Hi" && res.id === "chatcmpl-x");
 * ```
 */
export function fromBedrockResponse(body: unknown, ctx: RequestContext): ChatCompletion {
  if (!isRecord(body) || !isRecord(body.output)) {
    throw invalid(ctx, "a body without an 'output' object");
  }
  const message = isRecord(body.output.message) ? body.output.message : {};
  const blocks = Array.isArray(message.content) ? message.content : [];
  let text: string | null = null;
  let json: string | undefined;
  let reasoning: string | undefined;
  const toolCalls: ToolCall[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  for (const block of blocks) {
    if (!isRecord(block)) continue;
    if (typeof block.text === "string") {
      text = text === null ? block.text : text + block.text;
    } else if (isRecord(block.toolUse)) {
      const use = block.toolUse;
      const args = JSON.stringify(use.input ?? {});
      if (use.name === BEDROCK_JSON_TOOL_NAME) {
        json = args;
      } else {
        toolCalls.push({
          id: String(use.toolUseId),
          type: "function",
          function: { name: String(use.name), arguments: args },
        });
      }
    } else if (isRecord(block.reasoningContent)) {
      const r = block.reasoningContent;
      if (isRecord(r.reasoningText)) {
        const thinking = typeof r.reasoningText.text === "string" ? r.reasoningText.text : "";
        reasoning = reasoning === undefined ? thinking : reasoning + thinking;
        const tb: ThinkingBlock = { type: "thinking", thinking };
        tb.signature = typeof r.reasoningText.signature === "string"
          ? r.reasoningText.signature
          : "";
        thinkingBlocks.push(tb);
      } else if (typeof r.redactedContent === "string") {
        thinkingBlocks.push({ type: "redacted_thinking", data: r.redactedContent });
      }
    }
  }
  const out: CompletionMessage = { role: "assistant", content: json ?? text };
  if (toolCalls.length > 0) out.tool_calls = toolCalls;
  if (reasoning !== undefined) out.reasoning_content = reasoning;
  if (thinkingBlocks.length > 0) out.thinking_blocks = thinkingBlocks;
  let finish: FinishReason | null = mapBedrockStopReason(
    typeof body.stopReason === "string" ? body.stopReason : null,
  );
  if (json !== undefined && toolCalls.length === 0 && finish === "tool_calls") finish = "stop";
  return {
    id: `chatcmpl-${ctx.generateId()}`,
    object: "chat.completion",
    created: Math.floor(ctx.now() / 1000),
    model: bedrockModelId(ctx.model),
    choices: [{ index: 0, message: out, logprobs: null, finish_reason: finish }],
    usage: fromBedrockUsage(isRecord(body.usage) ? body.usage as BedrockTokenUsage : undefined),
  };
}
