/**
 * Ollama adapter (work in progress: being written now).
 *
 * @module
 */

import type { ProviderAdapter } from "../types.ts";
import { createOpenAICompatibleAdapter } from "../openai/adapter.ts";

/** The Ollama adapter. */
export const ollamaAdapter: ProviderAdapter = createOpenAICompatibleAdapter("ollama", {
  baseURL: "http://localhost",
  apiKeyEnv: ["OLLAMA_API_KEY"],
});
