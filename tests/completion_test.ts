import assert from "node:assert/strict";
import { completion, type CompletionOptions } from "../src/completion.ts";
import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  LLMuxError,
  TimeoutError,
} from "../src/errors.ts";
import { sequentialIds } from "../src/_ids.ts";
import { resolveModel } from "../src/providers/registry.ts";
import type { ChatCompletionChunk } from "../src/types.ts";
import { collect } from "./_fixtures.ts";
import { OPENAI_FAKE_KEY, startOpenAIFake } from "./fakes/openai.ts";

const NOW = 1730000000000;

function deps(env: Record<string, string> = {}, extra: CompletionOptions = {}): CompletionOptions {
  return {
    now: () => NOW,
    generateId: sequentialIds(),
    env: (name) => env[name],
    ...extra,
  };
}

/** A fetch that must never be called. */
const NO_FETCH: typeof fetch = () => {
  throw new Error("fetch must not be called");
};

/** Wait until `check()` holds, polling, for at most `ms` milliseconds. */
async function eventually(check: () => boolean, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const USER = [{ role: "user" as const, content: "Say hello." }];

// ---------------------------------------------------------------------------
// Validation happens before any network call

const INVALID: { name: string; params: Record<string, unknown>; param: string }[] = [
  { name: "missing model", params: { messages: USER }, param: "model" },
  { name: "empty model", params: { model: "", messages: USER }, param: "model" },
  { name: "missing messages", params: { model: "openai/gpt-4o" }, param: "messages" },
  { name: "empty messages", params: { model: "openai/gpt-4o", messages: [] }, param: "messages" },
  {
    name: "wrong role",
    params: { model: "openai/gpt-4o", messages: [{ role: "bot", content: "x" }] },
    param: "messages.0.role",
  },
  {
    name: "temperature 3",
    params: { model: "openai/gpt-4o", messages: USER, temperature: 3 },
    param: "temperature",
  },
  {
    name: "bad tool name",
    params: {
      model: "openai/gpt-4o",
      messages: USER,
      tools: [{ type: "function", function: { name: "has spaces" } }],
    },
    param: "tools.0.function.name",
  },
  {
    name: "tool of the wrong type",
    params: { model: "openai/gpt-4o", messages: USER, tools: [{ type: "retrieval" }] },
    param: "tools.0.type",
  },
  {
    name: "negative max_tokens",
    params: { model: "openai/gpt-4o", messages: USER, max_tokens: -1 },
    param: "max_tokens",
  },
];

for (const c of INVALID) {
  Deno.test(`completion() rejects ${c.name} as BadRequestError naming '${c.param}'`, async () => {
    await using fake = startOpenAIFake();
    await assert.rejects(
      // deno-lint-ignore no-explicit-any
      completion({ ...c.params, api_key: OPENAI_FAKE_KEY, api_base: fake.baseURL } as any, deps()),
      (error: unknown) => {
        assert.ok(error instanceof BadRequestError, String(error));
        assert.equal(error.status, 400);
        assert.equal(error.param, c.param);
        assert.ok(error.message.includes(c.param), error.message);
        return true;
      },
    );
    assert.equal(fake.requests.length, 0);
  });
}

// ---------------------------------------------------------------------------
// Model strings

const INFERRED: [string, string][] = [
  ["gpt-4o-mini", "openai"],
  ["gpt-5", "openai"],
  ["o1-mini", "openai"],
  ["o3", "openai"],
  ["o3-mini", "openai"],
  ["o4-mini", "openai"],
  ["chatgpt-4o-latest", "openai"],
  ["claude-sonnet-4-5", "anthropic"],
  ["claude-3-5-haiku-latest", "anthropic"],
  ["gemini-2.5-flash", "gemini"],
];

Deno.test("resolveModel() infers the provider of bare model names", () => {
  for (const [model, provider] of INFERRED) {
    assert.deepEqual(resolveModel(model), { provider, model }, model);
  }
});

Deno.test("completion() sends a bare OpenAI model name to OpenAI", async () => {
  await using fake = startOpenAIFake();
  for (const [model, provider] of INFERRED) {
    if (provider !== "openai") continue;
    await completion(
      { model, messages: USER, api_base: fake.baseURL },
      deps({
        OPENAI_API_KEY: OPENAI_FAKE_KEY,
      }),
    );
    assert.equal((fake.requests.at(-1)!.body as { model: string }).model, model);
  }
});

Deno.test("completion() names the known providers for an unknown prefix", async () => {
  await assert.rejects(
    completion({ model: "nosuch/model-x", messages: USER, fetch: NO_FETCH }, deps()),
    (error: unknown) => {
      assert.ok(error instanceof BadRequestError);
      assert.equal(error.param, "model");
      assert.match(error.message, /Unknown provider "nosuch"/);
      for (const known of ["openai", "groq", "anthropic", "mistral"]) {
        assert.ok(error.message.includes(known), known);
      }
      return true;
    },
  );
  await assert.rejects(
    completion({ model: "mystery-model", messages: USER, fetch: NO_FETCH }, deps()),
    (error: unknown) =>
      error instanceof BadRequestError && /known providers: .*openai/.test(error.message),
  );
});

Deno.test("completion() without a key fails naming the env var, and sends nothing", async () => {
  await using fake = startOpenAIFake({ prefix: "/openai/v1" });
  await assert.rejects(
    completion(
      { model: "groq/llama-3.3-70b-versatile", messages: USER, api_base: fake.baseURL },
      deps(),
    ),
    (error: unknown) => {
      assert.ok(error instanceof AuthenticationError);
      assert.equal(error.status, 401);
      assert.match(error.message, /GROQ_API_KEY/);
      return true;
    },
  );
  assert.equal(fake.requests.length, 0);
});

// ---------------------------------------------------------------------------
// Secrets never leak

function assertNoSecret(error: unknown, secret: string): void {
  assert.ok(error instanceof LLMuxError, String(error));
  const texts = [
    error.message,
    String(error),
    error.stack ?? "",
    JSON.stringify(error),
    JSON.stringify(error.body),
    JSON.stringify(error.headers),
    error.upstreamMessage ?? "",
  ];
  for (const text of texts) {
    assert.ok(!text.includes(secret), `secret leaked in: ${text}`);
    assert.ok(!text.includes(secret.slice(0, 12)), `secret prefix leaked in: ${text}`);
  }
}

Deno.test("keys never appear in errors: upstream echo, 500 body, connection failure", async () => {
  const secret = "sk-live-SECRET-abcdefghijklmnop";
  // 401 echoing the key it got.
  await using fake = startOpenAIFake();
  const echoed = await completion({
    model: "openai/gpt-4o",
    messages: USER,
    api_base: fake.baseURL,
  }, deps({ OPENAI_API_KEY: secret })).catch((e) => e);
  assert.ok(echoed instanceof AuthenticationError);
  assertNoSecret(echoed, secret);
  // A 500 whose body quotes the key and its prefix.
  const leaky: typeof fetch = () =>
    Promise.resolve(
      Response.json({ error: { message: `boom for ${secret} (${secret.slice(0, 12)}...)` } }, {
        status: 500,
      }),
    );
  const server = await completion({
    model: "openai/gpt-4o",
    messages: USER,
    api_key: secret,
    fetch: leaky,
  }, deps())
    .catch((e) => e);
  assert.ok(server instanceof InternalServerError);
  assertNoSecret(server, secret);
  // A fetch failure whose message carries the key.
  const failing: typeof fetch = () => Promise.reject(new TypeError(`dns error for key ${secret}`));
  const conn = await completion({
    model: "openai/gpt-4o",
    messages: USER,
    api_key: secret,
    fetch: failing,
  }, deps())
    .catch((e) => e);
  assert.ok(conn instanceof APIConnectionError);
  assertNoSecret(conn, secret);
});

Deno.test("keys never appear in errors: a mid-stream error event quoting the key", async () => {
  const secret = "sk-ant-SECRET-abcdefghijklmnop";
  const events = [
    `event: message_start\ndata: ${
      JSON.stringify({
        type: "message_start",
        message: {
          id: "msg_1",
          type: "message",
          role: "assistant",
          model: "claude-sonnet-4-5",
          content: [],
          stop_reason: null,
          usage: { input_tokens: 5, output_tokens: 1 },
        },
      })
    }\n\n`,
    `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n`,
    `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n`,
    `event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded for ${secret}"}}\n\n`,
  ];
  const leaky: typeof fetch = () =>
    Promise.resolve(
      new Response(events.join(""), { headers: { "content-type": "text/event-stream" } }),
    );
  const stream = await completion({
    model: "anthropic/claude-sonnet-4-5",
    messages: USER,
    api_key: secret,
    stream: true,
    fetch: leaky,
  }, deps());
  let text = "";
  const error = await (async () => {
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
  })().then(() => undefined, (e) => e);
  assert.equal(text, "Hi");
  assert.ok(error instanceof Error, String(error));
  assert.match(error.message, /Overloaded/);
  assertNoSecret(error, secret);
});

// ---------------------------------------------------------------------------
// mock_response

Deno.test("mock_response answers without any network call", async () => {
  const res = await completion({
    model: "openai/gpt-4o",
    messages: USER,
    mock_response: "Hello there!",
    fetch: NO_FETCH,
  }, deps());
  assert.equal(res.id, "chatcmpl-id0001");
  assert.equal(res.created, 1730000000);
  assert.deepEqual(res.choices, [{
    index: 0,
    message: { role: "assistant", content: "Hello there!" },
    logprobs: null,
    finish_reason: "stop",
  }]);
  assert.equal(res.usage?.estimated, true);
});

Deno.test("mock_response streams without any network call", async () => {
  const stream = await completion({
    model: "openai/gpt-4o",
    messages: USER,
    stream: true,
    stream_options: { include_usage: true },
    mock_response: "Hello there, friend!",
    fetch: NO_FETCH,
  }, deps());
  const chunks = await collect(stream);
  const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
  assert.equal(text, "Hello there, friend!");
  assert.equal(chunks[0].choices[0].delta.role, "assistant");
  assert.equal(chunks.at(-2)!.choices[0].finish_reason, "stop");
  assert.equal(chunks.at(-1)!.usage?.estimated, true);
  assert.ok(chunks.every((c) => c.id === "chatcmpl-id0001"));
});

// ---------------------------------------------------------------------------
// Timeouts, connection failures, retries, aborts

Deno.test("timeout → TimeoutError against a fake that hangs", async () => {
  await using fake = startOpenAIFake({ scenarios: ["hang"] });
  await assert.rejects(
    completion({
      model: "openai/gpt-4o",
      messages: USER,
      api_key: OPENAI_FAKE_KEY,
      api_base: fake.baseURL,
      timeout: 0.05,
    }, deps()),
    (error: unknown) => error instanceof TimeoutError && error.status === 408,
  );
  assert.equal(fake.requests.length, 1);
});

Deno.test("connection refused → APIConnectionError", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  await assert.rejects(
    completion({
      model: "openai/gpt-4o",
      messages: USER,
      api_key: OPENAI_FAKE_KEY,
      api_base: `http://127.0.0.1:${port}/v1`,
    }, deps()),
    (error: unknown) => {
      assert.ok(error instanceof APIConnectionError, String(error));
      assert.match(error.message, /Cannot connect to provider "openai"/);
      return true;
    },
  );
});

