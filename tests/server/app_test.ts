/**
 * The proxy app through `app.request()`: auth, body limits, endpoints,
 * headers, streaming, and the guard against client-supplied credentials.
 */

import assert from "node:assert/strict";
import { createApp, type RequestSummary } from "../../src/server/app.ts";
import { Router } from "../../src/fallback/router.ts";
import { OPENAI_FAKE_KEY, startOpenAIFake } from "../fakes/openai.ts";
import { createFaultyFetch } from "../fakes/faulty.ts";

const MASTER = "sk-master-0123456789";

function demoRouter(extra: ConstructorParameters<typeof Router>[0]["model_list"] = []) {
  return new Router({
    model_list: [
      {
        model_name: "demo",
        litellm_params: { model: "openai/demo", mock_response: "Hello there" },
      },
      ...extra,
    ],
  });
}

function post(path: string, body: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`http://llmux${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${MASTER}`, ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

const CHAT = { model: "demo", messages: [{ role: "user", content: "hi" }] };

Deno.test("auth matrix: no key, wrong key, master key, x-api-key, public health routes", async () => {
  const app = createApp({ router: demoRouter(), masterKey: MASTER });
  const cases: [string, Request, number][] = [
    ["no key", post("/v1/chat/completions", CHAT, { authorization: "" }), 401],
    ["wrong key", post("/v1/chat/completions", CHAT, { authorization: "Bearer sk-nope" }), 401],
    ["master key", post("/v1/chat/completions", CHAT), 200],
    [
      "x-api-key",
      new Request("http://llmux/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json", "x-api-key": MASTER },
        body: JSON.stringify(CHAT),
      }),
      200,
    ],
    ["models without key", new Request("http://llmux/v1/models"), 401],
    ["liveliness is public", new Request("http://llmux/health/liveliness"), 200],
    ["readiness is public", new Request("http://llmux/health/readiness"), 200],
  ];
  for (const [name, request, status] of cases) {
    const res = await app.request(request);
    assert.equal(res.status, status, name);
    const body = await res.json();
    if (status === 401) {
      assert.equal(body.error.type, "authentication_error", name);
      assert.ok(!JSON.stringify(body).includes(MASTER), name);
    }
  }
});

Deno.test("bad requests get 4xx OpenAI errors naming the problem, never 500", async () => {
  const app = createApp({ router: demoRouter(), bodyLimits: { maxBytes: 2048, maxDepth: 16 } });
  const deep = JSON.stringify({
    ...CHAT,
    metadata: JSON.parse("[".repeat(40) + "1" + "]".repeat(40) + "".padEnd(3000, " ")),
  });
  const cases: [string, Request, number, RegExp][] = [
    ["malformed JSON", post("/v1/chat/completions", "{not json"), 400, /not valid JSON/],
    ["empty body", post("/v1/chat/completions", ""), 400, /empty/],
    ["array body", post("/v1/chat/completions", "[1,2]"), 400, /JSON object/],
    [
      "wrong content-type",
      post("/v1/chat/completions", JSON.stringify(CHAT), { "content-type": "text/plain" }),
      415,
      /content-type/,
    ],
    [
      "oversized body",
      post("/v1/chat/completions", { ...CHAT, pad: "x".repeat(5000) }),
      413,
      /larger than the limit/,
    ],
    [
      "oversized body declaring a small content-length",
      post("/v1/chat/completions", { ...CHAT, pad: "x".repeat(5000) }, { "content-length": "100" }),
      413,
      /larger than the limit/,
    ],
    [
      "multi-byte body under the cap in characters, over it in bytes",
      post("/v1/chat/completions", { ...CHAT, pad: "é".repeat(1500) }, {
        "content-length": "3100",
      }),
      413,
      /larger than the limit/,
    ],
    ["too deep", post("/v1/chat/completions", deep + " ".repeat(100)), 400, /nested deeper/],
    ["missing model", post("/v1/chat/completions", { messages: CHAT.messages }), 400, /'model'/],
    [
      "empty messages",
      post("/v1/chat/completions", { model: "demo", messages: [] }),
      400,
      /messages/,
    ],
    [
      "bad role",
      post("/v1/chat/completions", { model: "demo", messages: [{ role: "x", content: "y" }] }),
      400,
      /messages\.0/,
    ],
    ["unknown model group", post("/v1/chat/completions", { ...CHAT, model: "nope" }), 400, /nope/],
    ["unknown route", post("/v1/nothing", CHAT), 404, /No route/],
  ];
  for (const [name, request, status, pattern] of cases) {
    const res = await app.request(request);
    const body = await res.json();
    assert.equal(res.status, status, `${name}: ${JSON.stringify(body)}`);
    assert.match(body.error.message, pattern, name);
    assert.equal(typeof body.error.type, "string", name);
  }
});

