/**
 * OpenAI (and OpenAI-compatible) error bodies → typed errors.
 *
 * @module
 */

import type { LLMuxError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { ErrorContext } from "../types.ts";
import { mapUpstreamError, messageOf } from "../_errors.ts";

/**
 * Map `{"error":{"message","type","param","code"}}` (or any looser body a
 * compatible host sends) to the typed error for its status.
 */
export function mapOpenAIError(status: number, body: unknown, ctx: ErrorContext): LLMuxError {
  const err = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = err && (typeof err.code === "string" || typeof err.code === "number")
    ? String(err.code)
    : null;
  return mapUpstreamError(status, {
    message: messageOf(body),
    code,
    param: err && typeof err.param === "string" ? err.param : null,
    contextWindow: code === "context_length_exceeded",
    contentPolicy: code === "content_policy_violation" || code === "content_filter",
  }, ctx);
}
