/**
 * Cohere adapter: v2 chat request bodies, responses, streams (split at every
 * byte boundary), finish reasons, usage, the error table, embeddings, and
 * end-to-end calls through `completion()` / `embedding()` against the fake
 * Cohere API.
 */

import assert from "node:assert/strict";
import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatCompletionRequest,
  completion,
  type CompletionOptions,
  ContextWindowExceededError,
  embedding,
  InternalServerError,
  type LLMuxError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  UnsupportedParamsError,
} from "../../mod.ts";
import {
  cohereAdapter,
  type CohereChatRequest,
  cohereUrl,
  fromCohereEmbedResponse,
  fromCohereResponse,
  fromCohereUsage,
  mapCohereError,
  mapCohereFinishReason,
  toCohereEmbedRequest,
  toCohereRequest,
} from "../../src/providers/cohere/mod.ts";
import type { RequestContext } from "../../src/providers/types.ts";
import { createSseDecoder } from "../../src/_sse.ts";
import { sequentialIds } from "../../src/_ids.ts";
import { collect, loadJson, loadText, randomSizes, rechunk } from "../_fixtures.ts";
import { startCohereFake } from "../fakes/cohere.ts";

const NOW = 1730000000000;
const CREATED = 1730000000;
const KEY = "co-test-key-0123456789abcdefXYZ";
const MODEL = "cohere/command-a-03-2025";

function context(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    provider: "cohere",
    model: "command-a-03-2025",
    requestedModel: MODEL,
    apiKey: KEY,
    apiBase: "https://api.cohere.com",
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

function request(body: Partial<ChatCompletionRequest> = {}): ChatCompletionRequest {
  return { model: MODEL, messages: [{ role: "user", content: "Hi" }], ...body };
}

function deps(env: (name: string) => string | undefined = () => undefined): CompletionOptions {
  return { now: () => NOW, generateId: sequentialIds(), env };
}

async function rejection(promise: Promise<unknown>): Promise<LLMuxError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof Error, "expected a rejection");
  return err as LLMuxError;
}

const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "gets the weather of a given location",
    strict: true,
    parameters: {
      type: "object",
      properties: {
        location: {
          type: "string",
          description: "the location to get the weather, example: San Francisco.",
        },
      },
      required: ["location"],
    },
  },
};

const TIME_TOOL = {
  type: "function" as const,
  function: { name: "get_time", parameters: { type: "object", properties: {} } },
};

// ---------------------------------------------------------------------------
// 1. Requests
// ---------------------------------------------------------------------------

