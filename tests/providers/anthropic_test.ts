/**
 * Anthropic adapter: pure translation (request, response, stream, errors)
 * and end-to-end calls through `completion()` against the fake API.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  completion,
  ContextWindowExceededError,
  InternalServerError,
  type LLMuxError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  UnsupportedParamsError,
} from "../../mod.ts";
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatMessage,
  ChunkDelta,
  FinishReason,
  Usage,
} from "../../src/types.ts";
import type { RequestContext } from "../../src/providers/types.ts";
import { createSseDecoder } from "../../src/_sse.ts";
import { sequentialIds } from "../../src/_ids.ts";
import {
  anthropicAdapter,
  anthropicMessagesUrl,
  createAnthropicStreamTransform,
  fromAnthropicResponse,
  mapAnthropicError,
  mapAnthropicStopReason,
  toAnthropicRequest,
} from "../../src/providers/anthropic/mod.ts";
import { startAnthropicFake, validateAnthropicBody } from "../fakes/anthropic.ts";
import { collect, loadJson, loadText, randomSizes, rechunk } from "../_fixtures.ts";

const NOW = 1730000000000;
const CREATED = 1730000000;
const KEY = "sk-ant-fake-0123456789abcdef";
const DEPS = () => ({ now: () => NOW, generateId: sequentialIds() });

function ctx(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    provider: "anthropic",
    model: "claude-sonnet-4-5",
    requestedModel: "anthropic/claude-sonnet-4-5",
    apiKey: KEY,
    apiBase: "https://api.anthropic.com",
    apiVersion: undefined,
    extraHeaders: {},
    stream: false,
    includeUsage: false,
    providerOptions: {},
    env: () => undefined,
    now: () => NOW,
    generateId: sequentialIds(),
    ...overrides,
  };
}

function req(
  messages: ChatMessage[],
  extra: Partial<ChatCompletionRequest> = {},
): ChatCompletionRequest {
  return { model: "anthropic/claude-sonnet-4-5", messages, ...extra };
}

const HI: ChatMessage[] = [{ role: "user", content: "Hi" }];
const HI_NATIVE = [{ role: "user", content: [{ type: "text", text: "Hi" }] }];
const BASE = { model: "claude-sonnet-4-5", max_tokens: 4096, messages: HI_NATIVE };

// ---------------------------------------------------------------------------
// 1. OpenAI request → Anthropic body
// ---------------------------------------------------------------------------

const REQUEST_CASES: {
  name: string;
  request: ChatCompletionRequest;
  expected: Record<string, unknown>;
  context?: Partial<RequestContext>;
}[] = [
  {
    name: "hoists system and developer messages from any position, joined in order",
    request: req([
      { role: "system", content: "You are terse." },
      { role: "user", content: "Hi" },
      { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
      { role: "assistant", content: "Bonjour" },
      { role: "user", content: "Again" },
    ]),
    expected: {
      model: "claude-sonnet-4-5",
      max_tokens: 4096,
      system: "You are terse.\n\nAnswer in French.",
      messages: [
        { role: "user", content: [{ type: "text", text: "Hi" }] },
        { role: "assistant", content: [{ type: "text", text: "Bonjour" }] },
        { role: "user", content: [{ type: "text", text: "Again" }] },
      ],
    },
  },
  {
    name: "sends system as text blocks when one carries cache_control",
    request: req([
      {
        role: "system",
        content: [{ type: "text", text: "Long context", cache_control: { type: "ephemeral" } }],
      },
      { role: "system", content: "Rules" },
      { role: "system", content: "" },
      ...HI,
    ]),
    expected: {
      ...BASE,
      system: [
        { type: "text", text: "Long context", cache_control: { type: "ephemeral" } },
        { type: "text", text: "Rules" },
      ],
    },
  },
  {
    name: "converts user parts: text, data-URL and https images, cache_control, empty text dropped",
    request: req([{
      role: "user",
      content: [
        { type: "text", text: "What is in these?" },
        { type: "text", text: "" },
        { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
        {
          type: "image_url",
          image_url: { url: "https://upload.wikimedia.org/ant.jpg", detail: "high" },
          cache_control: { type: "ephemeral" },
        } as never,
        { type: "text", text: "Be brief", cache_control: { type: "ephemeral", ttl: "1h" } },
      ],
    }]),
    expected: {
      ...BASE,
      messages: [{
        role: "user",
        content: [
          { type: "text", text: "What is in these?" },
          {
            type: "image",
            source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" },
          },
          {
            type: "image",
            source: { type: "url", url: "https://upload.wikimedia.org/ant.jpg" },
            cache_control: { type: "ephemeral" },
          },
          { type: "text", text: "Be brief", cache_control: { type: "ephemeral", ttl: "1h" } },
        ],
      }],
    },
  },
  {
    name: "sends a PDF file part as a document block",
    request: req([{
      role: "user",
      content: [{ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0x" } }],
    }]),
    expected: {
      ...BASE,
      messages: [{
        role: "user",
        content: [{
          type: "document",
          source: { type: "base64", media_type: "application/pdf", data: "JVBERi0x" },
        }],
      }],
    },
  },
  {
    name: "turns tool calls into tool_use and merges consecutive tool results and the next user",
    request: req([
      { role: "user", content: "Weather in SF and NYC?" },
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [
          {
            id: "toolu_1",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"SF"}' },
          },
          {
            id: "toolu_2",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"NYC"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "18C" },
      { role: "tool", tool_call_id: "toolu_2", content: [{ type: "text", text: "22C" }] },
      { role: "user", content: "Which is warmer?" },
    ]),
    expected: {
      ...BASE,
      messages: [
        { role: "user", content: [{ type: "text", text: "Weather in SF and NYC?" }] },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Checking." },
            { type: "tool_use", id: "toolu_1", name: "get_weather", input: { city: "SF" } },
            { type: "tool_use", id: "toolu_2", name: "get_weather", input: { city: "NYC" } },
          ],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_1", content: "18C" },
            {
              type: "tool_result",
              tool_use_id: "toolu_2",
              content: [{ type: "text", text: "22C" }],
            },
            { type: "text", text: "Which is warmer?" },
          ],
        },
      ],
    },
  },
  {
    name: "keeps tool results ahead of user text that came before them, omits empty results",
    request: req([
      { role: "user", content: "Go" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "toolu_9",
          type: "function",
          function: { name: "ping", arguments: "" },
        }],
      },
      { role: "user", content: "(note)" },
      { role: "tool", tool_call_id: "toolu_9", content: "" },
    ]),
    expected: {
      ...BASE,
      messages: [
        { role: "user", content: [{ type: "text", text: "Go" }] },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "toolu_9", name: "ping", input: {} }],
        },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "toolu_9" },
            { type: "text", text: "(note)" },
          ],
        },
      ],
    },
  },
  {
    name: "sends thinking_blocks back first in the assistant turn",
    request: req([
      ...HI,
      {
        role: "assistant",
        content: "Answer",
        thinking_blocks: [
          { type: "thinking", thinking: "hmm", signature: "sig==" },
          { type: "redacted_thinking", data: "opaque" },
        ],
      },
      { role: "user", content: "More" },
    ]),
    expected: {
      ...BASE,
      messages: [
        ...HI_NATIVE,
        {
          role: "assistant",
          content: [
            { type: "thinking", thinking: "hmm", signature: "sig==" },
            { type: "redacted_thinking", data: "opaque" },
            { type: "text", text: "Answer" },
          ],
        },
        { role: "user", content: [{ type: "text", text: "More" }] },
      ],
    },
  },
  {
    name: "merges consecutive same-role turns and drops empty ones",
    request: req([
      { role: "user", content: "a" },
      { role: "user", content: [{ type: "text", text: "" }] },
      { role: "user", content: "b" },
      { role: "assistant", content: null },
      { role: "assistant", content: "x" },
      { role: "assistant", content: "" },
    ]),
    expected: {
      ...BASE,
      messages: [
        { role: "user", content: [{ type: "text", text: "a" }, { type: "text", text: "b" }] },
        { role: "assistant", content: [{ type: "text", text: "x" }] },
      ],
    },
  },
  {
    name: "maps legacy function_call / function messages like tool calls",
    request: req([
      { role: "user", content: "Time?" },
      {
        role: "assistant",
        content: null,
        function_call: { name: "get_time", arguments: "{}" },
      } as never,
      { role: "function", name: "get_time", content: "12:00" },
    ]),
    expected: {
      ...BASE,
      messages: [
        { role: "user", content: [{ type: "text", text: "Time?" }] },
        {
          role: "assistant",
          content: [{ type: "tool_use", id: "toolu_fn_1", name: "get_time", input: {} }],
        },
        {
          role: "user",
          content: [{ type: "tool_result", tool_use_id: "toolu_fn_1", content: "12:00" }],
        },
      ],
    },
  },
  {
    name: "prefers max_completion_tokens over max_tokens",
    request: req(HI, { max_completion_tokens: 100, max_tokens: 50 }),
    expected: { ...BASE, max_tokens: 100 },
  },
  {
    name: "passes max_tokens, stop string, user and top_p",
    request: req(HI, { max_tokens: 50, stop: "END", user: "user-1", top_p: 0.9 }),
    expected: {
      ...BASE,
      max_tokens: 50,
      stop_sequences: ["END"],
      metadata: { user_id: "user-1" },
      top_p: 0.9,
    },
  },
  {
    name: "passes a stop array and top_k (Anthropic extension)",
    request: req(HI, { stop: ["a", "b"], top_k: 5 }),
    expected: { ...BASE, stop_sequences: ["a", "b"], top_k: 5 },
  },
  {
    name: "clamps temperature above 1 to 1",
    request: req(HI, { temperature: 1.7 }),
    expected: { ...BASE, temperature: 1 },
  },
  {
    name: "keeps temperature within range",
    request: req(HI, { temperature: 0.3 }),
    expected: { ...BASE, temperature: 0.3 },
  },
  {
    name: "sets stream for streaming calls (stream_options has no native field)",
    request: req(HI, { stream: true, stream_options: { include_usage: true } }),
    context: { stream: true, includeUsage: true },
    expected: { ...BASE, stream: true },
  },
  {
    name: "converts tools: default input_schema, description, cache_control, missing type added",
    request: req(HI, {
      tools: [
        { type: "function", function: { name: "now" } },
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "Weather for a city",
            parameters: { properties: { city: { type: "string" } }, required: ["city"] },
            strict: true,
          },
          cache_control: { type: "ephemeral" },
        },
      ],
    }),
    expected: {
      ...BASE,
      tools: [
        { name: "now", input_schema: { type: "object", properties: {} } },
        {
          name: "get_weather",
          description: "Weather for a city",
          input_schema: {
            type: "object",
            properties: { city: { type: "string" } },
            required: ["city"],
          },
          cache_control: { type: "ephemeral" },
        },
      ],
    },
  },
];

for (const c of REQUEST_CASES) {
  Deno.test(`toAnthropicRequest() ${c.name}`, () => {
    assert.deepEqual(toAnthropicRequest(c.request, ctx(c.context)), c.expected);
  });
}

const TOOL = { type: "function" as const, function: { name: "get_weather" } };
const TOOL_NATIVE = { name: "get_weather", input_schema: { type: "object", properties: {} } };

const TOOL_CHOICE_CASES: {
  choice: ChatCompletionRequest["tool_choice"];
  parallel?: boolean;
  expected: unknown;
}[] = [
  { choice: undefined, expected: undefined },
  { choice: "auto", expected: { type: "auto" } },
  { choice: "required", expected: { type: "any" } },
  { choice: "none", expected: { type: "none" } },
  {
    choice: { type: "function", function: { name: "get_weather" } },
    expected: { type: "tool", name: "get_weather" },
  },
  {
    choice: undefined,
    parallel: false,
    expected: { type: "auto", disable_parallel_tool_use: true },
  },
  { choice: undefined, parallel: true, expected: undefined },
  { choice: "auto", parallel: false, expected: { type: "auto", disable_parallel_tool_use: true } },
  {
    choice: "required",
    parallel: false,
    expected: { type: "any", disable_parallel_tool_use: true },
  },
  {
    choice: { type: "function", function: { name: "get_weather" } },
    parallel: false,
    expected: { type: "tool", name: "get_weather", disable_parallel_tool_use: true },
  },
  { choice: "none", parallel: false, expected: { type: "none" } },
];

for (const c of TOOL_CHOICE_CASES) {
  Deno.test(
    `toAnthropicRequest() maps tool_choice ${
      JSON.stringify(c.choice)
    } with parallel_tool_calls ${c.parallel}`,
    () => {
      const body = toAnthropicRequest(
        req(HI, {
          tools: [TOOL],
          ...(c.choice === undefined ? {} : { tool_choice: c.choice }),
          ...(c.parallel === undefined ? {} : { parallel_tool_calls: c.parallel }),
        }),
        ctx(),
      );
      const expected: Record<string, unknown> = { ...BASE, tools: [TOOL_NATIVE] };
      if (c.expected !== undefined) expected.tool_choice = c.expected;
      assert.deepEqual(body, expected);
    },
  );
}

Deno.test("toAnthropicRequest() sends no tool_choice without tools", () => {
  assert.deepEqual(
    toAnthropicRequest(req(HI, { tool_choice: "required", parallel_tool_calls: false }), ctx()),
    BASE,
  );
});

const PERSON = {
  type: "object",
  properties: { name: { type: "string" }, born: { type: "integer" } },
  required: ["name"],
};

const FORMAT_CASES: {
  name: string;
  extra: Partial<ChatCompletionRequest>;
  expected: Record<string, unknown>;
}[] = [
  {
    name: "turns response_format json_schema into a forced json_tool_call tool",
    extra: {
      response_format: {
        type: "json_schema",
        json_schema: { name: "person", description: "A famous person", schema: PERSON },
      },
    },
    expected: {
      ...BASE,
      tools: [{ name: "json_tool_call", description: "A famous person", input_schema: PERSON }],
      tool_choice: { type: "tool", name: "json_tool_call" },
    },
  },
  {
    name: "turns response_format json_object into a forced tool with a permissive schema",
    extra: { response_format: { type: "json_object" } },
    expected: {
      ...BASE,
      tools: [{
        name: "json_tool_call",
        description: "Respond with the final answer as this tool's input.",
        input_schema: { type: "object", additionalProperties: true },
      }],
      tool_choice: { type: "tool", name: "json_tool_call" },
    },
  },
  {
    name: "ignores response_format text",
    extra: { response_format: { type: "text" } },
    expected: BASE,
  },
  {
    name: "keeps the caller's tools and tool_choice next to the JSON tool",
    extra: {
      tools: [TOOL],
      tool_choice: "auto",
      response_format: { type: "json_schema", json_schema: { name: "p", schema: PERSON } },
    },
    expected: {
      ...BASE,
      tools: [TOOL_NATIVE, {
        name: "json_tool_call",
        description: "Respond with the final answer as this tool's input.",
        input_schema: PERSON,
      }],
      tool_choice: { type: "auto" },
    },
  },
  {
    name: "does not force the JSON tool when thinking is on",
    extra: {
      reasoning_effort: "low",
      response_format: { type: "json_schema", json_schema: { name: "p", schema: PERSON } },
    },
    expected: {
      ...BASE,
      tools: [{
        name: "json_tool_call",
        description: "Respond with the final answer as this tool's input.",
        input_schema: PERSON,
      }],
      tool_choice: { type: "auto" },
      thinking: { type: "enabled", budget_tokens: 1024 },
    },
  },
];

for (const c of FORMAT_CASES) {
  Deno.test(`toAnthropicRequest() ${c.name}`, () => {
    assert.deepEqual(toAnthropicRequest(req(HI, c.extra), ctx()), c.expected);
  });
}

const THINKING_CASES: {
  extra: Partial<ChatCompletionRequest>;
  thinking: unknown;
  maxTokens: number;
  temperature?: number;
}[] = [
  {
    extra: { reasoning_effort: "minimal" },
    thinking: { type: "enabled", budget_tokens: 1024 },
    maxTokens: 4096,
  },
  {
    extra: { reasoning_effort: "low" },
    thinking: { type: "enabled", budget_tokens: 1024 },
    maxTokens: 4096,
  },
  {
    extra: { reasoning_effort: "medium" },
    thinking: { type: "enabled", budget_tokens: 2048 },
    maxTokens: 4096,
  },
  {
    extra: { reasoning_effort: "high" },
    thinking: { type: "enabled", budget_tokens: 4096 },
    maxTokens: 8192,
  },
  {
    extra: { reasoning_effort: "xhigh" },
    thinking: { type: "enabled", budget_tokens: 8192 },
    maxTokens: 12288,
  },
  {
    extra: { reasoning_effort: "none", temperature: 0.2 },
    thinking: undefined,
    maxTokens: 4096,
    temperature: 0.2,
  },
  {
    extra: { reasoning_effort: "low", max_tokens: 500, temperature: 0.2, top_k: 3 },
    thinking: { type: "enabled", budget_tokens: 1024 },
    maxTokens: 1524,
  },
  {
    extra: { reasoning_effort: "high", max_completion_tokens: 16000 },
    thinking: { type: "enabled", budget_tokens: 4096 },
    maxTokens: 16000,
  },
  {
    extra: { reasoning_effort: "low", thinking: { type: "enabled", budget_tokens: 3000 } },
    thinking: { type: "enabled", budget_tokens: 3000 },
    maxTokens: 4096,
  },
];

for (const c of THINKING_CASES) {
  Deno.test(`toAnthropicRequest() maps thinking for ${JSON.stringify(c.extra)}`, () => {
    const expected: Record<string, unknown> = { ...BASE, max_tokens: c.maxTokens };
    if (c.thinking !== undefined) expected.thinking = c.thinking;
    if (c.temperature !== undefined) expected.temperature = c.temperature;
    const body = toAnthropicRequest(req(HI, c.extra), ctx());
    assert.deepEqual(body, expected);
    assert.equal(validateAnthropicBody(body), undefined);
  });
}

const REQUEST_ERRORS: {
  name: string;
  request: ChatCompletionRequest;
  message: RegExp;
  param: string;
}[] = [
  {
    name: "unparsable tool call arguments, naming the message index",
    request: req([
      ...HI,
      {
        role: "assistant",
        tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "{oops" } }],
      },
    ]),
    message: /messages\[1\] has tool call arguments that are not valid JSON/,
    param: "messages.1.tool_calls.0.function.arguments",
  },
  {
    name: "tool call arguments that are not an object",
    request: req([
      ...HI,
      {
        role: "assistant",
        tool_calls: [{ id: "t1", type: "function", function: { name: "f", arguments: "[1]" } }],
      },
    ]),
    message: /messages\[1\] has tool call arguments that are not a JSON object/,
    param: "messages.1.tool_calls.0.function.arguments",
  },
  {
    name: "audio input",
    request: req([{
      role: "user",
      content: [{ type: "input_audio", input_audio: { data: "AAA", format: "wav" } }],
    }]),
    message: /messages\[0\]\.content\[0\] has type "input_audio"/,
    param: "messages[0].content[0]",
  },
  {
    name: "an image URL that is neither http(s) nor data",
    request: req([{
      role: "user",
      content: [{ type: "image_url", image_url: { url: "ftp://x/y.png" } }],
    }]),
    message: /must be an http\(s\) URL or a base64 data URL/,
    param: "messages[0].content[0]",
  },
  {
    name: "only system messages",
    request: req([{ role: "system", content: "Be brief" }]),
    message: /no non-empty user or assistant message/,
    param: "messages",
  },
  {
    name: "a caller tool named like the reserved JSON tool",
    request: req(HI, { tools: [{ type: "function", function: { name: "json_tool_call" } }] }),
    message: /"json_tool_call" is reserved/,
    param: "tools",
  },
  {
    name: "a function message that answers no call",
    request: req([...HI, { role: "function", name: "nope", content: "1" }]),
    message: /answers function "nope"/,
    param: "messages.1",
  },
];

for (const c of REQUEST_ERRORS) {
  Deno.test(`toAnthropicRequest() rejects ${c.name} with BadRequestError`, () => {
    assert.throws(() => toAnthropicRequest(c.request, ctx()), (error: unknown) => {
      assert.ok(error instanceof BadRequestError);
      assert.match(error.message, c.message);
      assert.equal(error.param, c.param);
      assert.equal(error.provider, "anthropic");
      assert.equal(error.model, "anthropic/claude-sonnet-4-5");
      return true;
    });
  });
}

const URL_CASES: [string, string][] = [
  ["https://api.anthropic.com", "https://api.anthropic.com/v1/messages"],
  ["https://api.anthropic.com/", "https://api.anthropic.com/v1/messages"],
  ["http://127.0.0.1:8080", "http://127.0.0.1:8080/v1/messages"],
  ["https://proxy.example/anthropic/v1", "https://proxy.example/anthropic/v1/messages"],
  ["https://proxy.example/v1/messages", "https://proxy.example/v1/messages"],
];

for (const [base, url] of URL_CASES) {
  Deno.test(`anthropicMessagesUrl() maps ${base}`, () => {
    assert.equal(anthropicMessagesUrl(base), url);
  });
}

Deno.test("anthropicAdapter.buildRequest() sets auth and version headers, extra headers last", () => {
  const upstream = anthropicAdapter.buildRequest(
    req(HI),
    ctx({ extraHeaders: { "anthropic-beta": "files-api-2025-04-14", "x-trace": "1" } }),
  );
  assert.equal(upstream.url, "https://api.anthropic.com/v1/messages");
  assert.deepEqual(upstream.headers, {
    "content-type": "application/json",
    "anthropic-version": "2023-06-01",
    "x-api-key": KEY,
    "anthropic-beta": "files-api-2025-04-14",
    "x-trace": "1",
  });
  assert.deepEqual(JSON.parse(upstream.body!), BASE);
});

Deno.test("anthropicAdapter declares its identity and supported params", () => {
  assert.equal(anthropicAdapter.id, "anthropic");
  assert.equal(anthropicAdapter.defaultApiBase, "https://api.anthropic.com");
  assert.deepEqual(anthropicAdapter.apiKeyEnv, ["ANTHROPIC_API_KEY"]);
  assert.deepEqual(anthropicAdapter.apiBaseEnv, ["ANTHROPIC_API_BASE", "ANTHROPIC_BASE_URL"]);
  for (const p of ["temperature", "tools", "response_format", "reasoning_effort", "user"]) {
    assert.ok(anthropicAdapter.supportedParams.has(p), p);
  }
  for (
    const p of ["n", "seed", "logprobs", "presence_penalty", "frequency_penalty", "logit_bias"]
  ) {
    assert.ok(!anthropicAdapter.supportedParams.has(p), p);
  }
});

// ---------------------------------------------------------------------------
// 2. Anthropic response → OpenAI chat.completion
// ---------------------------------------------------------------------------

function usage(
  input: number,
  output: number,
  cacheRead = 0,
  cacheCreation = 0,
): Usage {
  const prompt = input + cacheRead + cacheCreation;
  return {
    prompt_tokens: prompt,
    completion_tokens: output,
    total_tokens: prompt + output,
    prompt_tokens_details: { cached_tokens: cacheRead },
    cache_creation_input_tokens: cacheCreation,
    cache_read_input_tokens: cacheRead,
  };
}

function completionOf(
  id: string,
  message: ChatCompletion["choices"][0]["message"],
  finish: FinishReason,
  u: Usage,
): ChatCompletion {
  return {
    id,
    object: "chat.completion",
    created: CREATED,
    model: "claude-sonnet-4-5-20250929",
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage: u,
  };
}

const RESPONSE_CASES: { fixture: string; expected: ChatCompletion }[] = [
  {
    fixture: "text",
    expected: completionOf(
      "msg_013Zva2CMHLNnXjNJJKqJ2EF",
      { role: "assistant", content: "Hi! My name is Claude." },
      "stop",
      usage(2095, 503),
    ),
  },
  {
    fixture: "tool_use",
    expected: completionOf(
      "msg_01Aq9w938a90dw8q",
      {
        role: "assistant",
        content: "I'll check the weather in both cities.",
        tool_calls: [
          {
            id: "toolu_01A09q90qw90lq917835lq9",
            type: "function",
            function: {
              name: "get_weather",
              arguments: '{"location":"San Francisco, CA","unit":"celsius"}',
            },
          },
          {
            id: "toolu_01B19r01rx01mr028946mr0",
            type: "function",
            function: {
              name: "get_weather",
              arguments: '{"location":"New York, NY","unit":"celsius"}',
            },
          },
        ],
      },
      "tool_calls",
      usage(472, 134),
    ),
  },
  {
    fixture: "json_mode",
    expected: completionOf(
      "msg_01Jm7tXQy2tVvP3dZcXo8Lfa",
      {
        role: "assistant",
        content: '{"name":"Ada Lovelace","born":1815,"fields":["mathematics","computing"]}',
      },
      "stop",
      usage(610, 58),
    ),
  },
  {
    fixture: "thinking",
    expected: completionOf(
      "msg_01ThKz7dYb3JhHc1y5vQq2Xe",
      {
        role: "assistant",
        content: "Yes, there are infinitely many prime numbers such that n mod 4 = 3.",
        reasoning_content:
          "To approach this, let's think about what we know about prime numbers...",
        thinking_blocks: [
          {
            type: "thinking",
            thinking: "To approach this, let's think about what we know about prime numbers...",
            signature:
              "zbbJhbGciOiJFU8zI1NiIsImtakcjsu38219c0.eyJoYXNoIjoiYWJjMTIzIiwiaWF0IjoxNjE0NTM0NTY3fQ....",
          },
          {
            type: "redacted_thinking",
            data:
              "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpPkNRj2YfWXGmKDxH4mPnZ5sQ7vB4URj",
          },
        ],
      },
      "stop",
      usage(48, 1024),
    ),
  },
  {
    fixture: "cache_usage",
    expected: completionOf(
      "msg_01CcUs7aGqYh5n2Mw8eP4kTr",
      {
        role: "assistant",
        content: "The main themes of Pride and Prejudice are love, class and reputation.",
      },
      "stop",
      usage(21, 393, 1500, 188086),
    ),
  },
];

for (const c of RESPONSE_CASES) {
  Deno.test(`fromAnthropicResponse() converts the ${c.fixture} fixture`, async () => {
    const body = await loadJson(`anthropic/${c.fixture}.response.json`);
    assert.deepEqual(fromAnthropicResponse(body, ctx()), c.expected);
  });
}

Deno.test("fromAnthropicResponse() gives null content when there is no text", () => {
  const res = fromAnthropicResponse({
    id: "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-x",
    content: [],
    stop_reason: "max_tokens",
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 0 },
  }, ctx());
  assert.equal(res.choices[0].message.content, null);
  assert.equal(res.choices[0].finish_reason, "length");
});

Deno.test("fromAnthropicResponse() rejects a body without content with APIConnectionError", () => {
  assert.throws(() => fromAnthropicResponse({ type: "message" }, ctx()), APIConnectionError);
});

const STOP_REASONS: [string | null, FinishReason | null][] = [
  ["end_turn", "stop"],
  ["stop_sequence", "stop"],
  ["pause_turn", "stop"],
  ["max_tokens", "length"],
  ["model_context_window_exceeded", "length"],
  ["tool_use", "tool_calls"],
  ["refusal", "content_filter"],
  ["some_future_reason", "stop"],
  [null, null],
];

for (const [reason, finish] of STOP_REASONS) {
  Deno.test(`mapAnthropicStopReason() maps ${reason} to ${finish}`, () => {
    assert.equal(mapAnthropicStopReason(reason), finish);
  });
}

// ---------------------------------------------------------------------------
// 3. Anthropic SSE → OpenAI chunks
// ---------------------------------------------------------------------------

function chunks(id: string, model = "claude-sonnet-4-5-20250929") {
  const base = { id, object: "chat.completion.chunk" as const, created: CREATED, model };
  return {
    delta: (delta: ChunkDelta, finish: FinishReason | null = null): ChatCompletionChunk => ({
      ...base,
      choices: [{ index: 0, delta, finish_reason: finish }],
    }),
    usage: (u: Usage): ChatCompletionChunk => ({ ...base, choices: [], usage: u }),
  };
}

const text = chunks("msg_01XFDUDYJgAACzvnptvVoYEL");
const tools = chunks("msg_014p7gG3wDgGV9EUtLvnow3U");
const think = chunks("msg_01Th1nk1ngStr3amXyZ");
const json = chunks("msg_01JsonStr3amQ8wKp");

const STREAM_CASES: { fixture: string; expected: ChatCompletionChunk[] }[] = [
  {
    fixture: "text",
    expected: [
      text.delta({ role: "assistant", content: "" }),
      text.delta({ content: "Hello" }),
      text.delta({ content: ", wörld 👋" }),
      text.delta({ content: "! How can I help?" }),
      text.delta({}, "stop"),
      text.usage(usage(25, 15)),
    ],
  },
  {
    fixture: "tool_use",
    expected: [
      tools.delta({ role: "assistant", content: "" }),
      tools.delta({ content: "Okay, let's check the weather in both cities:" }),
      tools.delta({
        tool_calls: [{
          index: 0,
          id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6",
          type: "function",
          function: { name: "get_weather", arguments: "" },
        }],
      }),
      tools.delta({ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }),
      tools.delta({ tool_calls: [{ index: 0, function: { arguments: ' "San Francisco, CA"}' } }] }),
      tools.delta({
        tool_calls: [{
          index: 1,
          id: "toolu_01AbCdEf34qAmk2tNTrN7Zz9",
          type: "function",
          function: { name: "get_time", arguments: "" },
        }],
      }),
      tools.delta({ tool_calls: [{ index: 1, function: { arguments: "{}" } }] }),
      tools.delta({}, "tool_calls"),
      tools.usage(usage(472, 89, 2048)),
    ],
  },
  {
    fixture: "thinking",
    expected: [
      think.delta({ role: "assistant", content: "" }),
      think.delta({
        reasoning_content: "Let me solve this step by step:\n\n1. First break down 27 * 453",
      }),
      think.delta({ reasoning_content: "\n2. 453 = 400 + 50 + 3" }),
      think.delta({
        thinking_blocks: [{
          type: "thinking",
          thinking:
            "Let me solve this step by step:\n\n1. First break down 27 * 453\n2. 453 = 400 + 50 + 3",
          signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...",
        }],
      }),
      think.delta({
        thinking_blocks: [{
          type: "redacted_thinking",
          data: "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIw",
        }],
      }),
      think.delta({ content: "27 * 453 = 12,231" }),
      think.delta({}, "stop"),
      think.usage(usage(46, 112)),
    ],
  },
  {
    fixture: "json_mode",
    expected: [
      json.delta({ role: "assistant", content: "" }),
      json.delta({ content: '{"name": "Ada Lovelace", ' }),
      json.delta({ content: '"born": 1815}' }),
      json.delta({}, "stop"),
      json.usage(usage(610, 47)),
    ],
  },
];

const ENCODER = new TextEncoder();

function transform(pieces: Uint8Array[]): ReadableStream<ChatCompletionChunk> {
  return ReadableStream.from(pieces)
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(createSseDecoder())
    .pipeThrough(createAnthropicStreamTransform(ctx({ stream: true })));
}

const DELIVERIES: { name: string; split: (bytes: Uint8Array) => Uint8Array[] }[] = [
  { name: "whole", split: (bytes) => [bytes] },
  { name: "one byte at a time", split: (bytes) => rechunk(bytes, [1]) },
  { name: "in seeded random pieces (seed 1)", split: (b) => rechunk(b, randomSizes(1, 64, 40)) },
  { name: "in seeded random pieces (seed 7)", split: (b) => rechunk(b, randomSizes(7, 64, 9)) },
  {
    name: "with CRLF line endings, in random pieces",
    split: (b) =>
      rechunk(
        ENCODER.encode(new TextDecoder().decode(b).replaceAll("\n", "\r\n")),
        randomSizes(3, 64, 17),
      ),
  },
];

for (const c of STREAM_CASES) {
  for (const d of DELIVERIES) {
    Deno.test(`createAnthropicStreamTransform() replays ${c.fixture}.stream.sse ${d.name}`, async () => {
      const bytes = ENCODER.encode(await loadText(`anthropic/${c.fixture}.stream.sse`));
      assert.deepEqual(await collect(transform(d.split(bytes))), c.expected);
    });
  }
}

const STREAM_FAILURES: {
  fixture: string;
  error: typeof LLMuxError;
  message: RegExp;
  before: number;
}[] = [
  { fixture: "stream_error", error: ServiceUnavailableError, message: /Overloaded/, before: 2 },
  { fixture: "stream_cut", error: APIConnectionError, message: /before message_stop/, before: 2 },
  { fixture: "stream_malformed", error: APIConnectionError, message: /malformed JSON/, before: 1 },
];

for (const c of STREAM_FAILURES) {
  for (const d of DELIVERIES.slice(0, 3)) {
    Deno.test(`createAnthropicStreamTransform() fails on ${c.fixture} (${d.name})`, async () => {
      const bytes = ENCODER.encode(await loadText(`anthropic/${c.fixture}.stream.sse`));
      const seen: ChatCompletionChunk[] = [];
      await assert.rejects(async () => {
        for await (const chunk of transform(d.split(bytes))) seen.push(chunk);
      }, (error: unknown) => {
        assert.ok(error instanceof c.error, String(error));
        assert.match(error.message, c.message);
        assert.equal(error.provider, "anthropic");
        return true;
      });
      assert.equal(seen.length, c.before);
    });
  }
}

Deno.test("createAnthropicStreamTransform() ignores ping, unknown events and unknown deltas", async () => {
  const sse = [
    'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_x","model":"m","usage":{"input_tokens":3}}}\n\n',
    ": comment\n\n",
    'event: ping\ndata: {"type":"ping"}\n\n',
    'event: brand_new_event\ndata: {"type":"brand_new_event","payload":1}\n\n',
    'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"web_search","input":{}}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"input_json_delta","partial_json":"{\\"q\\":1}"}}\n\n',
    'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
    'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":"Hi"}}\n\n',
    'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"citations_delta","citation":{}}}\n\n',
    'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null},"usage":{"output_tokens":2}}\n\n',
    'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    'event: ping\ndata: {"type":"ping"}\n\n',
  ].map((s) => ENCODER.encode(s));
  const c = chunks("msg_x", "m");
  assert.deepEqual(await collect(transform(sse)), [
    c.delta({ role: "assistant", content: "" }),
    c.delta({ content: "Hi" }),
    c.delta({}, "content_filter"),
    c.usage(usage(3, 2)),
  ]);
});

// ---------------------------------------------------------------------------
// 4. Error mapping
// ---------------------------------------------------------------------------

const ERROR_CASES: {
  fixture: string;
  error: typeof LLMuxError;
  status: number;
  code: string | null;
  retryAfter?: number;
}[] = [
  { fixture: "error_400", error: BadRequestError, status: 400, code: null },
  {
    fixture: "context_window",
    error: ContextWindowExceededError,
    status: 400,
    code: "context_length_exceeded",
  },
  { fixture: "error_401", error: AuthenticationError, status: 401, code: "invalid_api_key" },
  { fixture: "error_403", error: PermissionDeniedError, status: 403, code: null },
  { fixture: "error_404", error: NotFoundError, status: 404, code: "model_not_found" },
  { fixture: "error_413", error: BadRequestError, status: 413, code: "request_too_large" },
  {
    fixture: "error_429",
    error: RateLimitError,
    status: 429,
    code: "rate_limit_exceeded",
    retryAfter: 17,
  },
  { fixture: "error_500", error: InternalServerError, status: 500, code: null },
  { fixture: "error_504", error: TimeoutError, status: 504, code: null },
  { fixture: "error_529", error: ServiceUnavailableError, status: 503, code: "overloaded_error" },
];

interface ErrorFixture {
  status: number;
  headers: Record<string, string>;
  body: { error: { message: string } };
}

for (const c of ERROR_CASES) {
  Deno.test(`mapAnthropicError() maps ${c.fixture} to ${c.error.name}`, async () => {
    const f = await loadJson<ErrorFixture>(`anthropic/${c.fixture}.error.json`);
    const error = mapAnthropicError(f.status, f.body, {
      provider: "anthropic",
      model: "anthropic/claude-sonnet-4-5",
      headers: new Headers(f.headers),
    });
    assert.equal(error.constructor, c.error);
    assert.equal(error.status, c.status);
    assert.equal(error.code, c.code);
    assert.equal(error.upstreamStatus, f.status);
    assert.equal(error.upstreamMessage, f.body.error.message);
    assert.equal(error.provider, "anthropic");
    assert.equal(error.model, "anthropic/claude-sonnet-4-5");
    assert.equal(error.retryAfter, c.retryAfter);
    assert.ok(error.message.includes(f.body.error.message));
  });
}

Deno.test("mapAnthropicError() maps a spend-limit 429 to insufficient_quota", () => {
  const error = mapAnthropicError(429, {
    type: "error",
    error: {
      type: "rate_limit_error",
      message: "You have reached your specified API usage limits.",
      details: { error_code: "enforced_spend_limit_reached" },
    },
  }, { provider: "anthropic", model: "m", headers: new Headers() });
  assert.ok(error instanceof RateLimitError);
  assert.equal(error.code, "insufficient_quota");
});

Deno.test("mapAnthropicError() maps a non-JSON 502 from a proxy on status alone", () => {
  const error = mapAnthropicError(502, "<html>Bad Gateway</html>", {
    provider: "anthropic",
    model: "m",
    headers: new Headers(),
  });
  assert.ok(error instanceof InternalServerError);
  assert.equal(error.upstreamMessage, "<html>Bad Gateway</html>");
});

// ---------------------------------------------------------------------------
// 5. End to end: completion() against the fake
// ---------------------------------------------------------------------------

Deno.test("completion() sends the documented request and converts a text answer", async () => {
  await using fake = startAnthropicFake();
  const res = await completion({
    model: "anthropic/text",
    messages: [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "Hello, Claude" },
    ],
    max_tokens: 1024,
    temperature: 0.5,
    stop: "\n\nHuman:",
    user: "user-42",
    api_base: fake.url,
    api_key: fake.apiKey,
  }, DEPS());
  assert.deepEqual(
    res,
    completionOf(
      "msg_013Zva2CMHLNnXjNJJKqJ2EF",
      { role: "assistant", content: "Hi! My name is Claude." },
      "stop",
      usage(2095, 503),
    ),
  );
  assert.equal(fake.requests.length, 1);
  const sent = fake.requests[0];
  assert.equal(sent.path, "/v1/messages");
  assert.equal(sent.headers["x-api-key"], fake.apiKey);
  assert.equal(sent.headers["anthropic-version"], "2023-06-01");
  assert.equal(sent.headers["content-type"], "application/json");
  assert.equal(sent.headers["anthropic-beta"], undefined);
  assert.deepEqual(sent.body, await loadJson("anthropic/text.request.json"));
});

Deno.test("completion() returns parallel tool calls", async () => {
  await using fake = startAnthropicFake();
  const res = await completion({
    model: "anthropic/tool_use",
    messages: [{ role: "user", content: "What's the weather in San Francisco and New York?" }],
    tools: [{
      type: "function",
      function: {
        name: "get_weather",
        description: "Get the current weather in a given location",
        parameters: {
          type: "object",
          properties: {
            location: { type: "string", description: "The city and state, e.g. San Francisco, CA" },
            unit: { type: "string", enum: ["celsius", "fahrenheit"] },
          },
          required: ["location"],
        },
      },
    }],
    tool_choice: "auto",
    api_base: fake.url,
    api_key: fake.apiKey,
  }, DEPS());
  assert.deepEqual(res, RESPONSE_CASES[1].expected);
  assert.deepEqual(fake.requests[0].body, await loadJson("anthropic/tool_use.request.json"));
});

Deno.test("completion() sends a tool round trip the API accepts", async () => {
  await using fake = startAnthropicFake({ scenario: "text" });
  await completion({
    model: "anthropic/claude-sonnet-4-5",
    messages: [
      { role: "system", content: "Use tools." },
      { role: "user", content: "Weather in SF and NYC?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "toolu_01A",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"SF"}' },
          },
          {
            id: "toolu_01B",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"NYC"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "toolu_01A", content: "18C" },
      { role: "tool", tool_call_id: "toolu_01B", content: "22C" },
      { role: "user", content: "Which is warmer?" },
    ],
    tools: [TOOL],
    api_base: fake.url,
    api_key: fake.apiKey,
  }, DEPS());
  const body = fake.requests[0].body as { messages: unknown[] };
  assert.equal(body.messages.length, 3);
});

Deno.test("completion() sends images the API accepts", async () => {
  await using fake = startAnthropicFake();
  const res = await completion({
    model: "anthropic/image",
    messages: [{
      role: "user",
      content: [
        { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4AAQSkZJRg==" } },
        { type: "image_url", image_url: { url: "https://upload.wikimedia.org/ant.jpg" } },
        { type: "text", text: "Describe these images." },
      ],
    }],
    api_base: fake.url,
    api_key: fake.apiKey,
  }, DEPS());
  assert.equal(
    res.choices[0].message.content,
    "This image shows an ant, specifically a close-up view of an ant.",
  );
});

Deno.test("completion() returns JSON mode answers as content", async () => {
  await using fake = startAnthropicFake();
  const res = await completion({
    model: "anthropic/json_mode",
    messages: [{ role: "user", content: "Describe Ada Lovelace as JSON." }],
    response_format: { type: "json_schema", json_schema: { name: "person", schema: PERSON } },
    api_base: fake.url,
    api_key: fake.apiKey,
  }, DEPS());
  assert.deepEqual(JSON.parse(res.choices[0].message.content!), {
    name: "Ada Lovelace",
    born: 1815,
    fields: ["mathematics", "computing"],
  });
  assert.equal(res.choices[0].finish_reason, "stop");
  assert.equal(res.choices[0].message.tool_calls, undefined);
});

Deno.test("completion() maps reasoning_effort to a thinking budget the API accepts", async () => {
  await using fake = startAnthropicFake();
  const res = await completion({
    model: "anthropic/thinking",
    messages: [{ role: "user", content: "Are there infinitely many primes n with n mod 4 = 3?" }],
    reasoning_effort: "high",
    temperature: 0.7,
    max_tokens: 2000,
    api_base: fake.url,
    api_key: fake.apiKey,
  }, DEPS());
  assert.deepEqual(res, RESPONSE_CASES[3].expected);
  const body = fake.requests[0].body as Record<string, unknown>;
  assert.deepEqual(body.thinking, { type: "enabled", budget_tokens: 4096 });
  assert.equal(body.max_tokens, 6096);
  assert.equal(body.temperature, undefined);
});

Deno.test("completion() streams with include_usage: usage null until the usage chunk", async () => {
  await using fake = startAnthropicFake();
  const stream = await completion({
    model: "anthropic/tool_use",
    messages: [{ role: "user", content: "Weather?" }],
    tools: [TOOL],
    stream: true,
    stream_options: { include_usage: true },
    api_base: fake.url,
    api_key: fake.apiKey,
  }, DEPS());
  const got = await collect(stream);
  const expected = STREAM_CASES[1].expected.map((chunk) =>
    chunk.choices.length === 0 ? chunk : { ...chunk, usage: null }
  );
  assert.deepEqual(got, expected);
  assert.deepEqual(got.at(-1)!.usage, usage(472, 89, 2048));
  assert.equal((fake.requests[0].body as Record<string, unknown>).stream, true);
});

Deno.test("completion() streams without a usage chunk unless asked, usage still known", async () => {
  await using fake = startAnthropicFake();
  const stream = await completion({
    model: "anthropic/text",
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    api_base: fake.url,
    api_key: fake.apiKey,
  }, DEPS());
  const got = await collect(stream);
  assert.deepEqual(got, STREAM_CASES[0].expected.slice(0, -1));
  assert.deepEqual(stream.usage, usage(25, 15));
});

const E2E_ERRORS = ERROR_CASES.filter((c) =>
  ["error_400", "context_window", "error_401", "error_429", "error_500", "error_529"].includes(
    c.fixture,
  )
);

for (const c of E2E_ERRORS) {
  Deno.test(`completion() raises ${c.error.name} for ${c.fixture}`, async () => {
    await using fake = startAnthropicFake();
    const f = await loadJson<ErrorFixture>(`anthropic/${c.fixture}.error.json`);
    await assert.rejects(
      () =>
        completion({
          model: `anthropic/${c.fixture}`,
          messages: [{ role: "user", content: "Hi" }],
          api_base: fake.url,
          api_key: fake.apiKey,
        }, DEPS()),
      (error: unknown) => {
        assert.equal((error as object).constructor, c.error);
        const e = error as LLMuxError;
        assert.equal(e.status, c.status);
        assert.equal(e.provider, "anthropic");
        assert.equal(e.model, `anthropic/${c.fixture}`);
        assert.equal(e.upstreamMessage, f.body.error.message);
        assert.ok(e.message.includes(f.body.error.message));
        assert.equal(e.retryAfter, c.retryAfter);
        assert.ok(!e.message.includes(fake.apiKey));
        assert.ok(!JSON.stringify(e.body).includes(fake.apiKey));
        return true;
      },
    );
  });
}

Deno.test("completion() forwards rate-limit headers on a 429", async () => {
  await using fake = startAnthropicFake();
  const error = await completion({
    model: "anthropic/error_429",
    messages: HI,
    api_base: fake.url,
    api_key: fake.apiKey,
  }, DEPS()).then(() => undefined, (e: LLMuxError) => e);
  assert.ok(error instanceof RateLimitError);
  assert.equal(error.retryAfter, 17);
  assert.equal(error.headers["anthropic-ratelimit-tokens-remaining"], "0");
});

Deno.test("completion() with a wrong key raises AuthenticationError without leaking the key", async () => {
  await using fake = startAnthropicFake();
  const wrong = "sk-ant-wrong-key-9876543210";
  const error = await completion({
    model: "anthropic/text",
    messages: HI,
    api_base: fake.url,
    api_key: wrong,
  }, DEPS()).then(() => undefined, (e: LLMuxError) => e);
  assert.ok(error instanceof AuthenticationError);
  assert.equal(error.upstreamMessage, "invalid x-api-key");
  assert.ok(!error.message.includes(wrong));
  assert.ok(!JSON.stringify(error.body).includes(wrong));
});

Deno.test("completion() surfaces an unknown model as NotFoundError", async () => {
  await using fake = startAnthropicFake();
  await assert.rejects(
    () =>
      completion({
        model: "anthropic/claude-nope",
        messages: HI,
        api_base: fake.url,
        api_key: fake.apiKey,
      }),
    NotFoundError,
  );
});

const E2E_STREAM_FAILURES: { fixture: string; error: typeof LLMuxError; before: number }[] = [
  { fixture: "stream_error", error: ServiceUnavailableError, before: 2 },
  { fixture: "stream_cut", error: APIConnectionError, before: 2 },
  { fixture: "stream_malformed", error: APIConnectionError, before: 1 },
];

for (const c of E2E_STREAM_FAILURES) {
  Deno.test(`completion() stream throws ${c.error.name} while iterating ${c.fixture}`, async () => {
    await using fake = startAnthropicFake();
    const stream = await completion({
      model: `anthropic/${c.fixture}`,
      messages: HI,
      stream: true,
      api_base: fake.url,
      api_key: fake.apiKey,
    }, DEPS());
    let seen = 0;
    await assert.rejects(async () => {
      for await (const _ of stream) seen++;
    }, (error: unknown) => {
      assert.ok(error instanceof c.error, String(error));
      assert.equal(error.provider, "anthropic");
      assert.ok(!error.message.includes(fake.apiKey));
      return true;
    });
    assert.equal(seen, c.before);
  });
}

Deno.test("completion() stream throws APIConnectionError when the connection resets", async () => {
  await using fake = startAnthropicFake({ scenario: "text", resetAfter: 4 });
  const stream = await completion({
    model: "anthropic/claude-sonnet-4-5",
    messages: HI,
    stream: true,
    api_base: fake.url,
    api_key: fake.apiKey,
  }, DEPS());
  let seen = 0;
  await assert.rejects(async () => {
    for await (const _ of stream) seen++;
  }, APIConnectionError);
  assert.equal(seen, 2);
});

Deno.test("completion() rejects seed with UnsupportedParamsError before any request", async () => {
  await using fake = startAnthropicFake();
  await assert.rejects(
    () =>
      completion({
        model: "anthropic/text",
        messages: HI,
        seed: 42,
        api_base: fake.url,
        api_key: fake.apiKey,
      }),
    (error: unknown) => {
      assert.ok(error instanceof UnsupportedParamsError);
      assert.equal(error.param, "seed");
      return true;
    },
  );
  assert.equal(fake.requests.length, 0);
});

Deno.test("completion() drops seed and n with drop_params: true", async () => {
  await using fake = startAnthropicFake();
  const res = await completion({
    model: "anthropic/text",
    messages: HI,
    seed: 42,
    n: 2,
    presence_penalty: 0.5,
    drop_params: true,
    api_base: fake.url,
    api_key: fake.apiKey,
  }, DEPS());
  assert.equal(res.choices[0].message.content, "Hi! My name is Claude.");
  const body = fake.requests[0].body as Record<string, unknown>;
  assert.equal(body.seed, undefined);
  assert.equal(body.n, undefined);
  assert.equal(body.presence_penalty, undefined);
});

// The fake behaves like the API for what the adapter must get right.
const FAKE_VALIDATION: { name: string; body: Record<string, unknown>; message: string }[] = [
  {
    name: "system role in messages",
    body: { messages: [{ role: "system", content: "x" }, ...HI_NATIVE] },
    message: 'messages: Unexpected role "system". The Messages API accepts a top-level `system` ' +
      'parameter, not "system" as an input message role.',
  },
  {
    name: "missing max_tokens",
    body: { max_tokens: undefined },
    message: "max_tokens: Field required",
  },
  {
    name: "empty messages",
    body: { messages: [] },
    message: "messages: at least one message is required",
  },
  {
    name: "assistant first",
    body: { messages: [{ role: "assistant", content: [{ type: "text", text: "x" }] }] },
    message: 'messages: first message must use the "user" role',
  },
  {
    name: "empty text block",
    body: { messages: [{ role: "user", content: [{ type: "text", text: "" }] }] },
    message: "messages: text content blocks must be non-empty",
  },
  {
    name: "temperature above 1",
    body: { temperature: 1.5 },
    message: "temperature: range: 0..1",
  },
  {
    name: "unanswered tool_result",
    body: {
      messages: [
        ...HI_NATIVE,
        { role: "assistant", content: [{ type: "text", text: "ok" }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_x", content: "1" }] },
      ],
    },
    message: "messages.2.content.0: unexpected `tool_use_id` found in `tool_result` blocks: " +
      "toolu_x. Each `tool_result` block must have a corresponding `tool_use` block in the " +
      "previous message.",
  },
  {
    name: "thinking budget not below max_tokens",
    body: { max_tokens: 1024, thinking: { type: "enabled", budget_tokens: 1024 } },
    message: "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our " +
      "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking" +
      "#max-tokens-and-context-window-size",
  },
];

for (const c of FAKE_VALIDATION) {
  Deno.test(`fake Anthropic API rejects ${c.name} with the real 400`, async () => {
    await using fake = startAnthropicFake();
    const res = await fetch(`${fake.url}/v1/messages`, {
      method: "POST",
      headers: {
        "x-api-key": fake.apiKey,
        "anthropic-version": "2023-06-01",
        "content-type": "application/json",
      },
      body: JSON.stringify({ ...BASE, model: "text", ...c.body }),
    });
    assert.equal(res.status, 400);
    assert.deepEqual(await res.json(), {
      type: "error",
      error: { type: "invalid_request_error", message: c.message },
      request_id: "req_fake",
    });
  });
}

Deno.test("fake Anthropic API checks path, key and version", async () => {
  await using fake = startAnthropicFake();
  const headers = {
    "x-api-key": fake.apiKey,
    "anthropic-version": "2023-06-01",
    "content-type": "application/json",
  };
  const body = JSON.stringify({ ...BASE, model: "text" });
  const cases: [string, Record<string, string>, number, string][] = [
    ["/v1/complete", headers, 404, "not_found_error"],
    ["/v1/messages", { ...headers, "x-api-key": "nope" }, 401, "authentication_error"],
    ["/v1/messages", { "x-api-key": fake.apiKey }, 400, "invalid_request_error"],
  ];
  for (const [path, h, status, type] of cases) {
    const res = await fetch(`${fake.url}${path}`, { method: "POST", headers: h, body });
    assert.equal(res.status, status, path);
    assert.equal(((await res.json()) as { error: { type: string } }).error.type, type);
  }
});

// ---------------------------------------------------------------------------
// 6. Cancellation
// ---------------------------------------------------------------------------

Deno.test("completion() stream: breaking out of for-await cancels the upstream body", async () => {
  await using fake = startAnthropicFake({ scenario: "text", delayMs: 200 });
  const stream = await completion({
    model: "anthropic/claude-sonnet-4-5",
    messages: HI,
    stream: true,
    api_base: fake.url,
    api_key: fake.apiKey,
  }, DEPS());
  const started = performance.now();
  for await (const chunk of stream) {
    assert.deepEqual(chunk.choices[0].delta, { role: "assistant", content: "" });
    break;
  }
  while (fake.cancelled() === 0 && performance.now() - started < 2000) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(fake.cancelled(), 1);
  assert.ok(performance.now() - started < 2000);
});
