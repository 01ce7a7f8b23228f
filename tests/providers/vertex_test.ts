/**
 * Vertex AI adapter: URLs, request bodies (Gemini and Claude), responses,
 * streams (split at every byte boundary), error mapping, embeddings, the
 * Google OAuth flows (JWT bearer and refresh token), and end-to-end calls
 * through `completion()` / `embedding()` against a fake token endpoint that
 * verifies the RS256 signature and a fake Vertex endpoint that checks the
 * bearer token and the URL shape.
 */

import assert from "node:assert/strict";
import { jwtVerify } from "jose";
import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  completion,
  ContextWindowExceededError,
  embedding,
  InternalServerError,
  type LLMuxError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  UnsupportedParamsError,
} from "../../mod.ts";
import {
  fetchGoogleAccessToken,
  fromVertexEmbedResponse,
  GOOGLE_CLOUD_PLATFORM_SCOPE,
  mapVertexError,
  parseGoogleCredentials,
  resolveGoogleCredentialSource,
  signGoogleServiceAccountJwt,
  toVertexAnthropicRequest,
  toVertexEmbedRequest,
  vertexAdapter,
} from "../../src/providers/vertex/mod.ts";
import {
  VERTEX_PROJECT_PLACEHOLDER,
  vertexHost,
  vertexLocation,
  vertexMethodUrl,
  vertexProject,
  type VertexUrlParts,
} from "../../src/providers/vertex/_endpoint.ts";
import { toGeminiRequest } from "../../src/providers/gemini/mod.ts";
import type { GoogleServiceAccountCredentials } from "../../src/providers/vertex/mod.ts";
import type { RequestContext } from "../../src/providers/types.ts";
import { createCredentialCache } from "../../src/credential_cache.ts";
import { createSseDecoder } from "../../src/_sse.ts";
import { sequentialIds } from "../../src/_ids.ts";
import { collect, loadJson, loadText, randomSizes, rechunk } from "../_fixtures.ts";
import {
  createTestServiceAccountKey,
  serviceAccountJson,
  startGoogleOAuthFake,
  TEST_CLIENT_EMAIL,
  TEST_KEY_ID,
  TEST_PROJECT_ID,
} from "../fakes/google_oauth.ts";
import { startVertexFake } from "../fakes/vertex.ts";

const NOW = 1730000000000;
const CREATED = 1730000000;
const LOCATION = "us-central1";
const GEMINI = "vertex_ai/gemini-2.5-flash";
const CLAUDE = "vertex_ai/claude-sonnet-4-5@20250929";

// One RSA key pair for the whole file, generated at start: the fake token
// endpoint verifies with the public half, the key file carries the private one.
const KEY = await createTestServiceAccountKey();

function context(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    provider: "vertex_ai",
    model: "gemini-2.5-flash",
    requestedModel: GEMINI,
    apiKey: undefined,
    apiBase: "",
    apiVersion: undefined,
    extraHeaders: {},
    stream: false,
    includeUsage: false,
    providerOptions: { vertex_project: "my-project" },
    env: () => undefined,
    now: () => NOW,
    generateId: sequentialIds(),
    ...overrides,
  };
}

function claudeContext(overrides: Partial<RequestContext> = {}): RequestContext {
  return context({ model: "claude-sonnet-4-5@20250929", requestedModel: CLAUDE, ...overrides });
}

function request(body: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest {
  return { model: GEMINI, messages: [{ role: "user", content: "Hi" }], ...body };
}

/** A mutable clock shared by the client and the fake token endpoint. */
function clock(start = NOW) {
  const c = { now: start, read: () => c.now };
  return c;
}

/** A fake token endpoint + fake Vertex + a key file pointing at the fake. */
function setup(options: { now?: () => number; delayMs?: number; projectInKey?: boolean } = {}) {
  const now = options.now ?? (() => NOW);
  const oauth = startGoogleOAuthFake({ publicKey: KEY.publicKey, now, delayMs: options.delayMs });
  const vertex = startVertexFake({
    isValidToken: oauth.isValid,
    project: TEST_PROJECT_ID,
    location: LOCATION,
  });
  const credentials = serviceAccountJson({
    privateKeyPem: KEY.privateKeyPem,
    tokenUri: oauth.tokenUri,
    ...(options.projectInKey === false ? { projectId: null } : {}),
  });
  return {
    oauth,
    vertex,
    credentials,
    async [Symbol.asyncDispose]() {
      await oauth.close();
      await vertex.close();
    },
  };
}

function deps(now: () => number = () => NOW) {
  return { now, generateId: sequentialIds(), credentialCache: createCredentialCache() };
}

async function rejection(promise: Promise<unknown>): Promise<LLMuxError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof Error, "expected a rejection");
  return err as LLMuxError;
}

function assertNoSecrets(err: LLMuxError, secrets: readonly string[]): void {
  const text = `${err.message}\n${err.upstreamMessage ?? ""}\n${JSON.stringify(err)}`;
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `error leaks "${secret.slice(0, 24)}…"`);
  }
  assert.ok(!text.includes("PRIVATE KEY"), "error leaks the private key");
}

// ---------------------------------------------------------------------------
// 1. URLs, project and location
// ---------------------------------------------------------------------------

Deno.test("vertexHost() picks the regional, global and multi-region hosts", () => {
  const cases: [string, string][] = [
    ["us-central1", "https://us-central1-aiplatform.googleapis.com"],
    ["europe-west4", "https://europe-west4-aiplatform.googleapis.com"],
    ["global", "https://aiplatform.googleapis.com"],
    ["us", "https://aiplatform.us.rep.googleapis.com"],
    ["eu", "https://aiplatform.eu.rep.googleapis.com"],
  ];
  for (const [location, host] of cases) assert.equal(vertexHost(location), host, location);
});