const REQUEST_CASES: {
  name: string;
  request: Partial<ChatCompletionRequest>;
  stream?: boolean;
  expected: Omit<CohereChatRequest, "model"> | string;
}[] = [
  {
    name: "system message, sampling params, stop",
    request: {
      messages: [
        { role: "system", content: "You are a helpful assistant." },
        { role: "user", content: "Tell me about LLMs" },
      ],
      temperature: 0.3,
      max_tokens: 200,
      top_p: 0.8,
      stop: ["\n\nUser:"],
      seed: 42,
    },
    expected: "cohere/text.request.json",
  },
  {
    name: "tools with strict schemas and tool_choice required",
    request: {
      messages: [{ role: "user", content: "What's the weather in Toronto and Paris?" }],
      tools: [WEATHER_TOOL],
      tool_choice: "required",
    },
    expected: "cohere/tools.request.json",
  },
  {
    name: "a tool round trip: assistant tool_calls with plan, tool results by tool_call_id",
    request: {
      messages: [
        { role: "developer", content: [{ type: "text", text: "Use tools." }] },
        { role: "user", content: "Weather in Toronto?" },
        {
          role: "assistant",
          content: "I will look up the weather.",
          tool_calls: [{
            id: "get_weather_1byjy32y4hvq",
            type: "function",
            function: { name: "get_weather", arguments: '{"location":"Toronto"}' },
          }],
        },
        {
          role: "tool",
          tool_call_id: "get_weather_1byjy32y4hvq",
          content: '{"temperature":"20C"}',
        },
        { role: "assistant", content: "It is 20C in Toronto." },
        { role: "user", content: [{ type: "text", text: "And tomorrow?" }] },
      ],
      tools: [WEATHER_TOOL, TIME_TOOL],
      tool_choice: "auto",
    },
    expected: {
      messages: [
        { role: "system", content: [{ type: "text", text: "Use tools." }] },
        { role: "user", content: "Weather in Toronto?" },
        {
          role: "assistant",
          tool_plan: "I will look up the weather.",
          tool_calls: [{
            id: "get_weather_1byjy32y4hvq",
            type: "function",
            function: { name: "get_weather", arguments: '{"location":"Toronto"}' },
          }],
        },
        {
          role: "tool",
          tool_call_id: "get_weather_1byjy32y4hvq",
          content: '{"temperature":"20C"}',
        },
        { role: "assistant", content: "It is 20C in Toronto." },
        { role: "user", content: [{ type: "text", text: "And tomorrow?" }] },
      ],
      tools: [
        {
          type: "function",
          function: {
            name: "get_weather",
            description: "gets the weather of a given location",
            parameters: WEATHER_TOOL.function.parameters,
          },
        },
        {
          type: "function",
          function: { name: "get_time", parameters: { type: "object", properties: {} } },
        },
      ],
      strict_tools: true,
    },
  },
  {
    name:
      "a named tool_choice sends REQUIRED and only that tool; reasoning_content becomes the plan",
    request: {
      messages: [
        { role: "user", content: "Time?" },
        {
          role: "assistant",
          content: null,
          reasoning_content: "Need the clock.",
          tool_calls: [{
            id: "t1",
            type: "function",
            function: { name: "get_time", arguments: "{}" },
          }],
        },
        { role: "tool", tool_call_id: "t1", content: [{ type: "text", text: "12:00" }] },
        { role: "assistant", content: "" },
      ],
      tools: [WEATHER_TOOL, TIME_TOOL],
      tool_choice: { type: "function", function: { name: "get_time" } },
    },
    expected: {
      messages: [
        { role: "user", content: "Time?" },
        {
          role: "assistant",
          tool_plan: "Need the clock.",
          tool_calls: [{
            id: "t1",
            type: "function",
            function: { name: "get_time", arguments: "{}" },
          }],
        },
        { role: "tool", tool_call_id: "t1", content: [{ type: "text", text: "12:00" }] },
      ],
      tools: [{
        type: "function",
        function: { name: "get_time", parameters: { type: "object", properties: {} } },
      }],
      tool_choice: "REQUIRED",
    },
  },
  {
    name: 'tool_choice "none" → NONE',
    request: { tools: [TIME_TOOL], tool_choice: "none" },
    expected: {
      messages: [{ role: "user", content: "Hi" }],
      tools: [{
        type: "function",
        function: { name: "get_time", parameters: { type: "object", properties: {} } },
      }],
      tool_choice: "NONE",
    },
  },
  {
    name: "images as image_url items",
    request: {
      messages: [{
        role: "user",
        content: [
          { type: "text", text: "What is in this image?" },
          {
            type: "image_url",
            image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" },
          },
        ],
      }],
    },
    expected: {
      messages: [{
        role: "user",
        content: [
          { type: "text", text: "What is in this image?" },
          {
            type: "image_url",
            image_url: { url: "data:image/png;base64,iVBORw0KGgo=", detail: "low" },
          },
        ],
      }],
    },
  },
  {
    name: "json_object response format",
    request: { response_format: { type: "json_object" } },
    expected: {
      messages: [{ role: "user", content: "Hi" }],
      response_format: { type: "json_object" },
    },
  },
  {
    name: "json_schema response format → json_object with json_schema",
    request: {
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "person",
          schema: { type: "object", properties: { name: { type: "string" } }, required: ["name"] },
        },
      },
    },
    expected: {
      messages: [{ role: "user", content: "Hi" }],
      response_format: {
        type: "json_object",
        json_schema: {
          type: "object",
          properties: { name: { type: "string" } },
          required: ["name"],
        },
      },
    },
  },
  {
    name: "max_completion_tokens wins; penalties; top_k and safety_mode extensions; stream",
    request: {
      max_tokens: 10,
      max_completion_tokens: 20,
      frequency_penalty: 0.5,
      presence_penalty: 0.25,
      top_k: 40,
      safety_mode: "STRICT",
      stop: "END",
    },
    stream: true,
    expected: {
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      max_tokens: 20,
      stop_sequences: ["END"],
      k: 40,
      frequency_penalty: 0.5,
      presence_penalty: 0.25,
      safety_mode: "STRICT",
    },
  },
  {
    name: "reasoning_effort high → thinking enabled with a budget",
    request: { reasoning_effort: "high" },
    expected: {
      messages: [{ role: "user", content: "Hi" }],
      thinking: { type: "enabled", token_budget: 4096 },
    },
  },
  {
    name: "reasoning_effort none → thinking disabled; a native thinking object wins",
    request: { reasoning_effort: "none" },
    expected: { messages: [{ role: "user", content: "Hi" }], thinking: { type: "disabled" } },
  },
  {
    name: "native thinking object",
    request: { reasoning_effort: "low", thinking: { type: "enabled", token_budget: 31000 } },
    expected: {
      messages: [{ role: "user", content: "Hi" }],
      thinking: { type: "enabled", token_budget: 31000 },
    },
  },
];

