/**
 * Error classification for the Router: which typed errors are worth a
 * retry, which cool a deployment down, which move the request to a
 * fallback group, and how LiteLLM's `RetryPolicy` / `AllowedFailsPolicy`
 * override the defaults per error class.
 *
 * @module
 */

import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  ContentPolicyViolationError,
  ContextWindowExceededError,
  InternalServerError,
  LLMuxError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  UnsupportedParamsError,
} from "../errors.ts";

/**
 * Retries per error class, overriding `num_retries` (LiteLLM's
 * `RetryPolicy`, same field names). A field left out keeps the default:
 * `num_retries` for retryable errors, 0 for the others.
 *
 * @example
 * ```ts
 * import type { RetryPolicy } from "./policy.ts";
 * const policy: RetryPolicy = { RateLimitErrorRetries: 5, AuthenticationErrorRetries: 0 };
 * console.assert(policy.RateLimitErrorRetries === 5);
 * ```
 */
export interface RetryPolicy {
  /** 400 (including context-window and unsupported-parameter errors). */
  BadRequestErrorRetries?: number;
  /** 401. */
  AuthenticationErrorRetries?: number;
  /** 408 / timeouts. */
  TimeoutErrorRetries?: number;
  /** 429. */
  RateLimitErrorRetries?: number;
  /** Content-policy refusals. */
  ContentPolicyViolationErrorRetries?: number;
  /** 5xx, 529/503 overloads and connection failures. */
  InternalServerErrorRetries?: number;
  /** 404 (newer LiteLLM versions have it too). */
  NotFoundErrorRetries?: number;
}

/**
 * Failures per error class a deployment may have in a minute before it
 * cools down (LiteLLM's `AllowedFailsPolicy`, same field names). A class
 * named here is counted against its own limit, even one that would
 * otherwise cool a deployment down at once (429) or never (400).
 *
 * @example
 * ```ts
 * import type { AllowedFailsPolicy } from "./policy.ts";
 * const policy: AllowedFailsPolicy = { RateLimitErrorAllowedFails: 100 };
 * console.assert(policy.RateLimitErrorAllowedFails === 100);
 * ```
 */
export interface AllowedFailsPolicy {
  /** 400. */
  BadRequestErrorAllowedFails?: number;
  /** 401. */
  AuthenticationErrorAllowedFails?: number;
  /** 408 / timeouts. */
  TimeoutErrorAllowedFails?: number;
  /** 429. */
  RateLimitErrorAllowedFails?: number;
  /** Content-policy refusals. */
  ContentPolicyViolationErrorAllowedFails?: number;
  /** 5xx, 529/503 overloads and connection failures. */
  InternalServerErrorAllowedFails?: number;
}

/** What kind of failure an error is. */
export type ErrorKind =
  | "context_window"
  | "content_policy"
  | "unsupported_params"
  | "bad_request"
  | "authentication"
  | "permission_denied"
  | "not_found"
  | "rate_limit"
  | "timeout"
  | "service_unavailable"
  | "server_error"
  | "connection"
  | "unknown";

/** Which fallback list an error leads to once the group's retries are spent. */
export type FallbackRoute = "context_window" | "content_policy" | "generic" | "none";

/** How a failure counts toward a deployment's cooldown. */
export type CooldownRule = "immediate" | "count" | "none";

/** The Router's reading of an error. */
export interface ErrorClassification {
  /** The kind of failure. */
  readonly kind: ErrorKind;
  /** Whether a retry may cure it (429, 408, 5xx, 529, connection failures). */
  readonly retryable: boolean;
  /** Which fallback list applies after the group's retries. */
  readonly fallback: FallbackRoute;
  /** How it counts toward cooldown (LiteLLM: 429/401/404/408 at once, 5xx counted, other 4xx never). */
  readonly cooldown: CooldownRule;
  /** The `RetryPolicy` field for this class, if any. */
  readonly retryField: keyof RetryPolicy | undefined;
  /** The `AllowedFailsPolicy` field for this class, if any. */
  readonly allowedFailsField: keyof AllowedFailsPolicy | undefined;
  /** The HTTP status to report. */
  readonly status: number;
}

function make(
  kind: ErrorKind,
  status: number,
  retryable: boolean,
  fallback: FallbackRoute,
  cooldown: CooldownRule,
  retryField: keyof RetryPolicy | undefined,
  allowedFailsField: keyof AllowedFailsPolicy | undefined,
): ErrorClassification {
  return { kind, status, retryable, fallback, cooldown, retryField, allowedFailsField };
}