const URL_CASES: { name: string; parts: Partial<VertexUrlParts>; expected: string }[] = [
  {
    name: "regional Gemini generateContent",
    parts: {},
    expected:
      "https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent",
  },
  {
    name: "global Gemini stream",
    parts: { location: "global", method: "streamGenerateContent?alt=sse" },
    expected:
      "https://aiplatform.googleapis.com/v1/projects/p1/locations/global/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
  },
  {
    name: "Claude rawPredict in a region",
    parts: {
      location: "us-east5",
      publisher: "anthropic",
      model: "claude-sonnet-4-5@20250929",
      method: "rawPredict",
    },
    expected:
      "https://us-east5-aiplatform.googleapis.com/v1/projects/p1/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict",
  },
  {
    name: "api_base replaces the host (LiteLLM partner-model form)",
    parts: { apiBase: "https://gateway.example.com/vertex" },
    expected:
      "https://gateway.example.com/vertex/v1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent",
  },
  {
    name: "api_base ending in a version is not doubled",
    parts: { apiBase: "http://127.0.0.1:9/v1beta1" },
    expected:
      "http://127.0.0.1:9/v1beta1/projects/p1/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent",
  },
  {
    name: "api_base naming the resource gets only the method (LiteLLM custom proxy)",
    parts: {
      apiBase:
        "https://proxy.example.com/v1/projects/p9/locations/europe-west1/publishers/google/models/gemini-2.5-pro",
    },
    expected:
      "https://proxy.example.com/v1/projects/p9/locations/europe-west1/publishers/google/models/gemini-2.5-pro:generateContent",
  },
  {
    name: "an all-digit model is a tuned endpoint",
    parts: { model: "4965075652664360960" },
    expected:
      "https://us-central1-aiplatform.googleapis.com/v1/projects/p1/locations/us-central1/endpoints/4965075652664360960:generateContent",
  },
];

for (const c of URL_CASES) {
  Deno.test(`vertexMethodUrl(): ${c.name}`, () => {
    const parts: VertexUrlParts = {
      apiBase: "",
      project: "p1",
      location: "us-central1",
      publisher: "google",
      model: "gemini-2.5-flash",
      method: "generateContent",
      ...c.parts,
    };
    assert.equal(vertexMethodUrl(parts), c.expected);
  });
}

Deno.test("vertexProject() / vertexLocation() read options first, then env, then defaults", () => {
  const env = (values: Record<string, string>) => (name: string) => values[name];
  const cases: {
    options: Record<string, unknown>;
    env: Record<string, string>;
    project: string | undefined;
    location: string;
  }[] = [
    { options: {}, env: {}, project: undefined, location: "us-central1" },
    {
      options: { vertex_project: "opt-p", vertex_location: "asia-northeast1" },
      env: { VERTEXAI_PROJECT: "env-p", VERTEXAI_LOCATION: "europe-west1" },
      project: "opt-p",
      location: "asia-northeast1",
    },
    {
      options: { vertex_ai_project: "alias-p", vertex_ai_location: "global" },
      env: {},
      project: "alias-p",
      location: "global",
    },
    {
      options: {},
      env: {
        VERTEXAI_PROJECT: "env-p",
        VERTEX_PROJECT: "other",
        VERTEXAI_LOCATION: "europe-west1",
      },
      project: "env-p",
      location: "europe-west1",
    },
    {
      options: {},
      env: { VERTEX_PROJECT: "env2", VERTEX_LOCATION: "us-east5" },
      project: "env2",
      location: "us-east5",
    },
    {
      options: {},
      env: { GOOGLE_CLOUD_PROJECT: "gcp", GOOGLE_CLOUD_LOCATION: "global" },
      project: "gcp",
      location: "global",
    },
  ];
  for (const c of cases) {
    const ctx = { providerOptions: c.options, env: env(c.env) };
    assert.equal(vertexProject(ctx), c.project);
    assert.equal(vertexLocation(ctx), c.location);
  }
});

// ---------------------------------------------------------------------------
// 2. Requests
// ---------------------------------------------------------------------------

Deno.test("buildRequest() sends a Gemini model the Gemini API body at the regional URL", async () => {
  const req = request({
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: "Explain how AI works in one sentence." },
    ],
    temperature: 0.2,
    max_tokens: 64,
  });
  const ctx = context({ extraHeaders: { "x-goog-user-project": "billing-p" } });
  const built = vertexAdapter.buildRequest(req, ctx);
  assert.equal(
    built.url,
    "https://us-central1-aiplatform.googleapis.com/v1/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent",
  );
  assert.deepEqual(built.headers, {
    "content-type": "application/json",
    "x-goog-user-project": "billing-p",
  });
  assert.deepEqual(JSON.parse(built.body!), await loadJson("gemini/text.request.json"));
  assert.deepEqual(JSON.parse(built.body!), toGeminiRequest(req));

  const streamed = vertexAdapter.buildRequest(req, context({ stream: true }));
  assert.ok(streamed.url.endsWith("/models/gemini-2.5-flash:streamGenerateContent?alt=sse"));
  assert.equal(streamed.body, built.body);
});

Deno.test("buildRequest() sends Claude the Messages body without model, with anthropic_version", async () => {
  const req = request({
    model: CLAUDE,
    messages: [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "Hello, Claude" },
    ],
    max_tokens: 1024,
    temperature: 0.5,
  });
  const built = vertexAdapter.buildRequest(
    req,
    claudeContext({
      providerOptions: { vertex_project: "my-project", vertex_location: "global" },
      extraHeaders: { "anthropic-beta": "context-1m-2025-08-07" },
    }),
  );
  assert.equal(
    built.url,
    "https://aiplatform.googleapis.com/v1/projects/my-project/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict",
  );
  assert.equal(built.headers["anthropic-beta"], "context-1m-2025-08-07");
  assert.equal(built.headers["anthropic-version"], undefined);
  assert.deepEqual(JSON.parse(built.body!), await loadJson("vertex/claude_text.request.json"));

  const streamed = vertexAdapter.buildRequest(req, claudeContext({ stream: true }));
  assert.ok(streamed.url.endsWith(":streamRawPredict"));
  assert.deepEqual(JSON.parse(streamed.body!), {
    ...(await loadJson<Record<string, unknown>>("vertex/claude_text.request.json")),
    stream: true,
  });
});

Deno.test("toVertexAnthropicRequest() keeps tools and JSON mode of the Anthropic conversion", () => {
  const body = toVertexAnthropicRequest(
    request({
      tools: [{
        type: "function",
        function: {
          name: "get_weather",
          parameters: { type: "object", properties: { location: { type: "string" } } },
        },
      }],
      tool_choice: "required",
    }),
    claudeContext(),
  );
  assert.equal(body.anthropic_version, "vertex-2023-10-16");
  assert.equal("model" in body, false);
  assert.deepEqual(body.tools, [{
    name: "get_weather",
    input_schema: { type: "object", properties: { location: { type: "string" } } },
  }]);
  assert.deepEqual(body.tool_choice, { type: "any" });
});

