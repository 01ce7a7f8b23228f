/**
 * Bedrock Converse `stopReason` → OpenAI `finish_reason`.
 *
 * @module
 */

import type { FinishReason } from "../../types.ts";

const STOP_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  guardrail_intervened: "content_filter",
  content_filtered: "content_filter",
  // The model produced output Bedrock could not parse; what came is returned.
  malformed_model_output: "stop",
  malformed_tool_use: "stop",
};

/**
 * Map a Converse `stopReason` to an OpenAI `finish_reason`. Unknown reasons
 * map to `"stop"` (AWS adds new ones); `null` / absent stays `null`.
 *
 * @example
 * ```ts
 * import { mapBedrockStopReason } from "./map_finish_reason.ts";
 * console.assert(mapBedrockStopReason("guardrail_intervened") === "content_filter");
 * ```
 */
export function mapBedrockStopReason(reason: string | null | undefined): FinishReason | null {
  if (reason === null || reason === undefined) return null;
  return STOP_REASONS[reason] ?? "stop";
}
