/**
 * A fleet of provider fakes (OpenAI, Anthropic, Gemini, Ollama) on
 * 127.0.0.1 and a proxy config with model groups backed by them, written to
 * a temporary file, plus the real proxy process serving it.
 *
 * Configs are written as JSON, which YAML 1.2 reads as YAML.
 *
 * @module
 */

import { OPENAI_FAKE_KEY, type OpenAIFake, startOpenAIFake } from "../fakes/openai.ts";
import { type AnthropicFake, startAnthropicFake } from "../fakes/anthropic.ts";
import { startGeminiFake } from "../fakes/gemini.ts";
import { startFakeOllama } from "../fakes/ollama.ts";
import type { FakeServer } from "../fakes/_server.ts";
import { type ServerProcess, startServer, tempDir } from "../server/_process.ts";

/** The proxy's master key in e2e configs. */
export const MASTER_KEY = "sk-llmux-e2e-master-0123456789";

/** The key the Gemini fake accepts. */
export const GEMINI_KEY = "gemini-e2e-key-0123456789";

/** What each fake's text fixture answers (non-streaming / streaming). */
export const TEXT = {
  openai: "Hello! How can I help you today?",
  openaiStream: "Hello! How can I help you today?",
  anthropic: "Hi! My name is Claude.",
  anthropicStream: "Hello, wörld 👋! How can I help?",
  gemini: "AI learns patterns from examples and uses them to make predictions on new data.",
  geminiStream: "Bonjour à tous 👋, the quick brown fox jumps over the lazy dog.",
  ollama: "Hello! How are you today?",
  ollamaStream: "The sky is blue because of Rayleigh scattering. ☀️",
} as const;

/** One `model_list` entry. */
export interface ModelEntry {
  model_name: string;
  litellm_params: Record<string, unknown>;
  model_info?: Record<string, unknown>;
}

/** Write a config (as JSON, valid YAML) into a new temp dir; dispose removes it. */
export async function writeConfig(
  config: Record<string, unknown>,
): Promise<{ path: string } & AsyncDisposable> {
  const dir = await tempDir();
  const path = await dir.write("config.yaml", JSON.stringify(config, null, 2));
  return { path, [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose]() };
}

/** The fakes and the proxy in front of them. */
export interface Fleet extends AsyncDisposable {
  /** The proxy process. */
  server: ServerProcess;
  /** `http://127.0.0.1:<port>/v1`. */
  baseURL: string;
  /** The OpenAI fakes by role. */
  openai: { text: OpenAIFake; tools: OpenAIFake; limited: OpenAIFake };
  /** The Anthropic fake (fixture picked by model name). */
  anthropic: AnthropicFake;
  /** The Gemini fake (fixture picked by model id). */
  gemini: FakeServer;
  /** The Ollama fakes: text and tools scenarios. */
  ollama: { text: FakeServer; tools: FakeServer };
}

/** Options of {@linkcode startFleet}. */
export interface FleetOptions {
  /** Scenario queue of the OpenAI tools fake (default `["tool_calls"]`). */
  openaiToolScenarios?: readonly string[];
}

/**
 * Start every fake and the proxy with these model groups:
 *
 * | group           | backed by                                |
 * | --------------- | ---------------------------------------- |
 * | `gpt`           | OpenAI fake, `plain_text`                |
 * | `gpt-tools`     | OpenAI fake, `tool_calls` (queue)        |
 * | `gpt-limited`   | OpenAI fake, `rate_limit` (429)          |
 * | `gpt-embed`     | OpenAI fake, embeddings                  |
 * | `claude`        | Anthropic fake, `text`                   |
 * | `claude-tools`  | Anthropic fake, `tool_use`               |
 * | `gemini`        | Gemini fake, `text`                      |
 * | `gemini-tools`  | Gemini fake, `tools`                     |
 * | `gemini-embed`  | Gemini fake, embeddings                  |
 * | `local`         | Ollama fake, `text`                      |
 * | `local-tools`   | Ollama fake, `tools`                     |
 * | `local-embed`   | Ollama fake, embeddings                  |
 */
export async function startFleet(options: FleetOptions = {}): Promise<Fleet> {
  const disposers: AsyncDisposable[] = [];
  const keep = <T extends AsyncDisposable>(x: T): T => (disposers.push(x), x);
  try {
    const openai = {
      text: keep(startOpenAIFake()),
      tools: keep(startOpenAIFake({ scenarios: options.openaiToolScenarios ?? ["tool_calls"] })),
      limited: keep(startOpenAIFake({ scenarios: ["rate_limit"] })),
    };
    const anthropic = keep(startAnthropicFake());
    const gemini = keep(startGeminiFake({ apiKey: GEMINI_KEY }));
    const ollama = {
      text: keep(startFakeOllama()),
      tools: keep(startFakeOllama({ scenario: "tools" })),
    };
    const oa = (fake: OpenAIFake, model = "gpt-4o-mini") => ({
      model: `openai/${model}`,
      api_base: fake.baseURL,
      api_key: OPENAI_FAKE_KEY,
    });
    const model_list: ModelEntry[] = [
      { model_name: "gpt", litellm_params: oa(openai.text), model_info: { id: "gpt-a" } },
      { model_name: "gpt-tools", litellm_params: oa(openai.tools, "gpt-4o") },
      { model_name: "gpt-limited", litellm_params: oa(openai.limited) },
      {
        model_name: "gpt-embed",
        litellm_params: oa(openai.text, "text-embedding-3-small"),
      },
      {
        model_name: "claude",
        litellm_params: {
          model: "anthropic/text",
          api_base: anthropic.url,
          api_key: anthropic.apiKey,
        },
      },
      {
        model_name: "claude-tools",
        litellm_params: {
          model: "anthropic/tool_use",
          api_base: anthropic.url,
          api_key: anthropic.apiKey,
        },
      },
      ...["gemini/text", "gemini/tools", "gemini/text-embedding-004"].map((model, i) => ({
        model_name: ["gemini", "gemini-tools", "gemini-embed"][i],
        litellm_params: { model, api_base: gemini.url, api_key: GEMINI_KEY },
      })),
      {
        model_name: "local",
        litellm_params: { model: "ollama/llama3.2", api_base: ollama.text.url },
      },
      {
        model_name: "local-tools",
        litellm_params: { model: "ollama/llama3.1", api_base: ollama.tools.url },
      },
      {
        model_name: "local-embed",
        litellm_params: { model: "ollama/all-minilm", api_base: ollama.text.url },
      },
    ];
    const config = keep(
      await writeConfig({
        model_list,
        router_settings: { num_retries: 0, timeout: 10 },
        general_settings: { master_key: MASTER_KEY },
      }),
    );
    const server = keep(await startServer({ args: ["--config", config.path] }));
    const dispose = async () => {
      for (const d of disposers.reverse()) await d[Symbol.asyncDispose]();
    };
    return {
      server,
      baseURL: `${server.url}/v1`,
      openai,
      anthropic,
      gemini,
      ollama,
      [Symbol.asyncDispose]: dispose,
    };
  } catch (error) {
    for (const d of disposers.reverse()) {
      await Promise.resolve(d[Symbol.asyncDispose]()).catch(() => {});
    }
    throw error;
  }
}
