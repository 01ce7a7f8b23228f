/**
 * Private helpers over `@pydantic/genai-prices`: llmux usage → genai-prices
 * usage, `model_info` overrides merged into a model's prices, and a linear
 * price model probed from the package's own `calcPrice` so repeated calls
 * skip its matching and validation.
 *
 * @module
 */

import {
  calcPrice,
  type ModelInfo as GenaiModelInfo,
  type ModelPrice,
  type Provider as GenaiProvider,
  type Usage as GenaiUsage,
} from "@pydantic/genai-prices";

/**
 * The usage fields pricing reads: a chat completion's `Usage` or an
 * embedding's `{ prompt_tokens, total_tokens }` fits as is.
 */
export interface CostUsage {
  /** Prompt tokens, cache reads and writes included. */
  prompt_tokens: number;
  /** Completion tokens, reasoning and audio included (absent for embeddings). */
  completion_tokens?: number | undefined;
  /** Sum of the two (not read). */
  total_tokens?: number | undefined;
  /** Prompt breakdown: tokens read from the cache, audio tokens. */
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number } | null | undefined;
  /** Completion breakdown: reasoning and audio tokens. */
  completion_tokens_details?:
    | { reasoning_tokens?: number; audio_tokens?: number }
    | null
    | undefined;
  /** Tokens written to the provider's prompt cache (Anthropic). */
  cache_creation_input_tokens?: number | undefined;
  /** Tokens read from the provider's prompt cache (Anthropic); wins over `cached_tokens`. */
  cache_read_input_tokens?: number | undefined;
}

/** LiteLLM's per-token price fields of `model_info` (USD per token). */
export interface ModelInfoPrices {
  /** USD per prompt token not read from or written to the cache. */
  input_cost_per_token?: number | undefined;
  /** USD per completion token. */
  output_cost_per_token?: number | undefined;
  /** USD per prompt token read from the provider's cache. */
  cache_read_input_token_cost?: number | undefined;
  /** USD per prompt token written to the provider's cache. */
  cache_creation_input_token_cost?: number | undefined;
}

