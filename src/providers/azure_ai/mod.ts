/**
 * Azure AI Foundry / Azure AI Studio (`azure_ai/…`): models served with the
 * OpenAI chat API, as LiteLLM calls them.
 *
 * - `api_base` (or `AZURE_AI_API_BASE`) is required: a serverless endpoint
 *   (`https://<name>.<region>.models.ai.azure.com`) gets `/chat/completions`,
 *   an AI Services resource (`https://<resource>.services.ai.azure.com`) gets
 *   `/models/chat/completions`. A base that already ends with the path is
 *   used as is; its query string is kept, and `api_version` is added as
 *   `api-version` when the base has none.
 * - The key (`api_key` or `AZURE_AI_API_KEY`) goes in an `api-key` header
 *   for `*.services.ai.azure.com` and `*.openai.azure.com` hosts, else as
 *   `Authorization: Bearer`.
 * - Text-only content arrays are sent as one string (these endpoints reject
 *   content arrays); image parts are sent as they are.
 *
 * @module
 */

import type { ProviderAdapter, RequestContext, UpstreamRequest } from "../types.ts";
import { createOpenAICompatibleAdapter } from "../openai/adapter.ts";
import { BadRequestError } from "../../errors.ts";

const base = createOpenAICompatibleAdapter("azure_ai", {
  baseURL: "",
  apiKeyEnv: ["AZURE_AI_API_KEY"],
  apiBaseEnv: ["AZURE_AI_API_BASE"],
  flattenTextContent: true,
  docs:
    "https://learn.microsoft.com/azure/ai-foundry/model-inference/reference/reference-model-inference-api",
});

/** Whether the key goes in an `api-key` header (AI Services and Azure OpenAI hosts). */
export function usesApiKeyHeader(apiBase: string): boolean {
  let host: string;
  try {
    host = new URL(apiBase).hostname;
  } catch {
    return false;
  }
  return host.endsWith(".services.ai.azure.com") || host.endsWith(".openai.azure.com");
}

/**
 * The URL of an operation (`chat/completions`, `embeddings`) under an
 * Azure AI `api_base`.
 *
 * @example
 * ```ts
 * import { azureAIUrl } from "./mod.ts";
 * console.assert(
 *   azureAIUrl("https://r.services.ai.azure.com", "chat/completions", "2024-05-01-preview") ===
 *     "https://r.services.ai.azure.com/models/chat/completions?api-version=2024-05-01-preview",
 * );
 * console.assert(
 *   azureAIUrl("https://m.eastus2.models.ai.azure.com", "chat/completions", undefined) ===
 *     "https://m.eastus2.models.ai.azure.com/chat/completions",
 * );
 * ```
 */
export function azureAIUrl(
  apiBase: string,
  operation: "chat/completions" | "embeddings",
  apiVersion: string | undefined,
): string {
  const url = new URL(apiBase);
  const path = url.pathname.replace(/\/+$/, "");
  const ending = url.hostname.endsWith(".services.ai.azure.com") && !/\/models$/.test(path)
    ? `/models/${operation}`
    : `/${operation}`;
  // A base that names the whole path (LiteLLM accepts that too) is kept.
  if (!path.endsWith(`/${operation}`)) url.pathname = path + ending;
  if (apiVersion && !url.searchParams.has("api-version")) {
    url.searchParams.set("api-version", apiVersion);
  }
  return url.toString();
}

/** The operation's URL under the call's `api_base`; a missing or malformed base is a 400. */
function target(ctx: RequestContext, operation: "chat/completions" | "embeddings"): string {
  if (!ctx.apiBase) {
    throw new BadRequestError(
      'Missing api_base for provider "azure_ai": set api_base (e.g. ' +
        "https://<resource>.services.ai.azure.com) or AZURE_AI_API_BASE",
      { provider: "azure_ai", model: ctx.requestedModel, param: "api_base" },
    );
  }
  try {
    return azureAIUrl(ctx.apiBase, operation, ctx.apiVersion);
  } catch {
    throw new BadRequestError(
      `Invalid api_base for provider "azure_ai": "${ctx.apiBase}" is not a URL`,
      { provider: "azure_ai", model: ctx.requestedModel, param: "api_base" },
    );
  }
}

function withAuth(request: UpstreamRequest, ctx: RequestContext): Record<string, string> {
  const headers = { ...request.headers };
  if (ctx.apiKey && usesApiKeyHeader(ctx.apiBase)) {
    delete headers.authorization;
    headers["api-key"] = ctx.apiKey;
  }
  return headers;
}

function rewrite(
  request: UpstreamRequest,
  ctx: RequestContext,
  operation: "chat/completions" | "embeddings",
): UpstreamRequest {
  return { ...request, url: target(ctx, operation), headers: withAuth(request, ctx) };
}

const baseEmbedding = base.embedding!;

/** The Azure AI (Foundry / Studio) adapter. */
export const azureAIAdapter: ProviderAdapter = {
  ...base,
  buildRequest: (req, ctx) => rewrite(base.buildRequest(req, ctx), ctx, "chat/completions"),
  embedding: {
    ...baseEmbedding,
    buildRequest: (req, ctx) => rewrite(baseEmbedding.buildRequest(req, ctx), ctx, "embeddings"),
  },
};
