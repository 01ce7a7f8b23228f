/**
 * Test helpers: prices read from the `@pydantic/genai-prices` data itself
 * (never typed by hand), and a seeded random source.
 *
 * @module
 */

import { calcPrice, type ModelPrice } from "@pydantic/genai-prices";

/** The package's active prices for a model (USD per million tokens). */
export function packagePrices(model: string, providerId: string): ModelPrice {
  const found = calcPrice({}, model, { providerId });
  if (found === null) throw new Error(`genai-prices has no ${providerId}/${model}`);
  return found.model_price;
}

/**
 * A price key as USD per token, at the base tier (or the tier for
 * `inputTokens` when given); 0 when absent.
 */
export function perToken(prices: ModelPrice, key: string, inputTokens = 0): number {
  const value = prices[key];
  if (value === undefined) return 0;
  if (typeof value === "number") return value / 1e6;
  let p = value.base;
  for (const tier of value.tiers) if (inputTokens > tier.start) p = tier.price;
  return p / 1e6;
}

/** Whether two USD amounts agree to within floating-point noise. */
export function close(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= 1e-12 + 1e-9 * Math.abs(expected);
}

/** mulberry32: a seeded uniform random source in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
