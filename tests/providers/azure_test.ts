/**
 * Azure OpenAI adapter: URLs (classic deployments, the v1 API, api-version
 * defaults), auth (api-key, Entra ID token and token provider), request
 * bodies, responses and streams with content-filter results, error mapping,
 * embeddings, and end-to-end calls through `completion()` / `embedding()`
 * against the fake Azure resource.
 */

import assert from "node:assert/strict";
import {
  AuthenticationError,
  BadRequestError,
  type ChatCompletionChunk,
  completion,
  type CompletionOptions,
  ContentPolicyViolationError,
  ContextWindowExceededError,
  embedding,
  InternalServerError,
  type LLMuxError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
} from "../../mod.ts";
import {
  AZURE_DEFAULT_API_VERSION,
  azureAdapter,
  azureUrl,
  mapAzureError,
} from "../../src/providers/azure/mod.ts";
import { azureAuth, azureHeaders } from "../../src/providers/azure/_endpoint.ts";
import type { RequestContext } from "../../src/providers/types.ts";
import { createCredentialCache } from "../../src/credential_cache.ts";
import { createSseDecoder } from "../../src/_sse.ts";
import { sequentialIds } from "../../src/_ids.ts";
import { collect, loadJson, loadText, randomSizes, rechunk } from "../_fixtures.ts";
import { startAzureFake } from "../fakes/azure.ts";

const NOW = 1730000000000;
const KEY = "azure-key-0123456789abcdef0123456789";
const AD_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJjb2duaXRpdmUifQ.c2lnbmF0dXJl";
const RESOURCE = "https://my-resource.openai.azure.com";

function context(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    provider: "azure",
    model: "my-gpt-4o",
    requestedModel: "azure/my-gpt-4o",
    apiKey: KEY,
    apiBase: RESOURCE,
    apiVersion: undefined,
    extraHeaders: {},
    stream: false,
    includeUsage: false,
    providerOptions: {},
    env: () => undefined,
    now: () => NOW,
    generateId: sequentialIds(),
    ...overrides,
  };
}

function deps(env: (name: string) => string | undefined = () => undefined): CompletionOptions {
  return {
    now: () => NOW,
    generateId: sequentialIds(),
    env,
    credentialCache: createCredentialCache(),
  };
}

/** Drop symbol keys (RAW_JSON) so chunks compare as plain JSON. */
function plain<T>(value: T): T {
  return JSON.parse(JSON.stringify(value));
}

/** The JSON payloads of an SSE fixture, `[DONE]` excluded. */
function sseJson(text: string): Record<string, unknown>[] {
  return text.split("\n\n")
    .filter((e) => e.startsWith("data: ") && e !== "data: [DONE]")
    .map((e) => JSON.parse(e.slice(6)));
}

async function rejection(promise: Promise<unknown>): Promise<LLMuxError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof Error, "expected a rejection");
  return err as LLMuxError;
}

function assertNoSecrets(err: LLMuxError, secrets: readonly string[]): void {
  const text = `${err.message}\n${err.upstreamMessage ?? ""}\n${JSON.stringify(err)}`;
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `error leaks "${secret.slice(0, 12)}…"`);
  }
}

// ---------------------------------------------------------------------------
// 1. URLs and api-version
// ---------------------------------------------------------------------------

