/**
 * The cost of pricing one completion. Target: well under 10 µs per call on
 * the proxy's path (`createCostCalculator().cost`, prices cached per model);
 * the uncached `completionCost()` goes through genai-prices' `calcPrice`
 * (model matching and validation) every time and is shown for comparison.
 *
 * Run: deno bench --allow-read=. bench/cost_bench.ts
 */

import { completionCost, createCostCalculator } from "../src/cost/mod.ts";
import type { Usage } from "../src/types.ts";

const usage: Usage = {
  prompt_tokens: 12_000,
  completion_tokens: 800,
  total_tokens: 12_800,
  prompt_tokens_details: { cached_tokens: 9_000 },
  cache_read_input_tokens: 9_000,
  cache_creation_input_tokens: 1_000,
};

const CASES = [
  { name: "openai gpt-4o-mini", model: "gpt-4o-mini", provider: "openai" },
  {
    name: "anthropic claude-sonnet-4-5 (tiered)",
    model: "claude-sonnet-4-5",
    provider: "anthropic",
  },
  { name: "gemini gemini-2.5-flash", model: "gemini-2.5-flash", provider: "gemini" },
  {
    name: "openrouter openai/gpt-4o-mini (701 models)",
    model: "openai/gpt-4o-mini",
    provider: "openrouter",
  },
  {
    name: "deepseek deepseek-chat (time-of-day prices)",
    model: "deepseek-chat",
    provider: "deepseek",
  },
  { name: "unknown model", model: "no-such-model", provider: "openai" },
  { name: "ollama llama3.2 (free)", model: "llama3.2", provider: "ollama" },
] as const;

const modelInfo = { input_cost_per_token: 1e-6, output_cost_per_token: 3e-6 };
const calculator = createCostCalculator({ warn: () => {} });
let sink = 0;

for (const c of CASES) {
  Deno.bench({
    name: `calculator.cost: ${c.name}`,
    group: c.name,
    baseline: true,
    fn() {
      sink += calculator.cost({ model: c.model, provider: c.provider, usage }).costUsd;
    },
  });
  Deno.bench({
    name: `completionCost: ${c.name}`,
    group: c.name,
    fn() {
      sink += completionCost({ model: c.model, provider: c.provider, usage }).costUsd;
    },
  });
}

Deno.bench({
  name: "calculator.cost: gpt-4o-mini with model_info override",
  group: "override",
  baseline: true,
  fn() {
    sink += calculator.cost({ model: "gpt-4o-mini", provider: "openai", usage, modelInfo }).costUsd;
  },
});
Deno.bench({
  name: "completionCost: gpt-4o-mini with model_info override",
  group: "override",
  fn() {
    sink += completionCost({ model: "gpt-4o-mini", provider: "openai", usage, modelInfo }).costUsd;
  },
});

globalThis.addEventListener("unload", () => {
  if (Number.isNaN(sink)) throw new Error("unreachable");
});
