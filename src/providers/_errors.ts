/**
 * Shared pieces of the per-provider error tables: status → class, plus the
 * message patterns that mark context-window and content-policy failures.
 *
 * @module
 */

import {
  ContentPolicyViolationError,
  ContextWindowExceededError,
  errorClassForStatus,
  type LLMuxError,
} from "../errors.ts";
import { parseRetryAfter } from "../_http.ts";
import type { ErrorContext } from "./types.ts";

const CONTEXT_WINDOW_REGEXP =
  /context[_ ]length[_ ]exceeded|maximum context length|prompt is too long|context window|input token count .* exceeds|too many (input )?tokens|reduce the length of the messages|input is too long/i;
const CONTENT_POLICY_REGEXP =
  /content[_ ]policy|content[_ ]filter|safety system|responsibleaipolicyviolation/i;

/** Details for {@linkcode mapUpstreamError}. */
export interface MappedErrorDetails {
  /** The upstream's message. */
  message: string;
  /** Upstream error type, kept as the OpenAI `type` when given. */
  type?: string | undefined;
  /** Upstream error code. */
  code?: string | null | undefined;
  /** Offending parameter. */
  param?: string | null | undefined;
  /** Force context-window classification. */
  contextWindow?: boolean;
  /** Force content-policy classification. */
  contentPolicy?: boolean;
  /** Override the class chosen by status. */
  errorClass?: ReturnType<typeof errorClassForStatus>;
  /** Override the status reported to clients. */
  status?: number;
}

/**
 * Build the typed error for an upstream failure: the class comes from the
 * status unless the message or code shows a context-window or content-policy
 * failure (400-class only).
 */
export function mapUpstreamError(
  status: number,
  details: MappedErrorDetails,
  ctx: ErrorContext,
): LLMuxError {
  const text = `${details.code ?? ""} ${details.message}`;
  let Cls = details.errorClass ?? errorClassForStatus(status);
  let code = details.code ?? null;
  if (status < 500 && status !== 429 && status !== 401 && status !== 403) {
    if (details.contextWindow || CONTEXT_WINDOW_REGEXP.test(text)) {
      Cls = ContextWindowExceededError;
      code ??= "context_length_exceeded";
    } else if (details.contentPolicy || CONTENT_POLICY_REGEXP.test(text)) {
      Cls = ContentPolicyViolationError;
      code ??= "content_policy_violation";
    }
  }
  const message = `${ctx.provider} error (${status}): ${details.message || "no message"}`;
  return new Cls(message, {
    provider: ctx.provider,
    model: ctx.model,
    ...(details.status === undefined ? {} : { status: details.status }),
    ...(details.type === undefined ? {} : { type: details.type }),
    code,
    param: details.param ?? null,
    upstreamMessage: details.message,
    upstreamStatus: status,
    retryAfter: parseRetryAfter(ctx.headers),
  });
}

/** Best-effort message from an unknown error body (string, `{error: string}`, `{message}`…). */
export function messageOf(body: unknown): string {
  if (typeof body === "string") return body.slice(0, 2000);
  if (typeof body === "object" && body !== null) {
    const b = body as Record<string, unknown>;
    if (typeof b.error === "string") return b.error;
    if (typeof b.error === "object" && b.error !== null) {
      const m = (b.error as Record<string, unknown>).message;
      if (typeof m === "string") return m;
    }
    if (typeof b.message === "string") return b.message;
    if (typeof b.detail === "string") return b.detail;
  }
  return JSON.stringify(body)?.slice(0, 2000) ?? "";
}
