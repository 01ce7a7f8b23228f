/**
 * Which `@pydantic/genai-prices` provider prices an llmux provider's
 * models, and how a model string is cut down to the id that database
 * matches on.
 *
 * - Providers in {@linkcode GENAI_PRICES_PROVIDERS} map to a genai-prices
 *   provider id, or to `null` when the database has no prices for them (the
 *   cost is then unknown unless `model_info` sets prices).
 * - Providers in {@linkcode LOCAL_PROVIDERS} run on the operator's own
 *   hardware (Ollama, LM Studio, vLLM): their calls cost nothing unless
 *   `model_info` sets prices.
 * - Any other provider id is passed to genai-prices as given; its own
 *   `provider_match` rules still recognise spellings such as `vertex_ai` or
 *   `bedrock`.
 *
 * @module
 */

import { PROVIDER_ALIASES, resolveModel } from "../providers/registry.ts";

/**
 * llmux (and LiteLLM) provider id → genai-prices provider id; `null` means
 * the database has no prices for that provider.
 */
export const GENAI_PRICES_PROVIDERS: Readonly<Record<string, string | null>> = {
  openai: "openai",
  anthropic: "anthropic",
  gemini: "google",
  vertex_ai: "google",
  groq: "groq",
  mistral: "mistral",
  deepseek: "deepseek",
  xai: "x-ai",
  fireworks_ai: "fireworks",
  together_ai: "together",
  openrouter: "openrouter",
  perplexity: "perplexity",
  cerebras: "cerebras",
  novita: "novita",
  moonshot: "moonshotai",
  azure: "azure",
  bedrock: "aws",
  cohere: "cohere",
  cloudflare: "cloudflare",
  minimax: "minimax",
  zai: "zai",
  voyage: "voyageai",
  // `huggingface` is priced only when the model names its inference
  // provider (`org/model:groq` → `huggingface_groq`); see priceRefOf().
  huggingface: null,
  deepinfra: null,
  nvidia_nim: null,
  sambanova: null,
  hyperbolic: null,
  github: null,
  dashscope: null,
  nebius: null,
  featherless_ai: null,
  lambda_ai: null,
  // Azure AI Foundry serves many vendors' models; genai-prices' `azure` holds Azure OpenAI's.
  azure_ai: null,
};

/** Providers that run locally and cost nothing unless `model_info` sets prices. */
export const LOCAL_PROVIDERS: ReadonlySet<string> = new Set([
  "ollama",
  "lm_studio",
  "hosted_vllm",
]);

/** Where a model's price comes from. */
export type PriceRef =
  | {
    /** Look it up in genai-prices. */
    readonly kind: "genai";
    /** genai-prices provider id; `undefined` lets genai-prices infer it from the model. */
    readonly providerId: string | undefined;
    /** The model id to match, routing prefixes removed. */
    readonly model: string;
  }
  | {
    /** A local provider: free. */
    readonly kind: "local";
    /** The model id, routing prefixes removed. */
    readonly model: string;
  }
  | {
    /** A provider genai-prices has no data for. */
    readonly kind: "unpriced";
    /** The model id, routing prefixes removed. */
    readonly model: string;
  };

function stripPrefix(model: string, prefix: string): string {
  return model.startsWith(`${prefix}/`) ? model.slice(prefix.length + 1) : model;
}

/**
 * The llmux provider id and the provider's own model id: a routing prefix
 * (`openrouter/`, `ollama_chat/`, …) is removed when it names the given
 * provider (or, with no provider, any known one); a bare model's provider is
 * inferred as `completion()` does (`gpt-…` → openai), else left undefined.
 *
 * @example
 * ```ts
 * import { splitModel } from "./providers.ts";
 * console.assert(splitModel("openrouter/openai/gpt-4o").model === "openai/gpt-4o");
 * console.assert(splitModel("openai/gpt-4o", "openrouter").model === "openai/gpt-4o");
 * console.assert(splitModel("gpt-4o-mini").provider === "openai");
 * ```
 */
export function splitModel(
  model: string,
  provider?: string,
): { provider: string | undefined; model: string } {
  if (provider !== undefined && provider !== "") {
    const id = PROVIDER_ALIASES[provider] ?? provider;
    return { provider: id, model: stripPrefix(stripPrefix(model, provider), id) };
  }
  try {
    return resolveModel(model);
  } catch {
    return { provider: undefined, model };
  }
}

/**
 * Where to look up the price of `model` served by `provider`.
 *
 * @example
 * ```ts
 * import { priceRefOf } from "./providers.ts";
 * console.assert(JSON.stringify(priceRefOf("gemini/gemini-2.5-flash")) ===
 *   '{"kind":"genai","providerId":"google","model":"gemini-2.5-flash"}');
 * console.assert(priceRefOf("llama3.2", "ollama").kind === "local");
 * console.assert(priceRefOf("meta-llama/Llama-3.3-70B-Instruct", "deepinfra").kind === "unpriced");
 * ```
 */
export function priceRefOf(model: string, provider?: string): PriceRef {
  const split = splitModel(model, provider);
  const id = split.provider;
  let name = split.model;
  if (id === undefined) return { kind: "genai", providerId: undefined, model: name };
  if (LOCAL_PROVIDERS.has(id)) return { kind: "local", model: name };
  if (id === "gemini" || id === "vertex_ai") name = stripPrefix(name, "models");
  if (id === "bedrock") name = stripPrefix(stripPrefix(name, "converse"), "invoke");
  if (id === "huggingface") {
    const colon = name.lastIndexOf(":");
    if (colon > 0 && colon < name.length - 1) {
      return {
        kind: "genai",
        providerId: `huggingface_${name.slice(colon + 1)}`,
        model: name.slice(0, colon),
      };
    }
  }
  const mapped = Object.hasOwn(GENAI_PRICES_PROVIDERS, id) ? GENAI_PRICES_PROVIDERS[id] : id;
  if (mapped === null || mapped === undefined) return { kind: "unpriced", model: name };
  return { kind: "genai", providerId: mapped, model: name };
}