for (const c of REQUEST_CASES) {
  Deno.test(`toCohereRequest(): ${c.name}`, async () => {
    const body = toCohereRequest(request(c.request), context({ stream: c.stream === true }));
    const expected = typeof c.expected === "string"
      ? await loadJson(c.expected)
      : { model: "command-a-03-2025", ...c.expected };
    assert.deepEqual(body, expected);
  });
}

Deno.test("toCohereRequest() rejects what Cohere cannot take, naming the param", () => {
  const cases: [Partial<ChatCompletionRequest>, string][] = [
    [
      {
        messages: [{
          role: "user",
          content: [{ type: "input_audio", input_audio: { data: "AAA", format: "wav" } }],
        }],
      },
      "messages.0.content.0",
    ],
    [{ messages: [{ role: "function", name: "f", content: "x" }] }, "messages.0.role"],
    [
      { tools: [TIME_TOOL], tool_choice: { type: "function", function: { name: "nope" } } },
      "tool_choice",
    ],
  ];
  for (const [body, param] of cases) {
    assert.throws(() => toCohereRequest(request(body), context()), (err: unknown) => {
      assert.ok(err instanceof BadRequestError);
      assert.equal(err.param, param);
      return true;
    });
  }
});

Deno.test("buildRequest(): /v2/chat, Bearer auth, SSE accept for streams", () => {
  const built = cohereAdapter.buildRequest(
    request(),
    context({ extraHeaders: { "X-Client-Name": "llmux" } }),
  );
  assert.equal(built.url, "https://api.cohere.com/v2/chat");
  assert.deepEqual(built.headers, {
    "content-type": "application/json",
    accept: "application/json",
    authorization: `Bearer ${KEY}`,
    "X-Client-Name": "llmux",
  });
  const streamed = cohereAdapter.buildRequest(request(), context({ stream: true }));
  assert.equal(streamed.headers.accept, "text/event-stream");
  assert.equal(cohereUrl("http://proxy/v2", "chat"), "http://proxy/v2/chat");
  assert.equal(cohereUrl("https://api.cohere.ai", "embed"), "https://api.cohere.ai/v2/embed");
});

// ---------------------------------------------------------------------------
// 2. Responses, finish reasons, usage
// ---------------------------------------------------------------------------

const TEXT_COMPLETION: ChatCompletion = {
  id: "c14c80c3-18eb-4519-9460-6c92edd8cfb4",
  object: "chat.completion",
  created: CREATED,
  model: "command-a-03-2025",
  choices: [{
    index: 0,
    message: {
      role: "assistant",
      content:
        "LLMs stand for Large Language Models, which are a type of neural network model specialized in processing and generating human language.",
    },
    logprobs: null,
    finish_reason: "stop",
  }],
  usage: { prompt_tokens: 71, completion_tokens: 28, total_tokens: 99 },
};

const TOOLS_COMPLETION: ChatCompletion = {
  id: "7f2c0ab4-a0b4-4e8b-8b4a-1b4c0a9a8a44",
  object: "chat.completion",
  created: CREATED,
  model: "command-a-03-2025",
  choices: [{
    index: 0,
    message: {
      role: "assistant",
      content: null,
      reasoning_content: "I will search for the weather in Toronto and Paris.",
      tool_calls: [
        {
          id: "get_weather_1byjy32y4hvq",
          type: "function",
          function: { name: "get_weather", arguments: '{"location":"Toronto"}' },
        },
        {
          id: "get_weather_m3mq2v8ecbaz",
          type: "function",
          function: { name: "get_weather", arguments: '{"location":"Paris"}' },
        },
      ],
    },
    logprobs: null,
    finish_reason: "tool_calls",
  }],
  usage: { prompt_tokens: 913, completion_tokens: 81, total_tokens: 994 },
};

