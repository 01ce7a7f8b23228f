/**
 * Google RPC error bodies (`{"error":{"code","message","status","details"}}`)
 * → typed errors. Shared by the Gemini API and Vertex AI.
 *
 * @module
 */

import {
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  type LLMuxError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
} from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { ErrorContext } from "../types.ts";
import { type MappedErrorDetails, mapUpstreamError, messageOf } from "../_errors.ts";
import type { GeminiErrorDetail } from "./api_types.ts";

type ErrorClass = NonNullable<MappedErrorDetails["errorClass"]>;

/** Error class per Google RPC status, used when it is more precise than the HTTP status. */
const RPC_STATUS_CLASSES: Readonly<Record<string, ErrorClass>> = {
  INVALID_ARGUMENT: BadRequestError,
  FAILED_PRECONDITION: BadRequestError,
  OUT_OF_RANGE: BadRequestError,
  UNAUTHENTICATED: AuthenticationError,
  PERMISSION_DENIED: PermissionDeniedError,
  NOT_FOUND: NotFoundError,
  RESOURCE_EXHAUSTED: RateLimitError,
  INTERNAL: InternalServerError,
  UNAVAILABLE: ServiceUnavailableError,
  DEADLINE_EXCEEDED: TimeoutError,
};

/** OpenAI-style `code` per Google RPC status. */
const RPC_STATUS_CODES: Readonly<Record<string, string>> = {
  NOT_FOUND: "model_not_found",
  RESOURCE_EXHAUSTED: "rate_limit_exceeded",
};

const DURATION_REGEXP = /^\s*(\d+(?:\.\d+)?)s\s*$/;
const INPUT_TOO_LONG_REGEXP = /input token count.*exceeds|exceeds the maximum number of tokens/i;

/**
 * Seconds from a protobuf Duration string such as `"7s"` or `"0.5s"`
 * (the `retryDelay` of a `google.rpc.RetryInfo` detail); undefined otherwise.
 *
 * @example
 * ```ts
 * import { parseGeminiRetryDelay } from "./map_error.ts";
 * console.assert(parseGeminiRetryDelay("7s") === 7);
 * ```
 */
export function parseGeminiRetryDelay(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = DURATION_REGEXP.exec(value);
  return match ? Number(match[1]) : undefined;
}

function errorObject(body: unknown): Record<string, unknown> | undefined {
  // The non-SSE stream form wraps the error in a one-element array.
  const root = Array.isArray(body) ? body[0] : body;
  return isRecord(root) && isRecord(root.error) ? root.error : undefined;
}

function detailsOf(error: Record<string, unknown> | undefined): GeminiErrorDetail[] {
  if (!error || !Array.isArray(error.details)) return [];
  return error.details.filter(isRecord) as GeminiErrorDetail[];
}

/**
 * Map a Google RPC error to a typed error. The class follows the RPC
 * `status` (`INVALID_ARGUMENT` → {@linkcode BadRequestError},
 * `RESOURCE_EXHAUSTED` → {@linkcode RateLimitError}, …) and falls back to
 * the HTTP status. An `ErrorInfo` reason `API_KEY_INVALID` (sent with HTTP
 * 400) becomes a 401 {@linkcode AuthenticationError}; "input token count …
 * exceeds" becomes a `ContextWindowExceededError`. Without a `retry-after`
 * header, a `RetryInfo.retryDelay` sets `retryAfter`.
 *
 * @example
 * ```ts
 * import { mapGeminiError } from "./map_error.ts";
 * const err = mapGeminiError(429, {
 *   error: { code: 429, message: "Quota exceeded", status: "RESOURCE_EXHAUSTED" },
 * }, { provider: "gemini", model: "gemini-2.5-flash", headers: new Headers() });
 * console.assert(err.status === 429);
 * ```
 */
export function mapGeminiError(status: number, body: unknown, ctx: ErrorContext): LLMuxError {
  const error = errorObject(body);
  const details = detailsOf(error);
  const rpcStatus = typeof error?.status === "string" ? error.status : undefined;
  const message = error && typeof error.message === "string" ? error.message : messageOf(body);
  const mapped: MappedErrorDetails = { message, code: null };
  const Cls = rpcStatus === undefined ? undefined : RPC_STATUS_CLASSES[rpcStatus];
  if (Cls) mapped.errorClass = Cls;
  if (rpcStatus !== undefined && RPC_STATUS_CODES[rpcStatus]) {
    mapped.code = RPC_STATUS_CODES[rpcStatus];
  }
  let retryDelay: number | undefined;
  for (const detail of details) {
    if (detail.reason === "API_KEY_INVALID") {
      mapped.errorClass = AuthenticationError;
      mapped.status = 401;
      mapped.code = "invalid_api_key";
    }
    retryDelay ??= parseGeminiRetryDelay(detail.retryDelay);
  }
  if (INPUT_TOO_LONG_REGEXP.test(message)) mapped.contextWindow = true;
  let headers = ctx.headers;
  if (retryDelay !== undefined && !headers.has("retry-after") && !headers.has("retry-after-ms")) {
    headers = new Headers(headers);
    headers.set("retry-after", String(retryDelay));
  }
  return mapUpstreamError(status, mapped, { ...ctx, headers });
}