const URL_CASES: {
  name: string;
  ctx: Partial<RequestContext>;
  operation?: string;
  expected: string;
}[] = [
  {
    name: "classic deployment with the GA default api-version",
    ctx: {},
    expected: `${RESOURCE}/openai/deployments/my-gpt-4o/chat/completions?api-version=2024-10-21`,
  },
  {
    name: "api_version wins over AZURE_API_VERSION",
    ctx: {
      apiVersion: "2025-04-01-preview",
      env: (n) => n === "AZURE_API_VERSION" ? "2024-06-01" : undefined,
    },
    expected:
      `${RESOURCE}/openai/deployments/my-gpt-4o/chat/completions?api-version=2025-04-01-preview`,
  },
  {
    name: "AZURE_API_VERSION when no api_version",
    ctx: { env: (n) => n === "AZURE_API_VERSION" ? "2024-06-01" : undefined },
    expected: `${RESOURCE}/openai/deployments/my-gpt-4o/chat/completions?api-version=2024-06-01`,
  },
  {
    name: "a base ending in /openai is not doubled",
    ctx: { apiBase: `${RESOURCE}/openai` },
    operation: "embeddings",
    expected: `${RESOURCE}/openai/deployments/my-gpt-4o/embeddings?api-version=2024-10-21`,
  },
  {
    name: "deployment names are URL-encoded",
    ctx: { model: "gpt 4o/eu" },
    expected:
      `${RESOURCE}/openai/deployments/gpt%204o%2Feu/chat/completions?api-version=2024-10-21`,
  },
  {
    name: "a base ending in /openai/v1 selects the v1 API (no api-version)",
    ctx: { apiBase: `${RESOURCE}/openai/v1` },
    expected: `${RESOURCE}/openai/v1/chat/completions`,
  },
  {
    name: 'api_version "v1" selects the v1 API',
    ctx: { apiVersion: "v1" },
    expected: `${RESOURCE}/openai/v1/chat/completions`,
  },
  {
    name: 'api_version "preview" selects the v1 API with ?api-version=preview',
    ctx: { apiVersion: "preview" },
    expected: `${RESOURCE}/openai/v1/chat/completions?api-version=preview`,
  },
  {
    name: 'api_version "latest" on a Foundry /openai base',
    ctx: { apiBase: "https://my-foundry.services.ai.azure.com/openai", apiVersion: "latest" },
    operation: "embeddings",
    expected: "https://my-foundry.services.ai.azure.com/openai/v1/embeddings?api-version=latest",
  },
];

for (const c of URL_CASES) {
  Deno.test(`azureUrl(): ${c.name}`, () => {
    assert.equal(azureUrl(context(c.ctx), c.operation ?? "chat/completions"), c.expected);
  });
}

Deno.test("azureUrl() without an api_base is a BadRequestError naming AZURE_API_BASE", () => {
  assert.equal(AZURE_DEFAULT_API_VERSION, "2024-10-21");
  assert.throws(() => azureUrl(context({ apiBase: "" }), "chat/completions"), (err: unknown) => {
    assert.ok(err instanceof BadRequestError);
    assert.equal(err.code, "missing_api_base");
    assert.match(err.message, /AZURE_API_BASE/);
    return true;
  });
});

// ---------------------------------------------------------------------------
// 2. Auth
// ---------------------------------------------------------------------------

Deno.test("azureHeaders(): api-key, Entra token precedence, AZURE_AD_TOKEN, extra headers", () => {
  assert.deepEqual(azureHeaders(context()), { "content-type": "application/json", "api-key": KEY });
  assert.deepEqual(
    azureHeaders(context({ providerOptions: { azure_ad_token: AD_TOKEN } })),
    { "content-type": "application/json", authorization: `Bearer ${AD_TOKEN}` },
  );
  assert.deepEqual(
    azureHeaders(context({
      apiKey: undefined,
      env: (n) => n === "AZURE_AD_TOKEN" ? AD_TOKEN : undefined,
      extraHeaders: { "x-ms-client-request-id": "r-1" },
    })),
    {
      "content-type": "application/json",
      authorization: `Bearer ${AD_TOKEN}`,
      "x-ms-client-request-id": "r-1",
    },
  );
  const provider = () => "t";
  assert.deepEqual(azureAuth(context({ providerOptions: { azure_ad_token_provider: provider } })), {
    kind: "provider",
    provider,
  });
  assert.deepEqual(
    azureHeaders(context({ providerOptions: { azure_ad_token_provider: provider } })),
    {
      "content-type": "application/json",
    },
  );
  assert.throws(() => azureHeaders(context({ apiKey: undefined })), (err: unknown) => {
    assert.ok(err instanceof AuthenticationError);
    assert.equal(err.code, "missing_api_key");
    assert.match(err.message, /AZURE_API_KEY/);
    return true;
  });
});

