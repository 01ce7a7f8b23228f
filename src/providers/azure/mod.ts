/**
 * Azure OpenAI adapter (`azure/<deployment>`): the OpenAI wire format at
 * Azure's URLs, with Azure's auth and content filtering.
 *
 * - **URL.** `api_base` (env `AZURE_API_BASE`, then `AZURE_OPENAI_ENDPOINT`)
 *   is the resource endpoint, e.g. `https://<resource>.openai.azure.com`.
 *   Classic deployments: `{base}/openai/deployments/{deployment}/chat/completions?api-version={v}`
 *   with `api_version` (env `AZURE_API_VERSION`, default `2024-10-21`, the
 *   latest GA version). The v1 API (`{base}/openai/v1/chat/completions`, no
 *   `api-version`) is used when the base ends in `/openai/v1` or
 *   `api_version` is `v1`, `latest` or `preview` (the last two are sent as
 *   `?api-version=`). The body's `model` is the deployment name.
 * - **Auth.** `api-key: <key>` (`api_key`, env `AZURE_API_KEY`, then
 *   `AZURE_OPENAI_API_KEY`), or Entra ID `Authorization: Bearer <token>` from
 *   `azure_ad_token`, an `azure_ad_token_provider` function (called once per
 *   attempt) or env `AZURE_AD_TOKEN`. An explicit Entra option wins over a
 *   key.
 * - **Content filtering.** A prompt rejected by the filter (HTTP 400, `code:
 *   "content_filter"`) is a `ContentPolicyViolationError` (status 400, code
 *   `content_filter`). Filtered output ends with `finish_reason:
 *   "content_filter"`. `prompt_filter_results` and
 *   `choices[].content_filter_results` are kept in non-streaming responses and
 *   in stream chunks as Azure sent them; the filter-only first stream chunk
 *   (no choices) is dropped.
 * - **Embeddings.** `{base}/openai/deployments/{deployment}/embeddings?api-version=…`
 *   (or `/openai/v1/embeddings`).
 *
 * @example Against a stub fetch
 * ```ts
 * import { completion } from "../../../mod.ts";
 * const fakeFetch: typeof fetch = (input, init) => {
 *   console.assert(String(input) ===
 *     "https://res.openai.azure.com/openai/deployments/my-gpt-4o/chat/completions?api-version=2024-10-21");
 *   console.assert(new Headers(init?.headers).get("api-key") === "azure-test-key");
 *   return Promise.resolve(Response.json({
 *     id: "chatcmpl-1", object: "chat.completion", created: 1, model: "gpt-4o-2024-08-06",
 *     choices: [{ index: 0, message: { role: "assistant", content: "Hello!" }, finish_reason: "stop" }],
 *   }));
 * };
 * const res = await completion({
 *   model: "azure/my-gpt-4o",
 *   messages: [{ role: "user", content: "Hi" }],
 *   api_key: "azure-test-key",
 *   api_base: "https://res.openai.azure.com",
 *   fetch: fakeFetch,
 * });
 * console.assert(res.choices[0].message.content === "Hello!");
 * ```
 *
 * @module
 */

import type { EmbeddingResponse } from "../../types.ts";
import type { PrepareDeps, ProviderAdapter, RequestContext, UpstreamRequest } from "../types.ts";
import { AuthenticationError } from "../../errors.ts";
import { OPENAI_PARAMS, paramSet } from "../_params.ts";
import type { OpenAICompatibleSpec } from "../openai/spec.ts";
import { toOpenAICompatibleRequest } from "../openai/convert_request.ts";
import {
  fromOpenAICompatibleEmbeddings,
  fromOpenAICompatibleResponse,
} from "../openai/convert_response.ts";
import { createAzureStreamTransform, createAzureStreamTransformer } from "./stream_transform.ts";
import { mapAzureError } from "./map_error.ts";
import { azureAuth, azureHeaders, azureUrl } from "./_endpoint.ts";

export {
  AZURE_DEFAULT_API_VERSION,
  AZURE_V1_API_VERSIONS,
  type AzureAdTokenProvider,
  azureApiVersion,
  type AzureAuth,
  azureUrl,
} from "./_endpoint.ts";
export { mapAzureError } from "./map_error.ts";
export { createAzureStreamTransform, createAzureStreamTransformer } from "./stream_transform.ts";

