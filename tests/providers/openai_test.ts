import assert from "node:assert/strict";
import { completion, type CompletionOptions } from "../../src/completion.ts";
import { embedding } from "../../src/embedding.ts";
import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  ContentPolicyViolationError,
  ContextWindowExceededError,
  InternalServerError,
  type LLMuxError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
} from "../../src/errors.ts";
import { sequentialIds } from "../../src/_ids.ts";
import type { ChatCompletionChunk, ChatCompletionRequest } from "../../src/types.ts";
import type { RequestContext } from "../../src/providers/types.ts";
import { toOpenAICompatibleRequest } from "../../src/providers/openai/convert_request.ts";
import { toMistralToolCallId } from "../../src/providers/openai/tool_call_ids.ts";
import { mapOpenAICompatibleFinishReason } from "../../src/providers/openai/map_finish_reason.ts";
import { OPENAI_COMPATIBLE_PROVIDERS } from "../../src/providers/openai/table.ts";
import type { OpenAICompatibleSpec } from "../../src/providers/openai/spec.ts";
import { collect, loadJson, loadText, randomSizes, rechunk } from "../_fixtures.ts";
import { OPENAI_FAKE_KEY, startOpenAIFake } from "../fakes/openai.ts";

const NOW = 1730000000000;

function deps(): CompletionOptions {
  return { now: () => NOW, generateId: sequentialIds(), env: () => undefined };
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

/** A fetch that answers every call with `body` split into `pieces`, recording requests. */
function replayFetch(
  pieces: readonly Uint8Array[],
  init: ResponseInit = { headers: { "content-type": "text/event-stream" } },
) {
  const calls: { url: string; body: unknown; headers: Headers }[] = [];
  const fn: typeof fetch = (input, req) => {
    calls.push({
      url: String(input),
      body: JSON.parse(String(req?.body)),
      headers: new Headers(req?.headers),
    });
    return Promise.resolve(new Response(ReadableStream.from(pieces), init));
  };
  return { fetch: fn, calls };
}

function ctxFor(provider: string, model: string, stream = false): RequestContext {
  return {
    provider,
    model,
    requestedModel: `${provider}/${model}`,
    apiKey: "k",
    apiBase: "http://127.0.0.1",
    apiVersion: undefined,
    extraHeaders: {},
    stream,
    includeUsage: false,
    providerOptions: {},
    env: () => undefined,
    now: () => NOW,
    generateId: sequentialIds(),
  };
}

// ---------------------------------------------------------------------------
// Request and response translation against the strict fake

const PASS_THROUGH_CASES = [
  "plain_text",
  "tool_calls",
  "image_input",
  "json_schema",
  "json_object",
] as const;

for (const name of PASS_THROUGH_CASES) {
  Deno.test(`openai: "${name}" request goes out unchanged and the response comes back exact`, async () => {
    await using fake = startOpenAIFake({ scenarios: [name] });
    const request = await loadJson<ChatCompletionRequest>(`openai/${name}.request.json`);
    const expectedResponse = await loadJson(`openai/${name}.response.json`);
    const res = await completion({
      ...request,
      model: `openai/${request.model}`,
      api_key: OPENAI_FAKE_KEY,
      api_base: fake.baseURL,
    }, deps());
    assert.equal(fake.requests.length, 1);
    const sent = fake.requests[0];
    assert.equal(sent.method, "POST");
    assert.equal(sent.path, "/v1/chat/completions");
    assert.equal(sent.headers.authorization, `Bearer ${OPENAI_FAKE_KEY}`);
    assert.equal(sent.headers["content-type"], "application/json");
    assert.deepEqual(sent.body, request);
    assert.deepEqual(res, expectedResponse);
  });
}

Deno.test("openai: usage with cached_tokens and reasoning_tokens is kept exactly", async () => {
  await using fake = startOpenAIFake({ scenarios: ["usage_details"] });
  const res = await completion({
    model: "o3-mini",
    messages: [{ role: "user", content: "What is 6 x 7?" }],
    reasoning_effort: "low",
    api_key: OPENAI_FAKE_KEY,
    api_base: fake.baseURL,
  }, deps());
  assert.deepEqual(res, await loadJson("openai/usage_details.response.json"));
  assert.equal(res.usage?.prompt_tokens_details?.cached_tokens, 1920);
  assert.equal(res.usage?.completion_tokens_details?.reasoning_tokens, 256);
});

Deno.test("openai: reasoning_content passes through; `reasoning` (OpenRouter, Groq) is renamed", async () => {
  await using fake = startOpenAIFake({ scenarios: ["reasoning_content", "reasoning"] });
  const opts = { api_key: OPENAI_FAKE_KEY, api_base: fake.baseURL };
  const messages = [{ role: "user" as const, content: "Which is larger, 9.11 or 9.8?" }];
  const a = await completion({ model: "openai/deepseek-reasoner", messages, ...opts }, deps());
  assert.deepEqual(a, await loadJson("openai/reasoning_content.response.json"));
  const b = await completion({ model: "openai/deepseek/deepseek-r1", messages, ...opts }, deps());
  const expected = await loadJson<{ choices: { message: Record<string, unknown> }[] }>(
    "openai/reasoning.response.json",
  );
  const message = expected.choices[0].message;
  message.reasoning_content = message.reasoning;
  delete message.reasoning;
  assert.deepEqual(b, expected);
  assert.equal((fake.requests[1].body as { model: string }).model, "deepseek/deepseek-r1");
});

Deno.test("openai: missing id, created and finish reasons outside OpenAI's set are normalised", async () => {
  const body = {
    choices: [
      { index: 0, message: { role: "assistant", content: "a" }, finish_reason: "model_length" },
      { index: 1, message: { role: "assistant", content: "b" }, finish_reason: "eos" },
      {
        index: 2,
        message: {
          role: "assistant",
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        finish_reason: "",
      },
    ],
  };
  const { fetch } = replayFetch([new TextEncoder().encode(JSON.stringify(body))], {
    headers: { "content-type": "application/json" },
  });
  const res = await completion({
    model: "openai/gpt-4o",
    messages: [{ role: "user", content: "hi" }],
    api_key: "sk-x",
    fetch,
  }, deps());
  assert.deepEqual(res, {
    id: "chatcmpl-id0001",
    object: "chat.completion",
    created: 1730000000,
    model: "gpt-4o",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: "a" },
        finish_reason: "length",
        logprobs: null,
      },
      {
        index: 1,
        message: { role: "assistant", content: "b" },
        finish_reason: "stop",
        logprobs: null,
      },
      {
        index: 2,
        message: {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        finish_reason: "tool_calls",
        logprobs: null,
      },
    ],
  });
});

