/**
 * What metrics and request logs say about an error: a bounded class name
 * (safe as a Prometheus label value), the HTTP status when known, and the
 * message. Private to `src/server`.
 *
 * @module
 */

import { LLMuxError } from "../errors.ts";

/** Names that may appear as an error class: identifiers of at most 64 characters. */
const ERROR_NAME_REGEXP = /^[A-Za-z_$][\w$]{0,63}$/;

function openAIErrorOf(
  value: unknown,
): { type?: unknown; message?: unknown; code?: unknown } | undefined {
  if (typeof value !== "object" || value === null || !("error" in value)) return undefined;
  const inner = (value as { error: unknown }).error;
  return typeof inner === "object" && inner !== null ? inner as Record<string, unknown> : undefined;
}

/**
 * A caller-given error class or type as a bounded label value: the name
 * itself when it is an identifier of at most 64 characters, else `"Error"`.
 */
export function boundedErrorName(name: string): string {
  return ERROR_NAME_REGEXP.test(name) ? name : "Error";
}

/**
 * The class of an error as a bounded label value: the class name of an
 * `Error` (`"RateLimitError"`), the `type` of an OpenAI error body
 * (`{ error: { type } }`), `"Error"` for a bare string, `"unknown"` else.
 * Names that are not plain identifiers become `"Error"`.
 */
export function errorClassName(error: unknown): string {
  let name: unknown;
  if (error instanceof Error) name = error.name;
  else if (typeof error === "string") name = "Error";
  else name = openAIErrorOf(error)?.type;
  return typeof name === "string" ? boundedErrorName(name) : "unknown";
}

/** The HTTP status an error carries (`LLMuxError.status`, or a numeric `status`), if any. */
export function errorStatus(error: unknown): number | undefined {
  if (error instanceof LLMuxError) return error.status;
  if (typeof error === "object" && error !== null && "status" in error) {
    const status = (error as { status: unknown }).status;
    if (typeof status === "number" && Number.isInteger(status)) return status;
  }
  return undefined;
}

/** The message of an error (not redacted: callers redact), or `""`. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "string") return error;
  const message = openAIErrorOf(error)?.message;
  return typeof message === "string" ? message : "";
}
