/**
 * Shared inputs for the benchmarks: a 20-message chat with tools, and
 * native stream bodies of many chunks per provider.
 *
 * @module
 */

import type { ChatCompletionRequest, ChatMessage } from "../src/types.ts";

/** A 20-message conversation with tools (system, user/assistant turns, tool calls and results). */
export function chatWithTools(model: string): ChatCompletionRequest {
  const messages: ChatMessage[] = [{ role: "system", content: "You are a helpful travel agent." }];
  for (let i = 0; messages.length < 20; i++) {
    messages.push({ role: "user", content: `What is the weather in city number ${i}?` });
    if (messages.length >= 20) break;
    messages.push({
      role: "assistant",
      content: null,
      tool_calls: [{
        id: `call_${i}`,
        type: "function",
        function: { name: "get_weather", arguments: JSON.stringify({ city: `City ${i}` }) },
      }],
    });
    if (messages.length >= 20) break;
    messages.push({ role: "tool", tool_call_id: `call_${i}`, content: `{"temp_c": ${10 + i}}` });
    if (messages.length >= 20) break;
    messages.push({ role: "assistant", content: `It is ${10 + i} degrees in City ${i}.` });
  }
  return {
    model,
    messages: messages.slice(0, 20),
    temperature: 0.2,
    max_tokens: 512,
    tools: [
      {
        type: "function",
        function: {
          name: "get_weather",
          description: "Current weather for a city",
          parameters: {
            type: "object",
            properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } },
            required: ["city"],
          },
        },
      },
      {
        type: "function",
        function: {
          name: "book_flight",
          description: "Book a flight",
          parameters: {
            type: "object",
            properties: {
              from: { type: "string" },
              to: { type: "string" },
              date: { type: "string" },
            },
            required: ["from", "to", "date"],
          },
        },
      },
    ],
    tool_choice: "auto",
  };
}

/** Native stream bodies of `n` content chunks (plus framing events), per provider. */
export function nativeStream(provider: string, n: number): string {
  const parts: string[] = [];
  switch (provider) {
    case "openai": {
      const head = `{"id":"chatcmpl-b","object":"chat.completion.chunk","created":1730000000,` +
        `"model":"gpt-4o-mini","system_fingerprint":"fp_1","choices":[{"index":0,"delta":`;
      parts.push(`data: ${head}{"role":"assistant","content":""},"finish_reason":null}]}\n\n`);
      for (let i = 0; i < n; i++) {
        parts.push(
          `data: ${head}{"content":" token${i}"},"logprobs":null,"finish_reason":null}]}\n\n`,
        );
      }
      parts.push(`data: ${head}{},"finish_reason":"stop"}]}\n\n`);
      parts.push(
        `data: {"id":"chatcmpl-b","object":"chat.completion.chunk","created":1730000000,"model":"gpt-4o-mini","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":${n},"total_tokens":${
          n + 9
        }}}\n\ndata: [DONE]\n\n`,
      );
      break;
    }
    case "anthropic": {
      parts.push(
        `event: message_start\ndata: {"type":"message_start","message":{"id":"msg_b","type":"message","role":"assistant","content":[],"model":"claude-sonnet-4-5","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":9,"output_tokens":1}}}\n\n`,
        `event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n`,
      );
      for (let i = 0; i < n; i++) {
        parts.push(
          `event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" token${i}"}}\n\n`,
        );
      }
      parts.push(
        `event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n`,
        `event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":${n}}}\n\n`,
        `event: message_stop\ndata: {"type":"message_stop"}\n\n`,
      );
      break;
    }
    case "gemini": {
      for (let i = 0; i < n; i++) {
        parts.push(
          `data: {"candidates":[{"content":{"parts":[{"text":" token${i}"}],"role":"model"},"index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":${i},"totalTokenCount":${
            9 + i
          }},"modelVersion":"gemini-2.5-flash","responseId":"resp_b"}\r\n\r\n`,
        );
      }
      parts.push(
        `data: {"candidates":[{"content":{"parts":[{"text":""}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":${n},"totalTokenCount":${
          9 + n
        }},"modelVersion":"gemini-2.5-flash","responseId":"resp_b"}\r\n\r\n`,
      );
      break;
    }
    case "ollama": {
      for (let i = 0; i < n; i++) {
        parts.push(
          `{"model":"llama3.2","created_at":"2025-07-07T20:22:19.19314Z","message":{"role":"assistant","content":" token${i}"},"done":false}\n`,
        );
      }
      parts.push(
        `{"model":"llama3.2","created_at":"2025-07-07T20:22:19.19314Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":1,"load_duration":1,"prompt_eval_count":9,"prompt_eval_duration":1,"eval_count":${n},"eval_duration":1}\n`,
      );
      break;
    }
    default:
      throw new Error(`no stream fixture for ${provider}`);
  }
  return parts.join("");
}

/** Split text into network-sized byte pieces (default 16 KiB), as a socket would deliver it. */
export function toPieces(text: string, size = 16384): Uint8Array[] {
  const bytes = new TextEncoder().encode(text);
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}
