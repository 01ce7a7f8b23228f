/**
 * `completion()`: one OpenAI-shaped call to any provider, streaming or not.
 *
 * @module
 */

import type { ChatCompletion, ChatCompletionRequest } from "./types.ts";
import {
  type CompletionParams,
  GENERIC_OPTION_KEYS,
  parseCompletionParams,
  type ProviderOptions,
  splitParams,
} from "./params.ts";
import { getProvider, resolveModel } from "./providers/registry.ts";
import type { ProviderAdapter, RequestContext, UpstreamRequest } from "./providers/types.ts";
import { type CredentialCache, DEFAULT_CREDENTIAL_CACHE } from "./credential_cache.ts";
import { checkParams } from "./providers/_params.ts";
import {
  APIConnectionError,
  AuthenticationError,
  isRetryableStatus,
  LLMuxError,
} from "./errors.ts";
import {
  pickForwardHeaders,
  readJson,
  redactError,
  sendUpstream,
  type UpstreamResponse,
} from "./_http.ts";
import { attachResponseHeaders } from "./response_headers.ts";
import { createChunkStream, type UsageState } from "./_pipeline.ts";
import { CompletionStream } from "./stream.ts";
import { FROM_BATCHES } from "./_batches.ts";
import { randomId } from "./_ids.ts";
import { mockCompletion, mockStream } from "./mock.ts";

/** Injected dependencies, for tests and embedders. */
export interface CompletionOptions {
  /** Read an environment variable (default: `Deno.env.get`, undefined without permission). */
  env?: (name: string) => string | undefined;
  /** Clock in milliseconds (default `Date.now`). */
  now?: () => number;
  /** Random id source (default: 24 base62 characters from `crypto`). */
  generateId?: () => string;
  /** Sleep used between retries (default `setTimeout`). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Cache for short-lived provider credentials (default: one shared by the process). */
  credentialCache?: CredentialCache;
}

/** Read an env var, answering undefined where env access is not permitted. */
export function defaultEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

/** Sleep `ms`, rejecting with the signal's reason if it aborts first. */
export function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(signal!.reason);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A resolved call: provider, adapter, key, base URL and request context. */
export interface ResolvedCall {
  /** The adapter. */
  adapter: ProviderAdapter;
  /** The request context handed to the adapter. */
  ctx: RequestContext;
  /** Secrets to redact from errors. */
  secrets: string[];
}

function providerOptionsOf(options: ProviderOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in options) {
    if (!GENERIC_OPTION_KEYS.has(key) && options[key] !== undefined) out[key] = options[key];
  }
  return out;
}

const SECRET_OPTION_REGEXP = /secret|token|credentials|key/i;

function secretsOf(apiKey: string | undefined, providerOptions: Record<string, unknown>): string[] {
  const out = apiKey ? [apiKey] : [];
  for (const [key, value] of Object.entries(providerOptions)) {
    if (SECRET_OPTION_REGEXP.test(key) && typeof value === "string" && value.length >= 6) {
      out.push(value);
    }
  }
  return out;
}

/**
 * Run the adapter's asynchronous last step (SigV4 signing, OAuth token), if
 * it has one; once per attempt, so signatures are fresh on retries.
 */
export function prepareUpstream(
  call: ResolvedCall,
  request: UpstreamRequest,
  deps: CompletionOptions & { fetch: typeof fetch; signal?: AbortSignal | undefined },
): Promise<UpstreamRequest> | UpstreamRequest {
  const { adapter, ctx } = call;
  if (!adapter.prepareRequest) return request;
  return adapter.prepareRequest(request, ctx, {
    fetch: deps.fetch,
    now: deps.now ?? Date.now,
    credentials: deps.credentialCache ?? DEFAULT_CREDENTIAL_CACHE,
    signal: deps.signal,
  });
}

/** Resolve provider, key and base URL for a call (shared by completion and embedding). */
export function resolveCall(
  body: { model: string; stream?: unknown; stream_options?: unknown },
  options: ProviderOptions,
  deps: CompletionOptions,
): ResolvedCall {
  const env = deps.env ?? defaultEnv;
  const ref = resolveModel(body.model, options.custom_llm_provider);
  const adapter = getProvider(ref.provider);
  let apiKey = options.api_key;
  if (apiKey === undefined) {
    for (const name of adapter.apiKeyEnv) {
      apiKey = env(name);
      if (apiKey) break;
    }
  }
  if (!apiKey && adapter.apiKeyRequired) {
    const vars = adapter.apiKeyEnv;
    throw new AuthenticationError(
      `Missing API key for provider "${adapter.id}": set ${vars[0]}` +
        (vars.length > 1 ? ` (or ${vars.slice(1).join(", ")})` : "") +
        " or pass api_key",
      { provider: adapter.id, model: body.model, code: "missing_api_key" },
    );
  }
  let apiBase = options.api_base ?? options.base_url;
  if (apiBase === undefined && adapter.apiBaseEnv) {
    for (const name of adapter.apiBaseEnv) {
      apiBase = env(name);
      if (apiBase) break;
    }
  }
  apiBase = (apiBase || adapter.defaultApiBase).replace(/\/+$/, "");
  const streamOptions = body.stream_options as { include_usage?: boolean } | null | undefined;
  const ctx: RequestContext = {
    provider: adapter.id,
    model: ref.model,
    requestedModel: body.model,
    apiKey: apiKey || undefined,
    apiBase,
    apiVersion: options.api_version,
    extraHeaders: options.extra_headers ?? {},
    stream: body.stream === true,
    includeUsage: streamOptions?.include_usage === true,
    dropParams: options.drop_params === true,
    providerOptions: providerOptionsOf(options),
    env,
    now: deps.now ?? Date.now,
    generateId: deps.generateId ?? randomId,
  };
  return { adapter, ctx, secrets: secretsOf(apiKey, ctx.providerOptions) };
}