Deno.test("num_retries: 2 retries a 500 twice, then succeeds", async () => {
  await using fake = startOpenAIFake({ scenarios: ["server_error", "server_error", "plain_text"] });
  const waits: number[] = [];
  const res = await completion({
    model: "openai/gpt-4o-mini",
    messages: USER,
    api_key: OPENAI_FAKE_KEY,
    api_base: fake.baseURL,
    num_retries: 2,
  }, deps({}, { sleep: (ms) => (waits.push(ms), Promise.resolve()) }));
  assert.equal(res.choices[0].message.content, "Hello! How can I help you today?");
  assert.equal(fake.requests.length, 3);
  assert.deepEqual(waits, [500, 1000]);
});

Deno.test("num_retries honours retry-after, and gives up after the last retry", async () => {
  await using fake = startOpenAIFake({ scenarios: ["overloaded"] });
  const waits: number[] = [];
  await assert.rejects(
    completion({
      model: "openai/gpt-4o-mini",
      messages: USER,
      api_key: OPENAI_FAKE_KEY,
      api_base: fake.baseURL,
      num_retries: 1,
    }, deps({}, { sleep: (ms) => (waits.push(ms), Promise.resolve()) })),
    (error: unknown) => error instanceof LLMuxError && error.status === 503,
  );
  assert.equal(fake.requests.length, 2);
  assert.deepEqual(waits, [1000]);
});

