import assert from "node:assert/strict";
import { completion, type CompletionOptions } from "../../src/completion.ts";
import { AuthenticationError, UnsupportedParamsError } from "../../src/errors.ts";
import { sequentialIds } from "../../src/_ids.ts";
import { getProvider } from "../../src/providers/registry.ts";
import type { ChatCompletionRequest } from "../../src/types.ts";
import {
  OPENAI_COMPATIBLE_PROVIDERS,
  type OpenAICompatibleProviderId,
} from "../../src/providers/openai/table.ts";
import type { OpenAICompatibleSpec } from "../../src/providers/openai/spec.ts";
import { collect } from "../_fixtures.ts";
import { startOpenAIFake } from "../fakes/openai.ts";

/**
 * What each host documents, written out independently of the table: the
 * base URL (up to and including the version segment) and the env var
 * LiteLLM reads first. Sources: the row's `docs` page and LiteLLM's
 * `get_llm_provider_logic.py` / `llms/<provider>/chat/transformation.py`.
 */
const DOCUMENTED: Record<OpenAICompatibleProviderId, { baseURL: string; keyEnv: string }> = {
  openai: { baseURL: "https://api.openai.com/v1", keyEnv: "OPENAI_API_KEY" },
  groq: { baseURL: "https://api.groq.com/openai/v1", keyEnv: "GROQ_API_KEY" },
  together_ai: { baseURL: "https://api.together.xyz/v1", keyEnv: "TOGETHER_API_KEY" },
  mistral: { baseURL: "https://api.mistral.ai/v1", keyEnv: "MISTRAL_API_KEY" },
  deepseek: { baseURL: "https://api.deepseek.com", keyEnv: "DEEPSEEK_API_KEY" },
  xai: { baseURL: "https://api.x.ai/v1", keyEnv: "XAI_API_KEY" },
  fireworks_ai: { baseURL: "https://api.fireworks.ai/inference/v1", keyEnv: "FIREWORKS_API_KEY" },
  openrouter: { baseURL: "https://openrouter.ai/api/v1", keyEnv: "OPENROUTER_API_KEY" },
  perplexity: { baseURL: "https://api.perplexity.ai", keyEnv: "PERPLEXITYAI_API_KEY" },
  cerebras: { baseURL: "https://api.cerebras.ai/v1", keyEnv: "CEREBRAS_API_KEY" },
  deepinfra: { baseURL: "https://api.deepinfra.com/v1/openai", keyEnv: "DEEPINFRA_API_KEY" },
  nvidia_nim: { baseURL: "https://integrate.api.nvidia.com/v1", keyEnv: "NVIDIA_NIM_API_KEY" },
  sambanova: { baseURL: "https://api.sambanova.ai/v1", keyEnv: "SAMBANOVA_API_KEY" },
  hyperbolic: { baseURL: "https://api.hyperbolic.xyz/v1", keyEnv: "HYPERBOLIC_API_KEY" },
  novita: { baseURL: "https://api.novita.ai/v3/openai", keyEnv: "NOVITA_API_KEY" },
  lm_studio: { baseURL: "http://localhost:1234/v1", keyEnv: "LM_STUDIO_API_KEY" },
  hosted_vllm: { baseURL: "http://localhost:8000/v1", keyEnv: "HOSTED_VLLM_API_KEY" },
  github: { baseURL: "https://models.github.ai/inference", keyEnv: "GITHUB_API_KEY" },
  huggingface: { baseURL: "https://router.huggingface.co/v1", keyEnv: "HF_TOKEN" },
  moonshot: { baseURL: "https://api.moonshot.ai/v1", keyEnv: "MOONSHOT_API_KEY" },
  dashscope: {
    baseURL: "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
    keyEnv: "DASHSCOPE_API_KEY",
  },
  nebius: { baseURL: "https://api.tokenfactory.nebius.com/v1", keyEnv: "NEBIUS_API_KEY" },
  featherless_ai: { baseURL: "https://api.featherless.ai/v1", keyEnv: "FEATHERLESS_API_KEY" },
  lambda_ai: { baseURL: "https://api.lambda.ai/v1", keyEnv: "LAMBDA_API_KEY" },
};