Deno.test("fromCohereResponse(): text and tool-call fixtures → exact chat.completion", async () => {
  assert.deepEqual(
    fromCohereResponse(await loadJson("cohere/text.response.json"), context()),
    TEXT_COMPLETION,
  );
  assert.deepEqual(
    fromCohereResponse(await loadJson("cohere/tools.response.json"), context()),
    TOOLS_COMPLETION,
  );
});

Deno.test("fromCohereResponse(): thinking items → reasoning_content; MAX_TOKENS → length", () => {
  const res = fromCohereResponse({
    id: "r1",
    finish_reason: "MAX_TOKENS",
    message: {
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Let me think." },
        { type: "text", text: "Part one" },
        { type: "text", text: ", part two" },
      ],
    },
    usage: { billed_units: { input_tokens: 4, output_tokens: 6 }, cached_tokens: 2 },
  }, context());
  assert.deepEqual(res.choices[0], {
    index: 0,
    message: {
      role: "assistant",
      content: "Part one, part two",
      reasoning_content: "Let me think.",
    },
    logprobs: null,
    finish_reason: "length",
  });
  assert.deepEqual(res.usage, {
    prompt_tokens: 4,
    completion_tokens: 6,
    total_tokens: 10,
    prompt_tokens_details: { cached_tokens: 2 },
  });
});

Deno.test("fromCohereResponse(): ERROR / TIMEOUT are typed errors; a body without message is an APIConnectionError", () => {
  const body = (reason: string) => ({
    id: "r",
    finish_reason: reason,
    message: { role: "assistant" },
  });
  assert.throws(() => fromCohereResponse(body("ERROR"), context()), InternalServerError);
  assert.throws(() => fromCohereResponse(body("TIMEOUT"), context()), TimeoutError);
  assert.throws(() => fromCohereResponse({ id: "x" }, context()), APIConnectionError);
});

Deno.test("mapCohereFinishReason() follows the table", () => {
  const cases: [string | null, string | null][] = [
    ["COMPLETE", "stop"],
    ["STOP_SEQUENCE", "stop"],
    ["MAX_TOKENS", "length"],
    ["TOOL_CALL", "tool_calls"],
    ["SOMETHING_NEW", "stop"],
    [null, null],
  ];
  for (const [input, output] of cases) {
    assert.equal(mapCohereFinishReason(input), output, String(input));
  }
});

Deno.test("fromCohereUsage() prefers tokens over billed_units", () => {
  assert.deepEqual(
    fromCohereUsage({
      billed_units: { input_tokens: 5, output_tokens: 28 },
      tokens: { input_tokens: 71, output_tokens: 28 },
    }),
    { prompt_tokens: 71, completion_tokens: 28, total_tokens: 99 },
  );
  assert.deepEqual(fromCohereUsage({ billed_units: { input_tokens: 5 } }), {
    prompt_tokens: 5,
    completion_tokens: 0,
    total_tokens: 5,
  });
});

// ---------------------------------------------------------------------------
// 3. Streams (Cohere SSE), split at every byte boundary
// ---------------------------------------------------------------------------

function chunks(
  id: string,
  deltas: [
    ChatCompletionChunk["choices"][number]["delta"],
    ChatCompletionChunk["choices"][number]["finish_reason"],
  ][],
  usage?: ChatCompletionChunk["usage"],
): ChatCompletionChunk[] {
  const out: ChatCompletionChunk[] = deltas.map(([delta, finish]) => ({
    id,
    object: "chat.completion.chunk",
    created: CREATED,
    model: "command-a-03-2025",
    choices: [{ index: 0, delta, finish_reason: finish }],
  }));
  if (usage) {
    out.push({
      id,
      object: "chat.completion.chunk",
      created: CREATED,
      model: "command-a-03-2025",
      choices: [],
      usage,
    });
  }
  return out;
}

const TEXT_STREAM = chunks("29f14a5a-11de-4cae-9800-25e4747408ea", [
  [{ role: "assistant", content: "" }, null],
  [{ content: "Hello" }, null],
  [{ content: ", wörld 👋" }, null],
  [{ content: "! How can I help?" }, null],
  [{}, "stop"],
], { prompt_tokens: 69, completion_tokens: 9, total_tokens: 78 });

