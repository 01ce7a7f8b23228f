/**
 * llmux: one OpenAI-shaped `completion()` for every LLM provider, over
 * Web-standard `fetch` and streams.
 *
 * @example
 * ```ts
 * import { completion } from "./mod.ts";
 * const res = await completion({
 *   model: "openai/gpt-4o-mini",
 *   messages: [{ role: "user", content: "Say hi" }],
 *   mock_response: "hi",
 * });
 * console.assert(res.choices[0].message.content === "hi");
 * ```
 *
 * @module
 */

export { completion, type CompletionOptions } from "./src/completion.ts";
export { embedding } from "./src/embedding.ts";
export { CompletionStream, type StreamInfo } from "./src/stream.ts";
export { tokenCounter } from "./src/token_counter.ts";
export { RESPONSE_HEADERS, responseHeaders } from "./src/response_headers.ts";
export {
  createCredentialCache,
  type CredentialCache,
  DEFAULT_CREDENTIAL_CACHE,
  type Expiring,
} from "./src/credential_cache.ts";
export type { CompletionParams, EmbeddingParams, ProviderOptions } from "./src/params.ts";
export * from "./src/errors.ts";
export type * from "./src/types.ts";
export * from "./src/fallback/mod.ts";
export { completionCost, createCostCalculator, createFx, parseFxRate } from "./src/cost/mod.ts";
export type {
  CompletionCost,
  CompletionCostOptions,
  CostCalculator,
  CostCalculatorInput,
  CostCalculatorOptions,
  CostSource,
  CostUsage,
  Fx,
  FxAmount,
  FxOptions,
  ModelInfoPrices,
} from "./src/cost/mod.ts";
