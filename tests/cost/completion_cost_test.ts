import assert from "node:assert/strict";
import { calcPrice, findProvider } from "@pydantic/genai-prices";
import {
  completionCost,
  type CostUsage,
  createCostCalculator,
  GENAI_PRICES_PROVIDERS,
} from "../../src/cost/mod.ts";
import { createDeployment } from "../../src/fallback/deployment.ts";
import { fromAnthropicUsage } from "../../src/providers/anthropic/convert_response.ts";
import type { Usage } from "../../src/types.ts";
import { close, packagePrices, perToken, seededRandom } from "./_prices.ts";

function usage(prompt: number, completion: number, extra: Partial<Usage> = {}): Usage {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    ...extra,
  };
}

function assertClose(actual: number, expected: number, what = "cost"): void {
  assert.ok(close(actual, expected), `${what}: expected ${expected}, got ${actual}`);
}

Deno.test("completionCost() prices gpt-4o-mini from the bundled genai-prices data", () => {
  const p = packagePrices("gpt-4o-mini", "openai");
  const result = completionCost({
    model: "gpt-4o-mini",
    provider: "openai",
    usage: usage(1000, 250),
  });
  assert.equal(result.known, true);
  assert.equal(result.source, "genai-prices");
  assertClose(result.costUsd, 1000 * perToken(p, "input_mtok") + 250 * perToken(p, "output_mtok"));
  assert.ok(result.costUsd > 0);
});

Deno.test("completionCost() prices cached prompt tokens at the cache-read price, once", () => {
  const p = packagePrices("gpt-4o-mini", "openai");
  assert.ok(perToken(p, "cache_read_mtok") > 0, "gpt-4o-mini has a cache-read price");
  const cached = usage(2000, 100, { prompt_tokens_details: { cached_tokens: 1500 } });
  const result = completionCost({ model: "gpt-4o-mini", provider: "openai", usage: cached });
  const expected = 500 * perToken(p, "input_mtok") + 1500 * perToken(p, "cache_read_mtok") +
    100 * perToken(p, "output_mtok");
  assertClose(result.costUsd, expected);
  const uncached = completionCost({
    model: "gpt-4o-mini",
    provider: "openai",
    usage: usage(2000, 100),
  });
  assert.ok(result.costUsd < uncached.costUsd, "cached tokens are cheaper, not added on top");
});

Deno.test("completionCost() prices Anthropic cache reads and writes (claude-sonnet-4-5)", () => {
  const p = packagePrices("claude-sonnet-4-5", "anthropic");
  const u = fromAnthropicUsage({
    input_tokens: 1200,
    output_tokens: 300,
    cache_read_input_tokens: 5000,
    cache_creation_input_tokens: 800,
  });
  assert.equal(u.prompt_tokens, 7000);
  const result = completionCost({ model: "claude-sonnet-4-5", provider: "anthropic", usage: u });
  const expected = 1200 * perToken(p, "input_mtok") + 5000 * perToken(p, "cache_read_mtok") +
    800 * perToken(p, "cache_write_mtok") + 300 * perToken(p, "output_mtok");
  assert.equal(result.source, "genai-prices");
  assertClose(result.costUsd, expected);
  // Dated ids and `anthropic/` model strings resolve to the same prices.
  for (const model of ["claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5"]) {
    assertClose(completionCost({ model, usage: u }).costUsd, expected, model);
  }
});

Deno.test("completionCost() applies genai-prices' tiers above the tier start", () => {
  const p = packagePrices("claude-sonnet-4-5", "anthropic");
  const tiered = p.input_mtok;
  assert.ok(
    typeof tiered === "object" && tiered.tiers.length > 0,
    "claude-sonnet-4-5 input is tiered",
  );
  const big = tiered.tiers[0]!.start + 1000;
  const result = completionCost({
    model: "claude-sonnet-4-5",
    provider: "anthropic",
    usage: usage(big, 10),
  });
  assertClose(
    result.costUsd,
    big * perToken(p, "input_mtok", big) + 10 * perToken(p, "output_mtok", big),
  );
  const calc = createCostCalculator();
  assertClose(
    calc.cost({ model: "claude-sonnet-4-5", provider: "anthropic", usage: usage(big, 10) }).costUsd,
    result.costUsd,
  );
});

Deno.test("completionCost() maps gemini to genai-prices' google (gemini-2.5-flash)", () => {
  const p = packagePrices("gemini-2.5-flash", "google");
  const u = usage(4000, 500, { prompt_tokens_details: { cached_tokens: 1000 } });
  const expected = 3000 * perToken(p, "input_mtok") + 1000 * perToken(p, "cache_read_mtok") +
    500 * perToken(p, "output_mtok");
  for (
    const [model, provider] of [
      ["gemini-2.5-flash", "gemini"],
      ["gemini/gemini-2.5-flash", undefined],
      ["gemini-2.5-flash", undefined],
      ["models/gemini-2.5-flash", "gemini"],
      ["gemini-2.5-flash", "google"],
    ] as const
  ) {
    const result = completionCost({ model, provider, usage: u });
    assert.equal(result.known, true, `${provider}/${model}`);
    assertClose(result.costUsd, expected, `${provider}/${model}`);
  }
});