Deno.test("buildRequest() checks params per model family (Claude: no seed; Gemini: no user)", () => {
  assert.throws(
    () => vertexAdapter.buildRequest(request({ seed: 7 }), claudeContext()),
    UnsupportedParamsError,
  );
  assert.throws(
    () => vertexAdapter.buildRequest(request({ user: "u1" }), context()),
    UnsupportedParamsError,
  );
  const dropped = vertexAdapter.buildRequest(
    request({ seed: 7 }),
    claudeContext({ dropParams: true }),
  );
  assert.equal("seed" in JSON.parse(dropped.body!), false);
  const gemini = vertexAdapter.buildRequest(request({ seed: 7 }), context());
  assert.equal(JSON.parse(gemini.body!).generationConfig.seed, 7);
});

Deno.test("buildRequest() leaves a project placeholder when only the credential can name it", () => {
  const built = vertexAdapter.buildRequest(request(), context({ providerOptions: {} }));
  assert.ok(built.url.includes(`/projects/${VERTEX_PROJECT_PLACEHOLDER}/locations/us-central1/`));
});

Deno.test("express mode: api_key without credentials → x-goog-api-key, no project", async () => {
  const key = "AQ.Ab8RN6express-key-0123456789";
  const built = vertexAdapter.buildRequest(
    request(),
    context({ apiKey: key, providerOptions: {} }),
  );
  assert.equal(
    built.url,
    "https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.5-flash:generateContent",
  );
  assert.equal(built.headers["x-goog-api-key"], key);
  const fixture = await loadJson("vertex/gemini_text.response.json");
  const seen: { url: string; headers: Headers }[] = [];
  const stub: typeof fetch = (input, init) => {
    seen.push({ url: String(input), headers: new Headers(init?.headers) });
    return Promise.resolve(Response.json(fixture));
  };
  const res = await completion({
    model: GEMINI,
    messages: [{ role: "user", content: "Hi" }],
    stream: false,
    api_key: key,
    fetch: stub,
  }, deps());
  assert.deepEqual(res, GEMINI_TEXT_COMPLETION);
  assert.equal(seen.length, 1, "no token exchange");
  assert.equal(seen[0].headers.get("x-goog-api-key"), key);
  assert.equal(seen[0].headers.get("authorization"), null);
  // With credentials configured, the key is not used: OAuth wins.
  const oauth = vertexAdapter.buildRequest(
    request(),
    context({
      apiKey: key,
      providerOptions: { vertex_credentials: "/k.json", vertex_project: "p" },
    }),
  );
  assert.equal(oauth.headers["x-goog-api-key"], undefined);
  assert.ok(oauth.url.includes("/projects/p/locations/us-central1/"));
});

// ---------------------------------------------------------------------------
// 3. Responses
// ---------------------------------------------------------------------------

const GEMINI_TEXT_COMPLETION: ChatCompletion = {
  id: "mbT0aKS-DbyRmecP8p2NsQQ",
  object: "chat.completion",
  created: CREATED,
  model: "gemini-2.5-flash",
  choices: [{
    index: 0,
    message: {
      role: "assistant",
      content: "AI learns patterns from data and uses them to make predictions.",
    },
    logprobs: null,
    finish_reason: "stop",
  }],
  usage: { prompt_tokens: 8, completion_tokens: 12, total_tokens: 20 },
};

const CLAUDE_TEXT_COMPLETION: ChatCompletion = {
  id: "msg_vrtx_01Hc3GkNB3j4tZEC5oAQqL8S",
  object: "chat.completion",
  created: CREATED,
  model: "claude-sonnet-4-5-20250929",
  choices: [{
    index: 0,
    message: { role: "assistant", content: "Hello! How can I help you today?" },
    logprobs: null,
    finish_reason: "stop",
  }],
  usage: {
    prompt_tokens: 18,
    completion_tokens: 12,
    total_tokens: 30,
    prompt_tokens_details: { cached_tokens: 0 },
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  },
};

const RESPONSE_CASES: {
  name: string;
  fixture: string;
  ctx: () => RequestContext;
  expected: ChatCompletion;
}[] = [
  {
    name: "Gemini text",
    fixture: "vertex/gemini_text.response.json",
    ctx: context,
    expected: GEMINI_TEXT_COMPLETION,
  },
  {
    name: "Claude text",
    fixture: "vertex/claude_text.response.json",
    ctx: claudeContext,
    expected: CLAUDE_TEXT_COMPLETION,
  },
  {
    name: "Claude tool use (toolu_vrtx_ ids)",
    fixture: "vertex/claude_tools.response.json",
    ctx: claudeContext,
    expected: {
      id: "msg_vrtx_01A09q90qw90lq917835lq9",
      object: "chat.completion",
      created: CREATED,
      model: "claude-sonnet-4-5-20250929",
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: "I'll check the weather in San Francisco.",
          tool_calls: [{
            id: "toolu_vrtx_01A09q90qw90lq917835lq9",
            type: "function",
            function: { name: "get_weather", arguments: '{"location":"San Francisco, CA"}' },
          }],
        },
        logprobs: null,
        finish_reason: "tool_calls",
      }],
      usage: {
        prompt_tokens: 384,
        completion_tokens: 59,
        total_tokens: 443,
        prompt_tokens_details: { cached_tokens: 0 },
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    },
  },
];

for (const c of RESPONSE_CASES) {
  Deno.test(`parseResponse(): ${c.name} → exact chat.completion`, async () => {
    assert.deepEqual(vertexAdapter.parseResponse(await loadJson(c.fixture), c.ctx()), c.expected);
  });
}

// ---------------------------------------------------------------------------
// 4. Streams (Vertex SSE), split at every byte boundary
// ---------------------------------------------------------------------------

const GEMINI_STREAM: ChatCompletionChunk[] = [
  { delta: { role: "assistant", content: "" }, finish_reason: null },
  { delta: { content: "Bonjour à tous" }, finish_reason: null },
  { delta: { content: " 👋, the quick brown fox" }, finish_reason: null },
  { delta: { content: " jumps." }, finish_reason: null },
  { delta: {}, finish_reason: "stop" },
].map((choice) => ({
  id: "wLT0aNmUBcKjmecPp4iVqQk",
  object: "chat.completion.chunk",
  created: CREATED,
  model: "gemini-2.5-flash",
  choices: [{ index: 0, ...choice } as ChatCompletionChunk["choices"][number]],
}));
GEMINI_STREAM.push({
  id: "wLT0aNmUBcKjmecPp4iVqQk",
  object: "chat.completion.chunk",
  created: CREATED,
  model: "gemini-2.5-flash",
  choices: [],
  usage: { prompt_tokens: 9, completion_tokens: 10, total_tokens: 19 },
});

