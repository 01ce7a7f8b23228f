/**
 * Error responses of the proxy: every failure is an OpenAI-shaped JSON body
 * with a meaningful status; anything unexpected is a 500 whose message never
 * carries internals or secrets.
 *
 * @module
 */

import { BadRequestError, LLMuxError } from "../errors.ts";

/** An error response: status, OpenAI body and headers. */
export interface ErrorResponseParts {
  /** HTTP status. */
  status: number;
  /** `{ error: { message, type, param, code } }`. */
  body: { error: { message: string; type: string; param: string | null; code: string | null } };
  /** Headers to send (retry-after, rate limits). */
  headers: Record<string, string>;
}

/** Headers of a typed error worth sending to the client. */
export function errorHeaders(error: LLMuxError): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(error.headers)) {
    if (name.startsWith("x-ratelimit-") || name === "retry-after" || name === "retry-after-ms") {
      headers[name] = value;
    }
  }
  if (error.retryAfter !== undefined && headers["retry-after"] === undefined) {
    headers["retry-after"] = String(Math.max(0, Math.ceil(error.retryAfter)));
  }
  return headers;
}

/** Map any thrown value to an error response. */
export function toErrorResponse(error: unknown): ErrorResponseParts {
  if (error instanceof LLMuxError) {
    const status = error.status >= 400 && error.status <= 599 ? error.status : 500;
    return { status, body: error.body, headers: errorHeaders(error) };
  }
  if (error instanceof DOMException && error.name === "AbortError") {
    return {
      status: 499,
      body: {
        error: {
          message: "Client closed the request",
          type: "client_closed_request",
          param: null,
          code: null,
        },
      },
      headers: {},
    };
  }
  return {
    status: 500,
    body: {
      error: {
        message: "Internal error in llmux",
        type: "internal_server_error",
        param: null,
        code: null,
      },
    },
    headers: {},
  };
}

/** A JSON `Response` for any thrown value. */
export function errorResponse(error: unknown, extraHeaders: Record<string, string> = {}): Response {
  const { status, body, headers } = toErrorResponse(error);
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers, ...extraHeaders },
  });
}

/** A 4xx with an OpenAI body, for the proxy's own checks. */
export function clientError(
  status: number,
  message: string,
  options: { type?: string; code?: string | null; param?: string | null } = {},
): BadRequestError {
  return new BadRequestError(message, {
    status,
    type: options.type ?? "invalid_request_error",
    code: options.code ?? null,
    param: options.param ?? null,
  });
}