Deno.test("completionCost() keeps OpenRouter's vendor prefix and strips its own", () => {
  const p = packagePrices("openai/gpt-4o-mini", "openrouter");
  const expected = 100 * perToken(p, "input_mtok") + 10 * perToken(p, "output_mtok");
  assertClose(
    completionCost({ model: "openai/gpt-4o-mini", provider: "openrouter", usage: usage(100, 10) })
      .costUsd,
    expected,
  );
  assertClose(
    completionCost({ model: "openrouter/openai/gpt-4o-mini", usage: usage(100, 10) }).costUsd,
    expected,
  );
});

Deno.test("completionCost() lets model_info override the database field by field", () => {
  const p = packagePrices("gpt-4o-mini", "openai");
  const u = usage(2000, 100, { prompt_tokens_details: { cached_tokens: 1500 } });
  const onlyInput = completionCost({
    model: "gpt-4o-mini",
    provider: "openai",
    usage: u,
    modelInfo: { input_cost_per_token: 1e-6 },
  });
  assert.equal(onlyInput.source, "model_info");
  assertClose(
    onlyInput.costUsd,
    500 * 1e-6 + 1500 * perToken(p, "cache_read_mtok") + 100 * perToken(p, "output_mtok"),
  );
  const all = completionCost({
    model: "gpt-4o-mini",
    provider: "openai",
    usage: usage(2000, 100, { prompt_tokens_details: { cached_tokens: 1500 } }),
    modelInfo: {
      input_cost_per_token: 1e-6,
      output_cost_per_token: 4e-6,
      cache_read_input_token_cost: 1e-7,
      cache_creation_input_token_cost: 2e-6,
    },
  });
  assertClose(all.costUsd, 500 * 1e-6 + 1500 * 1e-7 + 100 * 4e-6);
});

Deno.test("completionCost() prices a model unknown to the database from model_info alone", () => {
  const u = usage(1000, 100, { cache_read_input_tokens: 400, cache_creation_input_tokens: 100 });
  const result = completionCost({
    model: "acme-internal-1",
    provider: "openai",
    usage: u,
    modelInfo: { input_cost_per_token: 2e-6, output_cost_per_token: 8e-6 },
  });
  assert.deepEqual({ known: result.known, source: result.source }, {
    known: true,
    source: "model_info",
  });
  // With no cache prices, cache tokens cost the input price.
  assertClose(result.costUsd, 1000 * 2e-6 + 100 * 8e-6);
  const withCache = completionCost({
    model: "acme-internal-1",
    provider: "openai",
    usage: u,
    modelInfo: {
      input_cost_per_token: 2e-6,
      output_cost_per_token: 8e-6,
      cache_read_input_token_cost: 2e-7,
      cache_creation_input_token_cost: 2.5e-6,
    },
  });
  assertClose(withCache.costUsd, 500 * 2e-6 + 400 * 2e-7 + 100 * 2.5e-6 + 100 * 8e-6);
});

Deno.test("completionCost() takes a Deployment's model_info as is", () => {
  const d = createDeployment({
    model_name: "g",
    litellm_params: { model: "openai/gpt-4o-mini" },
    model_info: { id: "a", input_cost_per_token: 3e-6, output_cost_per_token: 5e-6, note: "x" },
  });
  const result = completionCost({
    model: d.model,
    provider: d.provider,
    usage: usage(10, 10),
    modelInfo: d.modelInfo,
  });
  assertClose(result.costUsd, 10 * 3e-6 + 10 * 5e-6);
  assert.equal(result.source, "model_info");
});

Deno.test("completionCost() ignores model_info prices that are not non-negative numbers", () => {
  const p = packagePrices("gpt-4o-mini", "openai");
  const result = completionCost({
    model: "gpt-4o-mini",
    provider: "openai",
    usage: usage(100, 0),
    modelInfo: { input_cost_per_token: -1, output_cost_per_token: Number.NaN },
  });
  assert.equal(result.source, "genai-prices");
  assertClose(result.costUsd, 100 * perToken(p, "input_mtok"));
});