const CLAUDE_STREAM: ChatCompletionChunk[] = [
  { delta: { role: "assistant", content: "" }, finish_reason: null },
  { delta: { content: "Hello, wörld 👋" }, finish_reason: null },
  { delta: { content: "! How can I help?" }, finish_reason: null },
  { delta: {}, finish_reason: "stop" },
].map((choice) => ({
  id: "msg_vrtx_01Qk7rN2Xy8cE4hFvZ1aPbLm",
  object: "chat.completion.chunk",
  created: CREATED,
  model: "claude-sonnet-4-5-20250929",
  choices: [{ index: 0, ...choice } as ChatCompletionChunk["choices"][number]],
}));
CLAUDE_STREAM.push({
  id: "msg_vrtx_01Qk7rN2Xy8cE4hFvZ1aPbLm",
  object: "chat.completion.chunk",
  created: CREATED,
  model: "claude-sonnet-4-5-20250929",
  choices: [],
  usage: {
    prompt_tokens: 18,
    completion_tokens: 12,
    total_tokens: 30,
    prompt_tokens_details: { cached_tokens: 0 },
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  },
});

function replay(pieces: Uint8Array[], ctx: RequestContext): Promise<ChatCompletionChunk[]> {
  return collect(
    ReadableStream.from(pieces)
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(createSseDecoder())
      .pipeThrough(vertexAdapter.createStreamTransform(ctx)),
  );
}

const STREAM_CASES = [
  {
    name: "Gemini",
    fixture: "vertex/gemini_text.stream.sse",
    ctx: context,
    expected: GEMINI_STREAM,
  },
  {
    name: "Claude",
    fixture: "vertex/claude_text.stream.sse",
    ctx: claudeContext,
    expected: CLAUDE_STREAM,
  },
];

for (const c of STREAM_CASES) {
  Deno.test(`${c.name} stream → exact chunks, whole, byte by byte and in random pieces`, async () => {
    const bytes = new TextEncoder().encode(await loadText(c.fixture));
    const splits: [string, Uint8Array[]][] = [
      ["whole", [bytes]],
      ["one byte at a time", rechunk(bytes, [1])],
      ["seeded random pieces", rechunk(bytes, randomSizes(7, 64, 23))],
    ];
    for (const [name, pieces] of splits) {
      assert.deepEqual(await replay(pieces, c.ctx({ stream: true })), c.expected, name);
    }
  });

  Deno.test(`${c.name} stream → the same chunks when split at every byte boundary`, async () => {
    const bytes = new TextEncoder().encode(await loadText(c.fixture));
    for (let i = 1; i < bytes.length; i++) {
      const chunks = await replay(
        [bytes.subarray(0, i), bytes.subarray(i)],
        c.ctx({ stream: true }),
      );
      assert.deepEqual(chunks, c.expected, `split at byte ${i}`);
    }
  });
}

// ---------------------------------------------------------------------------
// 5. Errors
// ---------------------------------------------------------------------------

const ERROR_CASES: {
  fixture: string;
  cls: typeof LLMuxError;
  status: number;
  code: string | null;
}[] = [
  { fixture: "resource_exhausted", cls: RateLimitError, status: 429, code: "rate_limit_exceeded" },
  {
    fixture: "invalid_argument",
    cls: ContextWindowExceededError,
    status: 400,
    code: "context_length_exceeded",
  },
  { fixture: "failed_precondition", cls: BadRequestError, status: 400, code: null },
  { fixture: "not_found", cls: NotFoundError, status: 404, code: "model_not_found" },
  { fixture: "internal", cls: InternalServerError, status: 500, code: null },
  { fixture: "unavailable", cls: ServiceUnavailableError, status: 503, code: null },
  // TimeoutError reports 408 whatever the upstream status (504 here), as for `gemini/`.
  { fixture: "deadline", cls: TimeoutError, status: 408, code: null },
  {
    fixture: "claude_overloaded",
    cls: ServiceUnavailableError,
    status: 503,
    code: "overloaded_error",
  },
  {
    fixture: "claude_too_long",
    cls: ContextWindowExceededError,
    status: 400,
    code: "context_length_exceeded",
  },
];

for (const c of ERROR_CASES) {
  Deno.test(`mapVertexError(): ${c.fixture} → ${c.cls.name} ${c.status}`, async () => {
    const fixture = await loadJson<{ status: number; body: unknown }>(
      `vertex/${c.fixture}.error.json`,
    );
    const err = mapVertexError(fixture.status, fixture.body, {
      provider: "vertex_ai",
      model: GEMINI,
      headers: new Headers(),
    });
    assert.ok(err instanceof c.cls, `${err.name} is not ${c.cls.name}`);
    assert.equal(err.status, c.status);
    assert.equal(err.code, c.code);
    assert.equal(err.provider, "vertex_ai");
  });
}

Deno.test("mapVertexError() maps Google RPC auth errors and unknown bodies by status", () => {
  const ctx = { provider: "vertex_ai", model: GEMINI, headers: new Headers() };
  const unauth = mapVertexError(401, {
    error: {
      code: 401,
      message: "Request had invalid authentication credentials.",
      status: "UNAUTHENTICATED",
    },
  }, ctx);
  assert.ok(unauth instanceof AuthenticationError);
  const denied = mapVertexError(403, [{
    error: { code: 403, message: "Permission denied", status: "PERMISSION_DENIED" },
  }], ctx);
  assert.ok(denied instanceof PermissionDeniedError);
  const html = mapVertexError(502, "<html>Bad Gateway</html>", ctx);
  assert.ok(html instanceof InternalServerError);
  assert.equal(html.status, 500);
});

// ---------------------------------------------------------------------------
// 6. Embeddings
// ---------------------------------------------------------------------------

