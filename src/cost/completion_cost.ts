/**
 * The USD cost of a completion, from the price database bundled with
 * `@pydantic/genai-prices` (used offline: llmux never calls its
 * `updatePrices`, so nothing is fetched) with LiteLLM's per-deployment
 * `model_info` prices taking precedence field by field.
 *
 * - Cache reads are priced at the cache-read price and cache writes at the
 *   cache-write price; `prompt_tokens` already includes both, so they are
 *   taken out of the plain input count, never added to it. With no cache
 *   price, the tokens cost the input price (as in LiteLLM).
 * - `model_info` fields (USD per token): `input_cost_per_token`,
 *   `output_cost_per_token`, `cache_read_input_token_cost`,
 *   `cache_creation_input_token_cost`. Each replaces the database's price
 *   for that field only; a model the database does not know is priced from
 *   `model_info` alone (fields it leaves out cost 0).
 * - Local providers (`ollama`, `lm_studio`, `hosted_vllm`) cost 0 and count
 *   as known, unless `model_info` sets prices.
 * - A model with no price anywhere costs 0 with `known: false`;
 *   {@linkcode createCostCalculator} warns once per such model.
 *
 * @module
 */

import { calcPrice, type ModelPrice, type Provider as GenaiProvider } from "@pydantic/genai-prices";
import {
  type CostUsage,
  createLinearModel,
  type LinearModel,
  mergePrices,
  type ModelInfoPrices,
  overridePrices,
  singleModelProvider,
  toGenaiUsage,
  type TokenCounts,
  toTokenCounts,
} from "./_prices.ts";
import { type PriceRef, priceRefOf } from "./providers.ts";

export type { CostUsage, ModelInfoPrices };

/** Where a cost came from. */
export type CostSource = "model_info" | "genai-prices" | "none";

/** What {@linkcode completionCost} prices. */
export interface CompletionCostOptions {
  /**
   * The provider's model id (`"gpt-4o-mini"`), or a `completion()` model
   * string (`"openrouter/openai/gpt-4o"`): a routing prefix naming the
   * provider is removed.
   */
  model: string;
  /** llmux provider id (`openai`, `anthropic`, `gemini`, `ollama`, `groq`, …); inferred from `model` when absent. */
  provider?: string | undefined;
  /** Token usage of the call (`prompt_tokens` includes cached tokens). */
  usage: CostUsage;
  /** The deployment's `model_info`: its price fields win over the database. */
  modelInfo?: ModelInfoPrices | undefined;
  /** When the call was made, for prices that change over time (default now). */
  timestamp?: Date | undefined;
}

/** The cost of one call. */
export interface CompletionCost {
  /** Cost in USD (0 when unknown). */
  costUsd: number;
  /** Whether a price was found (free local models count as known). */
  known: boolean;
  /** `"model_info"` when any `model_info` price applied, `"genai-prices"` for the database alone, else `"none"`. */
  source: CostSource;
}

type Pricing =
  | { readonly kind: "unknown"; readonly reason: string }
  | { readonly kind: "free" }
  | {
    readonly kind: "priced";
    readonly source: "model_info" | "genai-prices";
    readonly provider: GenaiProvider;
    readonly name: string;
  };

function unknownCost(): CompletionCost {
  return { costUsd: 0, known: false, source: "none" };
}

function freeCost(): CompletionCost {
  return { costUsd: 0, known: true, source: "none" };
}

function modelInfoProvider(name: string, prices: ModelPrice): GenaiProvider {
  return {
    id: "model_info",
    name: "model_info",
    api_pattern: "",
    models: [{ id: name, match: { equals: name }, prices }],
  };
}

function describe(ref: PriceRef, provider: string | undefined): string {
  if (ref.kind === "unpriced") return `genai-prices has no prices for provider "${provider}"`;
  return "not in the bundled genai-prices data";
}

