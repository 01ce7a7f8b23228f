/**
 * The upstream headers worth passing on (rate limits, request ids), kept on
 * each result without changing its JSON.
 *
 * @module
 */

import { CompletionStream } from "./stream.ts";

/** Where a non-streaming result keeps its upstream headers (non-enumerable). */
export const RESPONSE_HEADERS: unique symbol = Symbol.for("llmux.responseHeaders");

/** Attach upstream headers to a result object, invisibly to `JSON.stringify`. */
export function attachResponseHeaders<T extends object>(
  result: T,
  headers: Record<string, string>,
): T {
  Object.defineProperty(result, RESPONSE_HEADERS, { value: headers, enumerable: false });
  return result;
}

/**
 * The upstream's rate-limit and request-id headers behind a result of
 * `completion()`, `embedding()` or a Router call (streams included).
 *
 * @example
 * ```ts
 * import { completion, responseHeaders } from "../mod.ts";
 * const res = await completion({
 *   model: "openai/gpt-4o", messages: [{ role: "user", content: "hi" }], mock_response: "hello",
 * });
 * console.assert(responseHeaders(res) === undefined); // a mock has no upstream
 * ```
 */
export function responseHeaders(result: unknown): Record<string, string> | undefined {
  if (result instanceof CompletionStream) return result.info.headers;
  if (typeof result === "object" && result !== null) {
    return (result as { [RESPONSE_HEADERS]?: Record<string, string> })[RESPONSE_HEADERS];
  }
  return undefined;
}
