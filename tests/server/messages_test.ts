/**
 * The Anthropic Messages API served for any provider: request, response,
 * stream and error translation tables, the Hono routes in-process, and end
 * to end with the official `@anthropic-ai/sdk` against a real Router.
 */

import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import type { Context, Hono } from "hono";
import {
  type AnthropicOutputEvent,
  countTokens,
  createMessagesRoutes,
  fromOpenAICompletion,
  type MessagesCompleteFn,
  toAnthropicError,
  toAnthropicEventStream,
  toolNamesOf,
  toOpenAIRequest,
} from "../../src/server/messages/mod.ts";
import { Router } from "../../src/fallback/mod.ts";
import type { RouterConfig } from "../../src/fallback/config.ts";
import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  LLMuxError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  UnsupportedParamsError,
} from "../../src/errors.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChunkDelta,
  FinishReason,
  FunctionTool,
  Usage,
} from "../../src/types.ts";
import { tokenCounter } from "../../src/token_counter.ts";
import { loadJson, loadText } from "../_fixtures.ts";
import { OPENAI_FAKE_KEY, startOpenAIFake } from "../fakes/openai.ts";
import { startFakeOllama } from "../fakes/ollama.ts";

type Json = Record<string, unknown>;

// ====================================================================== request

const WEATHER_TOOL = {
  name: "get_weather",
  description: "Current weather for a city",
  input_schema: {
    type: "object",
    properties: { city: { type: "string" } },
    required: ["city"],
  },
};
const WEATHER_FUNCTION = {
  type: "function",
  function: {
    name: "get_weather",
    description: "Current weather for a city",
    parameters: WEATHER_TOOL.input_schema,
  },
};
const LONG_NAME = "mcp__a_very_long_server_name__and_an_even_longer_tool_name_that_goes_on";

const REQUEST_CASES: { name: string; input: Json; expected: Json }[] = [
  {
    name: "string content, system string and sampling parameters",
    input: {
      model: "claude-x",
      max_tokens: 100,
      system: "Be brief.",
      messages: [{ role: "user", content: "Hi" }],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ["END", "STOP"],
      metadata: { user_id: "user-1" },
    },
    expected: {
      model: "claude-x",
      messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
      max_tokens: 100,
      stop: ["END", "STOP"],
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      user: "user-1",
    },
  },
  {
    name: "system blocks keep cache_control; text and image blocks become parts",
    input: {
      model: "claude-x",
      max_tokens: 10,
      system: [
        { type: "text", text: "You are terse.", cache_control: { type: "ephemeral" } },
        { type: "text", text: "Answer in French." },
      ],
      messages: [{
        role: "user",
        content: [
          { type: "text", text: "What is this?" },
          { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0K" } },
          { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
        ],
      }],
    },
    expected: {
      model: "claude-x",
      messages: [
        {
          role: "system",
          content: [
            { type: "text", text: "You are terse.", cache_control: { type: "ephemeral" } },
            { type: "text", text: "Answer in French." },
          ],
        },
        {
          role: "user",
          content: [
            { type: "text", text: "What is this?" },
            { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0K" } },
            { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
          ],
        },
      ],
      max_tokens: 10,
    },
  },
  {
    name: "a tool round trip: tool_use → tool_calls, tool_result → tool message before the text",
    input: {
      model: "claude-x",
      max_tokens: 200,
      tools: [WEATHER_TOOL],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Let me check." },
            { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_01", content: "18°C, sunny" },
            { type: "text", text: "Thanks!" },
          ],
        },
      ],
    },
    expected: {
      model: "claude-x",
      messages: [
        { role: "user", content: "Weather in Paris?" },
        {
          role: "assistant",
          content: "Let me check.",
          tool_calls: [{
            id: "toolu_01",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          }],
        },
        { role: "tool", tool_call_id: "toolu_01", content: "18°C, sunny" },
        { role: "user", content: [{ type: "text", text: "Thanks!" }] },
      ],
      max_tokens: 200,
      tools: [WEATHER_FUNCTION],
      tool_choice: "required",
      parallel_tool_calls: false,
    },
  },
  {
    name: "tool_result text blocks are joined, is_error is noted, images follow as a user turn",
    input: {
      model: "claude-x",
      max_tokens: 50,
      tools: [WEATHER_TOOL],
      messages: [
        { role: "user", content: "Go" },
        {
          role: "assistant",
          content: [
            { type: "tool_use", id: "a", name: "get_weather", input: { city: "A" } },
            { type: "tool_use", id: "b", name: "get_weather", input: { city: "B" } },
            { type: "tool_use", id: "c", name: "get_weather", input: {} },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "a",
              content: [{ type: "text", text: "line 1" }, { type: "text", text: "line 2" }],
            },
            { type: "tool_result", tool_use_id: "b", is_error: true, content: "city unknown" },
            {
              type: "tool_result",
              tool_use_id: "c",
              content: [{
                type: "image",
                source: { type: "url", url: "https://example.com/c.png" },
              }],
            },
          ],
        },
      ],
    },
    expected: {
      model: "claude-x",
      messages: [
        { role: "user", content: "Go" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "a",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"A"}' },
            },
            {
              id: "b",
              type: "function",
              function: { name: "get_weather", arguments: '{"city":"B"}' },
            },
            { id: "c", type: "function", function: { name: "get_weather", arguments: "{}" } },
          ],
        },
        { role: "tool", tool_call_id: "a", content: "line 1\nline 2" },
        { role: "tool", tool_call_id: "b", content: "Error: city unknown" },
        { role: "tool", tool_call_id: "c", content: "" },
        {
          role: "user",
          content: [{ type: "image_url", image_url: { url: "https://example.com/c.png" } }],
        },
      ],
      max_tokens: 50,
      tools: [WEATHER_FUNCTION],
    },
  },
  {
    name: "assistant thinking blocks are kept as thinking_blocks; thinking budget → effort",
    input: {
      model: "claude-x",
      max_tokens: 8000,
      thinking: { type: "enabled", budget_tokens: 4096 },
      messages: [
        { role: "user", content: "2+2?" },
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "Add them.", signature: "sig-1" },
            { type: "redacted_thinking", data: "opaque" },
            { type: "text", text: "4" },
          ],
        },
        { role: "user", content: "And 3+3?" },
      ],
    },
    expected: {
      model: "claude-x",
      messages: [
        { role: "user", content: "2+2?" },
        {
          role: "assistant",
          content: "4",
          thinking_blocks: [
            { type: "thinking", thinking: "Add them.", signature: "sig-1" },
            { type: "redacted_thinking", data: "opaque" },
          ],
        },
        { role: "user", content: "And 3+3?" },
      ],
      max_tokens: 8000,
      reasoning_effort: "high",
    },
  },
  {
    name: "documents: base64 PDF → file part, plain text → text part",
    input: {
      model: "claude-x",
      max_tokens: 10,
      messages: [{
        role: "user",
        content: [
          {
            type: "document",
            title: "report.pdf",
            source: { type: "base64", media_type: "application/pdf", data: "JVBERi0x" },
          },
          { type: "document", source: { type: "text", media_type: "text/plain", data: "Notes" } },
          { type: "text", text: "Summarise." },
        ],
      }],
    },
    expected: {
      model: "claude-x",
      messages: [{
        role: "user",
        content: [
          {
            type: "file",
            file: { file_data: "data:application/pdf;base64,JVBERi0x", filename: "report.pdf" },
          },
          { type: "text", text: "Notes" },
          { type: "text", text: "Summarise." },
        ],
      }],
      max_tokens: 10,
    },
  },
  {
    name: "stream asks for usage; output_config effort and format",
    input: {
      model: "claude-x",
      max_tokens: 10,
      stream: true,
      messages: [{ role: "user", content: "JSON please" }],
      output_config: {
        effort: "max",
        format: { type: "json_schema", schema: { type: "object", properties: {} } },
      },
      service_tier: "auto",
    },
    expected: {
      model: "claude-x",
      messages: [{ role: "user", content: "JSON please" }],
      max_tokens: 10,
      reasoning_effort: "xhigh",
      response_format: {
        type: "json_schema",
        json_schema: { name: "output", schema: { type: "object", properties: {} } },
      },
      stream: true,
      stream_options: { include_usage: true },
    },
  },
  {
    name: "tool names over 64 characters are shortened consistently",
    input: {
      model: "claude-x",
      max_tokens: 10,
      tools: [{ name: LONG_NAME, input_schema: { type: "object" } }],
      tool_choice: { type: "tool", name: LONG_NAME },
      messages: [{ role: "user", content: "Go" }],
    },
    expected: {
      model: "claude-x",
      messages: [{ role: "user", content: "Go" }],
      max_tokens: 10,
      tools: [{
        type: "function",
        function: { name: `${LONG_NAME.slice(0, 55)}_9c38c8b4`, parameters: { type: "object" } },
      }],
      tool_choice: { type: "function", function: { name: `${LONG_NAME.slice(0, 55)}_9c38c8b4` } },
    },
  },
];