/** A value of the right type for each OpenAI param a row may reject. */
const SAMPLE_VALUES: Record<string, unknown> = {
  logit_bias: { "50256": -100 },
  logprobs: true,
  top_logprobs: 2,
  frequency_penalty: 0.5,
  presence_penalty: 0.5,
  parallel_tool_calls: false,
  service_tier: "auto",
  tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object" } } }],
  tool_choice: "auto",
  functions: [{ name: "get_weather", parameters: { type: "object" } }],
  function_call: "auto",
  n: 2,
  seed: 1,
  stop: ["\n\n"],
  user: "user-1",
  reasoning_effort: "low",
  store: true,
  metadata: { team: "a" },
  modalities: ["text"],
  audio: { voice: "alloy", format: "wav" },
  prediction: { type: "content", content: "x" },
  web_search_options: {},
  safety_identifier: "s-1",
  prompt_cache_key: "k-1",
  verbosity: "low",
};

const KEY = "sk-row-test-0123456789abcdef";

function deps(env: Record<string, string> = {}): CompletionOptions {
  return { now: () => 1730000000000, generateId: sequentialIds(), env: (name) => env[name] };
}

function prefixOf(baseURL: string): string {
  return new URL(baseURL).pathname.replace(/\/+$/, "");
}

const BASE_MESSAGES: ChatCompletionRequest["messages"] = [
  { role: "developer", content: "Answer briefly." },
  { role: "user", content: "Hi" },
  { role: "user", content: "Say hello." },
];

/** The body a row must send for the base request (written from the row's documented quirks). */
function expectedBody(spec: OpenAICompatibleSpec, stream: boolean) {
  const model = spec.modelPrefix ? `${spec.modelPrefix.prefix}test-model` : "test-model";
  const system = spec.developerRole === false ? "system" : "developer";
  const messages = spec.mergeSameRole
    ? [{ role: system, content: "Answer briefly." }, { role: "user", content: "Hi\n\nSay hello." }]
    : [
      { role: system, content: "Answer briefly." },
      { role: "user", content: "Hi" },
      { role: "user", content: "Say hello." },
    ];
  const body: Record<string, unknown> = { model, messages, temperature: 0.5 };
  body[spec.maxTokensField === "max_tokens" ? "max_tokens" : "max_completion_tokens"] = 16;
  if (spec.renameParams?.seed) body[spec.renameParams.seed] = 3;
  else if (!spec.unsupportedParams?.includes("seed")) body.seed = 3;
  if (stream) {
    body.stream = true;
    if (spec.streamOptions !== false) body.stream_options = { include_usage: true };
  }
  return body;
}

const ROWS = Object.entries(OPENAI_COMPATIBLE_PROVIDERS) as [
  OpenAICompatibleProviderId,
  OpenAICompatibleSpec,
][];

Deno.test("every table row has a documented base URL and key on record", () => {
  assert.deepEqual(Object.keys(DOCUMENTED).sort(), ROWS.map(([id]) => id).sort());
  for (const [id, spec] of ROWS) {
    assert.ok(spec.docs?.startsWith("https://"), `${id} has a docs URL`);
    assert.ok(!spec.baseURL.endsWith("/"), `${id} base URL has no trailing slash`);
    assert.ok(!spec.baseURL.endsWith("/chat/completions"), `${id} base URL stops at the version`);
  }
});