Deno.test("mapOpenAICompatibleFinishReason() maps host values to OpenAI's set", () => {
  const cases: [unknown, string | null][] = [
    ["stop", "stop"],
    ["length", "length"],
    ["tool_calls", "tool_calls"],
    ["content_filter", "content_filter"],
    ["function_call", "function_call"],
    ["model_length", "length"],
    ["eos", "stop"],
    ["something_new", "stop"],
    [null, null],
    [undefined, null],
    ["", null],
  ];
  for (const [input, expected] of cases) {
    assert.equal(mapOpenAICompatibleFinishReason(input), expected, String(input));
  }
});

// ---------------------------------------------------------------------------
// Streaming: exact chunks, whole, byte by byte and in seeded random pieces

const ENCODER = new TextEncoder();

async function streamFixture(
  fixture: string,
  pieces: (bytes: Uint8Array) => Uint8Array[],
  includeUsage: boolean,
) {
  const text = await loadText(`openai/${fixture}.stream.sse`);
  const replay = replayFetch(pieces(ENCODER.encode(text)));
  const stream = await completion({
    model: "openai/gpt-4o-mini",
    messages: [{ role: "user", content: "Say hello." }],
    stream: true,
    ...(includeUsage ? { stream_options: { include_usage: true } } : {}),
    api_key: "sk-x",
    fetch: replay.fetch,
  }, deps());
  const chunks = await collect(stream);
  return { text, chunks, stream, calls: replay.calls };
}