Deno.test("toVertexEmbedRequest() / fromVertexEmbedResponse() translate exactly", async () => {
  assert.deepEqual(
    toVertexEmbedRequest({
      model: "vertex_ai/text-embedding-005",
      input: ["What is life?", "Life is good."],
      dimensions: 4,
      task_type: "RETRIEVAL_QUERY",
    }),
    await loadJson("vertex/embed.request.json"),
  );
  assert.deepEqual(toVertexEmbedRequest({ model: "m", input: "x", auto_truncate: false }), {
    instances: [{ content: "x" }],
    parameters: { autoTruncate: false },
  });
  assert.throws(() => toVertexEmbedRequest({ model: "m", input: [1, 2, 3] }), BadRequestError);
  const ctx = {
    provider: "vertex_ai",
    model: "text-embedding-005",
    requestedModel: "vertex_ai/text-embedding-005",
  };
  const body = await loadJson("vertex/embed.response.json");
  assert.deepEqual(fromVertexEmbedResponse(body, ctx, { model: "m", input: ["a", "b"] }), {
    object: "list",
    data: [
      { object: "embedding", index: 0, embedding: [0.0118, -0.0205, 0.0324, -0.0047] },
      { object: "embedding", index: 1, embedding: [-0.0311, 0.0122, 0.0071, 0.0193] },
    ],
    model: "text-embedding-005",
    usage: { prompt_tokens: 7, total_tokens: 7 },
  });
  const b64 = fromVertexEmbedResponse(body, ctx, {
    model: "m",
    input: ["a", "b"],
    encoding_format: "base64",
  });
  const bytes = Uint8Array.from(atob(b64.data[0].embedding as string), (ch) => ch.charCodeAt(0));
  assert.deepEqual([...new Float32Array(bytes.buffer)], [
    ...new Float32Array([0.0118, -0.0205, 0.0324, -0.0047]),
  ]);
  assert.throws(
    () => fromVertexEmbedResponse({ predictions: [{}] }, ctx, { model: "m", input: "a" }),
    APIConnectionError,
  );
});

// ---------------------------------------------------------------------------
// 7. Google OAuth: credentials, JWT, token exchange
// ---------------------------------------------------------------------------

Deno.test("parseGoogleCredentials() accepts both kinds and names problems without echoing values", () => {
  const sa = parseGoogleCredentials(JSON.parse(serviceAccountJson({
    privateKeyPem: KEY.privateKeyPem,
    tokenUri: "https://oauth2.googleapis.com/token",
  })));
  assert.equal(sa.type, "service_account");
  assert.deepEqual({ ...sa, private_key: "…" }, {
    type: "service_account",
    client_email: TEST_CLIENT_EMAIL,
    private_key: "…",
    private_key_id: TEST_KEY_ID,
    token_uri: "https://oauth2.googleapis.com/token",
    project_id: TEST_PROJECT_ID,
  });
  // A key with escaped newlines (pasted through an env var) is unescaped.
  const escaped = parseGoogleCredentials({
    type: "service_account",
    client_email: "a@b.iam.gserviceaccount.com",
    private_key: KEY.privateKeyPem.replaceAll("\n", "\\n"),
  }) as GoogleServiceAccountCredentials;
  assert.equal(escaped.private_key, KEY.privateKeyPem);
  assert.equal(escaped.token_uri, "https://oauth2.googleapis.com/token");

  const bad: [unknown, RegExp][] = [
    [null, /expected a JSON object/],
    [{ type: "external_account" }, /unsupported credential type "external_account"/],
    [{ client_email: "x" }, /unsupported credential type \(none\)/],
    [{ type: "service_account", private_key: KEY.privateKeyPem }, /'client_email' is missing/],
    [{ type: "service_account", client_email: "x@y" }, /'private_key' is missing/],
    [{ type: "authorized_user", client_id: "c", client_secret: "s" }, /'refresh_token' is missing/],
  ];
  for (const [value, message] of bad) {
    const err = (() => {
      try {
        parseGoogleCredentials(value);
      } catch (e) {
        return e as LLMuxError;
      }
      throw new Error("expected a throw");
    })();
    assert.ok(err instanceof AuthenticationError);
    assert.equal(err.code, "invalid_credentials");
    assert.match(err.message, message);
    assertNoSecrets(err, [KEY.privateKeyPem]);
  }
});

Deno.test("resolveGoogleCredentialSource(): option JSON/object/path, then GOOGLE_APPLICATION_CREDENTIALS", () => {
  const json = serviceAccountJson({
    privateKeyPem: KEY.privateKeyPem,
    tokenUri: "https://t/token",
  });
  const base = { provider: "vertex_ai", requestedModel: GEMINI, env: () => undefined };
  const fromJson = resolveGoogleCredentialSource({
    ...base,
    providerOptions: { vertex_credentials: json },
  });
  assert.equal(fromJson?.key, `google:sa:${TEST_CLIENT_EMAIL}:${TEST_KEY_ID}:https://t/token`);
  assert.ok(!fromJson!.key.includes("PRIVATE"));
  const fromObject = resolveGoogleCredentialSource({
    ...base,
    providerOptions: { vertex_credentials: JSON.parse(json) },
  });
  assert.equal(fromObject?.key, fromJson?.key);
  const fromPath = resolveGoogleCredentialSource({
    ...base,
    providerOptions: { vertex_credentials: "/etc/keys/sa.json" },
  });
  assert.equal(fromPath?.key, "google:file:/etc/keys/sa.json");
  const fromEnv = resolveGoogleCredentialSource({
    ...base,
    providerOptions: {},
    env: (name) => name === "GOOGLE_APPLICATION_CREDENTIALS" ? "/adc.json" : undefined,
  });
  assert.equal(fromEnv?.key, "google:file:/adc.json");
  assert.equal(resolveGoogleCredentialSource({ ...base, providerOptions: {} }), undefined);
  assert.throws(
    () =>
      resolveGoogleCredentialSource({
        ...base,
        providerOptions: { vertex_credentials: "{not json" },
      }),
    AuthenticationError,
  );
  assert.throws(
    () => resolveGoogleCredentialSource({ ...base, providerOptions: { vertex_credentials: 42 } }),
    AuthenticationError,
  );
});