for (const { name, input, expected } of REQUEST_CASES) {
  Deno.test(`toOpenAIRequest() ${name}`, () => {
    assert.deepEqual(toOpenAIRequest(input), expected);
  });
}

Deno.test("toOpenAIRequest() maps each tool_choice and thinking budget", () => {
  const base = { model: "m", max_tokens: 5000, messages: [{ role: "user", content: "x" }] };
  const choices: [Json, Json][] = [
    [{ type: "auto" }, { tool_choice: "auto" }],
    [{ type: "auto", disable_parallel_tool_use: true }, {
      tool_choice: "auto",
      parallel_tool_calls: false,
    }],
    [{ type: "any" }, { tool_choice: "required" }],
    [{ type: "tool", name: "get_weather" }, {
      tool_choice: { type: "function", function: { name: "get_weather" } },
    }],
    [{ type: "none" }, { tool_choice: "none" }],
  ];
  for (const [choice, expected] of choices) {
    const { tool_choice, parallel_tool_calls } = toOpenAIRequest({
      ...base,
      tools: [WEATHER_TOOL],
      tool_choice: choice,
    });
    const got = parallel_tool_calls === undefined
      ? { tool_choice }
      : { tool_choice, parallel_tool_calls };
    assert.deepEqual(got, expected, JSON.stringify(choice));
  }
  const budgets: [Json, string | undefined][] = [
    [{ type: "enabled", budget_tokens: 1024 }, "low"],
    [{ type: "enabled", budget_tokens: 2048 }, "medium"],
    [{ type: "enabled", budget_tokens: 2049 }, "high"],
    [{ type: "disabled" }, undefined],
    [{ type: "adaptive" }, undefined],
  ];
  for (const [thinking, effort] of budgets) {
    assert.equal(toOpenAIRequest({ ...base, thinking }).reasoning_effort, effort);
  }
});

Deno.test("toolNamesOf() maps shortened names back to the client's", () => {
  const body = REQUEST_CASES.at(-1)!.input;
  assert.deepEqual([...toolNamesOf(body)], [[`${LONG_NAME.slice(0, 55)}_9c38c8b4`, LONG_NAME]]);
  assert.equal(toolNamesOf(REQUEST_CASES[2].input).size, 0);
});

const MSG = [{ role: "user", content: "Hi" }];
const OK = { model: "claude-x", max_tokens: 10, messages: MSG };