Deno.test("num_retries does not retry a 400", async () => {
  await using fake = startOpenAIFake({ scenarios: ["context_length_exceeded", "plain_text"] });
  await assert.rejects(
    completion({
      model: "openai/gpt-4o-mini",
      messages: USER,
      api_key: OPENAI_FAKE_KEY,
      api_base: fake.baseURL,
      num_retries: 3,
    }, deps({}, { sleep: () => Promise.resolve() })),
    BadRequestError,
  );
  assert.equal(fake.requests.length, 1);
});

Deno.test("signal: aborting cancels the pending request", async () => {
  await using fake = startOpenAIFake({ scenarios: ["hang"] });
  const controller = new AbortController();
  const call = completion({
    model: "openai/gpt-4o",
    messages: USER,
    api_key: OPENAI_FAKE_KEY,
    api_base: fake.baseURL,
    signal: controller.signal,
  }, deps());
  await eventually(() => fake.requests.length === 1);
  controller.abort(new DOMException("stop", "AbortError"));
  await assert.rejects(call, (error: unknown) => {
    assert.ok(error instanceof DOMException);
    assert.equal(error.name, "AbortError");
    return true;
  });
});

Deno.test("signal: an already aborted signal sends nothing", async () => {
  await using fake = startOpenAIFake();
  await assert.rejects(
    completion({
      model: "openai/gpt-4o",
      messages: USER,
      api_key: OPENAI_FAKE_KEY,
      api_base: fake.baseURL,
      signal: AbortSignal.abort(),
    }, deps()),
    (error: unknown) => error instanceof DOMException && error.name === "AbortError",
  );
  assert.equal(fake.requests.length, 0);
});