/** Token counts split the way genai-prices prices them; every field finite and ≥ 0. */
export interface TokenCounts {
  /** All prompt tokens (cache reads and writes and audio included). */
  input: number;
  /** Prompt tokens read from the cache. */
  cacheRead: number;
  /** Prompt tokens written to the cache. */
  cacheWrite: number;
  /** Prompt audio tokens (only counted when there are no cache tokens). */
  inputAudio: number;
  /** All completion tokens (audio and reasoning included). */
  output: number;
  /** Completion audio tokens. */
  outputAudio: number;
  /** Completion reasoning tokens (only counted when there are no audio tokens). */
  outputReasoning: number;
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * Split a usage into the counts genai-prices prices. `prompt_tokens`
 * already includes cache reads and writes (llmux and OpenAI usage), so they
 * are partitions of `input`, never added to it; if a usage reports more
 * cache tokens than prompt tokens, `input` is raised to their sum. Audio
 * prompt tokens are dropped (priced as text) when cache tokens are present,
 * since the usage does not say how the two overlap; likewise reasoning
 * tokens when audio completion tokens are present.
 */
export function toTokenCounts(usage: CostUsage): TokenCounts {
  const cacheRead = count(
    usage.cache_read_input_tokens ?? usage.prompt_tokens_details?.cached_tokens,
  );
  const cacheWrite = count(usage.cache_creation_input_tokens);
  const inputAudio = cacheRead + cacheWrite > 0
    ? 0
    : count(usage.prompt_tokens_details?.audio_tokens);
  const outputAudio = count(usage.completion_tokens_details?.audio_tokens);
  const outputReasoning = outputAudio > 0
    ? 0
    : count(usage.completion_tokens_details?.reasoning_tokens);
  const input = Math.max(count(usage.prompt_tokens), cacheRead + cacheWrite + inputAudio);
  const output = Math.max(count(usage.completion_tokens), outputAudio + outputReasoning);
  return { input, cacheRead, cacheWrite, inputAudio, output, outputAudio, outputReasoning };
}

/** The genai-prices usage object for some counts (zero fields left out). */
export function toGenaiUsage(c: TokenCounts): GenaiUsage {
  const u: GenaiUsage = {};
  if (c.input > 0) u.input_tokens = c.input;
  if (c.cacheRead > 0) u.cache_read_tokens = c.cacheRead;
  if (c.cacheWrite > 0) u.cache_write_tokens = c.cacheWrite;
  if (c.inputAudio > 0) u.input_audio_tokens = c.inputAudio;
  if (c.output > 0) u.output_tokens = c.output;
  if (c.outputAudio > 0) u.output_audio_tokens = c.outputAudio;
  if (c.outputReasoning > 0) u.output_reasoning_tokens = c.outputReasoning;
  return u;
}

function price(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The genai-prices price keys (USD per million tokens) a `model_info` sets;
 * `undefined` when it sets none. Values that are not finite non-negative
 * numbers are ignored.
 */
export function overridePrices(info: ModelInfoPrices | undefined): ModelPrice | undefined {
  if (info === undefined) return undefined;
  const out: ModelPrice = {};
  let any = false;
  const set = (key: string, value: unknown): void => {
    const p = price(value);
    if (p === undefined) return;
    out[key] = p * 1e6;
    any = true;
  };
  set("input_mtok", info.input_cost_per_token);
  set("output_mtok", info.output_cost_per_token);
  set("cache_read_mtok", info.cache_read_input_token_cost);
  set("cache_write_mtok", info.cache_creation_input_token_cost);
  return any ? out : undefined;
}

/** A one-model genai-prices provider, to price with `calcPrice(…, { provider })`. */
export function singleModelProvider(
  provider: Pick<GenaiProvider, "id" | "name" | "api_pattern">,
  model: GenaiModelInfo,
  name: string,
): GenaiProvider {
  return {
    id: provider.id,
    name: provider.name,
    api_pattern: provider.api_pattern,
    models: [{ ...model, match: { equals: name } }],
  };
}

/** A model's prices with `override` merged in key by key (every conditional price too). */
export function mergePrices(
  prices: GenaiModelInfo["prices"],
  override: ModelPrice,
): GenaiModelInfo["prices"] {
  if (Array.isArray(prices)) {
    return prices.map((p) => ({ ...p, prices: { ...p.prices, ...override } }));
  }
  return { ...prices, ...override };
}

/** Per-token prices within one input-size bracket. */
interface LinearPrices {
  base: number;
  input: number;
  cacheRead: number;
  cacheWrite: number;
  inputAudio: number;
  output: number;
  outputAudio: number;
  outputReasoning: number;
}

/**
 * A model whose price is linear in each token count within brackets of the
 * total input size (genai-prices tiers), probed once per bracket from
 * `calcPrice` itself; `undefined` when the prices are conditional on time or
 * otherwise not linear, so the caller must use `calcPrice` every time.
 */
export interface LinearModel {
  /** USD for these counts. */
  cost(c: TokenCounts): number;
}

function tierStarts(prices: ModelPrice): number[] | undefined {
  const starts = new Set<number>();
  for (const [key, value] of Object.entries(prices)) {
    if (value === undefined || typeof value === "number") continue;
    if (key === "requests_kcount") return undefined;
    for (const tier of value.tiers) {
      if (!Number.isSafeInteger(tier.start) || tier.start < 1) return undefined;
      starts.add(tier.start);
    }
  }
  return [...starts].sort((a, b) => a - b);
}

/**
 * Build the linear model of a one-model provider (see
 * {@linkcode singleModelProvider}) whose model matches `name`, if its prices
 * allow it.
 */
export function createLinearModel(provider: GenaiProvider, name: string): LinearModel | undefined {
  const model = provider.models[0];
  if (model === undefined || Array.isArray(model.prices)) return undefined;
  const starts = tierStarts(model.prices);
  if (starts === undefined) return undefined;
  const total = (usage: GenaiUsage): number =>
    calcPrice(usage, name, { provider })?.total_price ?? Number.NaN;
  const base = total({});
  const brackets: (LinearPrices | undefined)[] = [];
  const probe = (bracket: number): LinearPrices => {
    const n = bracket === 0 ? 1 : starts[bracket - 1]! + 1;
    const withInput = total({ input_tokens: n });
    const per = (usage: GenaiUsage, minus: number): number => (total(usage) - minus) / n;
    return {
      base,
      input: (withInput - base) / n,
      cacheRead: per({ input_tokens: n, cache_read_tokens: n }, base),
      cacheWrite: per({ input_tokens: n, cache_write_tokens: n }, base),
      inputAudio: per({ input_tokens: n, input_audio_tokens: n }, base),
      output: per({ input_tokens: n, output_tokens: n }, withInput),
      outputAudio: per({ input_tokens: n, output_tokens: n, output_audio_tokens: n }, withInput),
      outputReasoning: per(
        { input_tokens: n, output_tokens: n, output_reasoning_tokens: n },
        withInput,
      ),
    };
  };
  // Probe bracket 0 now so a model the package cannot price fails here.
  const first = probe(0);
  if (!Object.values(first).every(Number.isFinite)) return undefined;
  brackets[0] = first;
  return {
    cost(c: TokenCounts): number {
      let bracket = 0;
      while (bracket < starts.length && c.input > starts[bracket]!) bracket++;
      let p = brackets[bracket];
      if (p === undefined) brackets[bracket] = p = probe(bracket);
      const textIn = c.input - c.cacheRead - c.cacheWrite - c.inputAudio;
      const textOut = c.output - c.outputAudio - c.outputReasoning;
      return p.base + textIn * p.input + c.cacheRead * p.cacheRead +
        c.cacheWrite * p.cacheWrite + c.inputAudio * p.inputAudio + textOut * p.output +
        c.outputAudio * p.outputAudio + c.outputReasoning * p.outputReasoning;
    },
  };
}