/**
 * Classify an error raised by `completion()` / `embedding()` (or by the
 * Router itself). Errors that are not {@linkcode LLMuxError}s (a caller's
 * abort, a bug) are `unknown`: never retried, never a reason to fall back.
 *
 * Classification is by class first, then by status for a bare
 * `LLMuxError`:
 * - retryable: 429, 408 / {@linkcode TimeoutError}, 5xx, 503/529
 *   ({@linkcode ServiceUnavailableError}), {@linkcode APIConnectionError};
 * - not retryable: 400 {@linkcode BadRequestError} and its subclasses, 401,
 *   403, 404.
 * - fallbacks: context-window and content-policy errors have their own
 *   lists; a plain 400 has none (the request is malformed everywhere);
 *   {@linkcode UnsupportedParamsError} and every other error use the generic
 *   `fallbacks` / `default_fallbacks`.
 *
 * @example
 * ```ts
 * import { classifyError } from "./policy.ts";
 * import { RateLimitError, BadRequestError } from "../errors.ts";
 * console.assert(classifyError(new RateLimitError("slow down")).retryable);
 * console.assert(classifyError(new BadRequestError("bad")).fallback === "none");
 * ```
 */
export function classifyError(error: unknown): ErrorClassification {
  if (!(error instanceof LLMuxError)) {
    return make("unknown", 500, false, "none", "none", undefined, undefined);
  }
  const s = error.status;
  if (error instanceof ContextWindowExceededError) {
    return make(
      "context_window",
      s,
      false,
      "context_window",
      "none",
      "BadRequestErrorRetries",
      "BadRequestErrorAllowedFails",
    );
  }
  if (error instanceof ContentPolicyViolationError) {
    return make(
      "content_policy",
      s,
      false,
      "content_policy",
      "none",
      "ContentPolicyViolationErrorRetries",
      "ContentPolicyViolationErrorAllowedFails",
    );
  }
  if (error instanceof UnsupportedParamsError) {
    return make(
      "unsupported_params",
      s,
      false,
      "generic",
      "none",
      "BadRequestErrorRetries",
      "BadRequestErrorAllowedFails",
    );
  }
  if (error instanceof BadRequestError) {
    return make(
      "bad_request",
      s,
      false,
      "none",
      "none",
      "BadRequestErrorRetries",
      "BadRequestErrorAllowedFails",
    );
  }
  if (error instanceof AuthenticationError) {
    return make(
      "authentication",
      s,
      false,
      "generic",
      "immediate",
      "AuthenticationErrorRetries",
      "AuthenticationErrorAllowedFails",
    );
  }
  if (error instanceof PermissionDeniedError) {
    return make("permission_denied", s, false, "generic", "none", undefined, undefined);
  }
  if (error instanceof NotFoundError) {
    return make("not_found", s, false, "generic", "immediate", "NotFoundErrorRetries", undefined);
  }
  if (error instanceof RateLimitError) {
    return make(
      "rate_limit",
      s,
      true,
      "generic",
      "immediate",
      "RateLimitErrorRetries",
      "RateLimitErrorAllowedFails",
    );
  }
  if (error instanceof TimeoutError) {
    return make(
      "timeout",
      s,
      true,
      "generic",
      "immediate",
      "TimeoutErrorRetries",
      "TimeoutErrorAllowedFails",
    );
  }
  if (error instanceof ServiceUnavailableError) {
    return serverLike("service_unavailable", s);
  }
  if (error instanceof APIConnectionError) return serverLike("connection", s);
  if (error instanceof InternalServerError) return serverLike("server_error", s);
  // A bare LLMuxError (or another subclass): go by status.
  if (s === 429) return classifyError(new RateLimitError(error.message));
  if (s === 408) return classifyError(new TimeoutError(error.message));
  if (s === 401) return classifyError(new AuthenticationError(error.message));
  if (s === 404) return classifyError(new NotFoundError(error.message));
  if (s === 403) return classifyError(new PermissionDeniedError(error.message));
  if (s >= 500) {
    return serverLike(s === 503 || s === 529 ? "service_unavailable" : "server_error", s);
  }
  return make("bad_request", s, false, "none", "none", "BadRequestErrorRetries", undefined);
}

function serverLike(kind: ErrorKind, status: number): ErrorClassification {
  return make(
    kind,
    status,
    true,
    "generic",
    "count",
    "InternalServerErrorRetries",
    "InternalServerErrorAllowedFails",
  );
}

/**
 * How many retries a group gets for this error: the retry policy's field
 * for the error's class when set (a per-group policy first), else
 * `numRetries` for retryable errors and 0 for the others.
 *
 * @example
 * ```ts
 * import { retriesFor } from "./policy.ts";
 * import { RateLimitError, AuthenticationError } from "../errors.ts";
 * console.assert(retriesFor(new RateLimitError("x"), { numRetries: 2 }) === 2);
 * console.assert(retriesFor(new AuthenticationError("x"), { numRetries: 2 }) === 0);
 * console.assert(retriesFor(new RateLimitError("x"), {
 *   numRetries: 2,
 *   retryPolicy: { RateLimitErrorRetries: 5 },
 * }) === 5);
 * ```
 */
export function retriesFor(
  error: unknown,
  options: { numRetries: number; retryPolicy?: RetryPolicy | undefined },
): number {
  const cls = classifyError(error);
  const field = cls.retryField;
  const fromPolicy = field === undefined ? undefined : options.retryPolicy?.[field];
  if (typeof fromPolicy === "number") return Math.max(0, Math.floor(fromPolicy));
  return cls.retryable ? options.numRetries : 0;
}