const TOOLS_STREAM = chunks("4b2d1d7a-3c5e-4f1a-9a9e-8c1f3d2a7b10", [
  [{ role: "assistant", content: "" }, null],
  [{ reasoning_content: "I will" }, null],
  [{ reasoning_content: " check the weather." }, null],
  [{
    tool_calls: [{
      index: 0,
      id: "get_weather_nsz5zm3w56q3",
      type: "function",
      function: { name: "get_weather", arguments: "" },
    }],
  }, null],
  [{ tool_calls: [{ index: 0, function: { arguments: '{"location":' } }] }, null],
  [{ tool_calls: [{ index: 0, function: { arguments: '"Toronto"}' } }] }, null],
  [{
    tool_calls: [{
      index: 1,
      id: "get_weather_ed2q8wfe0ccg",
      type: "function",
      function: { name: "get_weather", arguments: "" },
    }],
  }, null],
  [{ tool_calls: [{ index: 1, function: { arguments: '{"location":"Paris"}' } }] }, null],
  [{}, "tool_calls"],
], { prompt_tokens: 913, completion_tokens: 81, total_tokens: 994 });

function replay(pieces: Uint8Array[]): Promise<ChatCompletionChunk[]> {
  return collect(
    ReadableStream.from(pieces)
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(createSseDecoder())
      .pipeThrough(cohereAdapter.createStreamTransform(context({ stream: true }))),
  );
}

for (
  const c of [
    { name: "text", fixture: "cohere/text.stream.sse", expected: TEXT_STREAM },
    {
      name: "tool calls (trailing [DONE] tolerated)",
      fixture: "cohere/tools.stream.sse",
      expected: TOOLS_STREAM,
    },
  ]
) {
  Deno.test(`stream ${c.name} → exact chunks, whole, byte by byte and in random pieces`, async () => {
    const bytes = new TextEncoder().encode(await loadText(c.fixture));
    for (const pieces of [[bytes], rechunk(bytes, [1]), rechunk(bytes, randomSizes(11, 64, 29))]) {
      assert.deepEqual(await replay(pieces), c.expected);
    }
  });

  Deno.test(`stream ${c.name} → the same chunks when split at every byte boundary`, async () => {
    const bytes = new TextEncoder().encode(await loadText(c.fixture));
    for (let i = 1; i < bytes.length; i++) {
      assert.deepEqual(
        await replay([bytes.subarray(0, i), bytes.subarray(i)]),
        c.expected,
        `split at ${i}`,
      );
    }
  });
}

Deno.test("stream: thinking deltas → reasoning_content; events without `event:` lines work", async () => {
  const events = [
    { data: '{"type":"message-start","id":"t1","delta":{"message":{"role":"assistant"}}}' },
    {
      data:
        '{"type":"content-start","index":0,"delta":{"message":{"content":{"type":"thinking","thinking":""}}}}',
    },
    {
      data:
        '{"type":"content-delta","index":0,"delta":{"message":{"content":{"thinking":"Hmm."}}}}',
    },
    { data: '{"type":"content-end","index":0}' },
    { data: '{"type":"content-delta","index":1,"delta":{"message":{"content":{"text":"42"}}}}' },
    { data: '{"type":"citation-start","index":0,"delta":{"message":{"citations":{}}}}' },
    { data: '{"type":"debug","delta":{}}' },
    { data: '{"type":"message-end","delta":{"finish_reason":"MAX_TOKENS"}}' },
  ];
  const out = await collect(
    ReadableStream.from(events).pipeThrough(
      cohereAdapter.createStreamTransform(context({ stream: true })),
    ),
  );
  assert.deepEqual(
    out,
    chunks("t1", [
      [{ role: "assistant", content: "" }, null],
      [{ reasoning_content: "Hmm." }, null],
      [{ content: "42" }, null],
      [{}, "length"],
    ]),
  );
});

Deno.test("stream: ERROR finish, cut and malformed streams error with typed errors", async () => {
  const run = async (fixture: string) => {
    const seen: ChatCompletionChunk[] = [];
    const bytes = new TextEncoder().encode(await loadText(fixture));
    const err = await rejection((async () => {
      for await (
        const chunk of ReadableStream.from([bytes])
          .pipeThrough(new TextDecoderStream())
          .pipeThrough(createSseDecoder())
          .pipeThrough(cohereAdapter.createStreamTransform(context({ stream: true })))
      ) seen.push(chunk);
    })());
    return { err, seen };
  };
  const failed = await run("cohere/stream_error.stream.sse");
  assert.ok(failed.err instanceof InternalServerError);
  assert.equal(failed.err.code, "error");
  assert.equal(
    failed.err.upstreamMessage,
    "internal server error, this has been reported to our developers",
  );
  assert.deepEqual(failed.seen.map((c) => c.choices[0].delta.content), ["", "Partial"]);
  const cut = await run("cohere/cut.stream.sse");
  assert.ok(cut.err instanceof APIConnectionError);
  assert.match(cut.err.message, /no message-end/);
  const malformed = await run("cohere/malformed.stream.sse");
  assert.ok(malformed.err instanceof APIConnectionError);
  assert.match(malformed.err.message, /malformed JSON/);
});