Deno.test("prepareRequest() asks the token provider once per attempt and adds the bearer", async () => {
  let calls = 0;
  const ctx = context({
    apiKey: undefined,
    providerOptions: { azure_ad_token_provider: () => Promise.resolve(`${AD_TOKEN}-${++calls}`) },
  });
  const built = azureAdapter.buildRequest({
    model: "m",
    messages: [{ role: "user", content: "Hi" }],
  }, ctx);
  const depsOf = { fetch, now: () => NOW, credentials: createCredentialCache() };
  const first = await azureAdapter.prepareRequest!(built, ctx, depsOf);
  const second = await azureAdapter.prepareRequest!(built, ctx, depsOf);
  assert.equal(first.headers.authorization, `Bearer ${AD_TOKEN}-1`);
  assert.equal(second.headers.authorization, `Bearer ${AD_TOKEN}-2`);
  const keyed = await azureAdapter.prepareRequest!(
    azureAdapter.buildRequest(
      { model: "m", messages: [{ role: "user", content: "Hi" }] },
      context(),
    ),
    context(),
    depsOf,
  );
  assert.equal(keyed.headers.authorization, undefined);
  const failing = context({
    apiKey: undefined,
    providerOptions: {
      azure_ad_token_provider: () => Promise.reject(new Error(`boom ${AD_TOKEN}`)),
    },
  });
  const err = await rejection(azureAdapter.prepareRequest!(built, failing, depsOf));
  assert.ok(err instanceof AuthenticationError);
  assertNoSecrets(err, [AD_TOKEN]);
});

// ---------------------------------------------------------------------------
// 3. Requests and responses
// ---------------------------------------------------------------------------

const CHAT_MESSAGES = [
  {
    role: "system" as const,
    content: "You are an AI assistant that helps people find information.",
  },
  { role: "user" as const, content: "Does Azure OpenAI support customer managed keys?" },
];

Deno.test("buildRequest() sends the OpenAI body with the deployment as model", async () => {
  const req = {
    model: "azure/my-gpt-4o",
    messages: CHAT_MESSAGES,
    temperature: 0.7,
    max_tokens: 100,
  };
  const built = azureAdapter.buildRequest(req, context());
  assert.deepEqual(JSON.parse(built.body!), await loadJson("azure/chat.request.json"));
  const streamed = azureAdapter.buildRequest(req, context({ stream: true }));
  assert.deepEqual(JSON.parse(streamed.body!), {
    ...(await loadJson<Record<string, unknown>>("azure/chat.request.json")),
    stream: true,
    stream_options: { include_usage: true },
  });
});

Deno.test("parseResponse() keeps prompt_filter_results and content_filter_results", async () => {
  const body = await loadJson<Record<string, unknown>>("azure/chat.response.json");
  const res = azureAdapter.parseResponse(structuredClone(body), context());
  assert.deepEqual(res, body);
  assert.ok(Array.isArray((res as unknown as Record<string, unknown>).prompt_filter_results));
});

Deno.test('parseResponse(): filtered output ends with finish_reason "content_filter", content null', async () => {
  const res = azureAdapter.parseResponse(await loadJson("azure/filtered.response.json"), context());
  assert.equal(res.choices[0].finish_reason, "content_filter");
  assert.deepEqual(res.choices[0].message, { role: "assistant", content: null });
  assert.equal(res.choices[0].logprobs, null);
});

// ---------------------------------------------------------------------------
// 4. Streams
// ---------------------------------------------------------------------------

async function expectedStream(): Promise<Record<string, unknown>[]> {
  const payloads = sseJson(await loadText("azure/chat.stream.sse"));
  // Dropped: [0] the filter-only first chunk, [5] the annotation-only chunk (no delta).
  return [payloads[1], payloads[2], payloads[3], payloads[4], payloads[6]];
}

function replay(pieces: Uint8Array[]): Promise<ChatCompletionChunk[]> {
  return collect(
    ReadableStream.from(pieces)
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(createSseDecoder())
      .pipeThrough(azureAdapter.createStreamTransform(context({ stream: true }))),
  );
}

Deno.test("stream: the filter-only and annotation-only chunks are dropped, the rest pass through", async () => {
  const expected = await expectedStream();
  const bytes = new TextEncoder().encode(await loadText("azure/chat.stream.sse"));
  for (const pieces of [[bytes], rechunk(bytes, [1]), rechunk(bytes, randomSizes(3, 64, 31))]) {
    const chunks = plain(await replay(pieces));
    assert.deepEqual(chunks, expected);
  }
  const chunks = await replay([bytes]);
  assert.deepEqual(chunks.map((c) => c.choices[0]?.delta.content), [
    "",
    "Yes, wörld 👋",
    ", keys are supported.",
    undefined,
    undefined,
  ]);
  assert.equal(chunks.at(-1)!.usage?.total_tokens, 42);
});