const SPLITS: [string, (bytes: Uint8Array) => Uint8Array[]][] = [
  ["whole", (b) => [b]],
  ["byte by byte", (b) => rechunk(b, [1])],
  ["seeded random pieces (seed 1)", (b) => rechunk(b, randomSizes(1, 64, 17))],
  ["seeded random pieces (seed 42)", (b) => rechunk(b, randomSizes(42, 64, 97))],
];

for (const fixture of ["plain_text", "tool_calls"]) {
  for (const [label, split] of SPLITS) {
    Deno.test(`openai stream "${fixture}", ${label}: chunks equal the upstream JSON`, async () => {
      const withUsage = await streamFixture(fixture, split, true);
      assert.deepEqual(plain(withUsage.chunks), sseJson(withUsage.text));
      const body = withUsage.calls[0].body as Record<string, unknown>;
      assert.equal(body.stream, true);
      assert.deepEqual(body.stream_options, { include_usage: true });

      // Without include_usage the usage-only chunk is withheld; the other chunks
      // pass through as the upstream sent them (`"usage": null` included).
      const without = await streamFixture(fixture, split, false);
      const expected = sseJson(without.text).filter((c) => (c.choices as unknown[]).length > 0);
      assert.deepEqual(plain(without.chunks), expected);
      // Usage is still known, though the caller did not ask for a usage chunk.
      const last = sseJson(without.text).at(-1)!;
      assert.deepEqual(without.stream.usage, last.usage);
    });
  }
}

Deno.test("openai stream: toSSE() bytes equal the upstream bytes for pass-through chunks", async () => {
  for (const fixture of ["plain_text", "tool_calls"]) {
    await using fake = startOpenAIFake({ scenarios: [`${fixture}`] });
    const stream = await completion({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      stream_options: { include_usage: true },
      api_key: OPENAI_FAKE_KEY,
      api_base: fake.baseURL,
    }, deps());
    const bytes = new Uint8Array(await new Response(stream.toSSE()).arrayBuffer());
    const upstream = await loadText(`openai/${fixture}.stream.sse`);
    assert.equal(new TextDecoder().decode(bytes), upstream, fixture);
    assert.equal(stream.info.provider, "openai");
    assert.equal(stream.info.headers["x-request-id"], "req_fake_1");
    assert.equal(stream.info.headers["x-ratelimit-remaining-requests"], "9999");
  }
});

Deno.test("openai stream: OpenRouter reasoning deltas and comment lines", async () => {
  for (const [label, split] of SPLITS) {
    const { chunks, stream } = await streamFixture("reasoning", split, true);
    const reasoning = chunks.map((c) => c.choices[0]?.delta.reasoning_content ?? "").join("");
    const content = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    assert.equal(reasoning, "The capital of France is Paris.", label);
    assert.equal(content, "Paris.", label);
    assert.ok(chunks.every((c) => !("reasoning" in (c.choices[0]?.delta ?? {}))), label);
    assert.ok(chunks.every((c) => c.id === "gen-llmux-or-0002" && c.created === 1730000010));
    const last = chunks.at(-1)!;
    assert.deepEqual(plain(last), {
      id: "gen-llmux-or-0002",
      object: "chat.completion.chunk",
      created: 1730000010,
      model: "deepseek/deepseek-r1",
      choices: [],
      usage: { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23 },
    });
    assert.equal(chunks.filter((c) => c.choices[0]?.finish_reason === "stop").length, 1);
    assert.deepEqual(stream.usage, { prompt_tokens: 12, completion_tokens: 11, total_tokens: 23 });
  }
});

Deno.test("openai stream: DeepSeek keep-alives, reasoning_content and usage on the finish chunk", async () => {
  for (const [label, split] of SPLITS) {
    const { text, chunks } = await streamFixture("keep_alive", split, true);
    const upstream = sseJson(text);
    const usage = upstream.at(-1)!.usage;
    const finish = { ...upstream.at(-1)!, usage: null };
    assert.deepEqual(
      plain(chunks),
      [
        ...upstream.slice(0, -1),
        finish,
        { ...finish, choices: [], usage, system_fingerprint: undefined },
      ].map((c) => plain(c)),
      label,
    );
  }
});