for (const [id, spec] of ROWS) {
  Deno.test(`OpenAI-compatible row "${id}"`, async (t) => {
    const adapter = getProvider(id);
    const documented = DOCUMENTED[id];
    const prefix = prefixOf(spec.baseURL);
    const keyRequired = spec.apiKeyRequired !== false;
    const unsupported = (spec.unsupportedParams ?? []).filter((p) => p !== "seed");
    const extraParams = ["random_seed"];
    const base = {
      model: `${id}/test-model`,
      messages: BASE_MESSAGES,
      temperature: 0.5,
      max_completion_tokens: 16,
      ...(spec.unsupportedParams?.includes("seed") ? {} : { seed: 3 }),
    };

    await t.step("default base URL and key env var are the documented ones", () => {
      assert.equal(adapter.defaultApiBase, documented.baseURL);
      assert.equal(adapter.apiKeyEnv[0], documented.keyEnv);
      assert.equal(adapter.apiKeyRequired, keyRequired);
    });

    await t.step("a missing key fails before any request, naming the env var", async () => {
      await using fake = startOpenAIFake({ prefix, apiKey: null, extraParams });
      const call = completion({ ...base, api_base: fake.url + prefix }, deps());
      if (keyRequired) {
        await assert.rejects(call, (error: unknown) => {
          assert.ok(error instanceof AuthenticationError);
          assert.equal(error.code, "missing_api_key");
          assert.ok(error.message.includes(documented.keyEnv), error.message);
          return true;
        });
        assert.equal(fake.requests.length, 0);
      } else {
        await call;
        assert.equal(fake.requests.length, 1);
        assert.equal(fake.requests[0].headers.authorization, undefined);
      }
    });

    await t.step("the key is read from each of the row's env vars", async () => {
      for (const name of spec.apiKeyEnv) {
        await using fake = startOpenAIFake({ prefix, apiKey: KEY, extraParams });
        await completion({ ...base, api_base: fake.url + prefix }, deps({ [name]: KEY }));
        assert.equal(fake.requests[0].headers.authorization, `Bearer ${KEY}`, name);
      }
    });

    await t.step("a call sends the right path, auth and body", async () => {
      await using fake = startOpenAIFake({ prefix, extraParams, apiKey: KEY });
      const res = await completion({ ...base, api_key: KEY, api_base: fake.url + prefix }, deps());
      assert.equal(fake.requests.length, 1);
      const sent = fake.requests[0];
      assert.equal(sent.path, `${prefix}/chat/completions`);
      assert.equal(sent.headers.authorization, `Bearer ${KEY}`);
      assert.deepEqual(sent.body, expectedBody(spec, false));
      assert.equal(res.choices[0].message.content, "Hello! How can I help you today?");
    });

    if (unsupported.length > 0) {
      await t.step("unsupported params are rejected, or dropped with drop_params", async () => {
        await using fake = startOpenAIFake({ prefix, extraParams, apiKey: KEY });
        const opts = { api_key: KEY, api_base: fake.url + prefix };
        for (const param of unsupported) {
          assert.ok(param in SAMPLE_VALUES, `sample value for ${param}`);
          await assert.rejects(
            completion({ ...base, ...opts, [param]: SAMPLE_VALUES[param] }, deps()),
            (error: unknown) => {
              assert.ok(error instanceof UnsupportedParamsError, `${param}: ${error}`);
              assert.equal(error.param, param);
              return true;
            },
          );
        }
        assert.equal(fake.requests.length, 0);
        const all = Object.fromEntries(unsupported.map((p) => [p, SAMPLE_VALUES[p]]));
        await completion({ ...base, ...opts, ...all, drop_params: true }, deps());
        assert.equal(fake.requests.length, 1);
        const sent = fake.requests[0].body as Record<string, unknown>;
        for (const param of unsupported) assert.ok(!(param in sent), `${param} dropped`);
        assert.ok(!("drop_params" in sent));
      });
    }

    await t.step("streaming works through the fake", async () => {
      await using fake = startOpenAIFake({ prefix, extraParams, apiKey: KEY });
      const stream = await completion({
        ...base,
        stream: true,
        stream_options: { include_usage: true },
        api_key: KEY,
        api_base: fake.url + prefix,
      }, deps());
      const chunks = await collect(stream);
      assert.deepEqual(fake.requests[0].body, expectedBody(spec, true));
      const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
      assert.equal(text, "Hello! How can I help you today?");
      const last = chunks.at(-1)!;
      assert.deepEqual(last.choices, []);
      assert.ok(last.usage && last.usage.total_tokens > 0);
      // Hosts that take stream_options report usage; the others get an estimate.
      assert.equal(last.usage.estimated, spec.streamOptions === false ? true : undefined);
      assert.deepEqual(stream.usage, last.usage);
    });
  });
}