Deno.test("stream: a choice without delta but with a finish reason gets delta {}", async () => {
  const events = [
    {
      data:
        '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"x"},"finish_reason":null}]}',
    },
    {
      data:
        '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"finish_reason":"content_filter","content_filter_results":{"violence":{"filtered":true,"severity":"high"}}}]}',
    },
    { data: "[DONE]" },
  ];
  const chunks = plain(
    await collect(
      ReadableStream.from(events).pipeThrough(
        azureAdapter.createStreamTransform(context({ stream: true })),
      ),
    ),
  );
  assert.deepEqual(chunks[1].choices, [{
    index: 0,
    delta: {},
    finish_reason: "content_filter",
    content_filter_results: { violence: { filtered: true, severity: "high" } },
  }]);
});

// ---------------------------------------------------------------------------
// 5. Errors
// ---------------------------------------------------------------------------

const ERROR_CASES: {
  fixture: string;
  cls: typeof LLMuxError;
  status: number;
  code: string | null;
  param?: string | null;
  retryAfter?: number;
}[] = [
  {
    fixture: "content_filter",
    cls: ContentPolicyViolationError,
    status: 400,
    code: "content_filter",
    param: "prompt",
  },
  {
    fixture: "context_length",
    cls: ContextWindowExceededError,
    status: 400,
    code: "context_length_exceeded",
    param: "messages",
  },
  {
    fixture: "rate_limit",
    cls: RateLimitError,
    status: 429,
    code: "rate_limit_exceeded",
    retryAfter: 6,
  },
  { fixture: "forbidden", cls: PermissionDeniedError, status: 403, code: null },
  { fixture: "server_error", cls: InternalServerError, status: 500, code: null },
  { fixture: "unavailable", cls: ServiceUnavailableError, status: 503, code: "ServiceUnavailable" },
];

for (const c of ERROR_CASES) {
  Deno.test(`mapAzureError(): ${c.fixture} → ${c.cls.name} ${c.status}`, async () => {
    const fixture = await loadJson<
      { status: number; headers?: Record<string, string>; body: unknown }
    >(
      `azure/${c.fixture}.error.json`,
    );
    const err = mapAzureError(fixture.status, fixture.body, {
      provider: "azure",
      model: "azure/my-gpt-4o",
      headers: new Headers(fixture.headers),
    });
    assert.ok(err instanceof c.cls, `${err.name} is not ${c.cls.name}`);
    assert.equal(err.status, c.status);
    assert.equal(err.code, c.code);
    if (c.param !== undefined) assert.equal(err.param, c.param);
    if (c.retryAfter !== undefined) assert.equal(err.retryAfter, c.retryAfter);
  });
}

Deno.test("mapAzureError(): numeric codes, DeploymentNotFound, bare statusCode bodies", () => {
  const ctx = { provider: "azure", model: "azure/x", headers: new Headers() };
  const unauthorized = mapAzureError(
    401,
    { error: { code: "401", message: "Access denied" } },
    ctx,
  );
  assert.ok(unauthorized instanceof AuthenticationError);
  assert.equal(unauthorized.code, "invalid_api_key");
  const entra = mapAzureError(401, {
    statusCode: 401,
    message:
      "Unauthorized. Access token is missing, invalid, audience is incorrect, or have expired.",
  }, ctx);
  assert.ok(entra instanceof AuthenticationError);
  assert.match(entra.message, /Access token is missing/);
  const missing = mapAzureError(404, {
    error: {
      code: "DeploymentNotFound",
      message: "The API deployment for this resource does not exist.",
    },
  }, ctx);
  assert.ok(missing instanceof NotFoundError);
  assert.equal(missing.code, "DeploymentNotFound");
  const inner = mapAzureError(400, {
    error: {
      message: "filtered",
      code: "BadRequest",
      innererror: { code: "ResponsibleAIPolicyViolation" },
    },
  }, ctx);
  assert.ok(inner instanceof ContentPolicyViolationError);
  assert.equal(inner.code, "content_filter");
});

// ---------------------------------------------------------------------------
// 6. End to end through completion() / embedding()
// ---------------------------------------------------------------------------