Deno.test("openai stream: a mid-stream error event errors the stream with a typed error", async () => {
  await using fake = startOpenAIFake({ scenarios: ["mid_stream_error"] });
  const params = {
    model: "openai/gpt-4o-mini",
    messages: [{ role: "user" as const, content: "hi" }],
    stream: true as const,
    api_key: OPENAI_FAKE_KEY,
    api_base: fake.baseURL,
  };
  const stream = await completion(params, deps());
  const seen: ChatCompletionChunk[] = [];
  await assert.rejects(async () => {
    for await (const chunk of stream) seen.push(chunk);
  }, (error: LLMuxError) => {
    assert.ok(error instanceof InternalServerError);
    assert.equal(error.status, 500);
    assert.match(error.message, /server had an error/);
    return true;
  });
  assert.equal(seen.map((c) => c.choices[0].delta.content).join(""), "Partial");

  const sse = await new Response((await completion(params, deps())).toSSE()).text();
  const events = sse.split("\n\n").filter(Boolean);
  assert.equal(events.length, 3);
  const error = JSON.parse(events[2].slice(6));
  assert.equal(error.error.type, "server_error");
  assert.ok(!sse.includes("[DONE]"));
});

Deno.test("openai stream: OpenRouter's numeric error code becomes the status", async () => {
  const text = 'data: {"error":{"code":502,"message":"Provider returned error"}}\n\n';
  const { fetch } = replayFetch([ENCODER.encode(text)]);
  const stream = await completion({
    model: "openrouter/openai/gpt-4o",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
    api_key: "sk-or-x",
    fetch,
  }, deps());
  await assert.rejects(
    collect(stream),
    (e: LLMuxError) => e instanceof InternalServerError && e.upstreamStatus === 502,
  );
});

const BROKEN_STREAMS: [string, RegExp][] = [
  ["cut_stream", /ended before the completion finished/],
  ["malformed_json", /malformed JSON/],
  ["reset", /.+/],
];

for (const [scenario, message] of BROKEN_STREAMS) {
  Deno.test(`openai stream: "${scenario}" rejects with APIConnectionError`, async () => {
    await using fake = startOpenAIFake({ scenarios: [scenario] });
    const stream = await completion({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      stream: true,
      api_key: OPENAI_FAKE_KEY,
      api_base: fake.baseURL,
    }, deps());
    await assert.rejects(collect(stream), (error: unknown) => {
      assert.ok(error instanceof APIConnectionError, String(error));
      assert.match(error.message, message);
      return true;
    });
  });
}

// ---------------------------------------------------------------------------
// Errors

const STATUS_CASES: [number, new (...args: never[]) => LLMuxError, number][] = [
  [400, BadRequestError, 400],
  [401, AuthenticationError, 401],
  [403, PermissionDeniedError, 403],
  [404, NotFoundError, 404],
  [408, TimeoutError, 408],
  [409, BadRequestError, 400],
  [422, BadRequestError, 400],
  [429, RateLimitError, 429],
  [500, InternalServerError, 500],
  [502, InternalServerError, 500],
  [503, ServiceUnavailableError, 503],
  [504, TimeoutError, 408],
];

for (const [status, Cls, reported] of STATUS_CASES) {
  Deno.test(`openai error: upstream ${status} → ${Cls.name}`, async () => {
    const body = { error: { message: `failure ${status}`, type: "x", param: null, code: null } };
    const { fetch } = replayFetch([ENCODER.encode(JSON.stringify(body))], {
      status,
      headers: { "content-type": "application/json", "x-request-id": "req_1" },
    });
    const err = await completion({
      model: "openai/gpt-4o",
      messages: [{ role: "user", content: "hi" }],
      api_key: "sk-x",
      fetch,
    }, deps()).then(() => undefined, (e) => e);
    assert.ok(err instanceof Cls, `${status}: ${err}`);
    assert.equal(err.status, reported);
    assert.equal(err.upstreamStatus, status);
    assert.equal(err.provider, "openai");
    assert.equal(err.upstreamMessage, `failure ${status}`);
    assert.equal(err.headers["x-request-id"], "req_1");
    assert.deepEqual(Object.keys(err.body.error), ["message", "type", "param", "code"]);
  });
}