/** Resolve where `ref`'s price comes from; throws only on corrupt price data. */
function resolvePricing(
  ref: PriceRef,
  provider: string | undefined,
  override: ModelPrice | undefined,
  timestamp: Date,
): Pricing {
  const name = ref.model;
  if (ref.kind === "genai") {
    const found = calcPrice({}, name, { providerId: ref.providerId, timestamp });
    if (found !== null) {
      const model = override === undefined
        ? found.model
        : { ...found.model, prices: mergePrices(found.model.prices, override) };
      return {
        kind: "priced",
        source: override === undefined ? "genai-prices" : "model_info",
        provider: singleModelProvider(found.provider, model, name),
        name,
      };
    }
  }
  if (override !== undefined) {
    return {
      kind: "priced",
      source: "model_info",
      provider: modelInfoProvider(name, override),
      name,
    };
  }
  if (ref.kind === "local") return { kind: "free" };
  return { kind: "unknown", reason: describe(ref, provider) };
}

function priced(costUsd: number, source: "model_info" | "genai-prices"): CompletionCost {
  return Number.isFinite(costUsd) && costUsd >= 0
    ? { costUsd, known: true, source }
    : unknownCost();
}

/**
 * The USD cost of a call from its usage: the bundled `@pydantic/genai-prices`
 * data (offline), overridden field by field by `model_info` prices. Never
 * throws; a model with no price costs 0 with `known: false`. For the proxy's
 * hot path use {@linkcode createCostCalculator}, which caches each model's
 * prices and warns once per unknown model.
 *
 * @example
 * ```ts
 * import { completionCost } from "./completion_cost.ts";
 *
 * const usage = { prompt_tokens: 1000, completion_tokens: 200, total_tokens: 1200 };
 * const db = completionCost({ model: "gpt-4o-mini", provider: "openai", usage });
 * console.assert(db.known && db.source === "genai-prices" && db.costUsd > 0);
 *
 * const custom = completionCost({
 *   model: "my-finetune",
 *   provider: "openai",
 *   usage,
 *   modelInfo: { input_cost_per_token: 1e-6, output_cost_per_token: 2e-6 },
 * });
 * console.assert(Math.abs(custom.costUsd - (1000 * 1e-6 + 200 * 2e-6)) < 1e-12);
 *
 * const local = completionCost({ model: "llama3.2", provider: "ollama", usage });
 * console.assert(local.costUsd === 0 && local.known);
 *
 * const unknown = completionCost({ model: "no-such-model", provider: "openai", usage });
 * console.assert(unknown.costUsd === 0 && !unknown.known);
 * ```
 */
export function completionCost(options: CompletionCostOptions): CompletionCost {
  const { model, provider, usage, modelInfo, timestamp = new Date() } = options;
  try {
    const ref = priceRefOf(model, provider);
    const override = overridePrices(modelInfo);
    const counts = toTokenCounts(usage);
    if (ref.kind === "genai" && override === undefined) {
      const found = calcPrice(toGenaiUsage(counts), ref.model, {
        providerId: ref.providerId,
        timestamp,
      });
      return found === null ? unknownCost() : priced(found.total_price, "genai-prices");
    }
    const pricing = resolvePricing(ref, provider, override, timestamp);
    if (pricing.kind === "unknown") return unknownCost();
    if (pricing.kind === "free") return freeCost();
    return priced(exactCost(pricing, counts, timestamp), pricing.source);
  } catch {
    return unknownCost();
  }
}

function exactCost(
  pricing: Extract<Pricing, { kind: "priced" }>,
  counts: TokenCounts,
  timestamp: Date,
): number {
  const result = calcPrice(toGenaiUsage(counts), pricing.name, {
    provider: pricing.provider,
    timestamp,
  });
  return result === null ? Number.NaN : result.total_price;
}

/** Options of {@linkcode createCostCalculator}. */
export interface CostCalculatorOptions {
  /** Told once per model that cannot be priced (default: nothing). */
  warn?: ((message: string) => void) | undefined;
  /** Clock in ms, for prices that change over time (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Most models whose prices are cached (default 4096; the oldest is dropped). */
  maxModels?: number | undefined;
}

/** Options of {@linkcode CostCalculator.cost}: {@linkcode CompletionCostOptions} without the timestamp. */
export type CostCalculatorInput = Omit<CompletionCostOptions, "timestamp">;

/** A {@linkcode completionCost} with per-model caching and warn-once for unknown models. */
export interface CostCalculator {
  /** The USD cost of a call; never throws. */
  cost(options: CostCalculatorInput): CompletionCost;
}

