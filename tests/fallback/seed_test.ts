/**
 * The seed's pattern end to end: a Claude group (anthropic/…) falls back to
 * a GPT group (openai/…), which falls back to a local Ollama group
 * (ollama/…). Claude answers 529 (overloaded), GPT 500, Ollama succeeds.
 *
 * The first tests use an injected fetch that speaks each native protocol
 * minimally (Anthropic's error body, OpenAI's error body, Ollama's
 * `/api/chat` JSON and NDJSON), so the real adapters translate every hop;
 * the last one runs over real sockets against the provider fakes.
 */

import assert from "node:assert/strict";
import { routeInfo, Router, type RouterConfig } from "../../src/fallback/mod.ts";
import { ServiceUnavailableError } from "../../src/errors.ts";
import { startAnthropicFake } from "../fakes/anthropic.ts";
import { OPENAI_FAKE_KEY, startOpenAIFake } from "../fakes/openai.ts";
import { startFakeOllama } from "../fakes/ollama.ts";
import { fakeClock, MESSAGES, recordingSleep, seededRandom } from "./_helpers.ts";

const MODEL_LIST: RouterConfig["model_list"] = [
  {
    model_name: "claude",
    litellm_params: {
      model: "anthropic/claude-sonnet-4-5",
      api_key: "sk-ant-seed",
      api_base: "http://anthropic.test",
    },
    model_info: { id: "claude-primary" },
  },
  {
    model_name: "gpt",
    litellm_params: {
      model: "openai/gpt-4o-mini",
      api_key: "sk-openai-seed",
      api_base: "http://openai.test/v1",
    },
    model_info: { id: "gpt-backup" },
  },
  {
    model_name: "local",
    litellm_params: { model: "ollama/llama3.2", api_base: "http://ollama.test" },
    model_info: { id: "ollama-local" },
  },
];

/** Native-protocol answers: Anthropic 529, OpenAI 500, Ollama 200 (JSON or NDJSON). */
function nativeFetch(calls: string[]): typeof fetch {
  return (input, init) => {
    const url = new URL(String(input));
    calls.push(`${url.host}${url.pathname}`);
    const body = JSON.parse(String(init?.body ?? "{}"));
    if (url.host === "anthropic.test") {
      assert.equal(url.pathname, "/v1/messages");
      assert.equal(new Headers(init?.headers).get("x-api-key"), "sk-ant-seed");
      return Promise.resolve(Response.json({
        type: "error",
        error: { type: "overloaded_error", message: "Overloaded" },
      }, { status: 529 }));
    }
    if (url.host === "openai.test") {
      assert.equal(url.pathname, "/v1/chat/completions");
      return Promise.resolve(Response.json({
        error: { message: "The server had an error", type: "server_error", code: null },
      }, { status: 500 }));
    }
    assert.equal(`${url.host}${url.pathname}`, "ollama.test/api/chat");
    assert.equal(body.model, "llama3.2");
    const created_at = "2025-01-01T00:00:00Z";
    if (body.stream === false) {
      return Promise.resolve(Response.json({
        model: "llama3.2",
        created_at,
        message: { role: "assistant", content: "Hello from Ollama" },
        done: true,
        done_reason: "stop",
        prompt_eval_count: 9,
        eval_count: 4,
      }));
    }
    const lines = [
      {
        model: "llama3.2",
        created_at,
        message: { role: "assistant", content: "Hello" },
        done: false,
      },
      {
        model: "llama3.2",
        created_at,
        message: { role: "assistant", content: " from Ollama" },
        done: false,
      },
      {
        model: "llama3.2",
        created_at,
        message: { role: "assistant", content: "" },
        done: true,
        done_reason: "stop",
        prompt_eval_count: 9,
        eval_count: 4,
      },
    ].map((l) => JSON.stringify(l) + "\n").join("");
    return Promise.resolve(
      new Response(lines, { headers: { "content-type": "application/x-ndjson" } }),
    );
  };
}

function seedRouter(fallbacks: RouterConfig["fallbacks"], calls: string[]) {
  const clock = fakeClock();
  const { sleep, sleeps } = recordingSleep(clock);
  const router = new Router({ model_list: MODEL_LIST, fallbacks, num_retries: 1 }, {
    fetch: nativeFetch(calls),
    now: clock.now,
    sleep,
    random: seededRandom(2024),
  });
  return { router, sleeps };
}