/**
 * Send with `num_retries` retries on retryable errors (exponential backoff,
 * honouring `retry-after`). The Router does richer retries; this is the
 * per-call knob LiteLLM has, default 0.
 */
export async function sendWithRetries<T>(
  attempt: () => Promise<T>,
  options: { retries: number; signal?: AbortSignal | undefined; deps: CompletionOptions },
): Promise<T> {
  const sleep = options.deps.sleep ?? defaultSleep;
  for (let i = 0;; i++) {
    try {
      return await attempt();
    } catch (error) {
      const retryable = error instanceof LLMuxError &&
        (isRetryableStatus(error.status) || error.name === "APIConnectionError");
      if (!retryable || i >= options.retries) throw error;
      const backoff = Math.min(8000, 500 * 2 ** i);
      const wait = error.retryAfter !== undefined ? error.retryAfter * 1000 : backoff;
      await sleep(wait, options.signal);
    }
  }
}

/** A failed network read mid-stream (reset, closed socket) → APIConnectionError; aborts keep their reason. */
function readError(signal: AbortSignal | undefined, ctx: RequestContext) {
  return (cause: unknown): unknown =>
    signal?.aborted ? signal.reason : new APIConnectionError(
      `Connection to provider "${ctx.provider}" failed while streaming: ${
        cause instanceof Error ? cause.message : String(cause)
      }`,
      { provider: ctx.provider, model: ctx.requestedModel, cause },
    );
}

/** Turn a streaming upstream response into a {@linkcode CompletionStream}. */
export function toCompletionStream(
  upstream: UpstreamResponse,
  call: ResolvedCall,
  request: ChatCompletionRequest,
): CompletionStream {
  const { adapter, ctx } = call;
  upstream.done();
  const body = upstream.response.body;
  const state: UsageState = { usage: undefined };
  const chunks = createChunkStream(
    body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() }),
    {
      framing: adapter.streamFraming,
      ...(adapter.createBinaryParser ? { binaryParser: adapter.createBinaryParser(ctx) } : {}),
      transformer: adapter.createStreamTransformer(ctx),
      request,
      ctx,
      state,
      onReadError: readError(upstream.signal, ctx),
      mapError: (error) => redactError(error, call.secrets),
    },
  );
  const headers = pickForwardHeaders(upstream.response.headers);
  return CompletionStream[FROM_BATCHES](chunks, {
    info: { provider: ctx.provider, model: ctx.model, headers },
    usage: () => state.usage,
  });
}

/**
 * Call any provider with an OpenAI Chat Completions request.
 *
 * Provider options (`api_key`, `api_base`, `timeout` in seconds,
 * `drop_params`, `mock_response`, `fetch`, `signal`, …) go in the same object,
 * as in LiteLLM. With `stream: true` the result is a {@linkcode CompletionStream}.
 *
 * @example Non-streaming, with a mock answer (no network)
 * ```ts
 * import { completion } from "../mod.ts";
 * const res = await completion({
 *   model: "anthropic/claude-sonnet-4-5",
 *   messages: [{ role: "user", content: "Hi" }],
 *   mock_response: "Hello!",
 * });
 * console.assert(res.choices[0].message.content === "Hello!");
 * ```
 */
export async function completion(
  params: CompletionParams & { stream: true },
  deps?: CompletionOptions,
): Promise<CompletionStream>;
/** Non-streaming overload. */
export async function completion(
  params: CompletionParams & { stream?: false | null },
  deps?: CompletionOptions,
): Promise<ChatCompletion>;
/** General overload. */
export async function completion(
  params: CompletionParams,
  deps?: CompletionOptions,
): Promise<ChatCompletion | CompletionStream>;
export async function completion(
  params: CompletionParams,
  deps: CompletionOptions = {},
): Promise<ChatCompletion | CompletionStream> {
  parseCompletionParams(params);
  const { body, options } = splitParams<ChatCompletionRequest>(params);
  if (options.mock_response !== undefined) {
    const now = deps.now ?? Date.now;
    const generateId = deps.generateId ?? randomId;
    return body.stream === true
      ? mockStream(body, options.mock_response, { now, generateId })
      : await mockCompletion(body, options.mock_response, { now, generateId });
  }
  const call = resolveCall(body, options, deps);
  const { adapter, ctx } = call;
  const { request } = checkParams(body, adapter.supportedParams, {
    provider: adapter.id,
    dropParams: options.drop_params === true,
  });
  const upstreamRequest = adapter.buildRequest(request, ctx);
  const sendOptions = {
    fetch: options.fetch ?? fetch,
    adapter,
    model: body.model,
    signal: options.signal,
    timeoutMs: options.timeout === undefined ? undefined : options.timeout * 1000,
    secrets: call.secrets,
  };
  return await sendWithRetries(async () => {
    const prepared = await prepareUpstream(call, upstreamRequest, {
      ...deps,
      fetch: sendOptions.fetch,
      signal: options.signal,
    });
    const upstream = await sendUpstream(prepared, sendOptions);
    if (ctx.stream) return toCompletionStream(upstream, call, request);
    const json = await readJson(upstream, sendOptions);
    return attachResponseHeaders(
      adapter.parseResponse(json, ctx),
      pickForwardHeaders(upstream.response.headers),
    );
  }, { retries: options.num_retries ?? 0, signal: options.signal, deps });
}
