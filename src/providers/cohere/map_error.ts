/**
 * Cohere error bodies (`{"message": "…"}`, sometimes with an `id`) → typed
 * errors.
 *
 * | status | meaning | class (`code`) |
 * |---|---|---|
 * | 400 | bad request; "too many tokens…" | BadRequestError; ContextWindowExceededError |
 * | 401 | missing or invalid key | AuthenticationError (`invalid_api_key`) |
 * | 402 | billing limit | RateLimitError, status 429 (`insufficient_quota`) |
 * | 403 | forbidden | PermissionDeniedError |
 * | 404 | unknown model | NotFoundError (`model_not_found`) |
 * | 413 | request too large | BadRequestError, status 413 (`request_too_large`) |
 * | 422 | unprocessable (invalid field values) | BadRequestError, status 422 |
 * | 429 | rate limited (trial keys: 1000 calls/month) | RateLimitError (`rate_limit_exceeded`) |
 * | 498 | invalid token | AuthenticationError, status 401 (`invalid_api_key`) |
 * | 499 | request cancelled | APIConnectionError, status 499 |
 * | 500, 501 | server error, not implemented | InternalServerError |
 * | 503 | unavailable | ServiceUnavailableError |
 * | 504 | gateway timeout | TimeoutError |
 *
 * @module
 */

import {
  APIConnectionError,
  AuthenticationError,
  type LLMuxError,
  RateLimitError,
} from "../../errors.ts";
import type { ErrorContext } from "../types.ts";
import { type MappedErrorDetails, mapUpstreamError, messageOf } from "../_errors.ts";

/**
 * Map a Cohere error to the typed error for its status.
 *
 * @example
 * ```ts
 * import { mapCohereError } from "./map_error.ts";
 * import { AuthenticationError } from "../../errors.ts";
 * const err = mapCohereError(498, { message: "invalid api token" },
 *   { provider: "cohere", model: "cohere/command-a-03-2025", headers: new Headers() });
 * console.assert(err instanceof AuthenticationError && err.status === 401);
 * ```
 */
export function mapCohereError(status: number, body: unknown, ctx: ErrorContext): LLMuxError {
  const details: MappedErrorDetails = { message: messageOf(body), code: null };
  switch (status) {
    case 401:
      details.code = "invalid_api_key";
      break;
    case 402:
      details.errorClass = RateLimitError;
      details.status = 429;
      details.code = "insufficient_quota";
      break;
    case 404:
      details.code = "model_not_found";
      break;
    case 413:
      details.status = 413;
      details.code = "request_too_large";
      break;
    case 422:
      details.status = 422;
      break;
    case 429:
      details.code = "rate_limit_exceeded";
      break;
    case 498:
      details.errorClass = AuthenticationError;
      details.status = 401;
      details.code = "invalid_api_key";
      break;
    case 499:
      details.errorClass = APIConnectionError;
      details.status = 499;
      details.code = "request_cancelled";
      break;
  }
  return mapUpstreamError(status, details, ctx);
}
