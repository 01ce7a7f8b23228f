/**
 * Cohere finish reasons → OpenAI's.
 *
 * | Cohere | OpenAI |
 * |---|---|
 * | `COMPLETE`, `STOP_SEQUENCE` | `stop` |
 * | `MAX_TOKENS` | `length` |
 * | `TOOL_CALL` | `tool_calls` |
 * | `ERROR` | error: `InternalServerError` (500) |
 * | `TIMEOUT` | error: `TimeoutError` (504) |
 *
 * Unknown values map to `stop`.
 *
 * @module
 */

import type { FinishReason } from "../../types.ts";
import { InternalServerError, type LLMuxError, TimeoutError } from "../../errors.ts";
import type { ErrorContext } from "../types.ts";

const FINISH_REASONS: Readonly<Record<string, FinishReason>> = {
  COMPLETE: "stop",
  STOP_SEQUENCE: "stop",
  MAX_TOKENS: "length",
  TOOL_CALL: "tool_calls",
};

/**
 * Map a Cohere finish reason; `null`/`undefined` mean "not finished".
 *
 * @example
 * ```ts
 * import { mapCohereFinishReason } from "./map_finish_reason.ts";
 * console.assert(mapCohereFinishReason("MAX_TOKENS") === "length");
 * ```
 */
export function mapCohereFinishReason(reason: string | null | undefined): FinishReason | null {
  if (reason === null || reason === undefined || reason === "") return null;
  return FINISH_REASONS[reason] ?? "stop";
}

/** True for the finish reasons that report a failure (`ERROR`, `TIMEOUT`). */
export function isCohereErrorFinishReason(reason: unknown): reason is "ERROR" | "TIMEOUT" {
  return reason === "ERROR" || reason === "TIMEOUT";
}

/** The typed error for `ERROR` / `TIMEOUT`, with Cohere's message when it sent one. */
export function cohereFinishError(
  reason: "ERROR" | "TIMEOUT",
  message: string | undefined,
  ctx: Pick<ErrorContext, "provider" | "model">,
): LLMuxError {
  const Cls = reason === "TIMEOUT" ? TimeoutError : InternalServerError;
  return new Cls(
    `${ctx.provider} error: the completion stopped with finish_reason "${reason}"` +
      (message ? `: ${message}` : ""),
    {
      provider: ctx.provider,
      model: ctx.model,
      code: reason.toLowerCase(),
      ...(message ? { upstreamMessage: message } : {}),
    },
  );
}
