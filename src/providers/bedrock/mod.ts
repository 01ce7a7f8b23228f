/**
 * The Amazon Bedrock adapter (`bedrock/<model id>`, also
 * `bedrock/converse/<model id>`): chat through the Converse and
 * ConverseStream APIs for every family Bedrock serves through them
 * (Anthropic, Meta Llama, Mistral, Amazon Nova, Cohere, …), embeddings
 * through InvokeModel (Titan, Cohere).
 *
 * - **Endpoint.** `POST <base>/model/<url-encoded id>/converse` (or
 *   `/converse-stream`, answered as `application/vnd.amazon.eventstream`);
 *   `<base>` is `api_base`, else `aws_bedrock_runtime_endpoint` /
 *   `AWS_BEDROCK_RUNTIME_ENDPOINT`, else
 *   `https://bedrock-runtime.<region>.amazonaws.com`. Model ids may be
 *   foundation-model ids, cross-region inference profiles
 *   (`us.anthropic.claude-…`) or ARNs (whose region wins over the env).
 * - **Auth.** SigV4 (service `bedrock`), signed once per attempt in
 *   `prepareRequest`, with credentials from `aws_access_key_id` /
 *   `aws_secret_access_key` / `aws_session_token` or the `AWS_*` env vars
 *   and the region from `aws_region_name` or `AWS_REGION_NAME` /
 *   `AWS_REGION` / `AWS_DEFAULT_REGION` (default `us-west-2`, as LiteLLM).
 *   A Bedrock API key (`api_key` or `AWS_BEARER_TOKEN_BEDROCK`) is sent as a
 *   bearer token instead. Missing credentials fail with an
 *   `AuthenticationError` naming the variables, before any request.
 * - **Translation.** See `toBedrockRequest`, `fromBedrockResponse`,
 *   `createBedrockStreamTransformer` and `mapBedrockError`.
 *
 * @example Non-streaming call against a stub fetch
 * ```ts
 * import { completion } from "../../../mod.ts";
 * const fakeFetch: typeof fetch = () =>
 *   Promise.resolve(Response.json({
 *     output: { message: { role: "assistant", content: [{ text: "Hello!" }] } },
 *     stopReason: "end_turn",
 *     usage: { inputTokens: 9, outputTokens: 3, totalTokens: 12 },
 *   }));
 * const res = await completion({
 *   model: "bedrock/anthropic.claude-3-haiku-20240307-v1:0",
 *   messages: [{ role: "user", content: "Hi" }],
 *   aws_access_key_id: "AKIDEXAMPLE",
 *   aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
 *   aws_region_name: "us-east-1",
 *   fetch: fakeFetch,
 * });
 * console.assert(res.choices[0].message.content === "Hello!");
 * ```
 *
 * @module
 */

import type {
  BinaryEventParser,
  PrepareDeps,
  ProviderAdapter,
  RequestContext,
  UpstreamRequest,
} from "../types.ts";
import type { ChatCompletionRequest } from "../../types.ts";
import { paramSet } from "../_params.ts";
import { toBedrockRequest } from "./convert_request.ts";
import { fromBedrockResponse } from "./convert_response.ts";
import { createBedrockStreamTransformer } from "./stream_transform.ts";
import { mapBedrockError } from "./map_error.ts";
import { createEventStreamParser } from "./eventstream.ts";
import { signAwsRequest } from "./sigv4.ts";
import {
  bedrockMissingCredentials,
  resolveBedrockCredentials,
  resolveBedrockEndpoint,
  resolveBedrockRegion,
} from "./credentials.ts";
import { bedrockEmbedding } from "./embedding.ts";
import {
  createBedrockInvokeStreamTransformer,
  fromBedrockInvokeResponse,
  invokeModelId,
  isBedrockInvoke,
  toBedrockInvokeBody,
} from "./invoke.ts";
import { bedrockModelId, bedrockModelUrl } from "./model_id.ts";

