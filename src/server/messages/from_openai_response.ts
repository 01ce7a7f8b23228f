/**
 * An OpenAI `chat.completion` → an Anthropic Messages response.
 *
 * @module
 */

import type { ChatCompletion } from "../../types.ts";
import type { AnthropicMessageResponse, AnthropicOutputBlock } from "./types.ts";
import {
  fromOpenAIToolName,
  parseToolInput,
  toAnthropicMessageId,
  toAnthropicStopReason,
  toAnthropicToolUseId,
  toAnthropicUsage,
} from "./_shared.ts";

/** Options of {@linkcode fromOpenAICompletion}. */
export interface FromOpenAICompletionOptions {
  /** The model the client asked for (echoed as `model`, as Anthropic does). */
  model: string;
  /** Upstream function names → the client's tool names (see `toolNamesOf`). */
  toolNames?: ReadonlyMap<string, string>;
}

/**
 * Translate an OpenAI completion into an Anthropic `message`.
 *
 * - `id`: `msg_` + the completion id without its `chatcmpl-` prefix;
 * - `content`: thinking first (from `thinking_blocks`, signatures kept, else
 *   one block from `reasoning_content` with an empty signature), then the
 *   text (or the refusal), then one `tool_use` per tool call (`input` parsed
 *   from the arguments; unparsable arguments give `{}`);
 * - `stop_reason`: `stop` → `end_turn` (`tool_use` when the turn called
 *   tools), `length` → `max_tokens`, `tool_calls` → `tool_use`,
 *   `content_filter` or a refusal → `refusal`. `stop_sequence` is always null:
 *   OpenAI-shaped answers do not say which stop sequence matched;
 * - `usage`: `input_tokens` = prompt tokens minus cache reads and writes.
 *
 * @example
 * ```ts
 * import { fromOpenAICompletion } from "./from_openai_response.ts";
 * const message = fromOpenAICompletion({
 *   id: "chatcmpl-1", object: "chat.completion", created: 0, model: "gpt-4o",
 *   choices: [{ index: 0, message: { role: "assistant", content: "Hi" }, logprobs: null, finish_reason: "stop" }],
 *   usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
 * }, { model: "claude-via-gpt" });
 * console.assert(message.id === "msg_1" && message.stop_reason === "end_turn");
 * ```
 */
export function fromOpenAICompletion(
  completion: ChatCompletion,
  options: FromOpenAICompletionOptions,
): AnthropicMessageResponse {
  const choice = completion.choices?.[0];
  const message = choice?.message;
  const content: AnthropicOutputBlock[] = [];
  if (message?.thinking_blocks && message.thinking_blocks.length > 0) {
    for (const block of message.thinking_blocks) {
      if (block.type === "redacted_thinking") {
        content.push({ type: "redacted_thinking", data: block.data ?? "" });
      } else {
        content.push({
          type: "thinking",
          thinking: block.thinking ?? "",
          signature: block.signature ?? "",
        });
      }
    }
  } else if (typeof message?.reasoning_content === "string" && message.reasoning_content !== "") {
    content.push({ type: "thinking", thinking: message.reasoning_content, signature: "" });
  }
  const refused = typeof message?.refusal === "string" && message.refusal !== "";
  if (typeof message?.content === "string" && message.content !== "") {
    content.push({ type: "text", text: message.content });
  } else if (refused) {
    content.push({ type: "text", text: message!.refusal! });
  }
  let toolUses = 0;
  for (const call of message?.tool_calls ?? []) {
    toolUses++;
    content.push({
      type: "tool_use",
      id: toAnthropicToolUseId(call.id, {
        signature: call.provider_specific_fields?.thought_signature,
        fallback: `toolu_${toolUses}`,
      }),
      name: fromOpenAIToolName(call.function?.name ?? "", options.toolNames),
      input: parseToolInput(call.function?.arguments),
    });
  }
  const stopReason = refused && !message?.content
    ? "refusal"
    : toAnthropicStopReason(choice?.finish_reason, toolUses > 0);
  return {
    id: toAnthropicMessageId(completion.id),
    type: "message",
    role: "assistant",
    model: options.model,
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    usage: toAnthropicUsage(completion.usage),
  };
}