// ---------------------------------------------------------------------------
// 4. Errors
// ---------------------------------------------------------------------------

const ERROR_CASES: {
  fixture: string;
  cls: typeof LLMuxError;
  status: number;
  code: string | null;
}[] = [
  {
    fixture: "too_many_tokens",
    cls: ContextWindowExceededError,
    status: 400,
    code: "context_length_exceeded",
  },
  { fixture: "bad_request", cls: BadRequestError, status: 400, code: null },
  { fixture: "unauthorized", cls: AuthenticationError, status: 401, code: "invalid_api_key" },
  { fixture: "payment_required", cls: RateLimitError, status: 429, code: "insufficient_quota" },
  { fixture: "forbidden", cls: PermissionDeniedError, status: 403, code: null },
  { fixture: "not_found", cls: NotFoundError, status: 404, code: "model_not_found" },
  { fixture: "unprocessable", cls: BadRequestError, status: 422, code: null },
  { fixture: "rate_limited", cls: RateLimitError, status: 429, code: "rate_limit_exceeded" },
  { fixture: "invalid_token", cls: AuthenticationError, status: 401, code: "invalid_api_key" },
  { fixture: "cancelled", cls: APIConnectionError, status: 499, code: "request_cancelled" },
  { fixture: "server_error", cls: InternalServerError, status: 500, code: null },
  { fixture: "not_implemented", cls: InternalServerError, status: 500, code: null },
  { fixture: "unavailable", cls: ServiceUnavailableError, status: 503, code: null },
  { fixture: "gateway_timeout", cls: TimeoutError, status: 408, code: null },
];

for (const c of ERROR_CASES) {
  Deno.test(`mapCohereError(): ${c.fixture} → ${c.cls.name} ${c.status}`, async () => {
    const fixture = await loadJson<{ status: number; body: { message: string } }>(
      `cohere/${c.fixture}.error.json`,
    );
    const err = mapCohereError(fixture.status, fixture.body, {
      provider: "cohere",
      model: MODEL,
      headers: new Headers(),
    });
    assert.ok(err instanceof c.cls, `${err.name} is not ${c.cls.name}`);
    assert.equal(err.status, c.status);
    assert.equal(err.code, c.code);
    assert.equal(err.upstreamMessage, fixture.body.message);
    assert.equal(err.upstreamStatus, fixture.status);
  });
}

// ---------------------------------------------------------------------------
// 5. Embeddings
// ---------------------------------------------------------------------------

Deno.test("toCohereEmbedRequest() defaults input_type to search_document", async () => {
  const ctx = { model: "embed-v4.0", provider: "cohere", requestedModel: "cohere/embed-v4.0" };
  assert.deepEqual(
    toCohereEmbedRequest({ model: "cohere/embed-v4.0", input: ["hello", "goodbye"] }, ctx),
    await loadJson("cohere/embed.request.json"),
  );
  assert.deepEqual(
    toCohereEmbedRequest({
      model: "x",
      input: "query",
      input_type: "search_query",
      dimensions: 256,
      truncate: "END",
    }, ctx),
    {
      model: "embed-v4.0",
      texts: ["query"],
      input_type: "search_query",
      embedding_types: ["float"],
      output_dimension: 256,
      truncate: "END",
    },
  );
  assert.throws(() => toCohereEmbedRequest({ model: "x", input: [[1, 2]] }, ctx), BadRequestError);
  const body = await loadJson("cohere/embed.response.json");
  const out = fromCohereEmbedResponse(body, { ...ctx }, { model: "x", input: ["a", "b"] });
  assert.deepEqual(out, {
    object: "list",
    data: [
      {
        object: "embedding",
        index: 0,
        embedding: [0.016296387, -0.008354187, -0.04699707, -0.07104492],
      },
      {
        object: "embedding",
        index: 1,
        embedding: [-0.0070610046, 0.0135269165, 0.0057678223, -0.047302246],
      },
    ],
    model: "embed-v4.0",
    usage: { prompt_tokens: 2, total_tokens: 2 },
  });
  const b64 = fromCohereEmbedResponse(body, ctx, {
    model: "x",
    input: ["a", "b"],
    encoding_format: "base64",
  });
  assert.equal(typeof b64.data[1].embedding, "string");
  assert.throws(
    () => fromCohereEmbedResponse({ embeddings: {} }, ctx, { model: "x", input: "a" }),
    APIConnectionError,
  );
});