Deno.test("a body with its content-length is read whole and served", async () => {
  const app = createApp({ router: demoRouter(), bodyLimits: { maxBytes: 2048, maxDepth: 16 } });
  const text = JSON.stringify({ ...CHAT, user: "é".repeat(300) });
  const length = String(new TextEncoder().encode(text).byteLength);
  const res = await app.request(post("/v1/chat/completions", text, { "content-length": length }));
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal((await res.json()).choices[0].message.content, "Hello there");
});

Deno.test("request ids are 24 base62 characters after req_, unique", async () => {
  const app = createApp({ router: demoRouter() });
  const ids = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const res = await app.request(post("/v1/chat/completions", CHAT));
    await res.body?.cancel();
    const id = res.headers.get("x-request-id") ?? "";
    assert.match(id, /^req_[0-9A-Za-z]{24}$/);
    ids.add(id);
  }
  assert.equal(ids.size, 200);
});

Deno.test("chat completion: JSON body, x-llmux headers, request id echoed", async () => {
  const summaries: RequestSummary[] = [];
  const app = createApp({ router: demoRouter(), onRequestEnd: (s) => summaries.push(s) });
  const res = await app.request(post("/v1/chat/completions", CHAT, { "x-request-id": "abc-123" }));
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.object, "chat.completion");
  assert.equal(body.choices[0].message.content, "Hello there");
  assert.equal(res.headers.get("x-request-id"), "abc-123");
  assert.equal(res.headers.get("x-llmux-model-group"), "demo");
  assert.equal(res.headers.get("x-llmux-attempts"), "1");
  assert.equal(res.headers.get("x-llmux-fallbacks"), "0");
  assert.ok(res.headers.get("x-llmux-model-id"));
  assert.equal(res.headers.get("x-llmux-response-cost"), "0");
  // LiteLLM's names too.
  assert.equal(res.headers.get("x-litellm-model-group"), "demo");
  assert.equal(res.headers.get("x-litellm-model-id"), res.headers.get("x-llmux-model-id"));
  assert.equal(res.headers.get("x-litellm-response-cost"), "0");
  assert.equal(res.headers.get("x-litellm-attempted-retries"), "0");
  assert.equal(res.headers.get("x-litellm-attempted-fallbacks"), "0");
  assert.equal(res.headers.get("x-litellm-call-id"), "abc-123");
  assert.equal(summaries.length, 1);
  assert.equal(summaries[0].status, 200);
  assert.equal(summaries[0].route_info?.modelGroup, "demo");

  const generated = await app.request(post("/v1/chat/completions", CHAT));
  assert.match(generated.headers.get("x-request-id") ?? "", /^req_/);
});

Deno.test("chat completion streaming: SSE framing, [DONE], usage chunk when asked", async () => {
  const summaries: RequestSummary[] = [];
  const app = createApp({ router: demoRouter(), onRequestEnd: (s) => summaries.push(s) });
  const res = await app.request(
    post("/chat/completions", { ...CHAT, stream: true, stream_options: { include_usage: true } }),
  );
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream");
  assert.equal(res.headers.get("x-llmux-model-group"), "demo");
  const text = await res.text();
  const events = text.split("\n\n").filter(Boolean);
  assert.equal(events.at(-1), "data: [DONE]");
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)));
  assert.equal(chunks.map((c) => c.choices[0]?.delta.content ?? "").join(""), "Hello there");
  assert.ok(chunks.at(-1).usage.total_tokens > 0);
  assert.equal(summaries.length, 1);
  assert.equal(summaries[0].outcome, "success");
  assert.equal(summaries[0].stream, true);
});

Deno.test("a stream failing after its first content: an error event, no [DONE], logged as a failure", async () => {
  const upstream = createFaultyFetch({ schedules: { a: ["midstream"] } });
  const router = new Router({
    model_list: [{
      model_name: "gpt",
      litellm_params: { model: "openai/gpt-4o", api_key: "sk-x", api_base: upstream.base("a") },
    }],
  }, { fetch: upstream.fetch });
  const summaries: RequestSummary[] = [];
  const app = createApp({ router, onRequestEnd: (s) => summaries.push(s) });
  const res = await app.request(
    post("/v1/chat/completions", { ...CHAT, model: "gpt", stream: true }),
  );
  assert.equal(res.status, 200);
  const events = (await res.text()).split("\n\n").filter(Boolean);
  assert.ok(events.length >= 2, events.join("|"));
  assert.ok(!events.includes("data: [DONE]"), "a failed stream must not look finished");
  const last = JSON.parse(events.at(-1)!.slice(6));
  assert.equal(typeof last.error.message, "string");
  assert.equal(summaries.length, 1);
  assert.equal(summaries[0].outcome, "failure");
  assert.ok(summaries[0].error !== undefined);
});

