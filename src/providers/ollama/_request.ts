/**
 * URL and headers shared by the chat and embedding requests.
 *
 * @module
 */

import type { RequestContext } from "../types.ts";

const SCHEME_REGEXP = /^[a-z][a-z0-9+.-]*:\/\//i;

/**
 * `api_base` is the server root (`http://localhost:11434`); the endpoint path
 * is appended. A base without a scheme (`OLLAMA_HOST=127.0.0.1:11434`, as the
 * Ollama CLI accepts it) gets `http://`.
 */
export function ollamaUrl(ctx: RequestContext, path: string): string {
  const base = SCHEME_REGEXP.test(ctx.apiBase) ? ctx.apiBase : `http://${ctx.apiBase}`;
  return base + path;
}

/** JSON content type, `Authorization: Bearer` when a key is set (ollama.com), then extra headers. */
export function ollamaHeaders(ctx: RequestContext): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (ctx.apiKey) headers.authorization = `Bearer ${ctx.apiKey}`;
  return Object.assign(headers, ctx.extraHeaders);
}
