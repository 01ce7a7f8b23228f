/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`.
 *
 * @module
 */

import type { FinishReason } from "../../types.ts";

const STOP_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  pause_turn: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

/**
 * Map an Anthropic `stop_reason` to an OpenAI `finish_reason`. Unknown
 * reasons map to `"stop"` (the API may add new ones); `null` stays `null`.
 *
 * @example
 * ```ts
 * import { mapAnthropicStopReason } from "./map_finish_reason.ts";
 * console.assert(mapAnthropicStopReason("tool_use") === "tool_calls");
 * ```
 */
export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason | null {
  if (reason === null || reason === undefined) return null;
  return STOP_REASONS[reason] ?? "stop";
}