Deno.test("seed: Claude 529 → GPT 500 → Ollama answers, with 2 fallbacks", async () => {
  const calls: string[] = [];
  const { router, sleeps } = seedRouter([{ claude: ["gpt", "local"] }], calls);
  const res = await router.completion({ model: "claude", messages: MESSAGES });
  assert.equal(res.choices[0].message.content, "Hello from Ollama");
  assert.deepEqual(calls, [
    "anthropic.test/v1/messages",
    "anthropic.test/v1/messages",
    "openai.test/v1/chat/completions",
    "openai.test/v1/chat/completions",
    "ollama.test/api/chat",
  ]);
  // One backoff per retried group (each group has a single deployment).
  assert.equal(sleeps.length, 2);
  const info = routeInfo(res)!;
  assert.equal(info.modelId, "ollama-local");
  assert.equal(info.modelGroup, "local");
  assert.equal(info.provider, "ollama");
  assert.equal(info.requestedModel, "claude");
  assert.deepEqual(info.fallbacks, ["gpt", "local"]);
  assert.equal(info.fallbacks.length, 2);
  assert.equal(info.attempts, 5);
  assert.deepEqual(info.attemptLog.map((a) => [a.provider, a.outcome, a.error ?? "", a.status]), [
    ["anthropic", "failure", "ServiceUnavailableError", 503],
    ["anthropic", "failure", "ServiceUnavailableError", 503],
    ["openai", "failure", "InternalServerError", 500],
    ["openai", "failure", "InternalServerError", 500],
    ["ollama", "success", "", undefined],
  ]);
});

Deno.test("seed: the same pattern written as a chain of one-hop fallbacks", async () => {
  const calls: string[] = [];
  const { router } = seedRouter([{ claude: ["gpt"] }, { gpt: ["local"] }], calls);
  const res = await router.completion({ model: "claude", messages: MESSAGES });
  assert.equal(res.choices[0].message.content, "Hello from Ollama");
  assert.deepEqual(routeInfo(res)?.fallbacks, ["gpt", "local"]);
});

Deno.test("seed: streaming takes the same path and streams from Ollama", async () => {
  const calls: string[] = [];
  const { router } = seedRouter([{ claude: ["gpt", "local"] }], calls);
  const stream = await router.completion({ model: "claude", messages: MESSAGES, stream: true });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
  assert.equal(text, "Hello from Ollama");
  assert.equal(routeInfo(stream)?.fallbacks.length, 2);
  assert.equal(routeInfo(stream)?.modelGroup, "local");
  assert.equal(stream.info.provider, "ollama");
});

Deno.test("seed: without a healthy last hop the last typed error comes back", async () => {
  const calls: string[] = [];
  const { router } = seedRouter([{ claude: ["gpt"] }], calls);
  await assert.rejects(
    router.completion({ model: "claude", messages: MESSAGES }),
    (e) =>
      e instanceof Error && e.name === "InternalServerError" &&
      (e as { status?: number }).status === 500,
  );
  // Alone, the Claude group re-raises Anthropic's 529 as a typed 503.
  await assert.rejects(
    new Router({ model_list: MODEL_LIST.slice(0, 1), num_retries: 0 }, {
      fetch: nativeFetch([]),
    }).completion({ model: "claude", messages: MESSAGES }),
    ServiceUnavailableError,
  );
});

Deno.test("seed over real sockets: Anthropic fake 529 → OpenAI fake 500 → Ollama fake", async () => {
  await using anthropic = startAnthropicFake({ scenario: "error_529" });
  await using openai = startOpenAIFake({ scenarios: ["server_error"] });
  await using ollama = startFakeOllama({ scenario: "text" });
  const router = new Router({
    model_list: [
      {
        model_name: "claude",
        litellm_params: {
          model: "anthropic/claude-sonnet-4-5",
          api_key: anthropic.apiKey,
          api_base: anthropic.url,
        },
      },
      {
        model_name: "gpt",
        litellm_params: {
          model: "openai/gpt-4o-mini",
          api_key: OPENAI_FAKE_KEY,
          api_base: openai.baseURL,
        },
      },
      { model_name: "local", litellm_params: { model: "ollama/llama3.2", api_base: ollama.url } },
    ],
    fallbacks: [{ claude: ["gpt", "local"] }],
    num_retries: 0,
  });
  const res = await router.completion({ model: "claude", messages: MESSAGES });
  assert.equal(typeof res.choices[0].message.content, "string");
  const info = routeInfo(res)!;
  assert.equal(info.modelGroup, "local");
  assert.equal(info.fallbacks.length, 2);
  assert.deepEqual(info.attemptLog.map((a) => [a.provider, a.outcome]), [
    ["anthropic", "failure"],
    ["openai", "failure"],
    ["ollama", "success"],
  ]);
  assert.equal(anthropic.requests.length, 1);
  assert.equal(openai.requests.length, 1);
  assert.equal(ollama.requests.length, 1);
});
