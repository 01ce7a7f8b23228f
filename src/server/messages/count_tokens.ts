/**
 * `POST /v1/messages/count_tokens`: an estimate of a Messages request's input
 * tokens.
 *
 * @module
 */

import { tokenCounter } from "../../token_counter.ts";
import { toOpenAIRequest } from "./to_openai_request.ts";

/** The count_tokens response body. */
export interface AnthropicTokenCount {
  /** Input tokens of the system prompt, messages and tools. */
  input_tokens: number;
}

/**
 * Count the input tokens of an Anthropic Messages request body (`max_tokens`
 * is optional here, as in Anthropic's count_tokens). The body is validated
 * and translated like a Messages request, then counted with llmux's
 * `tokenCounter` (o200k_base): an estimate, exact for OpenAI's current
 * models and close for others. Images and documents are not counted.
 *
 * @example
 * ```ts
 * import { countTokens } from "./count_tokens.ts";
 * const { input_tokens } = await countTokens({
 *   model: "gpt-4o",
 *   messages: [{ role: "user", content: "Hello world" }],
 * });
 * console.assert(input_tokens > 2);
 * ```
 */
export async function countTokens(body: unknown): Promise<AnthropicTokenCount> {
  const request = toOpenAIRequest(body, { countTokens: true });
  const input_tokens = await tokenCounter({
    messages: request.messages,
    ...(request.tools ? { tools: request.tools } : {}),
  });
  return { input_tokens };
}
