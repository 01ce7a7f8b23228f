/**
 * Bedrock errors → typed llmux errors. Bedrock speaks rest-json: the
 * exception name is in the `x-amzn-errortype` header (`Name:http://…`; the
 * part before `:` counts) or the body's `__type` (`…#Name`), the message in
 * the body's `message` (or `Message`). Mid-stream exceptions carry the same
 * names in camelCase (`throttlingException`).
 *
 * | exception                                   | HTTP | class (status reported)                  |
 * |---------------------------------------------|------|------------------------------------------|
 * | ValidationException                         | 400  | BadRequestError; "too long" / "too many input tokens" / context-window messages → ContextWindowExceededError |
 * | AccessDeniedException                       | 403  | PermissionDeniedError (403)              |
 * | UnrecognizedClientException, InvalidSignatureException, ExpiredTokenException, IncompleteSignatureException, MissingAuthenticationTokenException, InvalidClientTokenId | 403 | AuthenticationError (401) |
 * | ResourceNotFoundException                   | 404  | NotFoundError (`model_not_found`)        |
 * | ModelTimeoutException                       | 408  | TimeoutError (408)                       |
 * | ConflictException                           | 409  | BadRequestError (409)                    |
 * | ModelErrorException, ModelStreamErrorException | 424 | InternalServerError (502: the model failed, a retry may succeed) |
 * | ThrottlingException                         | 429  | RateLimitError                           |
 * | ServiceQuotaExceededException               | 400/429 | RateLimitError (429)                  |
 * | ModelNotReadyException                      | 429  | ServiceUnavailableError (503): the model is still being loaded, which is not the caller's rate; retryable |
 * | InternalServerException                     | 500  | InternalServerError                      |
 * | ServiceUnavailableException                 | 503  | ServiceUnavailableError                  |
 *
 * An `InvalidSignatureException` message carries the canonical request and
 * string to sign AWS expected — with the session token in it when one was
 * signed — so everything from "The Canonical String" on is cut off.
 *
 * @module
 */

import {
  AuthenticationError,
  errorClassForStatus,
  InternalServerError,
  type LLMuxError,
  type LLMuxErrorClass,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
} from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import { parseRetryAfter } from "../../_http.ts";
import type { ErrorContext } from "../types.ts";
import { mapUpstreamError, messageOf } from "../_errors.ts";

interface Rule {
  cls?: LLMuxErrorClass;
  status?: number;
  code?: string;
}

const AUTH: Rule = { cls: AuthenticationError, status: 401, code: "invalid_api_key" };

/** Exception names (lower-cased first letter, so stream names match too) → rule. */
const RULES: Readonly<Record<string, Rule>> = {
  accessDeniedException: { cls: PermissionDeniedError, status: 403 },
  unrecognizedClientException: AUTH,
  invalidSignatureException: AUTH,
  expiredTokenException: AUTH,
  incompleteSignatureException: AUTH,
  missingAuthenticationTokenException: AUTH,
  invalidClientTokenId: AUTH,
  resourceNotFoundException: { cls: NotFoundError, status: 404, code: "model_not_found" },
  modelTimeoutException: { cls: TimeoutError, status: 408 },
  modelErrorException: { cls: InternalServerError, status: 502 },
  modelStreamErrorException: { cls: InternalServerError, status: 502 },
  throttlingException: { cls: RateLimitError, status: 429, code: "rate_limit_exceeded" },
  serviceQuotaExceededException: { cls: RateLimitError, status: 429, code: "rate_limit_exceeded" },
  modelNotReadyException: { cls: ServiceUnavailableError, status: 503 },
  internalServerException: { cls: InternalServerError, status: 500 },
  serviceUnavailableException: { cls: ServiceUnavailableError, status: 503 },
};