const FIXTURE_ERRORS: {
  scenario: string;
  cls: new (...args: never[]) => LLMuxError;
  code: string | null;
  retryAfter?: number;
  headers?: Record<string, string>;
}[] = [
  {
    scenario: "context_length_exceeded",
    cls: ContextWindowExceededError,
    code: "context_length_exceeded",
  },
  {
    scenario: "content_policy",
    cls: ContentPolicyViolationError,
    code: "content_policy_violation",
  },
  { scenario: "invalid_api_key", cls: AuthenticationError, code: "invalid_api_key" },
  { scenario: "model_not_found", cls: NotFoundError, code: "model_not_found" },
  { scenario: "insufficient_quota", cls: RateLimitError, code: "insufficient_quota" },
  {
    scenario: "rate_limit",
    cls: RateLimitError,
    code: "rate_limit_exceeded",
    retryAfter: 2,
    headers: {
      "x-ratelimit-limit-requests": "10000",
      "x-ratelimit-remaining-requests": "9999",
      "x-ratelimit-reset-requests": "6ms",
      "x-ratelimit-limit-tokens": "200000",
      "x-ratelimit-remaining-tokens": "500",
      "x-ratelimit-reset-tokens": "210ms",
      "retry-after": "2",
      "x-request-id": "req_llmux_429",
    },
  },
  { scenario: "rate_limit_ms", cls: RateLimitError, code: "rate_limit_exceeded", retryAfter: 1.5 },
  { scenario: "server_error", cls: InternalServerError, code: null },
  { scenario: "overloaded", cls: ServiceUnavailableError, code: null, retryAfter: 1 },
];

for (const c of FIXTURE_ERRORS) {
  Deno.test(`openai error fixture "${c.scenario}" → ${c.cls.name}`, async () => {
    await using fake = startOpenAIFake({ scenarios: [c.scenario] });
    const fixture = await loadJson<{ status: number; body: { error: { message: string } } }>(
      `openai/${c.scenario}.error.json`,
    );
    const err = await completion({
      model: "openai/gpt-4o-mini",
      messages: [{ role: "user", content: "hi" }],
      api_key: OPENAI_FAKE_KEY,
      api_base: fake.baseURL,
    }, deps()).then(() => undefined, (e) => e);
    assert.ok(err instanceof c.cls, String(err));
    assert.equal(err.code, c.code);
    assert.equal(err.upstreamStatus, fixture.status);
    assert.equal(err.upstreamMessage, fixture.body.error.message);
    assert.equal(err.retryAfter, c.retryAfter);
    if (c.headers) assert.deepEqual(err.headers, c.headers);
  });
}

Deno.test("openai error: the key is redacted when the upstream echoes it", async () => {
  await using fake = startOpenAIFake();
  const key = "sk-proj-wrong-secret-0123456789";
  const err = await completion({
    model: "openai/gpt-4o-mini",
    messages: [{ role: "user", content: "hi" }],
    api_key: key,
    api_base: fake.baseURL,
  }, deps()).then(() => undefined, (e) => e);
  assert.ok(err instanceof AuthenticationError);
  assert.equal(err.code, "invalid_api_key");
  for (const text of [err.message, JSON.stringify(err), err.upstreamMessage ?? "", String(err)]) {
    assert.ok(!text.includes(key), text);
    assert.ok(!text.includes(key.slice(0, 12)), text);
  }
  assert.match(err.message, /\[REDACTED\]/);
});

// ---------------------------------------------------------------------------
// Embeddings

