/**
 * OpenAI (and OpenAI-compatible) error bodies → typed errors.
 *
 * @module
 */

import { InternalServerError, type LLMuxError, ServiceUnavailableError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { ErrorContext } from "../types.ts";
import { mapUpstreamError, messageOf } from "../_errors.ts";

function codeOf(body: unknown): string | null {
  if (!isRecord(body)) return null;
  const err = isRecord(body.error) ? body.error : undefined;
  const code = err?.code;
  if (typeof code === "string" || typeof code === "number") return String(code);
  // Novita: {"code": 401, "reason": "INVALID_API_KEY", "message": "…"}
  if (typeof body.reason === "string") return body.reason;
  return null;
}

/**
 * Map `{"error":{"message","type","param","code"}}` (or any looser body a
 * compatible host sends) to the typed error for its status.
 *
 * @example
 * ```ts
 * import { mapOpenAIError } from "./map_error.ts";
 * import { ContextWindowExceededError } from "../../errors.ts";
 * const err = mapOpenAIError(400, {
 *   error: { message: "too long", type: "invalid_request_error", param: "messages", code: "context_length_exceeded" },
 * }, { provider: "openai", model: "gpt-4o", headers: new Headers() });
 * console.assert(err instanceof ContextWindowExceededError);
 * ```
 */
export function mapOpenAIError(status: number, body: unknown, ctx: ErrorContext): LLMuxError {
  const err = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const code = codeOf(body);
  return mapUpstreamError(status, {
    message: messageOf(body),
    code,
    param: err && typeof err.param === "string" ? err.param : null,
    contextWindow: code === "context_length_exceeded",
    contentPolicy: code === "content_policy_violation" || code === "content_filter",
  }, ctx);
}

/**
 * Map an `{"error": …}` payload received inside a 200 stream. The status is
 * the error's numeric `code` when it is an HTTP status (OpenRouter sends
 * `{"error":{"code":502,…}}`), else 500.
 */
export function mapOpenAIStreamError(body: Record<string, unknown>, ctx: ErrorContext): LLMuxError {
  const err = isRecord(body.error) ? body.error : {};
  const numeric = Number(err.code);
  const status = Number.isInteger(numeric) && numeric >= 400 && numeric <= 599 ? numeric : 500;
  return mapOpenAIError(status, body, ctx);
}

/**
 * The error for a finish reason that reports an upstream failure
 * (`error` from Mistral and OpenRouter, `insufficient_system_resource`
 * from DeepSeek).
 */
export function mapOpenAIFinishError(reason: string, ctx: ErrorContext): LLMuxError {
  const Cls = reason === "insufficient_system_resource"
    ? ServiceUnavailableError
    : InternalServerError;
  return new Cls(`${ctx.provider} error: the completion stopped with finish_reason "${reason}"`, {
    provider: ctx.provider,
    model: ctx.model,
    code: reason,
  });
}