const REQUEST_ERRORS: { name: string; input: unknown; message: string; unsupported?: true }[] = [
  {
    name: "a body that is not an object",
    input: [],
    message: "Input should be a valid dictionary",
  },
  {
    name: "a missing model",
    input: { max_tokens: 10, messages: MSG },
    message: "model: Field required",
  },
  {
    name: "a missing max_tokens",
    input: { model: "m", messages: MSG },
    message: "max_tokens: Field required",
  },
  {
    name: "max_tokens below 1",
    input: { ...OK, max_tokens: 0 },
    message: "max_tokens: Input should be greater than or equal to 1",
  },
  {
    name: "an empty messages list",
    input: { ...OK, messages: [] },
    message: "messages: at least one message is required",
  },
  {
    name: "a system role message",
    input: { ...OK, messages: [{ role: "system", content: "x" }] },
    message: "messages.0.role: Input should be 'user' or 'assistant'",
  },
  {
    name: "content that is neither text nor blocks",
    input: { ...OK, messages: [{ role: "user", content: 42 }] },
    message: "messages.0.content: Input should be a valid string or a list of content blocks",
  },
  {
    name: "an unknown block type",
    input: { ...OK, messages: [{ role: "user", content: [{ type: "video" }] }] },
    message: "messages.0.content.0.type: Input tag 'video' found using 'type' does not match " +
      "any of the expected tags: 'text', 'image', 'document', 'tool_use', 'tool_result', " +
      "'thinking' or 'redacted_thinking'",
  },
  {
    name: "a text block without text",
    input: { ...OK, messages: [{ role: "user", content: [{ type: "text" }] }] },
    message: "messages.0.content.0.text: Field required",
  },
  {
    name: "an unsupported image media type",
    input: {
      ...OK,
      messages: [{
        role: "user",
        content: [{
          type: "image",
          source: { type: "base64", media_type: "image/bmp", data: "x" },
        }],
      }],
    },
    message: "messages.0.content.0.source.media_type: Input should be 'image/jpeg', " +
      "'image/png', 'image/gif' or 'image/webp'",
  },
  {
    name: "a tool_use block in a user turn",
    input: {
      ...OK,
      messages: [{ role: "user", content: [{ type: "tool_use", id: "t", name: "f", input: {} }] }],
    },
    message: "messages.0.content.0.type: 'tool_use' blocks are not allowed in 'user' messages",
  },
  {
    name: "an empty user turn",
    input: { ...OK, messages: [{ role: "user", content: [] }] },
    message: "messages.0: all messages must have non-empty content except for the optional " +
      "final assistant message",
  },
  {
    name: "a temperature above 1",
    input: { ...OK, temperature: 1.5 },
    message: "temperature: Input should be less than or equal to 1",
  },
  {
    name: "an unknown top-level field",
    input: { ...OK, frequency_penalty: 1 },
    message: "frequency_penalty: Extra inputs are not permitted",
  },
  {
    name: "tool_choice without tools",
    input: { ...OK, tool_choice: { type: "auto" } },
    message: "tool_choice: tool_choice may only be specified while providing tools",
  },
  {
    name: "a tool schema that is not an object",
    input: { ...OK, tools: [{ name: "f", input_schema: { type: "string" } }] },
    message: "tools.0.input_schema.type: Input should be 'object'",
  },
  {
    name: "a tool name with spaces",
    input: { ...OK, tools: [{ name: "get weather", input_schema: { type: "object" } }] },
    message: "tools.0.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'",
  },
  {
    name: "a thinking budget under 1024",
    input: { ...OK, max_tokens: 4000, thinking: { type: "enabled", budget_tokens: 500 } },
    message: "thinking.budget_tokens: Input should be greater than or equal to 1024",
  },
  {
    name: "a server tool",
    input: { ...OK, tools: [{ type: "web_search_20250305", name: "web_search" }] },
    message: "tools.0: Anthropic server tool 'web_search_20250305' is not supported by this " +
      "gateway; declare a custom tool (name, description, input_schema) instead",
    unsupported: true,
  },
  {
    name: "an image from the Files API",
    input: {
      ...OK,
      messages: [{
        role: "user",
        content: [{ type: "image", source: { type: "file", file_id: "file_1" } }],
      }],
    },
    message: "messages.0.content.0.source: image sources of type 'file' (Anthropic Files API) " +
      "are not supported",
    unsupported: true,
  },
];

for (const { name, input, message, unsupported } of REQUEST_ERRORS) {
  Deno.test(`toOpenAIRequest() rejects ${name}`, () => {
    assert.throws(() => toOpenAIRequest(input), (error: unknown) => {
      assert.ok(error instanceof BadRequestError);
      assert.equal(error.status, 400);
      assert.equal(error.message, message);
      assert.equal(error instanceof UnsupportedParamsError, unsupported === true);
      return true;
    });
  });
}

// ====================================================================== response