Deno.test("retries and fallbacks show in x-llmux-* and LiteLLM's x-litellm-* headers", async () => {
  const upstream = createFaultyFetch({ schedules: { a: ["500", "500"], b: ["ok"] } });
  const router = new Router({
    model_list: [
      {
        model_name: "gpt",
        litellm_params: { model: "openai/gpt-4o", api_key: "sk-x", api_base: upstream.base("a") },
      },
      {
        model_name: "backup",
        litellm_params: { model: "openai/gpt-4o", api_key: "sk-x", api_base: upstream.base("b") },
      },
    ],
    num_retries: 1,
    fallbacks: [{ gpt: ["backup"] }],
  }, { fetch: upstream.fetch, sleep: () => Promise.resolve() });
  const app = createApp({ router });
  const res = await app.request(post("/v1/chat/completions", { ...CHAT, model: "gpt" }));
  assert.equal(res.status, 200, await res.clone().text());
  await res.body?.cancel();
  assert.deepEqual(upstream.hits(), ["a", "a", "b"]);
  assert.equal(res.headers.get("x-llmux-attempts"), "3");
  assert.equal(res.headers.get("x-llmux-fallbacks"), "1");
  assert.equal(res.headers.get("x-llmux-fallback-groups"), "backup");
  assert.equal(res.headers.get("x-llmux-model-group"), "backup");
  assert.equal(res.headers.get("x-litellm-attempted-retries"), "1");
  assert.equal(res.headers.get("x-litellm-attempted-fallbacks"), "1");
  assert.equal(res.headers.get("x-litellm-model-group"), "backup");
});

Deno.test("client-supplied api_base / api_key are ignored unless allowed (no SSRF)", async () => {
  await using fake = startOpenAIFake({ apiKey: null });
  const router = new Router({
    model_list: [{
      model_name: "gpt",
      litellm_params: {
        model: "openai/gpt-4o-mini",
        api_key: OPENAI_FAKE_KEY,
        api_base: fake.baseURL,
      },
    }],
  });
  const evil = {
    model: "gpt",
    messages: CHAT.messages,
    api_base: "http://127.0.0.1:1/v1",
    api_key: "stolen",
  };
  const app = createApp({ router });
  const res = await app.request(post("/v1/chat/completions", evil));
  assert.equal(res.status, 200, await res.clone().text());
  assert.equal(fake.requests.length, 1);
  assert.equal(fake.requests[0].headers.authorization, `Bearer ${OPENAI_FAKE_KEY}`);
  await res.body?.cancel();

  const lax = createApp({ router, allowClientSideCredentials: true });
  const res2 = await lax.request(post("/v1/chat/completions", evil));
  assert.equal(res2.status, 500); // the client's api_base was used: nothing listens there
  assert.equal((await res2.json()).error.type, "api_connection_error");
});

Deno.test("models, model by id, health (admin only), metrics off", async () => {
  const app = createApp({
    router: demoRouter([{
      model_name: "a/b",
      litellm_params: { model: "openai/x", mock_response: "y" },
    }]),
    masterKey: MASTER,
    unavailable: [{
      model_name: "claude",
      model: "anthropic/claude",
      reason: "ANTHROPIC_API_KEY is not set",
    }],
  });
  const auth = { authorization: `Bearer ${MASTER}` };
  const list = await (await app.request("/v1/models", { headers: auth })).json();
  assert.deepEqual(list.data.map((m: { id: string }) => m.id).sort(), ["a/b", "demo"]);
  assert.equal(list.object, "list");
  const one = await app.request("/v1/models/demo", { headers: auth });
  assert.equal((await one.json()).id, "demo");
  const slashed = await app.request("/models/a/b", { headers: auth });
  assert.equal((await slashed.json()).id, "a/b");
  const missing = await app.request("/v1/models/nope", { headers: auth });
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).error.code, "model_not_found");
  const health = await (await app.request("/health", { headers: auth })).json();
  assert.equal(health.healthy_count, 2);
  assert.equal(health.unhealthy_count, 1);
  assert.match(health.unhealthy_endpoints[0].error, /ANTHROPIC_API_KEY/);
  const metrics = await app.request("/metrics", { headers: auth });
  assert.equal(metrics.status, 404);
});

