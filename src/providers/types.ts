/**
 * The provider adapter contract. A provider is pure functions: OpenAI request
 * → native request; native response → OpenAI response; native stream events
 * → OpenAI chunks; native error → typed error. Adapters never call `fetch`,
 * read the clock or draw random numbers themselves: all of that comes in
 * through the {@linkcode RequestContext}.
 *
 * @module
 */

import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  EmbeddingRequest,
  EmbeddingResponse,
} from "../types.ts";
import type { LLMuxError } from "../errors.ts";
import type { CredentialCache } from "../credential_cache.ts";

/** Everything an adapter needs to know about one call. */
export interface RequestContext {
  /** Provider id, e.g. `"anthropic"`. */
  readonly provider: string;
  /** The provider's own model id (prefix removed), e.g. `"claude-sonnet-4-5"`. */
  readonly model: string;
  /** The model string as the caller wrote it. */
  readonly requestedModel: string;
  /** API key, when the provider needs one. */
  readonly apiKey: string | undefined;
  /** Base URL without a trailing slash (see each adapter for what it includes). */
  readonly apiBase: string;
  /** API version, for providers that version by parameter. */
  readonly apiVersion: string | undefined;
  /** Extra headers from the caller, added last. */
  readonly extraHeaders: Readonly<Record<string, string>>;
  /** Whether this call streams. */
  readonly stream: boolean;
  /** Whether the caller asked for a usage chunk at the end of the stream. */
  readonly includeUsage: boolean;
  /** Whether the caller set `drop_params` (drop unsupported values instead of failing). */
  readonly dropParams?: boolean;
  /**
   * Provider-specific options as LiteLLM names them (`aws_region_name`,
   * `aws_access_key_id`, `vertex_project`, `vertex_credentials`,
   * `azure_ad_token`, …), never sent in a request body.
   */
  readonly providerOptions: Readonly<Record<string, unknown>>;
  /** Read an environment variable (injected; `undefined` when unset or not permitted). */
  env(name: string): string | undefined;
  /** Current time in milliseconds since the epoch. */
  now(): number;
  /** A fresh random id of 24 base62 characters (no prefix). */
  generateId(): string;
}

/** A native HTTP request, ready to send. */
export interface UpstreamRequest {
  /** Absolute URL. */
  url: string;
  /** HTTP method; POST when absent. */
  method?: "POST" | "GET";
  /** Headers, auth included. */
  headers: Record<string, string>;
  /** JSON body text. */
  body?: string;
  /**
   * Called when the upstream answers 401: a cached credential that was
   * added to this request (a Google access token) is dropped, so the next
   * call gets a fresh one instead of the revoked one until it expires.
   */
  onUnauthorized?: (() => void) | undefined;
}

/** One event of an upstream stream: an SSE event, or one NDJSON line as `data`. */
export interface StreamEvent {
  /** SSE `event:` name, when the upstream sends one. */
  event?: string;
  /** The event's data (joined `data:` lines) or the NDJSON line. */
  data: string;
}

/** What {@linkcode ProviderAdapter.prepareRequest} may use. */
export interface PrepareDeps {
  /** The fetch to use (e.g. for an OAuth token exchange). */
  fetch: typeof fetch;
  /** Clock in ms. */
  now: () => number;
  /** Shared, single-flight cache for short-lived credentials. */
  credentials: CredentialCache;
  /** Abort signal of the call. */
  signal?: AbortSignal | undefined;
}

/** A parser of a binary-framed stream (e.g. AWS event-stream) into events. */
export interface BinaryEventParser {
  /** Feed bytes as they arrive (frames may be split anywhere); complete events go to `emit`. */
  push(bytes: Uint8Array, emit: (event: StreamEvent) => void): void;
  /** End of input: throw if a frame was left incomplete. */
  end(emit: (event: StreamEvent) => void): void;
}

/** Where a stream transformer puts its chunks. */
export interface ChunkSink {
  /** Emit one chunk. */
  enqueue(chunk: ChatCompletionChunk): void;
}

/**
 * The synchronous heart of a provider's stream transform: the object that
 * `new TransformStream()` wraps. The core runs it inline with decoding and
 * usage handling, in one stream stage; errors are thrown.
 */
