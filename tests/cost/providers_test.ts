import assert from "node:assert/strict";
import { findProvider } from "@pydantic/genai-prices";
import {
  GENAI_PRICES_PROVIDERS,
  LOCAL_PROVIDERS,
  type PriceRef,
  priceRefOf,
  splitModel,
} from "../../src/cost/mod.ts";
import { PROVIDERS } from "../../src/providers/registry.ts";

for (const [llmux, genai] of Object.entries(GENAI_PRICES_PROVIDERS)) {
  if (genai === null) continue;
  Deno.test(`GENAI_PRICES_PROVIDERS maps ${llmux} to genai-prices provider "${genai}"`, () => {
    const found = findProvider({ providerId: genai });
    assert.ok(found, `genai-prices has no provider "${genai}"`);
    assert.equal(found.id, genai);
    assert.ok(found.models.length > 0);
  });
}

Deno.test("every llmux provider is either mapped, unpriced or local", () => {
  for (const id of PROVIDERS.keys()) {
    assert.ok(
      Object.hasOwn(GENAI_PRICES_PROVIDERS, id) || LOCAL_PROVIDERS.has(id),
      `provider "${id}" needs an entry in GENAI_PRICES_PROVIDERS or LOCAL_PROVIDERS`,
    );
  }
  for (const id of LOCAL_PROVIDERS) assert.ok(!Object.hasOwn(GENAI_PRICES_PROVIDERS, id), id);
});

const CASES: readonly [string, string | undefined, PriceRef][] = [
  ["gpt-4o-mini", "openai", { kind: "genai", providerId: "openai", model: "gpt-4o-mini" }],
  ["openai/gpt-4o-mini", undefined, { kind: "genai", providerId: "openai", model: "gpt-4o-mini" }],
  ["gpt-4o-mini", undefined, { kind: "genai", providerId: "openai", model: "gpt-4o-mini" }],
  ["claude-sonnet-4-5", undefined, {
    kind: "genai",
    providerId: "anthropic",
    model: "claude-sonnet-4-5",
  }],
  ["claude/claude-sonnet-4-5", undefined, {
    kind: "genai",
    providerId: "anthropic",
    model: "claude-sonnet-4-5",
  }],
  ["gemini-2.5-flash", "gemini", {
    kind: "genai",
    providerId: "google",
    model: "gemini-2.5-flash",
  }],
  ["models/gemini-2.5-flash", "gemini", {
    kind: "genai",
    providerId: "google",
    model: "gemini-2.5-flash",
  }],
  ["google/gemini-2.5-flash", undefined, {
    kind: "genai",
    providerId: "google",
    model: "gemini-2.5-flash",
  }],
  ["xai/grok-4", undefined, { kind: "genai", providerId: "x-ai", model: "grok-4" }],
  ["fireworks/accounts/fireworks/models/x", undefined, {
    kind: "genai",
    providerId: "fireworks",
    model: "accounts/fireworks/models/x",
  }],
  ["together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo", undefined, {
    kind: "genai",
    providerId: "together",
    model: "meta-llama/Llama-3.3-70B-Instruct-Turbo",
  }],
  ["openai/gpt-4o", "openrouter", {
    kind: "genai",
    providerId: "openrouter",
    model: "openai/gpt-4o",
  }],
  ["openrouter/openai/gpt-4o", undefined, {
    kind: "genai",
    providerId: "openrouter",
    model: "openai/gpt-4o",
  }],
  ["kimi-k2", "moonshot", { kind: "genai", providerId: "moonshotai", model: "kimi-k2" }],
  ["meta-llama/Llama-3.3-70B-Instruct:groq", "huggingface", {
    kind: "genai",
    providerId: "huggingface_groq",
    model: "meta-llama/Llama-3.3-70B-Instruct",
  }],
  ["meta-llama/Llama-3.3-70B-Instruct", "huggingface", {
    kind: "unpriced",
    model: "meta-llama/Llama-3.3-70B-Instruct",
  }],
  ["llama3.2", "ollama", { kind: "local", model: "llama3.2" }],
  ["ollama_chat/llama3.2", undefined, { kind: "local", model: "llama3.2" }],
  ["vllm/qwen", undefined, { kind: "local", model: "qwen" }],
  ["deepinfra/meta-llama/x", undefined, { kind: "unpriced", model: "meta-llama/x" }],
  ["anthropic.claude-3-haiku", "bedrock", {
    kind: "genai",
    providerId: "aws",
    model: "anthropic.claude-3-haiku",
  }],
  ["bedrock/converse/us.anthropic.claude-sonnet-4-5-20250929-v1:0", "bedrock", {
    kind: "genai",
    providerId: "aws",
    model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  }],
  ["some-model", "vertex_ai", { kind: "genai", providerId: "google", model: "some-model" }],
  ["mystery", undefined, { kind: "genai", providerId: undefined, model: "mystery" }],
  ["m", "brand-new", { kind: "genai", providerId: "brand-new", model: "m" }],
];

for (const [model, provider, expected] of CASES) {
  Deno.test(`priceRefOf(${JSON.stringify(model)}, ${JSON.stringify(provider)})`, () => {
    assert.deepEqual(priceRefOf(model, provider), expected);
  });
}

Deno.test("splitModel() strips only the named provider's prefix", () => {
  assert.deepEqual(splitModel("groq/llama-3.3-70b-versatile", "groq"), {
    provider: "groq",
    model: "llama-3.3-70b-versatile",
  });
  assert.deepEqual(splitModel("meta-llama/x", "together_ai"), {
    provider: "together_ai",
    model: "meta-llama/x",
  });
  assert.deepEqual(splitModel("together/meta-llama/x", "together"), {
    provider: "together_ai",
    model: "meta-llama/x",
  });
});
