/**
 * OpenAI and every OpenAI-compatible host: a near pass-through adapter built
 * from one spec (a row of the data table in `table.ts`).
 *
 * @module
 */

import type { EmbeddingResponse } from "../../types.ts";
import type { ProviderAdapter, RequestContext, UpstreamRequest } from "../types.ts";
import { OPENAI_PARAMS, paramSet } from "../_params.ts";
import type { OpenAICompatibleSpec } from "./spec.ts";
import { toOpenAICompatibleRequest } from "./convert_request.ts";
import {
  fromOpenAICompatibleEmbeddings,
  fromOpenAICompatibleResponse,
} from "./convert_response.ts";
import { createOpenAIStreamTransform, createOpenAIStreamTransformer } from "./stream_transform.ts";
import { mapOpenAIError } from "./map_error.ts";

export type { OpenAICompatibleSpec, RenamableParam } from "./spec.ts";
export { createOpenAIStreamTransform } from "./stream_transform.ts";

function joinUrl(base: string, path: string): string {
  return base.endsWith("/") ? base.slice(0, -1) + path : base + path;
}

/**
 * Create the adapter for one OpenAI-compatible host.
 *
 * @example
 * ```ts
 * import { createOpenAICompatibleAdapter } from "./adapter.ts";
 * const adapter = createOpenAICompatibleAdapter("groq", {
 *   baseURL: "https://api.groq.com/openai/v1",
 *   apiKeyEnv: ["GROQ_API_KEY"],
 * });
 * console.assert(adapter.defaultApiBase === "https://api.groq.com/openai/v1");
 * ```
 */
export function createOpenAICompatibleAdapter(
  id: string,
  spec: OpenAICompatibleSpec,
): ProviderAdapter {
  const unsupported = new Set(spec.unsupportedParams ?? []);
  const supportedParams = paramSet(OPENAI_PARAMS.filter((p) => !unsupported.has(p)));
  function headers(ctx: RequestContext): Record<string, string> {
    const h: Record<string, string> = { "content-type": "application/json", ...spec.headers };
    if (ctx.apiKey) h.authorization = `Bearer ${ctx.apiKey}`;
    return Object.assign(h, ctx.extraHeaders);
  }
  return {
    id,
    defaultApiBase: spec.baseURL,
    apiKeyEnv: spec.apiKeyEnv,
    apiKeyRequired: spec.apiKeyRequired ?? true,
    ...(spec.apiBaseEnv ? { apiBaseEnv: spec.apiBaseEnv } : {}),
    supportedParams,
    streamFraming: "sse",
    buildRequest(req, ctx): UpstreamRequest {
      return {
        url: joinUrl(ctx.apiBase, "/chat/completions"),
        headers: headers(ctx),
        body: JSON.stringify(toOpenAICompatibleRequest(spec, req, ctx)),
      };
    },
    parseResponse: fromOpenAICompatibleResponse,
    createStreamTransform: createOpenAIStreamTransform,
    createStreamTransformer: createOpenAIStreamTransformer,
    mapError: mapOpenAIError,
    ...(spec.embeddings === false ? {} : {
      embedding: {
        buildRequest(req, ctx): UpstreamRequest {
          return {
            url: joinUrl(ctx.apiBase, "/embeddings"),
            headers: headers(ctx),
            body: JSON.stringify({ ...req, model: ctx.model }),
          };
        },
        parseResponse(body, ctx): EmbeddingResponse {
          return fromOpenAICompatibleEmbeddings(body, ctx);
        },
      },
    }),
  };
}
