/**
 * Anthropic error bodies → typed llmux errors.
 *
 * | status | `error.type`            | class                                                        |
 * |--------|-------------------------|--------------------------------------------------------------|
 * | 400    | `invalid_request_error` | BadRequestError ("prompt is too long" → ContextWindowExceededError) |
 * | 401    | `authentication_error`  | AuthenticationError                                          |
 * | 402    | `billing_error`         | RateLimitError (code `insufficient_quota`)                   |
 * | 403    | `permission_error`      | PermissionDeniedError                                        |
 * | 404    | `not_found_error`       | NotFoundError                                                |
 * | 413    | `request_too_large`     | BadRequestError (status 413)                                 |
 * | 429    | `rate_limit_error`      | RateLimitError (`retryAfter` from `retry-after`)             |
 * | 500    | `api_error`             | InternalServerError                                          |
 * | 504    | `timeout_error`         | TimeoutError (status 504)                                    |
 * | 529    | `overloaded_error`      | ServiceUnavailableError (status 503)                         |
 *
 * @module
 */

import type { LLMuxError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { ErrorContext } from "../types.ts";
import { mapUpstreamError, messageOf } from "../_errors.ts";

/** HTTP status Anthropic uses for each `error.type` (for errors that arrive mid-stream). */
const STATUS_BY_TYPE: Readonly<Record<string, number>> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

/** Statuses whose reported status differs from the class default. */
const KEEP_STATUS: ReadonlySet<number> = new Set([413, 504]);

/**
 * The HTTP status Anthropic pairs with an `error.type`; unknown types count
 * as 500.
 *
 * @example
 * ```ts
 * import { statusForAnthropicErrorType } from "./map_error.ts";
 * console.assert(statusForAnthropicErrorType("overloaded_error") === 529);
 * ```
 */
export function statusForAnthropicErrorType(type: string | undefined): number {
  return (type === undefined ? undefined : STATUS_BY_TYPE[type]) ?? 500;
}

function codeFor(status: number, type: string | undefined, err: Record<string, unknown>) {
  if (type === "authentication_error" || status === 401) return "invalid_api_key";
  if (type === "billing_error") return "insufficient_quota";
  if (type === "request_too_large" || status === 413) return "request_too_large";
  if (type === "overloaded_error" || status === 529) return "overloaded_error";
  if (status === 429) {
    const details = isRecord(err.details) ? err.details : undefined;
    return details?.error_code === "enforced_spend_limit_reached"
      ? "insufficient_quota"
      : "rate_limit_exceeded";
  }
  if (status === 404 && typeof err.message === "string" && err.message.startsWith("model:")) {
    return "model_not_found";
  }
  return null;
}

/**
 * Map an Anthropic error (`{"type":"error","error":{"type","message"}}`, or
 * any text a proxy in front of it sends) to the typed error for its status.
 * The upstream message is kept verbatim in `upstreamMessage`.
 *
 * @example
 * ```ts
 * import { mapAnthropicError } from "./map_error.ts";
 * import { ServiceUnavailableError } from "../../errors.ts";
 * const err = mapAnthropicError(
 *   529,
 *   { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
 *   { provider: "anthropic", model: "anthropic/claude-sonnet-4-5", headers: new Headers() },
 * );
 * console.assert(err instanceof ServiceUnavailableError && err.status === 503);
 * ```
 */
export function mapAnthropicError(status: number, body: unknown, ctx: ErrorContext): LLMuxError {
  const err = isRecord(body) && isRecord(body.error) ? body.error : {};
  const type = typeof err.type === "string" ? err.type : undefined;
  return mapUpstreamError(status, {
    message: messageOf(body),
    code: codeFor(status, type, err),
    contextWindow: status === 400 && typeof err.message === "string" &&
      err.message.includes("prompt is too long"),
    ...(KEEP_STATUS.has(status) ? { status } : {}),
  }, ctx);
}
