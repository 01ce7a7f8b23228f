/**
 * Gemini adapter (work in progress: being written now).
 *
 * @module
 */

import type { ProviderAdapter } from "../types.ts";
import { createOpenAICompatibleAdapter } from "../openai/adapter.ts";

/** The Gemini adapter. */
export const geminiAdapter: ProviderAdapter = createOpenAICompatibleAdapter("gemini", {
  baseURL: "http://localhost",
  apiKeyEnv: ["GEMINI_API_KEY"],
});