export interface StreamTransformer {
  /** Handle one upstream event. */
  transform(event: StreamEvent, sink: ChunkSink): void;
  /** Upstream ended: emit the final chunks, or throw if it ended too early. */
  flush?(sink: ChunkSink): void;
}

/** What an adapter's `mapError` gets besides status and body. */
export interface ErrorContext {
  /** Provider id. */
  readonly provider: string;
  /** Model string as requested. */
  readonly model: string;
  /** Response headers of the failed call. */
  readonly headers: Headers;
}

/** Embedding support of a provider. */
export interface EmbeddingAdapter {
  /** OpenAI embeddings request → native request. */
  buildRequest(req: EmbeddingRequest, ctx: RequestContext): UpstreamRequest;
  /** Native response body → OpenAI embeddings list. */
  parseResponse(body: unknown, ctx: RequestContext, req: EmbeddingRequest): EmbeddingResponse;
  /**
   * The native requests of one call, for providers that need several (Bedrock
   * Titan embeds one text per request). When present (with `parseResponses`),
   * the core sends them all, each prepared (signed) on its own, and hands the
   * parsed bodies, in order, to `parseResponses`.
   */
  buildRequests?(req: EmbeddingRequest, ctx: RequestContext): UpstreamRequest[];
  /** The parsed bodies of `buildRequests`' requests, in order → one OpenAI list. */
  parseResponses?(bodies: unknown[], ctx: RequestContext, req: EmbeddingRequest): EmbeddingResponse;
}

/** A provider: pure translation functions plus a little metadata. */
export interface ProviderAdapter {
  /** Provider id, the model-string prefix. */
  readonly id: string;
  /** Base URL used when the caller gives no `api_base`. */
  readonly defaultApiBase: string;
  /** Env vars holding the API key, first one preferred and named in errors. */
  readonly apiKeyEnv: readonly string[];
  /** Whether a call without a key must fail before any request is sent. */
  readonly apiKeyRequired: boolean;
  /** Env vars that may hold the base URL. */
  readonly apiBaseEnv?: readonly string[];
  /** OpenAI request fields this provider can honour (others are rejected or dropped). */
  readonly supportedParams: ReadonlySet<string>;
  /** How the upstream frames its stream (`binary`: the adapter's `createBinaryParser`). */
  readonly streamFraming: "sse" | "ndjson" | "binary";
  /** A parser for `binary` stream framing. */
  createBinaryParser?(ctx: RequestContext): BinaryEventParser;
  /**
   * Asynchronous last step before sending, once per attempt: sign the request
   * (SigV4) or add an OAuth bearer token. Adapters without it send
   * `buildRequest`'s output as is.
   */
  prepareRequest?(
    request: UpstreamRequest,
    ctx: RequestContext,
    deps: PrepareDeps,
  ): Promise<UpstreamRequest>;
  /** Build the native request. */
  buildRequest(req: ChatCompletionRequest, ctx: RequestContext): UpstreamRequest;
  /** Turn a native (parsed JSON) response into a `chat.completion`. */
  parseResponse(body: unknown, ctx: RequestContext): ChatCompletion;
  /**
   * A fresh transform from native stream events to OpenAI chunks. It emits a
   * usage-only chunk (`choices: []`, `usage` set) at the end whenever the
   * upstream reported usage, and errors the stream with a typed error when the
   * upstream reports one mid-stream or ends without finishing.
   */
  createStreamTransform(ctx: RequestContext): TransformStream<StreamEvent, ChatCompletionChunk>;
  /** The same transform as a plain {@linkcode StreamTransformer}, for inline use. */
  createStreamTransformer(ctx: RequestContext): StreamTransformer;
  /** Turn a native error (parsed JSON body, or text when not JSON) into a typed error. */
  mapError(status: number, body: unknown, ctx: ErrorContext): LLMuxError;
  /** Embeddings, when the provider has them. */
  readonly embedding?: EmbeddingAdapter;
  /**
   * For providers whose credentials are not one API key (`apiKeyRequired:
   * false`, e.g. AWS): why a deployment with these `litellm_params` could not
   * authenticate, or undefined when it can. Config checks use it to report
   * the deployment unavailable before any call.
   */
  missingCredentials?(
    params: Readonly<Record<string, unknown>>,
    env: (name: string) => string | undefined,
  ): string | undefined;
}