type Entry =
  | { readonly kind: "unknown"; readonly reason: string }
  | { readonly kind: "free" }
  | {
    readonly kind: "priced";
    readonly source: "model_info" | "genai-prices";
    readonly provider: GenaiProvider;
    readonly name: string;
    readonly linear: LinearModel | undefined;
  };

function overrideKey(prices: ModelPrice | undefined): string {
  if (prices === undefined) return "";
  return `\u0000${prices.input_mtok}\u0000${prices.output_mtok}\u0000${prices.cache_read_mtok}\u0000${prices.cache_write_mtok}`;
}

function remember<K, V>(map: Map<K, V>, key: K, value: V, max: number): void {
  if (map.size >= max) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
  map.set(key, value);
}

/**
 * A cost calculator for the proxy: each model's prices are looked up once
 * and kept (per calculator, bounded), flat and tiered prices are then
 * evaluated without going through the database again, and the first call
 * for a model that cannot be priced calls `warn` (once per model and
 * provider). It never throws.
 *
 * @example
 * ```ts
 * import { createCostCalculator } from "./completion_cost.ts";
 *
 * const warnings: string[] = [];
 * const calculator = createCostCalculator({ warn: (m) => warnings.push(m) });
 * const usage = { prompt_tokens: 1000, completion_tokens: 10, total_tokens: 1010 };
 * console.assert(calculator.cost({ model: "claude-sonnet-4-5", provider: "anthropic", usage }).known);
 * calculator.cost({ model: "mystery", provider: "openai", usage });
 * calculator.cost({ model: "mystery", provider: "openai", usage });
 * console.assert(warnings.length === 1);
 * ```
 */
export function createCostCalculator(options: CostCalculatorOptions = {}): CostCalculator {
  const { warn, now = Date.now, maxModels = 4096 } = options;
  const entries = new Map<string, Entry>();
  const warned = new Set<string>();

  const warnOnce = (model: string, provider: string | undefined, reason: string): void => {
    const key = `${provider ?? ""}\u0000${model}`;
    if (warn === undefined || warned.has(key)) return;
    if (warned.size >= maxModels) warned.clear();
    warned.add(key);
    const who = provider === undefined ? "" : ` of provider "${provider}"`;
    try {
      warn(
        `Cannot price model "${model}"${who}: ${reason}; counting its cost as 0 ` +
          "(set model_info.input_cost_per_token and output_cost_per_token to price it)",
      );
    } catch {
      // A failing logger must not fail the request.
    }
  };

  const lookup = (
    model: string,
    provider: string | undefined,
    override: ModelPrice | undefined,
    at: () => Date,
  ): Entry => {
    const key = `${provider ?? ""}\u0000${model}${overrideKey(override)}`;
    const cached = entries.get(key);
    if (cached !== undefined) return cached;
    let entry: Entry;
    try {
      const ref = priceRefOf(model, provider);
      const pricing = resolvePricing(ref, provider, override, at());
      if (pricing.kind === "priced") {
        let linear: LinearModel | undefined;
        try {
          linear = createLinearModel(pricing.provider, pricing.name);
        } catch {
          linear = undefined;
        }
        entry = { ...pricing, linear };
      } else {
        entry = pricing;
      }
    } catch (error) {
      entry = { kind: "unknown", reason: `its price data is invalid (${String(error)})` };
    }
    remember(entries, key, entry, maxModels);
    return entry;
  };

  return {
    cost(input: CostCalculatorInput): CompletionCost {
      const { model, provider, usage, modelInfo } = input;
      try {
        const at = (): Date => new Date(now());
        const entry = lookup(model, provider, overridePrices(modelInfo), at);
        if (entry.kind === "free") return freeCost();
        if (entry.kind === "unknown") {
          warnOnce(model, provider, entry.reason);
          return unknownCost();
        }
        const counts = toTokenCounts(usage);
        const usd = entry.linear === undefined
          ? exactCost(entry, counts, at())
          : entry.linear.cost(counts);
        const result = priced(usd, entry.source);
        if (!result.known) warnOnce(model, provider, "its price could not be computed");
        return result;
      } catch (error) {
        warnOnce(model, provider, `its price could not be computed (${String(error)})`);
        return unknownCost();
      }
    },
  };
}
