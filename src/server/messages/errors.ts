/**
 * llmux errors → Anthropic error responses (`{"type":"error","error":{…}}`).
 *
 * @module
 */

import { LLMuxError, TimeoutError } from "../../errors.ts";
import type { AnthropicErrorBody } from "./types.ts";

/** An error response ready to send: status, Anthropic body and headers. */
export interface AnthropicErrorResponse {
  /** HTTP status. */
  status: number;
  /** `{"type":"error","error":{"type","message"}}`. */
  body: AnthropicErrorBody;
  /** Headers worth sending (`retry-after` when the upstream gave one). */
  headers: Record<string, string>;
}

/** Anthropic's status for overload, used for every "upstream unavailable" error. */
export const OVERLOADED_STATUS = 529;

function classify(status: number, timeout: boolean): { status: number; type: string } {
  if (timeout || status === 408 || status === 504) return { status: 504, type: "timeout_error" };
  switch (status) {
    case 400:
      return { status, type: "invalid_request_error" };
    case 401:
      return { status, type: "authentication_error" };
    case 402:
      return { status, type: "billing_error" };
    case 403:
      return { status, type: "permission_error" };
    case 404:
      return { status, type: "not_found_error" };
    case 413:
      return { status, type: "request_too_large" };
    case 429:
      return { status, type: "rate_limit_error" };
    case 503:
    case 529:
      return { status: OVERLOADED_STATUS, type: "overloaded_error" };
  }
  if (status >= 400 && status < 500) return { status, type: "invalid_request_error" };
  return { status: status >= 500 && status < 600 ? status : 500, type: "api_error" };
}

/**
 * Turn any error into an Anthropic error response. `LLMuxError`s keep their
 * status, mapped to Anthropic's types: 400 (and other 4xx)
 * `invalid_request_error`, 401 `authentication_error`, 402 `billing_error`,
 * 403 `permission_error`, 404 `not_found_error`, 413 `request_too_large`,
 * 429 `rate_limit_error`, 408/504 and timeouts → 504 `timeout_error`,
 * 503/529 → **529** `overloaded_error` (Anthropic's overload status, which
 * Anthropic clients treat as "retry later"), other 5xx `api_error`. Anything
 * else is a 500 `api_error`.
 *
 * @example
 * ```ts
 * import { toAnthropicError } from "./errors.ts";
 * import { NotFoundError } from "../../errors.ts";
 * const { status, body } = toAnthropicError(new NotFoundError("no such model"));
 * console.assert(status === 404 && body.error.type === "not_found_error");
 * ```
 */
export function toAnthropicError(error: unknown): AnthropicErrorResponse {
  const headers: Record<string, string> = {};
  if (error instanceof LLMuxError) {
    const { status, type } = classify(error.status, error instanceof TimeoutError);
    if (error.retryAfter !== undefined && error.retryAfter >= 0) {
      headers["retry-after"] = String(Math.ceil(error.retryAfter));
    }
    return { status, body: { type: "error", error: { type, message: error.message } }, headers };
  }
  const message = error instanceof Error && error.message !== ""
    ? error.message
    : "Internal server error";
  return { status: 500, body: { type: "error", error: { type: "api_error", message } }, headers };
}