/** The SigV4 signing name of the Bedrock runtime. */
export const BEDROCK_SIGNING_SERVICE = "bedrock";

/** The OpenAI request fields the Bedrock adapter honours. */
export const BEDROCK_SUPPORTED_PARAMS: ReadonlySet<string> = paramSet([
  "temperature",
  "top_p",
  "max_tokens",
  "max_completion_tokens",
  "stop",
  "stream",
  "stream_options",
  "tools",
  "tool_choice",
  "response_format",
  "reasoning_effort",
]);

/** The model id a call addresses (LiteLLM's `converse/` and `invoke/` route prefixes dropped). */
function callModelId(ctx: RequestContext): string {
  const id = bedrockModelId(ctx.model);
  return id.startsWith("invoke/") ? id.slice("invoke/".length) : id;
}

function buildRequest(req: ChatCompletionRequest, ctx: RequestContext): UpstreamRequest {
  const invoke = isBedrockInvoke(ctx);
  const modelId = invoke ? invokeModelId(ctx.model) : bedrockModelId(ctx.model);
  const region = resolveBedrockRegion(ctx, modelId);
  const base = resolveBedrockEndpoint(ctx, region);
  const operation = invoke
    ? (ctx.stream ? "invoke-with-response-stream" : "invoke")
    : (ctx.stream ? "converse-stream" : "converse");
  return {
    url: bedrockModelUrl(base, modelId, operation),
    headers: {
      "content-type": "application/json",
      accept: ctx.stream ? "application/vnd.amazon.eventstream" : "application/json",
      ...ctx.extraHeaders,
    },
    body: JSON.stringify(invoke ? toBedrockInvokeBody(req, ctx) : toBedrockRequest(req, ctx)),
  };
}

/**
 * Authenticate a built request: a bearer token when the call has a Bedrock
 * API key, else a fresh SigV4 signature (time from `deps.now`).
 *
 * @example
 * ```ts
 * import { prepareBedrockRequest } from "./mod.ts";
 * const ctx = {
 *   provider: "bedrock", model: "amazon.nova-lite-v1:0", requestedModel: "bedrock/amazon.nova-lite-v1:0",
 *   apiKey: undefined, providerOptions: { aws_region_name: "us-east-1" },
 *   env: (n: string) => ({ AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret" } as Record<string, string>)[n],
 * } as never;
 * const signed = await prepareBedrockRequest(
 *   { url: "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.nova-lite-v1%3A0/converse", headers: { "content-type": "application/json" }, body: "{}" },
 *   ctx,
 *   { now: () => 1730000000000 } as never,
 * );
 * console.assert(signed.headers.authorization.startsWith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20241027/us-east-1/bedrock/"));
 * ```
 */
export async function prepareBedrockRequest(
  request: UpstreamRequest,
  ctx: RequestContext,
  deps: PrepareDeps,
): Promise<UpstreamRequest> {
  if (ctx.apiKey) {
    return { ...request, headers: { ...request.headers, authorization: `Bearer ${ctx.apiKey}` } };
  }
  const credentials = resolveBedrockCredentials(ctx);
  const region = resolveBedrockRegion(ctx, callModelId(ctx));
  const headers = await signAwsRequest({
    method: request.method ?? "POST",
    url: request.url,
    headers: request.headers,
    body: request.body,
  }, { credentials, region, service: BEDROCK_SIGNING_SERVICE, now: deps.now() });
  return { ...request, headers };
}

function createBinaryParser(ctx: RequestContext): BinaryEventParser {
  return createEventStreamParser({ provider: ctx.provider, model: ctx.requestedModel });
}

/** What the Bedrock adapter has besides the {@linkcode ProviderAdapter} contract. */
export interface BedrockAdapterExtras {
  /**
   * Why a deployment could not authenticate (config checks, before any
   * call), or undefined: see {@linkcode bedrockMissingCredentials}.
   */
  missingCredentials(
    params: Readonly<Record<string, unknown>>,
    env: (name: string) => string | undefined,
  ): string | undefined;
}

