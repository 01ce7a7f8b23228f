/**
 * Vertex AI errors → typed errors. Two shapes reach a caller:
 *
 * | shape | example | mapped by |
 * |---|---|---|
 * | Google RPC `{"error":{"code","message","status","details"}}` (also in a one-element array) | 401 `UNAUTHENTICATED`, 403 `PERMISSION_DENIED`, 404 `NOT_FOUND`, 429 `RESOURCE_EXHAUSTED`, 400 `INVALID_ARGUMENT` / `FAILED_PRECONDITION`, 500 `INTERNAL`, 503 `UNAVAILABLE`, 504 `DEADLINE_EXCEEDED` | `mapGeminiError` (class by RPC status) |
 * | Anthropic `{"type":"error","error":{"type","message"}}` (Claude model errors) | 400 `invalid_request_error` ("prompt is too long" → context window), 529 `overloaded_error` | `mapAnthropicError` |
 *
 * Anything else is classed by HTTP status.
 *
 * @module
 */

import type { LLMuxError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { ErrorContext } from "../types.ts";
import { mapUpstreamError, messageOf } from "../_errors.ts";
import { mapGeminiError } from "../gemini/map_error.ts";
import { mapAnthropicError } from "../anthropic/map_error.ts";

function isAnthropicError(body: unknown): boolean {
  return isRecord(body) && body.type === "error" && isRecord(body.error) &&
    typeof body.error.type === "string";
}

function isGoogleRpcError(body: unknown): boolean {
  const root = Array.isArray(body) ? body[0] : body;
  return isRecord(root) && isRecord(root.error) &&
    (typeof root.error.status === "string" || typeof root.error.code === "number");
}

/**
 * Map a Vertex AI error body of either shape to the typed error for it.
 *
 * @example
 * ```ts
 * import { mapVertexError } from "./map_error.ts";
 * import { RateLimitError } from "../../errors.ts";
 * const err = mapVertexError(429, {
 *   error: { code: 429, message: "Resource exhausted. Please try again later.", status: "RESOURCE_EXHAUSTED" },
 * }, { provider: "vertex_ai", model: "vertex_ai/gemini-2.5-flash", headers: new Headers() });
 * console.assert(err instanceof RateLimitError);
 * ```
 */
export function mapVertexError(status: number, body: unknown, ctx: ErrorContext): LLMuxError {
  if (isAnthropicError(body)) return mapAnthropicError(status, body, ctx);
  if (isGoogleRpcError(body)) return mapGeminiError(status, body, ctx);
  return mapUpstreamError(status, { message: messageOf(body), code: null }, ctx);
}
