/**
 * Ollama error bodies (`{"error": "…"}`) → typed errors.
 *
 * | status | class |
 * |---|---|
 * | 400 | `BadRequestError` (or `ContextWindowExceededError` by message) |
 * | 401 | `AuthenticationError` (ollama.com without a valid key) |
 * | 403 | `PermissionDeniedError` |
 * | 404 | `NotFoundError` (`model 'x' not found`) |
 * | 429 | `RateLimitError` |
 * | 500 | `InternalServerError` |
 * | 502, 503 | `ServiceUnavailableError` (502: cloud model unreachable) |
 *
 * @module
 */

import { type LLMuxError, ServiceUnavailableError } from "../../errors.ts";
import type { ErrorContext } from "../types.ts";
import { mapUpstreamError, messageOf } from "../_errors.ts";

/**
 * Map an Ollama error (parsed JSON body, or text when not JSON) to the typed
 * error for its status. Also used for `{"error": …}` lines inside a stream.
 *
 * @example
 * ```ts
 * import { mapOllamaError } from "./map_error.ts";
 * import { NotFoundError } from "../../errors.ts";
 * const err = mapOllamaError(404, { error: "model 'nope' not found" }, {
 *   provider: "ollama", model: "ollama/nope", headers: new Headers(),
 * });
 * console.assert(err instanceof NotFoundError && err.upstreamMessage === "model 'nope' not found");
 * ```
 */
export function mapOllamaError(status: number, body: unknown, ctx: ErrorContext): LLMuxError {
  return mapUpstreamError(status, {
    message: messageOf(body),
    ...(status === 502 ? { errorClass: ServiceUnavailableError } : {}),
  }, ctx);
}
