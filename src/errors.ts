/**
 * Typed errors. Every error llmux raises is an {@linkcode LLMuxError} with an
 * HTTP `status`, the `provider` and `model` involved, and an OpenAI-shaped
 * body (`{ error: { message, type, param, code } }`) ready to send to a client.
 *
 * @module
 */

/** The OpenAI-shaped error body. */
export interface OpenAIErrorBody {
  /** The error. */
  error: {
    /** Human-readable message. */
    message: string;
    /** Error type, e.g. `invalid_request_error`. */
    type: string;
    /** The offending parameter, if known. */
    param: string | null;
    /** Machine-readable code, if any. */
    code: string | null;
  };
}

/** Options shared by every error class. */
export interface LLMuxErrorOptions {
  /** Provider id, e.g. `"anthropic"`. */
  provider?: string;
  /** Model string as requested. */
  model?: string;
  /** Offending parameter. */
  param?: string | null;
  /** Machine-readable code. */
  code?: string | null;
  /** Override the OpenAI `type`. */
  type?: string;
  /** Override the HTTP status. */
  status?: number;
  /** The upstream's own message, verbatim (secrets redacted). */
  upstreamMessage?: string;
  /** The upstream's HTTP status, when it differs from `status`. */
  upstreamStatus?: number;
  /** Upstream response headers worth passing on (rate limits, request ids). */
  headers?: Record<string, string>;
  /** Seconds to wait before retrying, from `retry-after` / `retry-after-ms`. */
  retryAfter?: number;
  /** The underlying cause. */
  cause?: unknown;
}

/**
 * Base class of every llmux error.
 *
 * @example
 * ```ts
 * import { LLMuxError, RateLimitError } from "./errors.ts";
 * const err = new RateLimitError("slow down", { provider: "openai", retryAfter: 2 });
 * console.assert(err instanceof LLMuxError && err.status === 429);
 * ```
 */
export class LLMuxError extends Error {
  /** HTTP status to report. */
  readonly status: number;
  /** OpenAI error type. */
  readonly type: string;
  /** Offending parameter, or null. */
  readonly param: string | null;
  /** Machine-readable code, or null. */
  readonly code: string | null;
  /** Provider id, when known. */
  readonly provider: string | undefined;
  /** Model string, when known. */
  readonly model: string | undefined;
  /** The upstream's message, when the error came from a provider. */
  readonly upstreamMessage: string | undefined;
  /** The upstream's HTTP status, when the error came from a provider. */
  readonly upstreamStatus: number | undefined;
  /** Upstream headers worth passing on. */
  readonly headers: Record<string, string>;
  /** Seconds to wait before retrying, when the upstream said. */
  readonly retryAfter: number | undefined;

  /** Default status of the class. */
  static readonly defaultStatus: number = 500;
  /** Default OpenAI type of the class. */
  static readonly defaultType: string = "api_error";

  /**
   * Create an error.
   *
   * @param message Message for humans.
   * @param options Details.
   */
  constructor(message: string, options: LLMuxErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const ctor = this.constructor as typeof LLMuxError;
    this.name = ctor.name;
    this.status = options.status ?? ctor.defaultStatus;
    this.type = options.type ?? ctor.defaultType;
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.provider = options.provider;
    this.model = options.model;
    this.upstreamMessage = options.upstreamMessage;
    this.upstreamStatus = options.upstreamStatus;
    this.headers = options.headers ?? {};
    this.retryAfter = options.retryAfter;
  }

  /** The OpenAI-shaped body for this error. */
  get body(): OpenAIErrorBody {
    return {
      error: { message: this.message, type: this.type, param: this.param, code: this.code },
    };
  }

  /** JSON form: the OpenAI-shaped body. */
  toJSON(): OpenAIErrorBody {
    return this.body;
  }
}

/** 400: the request is malformed or a value is out of range. */
export class BadRequestError extends LLMuxError {
  /** HTTP status this class reports. */
  static override readonly defaultStatus: number = 400;
  /** OpenAI error type this class reports. */
  static override readonly defaultType: string = "invalid_request_error";
}

