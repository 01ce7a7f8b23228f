/**
 * Usage for providers that count prompt-cache reads and writes outside their
 * input tokens (Anthropic, Bedrock Converse): OpenAI's `prompt_tokens`
 * includes them, so they are added back; cache reads are also
 * `prompt_tokens_details.cached_tokens`, and both counts are kept as
 * extension fields for billing.
 *
 * @module
 */

import type { Usage } from "../types.ts";

/** A finite number, or 0. */
export function tokenCount(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) ? value : 0;
}

/** OpenAI usage from uncached input, output and the two cache counts. */
export function usageWithCache(
  counts: { input: unknown; output: unknown; cacheRead: unknown; cacheWrite: unknown },
): Usage {
  const cacheRead = tokenCount(counts.cacheRead);
  const cacheWrite = tokenCount(counts.cacheWrite);
  const completion = tokenCount(counts.output);
  const prompt = tokenCount(counts.input) + cacheRead + cacheWrite;
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}
