/**
 * Token counting with `gpt-tokenizer` (o200k_base), used to estimate usage
 * when a provider reports none and to check prompts against context windows.
 * The tokenizer's tables load lazily, on first use.
 *
 * @module
 */

import type { ChatMessage, FunctionTool, Usage } from "./types.ts";

type CountTokens = (text: string) => number;
let loading: Promise<CountTokens> | undefined;

function tokenizer(): Promise<CountTokens> {
  // A lazily loaded, immutable table: the one module-level cache we keep.
  loading ??= import("gpt-tokenizer").then((m) => m.countTokens as CountTokens);
  return loading;
}

function messageText(message: ChatMessage): string {
  const parts: string[] = [message.role];
  const content = message.content;
  if (typeof content === "string") parts.push(content);
  else if (Array.isArray(content)) {
    for (const part of content) if (part.type === "text") parts.push(part.text);
  }
  if (message.role === "assistant" && message.tool_calls) {
    for (const call of message.tool_calls) parts.push(call.function.name, call.function.arguments);
  }
  return parts.join("\n");
}

/**
 * Count the prompt tokens of a chat (text parts, tool calls and tool
 * definitions; 3 tokens of framing per message, as OpenAI documents).
 *
 * @example
 * ```ts
 * import { tokenCounter } from "./token_counter.ts";
 * const n = await tokenCounter({ messages: [{ role: "user", content: "Hello world" }] });
 * console.assert(n > 2);
 * ```
 */
export async function tokenCounter(
  options: { messages?: ChatMessage[]; text?: string; tools?: FunctionTool[] },
): Promise<number> {
  const count = await tokenizer();
  let total = 0;
  if (options.text !== undefined) total += count(options.text);
  if (options.messages) {
    for (const m of options.messages) total += 3 + count(messageText(m));
    total += 3;
  }
  if (options.tools && options.tools.length > 0) total += count(JSON.stringify(options.tools));
  return total;
}

/** Estimate usage from the prompt and the generated text; marked `estimated: true`. */
export async function estimateUsage(
  options: { messages: ChatMessage[]; tools?: FunctionTool[] | undefined; completion: string },
): Promise<Usage> {
  const prompt = await tokenCounter({
    messages: options.messages,
    ...(options.tools ? { tools: options.tools } : {}),
  });
  const completion = options.completion === "" ? 0 : (await tokenizer())(options.completion);
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    estimated: true,
  };
}