Deno.test("completion() calls a classic deployment with api-key and the default api-version", async () => {
  await using fake = startAzureFake({ apiKey: KEY });
  const res = await completion({
    model: "azure/my-gpt-4o",
    messages: CHAT_MESSAGES,
    temperature: 0.7,
    max_tokens: 100,
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  const { headers: _h, ...body } = res as typeof res & { headers?: unknown };
  assert.deepEqual(plain(body), await loadJson("azure/chat.response.json"));
  const sent = fake.requests[0];
  assert.equal(sent.path, "/openai/deployments/my-gpt-4o/chat/completions?api-version=2024-10-21");
  assert.equal(sent.headers["api-key"], KEY);
  assert.equal(sent.headers["authorization"], undefined);
  assert.deepEqual(sent.body, await loadJson("azure/chat.request.json"));
});

Deno.test("completion() reads AZURE_API_KEY, AZURE_API_BASE and AZURE_API_VERSION", async () => {
  await using fake = startAzureFake({ apiKey: KEY });
  const env = (name: string) =>
    ({ AZURE_API_KEY: KEY, AZURE_API_BASE: fake.url, AZURE_API_VERSION: "2025-04-01-preview" })[
      name
    ];
  const res = await completion({ model: "azure/my-gpt-4o", messages: CHAT_MESSAGES }, deps(env));
  assert.equal(res.choices[0].finish_reason, "stop");
  assert.equal(
    fake.requests[0].path,
    "/openai/deployments/my-gpt-4o/chat/completions?api-version=2025-04-01-preview",
  );
});

Deno.test("completion() authenticates with an Entra ID token or token provider", async () => {
  await using fake = startAzureFake({ apiKey: KEY, adToken: AD_TOKEN });
  const base = { model: "azure/my-gpt-4o", messages: CHAT_MESSAGES, api_base: fake.url };
  await completion({ ...base, azure_ad_token: AD_TOKEN }, deps());
  assert.equal(fake.requests[0].headers["authorization"], `Bearer ${AD_TOKEN}`);
  assert.equal(fake.requests[0].headers["api-key"], undefined);
  let asked = 0;
  await completion({
    ...base,
    azure_ad_token_provider: () => {
      asked++;
      return Promise.resolve(AD_TOKEN);
    },
  }, deps());
  assert.equal(asked, 1);
  assert.equal(fake.requests[1].headers["authorization"], `Bearer ${AD_TOKEN}`);
  const expired = await rejection(
    completion({ ...base, azure_ad_token: "eyJexpired.token.value" }, deps()),
  );
  assert.ok(expired instanceof AuthenticationError);
  assertNoSecrets(expired, ["eyJexpired.token.value"]);
});

Deno.test("completion() uses the v1 API for an /openai/v1 base or api_version preview", async () => {
  await using fake = startAzureFake({ apiKey: KEY });
  await completion({
    model: "azure/my-gpt-4o",
    messages: CHAT_MESSAGES,
    api_key: KEY,
    api_base: `${fake.url}/openai/v1`,
  }, deps());
  await completion({
    model: "azure/my-gpt-4o",
    messages: CHAT_MESSAGES,
    api_key: KEY,
    api_base: fake.url,
    api_version: "preview",
  }, deps());
  assert.deepEqual(fake.requests.map((r) => r.path), [
    "/openai/v1/chat/completions",
    "/openai/v1/chat/completions?api-version=preview",
  ]);
  assert.equal((fake.requests[0].body as { model: string }).model, "my-gpt-4o");
});

Deno.test("completion() streams with include_usage and keeps content_filter_results", async () => {
  await using fake = startAzureFake({ apiKey: KEY });
  const stream = await completion({
    model: "azure/my-gpt-4o",
    messages: CHAT_MESSAGES,
    stream: true,
    stream_options: { include_usage: true },
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  const chunks = plain(await collect(stream));
  assert.deepEqual(chunks, await expectedStream());
  assert.deepEqual((fake.requests[0].body as { stream_options: unknown }).stream_options, {
    include_usage: true,
  });
  assert.deepEqual(plain(stream.usage), (await expectedStream())[4].usage);
});

Deno.test("completion() surfaces a filtered prompt as ContentPolicyViolationError (400)", async () => {
  await using fake = startAzureFake({ apiKey: KEY, scenario: "content_filter" });
  const err = await rejection(completion({
    model: "azure/my-gpt-4o",
    messages: [{ role: "user", content: "something that trips the filter" }],
    api_key: KEY,
    api_base: fake.url,
  }, deps()));
  assert.ok(err instanceof ContentPolicyViolationError);
  assert.equal(err.status, 400);
  assert.equal(err.code, "content_filter");
  assert.deepEqual(err.body.error.code, "content_filter");
});

Deno.test("completion() maps the fake's errors; the key never leaks", async (t) => {
  await using fake = startAzureFake({ apiKey: KEY });
  const base = { model: "azure/my-gpt-4o", messages: CHAT_MESSAGES, api_base: fake.url };
  await t.step("wrong key → AuthenticationError", async () => {
    const wrong = "azure-wrong-key-9876543210fedcba";
    const err = await rejection(completion({ ...base, api_key: wrong }, deps()));
    assert.ok(err instanceof AuthenticationError);
    assert.equal(err.code, "invalid_api_key");
    assertNoSecrets(err, [wrong]);
  });
  await t.step("unknown deployment → NotFoundError", async () => {
    const err = await rejection(completion({ ...base, model: "azure/nope", api_key: KEY }, deps()));
    assert.ok(err instanceof NotFoundError);
    assert.equal(err.code, "DeploymentNotFound");
  });
  await t.step("unknown api-version → NotFoundError", async () => {
    const err = await rejection(
      completion({ ...base, api_key: KEY, api_version: "2020-01-01" }, deps()),
    );
    assert.ok(err instanceof NotFoundError);
  });
  const scenarios: [string, typeof LLMuxError, number][] = [
    ["rate_limit", RateLimitError, 429],
    ["context_length", ContextWindowExceededError, 400],
    ["server_error", InternalServerError, 500],
    ["unavailable", ServiceUnavailableError, 503],
  ];
  for (const [scenario, cls, status] of scenarios) {
    await t.step(`${scenario} → ${cls.name}`, async () => {
      const err = await rejection(completion({
        ...base,
        api_key: KEY,
        extra_headers: { "x-fake-scenario": scenario },
      }, deps()));
      assert.ok(err instanceof cls, `${err.name} is not ${cls.name}`);
      assert.equal(err.status, status);
      assertNoSecrets(err, [KEY]);
    });
  }
});

Deno.test("completion() fails before any request without a key or a base", async () => {
  let fetched = 0;
  const counting: typeof fetch = () => {
    fetched++;
    return Promise.resolve(new Response("{}"));
  };
  const noKey = await rejection(completion({
    model: "azure/my-gpt-4o",
    messages: CHAT_MESSAGES,
    api_base: RESOURCE,
    fetch: counting,
  }, deps()));
  assert.ok(noKey instanceof AuthenticationError);
  const noBase = await rejection(completion({
    model: "azure/my-gpt-4o",
    messages: CHAT_MESSAGES,
    api_key: KEY,
    fetch: counting,
  }, deps()));
  assert.ok(noBase instanceof BadRequestError);
  assertNoSecrets(noBase, [KEY]);
  assert.equal(fetched, 0);
});

Deno.test("embedding() calls the deployment's /embeddings (classic and v1)", async () => {
  await using fake = startAzureFake({ apiKey: KEY });
  const res = await embedding({
    model: "azure/my-embedding",
    input: ["The food was delicious and the waiter...", "Azure OpenAI embeddings"],
    dimensions: 4,
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  assert.deepEqual(
    plain({ object: res.object, data: res.data, model: res.model, usage: res.usage }),
    await loadJson("azure/embeddings.response.json"),
  );
  assert.equal(
    fake.requests[0].path,
    "/openai/deployments/my-embedding/embeddings?api-version=2024-10-21",
  );
  assert.deepEqual(fake.requests[0].body, await loadJson("azure/embeddings.request.json"));
  await embedding({
    model: "azure/my-embedding",
    input: "one",
    api_key: KEY,
    api_base: fake.url,
    api_version: "v1",
  }, deps());
  assert.equal(fake.requests[1].path, "/openai/v1/embeddings");
  assert.equal((fake.requests[1].body as { model: string }).model, "my-embedding");
});
