/**
 * Sending one upstream request: injected fetch, timeout and caller signal
 * merged, non-2xx answers mapped to typed errors by the adapter, secrets
 * redacted from anything that could reach a log or a client.
 *
 * @module
 */

import {
  APIConnectionError,
  type LLMuxError,
  LLMuxError as BaseError,
  TimeoutError,
} from "./errors.ts";
import type { ProviderAdapter, UpstreamRequest } from "./providers/types.ts";

/** Options for {@linkcode sendUpstream}. */
export interface SendOptions {
  /** The fetch to use. */
  fetch: typeof fetch;
  /** The adapter that maps errors. */
  adapter: ProviderAdapter;
  /** Model string as requested (for errors). */
  model: string;
  /** Caller's abort signal. */
  signal?: AbortSignal | undefined;
  /** Timeout in milliseconds until the response headers arrive (and the body, unless streaming). */
  timeoutMs?: number | undefined;
  /** Secrets to redact from error messages. */
  secrets: readonly string[];
}

/** A successful upstream response plus the means to stop the timeout. */
export interface UpstreamResponse {
  /** The response (2xx). */
  response: Response;
  /** Clears the timeout; call once the body has been read or handed to a stream. */
  done(): void;
  /** The merged signal the request was sent with, if any. */
  signal: AbortSignal | undefined;
}

/** Headers worth passing on from an upstream response. */
export function pickForwardHeaders(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    if (
      name.startsWith("x-ratelimit-") || name.startsWith("anthropic-ratelimit-") ||
      name === "retry-after" || name === "retry-after-ms" || name === "x-request-id" ||
      name === "request-id"
    ) {
      out[name] = value;
    }
  }
  return out;
}

/** Seconds to wait from `retry-after-ms` / `retry-after` (seconds or HTTP date). */
export function parseRetryAfter(headers: Headers, nowMs: number = Date.now()): number | undefined {
  const ms = headers.get("retry-after-ms");
  if (ms !== null && ms.trim() !== "" && Number.isFinite(Number(ms))) return Number(ms) / 1000;
  const value = headers.get("retry-after");
  if (value === null || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, (date - nowMs) / 1000);
  return undefined;
}

/** Replace every occurrence of each secret (and of its long prefixes) with `[REDACTED]`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 6) continue;
    out = out.split(secret).join("[REDACTED]");
    // Providers sometimes echo a truncated key ("sk-abc...wxyz").
    const head = secret.slice(0, Math.min(12, secret.length - 4));
    if (head.length >= 8) out = out.split(head).join("[REDACTED]");
  }
  return out;
}

function rebuild(
  err: LLMuxError,
  secrets: readonly string[],
  extra: Record<string, string>,
  retry?: number,
) {
  const message = redact(err.message, secrets);
  const Ctor = err.constructor as new (m: string, o: object) => LLMuxError;
  return new Ctor(message, {
    provider: err.provider,
    model: err.model,
    param: err.param,
    code: err.code,
    type: err.type,
    status: err.status,
    upstreamMessage: err.upstreamMessage === undefined
      ? undefined
      : redact(err.upstreamMessage, secrets),
    upstreamStatus: err.upstreamStatus,
    headers: { ...extra, ...err.headers },
    retryAfter: err.retryAfter ?? retry,
  });
}

/**
 * A typed error with every secret taken out of its messages (mid-stream
 * errors carry the provider's own words); anything else is returned as is.
 */
export function redactError(error: unknown, secrets: readonly string[]): unknown {
  if (!(error instanceof BaseError) || secrets.length === 0) return error;
  const text = `${error.message}\n${error.upstreamMessage ?? ""}`;
  if (redact(text, secrets) === text) return error;
  return rebuild(error, secrets, {});
}

/** Read a failed response and map it through the adapter. */
export async function errorFromResponse(
  response: Response,
  options: Pick<SendOptions, "adapter" | "model" | "secrets">,
): Promise<LLMuxError> {
  let text = "";
  try {
    text = await response.text();
  } catch {
    // body unreadable: map on status alone
  }
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep text
  }
  const mapped = options.adapter.mapError(response.status, body, {
    provider: options.adapter.id,
    model: options.model,
    headers: response.headers,
  });
  return rebuild(
    mapped,
    options.secrets,
    pickForwardHeaders(response.headers),
    parseRetryAfter(response.headers),
  );
}

/**
 * Send a request; resolve with a 2xx response or reject with a typed error.
 * Aborts by the caller reject with the caller's reason.
 */
export async function sendUpstream(
  request: UpstreamRequest,
  options: SendOptions,
): Promise<UpstreamResponse> {
  const { adapter, model } = options;
  let timeoutController: AbortController | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let signal = options.signal;
  if (options.timeoutMs !== undefined && options.timeoutMs > 0) {
    const controller = timeoutController = new AbortController();
    timer = setTimeout(
      () => controller.abort(new DOMException("timed out", "TimeoutError")),
      options.timeoutMs,
    );
    signal = signal ? AbortSignal.any([signal, controller.signal]) : controller.signal;
  }
  const done = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
  };
  let response: Response;
  try {
    response = await options.fetch(request.url, {
      method: request.method ?? "POST",
      headers: request.headers,
      body: request.body,
      signal,
    });
  } catch (cause) {
    done();
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeoutController?.signal.aborted) {
      throw new TimeoutError(
        `Request to provider "${adapter.id}" timed out after ${options.timeoutMs} ms`,
        { provider: adapter.id, model },
      );
    }
    if (cause instanceof BaseError) throw cause;
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new APIConnectionError(
      `Cannot connect to provider "${adapter.id}": ${redact(reason, options.secrets)}`,
      { provider: adapter.id, model },
    );
  }
  if (!response.ok) {
    if (response.status === 401) request.onUnauthorized?.();
    try {
      throw await errorFromResponse(response, options);
    } finally {
      done();
    }
  }
  return { response, done, signal };
}

/** Read a JSON body, mapping read failures and timeouts to typed errors. */
export async function readJson(
  upstream: UpstreamResponse,
  options: Pick<SendOptions, "adapter" | "model" | "signal" | "timeoutMs">,
): Promise<unknown> {
  const { adapter, model } = options;
  let text: string;
  try {
    text = await upstream.response.text();
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (upstream.signal?.aborted) {
      throw new TimeoutError(
        `Request to provider "${adapter.id}" timed out after ${options.timeoutMs} ms`,
        { provider: adapter.id, model },
      );
    }
    throw new APIConnectionError(
      `Connection to provider "${adapter.id}" failed while reading the response: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { provider: adapter.id, model },
    );
  } finally {
    upstream.done();
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new APIConnectionError(
      `Provider "${adapter.id}" returned a response that is not valid JSON: ${text.slice(0, 200)}`,
      { provider: adapter.id, model },
    );
  }
}
