/**
 * Anthropic adapter (work in progress: being written now).
 *
 * @module
 */

import type { ProviderAdapter } from "../types.ts";
import { createOpenAICompatibleAdapter } from "../openai/adapter.ts";

/** The Anthropic adapter. */
export const anthropicAdapter: ProviderAdapter = createOpenAICompatibleAdapter("anthropic", {
  baseURL: "http://localhost",
  apiKeyEnv: ["ANTHROPIC_API_KEY"],
});