Deno.test("signGoogleServiceAccountJwt() signs RS256 with the RFC 7523 claims", async () => {
  const creds = parseGoogleCredentials(JSON.parse(serviceAccountJson({
    privateKeyPem: KEY.privateKeyPem,
    tokenUri: "https://oauth2.googleapis.com/token",
  }))) as GoogleServiceAccountCredentials;
  const jwt = await signGoogleServiceAccountJwt(creds, NOW);
  const { payload, protectedHeader } = await jwtVerify(jwt, KEY.publicKey, {
    algorithms: ["RS256"],
    currentDate: new Date(NOW),
  });
  assert.deepEqual(protectedHeader, { alg: "RS256", typ: "JWT", kid: TEST_KEY_ID });
  assert.deepEqual(payload, {
    iss: TEST_CLIENT_EMAIL,
    scope: GOOGLE_CLOUD_PLATFORM_SCOPE,
    aud: "https://oauth2.googleapis.com/token",
    iat: CREATED,
    exp: CREATED + 3600,
  });
  const broken = await rejection(
    signGoogleServiceAccountJwt({
      ...creds,
      private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    }, NOW),
  );
  assert.ok(broken instanceof AuthenticationError);
  assert.match(broken.message, /not a PKCS#8 PEM RSA key/);
  assertNoSecrets(broken, ["AAAA"]);
});

Deno.test("fetchGoogleAccessToken() exchanges a verified JWT at token_uri", async () => {
  await using oauth = startGoogleOAuthFake({ publicKey: KEY.publicKey, now: () => NOW });
  const creds = parseGoogleCredentials(
    JSON.parse(serviceAccountJson({ privateKeyPem: KEY.privateKeyPem, tokenUri: oauth.tokenUri })),
  );
  const token = await fetchGoogleAccessToken(creds, { fetch, now: () => NOW });
  assert.ok(oauth.isValid(token.value.accessToken));
  assert.equal(token.value.projectId, TEST_PROJECT_ID);
  assert.equal(token.expiresAt, NOW + 3599_000);
  assert.equal(oauth.exchanges(), 1);
  const form = new URLSearchParams(oauth.requests[0].body as string);
  assert.equal(form.get("grant_type"), "urn:ietf:params:oauth:grant-type:jwt-bearer");
  assert.equal(oauth.requests[0].headers["content-type"], "application/x-www-form-urlencoded");
});

Deno.test("fetchGoogleAccessToken() exchanges an authorized_user refresh token", async () => {
  const user = {
    clientId: "cid.apps.googleusercontent.com",
    clientSecret: "csecret-123",
    refreshToken: "1//refresh-abc",
  };
  await using oauth = startGoogleOAuthFake({ publicKey: KEY.publicKey, authorizedUser: user });
  const creds = parseGoogleCredentials({
    type: "authorized_user",
    client_id: user.clientId,
    client_secret: user.clientSecret,
    refresh_token: user.refreshToken,
    token_uri: oauth.tokenUri,
    quota_project_id: "quota-p",
  });
  const token = await fetchGoogleAccessToken(creds, { fetch, now: () => NOW });
  assert.ok(oauth.isValid(token.value.accessToken));
  assert.equal(token.value.projectId, "quota-p");
  const form = new URLSearchParams(oauth.requests[0].body as string);
  assert.deepEqual(Object.fromEntries(form), {
    grant_type: "refresh_token",
    client_id: user.clientId,
    client_secret: user.clientSecret,
    refresh_token: user.refreshToken,
  });
  const wrong = await rejection(
    fetchGoogleAccessToken({ ...creds, refresh_token: "1//stolen" } as typeof creds, {
      fetch,
      now: () => NOW,
    }),
  );
  assert.ok(wrong instanceof AuthenticationError);
  assert.equal(wrong.code, "invalid_grant");
  assertNoSecrets(wrong, ["1//stolen", user.clientSecret]);
});

Deno.test("a JWT signed with the wrong key is refused: AuthenticationError, no secret in it", async () => {
  const other = await createTestServiceAccountKey();
  await using oauth = startGoogleOAuthFake({ publicKey: KEY.publicKey, now: () => NOW });
  const creds = parseGoogleCredentials(
    JSON.parse(
      serviceAccountJson({ privateKeyPem: other.privateKeyPem, tokenUri: oauth.tokenUri }),
    ),
  );
  const err = await rejection(fetchGoogleAccessToken(creds, { fetch, now: () => NOW }));
  assert.ok(err instanceof AuthenticationError);
  assert.equal(err.status, 401);
  assert.equal(err.code, "invalid_grant");
  assert.match(
    err.message,
    /token endpoint answered 400 invalid_grant \(Invalid JWT Signature\.\)/,
  );
  const assertion = new URLSearchParams(oauth.requests[0].body as string).get("assertion")!;
  assertNoSecrets(err, [other.privateKeyPem, assertion]);
});

Deno.test("a JWT from a skewed clock is refused; an unreachable token_uri is an APIConnectionError", async () => {
  await using oauth = startGoogleOAuthFake({ publicKey: KEY.publicKey, now: () => NOW });
  const creds = parseGoogleCredentials(
    JSON.parse(serviceAccountJson({ privateKeyPem: KEY.privateKeyPem, tokenUri: oauth.tokenUri })),
  );
  const skewed = await rejection(
    fetchGoogleAccessToken(creds, { fetch, now: () => NOW + 2 * 3600_000 }),
  );
  assert.ok(skewed instanceof AuthenticationError);
  assert.match(skewed.message, /short-lived token/);
  const down = await rejection(
    fetchGoogleAccessToken({ ...creds, token_uri: "http://127.0.0.1:9/token" } as typeof creds, {
      fetch,
      now: () => NOW,
    }),
  );
  assert.ok(down instanceof APIConnectionError);
  assertNoSecrets(down, [KEY.privateKeyPem]);
});

// ---------------------------------------------------------------------------
// 8. End to end through completion() / embedding()
// ---------------------------------------------------------------------------

Deno.test("completion() calls Gemini on Vertex with a minted bearer token", async () => {
  await using env = setup();
  const res = await completion({
    model: GEMINI,
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: "Explain how AI works in one sentence." },
    ],
    temperature: 0.2,
    max_tokens: 64,
    vertex_credentials: env.credentials,
    vertex_project: TEST_PROJECT_ID,
    vertex_location: LOCATION,
    api_base: env.vertex.url,
  }, deps());
  assert.deepEqual(res, GEMINI_TEXT_COMPLETION);
  assert.equal(env.oauth.exchanges(), 1);
  const sent = env.vertex.requests[0];
  assert.equal(
    sent.path,
    `/v1/projects/${TEST_PROJECT_ID}/locations/${LOCATION}/publishers/google/models/gemini-2.5-flash:generateContent`,
  );
  const token = sent.headers["authorization"].slice("Bearer ".length);
  assert.ok(env.oauth.isValid(token));
  assert.deepEqual(sent.body, await loadJson("gemini/text.request.json"));
});

Deno.test("completion() takes the project from the key file when none is configured", async () => {
  await using env = setup();
  const res = await completion({
    model: CLAUDE,
    messages: [{ role: "system", content: "You are a helpful assistant." }, {
      role: "user",
      content: "Hello, Claude",
    }],
    max_tokens: 1024,
    temperature: 0.5,
    vertex_credentials: env.credentials,
    api_base: env.vertex.url,
  }, deps());
  assert.deepEqual(res, CLAUDE_TEXT_COMPLETION);
  assert.equal(
    env.vertex.requests[0].path,
    `/v1/projects/${TEST_PROJECT_ID}/locations/${LOCATION}/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict`,
  );
  assert.deepEqual(env.vertex.requests[0].body, await loadJson("vertex/claude_text.request.json"));
});