Deno.test("openai embeddings: request and response through the fake", async () => {
  await using fake = startOpenAIFake();
  const request = await loadJson<{ model: string; input: string[] }>(
    "openai/embeddings.request.json",
  );
  const res = await embedding({
    ...request,
    model: `openai/${request.model}`,
    api_key: OPENAI_FAKE_KEY,
    api_base: fake.baseURL,
  }, deps());
  assert.equal(fake.requests[0].path, "/v1/embeddings");
  assert.deepEqual(fake.requests[0].body, request);
  assert.deepEqual(res, await loadJson("openai/embeddings.response.json"));
});

Deno.test("openai embeddings: a provider without embeddings is a BadRequestError", async () => {
  await assert.rejects(
    embedding({ model: "groq/llama", input: "x", api_key: "gsk-x" }, deps()),
    (e: unknown) => e instanceof BadRequestError && /does not offer embeddings/.test(e.message),
  );
});

// ---------------------------------------------------------------------------
// The fake is strict like OpenAI

const STRICT_CASES: { name: string; body: unknown; param: string | null; message: RegExp }[] = [
  {
    name: "missing model",
    body: { messages: [{ role: "user", content: "x" }] },
    param: null,
    message: /model parameter/,
  },
  {
    name: "empty messages",
    body: { model: "m", messages: [] },
    param: "messages",
    message: /too short/,
  },
  {
    name: "bad role",
    body: { model: "m", messages: [{ role: "bot", content: "x" }] },
    param: "messages[0].role",
    message: /Invalid value: 'bot'/,
  },
  {
    name: "orphan tool message",
    body: {
      model: "m",
      messages: [{ role: "user", content: "x" }, {
        role: "tool",
        tool_call_id: "call_1",
        content: "1",
      }],
    },
    param: "messages.[1].role",
    message: /preceeding message with 'tool_calls'/,
  },
  {
    name: "tool message answering another id",
    body: {
      model: "m",
      messages: [
        { role: "user", content: "x" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{
            id: "call_1",
            type: "function",
            function: { name: "f", arguments: "{}" },
          }],
        },
        { role: "tool", tool_call_id: "call_2", content: "1" },
      ],
    },
    param: "messages.[2].role",
    message: /tool_calls/,
  },
  {
    name: "both token limits",
    body: {
      model: "m",
      messages: [{ role: "user", content: "x" }],
      max_tokens: 1,
      max_completion_tokens: 1,
    },
    param: "max_tokens",
    message: /cannot both be set/,
  },
  {
    name: "stream_options without stream",
    body: {
      model: "m",
      messages: [{ role: "user", content: "x" }],
      stream_options: { include_usage: true },
    },
    param: "stream_options",
    message: /only allowed when 'stream' is enabled/,
  },
  {
    name: "unknown argument",
    body: { model: "m", messages: [{ role: "user", content: "x" }], api_key: "leak" },
    param: null,
    message: /Unrecognized request argument supplied: api_key/,
  },
];

for (const c of STRICT_CASES) {
  Deno.test(`OpenAI fake rejects ${c.name} with OpenAI's 400 shape`, async () => {
    await using fake = startOpenAIFake();
    const res = await fetch(`${fake.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${OPENAI_FAKE_KEY}`, "content-type": "application/json" },
      body: JSON.stringify(c.body),
    });
    assert.equal(res.status, 400);
    const body = await res.json();
    assert.deepEqual(Object.keys(body.error), ["message", "type", "param", "code"]);
    assert.equal(body.error.type, "invalid_request_error");
    assert.equal(body.error.param, c.param);
    assert.match(body.error.message, c.message);
  });
}

Deno.test("OpenAI fake: auth, models and prefix mounting", async () => {
  await using fake = startOpenAIFake({ prefix: "/openai/v1" });
  const noAuth = await fetch(`${fake.baseURL}/models`);
  assert.equal(noAuth.status, 401);
  assert.equal((await noAuth.json()).error.type, "invalid_request_error");
  const wrong = await fetch(`${fake.baseURL}/models`, {
    headers: { authorization: "Bearer sk-no" },
  });
  assert.equal(wrong.status, 401);
  assert.equal((await wrong.json()).error.code, "invalid_api_key");
  const ok = await fetch(`${fake.baseURL}/models`, {
    headers: { authorization: `Bearer ${OPENAI_FAKE_KEY}` },
  });
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).object, "list");
  const elsewhere = await fetch(`${fake.url}/v1/models`, {
    headers: { authorization: `Bearer ${OPENAI_FAKE_KEY}` },
  });
  assert.equal(elsewhere.status, 405);
  await elsewhere.body?.cancel();
});

