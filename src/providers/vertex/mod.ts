/**
 * Google Vertex AI adapter (`vertex_ai/<model>`): Gemini models and Claude
 * (Anthropic) models, with Google OAuth from a service-account key.
 *
 * **Models.** `vertex_ai/gemini-2.5-flash` (publisher `google`) takes the
 * Gemini API body, answer and SSE stream unchanged:
 * `POST {host}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent`
 * (`:streamGenerateContent?alt=sse`). `vertex_ai/claude-…` (e.g.
 * `claude-sonnet-4-5@20250929`, publisher `anthropic`) takes the Anthropic
 * Messages body without `model` and with `anthropic_version:
 * "vertex-2023-10-16"` at `…/publishers/anthropic/models/{model}:rawPredict`
 * (`:streamRawPredict`; the stream is Anthropic's event set). An all-digit
 * model id is a tuned Gemini endpoint (`…/endpoints/{id}:…`). Parameters
 * each family cannot honour are rejected (or dropped with `drop_params`) per
 * family, as for `gemini/` and `anthropic/`.
 *
 * **Where.** Location: `vertex_location` (or `vertex_ai_location`), env
 * `VERTEXAI_LOCATION`, `VERTEX_LOCATION`, `GOOGLE_CLOUD_LOCATION`, default
 * `us-central1`; `global` uses `https://aiplatform.googleapis.com`, `us`/`eu`
 * the multi-region hosts, a region `https://{region}-aiplatform.googleapis.com`.
 * Project: `vertex_project` (or `vertex_ai_project`), env `VERTEXAI_PROJECT`,
 * `VERTEX_PROJECT`, `GOOGLE_CLOUD_PROJECT`, else the credential's
 * `project_id`. `api_base` replaces the host (the `/v1/projects/…` path is
 * appended), as LiteLLM does.
 *
 * **Auth.** `vertex_credentials` (a service-account JSON string, object, or a
 * path to the key file), else the file named by
 * `GOOGLE_APPLICATION_CREDENTIALS`; `authorized_user` files (from `gcloud auth
 * application-default login`) work too. The bearer token is minted once
 * (RS256 JWT → `token_uri`), shared by concurrent calls and reused until five
 * minutes before it expires (see `auth.ts`). A caller that sends its own
 * `Authorization` header (`extra_headers`) skips all of that. Express mode:
 * with `api_key` and no credential configured, Gemini models are called at
 * `https://aiplatform.googleapis.com/v1/publishers/google/models/{model}:…`
 * with `x-goog-api-key` (no project, no location; Claude and embeddings need
 * OAuth).
 *
 * **Embeddings.** `embedding({model: "vertex_ai/text-embedding-005"})` calls
 * `:predict` (see `embedding.ts`).
 *
 * @example With a ready access token (no key file), against a stub fetch
 * ```ts
 * import { completion } from "../../../mod.ts";
 * const seen: string[] = [];
 * const fakeFetch: typeof fetch = (input) => {
 *   seen.push(String(input));
 *   return Promise.resolve(Response.json({
 *     candidates: [{ content: { role: "model", parts: [{ text: "Hello!" }] }, finishReason: "STOP" }],
 *     modelVersion: "gemini-2.5-flash",
 *   }));
 * };
 * const res = await completion({
 *   model: "vertex_ai/gemini-2.5-flash",
 *   messages: [{ role: "user", content: "Hi" }],
 *   vertex_project: "my-project",
 *   vertex_location: "europe-west4",
 *   extra_headers: { authorization: "Bearer ya29.example" },
 *   fetch: fakeFetch,
 * });
 * console.assert(res.choices[0].message.content === "Hello!");
 * console.assert(seen[0] === "https://europe-west4-aiplatform.googleapis.com/v1/projects/my-project/locations/europe-west4/publishers/google/models/gemini-2.5-flash:generateContent");
 * ```
 *
 * @module
 */

import type { ChatCompletionRequest } from "../../types.ts";
import type {
  PrepareDeps,
  ProviderAdapter,
  RequestContext,
  StreamTransformer,
  UpstreamRequest,
} from "../types.ts";
import { AuthenticationError, BadRequestError } from "../../errors.ts";
import { checkParams, paramSet } from "../_params.ts";
import { ANTHROPIC_SUPPORTED_PARAMS } from "../anthropic/mod.ts";
import { fromAnthropicResponse } from "../anthropic/convert_response.ts";
import { createAnthropicStreamTransformer } from "../anthropic/stream_transform.ts";
import { GEMINI_SUPPORTED_PARAMS } from "../gemini/mod.ts";
import { fromGeminiResponse } from "../gemini/convert_response.ts";
import { createGeminiStreamTransformer } from "../gemini/stream_transform.ts";
import { toVertexAnthropicRequest, toVertexGeminiRequest } from "./convert_request.ts";
import { mapVertexError } from "./map_error.ts";
import { vertexEmbeddingAdapter } from "./embedding.ts";
import {
  forgetGoogleAccessToken,
  getGoogleAccessToken,
  hasGoogleCredentialSource,
} from "./auth.ts";
import {
  VERTEX_PROJECT_PLACEHOLDER,
  vertexCallUrl,
  vertexExpressUrl,
  vertexPublisher,
} from "./_endpoint.ts";