/** The Bedrock adapter. */
export const bedrockAdapter: ProviderAdapter & BedrockAdapterExtras = {
  id: "bedrock",
  // The regional host depends on the call's region; see resolveBedrockEndpoint.
  defaultApiBase: "",
  apiKeyEnv: ["AWS_BEARER_TOKEN_BEDROCK"],
  apiKeyRequired: false,
  supportedParams: BEDROCK_SUPPORTED_PARAMS,
  streamFraming: "binary",
  createBinaryParser,
  prepareRequest: prepareBedrockRequest,
  buildRequest,
  parseResponse: (body, ctx) =>
    isBedrockInvoke(ctx) ? fromBedrockInvokeResponse(body, ctx) : fromBedrockResponse(body, ctx),
  createStreamTransform: (ctx) =>
    new TransformStream(
      isBedrockInvoke(ctx)
        ? createBedrockInvokeStreamTransformer(ctx)
        : createBedrockStreamTransformer(ctx),
    ),
  createStreamTransformer: (ctx) =>
    isBedrockInvoke(ctx)
      ? createBedrockInvokeStreamTransformer(ctx)
      : createBedrockStreamTransformer(ctx),
  mapError: mapBedrockError,
  embedding: bedrockEmbedding,
  missingCredentials: bedrockMissingCredentials,
};

export {
  BEDROCK_JSON_TOOL_NAME,
  BEDROCK_PLACEHOLDER_TOOL,
  toBedrockMessages,
  toBedrockRequest,
  toBedrockToolChoice,
  toBedrockToolUseId,
} from "./convert_request.ts";
export { fromBedrockResponse, fromBedrockUsage } from "./convert_response.ts";
export {
  createBedrockStreamTransform,
  createBedrockStreamTransformer,
} from "./stream_transform.ts";
export { bedrockErrorType, mapBedrockError, statusForBedrockException } from "./map_error.ts";
export { mapBedrockStopReason } from "./map_finish_reason.ts";
export {
  BEDROCK_ANTHROPIC_VERSION,
  createBedrockInvokeStreamTransformer,
  fromBedrockInvokeResponse,
  toBedrockInvokeBody,
} from "./invoke.ts";
export { createEventStreamCodec, createEventStreamParser, toStreamEvent } from "./eventstream.ts";
export {
  type AwsCredentials,
  type AwsRequestToSign,
  type AwsSignatureDetails,
  deriveSigningKey,
  describeAwsSignature,
  signAwsRequest,
  SigningKeyCache,
  SIGV4_UNSIGNED_HEADERS,
  type SigV4Options,
  toAmzDate,
} from "./sigv4.ts";
export {
  BEDROCK_DEFAULT_REGION,
  BEDROCK_REGION_ENV,
  bedrockMissingCredentials,
  resolveBedrockCredentials,
  resolveBedrockEndpoint,
  resolveBedrockRegion,
} from "./credentials.ts";
export {
  BEDROCK_COHERE_MAX_TEXTS,
  bedrockEmbedding,
  type BedrockEmbeddingAdapter,
  type BedrockEmbeddingKind,
  bedrockEmbeddingKind,
  fromBedrockEmbedResponses,
  toBedrockEmbedBodies,
} from "./embedding.ts";
export type {
  EventStreamHeaderValue,
  EventStreamMessage,
  EventStreamParserOptions,
} from "./eventstream.ts";
export type { BedrockConversation } from "./convert_request.ts";
export {
  type BedrockFamily,
  bedrockFamily,
  bedrockModelId,
  bedrockModelUrl,
  bedrockRuntimeBase,
  regionOfArn,
  supportsForcedToolChoice,
} from "./model_id.ts";
export type * from "./api_types.ts";