Deno.test("20 concurrent calls share ONE token exchange", async () => {
  await using env = setup({ delayMs: 30 });
  const d = deps();
  const calls = Array.from({ length: 20 }, (_, i) =>
    completion({
      model: i % 2 === 0 ? GEMINI : CLAUDE,
      messages: [{ role: "user", content: `Hi ${i}` }],
      vertex_credentials: env.credentials,
      api_base: env.vertex.url,
    }, d));
  const results = await Promise.all(calls);
  assert.equal(results.length, 20);
  assert.equal(env.oauth.exchanges(), 1);
  assert.equal(env.vertex.requests.length, 20);
  const tokens = new Set(env.vertex.requests.map((r) => r.headers["authorization"]));
  assert.equal(tokens.size, 1);
});

/** A "Hi" to Gemini on the fake Vertex, with the fake's credentials. */
function geminiCall(env: ReturnType<typeof setup>, d: ReturnType<typeof deps>) {
  return () =>
    completion({
      model: GEMINI,
      messages: [{ role: "user", content: "Hi" }],
      vertex_credentials: env.credentials,
      api_base: env.vertex.url,
    }, d);
}

Deno.test("the token is reused until 5 minutes before expiry, then refreshed once", async () => {
  const time = clock();
  await using env = setup({ now: time.read });
  const call = geminiCall(env, deps(time.read));
  await call();
  time.now += 3000_000; // 50 min: 9 min 59 s left, still good
  await call();
  assert.equal(env.oauth.exchanges(), 1);
  time.now += 600_000; // 60 min: inside the 5-minute margin
  await Promise.all([call(), call(), call()]);
  assert.equal(env.oauth.exchanges(), 2);
  const [first, second] = [env.vertex.requests[0], env.vertex.requests[2]];
  assert.notEqual(first.headers["authorization"], second.headers["authorization"]);
});

Deno.test("a token revoked before its expiry: the 401 drops it, the next call mints a new one", async () => {
  await using env = setup();
  const call = geminiCall(env, deps());
  await call();
  assert.equal(env.oauth.exchanges(), 1);
  env.oauth.revokeAll();
  const refused = await rejection(call());
  assert.ok(refused instanceof AuthenticationError, String(refused));
  assert.equal(env.oauth.exchanges(), 1, "the refused call used the cached token");
  await call();
  assert.equal(env.oauth.exchanges(), 2, "the next call minted a new token");
  const tokens = env.vertex.requests.map((r) => r.headers["authorization"]);
  assert.equal(tokens[1], tokens[0]);
  assert.notEqual(tokens[2], tokens[0]);
});

Deno.test("each credential cache mints its own token; credentials never share keys", async () => {
  await using env = setup();
  const params = {
    model: GEMINI,
    messages: [{ role: "user" as const, content: "Hi" }],
    vertex_credentials: env.credentials,
    api_base: env.vertex.url,
  };
  await completion(params, deps());
  await completion(params, deps());
  assert.equal(env.oauth.exchanges(), 2);
});

Deno.test("completion() streams Gemini and Claude through the fake", async () => {
  await using env = setup();
  const d = deps();
  const gemini = await completion({
    model: GEMINI,
    messages: [{ role: "user", content: "Greet everyone" }],
    stream: true,
    stream_options: { include_usage: true },
    vertex_credentials: env.credentials,
    api_base: env.vertex.url,
  }, d);
  const expected = GEMINI_STREAM.map((c) => c.choices.length === 0 ? c : { ...c, usage: null });
  assert.deepEqual(await collect(gemini), expected);
  assert.ok(env.vertex.requests[0].path.endsWith(":streamGenerateContent?alt=sse"));

  const claude = await completion({
    model: CLAUDE,
    messages: [{ role: "user", content: "Hello" }],
    stream: true,
    vertex_credentials: env.credentials,
    api_base: env.vertex.url,
  }, d);
  assert.deepEqual(await collect(claude), CLAUDE_STREAM.slice(0, -1));
  assert.equal((env.vertex.requests[1].body as { stream: boolean }).stream, true);
  assert.ok(env.vertex.requests[1].path.endsWith(":streamRawPredict"));
  assert.equal(env.oauth.exchanges(), 1);
});

Deno.test("completion() reuses the Gemini and Anthropic fixtures for tools", async () => {
  await using env = setup();
  const tools = [{
    type: "function" as const,
    function: {
      name: "get_weather",
      description: "Get the current weather in a location",
      parameters: {
        type: "object",
        properties: { location: { type: "string" } },
        required: ["location"],
      },
    },
  }];
  const gemini = await completion({
    model: GEMINI,
    messages: [{ role: "user", content: "What's the weather in Boston and Paris?" }],
    tools,
    vertex_credentials: env.credentials,
    api_base: env.vertex.url,
    extra_headers: { "x-fake-scenario": "tools" },
  }, deps());
  assert.equal(gemini.choices[0].finish_reason, "tool_calls");
  assert.equal(gemini.choices[0].message.tool_calls?.length, 2);

  const claude = await completion({
    model: CLAUDE,
    messages: [{ role: "user", content: "What's the weather in San Francisco?" }],
    tools,
    vertex_credentials: env.credentials,
    api_base: env.vertex.url,
    extra_headers: { "x-fake-scenario": "claude_tools" },
  }, deps());
  assert.equal(claude.choices[0].message.tool_calls?.[0].id, "toolu_vrtx_01A09q90qw90lq917835lq9");
});

Deno.test("embedding() calls :predict with the bearer token", async () => {
  await using env = setup();
  const res = await embedding({
    model: "vertex_ai/text-embedding-005",
    input: ["What is life?", "Life is good."],
    dimensions: 4,
    task_type: "RETRIEVAL_QUERY",
    vertex_credentials: env.credentials,
    api_base: env.vertex.url,
  }, deps());
  assert.equal(res.data.length, 2);
  assert.deepEqual(res.usage, { prompt_tokens: 7, total_tokens: 7 });
  const sent = env.vertex.requests[0];
  assert.equal(
    sent.path,
    `/v1/projects/${TEST_PROJECT_ID}/locations/${LOCATION}/publishers/google/models/text-embedding-005:predict`,
  );
  assert.deepEqual(sent.body, await loadJson("vertex/embed.request.json"));
  assert.ok(env.oauth.isValid(sent.headers["authorization"].slice(7)));
});

