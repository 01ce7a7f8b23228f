/**
 * Ollama `done_reason` → OpenAI `finish_reason`.
 *
 * @module
 */

import type { FinishReason } from "../../types.ts";

/**
 * Map Ollama's `done_reason`: `stop` → `stop` (or `tool_calls` when the
 * answer called tools), `length` → `length`, `load`/`unload` (a request that
 * only (un)loaded the model) → `stop`. A missing or unknown reason (older
 * servers send none) counts as `stop`.
 *
 * @example
 * ```ts
 * import { mapOllamaDoneReason } from "./map_finish_reason.ts";
 * console.assert(mapOllamaDoneReason("stop", true) === "tool_calls");
 * console.assert(mapOllamaDoneReason("length", false) === "length");
 * ```
 */
export function mapOllamaDoneReason(
  reason: string | undefined,
  hasToolCalls: boolean,
): FinishReason {
  if (reason === "length") return "length";
  return hasToolCalls ? "tool_calls" : "stop";
}