// ---------------------------------------------------------------------------
// Cancellation reaches the upstream connection

Deno.test("cancellation: breaking out of the loop closes the upstream connection", async () => {
  await using fake = startOpenAIFake({ scenarios: ["endless"] });
  const stream = await completion({
    model: "openai/gpt-4o-mini",
    messages: USER,
    stream: true,
    api_key: OPENAI_FAKE_KEY,
    api_base: fake.baseURL,
  }, deps());
  const seen: ChatCompletionChunk[] = [];
  for await (const chunk of stream) {
    seen.push(chunk);
    if (seen.length === 3) break;
  }
  assert.equal(seen.length, 3);
  await eventually(() => fake.cancelled() > 0);
});

Deno.test("cancellation: cancelling the toSSE() byte stream closes the upstream connection", async () => {
  await using fake = startOpenAIFake({ scenarios: ["endless"] });
  const stream = await completion({
    model: "openai/gpt-4o-mini",
    messages: USER,
    stream: true,
    api_key: OPENAI_FAKE_KEY,
    api_base: fake.baseURL,
  }, deps());
  const reader = stream.toSSE().getReader();
  const first = await reader.read();
  assert.ok(!first.done);
  assert.match(new TextDecoder().decode(first.value), /^data: \{/);
  await reader.read();
  await reader.cancel("client went away");
  await eventually(() => fake.cancelled() > 0);
});

Deno.test("cancellation: CompletionStream.cancel() closes the upstream connection", async () => {
  await using fake = startOpenAIFake({ scenarios: ["endless"] });
  const stream = await completion({
    model: "openai/gpt-4o-mini",
    messages: USER,
    stream: true,
    api_key: OPENAI_FAKE_KEY,
    api_base: fake.baseURL,
  }, deps());
  await stream.cancel();
  await eventually(() => fake.cancelled() > 0);
});

// ---------------------------------------------------------------------------
// Usage at the end of streams

Deno.test("include_usage: the last chunk carries the upstream's usage", async () => {
  await using fake = startOpenAIFake();
  const stream = await completion({
    model: "openai/gpt-4o-mini",
    messages: USER,
    stream: true,
    stream_options: { include_usage: true },
    api_key: OPENAI_FAKE_KEY,
    api_base: fake.baseURL,
  }, deps());
  const chunks = await collect(stream);
  const last = chunks.at(-1)!;
  assert.deepEqual(last.choices, []);
  assert.equal(last.usage?.total_tokens, 29);
  assert.equal(last.usage?.estimated, undefined);
  assert.ok(chunks.slice(0, -1).every((c) => c.usage === null));
  assert.deepEqual(stream.usage, last.usage);
});

Deno.test("include_usage: usage is estimated when the upstream reports none", async () => {
  // Perplexity takes no stream_options, so the fake streams no usage.
  await using fake = startOpenAIFake({ prefix: "" });
  const stream = await completion({
    model: "perplexity/sonar",
    messages: USER,
    stream: true,
    stream_options: { include_usage: true },
    api_key: OPENAI_FAKE_KEY,
    api_base: fake.baseURL,
  }, deps());
  const chunks = await collect(stream);
  assert.ok(!("stream_options" in (fake.requests[0].body as object)));
  const last = chunks.at(-1)!;
  assert.deepEqual(last.choices, []);
  assert.equal(last.usage?.estimated, true);
  assert.ok(last.usage!.prompt_tokens > 0 && last.usage!.completion_tokens > 0);
  assert.equal(last.usage!.total_tokens, last.usage!.prompt_tokens + last.usage!.completion_tokens);
  assert.equal(last.id, chunks[0].id);
});

Deno.test("CompletionStream.usage is known after the stream ends, without include_usage", async () => {
  await using fake = startOpenAIFake();
  const stream = await completion({
    model: "openai/gpt-4o-mini",
    messages: USER,
    stream: true,
    api_key: OPENAI_FAKE_KEY,
    api_base: fake.baseURL,
  }, deps());
  const before = stream.usage;
  assert.equal(before, undefined);
  const chunks = await collect(stream);
  // No usage-only chunk; pass-through chunks keep the upstream's `"usage": null`.
  assert.ok(chunks.every((c) => c.choices.length > 0 && !c.usage));
  assert.equal(stream.usage?.total_tokens, 29);
  // The caller did not ask, but usage was asked of the upstream.
  assert.deepEqual(
    (fake.requests[0].body as { stream_options: unknown }).stream_options,
    { include_usage: true },
  );
});
