/**
 * Request + response translation cost per provider, for a 20-message chat
 * with tools: `buildRequest` (body serialised) plus `parseResponse` of a
 * native answer with a tool call. Target: ≤ 20 µs per request.
 *
 * Run: deno bench --allow-read=. --allow-env bench/translation_bench.ts
 */

import { getProvider } from "../src/providers/registry.ts";
import type { RequestContext } from "../src/providers/types.ts";
import { chatWithTools } from "./_fixtures.ts";

const NATIVE_RESPONSES: Record<string, string> = {
  openai: JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1730000000,
    model: "gpt-4o-mini",
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "call_1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris"}' },
        }],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    }],
    usage: { prompt_tokens: 420, completion_tokens: 17, total_tokens: 437 },
  }),
  anthropic: JSON.stringify({
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5",
    content: [
      { type: "text", text: "Let me check." },
      { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "Paris" } },
    ],
    stop_reason: "tool_use",
    stop_sequence: null,
    usage: { input_tokens: 420, output_tokens: 17, cache_read_input_tokens: 0 },
  }),
  gemini: JSON.stringify({
    candidates: [{
      content: {
        role: "model",
        parts: [{ text: "Let me check." }, {
          functionCall: { name: "get_weather", args: { city: "Paris" } },
        }],
      },
      finishReason: "STOP",
      index: 0,
    }],
    usageMetadata: { promptTokenCount: 420, candidatesTokenCount: 17, totalTokenCount: 437 },
    modelVersion: "gemini-2.5-flash",
    responseId: "resp_1",
  }),
  ollama: JSON.stringify({
    model: "llama3.2",
    created_at: "2025-07-07T20:22:19.19314Z",
    message: {
      role: "assistant",
      content: "",
      tool_calls: [{ function: { name: "get_weather", arguments: { city: "Paris" } } }],
    },
    done: true,
    done_reason: "stop",
    prompt_eval_count: 420,
    eval_count: 17,
  }),
};

for (
  const [provider, model] of [
    ["openai", "gpt-4o-mini"],
    ["anthropic", "claude-sonnet-4-5"],
    ["gemini", "gemini-2.5-flash"],
    ["ollama", "llama3.2"],
  ] as const
) {
  const adapter = getProvider(provider);
  let n = 0;
  const ctx: RequestContext = {
    provider,
    model,
    requestedModel: `${provider}/${model}`,
    apiKey: "k",
    apiBase: "http://127.0.0.1",
    apiVersion: undefined,
    extraHeaders: {},
    stream: false,
    includeUsage: false,
    providerOptions: {},
    env: () => undefined,
    now: () => 1730000000000,
    generateId: () => String(++n),
  };
  const request = chatWithTools(`${provider}/${model}`);
  const native = NATIVE_RESPONSES[provider];
  Deno.bench({
    name: `${provider}: build request + parse response (20 messages, tools)`,
    group: "translation",
    baseline: provider === "openai",
    fn() {
      adapter.buildRequest(request, ctx);
      adapter.parseResponse(JSON.parse(native), ctx);
    },
  });
}