function completion(
  message: Json,
  options: { finish?: FinishReason | null; usage?: Usage; id?: string } = {},
): ChatCompletion {
  return {
    id: options.id ?? "chatcmpl-abc123",
    object: "chat.completion",
    created: 1730000000,
    model: "gpt-4o",
    choices: [{
      index: 0,
      message: { role: "assistant", content: null, ...message } as ChatCompletion["choices"][0][
        "message"
      ],
      logprobs: null,
      finish_reason: options.finish === undefined ? "stop" : options.finish,
    }],
    usage: options.usage ?? { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}

const USAGE_10_5 = {
  input_tokens: 10,
  output_tokens: 5,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

function anthropicMessage(content: unknown[], stop: string, usage: Json = USAGE_10_5): Json {
  return {
    id: "msg_abc123",
    type: "message",
    role: "assistant",
    model: "claude-x",
    content,
    stop_reason: stop,
    stop_sequence: null,
    usage,
  };
}

Deno.test("fromOpenAICompletion() translates the recorded OpenAI fixtures", async () => {
  const plain = await loadJson<ChatCompletion>("openai/plain_text.response.json");
  assert.deepEqual(fromOpenAICompletion(plain, { model: "claude-x" }), {
    id: "msg_llmuxPlain0001",
    type: "message",
    role: "assistant",
    model: "claude-x",
    content: [{ type: "text", text: "Hello! How can I help you today?" }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: {
      input_tokens: 19,
      output_tokens: 10,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  });
  const tools = await loadJson<ChatCompletion>("openai/tool_calls.response.json");
  assert.deepEqual(fromOpenAICompletion(tools, { model: "claude-x" }), {
    id: "msg_llmuxTools0001",
    type: "message",
    role: "assistant",
    model: "claude-x",
    content: [
      {
        type: "tool_use",
        id: "call_llmuxParis00000000001",
        name: "get_weather",
        input: { city: "Paris" },
      },
      {
        type: "tool_use",
        id: "call_llmuxTokyo00000000002",
        name: "get_weather",
        input: { city: "Tokyo" },
      },
    ],
    stop_reason: "tool_use",
    stop_sequence: null,
    usage: {
      input_tokens: 82,
      output_tokens: 46,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
    },
  });
  const reasoning = await loadJson<ChatCompletion>("openai/reasoning_content.response.json");
  assert.deepEqual(fromOpenAICompletion(reasoning, { model: "claude-x" }).content, [
    { type: "thinking", thinking: "Compare the tenths: 1 < 8, so 9.11 < 9.8.", signature: "" },
    { type: "text", text: "9.11 is smaller than 9.8." },
  ]);
});

const RESPONSE_CASES: { name: string; input: ChatCompletion; expected: Json; toolNames?: Json }[] =
  [
    {
      name: "thinking blocks with signatures, then text, then tool calls",
      input: completion({
        content: "Checking.",
        reasoning_content: "ignored when thinking_blocks exist",
        thinking_blocks: [
          { type: "thinking", thinking: "Need weather.", signature: "sig-9" },
          { type: "redacted_thinking", data: "opaque" },
        ],
        tool_calls: [{
          id: "call_1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Oslo"}' },
        }],
      }, { finish: "tool_calls" }),
      expected: anthropicMessage([
        { type: "thinking", thinking: "Need weather.", signature: "sig-9" },
        { type: "redacted_thinking", data: "opaque" },
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Oslo" } },
      ], "tool_use"),
    },
    {
      name: "length → max_tokens",
      input: completion({ content: "Cut" }, { finish: "length" }),
      expected: anthropicMessage([{ type: "text", text: "Cut" }], "max_tokens"),
    },
    {
      name: "content_filter → refusal",
      input: completion({ content: null }, { finish: "content_filter" }),
      expected: anthropicMessage([], "refusal"),
    },
    {
      name: "an OpenAI refusal → its text and refusal",
      input: completion({ content: null, refusal: "I can't help with that." }),
      expected: anthropicMessage([{ type: "text", text: "I can't help with that." }], "refusal"),
    },
    {
      name: "tool calls with finish_reason stop (Ollama, Gemini) → tool_use",
      input: completion({
        content: "",
        tool_calls: [{ id: "", type: "function", function: { name: "f", arguments: "not json" } }],
      }),
      expected: anthropicMessage(
        [{ type: "tool_use", id: "toolu_1", name: "f", input: {} }],
        "tool_use",
      ),
    },
    {
      name: "a Gemini thought signature rides in the tool_use id; shortened names are restored",
      input: completion({
        tool_calls: [{
          id: "call-7.x",
          type: "function",
          function: { name: "short_abc", arguments: "{}" },
          provider_specific_fields: { thought_signature: "c2lnbmF0dXJl+/=" },
        }],
      }, { finish: "tool_calls" }),
      toolNames: { short_abc: "the_original_long_name" },
      expected: anthropicMessage([{
        type: "tool_use",
        id: "call-7_x__thought__c2lnbmF0dXJl+/=",
        name: "the_original_long_name",
        input: {},
      }], "tool_use"),
    },
    {
      name: "cached prompt tokens are taken out of input_tokens",
      input: completion({ content: "ok" }, {
        usage: {
          prompt_tokens: 150,
          completion_tokens: 20,
          total_tokens: 170,
          prompt_tokens_details: { cached_tokens: 100 },
          cache_read_input_tokens: 100,
          cache_creation_input_tokens: 30,
        },
      }),
      expected: anthropicMessage([{ type: "text", text: "ok" }], "end_turn", {
        input_tokens: 20,
        output_tokens: 20,
        cache_creation_input_tokens: 30,
        cache_read_input_tokens: 100,
      }),
    },
    {
      name: "OpenAI's cached_tokens alone count as cache reads",
      input: completion({ content: "ok" }, {
        usage: {
          prompt_tokens: 1200,
          completion_tokens: 3,
          total_tokens: 1203,
          prompt_tokens_details: { cached_tokens: 1024 },
        },
      }),
      expected: anthropicMessage([{ type: "text", text: "ok" }], "end_turn", {
        input_tokens: 176,
        output_tokens: 3,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 1024,
      }),
    },
  ];

for (const { name, input, expected, toolNames } of RESPONSE_CASES) {
  Deno.test(`fromOpenAICompletion() ${name}`, () => {
    const options = toolNames
      ? { model: "claude-x", toolNames: new Map(Object.entries(toolNames) as [string, string][]) }
      : { model: "claude-x" };
    assert.deepEqual(fromOpenAICompletion(input, options), expected);
  });
}

// ====================================================================== stream

function sse(events: readonly AnthropicOutputEvent[]): string {
  return events.map((e) => `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`).join("");
}

function chunk(
  delta: ChunkDelta,
  finish: FinishReason | null = null,
  extra: Partial<ChatCompletionChunk> = {},
): ChatCompletionChunk {
  return {
    id: "chatcmpl-strm1",
    object: "chat.completion.chunk",
    created: 1730000000,
    model: "gpt-4o",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...extra,
  };
}

function usageChunk(usage: Usage): ChatCompletionChunk {
  return { ...chunk({}), choices: [], usage };
}

function start(id: string, inputTokens = 0): AnthropicOutputEvent {
  return {
    type: "message_start",
    message: {
      id,
      type: "message",
      role: "assistant",
      model: "claude-x",
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: {
        input_tokens: inputTokens,
        output_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    },
  };
}

function end(stop: string, usage: Json): AnthropicOutputEvent[] {
  return [
    {
      type: "message_delta",
      delta: { stop_reason: stop, stop_sequence: null },
      usage: {
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
        ...usage,
      },
    } as AnthropicOutputEvent,
    { type: "message_stop" },
  ];
}

function text(index: number, value: string): AnthropicOutputEvent {
  return { type: "content_block_delta", index, delta: { type: "text_delta", text: value } };
}

async function encodeAll(
  chunks: ChatCompletionChunk[] | ReadableStream<ChatCompletionChunk>,
  options: Partial<Parameters<typeof toAnthropicEventStream>[1]> = {},
): Promise<string> {
  const source = Array.isArray(chunks) ? ReadableStream.from(chunks) : chunks;
  return await new Response(toAnthropicEventStream(source, { model: "claude-x", ...options }))
    .text();
}

async function openAIChunks(name: string): Promise<ChatCompletionChunk[]> {
  const text = await loadText(`openai/${name}.stream.sse`);
  return text.split("\n").filter((l) => l.startsWith("data: {")).map((l) => JSON.parse(l.slice(6)));
}

Deno.test("toAnthropicEventStream() writes a text answer as Anthropic's event sequence", async () => {
  const out = await encodeAll([
    chunk({ role: "assistant", content: "" }),
    chunk({ content: "Hello" }),
    chunk({ content: " world" }),
    chunk({}, "stop"),
    usageChunk({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 14 }),
  ]);
  assert.equal(
    out,
    sse([
      start("msg_strm1"),
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      text(0, "Hello"),
      text(0, " world"),
      { type: "content_block_stop", index: 0 },
      ...end("end_turn", { input_tokens: 12, output_tokens: 2 }),
    ]),
  );
});

Deno.test("toAnthropicEventStream() turns the recorded OpenAI tool stream into tool_use blocks", async () => {
  const out = await encodeAll(await openAIChunks("tool_calls"));
  const json = (index: number, partial_json: string): AnthropicOutputEvent => ({
    type: "content_block_delta",
    index,
    delta: { type: "input_json_delta", partial_json },
  });
  assert.equal(
    out,
    sse([
      start("msg_llmuxToolStrm01"),
      {
        type: "content_block_start",
        index: 0,
        content_block: {
          type: "tool_use",
          id: "call_llmuxParis00000000001",
          name: "get_weather",
          input: {},
        },
      },
      json(0, '{"ci'),
      json(0, 'ty": "Paris"}'),
      { type: "content_block_stop", index: 0 },
      {
        type: "content_block_start",
        index: 1,
        content_block: {
          type: "tool_use",
          id: "call_llmuxTokyo00000000002",
          name: "get_weather",
          input: {},
        },
      },
      json(1, '{"city": '),
      json(1, '"Tokyo"}'),
      { type: "content_block_stop", index: 1 },
      ...end("tool_use", { input_tokens: 82, output_tokens: 46 }),
    ]),
  );
});

Deno.test("toAnthropicEventStream() streams thinking with its signature, then text", async () => {
  const out = await encodeAll([
    chunk({ role: "assistant", reasoning_content: "Let me" }),
    chunk({ reasoning_content: " think." }),
    chunk({
      thinking_blocks: [{ type: "thinking", thinking: "Let me think.", signature: "sig-1" }],
    }),
    chunk({ thinking_blocks: [{ type: "redacted_thinking", data: "opaque" }] }),
    chunk({ content: "42" }, "stop", {
      usage: {
        prompt_tokens: 30,
        completion_tokens: 9,
        total_tokens: 39,
        cache_read_input_tokens: 20,
      },
    }),
  ]);
  assert.equal(
    out,
    sse([
      start("msg_strm1"),
      {
        type: "content_block_start",
        index: 0,
        content_block: { type: "thinking", thinking: "", signature: "" },
      },
      {
        type: "content_block_delta",
        index: 0,
        delta: { type: "thinking_delta", thinking: "Let me" },
      },
      {
        type: "content_block_delta",
        index: 0,
        delta: { type: "thinking_delta", thinking: " think." },
      },
      {
        type: "content_block_delta",
        index: 0,
        delta: { type: "signature_delta", signature: "sig-1" },
      },
      { type: "content_block_stop", index: 0 },
      {
        type: "content_block_start",
        index: 1,
        content_block: { type: "redacted_thinking", data: "opaque" },
      },
      { type: "content_block_stop", index: 1 },
      { type: "content_block_start", index: 2, content_block: { type: "text", text: "" } },
      text(2, "42"),
      { type: "content_block_stop", index: 2 },
      ...end("end_turn", { input_tokens: 10, output_tokens: 9, cache_read_input_tokens: 20 }),
    ]),
  );
});

Deno.test("toAnthropicEventStream() opens a block per tool call sent whole (Gemini, Ollama style)", async () => {
  const out = await encodeAll([
    chunk({
      content: "Two calls.",
      tool_calls: [
        {
          index: 0,
          id: "a",
          type: "function",
          function: { name: "f", arguments: '{"x":1}' },
          provider_specific_fields: { thought_signature: "sig" },
        },
        { index: 1, id: "b", type: "function", function: { name: "g", arguments: "{}" } },
      ],
    }, "stop"),
  ], { messageId: "msg_fixed", toolNames: new Map([["g", "original_g"]]) });
  assert.equal(
    out,
    sse([
      start("msg_fixed"),
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      text(0, "Two calls."),
      { type: "content_block_stop", index: 0 },
      {
        type: "content_block_start",
        index: 1,
        content_block: { type: "tool_use", id: "a__thought__sig", name: "f", input: {} },
      },
      {
        type: "content_block_delta",
        index: 1,
        delta: { type: "input_json_delta", partial_json: '{"x":1}' },
      },
      { type: "content_block_stop", index: 1 },
      {
        type: "content_block_start",
        index: 2,
        content_block: { type: "tool_use", id: "b", name: "original_g", input: {} },
      },
      {
        type: "content_block_delta",
        index: 2,
        delta: { type: "input_json_delta", partial_json: "{}" },
      },
      { type: "content_block_stop", index: 2 },
      ...end("tool_use", {}),
    ]),
  );
});

Deno.test("toAnthropicEventStream() falls back to options.usage and announces inputTokens", async () => {
  const out = await encodeAll([chunk({ content: "Hi" }, "length")], {
    inputTokens: 7,
    usage: () => ({ prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 }),
  });
  assert.equal(
    out,
    sse([
      start("msg_strm1", 7),
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      text(0, "Hi"),
      { type: "content_block_stop", index: 0 },
      ...end("max_tokens", { input_tokens: 8, output_tokens: 1 }),
    ]),
  );
});

Deno.test("toAnthropicEventStream() of an empty source is a complete empty message", async () => {
  assert.equal(
    await encodeAll([], { messageId: "msg_empty" }),
    sse([start("msg_empty"), ...end("end_turn", {})]),
  );
});

Deno.test("toAnthropicEventStream() writes a failure as event: error and stops", async () => {
  let sent = 0;
  const source = new ReadableStream<ChatCompletionChunk>({
    pull(controller) {
      if (sent++ === 0) controller.enqueue(chunk({ content: "Partial" }));
      else controller.error(new RateLimitError("Slow down", { retryAfter: 1 }));
    },
  }, { highWaterMark: 0 });
  const seen: unknown[] = [];
  const out = await encodeAll(source, { onError: (e) => seen.push(e) });
  assert.equal(
    out,
    sse([
      start("msg_strm1"),
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      text(0, "Partial"),
      { type: "error", error: { type: "rate_limit_error", message: "Slow down" } },
    ]),
  );
  assert.equal(seen.length, 1);
  assert.ok(seen[0] instanceof RateLimitError);
});

Deno.test("toAnthropicEventStream() sends pings while the upstream is silent", async () => {
  const source = new ReadableStream<ChatCompletionChunk>({
    async start(controller) {
      await new Promise((r) => setTimeout(r, 80));
      controller.enqueue(chunk({ content: "late" }, "stop"));
      controller.close();
    },
  });
  const out = await encodeAll(source, { pingIntervalMs: 20 });
  const pings = out.split("event: ping\n").length - 1;
  assert.ok(pings >= 1, out);
  // The first ping came before any chunk, so message_start went first with a generated id.
  const id = (JSON.parse(out.split("\n")[1].slice(6)) as { message: { id: string } }).message.id;
  assert.match(id, /^msg_[A-Za-z0-9]{24}$/);
  assert.equal(
    out.replaceAll(`event: ping\ndata: {"type":"ping"}\n\n`, ""),
    sse([
      start(id),
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      text(0, "late"),
      { type: "content_block_stop", index: 0 },
      ...end("end_turn", {}),
    ]),
  );
});

Deno.test("toAnthropicEventStream() pulls only on demand and cancels the source", async () => {
  let pulls = 0;
  let cancelled: unknown = "no";
  const source = new ReadableStream<ChatCompletionChunk>({
    pull(controller) {
      pulls++;
      controller.enqueue(chunk({ content: `t${pulls}` }));
    },
    cancel(reason) {
      cancelled = reason;
    },
  }, { highWaterMark: 0 });
  const stream = toAnthropicEventStream(source, { model: "claude-x" });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(pulls, 0, "nothing is read before the consumer asks");
  const reader = stream.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.ok(first.includes("t1"));
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(pulls, 1, "one chunk per read: backpressure reaches the source");
  await reader.cancel("client went away");
  assert.equal(cancelled, "client went away");
});

// ====================================================================== errors

const ERROR_CASES: { error: unknown; status: number; type: string; headers?: Json }[] = [
  { error: new BadRequestError("bad"), status: 400, type: "invalid_request_error" },
  {
    error: new BadRequestError("unprocessable", { status: 422 }),
    status: 422,
    type: "invalid_request_error",
  },
  { error: new AuthenticationError("key"), status: 401, type: "authentication_error" },
  { error: new RateLimitError("quota", { status: 402 }), status: 402, type: "billing_error" },
  { error: new PermissionDeniedError("no"), status: 403, type: "permission_error" },
  { error: new NotFoundError("gone"), status: 404, type: "not_found_error" },
  { error: new BadRequestError("big", { status: 413 }), status: 413, type: "request_too_large" },
  {
    error: new RateLimitError("slow", { retryAfter: 2.5 }),
    status: 429,
    type: "rate_limit_error",
    headers: { "retry-after": "3" },
  },
  { error: new InternalServerError("boom"), status: 500, type: "api_error" },
  { error: new APIConnectionError("reset"), status: 500, type: "api_error" },
  {
    error: new InternalServerError("bad gateway", { status: 502 }),
    status: 502,
    type: "api_error",
  },
  { error: new ServiceUnavailableError("busy"), status: 529, type: "overloaded_error" },
  {
    error: new ServiceUnavailableError("overloaded", { status: 529 }),
    status: 529,
    type: "overloaded_error",
  },
  { error: new TimeoutError("slow upstream"), status: 504, type: "timeout_error" },
  { error: new LLMuxError("gateway timeout", { status: 504 }), status: 504, type: "timeout_error" },
  { error: new Error("unexpected"), status: 500, type: "api_error" },
];

for (const { error, status, type, headers } of ERROR_CASES) {
  Deno.test(`toAnthropicError() maps ${(error as Error).name} "${(error as Error).message}" to ${status} ${type}`, () => {
    assert.deepEqual(toAnthropicError(error), {
      status,
      body: { type: "error", error: { type, message: (error as Error).message } },
      headers: headers ?? {},
    });
  });
}

Deno.test("toAnthropicError() of a non-Error is a generic 500", () => {
  assert.deepEqual(toAnthropicError("weird"), {
    status: 500,
    body: { type: "error", error: { type: "api_error", message: "Internal server error" } },
    headers: {},
  });
});

// ====================================================================== count_tokens

Deno.test("countTokens() counts the translated system, messages and tools", async () => {
  const body = {
    model: "claude-x",
    system: "Be brief.",
    tools: [WEATHER_TOOL],
    messages: [{ role: "user", content: "Weather in Paris?" }],
  };
  const expected = await tokenCounter({
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Weather in Paris?" },
    ],
    tools: [WEATHER_FUNCTION] as FunctionTool[],
  });
  assert.deepEqual(await countTokens(body), { input_tokens: expected });
  const bare = await countTokens({ model: "m", messages: [{ role: "user", content: "Hi" }] });
  assert.ok(bare.input_tokens > 0 && bare.input_tokens < expected);
  await assert.rejects(
    () => countTokens({ model: "m", messages: [] }),
    (e: unknown) => e instanceof BadRequestError && e.message.startsWith("messages:"),
  );
});

// ====================================================================== routes (in process)

const HEADERS = { "content-type": "application/json" };

/** POST a JSON body (or raw text) to the routes in process. */
async function post(app: Hono, path: string, body: unknown): Promise<Response> {
  return await app.request(path, {
    method: "POST",
    headers: HEADERS,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

function fixedCompletion(text: string): ChatCompletion {
  return completion({ content: text }, { id: "chatcmpl-route1" });
}

Deno.test("routes: POST /v1/messages runs the translated request and answers a message", async () => {
  const calls: unknown[] = [];
  let context: Context | undefined;
  const app = createMessagesRoutes({
    complete: (params, c) => {
      calls.push(params);
      context = c;
      return Promise.resolve(fixedCompletion("Hi there"));
    },
  });
  const body = REQUEST_CASES[2].input;
  for (const path of ["/v1/messages", "/messages"]) {
    const res = await post(app, path, body);
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    assert.deepEqual(await res.json(), {
      ...anthropicMessage([{ type: "text", text: "Hi there" }], "end_turn"),
      id: "msg_route1",
    });
  }
  assert.deepEqual(calls, [REQUEST_CASES[2].expected, REQUEST_CASES[2].expected]);
  assert.ok(context !== undefined && context.req.path === "/messages");
});

Deno.test("routes: bad JSON and invalid bodies answer Anthropic 400s", async () => {
  const errors: unknown[] = [];
  const app = createMessagesRoutes({
    complete: () => Promise.reject(new Error("not reached")),
    onError: (error) => errors.push(error),
  });
  const bad = await post(app, "/v1/messages", "{not json");
  assert.equal(bad.status, 400);
  const badBody = await bad.json();
  assert.equal(badBody.type, "error");
  assert.equal(badBody.error.type, "invalid_request_error");
  assert.match(badBody.error.message, /^Request body is not valid JSON: /);
  const invalid = await post(app, "/v1/messages", { model: "m", messages: MSG });
  assert.equal(invalid.status, 400);
  assert.deepEqual(await invalid.json(), {
    type: "error",
    error: { type: "invalid_request_error", message: "max_tokens: Field required" },
  });
  assert.equal(errors.length, 2);
});

Deno.test("routes: provider errors keep their status in Anthropic's shape", async () => {
  const cases: [LLMuxError, number, string, string | null][] = [
    [new ServiceUnavailableError("all deployments busy"), 529, "overloaded_error", null],
    [new RateLimitError("slow down", { retryAfter: 4 }), 429, "rate_limit_error", "4"],
    [new NotFoundError("no such model"), 404, "not_found_error", null],
  ];
  for (const [error, status, type, retryAfter] of cases) {
    const app = createMessagesRoutes({ complete: () => Promise.reject(error) });
    const res = await post(app, "/v1/messages", OK);
    assert.equal(res.status, status);
    assert.equal(res.headers.get("retry-after"), retryAfter);
    assert.deepEqual(await res.json(), { type: "error", error: { type, message: error.message } });
  }
});

Deno.test("routes: stream: true answers text/event-stream, even from a whole completion", async () => {
  const app = createMessagesRoutes({
    complete: (params) => {
      assert.equal(params.stream, true);
      return Promise.resolve(fixedCompletion("Whole"));
    },
  });
  const res = await post(app, "/v1/messages", { ...OK, stream: true });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("content-type"), "text/event-stream; charset=utf-8");
  assert.equal(res.headers.get("cache-control"), "no-cache");
  assert.equal(
    await res.text(),
    sse([
      { ...start("msg_route1") },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      text(0, "Whole"),
      { type: "content_block_stop", index: 0 },
      ...end("end_turn", { input_tokens: 10, output_tokens: 5 }),
    ]),
  );
});

Deno.test("routes: POST /v1/messages/count_tokens counts locally", async () => {
  const app = createMessagesRoutes({ complete: () => Promise.reject(new Error("not reached")) });
  const body = { model: "claude-x", messages: [{ role: "user", content: "Hello world" }] };
  const expected = await countTokens(body);
  for (const path of ["/v1/messages/count_tokens", "/messages/count_tokens"]) {
    const res = await post(app, path, body);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), expected);
  }
  const bad = await post(app, "/v1/messages/count_tokens", { model: "m" });
  assert.equal(bad.status, 400);
  assert.equal((await bad.json()).error.message, "messages: Field required");
});

// ====================================================================== end to end (Anthropic SDK)

interface MessagesServer extends AsyncDisposable {
  client: Anthropic;
}

function serveMessages(complete: MessagesCompleteFn): MessagesServer {
  const app = createMessagesRoutes({ complete });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, app.fetch);
  const client = new Anthropic({
    baseURL: `http://127.0.0.1:${server.addr.port}`,
    apiKey: "sk-ant-llmux-test",
    maxRetries: 0,
    timeout: 5_000,
  });
  return {
    client,
    async [Symbol.asyncDispose]() {
      await server.shutdown();
    },
  };
}

function serveRouter(modelList: RouterConfig["model_list"]): MessagesServer {
  const router = new Router({ model_list: modelList, num_retries: 0 });
  return serveMessages((params) => router.completion(params));
}

const MOCK_TEXT = "Hello from llmux";
const MOCK_MODEL = {
  model_name: "claude-mock",
  litellm_params: { model: "openai/gpt-4o", mock_response: MOCK_TEXT },
};

function openAIModel(baseURL: string, name = "claude-gpt") {
  return {
    model_name: name,
    litellm_params: { model: "openai/gpt-4o-mini", api_base: baseURL, api_key: OPENAI_FAKE_KEY },
  };
}

const TOOLS: Anthropic.Tool[] = [WEATHER_TOOL as Anthropic.Tool];

Deno.test("e2e: Anthropic SDK messages.create gets a Router answer as an Anthropic message", async () => {
  await using server = serveRouter([MOCK_MODEL]);
  const message = await server.client.messages.create({
    model: "claude-mock",
    max_tokens: 64,
    system: "Be friendly.",
    messages: [{ role: "user", content: "Hi" }],
  });
  assert.match(message.id, /^msg_/);
  assert.equal(message.type, "message");
  assert.equal(message.role, "assistant");
  assert.equal(message.model, "claude-mock");
  assert.deepEqual(message.content, [{ type: "text", text: MOCK_TEXT }]);
  assert.equal(message.stop_reason, "end_turn");
  assert.equal(message.stop_sequence, null);
  assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0);
});

Deno.test("e2e: a tool_use round trip through the OpenAI fake", async () => {
  await using fake = startOpenAIFake({ scenarios: ["tool_calls", "plain_text"] });
  await using server = serveRouter([openAIModel(fake.baseURL)]);
  const question: Anthropic.MessageParam = { role: "user", content: "Weather in Paris and Tokyo?" };
  const first = await server.client.messages.create({
    model: "claude-gpt",
    max_tokens: 256,
    tools: TOOLS,
    tool_choice: { type: "auto" },
    messages: [question],
  });
  assert.equal(first.stop_reason, "tool_use");
  const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
  assert.deepEqual(uses.map((u) => [u.id, u.name, u.input]), [
    ["call_llmuxParis00000000001", "get_weather", { city: "Paris" }],
    ["call_llmuxTokyo00000000002", "get_weather", { city: "Tokyo" }],
  ]);
  assert.deepEqual(first.usage, {
    input_tokens: 82,
    output_tokens: 46,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  });
  const sent = fake.requests[0].body as Json;
  assert.deepEqual(sent.messages, [{ role: "user", content: "Weather in Paris and Tokyo?" }]);
  assert.deepEqual(sent.tools, [WEATHER_FUNCTION]);
  assert.equal(sent.tool_choice, "auto");
  assert.equal(sent.max_tokens, 256);

  const second = await server.client.messages.create({
    model: "claude-gpt",
    max_tokens: 256,
    tools: TOOLS,
    messages: [
      question,
      { role: "assistant", content: first.content as Anthropic.ContentBlockParam[] },
      {
        role: "user",
        content: uses.map((u) => ({
          type: "tool_result" as const,
          tool_use_id: u.id,
          content: `${(u.input as { city: string }).city}: 20°C`,
        })),
      },
    ],
  });
  assert.deepEqual(second.content, [{ type: "text", text: "Hello! How can I help you today?" }]);
  assert.equal(second.stop_reason, "end_turn");
  assert.deepEqual((fake.requests[1].body as Json).messages, [
    { role: "user", content: "Weather in Paris and Tokyo?" },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        {
          id: "call_llmuxParis00000000001",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris"}' },
        },
        {
          id: "call_llmuxTokyo00000000002",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Tokyo"}' },
        },
      ],
    },
    { role: "tool", tool_call_id: "call_llmuxParis00000000001", content: "Paris: 20°C" },
    { role: "tool", tool_call_id: "call_llmuxTokyo00000000002", content: "Tokyo: 20°C" },
  ]);
});