Deno.test("legacy /v1/completions: text_completion objects, streaming too", async () => {
  const app = createApp({ router: demoRouter() });
  const res = await app.request(
    post("/v1/completions", { model: "demo", prompt: "Say hi", max_tokens: 5 }),
  );
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.object, "text_completion");
  assert.equal(body.choices[0].text, "Hello there");
  assert.match(body.id, /^cmpl-/);
  const two =
    await (await app.request(post("/v1/completions", { model: "demo", prompt: ["a", "b"] })))
      .json();
  assert.deepEqual(two.choices.map((c: { index: number }) => c.index), [0, 1]);
  const streamed = await app.request(
    post("/v1/completions", { model: "demo", prompt: "x", stream: true }),
  );
  const events = (await streamed.text()).split("\n\n").filter(Boolean);
  assert.equal(events.at(-1), "data: [DONE]");
  const text = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)).choices[0]?.text ?? "").join(
    "",
  );
  assert.equal(text, "Hello there");
  const bad = await app.request(post("/v1/completions", { model: "demo", prompt: 42 }));
  assert.equal(bad.status, 400);
});

Deno.test("embeddings through the router to the OpenAI fake", async () => {
  await using fake = startOpenAIFake({ scenarios: ["embeddings"] });
  const router = new Router({
    model_list: [{
      model_name: "embed",
      litellm_params: {
        model: "openai/text-embedding-3-small",
        api_key: OPENAI_FAKE_KEY,
        api_base: fake.baseURL,
      },
    }],
  });
  const app = createApp({ router });
  const res = await app.request(post("/v1/embeddings", { model: "embed", input: "hello" }));
  assert.equal(res.status, 200, await res.clone().text());
  const body = await res.json();
  assert.equal(body.object, "list");
  assert.ok(Array.isArray(body.data[0].embedding));
  assert.equal(res.headers.get("x-llmux-model-group"), "embed");
});

Deno.test("upstream errors keep their status and rate-limit headers", async () => {
  await using fake = startOpenAIFake({ scenarios: ["rate_limit"] });
  const router = new Router({
    model_list: [{
      model_name: "gpt",
      litellm_params: {
        model: "openai/gpt-4o-mini",
        api_key: OPENAI_FAKE_KEY,
        api_base: fake.baseURL,
      },
    }],
    num_retries: 0,
  });
  const app = createApp({ router });
  const res = await app.request(post("/v1/chat/completions", { ...CHAT, model: "gpt" }));
  assert.equal(res.status, 429);
  assert.ok(res.headers.get("retry-after"));
  const body = await res.json();
  assert.equal(body.error.type, "rate_limit_error");
  assert.ok(!JSON.stringify(body).includes(OPENAI_FAKE_KEY));
});

Deno.test("/v1/messages is mounted: Anthropic shapes, x-api-key auth, Anthropic-shaped auth errors", async () => {
  const app = createApp({ router: demoRouter(), masterKey: MASTER });
  const message = { model: "demo", max_tokens: 50, messages: [{ role: "user", content: "hi" }] };
  const ok = await app.request("/v1/messages", {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-api-key": MASTER,
      "anthropic-version": "2023-06-01",
    },
    body: JSON.stringify(message),
  });
  assert.equal(ok.status, 200);
  const body = await ok.json();
  assert.equal(body.type, "message");
  assert.deepEqual(body.content, [{ type: "text", text: "Hello there" }]);
  assert.equal(ok.headers.get("x-llmux-model-group"), "demo");
  assert.equal(ok.headers.get("x-llmux-attempts"), "1");
  assert.equal(ok.headers.get("x-litellm-response-cost"), "0");
  assert.match(ok.headers.get("x-request-id") ?? "", /^req_/);

  const denied = await app.request("/v1/messages", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "wrong" },
    body: JSON.stringify(message),
  });
  assert.equal(denied.status, 401);
  const err = await denied.json();
  assert.equal(err.type, "error");
  assert.equal(err.error.type, "authentication_error");

  const count = await app.request("/v1/messages/count_tokens", {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": MASTER },
    body: JSON.stringify({ model: "demo", messages: message.messages }),
  });
  assert.equal(count.status, 200);
  assert.ok((await count.json()).input_tokens > 0);
});

Deno.test("/v1/messages streams are reported when they end, with usage", async () => {
  const summaries: RequestSummary[] = [];
  const app = createApp({ router: demoRouter(), onRequestEnd: (s) => summaries.push(s) });
  const res = await app.request("/v1/messages", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "demo",
      max_tokens: 50,
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get("content-type") ?? "", /^text\/event-stream/);
  assert.equal(res.headers.get("x-llmux-model-group"), "demo");
  assert.equal(summaries.length, 0, "not reported before the stream is read");
  const text = await res.text();
  assert.match(text, /event: message_stop/);
  assert.equal(summaries.length, 1);
  assert.equal(summaries[0].outcome, "success");
  assert.equal(summaries[0].stream, true);
  assert.ok((summaries[0].usage?.total_tokens ?? 0) > 0);
});