Deno.test("completion() maps the fake's errors to typed errors", async (t) => {
  await using env = setup();
  const cases: [string, string, typeof LLMuxError, number][] = [
    [GEMINI, "resource_exhausted", RateLimitError, 429],
    [GEMINI, "invalid_argument", ContextWindowExceededError, 400],
    [GEMINI, "unavailable", ServiceUnavailableError, 503],
    [CLAUDE, "claude_overloaded", ServiceUnavailableError, 503],
    [CLAUDE, "claude_too_long", ContextWindowExceededError, 400],
    [CLAUDE, "not_found", NotFoundError, 404],
  ];
  for (const [model, scenario, cls, status] of cases) {
    await t.step(`${scenario} → ${cls.name}`, async () => {
      const err = await rejection(completion({
        model,
        messages: [{ role: "user", content: "Hi" }],
        vertex_credentials: env.credentials,
        api_base: env.vertex.url,
        extra_headers: { "x-fake-scenario": scenario },
      }, deps()));
      assert.ok(err instanceof cls, `${err.name} is not ${cls.name}`);
      assert.equal(err.status, status);
      assertNoSecrets(err, [KEY.privateKeyPem, ...env.oauth.issued]);
    });
  }
});

Deno.test("the fake refuses a wrong project, a bad token and a bad body, as Vertex does", async () => {
  await using env = setup();
  const base = {
    messages: [{ role: "user" as const, content: "Hi" }],
    vertex_credentials: env.credentials,
    api_base: env.vertex.url,
  };
  const denied = await rejection(
    completion({ ...base, model: GEMINI, vertex_project: "someone-else" }, deps()),
  );
  assert.ok(denied instanceof PermissionDeniedError);
  const wrongPlace = await rejection(
    completion({ ...base, model: GEMINI, vertex_location: "europe-west4" }, deps()),
  );
  assert.ok(wrongPlace instanceof NotFoundError);
  const bogus = await rejection(completion({
    ...base,
    model: GEMINI,
    vertex_project: TEST_PROJECT_ID,
    extra_headers: { authorization: "Bearer ya29.forged-token" },
  }, deps()));
  assert.ok(bogus instanceof AuthenticationError);
  assert.equal(env.oauth.exchanges(), 2, "the forged header skipped the exchange");
  assertNoSecrets(bogus, ["ya29.forged-token"]);
});

Deno.test("a mid-stream Gemini error on Vertex errors the stream with the typed error", async () => {
  await using env = setup();
  const stream = await completion({
    model: GEMINI,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    vertex_credentials: env.credentials,
    api_base: env.vertex.url,
    extra_headers: { "x-fake-scenario": "error_mid" },
  }, deps());
  const seen: ChatCompletionChunk[] = [];
  const err = await rejection((async () => {
    for await (const chunk of stream) seen.push(chunk);
  })());
  assert.ok(err instanceof ServiceUnavailableError);
  assert.equal(err.provider, "vertex_ai");
  assert.equal(err.upstreamMessage, "The model is overloaded. Please try again later.");
  assert.deepEqual(seen.map((c) => c.choices[0].delta.content), ["", "Once upon a time"]);
});

Deno.test("a Claude stream cut before message_stop fails with APIConnectionError", async () => {
  await using env = setup();
  const stream = await completion({
    model: CLAUDE,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    vertex_credentials: env.credentials,
    api_base: env.vertex.url,
    extra_headers: { "x-fake-scenario": "stream_cut" },
  }, deps());
  const err = await rejection(collect(stream));
  assert.ok(err instanceof APIConnectionError);
});

Deno.test("missing credentials or project fail before any request, with no secret in the error", async () => {
  let fetched = 0;
  const countingFetch: typeof fetch = () => {
    fetched++;
    return Promise.resolve(new Response("{}"));
  };
  const none = await rejection(completion({
    model: GEMINI,
    messages: [{ role: "user", content: "Hi" }],
    vertex_project: "p",
    fetch: countingFetch,
  }, deps()));
  assert.ok(none instanceof AuthenticationError);
  assert.equal(none.code, "missing_credentials");
  assert.match(none.message, /GOOGLE_APPLICATION_CREDENTIALS/);

  await using env = setup({ projectInKey: false });
  const noProject = await rejection(completion({
    model: GEMINI,
    messages: [{ role: "user", content: "Hi" }],
    vertex_credentials: env.credentials,
    api_base: env.vertex.url,
  }, deps()));
  assert.ok(noProject instanceof BadRequestError);
  assert.equal(noProject.code, "missing_project");
  assert.equal(env.vertex.requests.length, 0);
  assert.equal(fetched, 0);
  assertNoSecrets(noProject, [KEY.privateKeyPem, ...env.oauth.issued]);
});

Deno.test("GOOGLE_APPLICATION_CREDENTIALS names a key file, read only when a token is minted", async () => {
  const user = {
    clientId: "764086051850-fake0llmux0test.apps.googleusercontent.com",
    clientSecret: "d-FAKE-llmux-client-secret",
    refreshToken: "1//0fake-llmux-refresh-token-for-tests",
  };
  await using oauth = startGoogleOAuthFake({ publicKey: KEY.publicKey, authorizedUser: user });
  await using vertex = startVertexFake({
    isValidToken: oauth.isValid,
    project: TEST_PROJECT_ID,
    location: LOCATION,
  });
  // The file names Google's real token endpoint; route it to the fake.
  const routed: typeof fetch = (input, init) =>
    fetch(String(input) === "https://oauth2.googleapis.com/token" ? oauth.tokenUri : input, init);
  const path = new URL("../fixtures/vertex/authorized_user.json", import.meta.url).pathname;
  const env = (name: string) => name === "GOOGLE_APPLICATION_CREDENTIALS" ? path : undefined;
  const d = { ...deps(), env };
  const params = {
    model: GEMINI,
    messages: [{ role: "user" as const, content: "Hi" }],
    api_base: vertex.url,
    fetch: routed,
  };
  const res = await completion(params, d);
  assert.equal(res.choices[0].finish_reason, "stop");
  await completion(params, d);
  assert.equal(oauth.exchanges(), 1);
  assert.ok(
    vertex.requests[0].path.includes(`/projects/${TEST_PROJECT_ID}/`),
    "quota_project_id used",
  );

  const missing = await rejection(completion(params, {
    ...deps(),
    env: (name) =>
      name === "GOOGLE_APPLICATION_CREDENTIALS"
        ? "./tests/fixtures/vertex/no_such_key.json"
        : undefined,
  }));
  assert.ok(missing instanceof AuthenticationError);
  assert.match(
    missing.message,
    /cannot read the credentials file "\.\/tests\/fixtures\/vertex\/no_such_key\.json" \(no such file\)/,
  );
});