Deno.test("e2e: messages.stream() delivers text deltas and a finalMessage()", async () => {
  await using server = serveRouter([MOCK_MODEL]);
  const stream = server.client.messages.stream({
    model: "claude-mock",
    max_tokens: 64,
    messages: [{ role: "user", content: "Hi" }],
  });
  const deltas: string[] = [];
  stream.on("text", (delta) => deltas.push(delta));
  const final = await stream.finalMessage();
  assert.deepEqual(deltas, ["Hello ", "from ", "llmux"]);
  assert.equal(final.model, "claude-mock");
  assert.equal(final.content.length, 1);
  assert.equal(final.content[0].type, "text");
  assert.equal((final.content[0] as Anthropic.TextBlock).text, MOCK_TEXT);
  assert.equal(final.stop_reason, "end_turn");
  assert.ok(final.usage.input_tokens > 0, "message_delta carried the final input tokens");
  assert.ok(final.usage.output_tokens > 0);
});

Deno.test("e2e: streamed tool calls (stream: true) arrive as tool_use blocks with parsed input", async () => {
  await using fake = startOpenAIFake({ scenarios: ["tool_calls"] });
  await using server = serveRouter([openAIModel(fake.baseURL)]);
  const events = await server.client.messages.create({
    model: "claude-gpt",
    max_tokens: 256,
    tools: TOOLS,
    stream: true,
    messages: [{ role: "user", content: "Weather in Paris and Tokyo?" }],
  });
  const types: string[] = [];
  for await (const event of events) types.push(event.type);
  assert.deepEqual(types, [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_delta",
    "content_block_stop",
    "content_block_start",
    "content_block_delta",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
  ]);
  const sent = fake.requests[0].body as Json;
  assert.equal(sent.stream, true);
  assert.deepEqual(sent.stream_options, { include_usage: true });

  const final = await server.client.messages.stream({
    model: "claude-gpt",
    max_tokens: 256,
    tools: TOOLS,
    messages: [{ role: "user", content: "Weather in Paris and Tokyo?" }],
  }).finalMessage();
  assert.deepEqual(
    final.content.map((b) => b.type === "tool_use" ? [b.id, b.input] : b.type),
    [["call_llmuxParis00000000001", { city: "Paris" }], [
      "call_llmuxTokyo00000000002",
      { city: "Tokyo" },
    ]],
  );
  assert.equal(final.stop_reason, "tool_use");
  assert.equal(final.usage.input_tokens, 82);
  assert.equal(final.usage.output_tokens, 46);
});