export {
  fetchGoogleAccessToken,
  forgetGoogleAccessToken,
  getGoogleAccessToken,
  GOOGLE_CLOUD_PLATFORM_SCOPE,
  GOOGLE_JWT_LIFETIME_SECONDS,
  GOOGLE_TOKEN_REFRESH_MARGIN_MS,
  GOOGLE_TOKEN_URI,
  type GoogleAccessToken,
  type GoogleAuthOptions,
  googleCredentialKey,
  type GoogleCredentialSource,
  JWT_BEARER_GRANT_TYPE,
  loadGoogleCredentialsFile,
  parseGoogleCredentials,
  resolveGoogleCredentialSource,
  signGoogleServiceAccountJwt,
} from "./auth.ts";
export {
  toVertexAnthropicRequest,
  toVertexGeminiRequest,
  VERTEX_ANTHROPIC_VERSION,
} from "./convert_request.ts";
export { mapVertexError } from "./map_error.ts";
export {
  fromVertexEmbedResponse,
  toVertexEmbedRequest,
  vertexEmbeddingAdapter,
} from "./embedding.ts";
export type * from "./api_types.ts";

/** Every OpenAI field either model family honours; each call is checked against its family's set. */
export const VERTEX_SUPPORTED_PARAMS: ReadonlySet<string> = paramSet([
  ...new Set([...GEMINI_SUPPORTED_PARAMS, ...ANTHROPIC_SUPPORTED_PARAMS]),
]);

function isClaude(ctx: Pick<RequestContext, "model">): boolean {
  return vertexPublisher(ctx.model) === "anthropic";
}

function buildRequest(req: ChatCompletionRequest, ctx: RequestContext): UpstreamRequest {
  const claude = isClaude(ctx);
  const { request } = checkParams(
    req,
    claude ? ANTHROPIC_SUPPORTED_PARAMS : GEMINI_SUPPORTED_PARAMS,
    { provider: ctx.provider, dropParams: ctx.dropParams === true },
  );
  const headers = { "content-type": "application/json", ...ctx.extraHeaders };
  if (claude) {
    return {
      url: vertexCallUrl(ctx, "anthropic", ctx.stream ? "streamRawPredict" : "rawPredict"),
      headers,
      body: JSON.stringify(toVertexAnthropicRequest(request, ctx)),
    };
  }
  const method = ctx.stream ? "streamGenerateContent?alt=sse" : "generateContent";
  if (ctx.apiKey && !hasGoogleCredentialSource(ctx)) {
    // Express mode: an API key, no project or location.
    return {
      url: vertexExpressUrl(ctx.apiBase, ctx.model, method),
      headers: {
        "content-type": "application/json",
        "x-goog-api-key": ctx.apiKey,
        ...ctx.extraHeaders,
      },
      body: JSON.stringify(toVertexGeminiRequest(request, ctx)),
    };
  }
  return {
    url: vertexCallUrl(ctx, "google", method),
    headers,
    body: JSON.stringify(toVertexGeminiRequest(request, ctx)),
  };
}

function hasAuthHeader(headers: Record<string, string>): boolean {
  for (const name in headers) {
    const lower = name.toLowerCase();
    if (lower === "authorization" || lower === "x-goog-api-key") return true;
  }
  return false;
}

/**
 * Add `Authorization: Bearer <token>` (cached, single-flight) and fill in the
 * project from the credential when none was configured.
 */
async function prepareRequest(
  request: UpstreamRequest,
  ctx: RequestContext,
  deps: PrepareDeps,
): Promise<UpstreamRequest> {
  let headers = request.headers;
  let projectId: string | undefined;
  const cached = !hasAuthHeader(headers);
  if (cached) {
    const token = await getGoogleAccessToken(ctx, deps);
    if (!token) {
      throw new AuthenticationError(
        `Missing credentials for provider "${ctx.provider}": pass vertex_credentials ` +
          "(a service-account JSON string, object or key-file path) or set " +
          "GOOGLE_APPLICATION_CREDENTIALS",
        { provider: ctx.provider, model: ctx.requestedModel, code: "missing_credentials" },
      );
    }
    projectId = token.projectId;
    headers = { ...headers, authorization: `Bearer ${token.accessToken}` };
  }
  let url = request.url;
  if (url.includes(VERTEX_PROJECT_PLACEHOLDER)) {
    if (!projectId) {
      throw new BadRequestError(
        `Missing project for provider "${ctx.provider}": pass vertex_project, set ` +
          "VERTEXAI_PROJECT, or use credentials that name a project_id",
        { provider: ctx.provider, model: ctx.requestedModel, code: "missing_project" },
      );
    }
    url = url.replace(VERTEX_PROJECT_PLACEHOLDER, encodeURIComponent(projectId));
  }
  if (!cached) return { ...request, url, headers };
  // A 401 means the token was revoked before its expiry: forget it, so the next call mints one.
  return { ...request, url, headers, onUnauthorized: () => forgetGoogleAccessToken(ctx, deps) };
}

function createStreamTransformer(ctx: RequestContext): StreamTransformer {
  return isClaude(ctx)
    ? createAnthropicStreamTransformer(ctx)
    : createGeminiStreamTransformer(ctx, { mapError: mapVertexError });
}

/** The Vertex AI adapter. */
export const vertexAdapter: ProviderAdapter = {
  id: "vertex_ai",
  // Empty: the host follows the location unless `api_base` is given.
  defaultApiBase: "",
  apiKeyEnv: [],
  apiKeyRequired: false,
  supportedParams: VERTEX_SUPPORTED_PARAMS,
  streamFraming: "sse",
  buildRequest,
  prepareRequest,
  parseResponse: (body, ctx) =>
    isClaude(ctx) ? fromAnthropicResponse(body, ctx) : fromGeminiResponse(body, ctx),
  createStreamTransform: (ctx) => new TransformStream(createStreamTransformer(ctx)),
  createStreamTransformer,
  mapError: mapVertexError,
  embedding: vertexEmbeddingAdapter,
};