/** HTTP status AWS documents for each exception (for those that arrive mid-stream). */
const STATUS_BY_EXCEPTION: Readonly<Record<string, number>> = {
  validationException: 400,
  serviceQuotaExceededException: 400,
  accessDeniedException: 403,
  resourceNotFoundException: 404,
  modelTimeoutException: 408,
  conflictException: 409,
  modelErrorException: 424,
  modelStreamErrorException: 424,
  throttlingException: 429,
  modelNotReadyException: 429,
  internalServerException: 500,
  serviceUnavailableException: 503,
};

const CONTEXT_REGEXP =
  /too long|too many input tokens|context window|context length|maximum (number of )?(input )?tokens/i;
const CANONICAL_REGEXP = /\s*The Canonical String for this request should have been[\s\S]*$/;

function camel(name: string): string {
  return name === "" ? name : name[0].toLowerCase() + name.slice(1);
}

/**
 * The exception name of a Bedrock error: `x-amzn-errortype` (before any
 * `:`), else the body's `__type` (after any `#`) or `code`.
 *
 * @example
 * ```ts
 * import { bedrockErrorType } from "./map_error.ts";
 * const headers = new Headers({ "x-amzn-errortype": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/" });
 * console.assert(bedrockErrorType(headers, {}) === "ValidationException");
 * ```
 */
export function bedrockErrorType(headers: Headers, body: unknown): string | undefined {
  const header = headers.get("x-amzn-errortype");
  if (header) return header.split(":")[0].trim();
  if (isRecord(body)) {
    const type = typeof body.__type === "string" ? body.__type : body.code;
    if (typeof type === "string" && type !== "") return type.slice(type.lastIndexOf("#") + 1);
  }
  return undefined;
}

/**
 * The HTTP status AWS documents for an exception name (either case); unknown
 * names count as 500.
 *
 * @example
 * ```ts
 * import { statusForBedrockException } from "./map_error.ts";
 * console.assert(statusForBedrockException("throttlingException") === 429);
 * ```
 */
export function statusForBedrockException(name: string | undefined): number {
  return (name === undefined ? undefined : STATUS_BY_EXCEPTION[camel(name)]) ?? 500;
}

function messageText(body: unknown): string {
  const raw = isRecord(body) && typeof body.Message === "string" && typeof body.message !== "string"
    ? body.Message
    : messageOf(body);
  return raw.replace(CANONICAL_REGEXP, "");
}

/**
 * Map a Bedrock error (status, parsed body, response headers) to the typed
 * error of the table above. The upstream message (minus any echoed
 * canonical request) is kept in `upstreamMessage`, prefixed by the
 * exception name in `message`.
 *
 * @example
 * ```ts
 * import { mapBedrockError } from "./map_error.ts";
 * import { ContextWindowExceededError } from "../../errors.ts";
 * const err = mapBedrockError(
 *   400,
 *   { message: "Input is too long for requested model." },
 *   { provider: "bedrock", model: "bedrock/m", headers: new Headers({ "x-amzn-errortype": "ValidationException" }) },
 * );
 * console.assert(err instanceof ContextWindowExceededError);
 * ```
 */
export function mapBedrockError(status: number, body: unknown, ctx: ErrorContext): LLMuxError {
  const type = bedrockErrorType(ctx.headers, body);
  const message = messageText(body);
  const shown = type ? `${type}: ${message}` : message;
  const rule = type === undefined ? undefined : RULES[camel(type)];
  if (rule === undefined) {
    // ValidationException, ConflictException and unknown names go by status.
    return mapUpstreamError(status, {
      message: shown,
      contextWindow: status === 400 && CONTEXT_REGEXP.test(message),
    }, ctx);
  }
  const Cls = rule.cls ?? errorClassForStatus(status);
  const reported = rule.status ?? status;
  const error = new Cls(`${ctx.provider} error (${status}): ${shown || "no message"}`, {
    provider: ctx.provider,
    model: ctx.model,
    status: reported,
    code: rule.code ?? null,
    upstreamMessage: shown,
    upstreamStatus: status,
    retryAfter: parseRetryAfter(ctx.headers),
  });
  return error;
}