Deno.test("e2e: an Ollama model answers Anthropic clients, streaming and not", async () => {
  await using ollama = startFakeOllama({ scenario: "text" });
  await using server = serveRouter([{
    model_name: "claude-local",
    litellm_params: { model: "ollama/llama3.2", api_base: ollama.url },
  }]);
  const params = {
    model: "claude-local",
    max_tokens: 64,
    messages: [{ role: "user" as const, content: "Why is the sky blue?" }],
  };
  const message = await server.client.messages.create(params);
  assert.deepEqual(message.content, [{ type: "text", text: "Hello! How are you today?" }]);
  assert.equal(message.stop_reason, "end_turn");
  const final = await server.client.messages.stream(params).finalMessage();
  assert.equal(
    (final.content[0] as Anthropic.TextBlock).text,
    "The sky is blue because of Rayleigh scattering. ☀️",
  );
  assert.equal(final.usage.input_tokens, 26);
  assert.equal(final.usage.output_tokens, 282);
});

Deno.test("e2e: count_tokens through the SDK", async () => {
  await using server = serveRouter([MOCK_MODEL]);
  const params = {
    model: "claude-mock",
    system: "Be brief.",
    tools: TOOLS,
    messages: [{ role: "user" as const, content: "Weather in Paris?" }],
  };
  const counted = await server.client.messages.countTokens(params);
  assert.deepEqual({ input_tokens: counted.input_tokens }, await countTokens(params));
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

Deno.test("e2e: errors surface as the SDK's typed error classes", async () => {
  await using notFound = startOpenAIFake({ scenarios: ["model_not_found"] });
  await using limited = startOpenAIFake({ scenarios: ["rate_limit"] });
  await using server = serveRouter([
    MOCK_MODEL,
    openAIModel(notFound.baseURL, "claude-gone"),
    openAIModel(limited.baseURL, "claude-busy"),
  ]);
  const create = (model: string) =>
    server.client.messages.create({
      model,
      max_tokens: 16,
      messages: [{ role: "user", content: "Hi" }],
    });

  const unknown = await rejection(create("claude-nope"));
  assert.ok(unknown instanceof Anthropic.BadRequestError, String(unknown));
  assert.equal(unknown.status, 400);
  assert.match(unknown.message, /Invalid model name passed in model=claude-nope/);

  const gone = await rejection(create("claude-gone"));
  assert.ok(gone instanceof Anthropic.NotFoundError, String(gone));
  assert.equal(gone.status, 404);
  assert.equal((gone.error as { error: { type: string } }).error.type, "not_found_error");

  const busy = await rejection(create("claude-busy"));
  assert.ok(busy instanceof Anthropic.RateLimitError, String(busy));
  assert.equal(busy.status, 429);

  const invalid = await rejection(
    server.client.messages.create({
      model: "claude-mock",
      messages: [{ role: "user", content: "Hi" }],
    } as unknown as Anthropic.MessageCreateParamsNonStreaming),
  );
  assert.ok(invalid instanceof Anthropic.BadRequestError, String(invalid));
  assert.match(invalid.message, /max_tokens: Field required/);
});

Deno.test("e2e: a failure after the stream started arrives as an SDK APIError", async () => {
  await using fake = startOpenAIFake({ scenarios: ["mid_stream_error"] });
  await using server = serveRouter([openAIModel(fake.baseURL)]);
  const stream = server.client.messages.stream({
    model: "claude-gpt",
    max_tokens: 64,
    messages: [{ role: "user", content: "Hi" }],
  });
  const deltas: string[] = [];
  stream.on("text", (delta) => deltas.push(delta));
  const error = await rejection(stream.finalMessage());
  assert.ok(error instanceof Anthropic.APIError, String(error));
  assert.equal((error.error as { error: { type: string } }).error.type, "api_error");
  assert.deepEqual(deltas, ["Partial"]);
});

Deno.test("e2e: a client that stops reading cancels the upstream stream", async () => {
  await using fake = startOpenAIFake({ scenarios: ["endless"] });
  await using server = serveRouter([openAIModel(fake.baseURL)]);
  const events = await server.client.messages.create({
    model: "claude-gpt",
    max_tokens: 64,
    stream: true,
    messages: [{ role: "user", content: "Count forever" }],
  });
  let deltas = 0;
  for await (const event of events) {
    if (event.type === "content_block_delta" && ++deltas === 3) break;
  }
  const deadline = Date.now() + 3_000;
  while (fake.cancelled() === 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(fake.cancelled(), 1);
});
