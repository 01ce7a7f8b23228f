/**
 * Finish reasons of OpenAI-compatible hosts → OpenAI's set.
 *
 * @module
 */

import type { FinishReason } from "../../types.ts";

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool_calls",
  content_filter: "content_filter",
  function_call: "function_call",
  model_length: "length",
  eos: "stop",
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  tool_use: "tool_calls",
};

/** Finish reasons that report an upstream failure rather than an end of output. */
const ERROR_FINISH_REASONS: ReadonlySet<string> = new Set([
  "error",
  "insufficient_system_resource",
]);

/**
 * Map a host's finish reason to OpenAI's. `null`, `undefined` and `""` mean
 * "not finished"; unknown values become `"stop"`.
 *
 * @example
 * ```ts
 * import { mapOpenAICompatibleFinishReason } from "./map_finish_reason.ts";
 * console.assert(mapOpenAICompatibleFinishReason("model_length") === "length");
 * console.assert(mapOpenAICompatibleFinishReason(null) === null);
 * ```
 */
export function mapOpenAICompatibleFinishReason(value: unknown): FinishReason | null {
  if (value === null || value === undefined || value === "") return null;
  return FINISH_REASONS[String(value)] ?? "stop";
}

/** True for finish reasons that mean the upstream failed (`error`, `insufficient_system_resource`). */
export function isErrorFinishReason(value: unknown): value is string {
  return typeof value === "string" && ERROR_FINISH_REASONS.has(value);
}
