import assert from "node:assert/strict";
import { BadRequestError } from "../src/errors.ts";
import {
  getProvider,
  knownProviders,
  PROVIDER_ALIASES,
  PROVIDERS,
  resolveModel,
} from "../src/providers/registry.ts";
import { OPENAI_COMPATIBLE_PROVIDERS } from "../src/providers/openai/table.ts";

const ALIASES: [string, string, string][] = [
  ["ollama_chat/llama3.1", "ollama", "llama3.1"],
  ["featherless/Qwen/Qwen3-32B", "featherless_ai", "Qwen/Qwen3-32B"],
  ["lambda/llama3.3-70b-instruct-fp8", "lambda_ai", "llama3.3-70b-instruct-fp8"],
  ["vllm/meta-llama/Llama-3.1-8B-Instruct", "hosted_vllm", "meta-llama/Llama-3.1-8B-Instruct"],
  ["together/meta-llama/Llama-3.3-70B", "together_ai", "meta-llama/Llama-3.3-70B"],
  ["togetherai/x", "together_ai", "x"],
  ["fireworks/llama-v3p1-8b-instruct", "fireworks_ai", "llama-v3p1-8b-instruct"],
  ["nvidia/meta/llama3-8b-instruct", "nvidia_nim", "meta/llama3-8b-instruct"],
  ["google/gemini-2.5-flash", "gemini", "gemini-2.5-flash"],
  ["claude/claude-sonnet-4-5", "anthropic", "claude-sonnet-4-5"],
];

Deno.test("resolveModel(): LiteLLM aliases resolve to their providers", () => {
  for (const [model, provider, id] of ALIASES) {
    assert.deepEqual(resolveModel(model), { provider, model: id }, model);
  }
});

Deno.test("every alias points at a registered provider", () => {
  for (const [alias, id] of Object.entries(PROVIDER_ALIASES)) {
    assert.ok(PROVIDERS.has(id), `${alias} → ${id}`);
    assert.ok(!PROVIDERS.has(alias), `${alias} is not also a provider id`);
  }
});

Deno.test("every OpenAI-compatible row is registered under its own id", () => {
  for (const id of Object.keys(OPENAI_COMPATIBLE_PROVIDERS)) {
    assert.equal(getProvider(id).id, id);
  }
  for (const id of ["anthropic", "gemini", "ollama"]) assert.equal(getProvider(id).id, id);
  assert.deepEqual(knownProviders(), [...knownProviders()].sort());
});

Deno.test("resolveModel(): only the first slash splits; the rest is the provider's model id", () => {
  assert.deepEqual(resolveModel("openrouter/anthropic/claude-sonnet-4.5"), {
    provider: "openrouter",
    model: "anthropic/claude-sonnet-4.5",
  });
  assert.deepEqual(resolveModel("huggingface/deepseek-ai/DeepSeek-R1:novita"), {
    provider: "huggingface",
    model: "deepseek-ai/DeepSeek-R1:novita",
  });
});

Deno.test("resolveModel(): custom_llm_provider forces the provider", () => {
  assert.deepEqual(resolveModel("my-model", "hosted_vllm"), {
    provider: "hosted_vllm",
    model: "my-model",
  });
  assert.deepEqual(resolveModel("vllm/my-model", "vllm"), {
    provider: "hosted_vllm",
    model: "my-model",
  });
  assert.deepEqual(resolveModel("org/model", "groq"), { provider: "groq", model: "org/model" });
  assert.throws(() => resolveModel("x", "nope"), BadRequestError);
});

Deno.test("resolveModel(): a model-like prefix that is no provider falls back to inference", () => {
  // "gpt-4o/…" is not a provider; the name still reads as OpenAI's.
  assert.equal(resolveModel("gpt-4o-mini").provider, "openai");
  assert.throws(() => resolveModel("acme/model"), (e: unknown) => {
    assert.ok(e instanceof BadRequestError);
    assert.match(e.message, /Unknown provider "acme"/);
    assert.equal(e.code, "invalid_model");
    return true;
  });
  assert.throws(() => resolveModel("mystery"), /Cannot infer the provider of model "mystery"/);
});