Deno.test("completionCost() counts local models as free unless model_info prices them", () => {
  for (
    const [model, provider] of [["llama3.2", "ollama"], ["ollama_chat/llama3.2", undefined], [
      "qwen",
      "lm_studio",
    ], ["m", "hosted_vllm"]] as const
  ) {
    assert.deepEqual(completionCost({ model, provider, usage: usage(1000, 1000) }), {
      costUsd: 0,
      known: true,
      source: "none",
    });
  }
  const priced = completionCost({
    model: "llama3.2",
    provider: "ollama",
    usage: usage(1000, 1000),
    modelInfo: { input_cost_per_token: 1e-9, output_cost_per_token: 1e-9 },
  });
  assert.equal(priced.source, "model_info");
  assertClose(priced.costUsd, 2000 * 1e-9);
});

Deno.test("completionCost() returns 0 and known: false for unknown models and unpriced providers", () => {
  const none = { costUsd: 0, known: false, source: "none" };
  assert.deepEqual(
    completionCost({ model: "no-such-model-xyz", provider: "openai", usage: usage(5, 5) }),
    none,
  );
  assert.deepEqual(
    completionCost({ model: "whatever", provider: "not-a-provider", usage: usage(5, 5) }),
    none,
  );
  assert.deepEqual(
    completionCost({
      model: "meta-llama/Llama-3.3-70B-Instruct",
      provider: "deepinfra",
      usage: usage(5, 5),
    }),
    none,
  );
});

Deno.test("completionCost() never throws on odd usage", () => {
  const odd: CostUsage[] = [
    { prompt_tokens: Number.NaN },
    { prompt_tokens: -5, completion_tokens: Number.POSITIVE_INFINITY },
    { prompt_tokens: 10, prompt_tokens_details: { cached_tokens: 50 } },
    { prompt_tokens: 10, prompt_tokens_details: null, completion_tokens_details: null },
    {
      prompt_tokens: 100,
      completion_tokens: 10,
      completion_tokens_details: { reasoning_tokens: 50 },
    },
  ];
  const calc = createCostCalculator();
  for (const u of odd) {
    for (const model of ["gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash"]) {
      const a = completionCost({ model, usage: u });
      const b = calc.cost({ model, usage: u });
      assert.equal(a.known, true, `${model} ${JSON.stringify(u)}`);
      assert.ok(Number.isFinite(a.costUsd) && a.costUsd >= 0);
      assertClose(b.costUsd, a.costUsd, `${model} ${JSON.stringify(u)}`);
    }
  }
  // An embedding usage has no completion tokens.
  const p = packagePrices("text-embedding-3-small", "openai");
  assertClose(
    completionCost({
      model: "text-embedding-3-small",
      usage: { prompt_tokens: 1000, total_tokens: 1000 },
    })
      .costUsd,
    1000 * perToken(p, "input_mtok"),
  );
});

Deno.test("createCostCalculator() warns once per unknown model and never throws", () => {
  const warnings: string[] = [];
  const calc = createCostCalculator({ warn: (m) => warnings.push(m) });
  for (let i = 0; i < 5; i++) {
    assert.deepEqual(calc.cost({ model: "mystery-1", provider: "openai", usage: usage(10, 10) }), {
      costUsd: 0,
      known: false,
      source: "none",
    });
  }
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /Cannot price model "mystery-1" of provider "openai"/);
  calc.cost({ model: "mystery-2", provider: "openai", usage: usage(10, 10) });
  calc.cost({ model: "mystery-1", provider: "groq", usage: usage(10, 10) });
  assert.equal(warnings.length, 3);
  // Known and free models never warn.
  calc.cost({ model: "gpt-4o-mini", provider: "openai", usage: usage(10, 10) });
  calc.cost({ model: "llama3.2", provider: "ollama", usage: usage(10, 10) });
  assert.equal(warnings.length, 3);
  // Each calculator has its own memory.
  const other: string[] = [];
  createCostCalculator({ warn: (m) => other.push(m) }).cost({
    model: "mystery-1",
    provider: "openai",
    usage: usage(1, 1),
  });
  assert.equal(other.length, 1);
  // A throwing logger does not escape.
  const loud = createCostCalculator({
    warn: () => {
      throw new Error("logger down");
    },
  });
  assert.equal(loud.cost({ model: "mystery-3", usage: usage(1, 1) }).known, false);
});

Deno.test("createCostCalculator() keeps at most maxModels entries and stays correct", () => {
  const warnings: string[] = [];
  const calc = createCostCalculator({ warn: (m) => warnings.push(m), maxModels: 2 });
  const expected = completionCost({ model: "gpt-4o-mini", usage: usage(100, 10) }).costUsd;
  for (let i = 0; i < 10; i++) {
    calc.cost({ model: `unknown-${i}`, provider: "openai", usage: usage(1, 1) });
    assertClose(calc.cost({ model: "gpt-4o-mini", usage: usage(100, 10) }).costUsd, expected);
  }
  assert.equal(warnings.length, 10);
});

