/**
 * Prices and currency: the USD cost of a completion from the price
 * database bundled with `@pydantic/genai-prices` (offline) and LiteLLM's
 * `model_info` prices, and conversion of USD amounts into the configured
 * reporting currency.
 *
 * @example
 * ```ts
 * import { completionCost, createFx } from "./mod.ts";
 *
 * const { costUsd, known } = completionCost({
 *   model: "gpt-4o-mini",
 *   provider: "openai",
 *   usage: {
 *     prompt_tokens: 2000,
 *     completion_tokens: 100,
 *     total_tokens: 2100,
 *     prompt_tokens_details: { cached_tokens: 1500 },
 *   },
 * });
 * console.assert(known && costUsd > 0);
 *
 * const fx = createFx({ currency: "ZAR", fx_rates: { ZAR: 18.5 } });
 * console.assert(fx.convert(costUsd).amount === costUsd * 18.5);
 * ```
 *
 * @module
 */

export {
  type CompletionCost,
  completionCost,
  type CompletionCostOptions,
  type CostCalculator,
  type CostCalculatorInput,
  type CostCalculatorOptions,
  type CostSource,
  type CostUsage,
  createCostCalculator,
  type ModelInfoPrices,
} from "./completion_cost.ts";
export { createFx, type Fx, type FxAmount, type FxOptions, parseFxRate } from "./fx.ts";
export {
  GENAI_PRICES_PROVIDERS,
  LOCAL_PROVIDERS,
  type PriceRef,
  priceRefOf,
  splitModel,
} from "./providers.ts";
