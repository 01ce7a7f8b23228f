/**
 * The static provider registry (static imports, so `deno compile` and
 * `deno bundle` carry every provider) and model-string resolution.
 *
 * @module
 */

import type { ProviderAdapter } from "./types.ts";
import { createOpenAICompatibleAdapter } from "./openai/adapter.ts";
import { OPENAI_COMPATIBLE_ALIASES, OPENAI_COMPATIBLE_PROVIDERS } from "./openai/table.ts";
import { anthropicAdapter } from "./anthropic/mod.ts";
import { geminiAdapter } from "./gemini/mod.ts";
import { ollamaAdapter } from "./ollama/mod.ts";
import { vertexAdapter } from "./vertex/mod.ts";
import { azureAdapter } from "./azure/mod.ts";
import { azureAIAdapter } from "./azure_ai/mod.ts";
import { cohereAdapter } from "./cohere/mod.ts";
import { bedrockAdapter } from "./bedrock/mod.ts";
import { BadRequestError } from "../errors.ts";

function buildRegistry(): ReadonlyMap<string, ProviderAdapter> {
  const map = new Map<string, ProviderAdapter>();
  for (const [id, spec] of Object.entries(OPENAI_COMPATIBLE_PROVIDERS)) {
    map.set(id, createOpenAICompatibleAdapter(id, spec));
  }
  map.set("anthropic", anthropicAdapter);
  map.set("gemini", geminiAdapter);
  map.set("ollama", ollamaAdapter);
  map.set("vertex_ai", vertexAdapter);
  map.set("azure", azureAdapter);
  map.set("azure_ai", azureAIAdapter);
  map.set("cohere", cohereAdapter);
  map.set("bedrock", bedrockAdapter);
  return map;
}

/** Every provider, keyed by its model-string prefix. Built once, never mutated. */
export const PROVIDERS: ReadonlyMap<string, ProviderAdapter> = buildRegistry();

/** Other prefixes accepted for providers (LiteLLM spellings). */
export const PROVIDER_ALIASES: Readonly<Record<string, string>> = {
  ...OPENAI_COMPATIBLE_ALIASES,
  ollama_chat: "ollama",
  google: "gemini",
  google_ai_studio: "gemini",
  claude: "anthropic",
  custom_openai: "openai",
  text_completion_openai: "openai",
  vertex_ai_beta: "vertex_ai",
  cohere_chat: "cohere",
};

/** The known provider ids, sorted (for error messages and docs). */
export function knownProviders(): string[] {
  return [...PROVIDERS.keys()].sort();
}

/** A resolved model string. */
export interface ModelRef {
  /** Provider id. */
  provider: string;
  /** The provider's model id. */
  model: string;
}

const INFERENCE: readonly [RegExp, string][] = [
  [/^(gpt-|o1|o3|o4|chatgpt-|text-embedding-|davinci|babbage|omni-moderation)/, "openai"],
  [/^claude-/, "anthropic"],
  [/^(gemini-|gemma-|text-embedding-004|gemini-embedding)/, "gemini"],
];

/**
 * Resolve `provider/model` (or a bare name whose provider is inferred) to a
 * provider id and the provider's own model id. This is the only place that
 * splits model strings.
 */
export function resolveModel(model: string, customProvider?: string): ModelRef {
  if (customProvider) {
    const id = PROVIDER_ALIASES[customProvider] ?? customProvider;
    if (!PROVIDERS.has(id)) throw unknownProvider(customProvider, model);
    const prefix = `${customProvider}/`;
    return { provider: id, model: model.startsWith(prefix) ? model.slice(prefix.length) : model };
  }
  const slash = model.indexOf("/");
  if (slash > 0) {
    const prefix = model.slice(0, slash);
    const id = PROVIDER_ALIASES[prefix] ?? prefix;
    if (PROVIDERS.has(id)) return { provider: id, model: model.slice(slash + 1) };
  }
  for (const [re, id] of INFERENCE) {
    if (re.test(model)) return { provider: id, model };
  }
  if (slash > 0) throw unknownProvider(model.slice(0, slash), model);
  throw new BadRequestError(
    `Cannot infer the provider of model "${model}". Write it as "provider/model"; ` +
      `known providers: ${knownProviders().join(", ")}`,
    { model, param: "model", code: "invalid_model" },
  );
}

function unknownProvider(prefix: string, model: string): BadRequestError {
  return new BadRequestError(
    `Unknown provider "${prefix}" in model "${model}". Known providers: ${
      knownProviders().join(", ")
    }`,
    { model, param: "model", code: "invalid_model" },
  );
}

/** The adapter of a resolved provider id. */
export function getProvider(id: string): ProviderAdapter {
  const adapter = PROVIDERS.get(id);
  if (!adapter) throw unknownProvider(id, id);
  return adapter;
}