Deno.test("createCostCalculator() follows time-of-day prices with its clock (deepseek-chat)", () => {
  const model = findProvider({ providerId: "deepseek" })!.models.find((m) =>
    m.id === "deepseek-chat"
  )!;
  assert.ok(Array.isArray(model.prices), "deepseek-chat has conditional prices");
  const u = usage(10_000, 2_000, { prompt_tokens_details: { cached_tokens: 4_000 } });
  const costs = new Set<number>();
  for (const iso of ["2026-01-05T03:00:00Z", "2026-01-05T20:00:00Z"]) {
    const at = new Date(iso);
    const calc = createCostCalculator({ now: () => at.getTime() });
    const got = calc.cost({ model: "deepseek-chat", provider: "deepseek", usage: u }).costUsd;
    const want = calcPrice(
      { input_tokens: 10_000, cache_read_tokens: 4_000, output_tokens: 2_000 },
      "deepseek-chat",
      { providerId: "deepseek", timestamp: at },
    )!.total_price;
    assertClose(got, want, iso);
    assertClose(
      completionCost({ model: "deepseek-chat", provider: "deepseek", usage: u, timestamp: at })
        .costUsd,
      want,
    );
    costs.add(got);
  }
  assert.equal(costs.size, 2, "the two times of day have different prices");
});

Deno.test("createCostCalculator() agrees with genai-prices' calcPrice on every mapped model", () => {
  const random = seededRandom(42);
  const calc = createCostCalculator({ now: () => Date.parse("2026-03-01T12:00:00Z") });
  const timestamp = new Date("2026-03-01T12:00:00Z");
  let checked = 0;
  for (const [llmux, genai] of Object.entries(GENAI_PRICES_PROVIDERS)) {
    if (genai === null) continue;
    for (const m of findProvider({ providerId: genai })?.models ?? []) {
      if (calcPrice({}, m.id, { providerId: genai }) === null) continue;
      for (let i = 0; i < 3; i++) {
        const prompt = Math.floor(random() * (i === 2 ? 400_000 : 5_000));
        const read = Math.floor(random() * prompt * 0.5);
        const write = i === 1 ? Math.floor(random() * (prompt - read)) : 0;
        const completion = Math.floor(random() * 3_000);
        const u = usage(prompt, completion, {
          prompt_tokens_details: { cached_tokens: read },
          cache_creation_input_tokens: write,
          completion_tokens_details: { reasoning_tokens: Math.floor(completion / 2) },
        });
        const want = calcPrice(
          {
            input_tokens: prompt,
            cache_read_tokens: read,
            cache_write_tokens: write,
            output_tokens: completion,
            output_reasoning_tokens: Math.floor(completion / 2),
          },
          m.id,
          { providerId: genai, timestamp },
        )!.total_price;
        const fast = calc.cost({ model: m.id, provider: llmux, usage: u });
        const slow = completionCost({ model: m.id, provider: llmux, usage: u, timestamp });
        assertClose(fast.costUsd, want, `${llmux}/${m.id} ${JSON.stringify(u)}`);
        assertClose(slow.costUsd, want, `${llmux}/${m.id} (completionCost)`);
        checked++;
      }
    }
  }
  assert.ok(checked > 1000, `checked ${checked}`);
});

Deno.test("completionCost() makes no network request (bundled data only)", async () => {
  const original = globalThis.fetch;
  const calls: string[] = [];
  globalThis.fetch = (input: string | URL | Request) => {
    calls.push(String(input instanceof Request ? input.url : input));
    return Promise.reject(new Error("no network in this test"));
  };
  try {
    const calc = createCostCalculator();
    for (const model of ["gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "nope"]) {
      completionCost({ model, usage: usage(1, 1) });
      calc.cost({ model, usage: usage(1, 1) });
    }
    await new Promise((resolve) => setTimeout(resolve, 0));
  } finally {
    globalThis.fetch = original;
  }
  assert.deepEqual(calls, []);
});

Deno.test("completionCost() prices audio tokens at the audio prices (gpt-audio)", () => {
  const p = packagePrices("gpt-audio", "openai");
  assert.ok(perToken(p, "input_audio_mtok") > perToken(p, "input_mtok"));
  const u = usage(1000, 500, {
    prompt_tokens_details: { audio_tokens: 600 },
    completion_tokens_details: { audio_tokens: 300 },
  });
  const expected = 400 * perToken(p, "input_mtok") + 600 * perToken(p, "input_audio_mtok") +
    200 * perToken(p, "output_mtok") + 300 * perToken(p, "output_audio_mtok");
  assertClose(completionCost({ model: "gpt-audio", usage: u }).costUsd, expected);
  assertClose(createCostCalculator().cost({ model: "gpt-audio", usage: u }).costUsd, expected);
});