/** Azure speaks OpenAI's body: the deployment goes in `model`, everything else as sent. */
const AZURE_SPEC: OpenAICompatibleSpec = {
  baseURL: "",
  apiKeyEnv: ["AZURE_API_KEY", "AZURE_OPENAI_API_KEY"],
  docs: "https://learn.microsoft.com/azure/ai-foundry/openai/reference",
};

/** The OpenAI request fields Azure OpenAI accepts (all of them; the deployment's model decides). */
export const AZURE_SUPPORTED_PARAMS: ReadonlySet<string> = paramSet(OPENAI_PARAMS);

/**
 * Add the Entra ID token of an `azure_ad_token_provider` (called once per
 * attempt, so the provider's own caching and refresh apply). Other auth is
 * set by `buildRequest`.
 */
async function prepareRequest(
  request: UpstreamRequest,
  ctx: RequestContext,
  _deps: PrepareDeps,
): Promise<UpstreamRequest> {
  const auth = azureAuth(ctx);
  if (auth.kind !== "provider") return request;
  let token: string;
  try {
    token = await auth.provider();
  } catch (cause) {
    throw new AuthenticationError(
      `Cannot get an Entra ID token for provider "${ctx.provider}": azure_ad_token_provider failed`,
      { provider: ctx.provider, model: ctx.requestedModel, code: "invalid_credentials", cause },
    );
  }
  if (typeof token !== "string" || token === "") {
    throw new AuthenticationError(
      `Cannot get an Entra ID token for provider "${ctx.provider}": azure_ad_token_provider returned no token`,
      { provider: ctx.provider, model: ctx.requestedModel, code: "invalid_credentials" },
    );
  }
  return { ...request, headers: { authorization: `Bearer ${token}`, ...request.headers } };
}

/**
 * Why an Azure deployment could not authenticate (no key and no Entra
 * token, in params or env), or undefined when it can — so config checks
 * report it unavailable at start instead of failing at request time.
 */
export function azureMissingCredentials(
  params: Readonly<Record<string, unknown>>,
  env: (name: string) => string | undefined,
): string | undefined {
  const set = (v: unknown) => v !== undefined && v !== null && v !== "";
  if (set(params.api_key) || set(params.azure_ad_token) || set(params.azure_ad_token_provider)) {
    return undefined;
  }
  if (["AZURE_API_KEY", "AZURE_OPENAI_API_KEY", "AZURE_AD_TOKEN"].some((n) => set(env(n)))) {
    return undefined;
  }
  return "Azure credentials are not set: give AZURE_API_KEY (or AZURE_OPENAI_API_KEY), " +
    "litellm_params.api_key, or an Entra token (azure_ad_token / AZURE_AD_TOKEN)";
}

/** The Azure OpenAI adapter. */
export const azureAdapter: ProviderAdapter = {
  id: "azure",
  // No default: every resource has its own endpoint.
  defaultApiBase: "",
  apiKeyEnv: AZURE_SPEC.apiKeyEnv,
  // Entra ID tokens replace the key, so the check happens in `azureAuth`.
  apiKeyRequired: false,
  missingCredentials: azureMissingCredentials,
  apiBaseEnv: ["AZURE_API_BASE", "AZURE_OPENAI_ENDPOINT"],
  supportedParams: AZURE_SUPPORTED_PARAMS,
  streamFraming: "sse",
  buildRequest(req, ctx): UpstreamRequest {
    return {
      url: azureUrl(ctx, "chat/completions"),
      headers: azureHeaders(ctx),
      body: JSON.stringify(toOpenAICompatibleRequest(AZURE_SPEC, req, ctx)),
    };
  },
  prepareRequest,
  parseResponse: fromOpenAICompatibleResponse,
  createStreamTransform: createAzureStreamTransform,
  createStreamTransformer: createAzureStreamTransformer,
  mapError: mapAzureError,
  embedding: {
    buildRequest(req, ctx): UpstreamRequest {
      return {
        url: azureUrl(ctx, "embeddings"),
        headers: azureHeaders(ctx),
        body: JSON.stringify({ ...req, model: ctx.model }),
      };
    },
    parseResponse(body, ctx): EmbeddingResponse {
      return fromOpenAICompatibleEmbeddings(body, ctx);
    },
  },
};