// ---------------------------------------------------------------------------
// 6. End to end through completion() / embedding()
// ---------------------------------------------------------------------------

Deno.test("completion() answers text through the fake", async () => {
  await using fake = startCohereFake({ apiKey: KEY });
  const res = await completion({
    model: MODEL,
    messages: [
      { role: "system", content: "You are a helpful assistant." },
      { role: "user", content: "Tell me about LLMs" },
    ],
    temperature: 0.3,
    max_tokens: 200,
    top_p: 0.8,
    stop: ["\n\nUser:"],
    seed: 42,
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  assert.deepEqual(res, TEXT_COMPLETION);
  const sent = fake.requests[0];
  assert.equal(sent.path, "/v2/chat");
  assert.equal(sent.headers["authorization"], `Bearer ${KEY}`);
  assert.deepEqual(sent.body, await loadJson("cohere/text.request.json"));
});

Deno.test("completion() calls tools and sends results back as tool messages", async () => {
  await using fake = startCohereFake({ apiKey: KEY });
  const messages: ChatCompletionRequest["messages"] = [
    { role: "user", content: "What's the weather in Toronto and Paris?" },
  ];
  const first = await completion({
    model: MODEL,
    messages,
    tools: [WEATHER_TOOL],
    tool_choice: "required",
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  assert.deepEqual(first, TOOLS_COMPLETION);
  assert.deepEqual(fake.requests[0].body, await loadJson("cohere/tools.request.json"));

  const calls = first.choices[0].message.tool_calls!;
  const second = await completion({
    model: MODEL,
    messages: [
      ...messages,
      { role: "assistant", content: null, tool_calls: calls },
      { role: "tool", tool_call_id: calls[0].id, content: '{"temperature":"20C"}' },
      { role: "tool", tool_call_id: calls[1].id, content: '{"temperature":"24C"}' },
    ],
    tools: [WEATHER_TOOL],
    api_key: KEY,
    api_base: fake.url,
    extra_headers: { "x-fake-scenario": "text" },
  }, deps());
  assert.equal(second.choices[0].finish_reason, "stop");
  assert.deepEqual((fake.requests[1].body as CohereChatRequest).messages.slice(1), [
    { role: "assistant", tool_calls: calls },
    { role: "tool", tool_call_id: "get_weather_1byjy32y4hvq", content: '{"temperature":"20C"}' },
    { role: "tool", tool_call_id: "get_weather_m3mq2v8ecbaz", content: '{"temperature":"24C"}' },
  ]);
});

Deno.test("completion() streams text with include_usage; tool calls without it", async () => {
  await using fake = startCohereFake({ apiKey: KEY });
  const text = await completion({
    model: MODEL,
    messages: [{ role: "user", content: "Hello" }],
    stream: true,
    stream_options: { include_usage: true },
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  assert.deepEqual(
    await collect(text),
    TEXT_STREAM.map((c) => c.choices.length === 0 ? c : { ...c, usage: null }),
  );
  assert.equal((fake.requests[0].body as { stream: boolean }).stream, true);
  const tools = await completion({
    model: MODEL,
    messages: [{ role: "user", content: "Weather?" }],
    tools: [WEATHER_TOOL],
    stream: true,
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  assert.deepEqual(await collect(tools), TOOLS_STREAM.slice(0, -1));
  assert.deepEqual(tools.usage, { prompt_tokens: 913, completion_tokens: 81, total_tokens: 994 });
});

Deno.test("completion() reads CO_API_KEY and COHERE_API_BASE; cohere_chat/ is an alias", async () => {
  await using fake = startCohereFake({ apiKey: KEY });
  const env = (name: string) => ({ CO_API_KEY: KEY, COHERE_API_BASE: fake.url })[name];
  const res = await completion({
    model: "cohere_chat/command-a-03-2025",
    messages: [{ role: "user", content: "Hi" }],
  }, deps(env));
  assert.equal(res.model, "command-a-03-2025");
  assert.equal(fake.requests[0].headers["authorization"], `Bearer ${KEY}`);
});

Deno.test("completion() rejects params Cohere cannot honour unless drop_params is set", async () => {
  await using fake = startCohereFake({ apiKey: KEY, scenario: "text" });
  for (
    const extra of [{ n: 2 }, { user: "u1" }, { parallel_tool_calls: false }, { logprobs: true }]
  ) {
    const err = await rejection(
      completion({
        model: MODEL,
        messages: [{ role: "user", content: "Hi" }],
        api_key: KEY,
        api_base: fake.url,
        ...extra,
      }, deps()),
    );
    assert.ok(err instanceof UnsupportedParamsError, JSON.stringify(extra));
  }
  await completion({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    n: 2,
    user: "u1",
    drop_params: true,
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  assert.deepEqual(fake.requests.at(-1)!.body, {
    model: "command-a-03-2025",
    messages: [{ role: "user", content: "Hi" }],
  });
});

Deno.test("completion() maps the fake's errors; the key never leaks", async (t) => {
  await using fake = startCohereFake({ apiKey: KEY });
  const base = {
    model: MODEL,
    messages: [{ role: "user" as const, content: "Hi" }],
    api_base: fake.url,
  };
  await t.step("wrong key → AuthenticationError", async () => {
    const wrong = "co-wrong-key-fedcba9876543210";
    const err = await rejection(completion({ ...base, api_key: wrong }, deps()));
    assert.ok(err instanceof AuthenticationError);
    assert.ok(!err.message.includes(wrong) && !JSON.stringify(err).includes(wrong));
  });
  await t.step("unknown model → NotFoundError", async () => {
    const err = await rejection(
      completion({ ...base, model: "cohere/command-z", api_key: KEY }, deps()),
    );
    assert.ok(err instanceof NotFoundError);
    assert.match(err.message, /model 'command-z' not found/);
  });
  await t.step("missing key → AuthenticationError naming COHERE_API_KEY", async () => {
    const err = await rejection(completion(base, deps()));
    assert.ok(err instanceof AuthenticationError);
    assert.match(err.message, /COHERE_API_KEY \(or CO_API_KEY\)/);
  });
  const scenarios: [string, typeof LLMuxError, number][] = [
    ["too_many_tokens", ContextWindowExceededError, 400],
    ["rate_limited", RateLimitError, 429],
    ["invalid_token", AuthenticationError, 401],
    ["unavailable", ServiceUnavailableError, 503],
  ];
  for (const [scenario, cls, status] of scenarios) {
    await t.step(`${scenario} → ${cls.name}`, async () => {
      const err = await rejection(completion({
        ...base,
        api_key: KEY,
        extra_headers: { "x-fake-scenario": scenario },
      }, deps()));
      assert.ok(err instanceof cls, `${err.name} is not ${cls.name}`);
      assert.equal(err.status, status);
      assert.ok(!JSON.stringify(err).includes(KEY));
    });
  }
});

Deno.test("completion() fails a mid-stream ERROR and a reset connection with typed errors", async () => {
  await using fake = startCohereFake({ apiKey: KEY });
  for (
    const [scenario, cls] of [["stream_error", InternalServerError], [
      "cut_reset",
      APIConnectionError,
    ]] as const
  ) {
    const stream = await completion({
      model: MODEL,
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      api_key: KEY,
      api_base: fake.url,
      extra_headers: { "x-fake-scenario": scenario },
    }, deps());
    const err = await rejection(collect(stream));
    assert.ok(err instanceof cls, `${scenario}: ${err.name}`);
  }
});

Deno.test("embedding() embeds through the fake with input_type search_document", async () => {
  await using fake = startCohereFake({ apiKey: KEY });
  const res = await embedding({
    model: "cohere/embed-v4.0",
    input: ["hello", "goodbye"],
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  assert.equal(res.data.length, 2);
  assert.deepEqual(res.usage, { prompt_tokens: 2, total_tokens: 2 });
  assert.equal(fake.requests[0].path, "/v2/embed");
  assert.deepEqual(fake.requests[0].body, await loadJson("cohere/embed.request.json"));
  await embedding({
    model: "cohere/embed-v4.0",
    input: "what is an LLM?",
    input_type: "search_query",
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  assert.equal((fake.requests[1].body as { input_type: string }).input_type, "search_query");
});