/** 400: a parameter is not supported by the provider (use `drop_params: true` to drop it). */
export class UnsupportedParamsError extends BadRequestError {
  /** OpenAI error type this class reports. */
  static override readonly defaultType: string = "invalid_request_error";
}

/** 400: the prompt does not fit the model's context window. */
export class ContextWindowExceededError extends BadRequestError {}

/** 400: the provider refused the content on policy grounds. */
export class ContentPolicyViolationError extends BadRequestError {}

/** 401: the API key is missing or invalid. */
export class AuthenticationError extends LLMuxError {
  /** HTTP status this class reports. */
  static override readonly defaultStatus: number = 401;
  /** OpenAI error type this class reports. */
  static override readonly defaultType: string = "authentication_error";
}

/** 403: the key may not use this resource. */
export class PermissionDeniedError extends LLMuxError {
  /** HTTP status this class reports. */
  static override readonly defaultStatus: number = 403;
  /** OpenAI error type this class reports. */
  static override readonly defaultType: string = "permission_error";
}

/** 404: the model or resource does not exist. */
export class NotFoundError extends LLMuxError {
  /** HTTP status this class reports. */
  static override readonly defaultStatus: number = 404;
  /** OpenAI error type this class reports. */
  static override readonly defaultType: string = "not_found_error";
}

/** 408: the upstream did not answer in time. */
export class TimeoutError extends LLMuxError {
  /** HTTP status this class reports. */
  static override readonly defaultStatus: number = 408;
  /** OpenAI error type this class reports. */
  static override readonly defaultType: string = "timeout";
}

/** 429: rate limited or out of quota; see `retryAfter`. */
export class RateLimitError extends LLMuxError {
  /** HTTP status this class reports. */
  static override readonly defaultStatus: number = 429;
  /** OpenAI error type this class reports. */
  static override readonly defaultType: string = "rate_limit_error";
}

/** 500: the upstream failed. */
export class InternalServerError extends LLMuxError {
  /** HTTP status this class reports. */
  static override readonly defaultStatus: number = 500;
  /** OpenAI error type this class reports. */
  static override readonly defaultType: string = "server_error";
}

/** 503: the upstream is overloaded or unavailable (Anthropic 529 included). */
export class ServiceUnavailableError extends LLMuxError {
  /** HTTP status this class reports. */
  static override readonly defaultStatus: number = 503;
  /** OpenAI error type this class reports. */
  static override readonly defaultType: string = "service_unavailable";
}

/** 500: the upstream could not be reached, or its answer could not be read. */
export class APIConnectionError extends LLMuxError {
  /** HTTP status this class reports. */
  static override readonly defaultStatus: number = 500;
  /** OpenAI error type this class reports. */
  static override readonly defaultType: string = "api_connection_error";
}

/** Every error class, by name. */
export type LLMuxErrorClass = typeof LLMuxError;

/**
 * Pick the error class for an upstream HTTP status, the way the OpenAI SDKs
 * and LiteLLM do.
 *
 * @example
 * ```ts
 * import { errorClassForStatus, RateLimitError } from "./errors.ts";
 * console.assert(errorClassForStatus(429) === RateLimitError);
 * ```
 */
export function errorClassForStatus(status: number): LLMuxErrorClass {
  if (status === 400 || status === 409 || status === 413 || status === 422) {
    return BadRequestError;
  }
  if (status === 401) return AuthenticationError;
  if (status === 402) return RateLimitError;
  if (status === 403) return PermissionDeniedError;
  if (status === 404) return NotFoundError;
  if (status === 408 || status === 504) return TimeoutError;
  if (status === 429) return RateLimitError;
  if (status === 503 || status === 529) return ServiceUnavailableError;
  if (status >= 500) return InternalServerError;
  if (status >= 400) return BadRequestError;
  return InternalServerError;
}

/** True for statuses a retry may cure (429, 408, 5xx, 529). */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 409 || status === 429 || status >= 500;
}
