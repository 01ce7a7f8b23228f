/**
 * Azure OpenAI error bodies → typed errors.
 *
 * | status | body | class (`code`) |
 * |---|---|---|
 * | 400 | `code: "content_filter"` (or `innererror.code: "ResponsibleAIPolicyViolation"`) — the prompt was filtered | ContentPolicyViolationError, status 400 (`content_filter`) |
 * | 400 | `code: "context_length_exceeded"` | ContextWindowExceededError |
 * | 401 | `code: "401"` / `{"statusCode":401,"message":…}` | AuthenticationError (`invalid_api_key`) |
 * | 403 | | PermissionDeniedError |
 * | 404 | `code: "DeploymentNotFound"` | NotFoundError (`DeploymentNotFound`) |
 * | 429 | `code: "429"` (`retry-after`, `retry-after-ms`) | RateLimitError (`rate_limit_exceeded`) |
 * | 5xx | | InternalServerError / ServiceUnavailableError / TimeoutError |
 *
 * A numeric `code` (Azure repeats the status there) is replaced by the
 * OpenAI code for the status; named codes are kept.
 *
 * @module
 */

import type { LLMuxError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { ErrorContext } from "../types.ts";
import { mapUpstreamError, messageOf } from "../_errors.ts";

const NUMERIC_REGEXP = /^\d+$/;

/** OpenAI codes for statuses Azure reports only as a number. */
const STATUS_CODES: Readonly<Record<number, string>> = {
  401: "invalid_api_key",
  429: "rate_limit_exceeded",
};

/**
 * Map an Azure OpenAI error to the typed error for it.
 *
 * @example
 * ```ts
 * import { mapAzureError } from "./map_error.ts";
 * import { ContentPolicyViolationError } from "../../errors.ts";
 * const err = mapAzureError(400, {
 *   error: { message: "The response was filtered", type: null, param: "prompt", code: "content_filter", status: 400 },
 * }, { provider: "azure", model: "azure/gpt-4o", headers: new Headers() });
 * console.assert(err instanceof ContentPolicyViolationError && err.status === 400);
 * ```
 */
export function mapAzureError(status: number, body: unknown, ctx: ErrorContext): LLMuxError {
  const err = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  const raw = err?.code;
  let code: string | null = typeof raw === "string" || typeof raw === "number" ? String(raw) : null;
  if (code !== null && NUMERIC_REGEXP.test(code)) code = STATUS_CODES[status] ?? null;
  if (code === null && STATUS_CODES[status]) code = STATUS_CODES[status];
  const inner = err && isRecord(err.innererror) ? err.innererror : undefined;
  const contentFilter = code === "content_filter" ||
    inner?.code === "ResponsibleAIPolicyViolation";
  if (contentFilter) code = "content_filter";
  return mapUpstreamError(status, {
    message: messageOf(body),
    code,
    param: err && typeof err.param === "string" ? err.param : null,
    contextWindow: code === "context_length_exceeded",
    contentPolicy: contentFilter,
  }, ctx);
}
