/**
 * Gemini `finishReason` → OpenAI `finish_reason`.
 *
 * @module
 */

import type { FinishReason } from "../../types.ts";

const CONTENT_FILTER: ReadonlySet<string> = new Set([
  "SAFETY",
  "RECITATION",
  "BLOCKLIST",
  "PROHIBITED_CONTENT",
  "SPII",
  "IMAGE_SAFETY",
  "IMAGE_PROHIBITED_CONTENT",
  "IMAGE_RECITATION",
]);

/**
 * Map a Gemini finish reason. `MAX_TOKENS` is `length`; safety, recitation
 * and blocklist reasons are `content_filter`; everything else (`STOP`,
 * `OTHER`, `LANGUAGE`, `MALFORMED_FUNCTION_CALL`, unknown future values…) is
 * `tool_calls` when the candidate called functions (the caller must run
 * them), else `stop`. An absent reason is `null` (not finished yet).
 *
 * @example
 * ```ts
 * import { mapGeminiFinishReason } from "./map_finish_reason.ts";
 * console.assert(mapGeminiFinishReason("STOP", true) === "tool_calls");
 * console.assert(mapGeminiFinishReason("SAFETY", false) === "content_filter");
 * ```
 */
export function mapGeminiFinishReason(
  reason: string | undefined | null,
  hasToolCalls: boolean,
): FinishReason | null {
  if (reason === undefined || reason === null || reason === "") return null;
  if (reason === "MAX_TOKENS") return "length";
  if (CONTENT_FILTER.has(reason)) return "content_filter";
  return hasToolCalls ? "tool_calls" : "stop";
}
