/**
 * Gemini API URLs and headers.
 *
 * @module
 */

import type { RequestContext } from "../types.ts";

const VERSION_SUFFIX_REGEXP = /\/v1(beta\d*|alpha)?$/;

/**
 * The resource name of a model: `gemini-2.5-flash` and
 * `models/gemini-2.5-flash` both give `models/gemini-2.5-flash`;
 * `tunedModels/…` is kept as is.
 */
export function geminiModelResource(model: string): string {
  if (model.startsWith("models/") || model.startsWith("tunedModels/")) return model;
  return `models/${model}`;
}

/**
 * The URL of a model method. `apiBase` is the scheme+host(+port) root, to
 * which `/v1beta` is added; a base that already ends in a version segment
 * (`/v1`, `/v1beta`) is used as is.
 */
export function geminiMethodUrl(apiBase: string, model: string, method: string): string {
  const root = VERSION_SUFFIX_REGEXP.test(apiBase) ? apiBase : `${apiBase}/v1beta`;
  return `${root}/${geminiModelResource(model)}:${method}`;
}

/** Request headers: JSON, the `x-goog-api-key`, then the caller's extra headers. */
export function geminiHeaders(ctx: RequestContext): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (ctx.apiKey) headers["x-goog-api-key"] = ctx.apiKey;
  return Object.assign(headers, ctx.extraHeaders);
}