// ---------------------------------------------------------------------------
// Row quirks as pure translations

function specOf(id: keyof typeof OPENAI_COMPATIBLE_PROVIDERS): OpenAICompatibleSpec {
  return OPENAI_COMPATIBLE_PROVIDERS[id];
}

Deno.test("toOpenAICompatibleRequest(): Mistral ids, random_seed, names and developer role", () => {
  const req: ChatCompletionRequest = {
    model: "mistral/mistral-large-latest",
    seed: 7,
    messages: [
      { role: "developer", content: "Be brief.", name: "ops" },
      { role: "user", content: "Weather?", name: "alice" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_llmuxParis00000000001",
            type: "function",
            function: { name: "w", arguments: "{}" },
          },
          { id: "D681PevKs", type: "function", function: { name: "w", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "call_llmuxParis00000000001", content: "sunny" },
      { role: "tool", tool_call_id: "D681PevKs", content: "rainy" },
    ],
  };
  const body = toOpenAICompatibleRequest(
    specOf("mistral"),
    req,
    ctxFor("mistral", "mistral-large-latest"),
  );
  const remapped = toMistralToolCallId("call_llmuxParis00000000001");
  assert.match(remapped, /^[a-zA-Z0-9]{9}$/);
  assert.deepEqual(body, {
    model: "mistral-large-latest",
    random_seed: 7,
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          { id: remapped, type: "function", function: { name: "w", arguments: "{}" } },
          { id: "D681PevKs", type: "function", function: { name: "w", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: remapped, content: "sunny" },
      { role: "tool", tool_call_id: "D681PevKs", content: "rainy" },
    ],
  });
  // Streams: no stream_options for Mistral (strict schema), usage comes anyway.
  const streamed = toOpenAICompatibleRequest(
    specOf("mistral"),
    { ...req, stream: true, stream_options: { include_usage: true } },
    ctxFor("mistral", "mistral-large-latest", true),
  );
  assert.equal(streamed.stream, true);
  assert.ok(!("stream_options" in streamed));
});

Deno.test("toMistralToolCallId() is deterministic, 9 alphanumerics, and spreads", () => {
  const ids = new Set<string>();
  for (let i = 0; i < 2000; i++) {
    const id = toMistralToolCallId(`call_${i}`);
    assert.match(id, /^[a-zA-Z0-9]{9}$/);
    assert.equal(id, toMistralToolCallId(`call_${i}`));
    ids.add(id);
  }
  assert.equal(ids.size, 2000);
  assert.equal(toMistralToolCallId("abcDEF123"), "abcDEF123");
});

Deno.test("toOpenAICompatibleRequest(): Fireworks model prefix and tool_choice required → any", () => {
  const req: ChatCompletionRequest = {
    model: "x",
    messages: [{ role: "user", content: "hi" }],
    tool_choice: "required",
    max_completion_tokens: 9,
  };
  const a = toOpenAICompatibleRequest(
    specOf("fireworks_ai"),
    req,
    ctxFor("fireworks_ai", "llama-v3p1-8b-instruct"),
  );
  assert.equal(a.model, "accounts/fireworks/models/llama-v3p1-8b-instruct");
  assert.equal(a.tool_choice, "any");
  assert.equal(a.max_tokens, 9);
  assert.ok(!("max_completion_tokens" in a));
  const b = toOpenAICompatibleRequest(
    specOf("fireworks_ai"),
    req,
    ctxFor("fireworks_ai", "accounts/acme/models/custom"),
  );
  assert.equal(b.model, "accounts/acme/models/custom");
});

Deno.test("toOpenAICompatibleRequest(): Perplexity merges same-role turns; DashScope flattens text parts", () => {
  const req: ChatCompletionRequest = {
    model: "x",
    messages: [
      { role: "system", content: "s1" },
      { role: "system", content: "s2" },
      { role: "user", content: "a" },
      { role: "user", content: [{ type: "text", text: "b" }] },
      { role: "assistant", content: "c" },
      { role: "assistant", content: "d" },
      { role: "user", content: "e" },
    ],
  };
  const p = toOpenAICompatibleRequest(specOf("perplexity"), req, ctxFor("perplexity", "sonar"));
  assert.deepEqual(p.messages, [
    { role: "system", content: "s1" },
    { role: "system", content: "s2" },
    { role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
    { role: "assistant", content: "c\n\nd" },
    { role: "user", content: "e" },
  ]);
  const d = toOpenAICompatibleRequest(specOf("dashscope"), {
    model: "x",
    messages: [
      {
        role: "user",
        content: [{ type: "text", text: "Hello, " }, { type: "text", text: "Qwen" }],
      },
      {
        role: "user",
        content: [{ type: "text", text: "see" }, {
          type: "image_url",
          image_url: { url: "https://x/y.png" },
        }],
      },
    ],
  }, ctxFor("dashscope", "qwen-plus"));
  assert.deepEqual(d.messages, [
    { role: "user", content: "Hello, Qwen" },
    {
      role: "user",
      content: [{ type: "text", text: "see" }, {
        type: "image_url",
        image_url: { url: "https://x/y.png" },
      }],
    },
  ]);
});

// ---------------------------------------------------------------------------
// Host stream quirks

Deno.test("openai stream: Groq's x_groq.usage becomes the usage chunk", async () => {
  const base = {
    id: "chatcmpl-groq1",
    object: "chat.completion.chunk",
    created: 1730000020,
    model: "llama",
  };
  const events = [
    {
      ...base,
      choices: [{ index: 0, delta: { role: "assistant", content: "Hi" }, finish_reason: null }],
    },
    {
      ...base,
      choices: [{ index: 0, delta: {}, finish_reason: "stop" }],
      x_groq: { id: "req_01", usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 } },
    },
  ];
  const text = events.map((e) => `data: ${JSON.stringify(e)}\n\n`).join("") + "data: [DONE]\n\n";
  const { fetch } = replayFetch([ENCODER.encode(text)]);
  const stream = await completion({
    model: "groq/llama",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
    stream_options: { include_usage: true },
    api_key: "gsk-x",
    fetch,
  }, deps());
  const chunks = await collect(stream);
  assert.deepEqual(plain(chunks.at(-1)), {
    ...base,
    choices: [],
    usage: { prompt_tokens: 5, completion_tokens: 1, total_tokens: 6 },
  });
  assert.equal(stream.usage?.total_tokens, 6);
});

const ERROR_FINISH: [string, new (...args: never[]) => LLMuxError][] = [
  ["error", InternalServerError],
  ["insufficient_system_resource", ServiceUnavailableError],
];

for (const [reason, Cls] of ERROR_FINISH) {
  Deno.test(`openai: finish_reason "${reason}" is a ${Cls.name}, streaming or not`, async () => {
    const completionBody = {
      id: "x",
      object: "chat.completion",
      created: 1,
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: "" }, finish_reason: reason }],
    };
    const json = replayFetch([ENCODER.encode(JSON.stringify(completionBody))], {
      headers: { "content-type": "application/json" },
    });
    const params = {
      model: "deepseek/deepseek-chat",
      messages: [{ role: "user" as const, content: "hi" }],
    };
    await assert.rejects(
      completion({ ...params, api_key: "sk-x", fetch: json.fetch }, deps()),
      (e: unknown) => e instanceof Cls && e.code === reason,
    );
    const chunk = {
      id: "x",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      choices: [{ index: 0, delta: {}, finish_reason: reason }],
    };
    const sse = replayFetch([ENCODER.encode(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`)]);
    const stream = await completion(
      { ...params, stream: true, api_key: "sk-x", fetch: sse.fetch },
      deps(),
    );
    await assert.rejects(collect(stream), (e: unknown) => e instanceof Cls);
  });
}
