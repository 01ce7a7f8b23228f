/**
 * Gemini adapter: pure translation (request body, response, stream, errors,
 * embeddings) and end-to-end calls through `completion()` / `embedding()`
 * against the fake Gemini API on 127.0.0.1.
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
  cleanGeminiSchema,
  fromGeminiEmbedResponse,
  fromGeminiResponse,
  geminiAdapter,
  type GeminiContent,
  type GeminiGenerateContentRequest,
  mapGeminiError,
  mapGeminiFinishReason,
  parseGeminiRetryDelay,
  toGeminiEmbedCall,
  toGeminiRequest,
  toGeminiToolConfig,
} from "../../src/providers/gemini/mod.ts";
import type { RequestContext } from "../../src/providers/types.ts";
import { createSseDecoder } from "../../src/_sse.ts";
import { sequentialIds } from "../../src/_ids.ts";
import { collect, loadJson, loadText, randomSizes, rechunk } from "../_fixtures.ts";
import { startGeminiFake } from "../fakes/gemini.ts";

const KEY = "AIzaSyTEST-gemini-key-0123456789abcdefXYZ";
const NOW = 1730000000000;
const CREATED = 1730000000;

function deps() {
  return { now: () => NOW, generateId: sequentialIds() };
}

function context(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    provider: "gemini",
    model: "gemini-2.5-flash",
    requestedModel: "gemini/gemini-2.5-flash",
    apiKey: KEY,
    apiBase: "https://generativelanguage.googleapis.com",
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

function request(body: Partial<ChatCompletionRequest>): ChatCompletionRequest {
  return {
    model: "gemini/gemini-2.5-flash",
    messages: [{ role: "user", content: "Hi" }],
    ...body,
  };
}

const USER_HI: GeminiContent = { role: "user", parts: [{ text: "Hi" }] };

// ---------------------------------------------------------------------------
// 1. Pure translation: request
// ---------------------------------------------------------------------------

const REQUEST_CASES: {
  name: string;
  request: Partial<ChatCompletionRequest>;
  expected: GeminiGenerateContentRequest;
}[] = [
  {
    name: "hoists system and developer messages into systemInstruction",
    request: {
      messages: [
        { role: "system", content: "You are terse." },
        { role: "developer", content: [{ type: "text", text: "Answer in French." }] },
        { role: "user", content: "Hi" },
      ],
    },
    expected: {
      contents: [USER_HI],
      systemInstruction: { parts: [{ text: "You are terse." }, { text: "Answer in French." }] },
    },
  },
  {
    name: "sends assistant turns with role model and merges consecutive turns",
    request: {
      messages: [
        { role: "user", content: "Hi" },
        { role: "user", content: [{ type: "text", text: "Anyone there?" }] },
        { role: "assistant", content: "Hello!" },
        { role: "assistant", content: "" },
        { role: "user", content: "Bye" },
      ],
    },
    expected: {
      contents: [
        { role: "user", parts: [{ text: "Hi" }, { text: "Anyone there?" }] },
        { role: "model", parts: [{ text: "Hello!" }] },
        { role: "user", parts: [{ text: "Bye" }] },
      ],
    },
  },
  {
    name: "sends data URLs inline and other URLs as fileData with a guessed MIME type",
    request: {
      messages: [{
        role: "user",
        content: [
          { type: "text", text: "Compare these" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "image_url", image_url: { url: "https://example.com/cat.JPG?x=1" } },
          { type: "image_url", image_url: { url: "https://example.com/render" } },
          { type: "image_url", image_url: { url: "gs://bucket/a.webp" } },
          { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
          { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=" } },
          {
            type: "file",
            file: { file_id: "https://generativelanguage.googleapis.com/v1beta/files/abc" },
          },
        ],
      }],
    },
    expected: {
      contents: [{
        role: "user",
        parts: [
          { text: "Compare these" },
          { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } },
          { fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/cat.JPG?x=1" } },
          { fileData: { fileUri: "https://example.com/render" } },
          { fileData: { mimeType: "image/webp", fileUri: "gs://bucket/a.webp" } },
          { inlineData: { mimeType: "audio/wav", data: "UklGRg==" } },
          { inlineData: { mimeType: "application/pdf", data: "JVBERi0=" } },
          { fileData: { fileUri: "https://generativelanguage.googleapis.com/v1beta/files/abc" } },
        ],
      }],
    },
  },
  {
    name: "declares functions with cleaned schemas and maps tool_choice",
    request: {
      tools: [
        {
          type: "function",
          function: {
            name: "lookup",
            description: "Look a record up",
            strict: true,
            parameters: {
              $schema: "http://json-schema.org/draft-07/schema#",
              type: "object",
              properties: {
                id: { type: "integer", format: "int64", exclusiveMinimum: 0 },
                when: { type: ["string", "null"], format: "date-time" },
                email: { type: "string", format: "email" },
                owner: { $ref: "#/$defs/person", description: "Who owns it" },
                kind: { const: "record" },
                size: { enum: [1, 2, null] },
              },
              required: ["id", "ghost"],
              additionalProperties: false,
              $defs: {
                person: {
                  type: "object",
                  properties: { name: { type: "string" } },
                  additionalProperties: false,
                },
              },
            },
          },
        },
        { type: "function", function: { name: "ping", parameters: { type: "object" } } },
        {
          type: "function",
          function: { name: "noop", parameters: { type: "object", properties: {} } },
        },
      ],
      tool_choice: { type: "function", function: { name: "lookup" } },
    },
    expected: {
      contents: [USER_HI],
      tools: [{
        functionDeclarations: [
          {
            name: "lookup",
            description: "Look a record up",
            parameters: {
              type: "object",
              properties: {
                id: { type: "integer", format: "int64" },
                when: { type: "string", format: "date-time", nullable: true },
                email: { type: "string" },
                owner: {
                  type: "object",
                  properties: { name: { type: "string" } },
                  description: "Who owns it",
                },
                kind: { enum: ["record"] },
                size: { enum: ["1", "2"], nullable: true },
              },
              required: ["id"],
            },
          },
          { name: "ping" },
          { name: "noop" },
        ],
      }],
      toolConfig: { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["lookup"] } },
    },
  },
  {
    name: "turns tool calls and results into functionCall and functionResponse parts",
    request: {
      messages: [
        { role: "user", content: "Weather in Boston and Paris?" },
        {
          role: "assistant",
          content: null,
          tool_calls: [
            {
              id: "call_a",
              type: "function",
              function: { name: "get_weather", arguments: '{"location":"Boston"}' },
              provider_specific_fields: { thought_signature: "sigA" },
            } as never,
            {
              id: "call_b__thought__sigB",
              type: "function",
              function: { name: "get_weather", arguments: "" },
            },
          ],
        },
        { role: "tool", tool_call_id: "call_a", content: '{"temp":"18C"}' },
        { role: "tool", tool_call_id: "call_b__thought__sigB", content: "[1,2]" },
        { role: "function", name: "legacy", content: "plain text" },
        { role: "user", content: "Thanks" },
      ],
    },
    expected: {
      contents: [
        { role: "user", parts: [{ text: "Weather in Boston and Paris?" }] },
        {
          role: "model",
          parts: [
            {
              functionCall: { name: "get_weather", args: { location: "Boston" } },
              thoughtSignature: "sigA",
            },
            { functionCall: { name: "get_weather", args: {} }, thoughtSignature: "sigB" },
          ],
        },
        {
          role: "user",
          parts: [
            { functionResponse: { name: "get_weather", response: { temp: "18C" } } },
            { functionResponse: { name: "get_weather", response: { result: "[1,2]" } } },
            { functionResponse: { name: "legacy", response: { result: "plain text" } } },
          ],
        },
        { role: "user", parts: [{ text: "Thanks" }] },
      ],
    },
  },
  {
    name: "fills generationConfig from the sampling fields and extensions",
    request: {
      temperature: 0.3,
      top_p: 0.9,
      top_k: 40,
      max_tokens: 100,
      max_completion_tokens: 200,
      stop: "END",
      n: 2,
      seed: 7,
      presence_penalty: 0.1,
      frequency_penalty: 0.2,
      logprobs: true,
      top_logprobs: 3,
      safety_settings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_ONLY_HIGH" }],
    },
    expected: {
      contents: [USER_HI],
      safetySettings: [{ category: "HARM_CATEGORY_HARASSMENT", threshold: "BLOCK_ONLY_HIGH" }],
      generationConfig: {
        temperature: 0.3,
        topP: 0.9,
        topK: 40,
        maxOutputTokens: 200,
        stopSequences: ["END"],
        candidateCount: 2,
        seed: 7,
        presencePenalty: 0.1,
        frequencyPenalty: 0.2,
        responseLogprobs: true,
        logprobs: 3,
      },
    },
  },
  {
    name: "maps json_object to a JSON MIME type",
    request: { response_format: { type: "json_object" }, max_tokens: 10, stop: ["a", "b"] },
    expected: {
      contents: [USER_HI],
      generationConfig: {
        maxOutputTokens: 10,
        stopSequences: ["a", "b"],
        responseMimeType: "application/json",
      },
    },
  },
  {
    name: "maps json_schema to responseSchema (cleaned)",
    request: {
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "recipes",
          strict: true,
          schema: {
            type: "array",
            items: {
              type: "object",
              properties: {
                recipeName: { type: "string" },
                tags: { anyOf: [{ type: "array", items: { type: "string" } }, { type: "null" }] },
              },
              required: ["recipeName"],
              additionalProperties: false,
            },
          },
        },
      },
    },
    expected: {
      contents: [USER_HI],
      generationConfig: {
        responseMimeType: "application/json",
        responseSchema: {
          type: "array",
          items: {
            type: "object",
            properties: {
              recipeName: { type: "string" },
              tags: { type: "array", items: { type: "string" }, nullable: true },
            },
            required: ["recipeName"],
          },
        },
      },
    },
  },
  {
    name: "sends a chat of only system messages as one user turn",
    request: { messages: [{ role: "system", content: "Say hi" }] },
    expected: { contents: [{ role: "user", parts: [{ text: "Say hi" }] }] },
  },
];

for (const c of REQUEST_CASES) {
  Deno.test(`toGeminiRequest() ${c.name}`, () => {
    assert.deepEqual(toGeminiRequest(request(c.request)), c.expected);
  });
}

const EFFORT_CASES = [
  ["none", { thinkingBudget: 0 }],
  ["minimal", { thinkingBudget: 1024, includeThoughts: true }],
  ["low", { thinkingBudget: 1024, includeThoughts: true }],
  ["medium", { thinkingBudget: 2048, includeThoughts: true }],
  ["high", { thinkingBudget: 4096, includeThoughts: true }],
  ["xhigh", { thinkingBudget: 8192, includeThoughts: true }],
] as const;

Deno.test("toGeminiRequest() maps reasoning_effort to thinkingConfig", () => {
  for (const [effort, thinkingConfig] of EFFORT_CASES) {
    const body = toGeminiRequest(request({ reasoning_effort: effort }));
    assert.deepEqual(body.generationConfig, { thinkingConfig }, effort);
  }
});

Deno.test("toGeminiToolConfig() covers every tool_choice form", () => {
  const cases = [
    ["auto", { functionCallingConfig: { mode: "AUTO" } }],
    ["required", { functionCallingConfig: { mode: "ANY" } }],
    ["none", { functionCallingConfig: { mode: "NONE" } }],
    [
      { type: "function", function: { name: "f" } },
      { functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["f"] } },
    ],
  ] as const;
  for (const [choice, expected] of cases) assert.deepEqual(toGeminiToolConfig(choice), expected);
});

Deno.test("toGeminiRequest() ignores tool_choice without tools", () => {
  assert.deepEqual(toGeminiRequest(request({ tool_choice: "none" })), { contents: [USER_HI] });
});

Deno.test("toGeminiRequest() rejects what Gemini cannot be sent", () => {
  const cases: [string, Partial<ChatCompletionRequest>, string][] = [
    [
      "unknown tool_call_id",
      { messages: [{ role: "tool", tool_call_id: "nope", content: "x" }] },
      "messages.0.tool_call_id",
    ],
    [
      "invalid arguments JSON",
      {
        messages: [{
          role: "assistant",
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "{oops" } }],
        }],
      },
      "messages.0.tool_calls.0",
    ],
    [
      "non-object arguments",
      {
        messages: [{
          role: "assistant",
          tool_calls: [{ id: "c", type: "function", function: { name: "f", arguments: "[1]" } }],
        }],
      },
      "messages.0.tool_calls.0",
    ],
    [
      "data URL that is not base64",
      {
        messages: [{
          role: "user",
          content: [{ type: "image_url", image_url: { url: "data:text/plain,hello" } }],
        }],
      },
      "messages.0.content.0",
    ],
  ];
  for (const [name, req, param] of cases) {
    assert.throws(() => toGeminiRequest(request(req), { model: "gemini/x" }), (err) => {
      assert.ok(err instanceof BadRequestError, name);
      assert.equal(err.param, param, name);
      assert.equal(err.provider, "gemini");
      assert.equal(err.model, "gemini/x");
      return true;
    });
  }
});

Deno.test("cleanGeminiSchema() handles recursion, allOf, oneOf and unknown keys", () => {
  const schema = {
    type: "object",
    properties: {
      tree: { $ref: "#/definitions/node" },
      mixed: { oneOf: [{ type: "string" }, { type: "number" }] },
      merged: {
        allOf: [
          { type: "object", properties: { a: { type: "string" } }, required: ["a"] },
          { properties: { b: { type: "number", format: "double" } }, required: ["b"] },
        ],
      },
      tuple: { type: "array", items: [{ type: "string" }], minItems: 1, uniqueItems: true },
    },
    definitions: {
      node: {
        type: "object",
        properties: { children: { type: "array", items: { $ref: "#/definitions/node" } } },
      },
    },
  };
  assert.deepEqual(cleanGeminiSchema(schema), {
    type: "object",
    properties: {
      tree: {
        type: "object",
        properties: { children: { type: "array", items: { type: "object" } } },
      },
      mixed: { anyOf: [{ type: "string" }, { type: "number" }] },
      merged: {
        type: "object",
        properties: { a: { type: "string" }, b: { type: "number", format: "double" } },
        required: ["a", "b"],
      },
      tuple: { type: "array", items: { type: "string" }, minItems: 1 },
    },
  });
});

Deno.test("geminiAdapter.buildRequest() builds URL and headers", () => {
  const req = request({});
  const cases: [Partial<RequestContext>, string][] = [
    [
      {},
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent",
    ],
    [
      { model: "models/gemini-2.5-flash", stream: true },
      "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
    ],
    [
      { apiBase: "http://127.0.0.1:9/v1beta" },
      "http://127.0.0.1:9/v1beta/models/gemini-2.5-flash:generateContent",
    ],
    [
      { model: "tunedModels/my-tune", apiBase: "http://proxy.test:8080" },
      "http://proxy.test:8080/v1beta/tunedModels/my-tune:generateContent",
    ],
  ];
  for (const [overrides, url] of cases) {
    assert.equal(geminiAdapter.buildRequest(req, context(overrides)).url, url);
  }
  const built = geminiAdapter.buildRequest(
    req,
    context({ extraHeaders: { "x-goog-user-project": "p1", "x-goog-api-key": "override" } }),
  );
  assert.deepEqual(built.headers, {
    "content-type": "application/json",
    "x-goog-api-key": "override",
    "x-goog-user-project": "p1",
  });
  assert.deepEqual(JSON.parse(built.body!), { contents: [USER_HI] });
  assert.equal(built.method, undefined);
});

Deno.test("geminiAdapter metadata honours the contract", () => {
  assert.equal(geminiAdapter.id, "gemini");
  assert.deepEqual(geminiAdapter.apiKeyEnv, ["GEMINI_API_KEY", "GOOGLE_API_KEY"]);
  assert.deepEqual(geminiAdapter.apiBaseEnv, ["GEMINI_API_BASE"]);
  assert.equal(geminiAdapter.defaultApiBase, "https://generativelanguage.googleapis.com");
  assert.equal(geminiAdapter.streamFraming, "sse");
  for (const p of ["user", "parallel_tool_calls", "logit_bias", "metadata", "functions"]) {
    assert.ok(!geminiAdapter.supportedParams.has(p), p);
  }
  for (const p of ["temperature", "tools", "response_format", "reasoning_effort", "n"]) {
    assert.ok(geminiAdapter.supportedParams.has(p), p);
  }
});

// ---------------------------------------------------------------------------
// 1. Pure translation: response
// ---------------------------------------------------------------------------

function completionOf(
  id: string,
  model: string,
  choices: ChatCompletion["choices"],
  usage?: ChatCompletion["usage"],
): ChatCompletion {
  const out: ChatCompletion = { id, object: "chat.completion", created: CREATED, model, choices };
  if (usage) out.usage = usage;
  return out;
}

const RESPONSE_CASES: { fixture: string; expected: ChatCompletion }[] = [
  {
    fixture: "text",
    expected: completionOf("Bbz0aOvKNpSlvdIPwcPmqAQ", "gemini-2.5-flash", [{
      index: 0,
      message: {
        role: "assistant",
        content: "AI learns patterns from examples and uses them to make predictions on new data.",
      },
      logprobs: null,
      finish_reason: "stop",
    }], {
      prompt_tokens: 8,
      completion_tokens: 37,
      total_tokens: 45,
      completion_tokens_details: { reasoning_tokens: 21 },
    }),
  },
  {
    fixture: "tools",
    expected: completionOf("8r30aNuBBb6pvdIP3uCF0AE", "gemini-2.5-flash", [{
      index: 0,
      message: {
        role: "assistant",
        content: null,
        tool_calls: [
          {
            id: "call_id0001",
            type: "function",
            function: { name: "get_weather", arguments: '{"location":"Boston, MA"}' },
            provider_specific_fields: { thought_signature: "CqQCAdHtim9sigBoston" },
          } as never,
          {
            id: "call_id0002",
            type: "function",
            function: {
              name: "get_weather",
              arguments: '{"location":"Paris, France","unit":"celsius"}',
            },
          },
        ],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    }], {
      prompt_tokens: 74,
      completion_tokens: 86,
      total_tokens: 160,
      completion_tokens_details: { reasoning_tokens: 48 },
    }),
  },
  {
    fixture: "image",
    expected: completionOf("lb_0aMqJHYq7vdIPlpTYiAo", "gemini-2.5-flash", [{
      index: 0,
      message: {
        role: "assistant",
        content: "The image shows a ginger cat sleeping on a blue sofa.",
      },
      logprobs: null,
      finish_reason: "stop",
    }], { prompt_tokens: 265, completion_tokens: 13, total_tokens: 278 }),
  },
  {
    fixture: "json_mode",
    expected: completionOf("v8D0aJ2xMb2tvdIPu7yPwAU", "gemini-2.5-flash", [{
      index: 0,
      message: {
        role: "assistant",
        content:
          '[{"recipeName": "Chocolate Chip Cookies", "ingredients": ["flour", "butter", "sugar", "chocolate chips"]}]',
      },
      logprobs: null,
      finish_reason: "stop",
    }], { prompt_tokens: 12, completion_tokens: 27, total_tokens: 39 }),
  },
  {
    fixture: "thinking",
    expected: completionOf("4cH0aLy3NPWsvdIP8KeUsAo", "gemini-2.5-pro", [{
      index: 0,
      message: {
        role: "assistant",
        content: 'There are 3 r\'s in "strawberry".',
        reasoning_content:
          "**Counting the letters**\n\nI spell out strawberry and count each r: there are three.",
      },
      logprobs: null,
      finish_reason: "stop",
    }], {
      prompt_tokens: 11,
      completion_tokens: 361,
      total_tokens: 372,
      completion_tokens_details: { reasoning_tokens: 350 },
    }),
  },
  {
    fixture: "safety",
    expected: completionOf("N8L0aK-xDJCgvdIP_YyP8Q8", "gemini-2.5-flash", [{
      index: 0,
      message: { role: "assistant", content: null },
      logprobs: null,
      finish_reason: "content_filter",
    }], { prompt_tokens: 9, completion_tokens: 0, total_tokens: 9 }),
  },
  {
    fixture: "blocked",
    expected: completionOf("o8L0aLnXBPqqvdIPkoT_6Qs", "gemini-2.5-flash", [{
      index: 0,
      message: { role: "assistant", content: null },
      logprobs: null,
      finish_reason: "content_filter",
    }], { prompt_tokens: 7, completion_tokens: 0, total_tokens: 7 }),
  },
  {
    fixture: "usage",
    expected: completionOf("T8P0aPDzGLunvdIPo-_K2Ag", "gemini-2.5-flash", [{
      index: 0,
      message: { role: "assistant", content: "The contract renews on 1 March." },
      logprobs: null,
      finish_reason: "stop",
    }], {
      prompt_tokens: 4250,
      completion_tokens: 29,
      total_tokens: 4279,
      prompt_tokens_details: { cached_tokens: 4096 },
      completion_tokens_details: { reasoning_tokens: 20 },
    }),
  },
];

for (const c of RESPONSE_CASES) {
  Deno.test(`fromGeminiResponse() converts the ${c.fixture} fixture`, async () => {
    const body = await loadJson(`gemini/${c.fixture}.response.json`);
    assert.deepEqual(fromGeminiResponse(body, context()), c.expected);
  });
}

Deno.test("fromGeminiResponse() handles several candidates, logprobs and missing ids", () => {
  const res = fromGeminiResponse({
    candidates: [
      {
        content: { role: "model", parts: [{ text: "A" }, { text: "B" }] },
        finishReason: "MAX_TOKENS",
        logprobsResult: {
          topCandidates: [{
            candidates: [
              { token: "A", logProbability: -0.1 },
              { token: "Z", logProbability: -2.5 },
            ],
          }],
          chosenCandidates: [{ token: "A", logProbability: -0.1 }],
        },
      },
      {
        index: 1,
        content: { role: "model", parts: [{ functionCall: { id: "fc-1", name: "f" } }] },
        finishReason: "OTHER",
      },
    ],
  }, context({ model: "gemini-2.0-flash" }));
  assert.deepEqual(res, {
    id: "chatcmpl-id0001",
    object: "chat.completion",
    created: CREATED,
    model: "gemini-2.0-flash",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: "AB" },
        logprobs: {
          content: [{
            token: "A",
            logprob: -0.1,
            bytes: null,
            top_logprobs: [
              { token: "A", logprob: -0.1, bytes: null },
              { token: "Z", logprob: -2.5, bytes: null },
            ],
          }],
        },
        finish_reason: "length",
      },
      {
        index: 1,
        message: {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "fc-1", type: "function", function: { name: "f", arguments: "{}" } }],
        },
        logprobs: null,
        finish_reason: "tool_calls",
      },
    ],
  });
});

Deno.test("fromGeminiResponse() rejects bodies without candidates", () => {
  for (const body of [{}, "nope", null, { candidates: [] }]) {
    assert.throws(() => fromGeminiResponse(body, context()), APIConnectionError);
  }
});

Deno.test("mapGeminiFinishReason() maps every documented reason", () => {
  const cases: [string | undefined, boolean, string | null][] = [
    ["STOP", false, "stop"],
    ["STOP", true, "tool_calls"],
    ["MAX_TOKENS", true, "length"],
    ["SAFETY", false, "content_filter"],
    ["RECITATION", false, "content_filter"],
    ["BLOCKLIST", false, "content_filter"],
    ["PROHIBITED_CONTENT", false, "content_filter"],
    ["SPII", false, "content_filter"],
    ["IMAGE_SAFETY", false, "content_filter"],
    ["IMAGE_PROHIBITED_CONTENT", false, "content_filter"],
    ["IMAGE_RECITATION", false, "content_filter"],
    ["LANGUAGE", false, "stop"],
    ["OTHER", false, "stop"],
    ["MALFORMED_FUNCTION_CALL", false, "stop"],
    ["FINISH_REASON_UNSPECIFIED", false, "stop"],
    ["SOMETHING_NEW", false, "stop"],
    [undefined, false, null],
  ];
  for (const [reason, tools, expected] of cases) {
    assert.equal(mapGeminiFinishReason(reason, tools), expected, `${reason}/${tools}`);
  }
});

// ---------------------------------------------------------------------------
// 1. Pure translation: stream
// ---------------------------------------------------------------------------

function chunkOf(id: string, model: string) {
  return (choices: ChatCompletionChunk["choices"]): ChatCompletionChunk => ({
    id,
    object: "chat.completion.chunk",
    created: CREATED,
    model,
    choices,
  });
}

function usageChunk(id: string, model: string, usage: ChatCompletionChunk["usage"]) {
  return { ...chunkOf(id, model)([]), usage };
}

const ROLE = { role: "assistant", content: "" } as const;

const STREAM_CASES: { fixture: string; expected: ChatCompletionChunk[] }[] = (() => {
  const t = chunkOf("oMT0aJiXKJOlvdIP9O3tsQU", "gemini-2.5-flash");
  const f = chunkOf("ycT0aLfNDcWsvdIPsaq1sQ4", "gemini-2.5-flash");
  const r = chunkOf("5sT0aK2mAtWpvdIP_pPO0Ag", "gemini-2.5-pro");
  const b = chunkOf("E8X0aIuKLIKhvdIP1abDmAg", "gemini-2.5-flash");
  return [
    {
      fixture: "text",
      expected: [
        t([{ index: 0, delta: ROLE, finish_reason: null }]),
        t([{ index: 0, delta: { content: "Bonjour à tous" }, finish_reason: null }]),
        t([{ index: 0, delta: { content: " 👋, the quick brown fox" }, finish_reason: null }]),
        t([{ index: 0, delta: { content: " jumps over the lazy dog." }, finish_reason: null }]),
        t([{ index: 0, delta: {}, finish_reason: "stop" }]),
        usageChunk("oMT0aJiXKJOlvdIP9O3tsQU", "gemini-2.5-flash", {
          prompt_tokens: 9,
          completion_tokens: 28,
          total_tokens: 37,
          completion_tokens_details: { reasoning_tokens: 12 },
        }),
      ],
    },
    {
      fixture: "tools",
      expected: [
        f([{ index: 0, delta: ROLE, finish_reason: null }]),
        f([{ index: 0, delta: { content: "Let me check both cities." }, finish_reason: null }]),
        f([{
          index: 0,
          delta: {
            tool_calls: [
              {
                index: 0,
                id: "call_id0001",
                type: "function",
                function: { name: "get_weather", arguments: '{"location":"Boston, MA"}' },
                provider_specific_fields: { thought_signature: "CqQCAdHtim9sigBoston" },
              } as never,
              {
                index: 1,
                id: "call_id0002",
                type: "function",
                function: {
                  name: "get_weather",
                  arguments: '{"location":"Paris, France","unit":"celsius"}',
                },
              },
            ],
          },
          finish_reason: null,
        }]),
        f([{ index: 0, delta: {}, finish_reason: "tool_calls" }]),
        usageChunk("ycT0aLfNDcWsvdIPsaq1sQ4", "gemini-2.5-flash", {
          prompt_tokens: 74,
          completion_tokens: 92,
          total_tokens: 166,
          completion_tokens_details: { reasoning_tokens: 48 },
        }),
      ],
    },
    {
      fixture: "thinking",
      expected: [
        r([{ index: 0, delta: ROLE, finish_reason: null }]),
        r([{
          index: 0,
          delta: { reasoning_content: "**Counting the letters**\n\n" },
          finish_reason: null,
        }]),
        r([{ index: 0, delta: { reasoning_content: "I count three r's." }, finish_reason: null }]),
        r([{ index: 0, delta: { content: "There are 3 r's." }, finish_reason: null }]),
        r([{ index: 0, delta: {}, finish_reason: "stop" }]),
        usageChunk("5sT0aK2mAtWpvdIP_pPO0Ag", "gemini-2.5-pro", {
          prompt_tokens: 11,
          completion_tokens: 357,
          total_tokens: 368,
          completion_tokens_details: { reasoning_tokens: 350 },
        }),
      ],
    },
    {
      fixture: "blocked",
      expected: [
        b([{ index: 0, delta: ROLE, finish_reason: null }]),
        b([{ index: 0, delta: {}, finish_reason: "content_filter" }]),
        usageChunk("E8X0aIuKLIKhvdIP1abDmAg", "gemini-2.5-flash", {
          prompt_tokens: 7,
          completion_tokens: 0,
          total_tokens: 7,
        }),
      ],
    },
  ];
})();

const CHUNKINGS: [string, (bytes: Uint8Array) => Uint8Array[]][] = [
  ["whole", (bytes) => [bytes]],
  ["one byte at a time", (bytes) => rechunk(bytes, [1])],
  ["seeded random pieces (1)", (bytes) => rechunk(bytes, randomSizes(1, 64, 40))],
  ["seeded random pieces (42)", (bytes) => rechunk(bytes, randomSizes(42, 64, 7))],
];

async function replay(
  text: string,
  split: (bytes: Uint8Array) => Uint8Array[],
): Promise<{ chunks: ChatCompletionChunk[]; error: unknown }> {
  const ctx = context({ stream: true });
  const stream = ReadableStream.from(split(new TextEncoder().encode(text)))
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(createSseDecoder())
    .pipeThrough(geminiAdapter.createStreamTransform(ctx));
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks, error: undefined };
}

for (const c of STREAM_CASES) {
  Deno.test(`createGeminiStreamTransform() replays the ${c.fixture} stream`, async (t) => {
    const text = await loadText(`gemini/${c.fixture}.stream.sse`);
    assert.ok(text.includes("\r\n\r\n"), "fixture keeps CRLF separators");
    for (const [name, split] of CHUNKINGS) {
      await t.step(name, async () => {
        const { chunks, error } = await replay(text, split);
        assert.equal(error, undefined);
        assert.deepEqual(chunks, c.expected);
      });
    }
  });
}

const STREAM_FAILURES: {
  fixture: string;
  chunks: number;
  check: (error: unknown) => void;
}[] = [
  {
    fixture: "error_mid",
    chunks: 2,
    check(error) {
      assert.ok(error instanceof ServiceUnavailableError);
      assert.equal(error.status, 503);
      assert.equal(error.upstreamMessage, "The model is overloaded. Please try again later.");
      assert.equal(error.provider, "gemini");
    },
  },
  {
    fixture: "cut",
    chunks: 3,
    check(error) {
      assert.ok(error instanceof APIConnectionError);
      assert.match(error.message, /ended before the completion finished/);
    },
  },
  {
    fixture: "malformed",
    chunks: 2,
    check(error) {
      assert.ok(error instanceof APIConnectionError);
      assert.match(error.message, /malformed JSON/);
    },
  },
];

for (const c of STREAM_FAILURES) {
  Deno.test(`createGeminiStreamTransform() errors on the ${c.fixture} stream`, async (t) => {
    const text = await loadText(`gemini/${c.fixture}.stream.sse`);
    for (const [name, split] of CHUNKINGS) {
      await t.step(name, async () => {
        const { chunks, error } = await replay(text, split);
        assert.equal(chunks.length, c.chunks);
        c.check(error);
      });
    }
  });
}

Deno.test("createGeminiStreamTransform() streams several candidates and empty streams fail", async () => {
  const events = [
    {
      data: JSON.stringify({
        candidates: [
          { index: 0, content: { parts: [{ text: "A" }] } },
          { index: 1, content: { parts: [{ text: "B" }] }, finishReason: "MAX_TOKENS" },
        ],
      }),
    },
    { data: JSON.stringify({ candidates: [{ index: 0, finishReason: "STOP" }] }) },
  ];
  const ctx = context({ stream: true });
  const out = await collect(
    ReadableStream.from(events).pipeThrough(geminiAdapter.createStreamTransform(ctx)),
  );
  const c = chunkOf("chatcmpl-id0001", "gemini-2.5-flash");
  assert.deepEqual(out, [
    c([{ index: 0, delta: ROLE, finish_reason: null }]),
    c([{ index: 0, delta: { content: "A" }, finish_reason: null }]),
    c([{ index: 1, delta: ROLE, finish_reason: null }]),
    c([{ index: 1, delta: { content: "B" }, finish_reason: null }]),
    c([{ index: 1, delta: {}, finish_reason: "length" }]),
    c([{ index: 0, delta: {}, finish_reason: "stop" }]),
  ]);
  await assert.rejects(
    collect(ReadableStream.from([]).pipeThrough(geminiAdapter.createStreamTransform(ctx))),
    APIConnectionError,
  );
});

// ---------------------------------------------------------------------------
// 1. Pure translation: errors
// ---------------------------------------------------------------------------

interface ErrorFixture {
  status: number;
  headers: Record<string, string>;
  body: { error: { message: string } };
}

const ERROR_CASES: {
  fixture: string;
  cls: typeof LLMuxError;
  status: number;
  code: string | null;
  retryAfter?: number;
  headers?: Record<string, string>;
}[] = [
  { fixture: "bad_request", cls: BadRequestError, status: 400, code: null },
  { fixture: "api_key_invalid", cls: AuthenticationError, status: 401, code: "invalid_api_key" },
  {
    fixture: "context",
    cls: ContextWindowExceededError,
    status: 400,
    code: "context_length_exceeded",
  },
  { fixture: "failed_precondition", cls: BadRequestError, status: 400, code: null },
  { fixture: "unauthenticated", cls: AuthenticationError, status: 401, code: null },
  { fixture: "missing_key", cls: PermissionDeniedError, status: 403, code: null },
  { fixture: "permission_denied", cls: PermissionDeniedError, status: 403, code: null },
  { fixture: "not_found", cls: NotFoundError, status: 404, code: "model_not_found" },
  {
    fixture: "rate_limit",
    cls: RateLimitError,
    status: 429,
    code: "rate_limit_exceeded",
    retryAfter: 7,
  },
  {
    fixture: "rate_limit",
    cls: RateLimitError,
    status: 429,
    code: "rate_limit_exceeded",
    retryAfter: 3,
    headers: { "retry-after": "3" },
  },
  { fixture: "internal", cls: InternalServerError, status: 500, code: null },
  { fixture: "unavailable", cls: ServiceUnavailableError, status: 503, code: null },
  { fixture: "deadline", cls: TimeoutError, status: 408, code: null },
];

for (const c of ERROR_CASES) {
  const label = c.headers ? `${c.fixture} (retry-after header)` : c.fixture;
  Deno.test(`mapGeminiError() maps ${label}`, async () => {
    const fixture = await loadJson<ErrorFixture>(`gemini/${c.fixture}.error.json`);
    const err = mapGeminiError(fixture.status, fixture.body, {
      provider: "gemini",
      model: "gemini/gemini-2.5-flash",
      headers: new Headers(c.headers),
    });
    assert.equal(err.constructor, c.cls);
    assert.equal(err.status, c.status);
    assert.equal(err.code, c.code);
    assert.equal(err.upstreamStatus, fixture.status);
    assert.equal(err.upstreamMessage, fixture.body.error.message);
    assert.equal(err.message, `gemini error (${fixture.status}): ${fixture.body.error.message}`);
    assert.equal(err.provider, "gemini");
    assert.equal(err.model, "gemini/gemini-2.5-flash");
    assert.equal(err.retryAfter, c.retryAfter);
  });
}

Deno.test("mapGeminiError() reads array-wrapped and non-JSON bodies", () => {
  const ctx = { provider: "gemini", model: "m", headers: new Headers() };
  const wrapped = mapGeminiError(429, [{
    error: { code: 429, message: "Resource exhausted", status: "RESOURCE_EXHAUSTED" },
  }], ctx);
  assert.ok(wrapped instanceof RateLimitError);
  assert.equal(wrapped.upstreamMessage, "Resource exhausted");
  const text = mapGeminiError(502, "<html>Bad Gateway</html>", ctx);
  assert.ok(text instanceof InternalServerError);
  assert.equal(text.upstreamMessage, "<html>Bad Gateway</html>");
});

Deno.test("parseGeminiRetryDelay() reads protobuf durations", () => {
  const cases: [unknown, number | undefined][] = [
    ["7s", 7],
    ["0.5s", 0.5],
    ["36s", 36],
    ["7", undefined],
    ["soon", undefined],
    [7, undefined],
  ];
  for (const [value, expected] of cases) assert.equal(parseGeminiRetryDelay(value), expected);
});

// ---------------------------------------------------------------------------
// 1. Pure translation: embeddings
// ---------------------------------------------------------------------------

Deno.test("toGeminiEmbedCall() picks embedContent or batchEmbedContents", () => {
  assert.deepEqual(
    toGeminiEmbedCall(
      { model: "gemini/text-embedding-004", input: "hello", dimensions: 256 },
      "text-embedding-004",
    ),
    {
      method: "embedContent",
      body: { content: { parts: [{ text: "hello" }] }, outputDimensionality: 256 },
    },
  );
  assert.deepEqual(
    toGeminiEmbedCall(
      { model: "m", input: ["a", "b"], task_type: "RETRIEVAL_DOCUMENT" },
      "models/gemini-embedding-001",
    ),
    {
      method: "batchEmbedContents",
      body: {
        requests: [
          {
            model: "models/gemini-embedding-001",
            content: { parts: [{ text: "a" }] },
            taskType: "RETRIEVAL_DOCUMENT",
          },
          {
            model: "models/gemini-embedding-001",
            content: { parts: [{ text: "b" }] },
            taskType: "RETRIEVAL_DOCUMENT",
          },
        ],
      },
    },
  );
  for (const input of [[1, 2, 3], [[1, 2]], []]) {
    assert.throws(
      () => toGeminiEmbedCall({ model: "m", input: input as number[] }, "m"),
      BadRequestError,
    );
  }
});

Deno.test("fromGeminiEmbedResponse() converts single, batch and base64 answers", async () => {
  const ctx = context({ model: "text-embedding-004" });
  const single = await loadJson("gemini/embed_single.response.json");
  assert.deepEqual(fromGeminiEmbedResponse(single, ctx, { model: "m", input: "x" }), {
    object: "list",
    data: [{
      object: "embedding",
      index: 0,
      embedding: [0.013168523, -0.008711934, -0.046782676, 0.000699695],
    }],
    model: "text-embedding-004",
    usage: { prompt_tokens: 0, total_tokens: 0 },
  });
  const batch = await loadJson("gemini/embed_batch.response.json");
  const out = fromGeminiEmbedResponse(batch, ctx, { model: "m", input: ["a", "b"] });
  assert.deepEqual(out.data.map((d) => d.index), [0, 1]);
  const b64 = fromGeminiEmbedResponse(
    { embedding: { values: [1, -2] } },
    ctx,
    { model: "m", input: "x", encoding_format: "base64" },
  );
  const bytes = Uint8Array.from(atob(b64.data[0].embedding as string), (c) => c.charCodeAt(0));
  assert.deepEqual([...new Float32Array(bytes.buffer)], [1, -2]);
  assert.throws(
    () => fromGeminiEmbedResponse({ embeddings: [{}] }, ctx, { model: "m", input: ["a"] }),
    APIConnectionError,
  );
});

// ---------------------------------------------------------------------------
// 2. End to end against the fake Gemini API
// ---------------------------------------------------------------------------

Deno.test("completion() answers text through the fake", async () => {
  await using fake = startGeminiFake({ apiKey: KEY, scenario: "text" });
  const res = await completion({
    model: "gemini/gemini-2.5-flash",
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: "Explain how AI works in one sentence." },
    ],
    temperature: 0.2,
    max_tokens: 64,
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  assert.deepEqual(res, RESPONSE_CASES[0].expected);
  assert.equal(fake.requests.length, 1);
  const sent = fake.requests[0];
  assert.equal(sent.path, "/v1beta/models/gemini-2.5-flash:generateContent");
  assert.equal(sent.headers["x-goog-api-key"], KEY);
  assert.deepEqual(sent.body, await loadJson("gemini/text.request.json"));
});

Deno.test("completion() accepts models/ ids, GOOGLE_API_KEY and GEMINI_API_BASE", async () => {
  await using fake = startGeminiFake({ apiKey: KEY, scenario: "text" });
  const env = (name: string) =>
    name === "GOOGLE_API_KEY" ? KEY : name === "GEMINI_API_BASE" ? fake.url : undefined;
  const res = await completion({
    model: "gemini/models/gemini-2.5-flash",
    messages: [{ role: "user", content: "Hi" }],
  }, { ...deps(), env });
  assert.equal(res.choices[0].finish_reason, "stop");
  assert.equal(fake.requests[0].path, "/v1beta/models/gemini-2.5-flash:generateContent");
});

Deno.test("completion() calls tools and sends results back through the fake", async () => {
  await using fake = startGeminiFake({ apiKey: KEY, scenario: "tools" });
  const tools = [
    {
      type: "function" as const,
      function: {
        name: "get_weather",
        description: "Get the current weather in a location",
        strict: true,
        parameters: {
          $schema: "http://json-schema.org/draft-07/schema#",
          type: "object",
          properties: {
            location: { type: "string", description: "City and region, e.g. Boston, MA" },
            unit: { type: ["string", "null"], enum: ["celsius", "fahrenheit"] },
          },
          required: ["location"],
          additionalProperties: false,
        },
      },
    },
    { type: "function" as const, function: { name: "get_time" } },
  ];
  const messages: ChatCompletionRequest["messages"] = [
    { role: "user", content: "What's the weather in Boston and Paris?" },
  ];
  const first = await completion({
    model: "gemini/gemini-2.5-flash",
    messages,
    tools,
    tool_choice: "auto",
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  assert.deepEqual(first, RESPONSE_CASES[1].expected);
  assert.deepEqual(fake.requests[0].body, await loadJson("gemini/tools.request.json"));

  const calls = first.choices[0].message.tool_calls!;
  await completion({
    model: "gemini/gemini-2.5-flash",
    messages: [
      ...messages,
      { role: "assistant", content: null, tool_calls: calls },
      { role: "tool", tool_call_id: calls[0].id, content: '{"temperature":"18C"}' },
      { role: "tool", tool_call_id: calls[1].id, content: "Sunny, 24C" },
    ],
    tools,
    api_key: KEY,
    api_base: fake.url,
    extra_headers: { "x-fake-scenario": "text" },
  }, deps());
  const second = fake.requests[1].body as GeminiGenerateContentRequest;
  assert.deepEqual(second.contents.slice(1), [
    {
      role: "model",
      parts: [
        {
          functionCall: { name: "get_weather", args: { location: "Boston, MA" } },
          thoughtSignature: "CqQCAdHtim9sigBoston",
        },
        {
          functionCall: {
            name: "get_weather",
            args: { location: "Paris, France", unit: "celsius" },
          },
        },
      ],
    },
    {
      role: "user",
      parts: [
        { functionResponse: { name: "get_weather", response: { temperature: "18C" } } },
        { functionResponse: { name: "get_weather", response: { result: "Sunny, 24C" } } },
      ],
    },
  ]);
});

Deno.test("completion() streams text with include_usage through the fake", async () => {
  await using fake = startGeminiFake({ apiKey: KEY, scenario: "text" });
  const stream = await completion({
    model: "gemini/gemini-2.5-flash",
    messages: [{ role: "user", content: "Greet everyone" }],
    stream: true,
    stream_options: { include_usage: true },
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  const chunks = await collect(stream);
  const expected = STREAM_CASES[0].expected.map((c) =>
    c.choices.length === 0 ? c : { ...c, usage: null }
  );
  assert.deepEqual(chunks, expected);
  assert.deepEqual(chunks.at(-1)?.usage, STREAM_CASES[0].expected.at(-1)?.usage);
  assert.equal(
    fake.requests[0].path,
    "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
  );
});

Deno.test("completion() streams tool calls without a usage chunk unless asked", async () => {
  await using fake = startGeminiFake({ apiKey: KEY, scenario: "tools" });
  const stream = await completion({
    model: "gemini/gemini-2.5-flash",
    messages: [{ role: "user", content: "What's the weather in Boston and Paris?" }],
    stream: true,
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  const chunks = await collect(stream);
  assert.deepEqual(chunks, STREAM_CASES[1].expected.slice(0, -1));
  assert.deepEqual(stream.usage, STREAM_CASES[1].expected.at(-1)?.usage);
});

Deno.test("embedding() embeds one text and a batch through the fake", async () => {
  await using fake = startGeminiFake({ apiKey: KEY });
  const single = await embedding({
    model: "gemini/text-embedding-004",
    input: "What is the meaning of life?",
    dimensions: 4,
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  assert.deepEqual(single, {
    object: "list",
    data: [{
      object: "embedding",
      index: 0,
      embedding: [0.013168523, -0.008711934, -0.046782676, 0.000699695],
    }],
    model: "text-embedding-004",
    usage: { prompt_tokens: 0, total_tokens: 0 },
  });
  assert.equal(fake.requests[0].path, "/v1beta/models/text-embedding-004:embedContent");
  assert.deepEqual(fake.requests[0].body, {
    content: { parts: [{ text: "What is the meaning of life?" }] },
    outputDimensionality: 4,
  });

  const batch = await embedding({
    model: "gemini/text-embedding-004",
    input: ["a", "b", "c"],
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  assert.deepEqual(batch.data.map((d) => [d.index, (d.embedding as number[])[0]]), [
    [0, 0.013168523],
    [1, -0.0141203],
    [2, 0.013168523],
  ]);
  assert.equal(fake.requests[1].path, "/v1beta/models/text-embedding-004:batchEmbedContents");
  assert.deepEqual(fake.requests[1].body, {
    requests: ["a", "b", "c"].map((text) => ({
      model: "models/text-embedding-004",
      content: { parts: [{ text }] },
    })),
  });
  await assert.rejects(
    embedding({
      model: "gemini/text-embedding-004",
      input: [1, 2],
      api_key: KEY,
      api_base: fake.url,
    }),
    BadRequestError,
  );
});

const E2E_ERRORS: {
  scenario: string;
  cls: typeof LLMuxError;
  status: number;
  key?: string;
  retryAfter?: number;
}[] = [
  { scenario: "bad_request", cls: BadRequestError, status: 400 },
  { scenario: "text", cls: AuthenticationError, status: 401, key: "AIzaSyWRONG-key-000000000000" },
  { scenario: "context", cls: ContextWindowExceededError, status: 400 },
  { scenario: "failed_precondition", cls: BadRequestError, status: 400 },
  { scenario: "permission_denied", cls: PermissionDeniedError, status: 403 },
  { scenario: "not_found", cls: NotFoundError, status: 404 },
  { scenario: "no-such-fixture", cls: NotFoundError, status: 404 },
  { scenario: "rate_limit", cls: RateLimitError, status: 429, retryAfter: 7 },
  { scenario: "internal", cls: InternalServerError, status: 500 },
  { scenario: "unavailable", cls: ServiceUnavailableError, status: 503 },
  { scenario: "deadline", cls: TimeoutError, status: 408 },
];

Deno.test("completion() maps every fake error to its typed error", async (t) => {
  await using fake = startGeminiFake({ apiKey: KEY });
  for (const c of E2E_ERRORS) {
    await t.step(c.scenario, async () => {
      const apiKey = c.key ?? KEY;
      const err = await completion({
        model: "gemini/gemini-2.5-flash",
        messages: [{ role: "user", content: "Hi" }],
        api_key: apiKey,
        api_base: fake.url,
        extra_headers: { "x-fake-scenario": c.scenario },
      }, deps()).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof c.cls, `${c.scenario}: ${err}`);
      assert.equal(err.constructor, c.cls);
      assert.equal(err.status, c.status);
      assert.equal(err.provider, "gemini");
      assert.equal(err.model, "gemini/gemini-2.5-flash");
      assert.ok(err.upstreamMessage && err.message.includes(err.upstreamMessage));
      assert.equal(err.retryAfter, c.retryAfter);
      for (const text of [err.message, JSON.stringify(err.body), String(err.upstreamMessage)]) {
        assert.ok(!text.includes(apiKey), "the API key never appears");
      }
    });
  }
});

Deno.test("completion() reports the fake's validation errors as BadRequestError", async () => {
  await using fake = startGeminiFake({ apiKey: KEY, scenario: "text" });
  const err = await completion({
    model: "gemini/gemini-2.5-flash",
    messages: [{ role: "user", content: "Hi" }],
    stop: ["1", "2", "3", "4", "5", "6"],
    api_key: KEY,
    api_base: fake.url,
  }, deps()).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof BadRequestError);
  assert.match(err.message, /stop_sequences/);
});

Deno.test("the fake rejects what the real API rejects", async () => {
  await using fake = startGeminiFake({ apiKey: KEY, scenario: "text" });
  const base = `${fake.url}/v1beta/models/gemini-2.5-flash`;
  const post = async (path: string, body: unknown, key: string | null = KEY) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (key !== null) headers["x-goog-api-key"] = key;
    const res = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
    return { status: res.status, body: await res.json() };
  };
  const ok = { contents: [USER_HI] };
  const cases: [string, string, unknown, string | null, number, RegExp][] = [
    [
      "OpenAI body",
      `${base}:generateContent`,
      { messages: [] },
      KEY,
      400,
      /Unknown name "messages"/,
    ],
    ["empty contents", `${base}:generateContent`, { contents: [] }, KEY, 400, /not specified/],
    [
      "bad role",
      `${base}:generateContent`,
      { contents: [{ role: "assistant", parts: [{ text: "x" }] }] },
      KEY,
      400,
      /valid role/,
    ],
    [
      "empty parts",
      `${base}:generateContent`,
      { contents: [{ role: "user", parts: [] }] },
      KEY,
      400,
      /must not be empty/,
    ],
    [
      "string functionResponse",
      `${base}:generateContent`,
      {
        contents: [{
          role: "user",
          parts: [{ functionResponse: { name: "f", response: "18C" } }],
        }],
      },
      KEY,
      400,
      /function_response\.response/,
    ],
    [
      "uncleaned schema",
      `${base}:generateContent`,
      {
        ...ok,
        tools: [{
          functionDeclarations: [{
            name: "f",
            parameters: {
              type: "object",
              properties: { a: { type: "string" } },
              additionalProperties: false,
            },
          }],
        }],
      },
      KEY,
      400,
      /Unknown name "additionalProperties"/,
    ],
    ["stream without alt=sse", `${base}:streamGenerateContent`, ok, KEY, 400, /alt=sse/],
    ["no key", `${base}:generateContent`, ok, null, 403, /unregistered callers/],
    ["unknown method", `${base}:countTokens`, ok, KEY, 404, /Method not found/],
  ];
  for (const [name, url, body, key, status, message] of cases) {
    const res = await post(url, body, key);
    assert.equal(res.status, status, name);
    assert.equal(res.body.error.code, status, name);
    assert.match(res.body.error.message, message, name);
  }
  const viaQuery = await fetch(`${base}:generateContent?key=${KEY}`, {
    method: "POST",
    body: JSON.stringify(ok),
  });
  assert.equal(viaQuery.status, 200);
  await viaQuery.body?.cancel();
});

Deno.test("completion() throws a mid-stream error while iterating", async () => {
  await using fake = startGeminiFake({ apiKey: KEY, scenario: "error_mid" });
  const stream = await completion({
    model: "gemini/gemini-2.5-flash",
    messages: [{ role: "user", content: "Tell a story" }],
    stream: true,
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  const seen: ChatCompletionChunk[] = [];
  const err = await (async () => {
    for await (const chunk of stream) seen.push(chunk);
  })().then(() => undefined, (e: unknown) => e);
  assert.equal(seen.length, 2);
  assert.equal(seen[1].choices[0].delta.content, "Once upon a time");
  assert.ok(err instanceof ServiceUnavailableError);
  assert.equal(err.provider, "gemini");
  assert.equal(err.model, "gemini/gemini-2.5-flash");
  assert.equal(err.upstreamMessage, "The model is overloaded. Please try again later.");
});

Deno.test("completion() fails a cut, reset or malformed stream with APIConnectionError", async () => {
  for (const scenario of ["cut", "reset", "malformed"]) {
    await using fake = startGeminiFake({ apiKey: KEY, scenario });
    const stream = await completion({
      model: "gemini/gemini-2.5-flash",
      messages: [{ role: "user", content: "Tell a story" }],
      stream: true,
      api_key: KEY,
      api_base: fake.url,
    }, deps());
    await assert.rejects(collect(stream), APIConnectionError, scenario);
  }
});

Deno.test("completion() rejects unsupported params unless drop_params is set", async () => {
  await using fake = startGeminiFake({ apiKey: KEY, scenario: "text" });
  const params = {
    model: "gemini/gemini-2.5-flash",
    messages: [{ role: "user" as const, content: "Hi" }],
    user: "user-1234",
    api_key: KEY,
    api_base: fake.url,
  };
  const err = await completion(params, deps()).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof UnsupportedParamsError);
  assert.equal(err.param, "user");
  assert.equal(fake.requests.length, 0);
  const res = await completion({ ...params, drop_params: true }, deps());
  assert.equal(res.choices[0].finish_reason, "stop");
  assert.deepEqual(fake.requests[0].body, { contents: [USER_HI] });
});

Deno.test("completion() never leaks the key: missing key and unreachable host", async () => {
  const missing = await completion({
    model: "gemini/gemini-2.5-flash",
    messages: [{ role: "user", content: "Hi" }],
  }, { ...deps(), env: () => undefined }).then(() => undefined, (e: unknown) => e);
  assert.ok(missing instanceof AuthenticationError);
  assert.match(missing.message, /GEMINI_API_KEY \(or GOOGLE_API_KEY\)/);

  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  const unreachable = await completion({
    model: "gemini/gemini-2.5-flash",
    messages: [{ role: "user", content: "Hi" }],
    api_key: KEY,
    api_base: `http://127.0.0.1:${port}`,
  }, deps()).then(() => undefined, (e: unknown) => e);
  assert.ok(unreachable instanceof APIConnectionError);
  assert.ok(!unreachable.message.includes(KEY));
});

// ---------------------------------------------------------------------------
// 3. Cancellation
// ---------------------------------------------------------------------------

Deno.test("breaking out of a stream cancels the upstream response body", async () => {
  await using fake = startGeminiFake({ apiKey: KEY, scenario: "slow", delayMs: 25 });
  const started = performance.now();
  const stream = await completion({
    model: "gemini/gemini-2.5-flash",
    messages: [{ role: "user", content: "Count slowly" }],
    stream: true,
    api_key: KEY,
    api_base: fake.url,
  }, deps());
  let received = 0;
  for await (const _chunk of stream) {
    received++;
    break;
  }
  assert.equal(received, 1);
  const deadline = performance.now() + 2000;
  while (fake.cancelled() === 0 && performance.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(fake.cancelled(), 1);
  assert.ok(performance.now() - started < 2000, "cancelled well before the stream would end");
});
