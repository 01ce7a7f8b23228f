/**
 * Bedrock adapter: pure translation (request body, response, stream, errors,
 * embeddings), signing and credentials, and end-to-end calls through
 * `completion()` / `embedding()` against the fake Bedrock runtime on
 * 127.0.0.1, which verifies the SigV4 signature of every request.
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
  bedrockAdapter,
  type BedrockConverseRequest,
  bedrockEmbedding,
  bedrockFamily,
  bedrockMissingCredentials,
  fromBedrockEmbedResponses,
  fromBedrockResponse,
  mapBedrockError,
  mapBedrockStopReason,
  prepareBedrockRequest,
  resolveBedrockRegion,
  toBedrockEmbedBodies,
  toBedrockRequest,
  toBedrockToolUseId,
} from "../../src/providers/bedrock/mod.ts";
import { createEventStreamParser } from "../../src/providers/bedrock/eventstream.ts";
import type { RequestContext, StreamEvent } from "../../src/providers/types.ts";
import { resolveModel } from "../../src/providers/registry.ts";
import { createCredentialCache } from "../../src/credential_cache.ts";
import { sequentialIds } from "../../src/_ids.ts";
import { loadJson, randomSizes, rechunk } from "../_fixtures.ts";
import {
  concatBytes,
  fakeVector,
  loadStreamFrames,
  referenceSigV4,
  startBedrockFake,
  type StreamFrameFixture,
} from "../fakes/bedrock.ts";

const KEY_ID = "AKIAIOSFODNN7EXAMPLE";
const SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
const TOKEN = "IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENvalue0123456789abcdefghijklmnop";
const REGION = "us-east-1";
const NOW = 1730000000000;
const CREATED = 1730000000;
const HAIKU = "anthropic.claude-3-haiku-20240307-v1:0";
const MODEL = `bedrock/${HAIKU}`;

function deps(env: Record<string, string> = {}) {
  return {
    now: () => NOW,
    generateId: sequentialIds(),
    env: (name: string) => env[name],
    credentialCache: createCredentialCache(),
  };
}

/** The AWS params of a call to the fake. */
function aws(fakeUrl: string, extra: Record<string, unknown> = {}) {
  return {
    aws_access_key_id: KEY_ID,
    aws_secret_access_key: SECRET,
    aws_region_name: REGION,
    api_base: fakeUrl,
    ...extra,
  };
}

function context(overrides: Partial<RequestContext> = {}): RequestContext {
  return {
    provider: "bedrock",
    model: HAIKU,
    requestedModel: MODEL,
    apiKey: undefined,
    apiBase: "",
    apiVersion: undefined,
    extraHeaders: {},
    stream: false,
    includeUsage: false,
    providerOptions: { aws_region_name: REGION },
    env: () => undefined,
    now: () => NOW,
    generateId: sequentialIds(),
    ...overrides,
  };
}

function request(body: Partial<ChatCompletionRequest>): ChatCompletionRequest {
  return { model: MODEL, messages: [{ role: "user", content: "Hi" }], ...body };
}

const USER_HI = { role: "user" as const, content: [{ text: "Hi" }] };
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
const TOP_SONG = {
  type: "function" as const,
  function: {
    name: "top_song",
    description: "Get the most popular song played on a radio station.",
    parameters: {
      type: "object",
      properties: {
        sign: {
          type: "string",
          description:
            "The call sign for the radio station for which you want the most popular song. Example calls signs are WZPZ and WKRP.",
        },
      },
      required: ["sign"],
    },
  },
};

// ---------------------------------------------------------------------------
// 1. Request translation
// ---------------------------------------------------------------------------

const REQUEST_CASES: {
  name: string;
  request: Partial<ChatCompletionRequest>;
  model?: string;
  expected: BedrockConverseRequest;
}[] = [
  {
    name: "hoists system and developer messages and maps inferenceConfig",
    request: {
      messages: [
        {
          role: "system",
          content:
            "You are an app that creates playlists for a radio station that plays rock and pop music. Only return song names and the artist.",
        },
        { role: "user", content: "Create a list of 3 pop songs." },
      ],
      max_tokens: 512,
      temperature: 0.5,
      top_p: 0.9,
      stop: "END",
    },
    expected: {
      messages: [{ role: "user", content: [{ text: "Create a list of 3 pop songs." }] }],
      system: [{
        text:
          "You are an app that creates playlists for a radio station that plays rock and pop music. Only return song names and the artist.",
      }],
      inferenceConfig: { maxTokens: 512, temperature: 0.5, topP: 0.9, stopSequences: ["END"] },
    },
  },
  {
    name: "merges consecutive turns, drops blank text and prefers max_completion_tokens",
    request: {
      messages: [
        { role: "developer", content: [{ type: "text", text: "Be terse." }] },
        { role: "user", content: "Hi" },
        {
          role: "user",
          content: [{ type: "text", text: "Anyone there?" }, { type: "text", text: " " }],
        },
        { role: "assistant", content: "Hello!" },
        { role: "assistant", content: "" },
        { role: "user", content: "Bye" },
      ],
      max_tokens: 10,
      max_completion_tokens: 20,
      stop: ["", "STOP"],
    },
    expected: {
      messages: [
        { role: "user", content: [{ text: "Hi" }, { text: "Anyone there?" }] },
        { role: "assistant", content: [{ text: "Hello!" }] },
        { role: "user", content: [{ text: "Bye" }] },
      ],
      system: [{ text: "Be terse." }],
      inferenceConfig: { maxTokens: 20, stopSequences: ["STOP"] },
    },
  },
  {
    name: "sends data-URL images and documents as base64 bytes, s3 images by location",
    request: {
      messages: [{
        role: "user",
        content: [
          { type: "text", text: "Compare these" },
          { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: "image_url", image_url: { url: "data:image/jpg;base64,/9j/4AAQ" } },
          { type: "image_url", image_url: { url: "s3://bucket/cat.webp" } },
          {
            type: "file",
            file: {
              file_data: "data:application/pdf;base64,JVBERi0=",
              filename: "Q3 report (final).pdf",
            },
          },
          { type: "file", file: { file_data: "data:text/csv;base64,YSxi" } },
        ],
      }],
    },
    expected: {
      messages: [{
        role: "user",
        content: [
          { text: "Compare these" },
          { image: { format: "png", source: { bytes: PNG } } },
          { image: { format: "jpeg", source: { bytes: "/9j/4AAQ" } } },
          { image: { format: "webp", source: { s3Location: { uri: "s3://bucket/cat.webp" } } } },
          { document: { format: "pdf", name: "Q3 report (final)", source: { bytes: "JVBERi0=" } } },
          { document: { format: "csv", name: "document 2", source: { bytes: "YSxi" } } },
        ],
      }],
    },
  },
  {
    name: "adds cache points after parts, system text and tools marked cache_control",
    request: {
      messages: [
        {
          role: "system",
          content: [{ type: "text", text: "Long policy", cache_control: { type: "ephemeral" } }],
        },
        {
          role: "user",
          content: [{ type: "text", text: "Contract…", cache_control: { type: "ephemeral" } }, {
            type: "text",
            text: "Question?",
          }],
        },
      ],
      tools: [{ ...TOP_SONG, cache_control: { type: "ephemeral" } }],
    },
    expected: {
      messages: [{
        role: "user",
        content: [{ text: "Contract…" }, { cachePoint: { type: "default" } }, {
          text: "Question?",
        }],
      }],
      system: [{ text: "Long policy" }, { cachePoint: { type: "default" } }],
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: "top_song",
              description: TOP_SONG.function.description,
              inputSchema: { json: TOP_SONG.function.parameters },
            },
          },
          { cachePoint: { type: "default" } },
        ],
      },
    },
  },
  {
    name: "sends tool calls, results (ahead of user text) and reasoning back",
    request: {
      messages: [
        { role: "user", content: "What is the most popular song on WZPZ?" },
        {
          role: "assistant",
          content: "Let me check.",
          thinking_blocks: [
            { type: "thinking", thinking: "Use the tool.", signature: "sig-1" },
            { type: "redacted_thinking", data: "cmVkYWN0ZWQ=" },
          ],
          tool_calls: [
            {
              id: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
              type: "function",
              function: { name: "top_song", arguments: '{"sign":"WZPZ"}' },
            },
            {
              id: "call:bad id/1",
              type: "function",
              function: { name: "station_list", arguments: "" },
            },
          ],
        },
        { role: "user", content: "Quickly please." },
        {
          role: "tool",
          tool_call_id: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
          content: '{"song":"Elemental Hotel","artist":"8 Storey Hike"}',
        },
        {
          role: "tool",
          tool_call_id: "call:bad id/1",
          content: [{ type: "text", text: "WZPZ, WKRP" }],
        },
      ],
      tools: [TOP_SONG],
      tool_choice: "auto",
    },
    expected: {
      messages: [
        { role: "user", content: [{ text: "What is the most popular song on WZPZ?" }] },
        {
          role: "assistant",
          content: [
            { reasoningContent: { reasoningText: { text: "Use the tool.", signature: "sig-1" } } },
            { reasoningContent: { redactedContent: "cmVkYWN0ZWQ=" } },
            { text: "Let me check." },
            {
              toolUse: {
                toolUseId: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
                name: "top_song",
                input: { sign: "WZPZ" },
              },
            },
            { toolUse: { toolUseId: "call:bad_id_1", name: "station_list", input: {} } },
          ],
        },
        {
          role: "user",
          content: [
            {
              toolResult: {
                toolUseId: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
                content: [{ text: '{"song":"Elemental Hotel","artist":"8 Storey Hike"}' }],
              },
            },
            { toolResult: { toolUseId: "call:bad_id_1", content: [{ text: "WZPZ, WKRP" }] } },
            { text: "Quickly please." },
          ],
        },
      ],
      toolConfig: {
        tools: [{
          toolSpec: {
            name: "top_song",
            description: TOP_SONG.function.description,
            inputSchema: { json: TOP_SONG.function.parameters },
          },
        }],
        toolChoice: { auto: {} },
      },
    },
  },
  {
    name: "maps tool_choice required to any and a named function to tool",
    request: {
      tools: [TOP_SONG, { type: "function", function: { name: "ping" } }],
      tool_choice: "required",
    },
    expected: {
      messages: [USER_HI],
      toolConfig: {
        tools: [
          {
            toolSpec: {
              name: "top_song",
              description: TOP_SONG.function.description,
              inputSchema: { json: TOP_SONG.function.parameters },
            },
          },
          { toolSpec: { name: "ping", inputSchema: { json: { type: "object", properties: {} } } } },
        ],
        toolChoice: { any: {} },
      },
    },
  },
  {
    name: "omits tools for tool_choice none",
    request: { tools: [TOP_SONG], tool_choice: "none" },
    expected: { messages: [USER_HI] },
  },
  {
    name: "sends a placeholder tool when the history has tool calls but no tools may be offered",
    request: {
      messages: [
        { role: "user", content: "Hi" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{
            id: "t1",
            type: "function",
            function: { name: "top_song", arguments: "{}" },
          }],
        },
        { role: "tool", tool_call_id: "t1", content: "Elemental Hotel" },
      ],
      tools: [TOP_SONG],
      tool_choice: "none",
    },
    expected: {
      messages: [
        USER_HI,
        {
          role: "assistant",
          content: [{ toolUse: { toolUseId: "t1", name: "top_song", input: {} } }],
        },
        {
          role: "user",
          content: [{ toolResult: { toolUseId: "t1", content: [{ text: "Elemental Hotel" }] } }],
        },
      ],
      toolConfig: {
        tools: [{
          toolSpec: {
            name: "llmux_no_tools",
            description: "Placeholder: no tools are available in this turn. Never call it.",
            inputSchema: { json: { type: "object", properties: {} } },
          },
        }],
      },
    },
  },
  {
    name: "maps reasoning_effort to Anthropic thinking and drops temperature and top_k",
    request: {
      reasoning_effort: "medium",
      max_tokens: 1000,
      temperature: 0.3,
      top_p: 0.95,
      top_k: 5,
    },
    expected: {
      messages: [USER_HI],
      inferenceConfig: { maxTokens: 3048, topP: 0.95 },
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 2048 } },
    },
  },
  {
    name: "defaults maxTokens with thinking, raised above the budget, on inference profiles",
    request: { reasoning_effort: "high" },
    model: `us.${HAIKU}`,
    expected: {
      messages: [USER_HI],
      inferenceConfig: { maxTokens: 8192 },
      additionalModelRequestFields: { thinking: { type: "enabled", budget_tokens: 4096 } },
    },
  },
  {
    name: "sends top_k to Anthropic and Nova in their own fields",
    request: { top_k: 40, reasoning_effort: "none" },
    expected: { messages: [USER_HI], additionalModelRequestFields: { top_k: 40 } },
  },
  {
    name: "sends Nova's top_k under additionalModelRequestFields.inferenceConfig",
    request: { top_k: 40 },
    model: "us.amazon.nova-pro-v1:0",
    expected: {
      messages: [USER_HI],
      additionalModelRequestFields: { inferenceConfig: { topK: 40 } },
    },
  },
  {
    name: "sends response_format as a forced json_tool_call tool",
    request: {
      response_format: {
        type: "json_schema",
        json_schema: {
          name: "song",
          description: "A song",
          schema: { type: "object", properties: { song: { type: "string" } } },
        },
      },
    },
    expected: {
      messages: [USER_HI],
      toolConfig: {
        tools: [{
          toolSpec: {
            name: "json_tool_call",
            description: "A song",
            inputSchema: { json: { type: "object", properties: { song: { type: "string" } } } },
          },
        }],
        toolChoice: { tool: { name: "json_tool_call" } },
      },
    },
  },
  {
    name: "does not force the JSON tool on models that cannot be forced (Llama)",
    request: { response_format: { type: "json_object" } },
    model: "meta.llama3-1-70b-instruct-v1:0",
    expected: {
      messages: [USER_HI],
      toolConfig: {
        tools: [{
          toolSpec: {
            name: "json_tool_call",
            description: "Respond with the final answer as this tool's input.",
            inputSchema: { json: { type: "object", additionalProperties: true } },
          },
        }],
      },
    },
  },
];

for (const c of REQUEST_CASES) {
  Deno.test(`toBedrockRequest() ${c.name}`, () => {
    const ctx = context(c.model ? { model: c.model, requestedModel: `bedrock/${c.model}` } : {});
    assert.deepEqual(toBedrockRequest(request(c.request), ctx), c.expected);
  });
}

Deno.test("toBedrockRequest() matches the recorded request fixtures", async () => {
  const text = toBedrockRequest(request(REQUEST_CASES[0].request), context());
  assert.deepEqual(text, await loadJson("bedrock/text.request.json"));
  const tools = toBedrockRequest(
    request({
      messages: [{ role: "user", content: "What is the most popular song on WZPZ?" }],
      tools: [TOP_SONG],
      tool_choice: { type: "function", function: { name: "top_song" } },
    }),
    context(),
  );
  assert.deepEqual(tools, await loadJson("bedrock/tool_use.request.json"));
});

Deno.test("toBedrockRequest() rejects what Converse cannot take", () => {
  const ctx = context();
  const cases: [Partial<ChatCompletionRequest>, typeof LLMuxError, RegExp][] = [
    [{ messages: [{ role: "system", content: "x" }] }, BadRequestError, /no non-empty user/],
    [
      {
        messages: [{
          role: "user",
          content: [{ type: "image_url", image_url: { url: "https://x/cat.png" } }],
        }],
      },
      BadRequestError,
      /base64 data URL or an s3:\/\/ URI/,
    ],
    [
      {
        messages: [{
          role: "user",
          content: [{ type: "image_url", image_url: { url: "data:image/bmp;base64,AA" } }],
        }],
      },
      BadRequestError,
      /image\/bmp/,
    ],
    [
      {
        messages: [{
          role: "user",
          content: [{ type: "input_audio", input_audio: { data: "AA", format: "wav" } }],
        }],
      },
      BadRequestError,
      /input_audio/,
    ],
    [
      {
        messages: [{
          role: "user",
          content: [{ type: "file", file: { file_data: "data:application/zip;base64,AA" } }],
        }],
      },
      BadRequestError,
      /application\/zip/,
    ],
    [
      {
        messages: [{
          role: "assistant",
          tool_calls: [{ id: "t", type: "function", function: { name: "f", arguments: "{nope" } }],
        }],
      },
      BadRequestError,
      /not valid JSON/,
    ],
    [
      { tools: [{ type: "function", function: { name: "json_tool_call" } }] },
      BadRequestError,
      /reserved name/,
    ],
    [
      { messages: [{ role: "function", name: "f", content: "x" }] },
      BadRequestError,
      /role "function"/,
    ],
  ];
  for (const [body, cls, pattern] of cases) {
    assert.throws(() => toBedrockRequest(request(body), ctx), (e: unknown) => {
      assert.ok(e instanceof cls, String(e));
      assert.match((e as Error).message, pattern);
      return true;
    });
  }
});

Deno.test("toBedrockRequest() rejects forced tools and thinking where the model lacks them, unless drop_params", () => {
  const llama = {
    model: "meta.llama3-1-70b-instruct-v1:0",
    requestedModel: "bedrock/meta.llama3-1-70b-instruct-v1:0",
  };
  const forced = request({ tools: [TOP_SONG], tool_choice: "required" });
  assert.throws(() => toBedrockRequest(forced, context(llama)), UnsupportedParamsError);
  assert.equal(
    toBedrockRequest(forced, context({ ...llama, dropParams: true })).toolConfig?.toolChoice,
    undefined,
  );
  const thinking = request({ reasoning_effort: "low" });
  assert.throws(() => toBedrockRequest(thinking, context(llama)), UnsupportedParamsError);
  assert.equal(
    toBedrockRequest(thinking, context({ ...llama, dropParams: true }))
      .additionalModelRequestFields,
    undefined,
  );
  // Mistral Large and Nova accept forced choices.
  for (const model of ["mistral.mistral-large-2407-v1:0", "amazon.nova-lite-v1:0"]) {
    assert.deepEqual(toBedrockRequest(forced, context({ model })).toolConfig?.toolChoice, {
      any: {},
    });
  }
});

Deno.test("toBedrockToolUseId() keeps valid ids and maps the rest deterministically", () => {
  assert.equal(
    toBedrockToolUseId("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q"),
    "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
  );
  assert.equal(toBedrockToolUseId("call abc/ü"), "call_abc__");
  assert.equal(toBedrockToolUseId("x".repeat(80)).length, 64);
});

Deno.test("bedrockFamily() sees through inference profiles and ARNs", () => {
  assert.equal(bedrockFamily(HAIKU), "anthropic");
  assert.equal(bedrockFamily("us.anthropic.claude-3-5-sonnet-20241022-v2:0"), "anthropic");
  assert.equal(bedrockFamily("eu.meta.llama3-2-3b-instruct-v1:0"), "meta");
  assert.equal(bedrockFamily("cohere.command-r-plus-v1:0"), "cohere");
  assert.equal(bedrockFamily("mistral.mistral-large-2407-v1:0"), "mistral");
  assert.equal(bedrockFamily("apac.amazon.nova-micro-v1:0"), "amazon");
  assert.equal(
    bedrockFamily(
      "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-haiku-20240307-v1:0",
    ),
    "anthropic",
  );
  assert.equal(
    bedrockFamily("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3"),
    "unknown",
  );
});

// ---------------------------------------------------------------------------
// 2. Endpoint, region, credentials and signing
// ---------------------------------------------------------------------------

Deno.test("buildRequest() URL-encodes model ids and picks the endpoint", () => {
  const arn =
    "arn:aws:bedrock:eu-central-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0";
  const cases: [Partial<RequestContext>, string][] = [
    [
      {},
      `https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse`,
    ],
    [
      { stream: true },
      `https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream`,
    ],
    [
      { model: `converse/us.${HAIKU}` },
      `https://bedrock-runtime.us-east-1.amazonaws.com/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse`,
    ],
    [
      { model: arn, providerOptions: {} },
      "https://bedrock-runtime.eu-central-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aeu-central-1%3A123456789012%3Ainference-profile%2Feu.anthropic.claude-3-haiku-20240307-v1%3A0/converse",
    ],
    [
      { apiBase: "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com/" },
      "https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
    ],
    [
      {
        providerOptions: {
          aws_region_name: REGION,
          aws_bedrock_runtime_endpoint: "https://proxy.internal",
        },
      },
      "https://proxy.internal/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
    ],
    [
      { env: (n) => (n === "AWS_BEDROCK_RUNTIME_ENDPOINT" ? "http://localhost:4566" : undefined) },
      "http://localhost:4566/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
    ],
  ];
  for (const [overrides, url] of cases) {
    const built = bedrockAdapter.buildRequest(request({}), context(overrides));
    assert.equal(built.url, url);
  }
  const built = bedrockAdapter.buildRequest(
    request({}),
    context({ stream: true, extraHeaders: { "x-trace": "1" } }),
  );
  assert.deepEqual(built.headers, {
    "content-type": "application/json",
    accept: "application/vnd.amazon.eventstream",
    "x-trace": "1",
  });
  // LiteLLM's invoke/ route: InvokeModel with the Messages body, for Anthropic models only.
  const invoked = bedrockAdapter.buildRequest(request({}), context({ model: `invoke/${HAIKU}` }));
  assert.equal(
    invoked.url,
    `https://bedrock-runtime.${REGION}.amazonaws.com/model/${encodeURIComponent(HAIKU)}/invoke`,
  );
  const invokeBody = JSON.parse(invoked.body!);
  assert.equal(invokeBody.anthropic_version, "bedrock-2023-05-31");
  assert.ok(!("model" in invokeBody) && !("stream" in invokeBody));
  assert.ok(Array.isArray(invokeBody.messages) && typeof invokeBody.max_tokens === "number");
  const invokedStream = bedrockAdapter.buildRequest(
    request({}),
    context({ model: `invoke/${HAIKU}`, stream: true }),
  );
  assert.ok(invokedStream.url.endsWith("/invoke-with-response-stream"));
  assert.throws(
    () =>
      bedrockAdapter.buildRequest(request({}), context({ model: "invoke/amazon.nova-lite-v1:0" })),
    /invoke\/ is for Anthropic models/,
  );
});

Deno.test("resolveBedrockRegion() follows LiteLLM's precedence", () => {
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  const arn = "arn:aws:bedrock:ap-south-1:1:inference-profile/apac.amazon.nova-lite-v1:0";
  assert.equal(resolveBedrockRegion(context(), HAIKU), REGION);
  assert.equal(resolveBedrockRegion(context({ providerOptions: {} }), arn), "ap-south-1");
  const all = env({
    AWS_REGION_NAME: "eu-west-1",
    AWS_REGION: "eu-west-2",
    AWS_DEFAULT_REGION: "eu-west-3",
  });
  assert.equal(
    resolveBedrockRegion(context({ providerOptions: {}, env: all }), HAIKU),
    "eu-west-1",
  );
  assert.equal(
    resolveBedrockRegion(
      context({ providerOptions: {}, env: env({ AWS_DEFAULT_REGION: "eu-west-3" }) }),
      HAIKU,
    ),
    "eu-west-3",
  );
  assert.equal(resolveBedrockRegion(context({ providerOptions: {} }), HAIKU), "us-west-2");
});

const PREPARE_DEPS = { fetch, now: () => NOW, credentials: createCredentialCache() };

Deno.test("prepareRequest() signs with SigV4 from params or env, session token included", async () => {
  const built = bedrockAdapter.buildRequest(request({}), context());
  const fromParams = await prepareBedrockRequest(
    built,
    context({
      providerOptions: {
        aws_region_name: REGION,
        aws_access_key_id: KEY_ID,
        aws_secret_access_key: SECRET,
        aws_session_token: TOKEN,
      },
    }),
    PREPARE_DEPS,
  );
  const vars: Record<string, string> = {
    AWS_ACCESS_KEY_ID: KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET,
    AWS_SESSION_TOKEN: TOKEN,
    AWS_REGION: REGION,
  };
  const fromEnv = await prepareBedrockRequest(
    built,
    context({ providerOptions: {}, env: (n) => vars[n] }),
    PREPARE_DEPS,
  );
  assert.deepEqual(fromParams, fromEnv);
  const h = fromParams.headers;
  assert.equal(h["x-amz-date"], "20241027T033320Z");
  assert.equal(h["x-amz-security-token"], TOKEN);
  assert.match(
    h.authorization,
    /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\/20241027\/us-east-1\/bedrock\/aws4_request, SignedHeaders=accept;content-type;host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$/,
  );
  // The fake's independent reference agrees.
  const url = new URL(built.url);
  const ref = await referenceSigV4({
    method: "POST",
    rawPath: url.pathname,
    rawQuery: "",
    headers: { ...h, host: url.host },
    signedHeaders: ["accept", "content-type", "host", "x-amz-date", "x-amz-security-token"],
    body: built.body!,
    amzDate: h["x-amz-date"],
    region: REGION,
    service: "bedrock",
    secret: SECRET,
  });
  assert.ok(h.authorization.endsWith(`Signature=${ref.signature}`));
});

Deno.test("prepareRequest() sends a Bedrock API key as a bearer token instead", async () => {
  const built = bedrockAdapter.buildRequest(request({}), context());
  const prepared = await prepareBedrockRequest(
    built,
    context({ apiKey: "ABSKbedrockapikey" }),
    PREPARE_DEPS,
  );
  assert.equal(prepared.headers.authorization, "Bearer ABSKbedrockapikey");
  assert.equal(prepared.headers["x-amz-date"], undefined);
});

Deno.test("prepareRequest() names the variables when credentials are missing", async () => {
  const built = bedrockAdapter.buildRequest(request({}), context());
  for (const options of [{}, { aws_access_key_id: KEY_ID }, { aws_secret_access_key: SECRET }]) {
    const err = await prepareBedrockRequest(
      built,
      context({ providerOptions: options }),
      PREPARE_DEPS,
    )
      .then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof AuthenticationError);
    assert.equal(err.code, "missing_api_key");
    assert.match(err.message, /aws_access_key_id/);
    if (Object.keys(options).length === 0) {
      assert.match(err.message, /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
      assert.match(err.message, /AWS_BEARER_TOKEN_BEDROCK/);
    }
    assert.ok(!err.message.includes(SECRET));
  }
});

Deno.test("bedrockMissingCredentials() tells config checks what a deployment lacks", () => {
  const env = (vars: Record<string, string>) => (n: string) => vars[n];
  assert.match(
    bedrockMissingCredentials({}, env({}))!,
    /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/,
  );
  assert.match(bedrockMissingCredentials({ aws_access_key_id: KEY_ID }, env({}))!, /not set/);
  assert.equal(
    bedrockMissingCredentials(
      { aws_access_key_id: KEY_ID, aws_secret_access_key: SECRET },
      env({}),
    ),
    undefined,
  );
  assert.equal(
    bedrockMissingCredentials(
      {},
      env({ AWS_ACCESS_KEY_ID: KEY_ID, AWS_SECRET_ACCESS_KEY: SECRET }),
    ),
    undefined,
  );
  assert.equal(bedrockMissingCredentials({}, env({ AWS_BEARER_TOKEN_BEDROCK: "ABSK" })), undefined);
  assert.equal(bedrockMissingCredentials({ api_key: "ABSK" }, env({})), undefined);
});

Deno.test("bedrockAdapter metadata honours the contract", () => {
  assert.equal(bedrockAdapter.id, "bedrock");
  assert.equal(bedrockAdapter.apiKeyRequired, false);
  assert.deepEqual(bedrockAdapter.apiKeyEnv, ["AWS_BEARER_TOKEN_BEDROCK"]);
  assert.equal(bedrockAdapter.streamFraming, "binary");
  assert.equal(typeof bedrockAdapter.createBinaryParser, "function");
  assert.equal(typeof bedrockAdapter.prepareRequest, "function");
  assert.ok(bedrockAdapter.embedding);
  assert.deepEqual(resolveModel(MODEL), { provider: "bedrock", model: HAIKU });
  assert.deepEqual(resolveModel(`bedrock/converse/${HAIKU}`), {
    provider: "bedrock",
    model: `converse/${HAIKU}`,
  });
});

// ---------------------------------------------------------------------------
// 3. Response translation
// ---------------------------------------------------------------------------

function usage(prompt: number, completion: number, cacheRead = 0, cacheWrite = 0) {
  return {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: cacheRead },
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
}

function completionOf(
  message: ChatCompletion["choices"][0]["message"],
  finish: ChatCompletion["choices"][0]["finish_reason"],
  u: ReturnType<typeof usage>,
): ChatCompletion {
  return {
    id: "chatcmpl-id0001",
    object: "chat.completion",
    created: CREATED,
    model: HAIKU,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finish }],
    usage: u,
  };
}

const SONGS =
  'Here is a list of 3 pop songs:\n\n1. "Bad Habits" by Ed Sheeran\n2. "Levitating" by Dua Lipa\n3. "Watermelon Sugar" by Harry Styles';

const RESPONSE_CASES: { fixture: string; expected: ChatCompletion }[] = [
  {
    fixture: "text",
    expected: completionOf({ role: "assistant", content: SONGS }, "stop", usage(52, 41)),
  },
  {
    fixture: "tool_use",
    expected: completionOf(
      {
        role: "assistant",
        content: "I'll look up the most popular song on WZPZ.",
        tool_calls: [{
          id: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
          type: "function",
          function: { name: "top_song", arguments: '{"sign":"WZPZ"}' },
        }],
      },
      "tool_calls",
      usage(390, 68),
    ),
  },
  {
    fixture: "reasoning",
    expected: completionOf(
      {
        role: "assistant",
        content: "27 × 453 = 12,231.",
        reasoning_content: "The user asks for 27 * 453. 27 * 453 = 12231.",
        thinking_blocks: [
          {
            type: "thinking",
            thinking: "The user asks for 27 * 453. 27 * 453 = 12231.",
            signature: "EqQBCkgIARABGAIiQGx0c2lnbmF0dXJlX2V4YW1wbGU=",
          },
          { type: "redacted_thinking", data: "RWNyeXB0ZWQgcmVhc29uaW5n" },
        ],
      },
      "stop",
      usage(46, 120),
    ),
  },
  {
    fixture: "cache_usage",
    expected: completionOf(
      { role: "assistant", content: "Section 3 covers termination." },
      "length",
      usage(2060, 8, 1024, 1024),
    ),
  },
  {
    fixture: "guardrail",
    expected: completionOf(
      { role: "assistant", content: "Sorry, the model cannot answer this question." },
      "content_filter",
      usage(20, 0),
    ),
  },
  {
    fixture: "json_mode",
    expected: completionOf(
      { role: "assistant", content: '{"song":"Elemental Hotel","artist":"8 Storey Hike"}' },
      "stop",
      usage(410, 30),
    ),
  },
];

for (const c of RESPONSE_CASES) {
  Deno.test(`fromBedrockResponse() converts the ${c.fixture} fixture`, async () => {
    const body = await loadJson(`bedrock/${c.fixture}.response.json`);
    assert.deepEqual(fromBedrockResponse(body, context()), c.expected);
  });
}

Deno.test("fromBedrockResponse() handles an empty message and rejects bodies without output", () => {
  const res = fromBedrockResponse({ output: {}, stopReason: "max_tokens" }, context());
  assert.equal(res.choices[0].message.content, null);
  assert.equal(res.choices[0].finish_reason, "length");
  assert.deepEqual(res.usage, usage(0, 0));
  assert.throws(() => fromBedrockResponse({ message: "x" }, context()), APIConnectionError);
});

Deno.test("mapBedrockStopReason() maps every documented reason", () => {
  const table: [string | null, string | null][] = [
    ["end_turn", "stop"],
    ["stop_sequence", "stop"],
    ["max_tokens", "length"],
    ["model_context_window_exceeded", "length"],
    ["tool_use", "tool_calls"],
    ["guardrail_intervened", "content_filter"],
    ["content_filtered", "content_filter"],
    ["malformed_model_output", "stop"],
    ["malformed_tool_use", "stop"],
    ["something_new", "stop"],
    [null, null],
  ];
  for (const [reason, finish] of table) assert.equal(mapBedrockStopReason(reason), finish);
});

// ---------------------------------------------------------------------------
// 4. Stream translation
// ---------------------------------------------------------------------------

function chunk(
  delta: ChatCompletionChunk["choices"][0]["delta"],
  finish: ChatCompletionChunk["choices"][0]["finish_reason"] = null,
): ChatCompletionChunk {
  return {
    id: "chatcmpl-id0001",
    object: "chat.completion.chunk",
    created: CREATED,
    model: HAIKU,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

function usageChunk(u: ReturnType<typeof usage>): ChatCompletionChunk {
  return {
    id: "chatcmpl-id0001",
    object: "chat.completion.chunk",
    created: CREATED,
    model: HAIKU,
    choices: [],
    usage: u,
  };
}

const STREAM_CASES: { fixture: string; expected: ChatCompletionChunk[] }[] = [
  {
    fixture: "text",
    expected: [
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "Here is a list" }),
      chunk({ content: " of 3 pop songs:" }),
      chunk({ content: '\n\n1. "Bad Habits" by Ed Sheeran' }),
      chunk({}, "stop"),
      usageChunk(usage(52, 18)),
    ],
  },
  {
    fixture: "tool_use",
    expected: [
      chunk({ role: "assistant", content: "" }),
      chunk({ content: "I'll look up the most popular song on WZPZ." }),
      chunk({
        tool_calls: [{
          index: 0,
          id: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
          type: "function",
          function: { name: "top_song", arguments: "" },
        }],
      }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '{"sign": ' } }] }),
      chunk({ tool_calls: [{ index: 0, function: { arguments: '"WZPZ"}' } }] }),
      chunk({
        tool_calls: [{
          index: 1,
          id: "tooluse_noargs_02",
          type: "function",
          function: { name: "station_list", arguments: "" },
        }],
      }),
      chunk({ tool_calls: [{ index: 1, function: { arguments: "{}" } }] }),
      chunk({}, "tool_calls"),
      usageChunk(usage(646, 68, 256, 0)),
    ],
  },
  {
    fixture: "reasoning",
    expected: [
      chunk({ role: "assistant", content: "" }),
      chunk({ reasoning_content: "The user asks for 27 * 453." }),
      chunk({ reasoning_content: " 27 * 453 = 12231." }),
      chunk({
        thinking_blocks: [{
          type: "thinking",
          thinking: "The user asks for 27 * 453. 27 * 453 = 12231.",
          signature: "EqQBCkgIARABGAIiQGx0c2lnbmF0dXJlX2V4YW1wbGU=",
        }],
      }),
      chunk({ thinking_blocks: [{ type: "redacted_thinking", data: "RWNyeXB0ZWQgcmVhc29uaW5n" }] }),
      chunk({ content: "27 × 453 = 12,231." }),
      chunk({}, "stop"),
      usageChunk(usage(46, 120)),
    ],
  },
  {
    fixture: "json_mode",
    expected: [
      chunk({ role: "assistant", content: "" }),
      chunk({ content: '{"song": "Elemental Hotel", ' }),
      chunk({ content: '"artist": "8 Storey Hike"}' }),
      chunk({}, "stop"),
      usageChunk(usage(410, 30)),
    ],
  },
];

/** Bytes → parser → transformer, the way the core pipeline runs them. */
function replay(pieces: readonly Uint8Array[]): { chunks: ChatCompletionChunk[]; error?: unknown } {
  const ctx = context({ stream: true });
  const parser = createEventStreamParser({ model: MODEL });
  const transformer = bedrockAdapter.createStreamTransformer(ctx);
  const chunks: ChatCompletionChunk[] = [];
  const sink = { enqueue: (c: ChatCompletionChunk) => chunks.push(c) };
  const onEvent = (e: StreamEvent) => transformer.transform(e, sink);
  try {
    for (const p of pieces) parser.push(p, onEvent);
    parser.end(onEvent);
    transformer.flush?.(sink);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks };
}

for (const c of STREAM_CASES) {
  Deno.test(`the Bedrock stream transform replays the ${c.fixture} stream, split anywhere`, async () => {
    const bytes = concatBytes(await loadStreamFrames(c.fixture));
    assert.deepEqual(replay([bytes]), { chunks: c.expected });
    assert.deepEqual(replay(rechunk(bytes, [1])), { chunks: c.expected });
    for (let at = 0; at <= bytes.length; at += 7) {
      assert.deepEqual(replay([bytes.subarray(0, at), bytes.subarray(at)]), { chunks: c.expected });
    }
    for (let seed = 1; seed <= 5; seed++) {
      assert.deepEqual(replay(rechunk(bytes, randomSizes(seed, 32, 200))), { chunks: c.expected });
    }
  });
}

Deno.test("createBedrockStreamTransform() works as a TransformStream", async () => {
  const frames = await loadJson<StreamFrameFixture[]>("bedrock/text.stream.json");
  const events = frames.map((f) => ({ event: f.event!, data: JSON.stringify(f.payload) }));
  const chunks = await Array.fromAsync(
    ReadableStream.from(events).pipeThrough(
      bedrockAdapter.createStreamTransform(context({ stream: true })),
    ),
  );
  assert.deepEqual(chunks, STREAM_CASES[0].expected);
});

Deno.test("mid-stream exceptions throw typed errors after the chunks before them", async () => {
  const cases: [string, typeof LLMuxError, number, number][] = [
    ["mid_exception", RateLimitError, 429, 2],
    ["mid_model_error", InternalServerError, 502, 1],
    ["mid_validation", ContextWindowExceededError, 400, 1],
  ];
  for (const [fixture, cls, status, before] of cases) {
    const { chunks, error } = replay([concatBytes(await loadStreamFrames(fixture))]);
    assert.equal(chunks.length, before, fixture);
    assert.ok(error instanceof cls, `${fixture}: ${error}`);
    assert.equal(error.status, status);
    assert.equal(error.provider, "bedrock");
  }
});

Deno.test("the stream transform fails streams that end early and maps error frames", () => {
  const t = bedrockAdapter.createStreamTransformer(context({ stream: true }));
  const sink = { enqueue: () => {} };
  t.transform({ event: "messageStart", data: '{"role":"assistant"}' }, sink);
  assert.throws(() => t.flush?.(sink), /ended before messageStop/);
  const t2 = bedrockAdapter.createStreamTransformer(context({ stream: true }));
  assert.throws(
    () =>
      t2.transform({ event: "error", data: '{"code":"InternalFailure","message":"boom"}' }, sink),
    (e: unknown) => e instanceof InternalServerError && /InternalFailure: boom/.test(e.message),
  );
  const t3 = bedrockAdapter.createStreamTransformer(context({ stream: true }));
  assert.throws(
    () => t3.transform({ event: "contentBlockDelta", data: "{nope" }, sink),
    APIConnectionError,
  );
});

// ---------------------------------------------------------------------------
// 5. Error mapping
// ---------------------------------------------------------------------------

const ERROR_CASES: {
  fixture: string;
  cls: typeof LLMuxError;
  status: number;
  code: string | null;
}[] = [
  { fixture: "validation", cls: BadRequestError, status: 400, code: null },
  {
    fixture: "context_window",
    cls: ContextWindowExceededError,
    status: 400,
    code: "context_length_exceeded",
  },
  {
    fixture: "context_window_anthropic",
    cls: ContextWindowExceededError,
    status: 400,
    code: "context_length_exceeded",
  },
  { fixture: "access_denied", cls: PermissionDeniedError, status: 403, code: null },
  {
    fixture: "unrecognized_client",
    cls: AuthenticationError,
    status: 401,
    code: "invalid_api_key",
  },
  { fixture: "not_found", cls: NotFoundError, status: 404, code: "model_not_found" },
  { fixture: "model_timeout", cls: TimeoutError, status: 408, code: null },
  { fixture: "model_error", cls: InternalServerError, status: 502, code: null },
  { fixture: "throttling", cls: RateLimitError, status: 429, code: "rate_limit_exceeded" },
  { fixture: "quota", cls: RateLimitError, status: 429, code: "rate_limit_exceeded" },
  { fixture: "not_ready", cls: ServiceUnavailableError, status: 503, code: null },
  { fixture: "internal", cls: InternalServerError, status: 500, code: null },
  { fixture: "unavailable", cls: ServiceUnavailableError, status: 503, code: null },
];

interface ErrorFixture {
  status: number;
  headers: Record<string, string>;
  body: { message: string };
}

for (const c of ERROR_CASES) {
  Deno.test(`mapBedrockError() maps the ${c.fixture} fixture`, async () => {
    const f = await loadJson<ErrorFixture>(`bedrock/${c.fixture}.error.json`);
    const err = mapBedrockError(f.status, f.body, {
      provider: "bedrock",
      model: MODEL,
      headers: new Headers(f.headers),
    });
    assert.equal(err.constructor, c.cls);
    assert.equal(err.status, c.status);
    assert.equal(err.code, c.code);
    assert.equal(err.upstreamStatus, f.status);
    const type = f.headers["x-amzn-errortype"].split(":")[0];
    assert.equal(err.message, `bedrock error (${f.status}): ${type}: ${f.body.message}`);
  });
}

Deno.test("mapBedrockError() reads __type bodies, Message and strips echoed canonical requests", () => {
  const headers = new Headers();
  const ctx = { provider: "bedrock", model: MODEL, headers };
  const a = mapBedrockError(403, {
    __type: "com.amazon.coral.service#UnrecognizedClientException",
    Message: "bad token",
  }, ctx);
  assert.ok(a instanceof AuthenticationError);
  assert.match(a.message, /UnrecognizedClientException: bad token/);
  const b = mapBedrockError(403, {
    message:
      "The request signature we calculated does not match.\n\nThe Canonical String for this request should have been\n'POST\n/\n\nx-amz-security-token:" +
      TOKEN + "\n'",
  }, { ...ctx, headers: new Headers({ "x-amzn-errortype": "InvalidSignatureException" }) });
  assert.ok(b instanceof AuthenticationError);
  assert.equal(
    b.upstreamMessage,
    "InvalidSignatureException: The request signature we calculated does not match.",
  );
  assert.ok(!b.message.includes(TOKEN));
  const c = mapBedrockError(502, "<html>Bad gateway</html>", ctx);
  assert.ok(c instanceof InternalServerError);
  const d = mapBedrockError(409, { message: "conflict" }, {
    ...ctx,
    headers: new Headers({ "x-amzn-errortype": "ConflictException" }),
  });
  assert.ok(d instanceof BadRequestError);
});

// ---------------------------------------------------------------------------
// 6. Embeddings (pure)
// ---------------------------------------------------------------------------

Deno.test("toBedrockEmbedBodies() builds one Titan body per text and Cohere batches", () => {
  const titan = context({ model: "amazon.titan-embed-text-v2:0" });
  assert.deepEqual(
    toBedrockEmbedBodies({ model: "x", input: ["a", "b"], dimensions: 256 }, titan),
    [
      { inputText: "a", dimensions: 256, normalize: true },
      { inputText: "b", dimensions: 256, normalize: true },
    ],
  );
  assert.deepEqual(toBedrockEmbedBodies({ model: "x", input: "a", normalize: false }, titan), [
    { inputText: "a", normalize: false },
  ]);
  const v1 = context({ model: "amazon.titan-embed-text-v1" });
  assert.deepEqual(toBedrockEmbedBodies({ model: "x", input: "a" }, v1), [{ inputText: "a" }]);
  assert.throws(
    () => toBedrockEmbedBodies({ model: "x", input: "a", dimensions: 256 }, v1),
    /Titan v2/,
  );
  const cohere = context({ model: "cohere.embed-english-v3" });
  assert.deepEqual(toBedrockEmbedBodies({ model: "x", input: ["a", "b"] }, cohere), [
    { texts: ["a", "b"], input_type: "search_document" },
  ]);
  assert.deepEqual(
    toBedrockEmbedBodies({ model: "x", input: "q", input_type: "search_query" }, cohere),
    [{ texts: ["q"], input_type: "search_query" }],
  );
  const many = Array.from({ length: 100 }, (_, i) => `t${i}`);
  assert.deepEqual(
    toBedrockEmbedBodies({ model: "x", input: many }, cohere).map((b) =>
      "texts" in b && b.texts.length
    ),
    [96, 4],
  );
  assert.throws(() => toBedrockEmbedBodies({ model: "x", input: [1, 2] }, titan), BadRequestError);
  assert.throws(
    () =>
      toBedrockEmbedBodies({ model: "x", input: "a" }, context({ model: "amazon.nova-lite-v1:0" })),
    /Titan/,
  );
});

Deno.test("fromBedrockEmbedResponses() converts Titan and Cohere bodies", async () => {
  const titan = context({ model: "amazon.titan-embed-text-v2:0" });
  const t = await loadJson("bedrock/embed_titan.response.json");
  assert.deepEqual(fromBedrockEmbedResponses([t, t], titan, { model: "x", input: ["a", "b"] }), {
    object: "list",
    data: [
      { object: "embedding", index: 0, embedding: [0.0123, -0.0456, 0.0789, 0.0012] },
      { object: "embedding", index: 1, embedding: [0.0123, -0.0456, 0.0789, 0.0012] },
    ],
    model: "amazon.titan-embed-text-v2:0",
    usage: { prompt_tokens: 12, total_tokens: 12 },
  });
  const cohere = context({ model: "cohere.embed-english-v3" });
  const c = await loadJson("bedrock/embed_cohere.response.json");
  const res = fromBedrockEmbedResponses([c], cohere, {
    model: "x",
    input: ["hello world", "goodbye"],
    encoding_format: "base64",
  });
  assert.equal(res.data.length, 2);
  assert.equal(typeof res.data[1].embedding, "string");
  assert.deepEqual(res.usage, { prompt_tokens: 0, total_tokens: 0 });
  assert.throws(
    () => fromBedrockEmbedResponses([{}], titan, { model: "x", input: "a" }),
    APIConnectionError,
  );
});

// ---------------------------------------------------------------------------
// 7. End to end against the fake (SigV4 verified on every request)
// ---------------------------------------------------------------------------

function startFake(extra: Partial<Parameters<typeof startBedrockFake>[0]> = {}) {
  return startBedrockFake({
    accessKeyId: KEY_ID,
    secretAccessKey: SECRET,
    region: REGION,
    now: () => NOW,
    ...extra,
  });
}

Deno.test("completion() answers text through the fake, signed", async () => {
  await using fake = startFake();
  const res = await completion({
    model: MODEL,
    messages: REQUEST_CASES[0].request.messages!,
    max_tokens: 512,
    temperature: 0.5,
    top_p: 0.9,
    stop: "END",
    ...aws(fake.url),
  }, deps());
  assert.deepEqual(res, RESPONSE_CASES[0].expected);
  assert.equal(fake.requests.length, 1);
  const sent = fake.requests[0];
  assert.equal(sent.path, "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse");
  assert.match(
    sent.headers.authorization,
    /Credential=AKIAIOSFODNN7EXAMPLE\/20241027\/us-east-1\/bedrock\/aws4_request/,
  );
  assert.deepEqual(sent.body, await loadJson("bedrock/text.request.json"));
});

Deno.test("completion() reads credentials and region from env and accepts bedrock/converse/ ids", async () => {
  await using fake = startFake({ sessionToken: TOKEN });
  const res = await completion(
    {
      model: `bedrock/converse/us.${HAIKU}`,
      messages: [{ role: "user", content: "Hi" }],
    },
    deps({
      AWS_ACCESS_KEY_ID: KEY_ID,
      AWS_SECRET_ACCESS_KEY: SECRET,
      AWS_SESSION_TOKEN: TOKEN,
      AWS_REGION: REGION,
      AWS_BEDROCK_RUNTIME_ENDPOINT: fake.url,
    }),
  );
  assert.equal(res.choices[0].finish_reason, "stop");
  assert.equal(res.model, `us.${HAIKU}`);
  assert.equal(
    fake.requests[0].path,
    "/model/us.anthropic.claude-3-haiku-20240307-v1%3A0/converse",
  );
  assert.equal(fake.requests[0].headers["x-amz-security-token"], TOKEN);
});

Deno.test("completion() calls tools and sends the results back through the fake", async () => {
  await using fake = startFake({ scenario: "tool_use" });
  const messages: ChatCompletionRequest["messages"] = [
    { role: "user", content: "What is the most popular song on WZPZ?" },
  ];
  const first = await completion({
    model: MODEL,
    messages,
    tools: [TOP_SONG],
    tool_choice: { type: "function", function: { name: "top_song" } },
    ...aws(fake.url),
  }, deps());
  assert.deepEqual(first, RESPONSE_CASES[1].expected);
  assert.deepEqual(fake.requests[0].body, await loadJson("bedrock/tool_use.request.json"));
  const call = first.choices[0].message.tool_calls![0];
  const second = await completion({
    model: MODEL,
    messages: [
      ...messages,
      first.choices[0].message as ChatCompletionRequest["messages"][0],
      {
        role: "tool",
        tool_call_id: call.id,
        content: '{"song":"Elemental Hotel","artist":"8 Storey Hike"}',
      },
    ],
    tools: [TOP_SONG],
    ...aws(fake.url, { extra_headers: { "x-fake-scenario": "tool_result" } }),
  }, deps());
  assert.equal(
    second.choices[0].message.content,
    "The most popular song on WZPZ is Elemental Hotel by 8 Storey Hike.",
  );
  const body = fake.requests[1].body as BedrockConverseRequest;
  assert.deepEqual(body.messages.slice(1), [
    {
      role: "assistant",
      content: [
        { text: "I'll look up the most popular song on WZPZ." },
        {
          toolUse: {
            toolUseId: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
            name: "top_song",
            input: { sign: "WZPZ" },
          },
        },
      ],
    },
    {
      role: "user",
      content: [{
        toolResult: {
          toolUseId: "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q",
          content: [{ text: '{"song":"Elemental Hotel","artist":"8 Storey Hike"}' }],
        },
      }],
    },
  ]);
  assert.equal(fake.requests[1].headers["x-fake-scenario"], "tool_result");
});

async function collectStream(stream: AsyncIterable<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = [];
  for await (const c of stream) chunks.push(c);
  return chunks;
}

Deno.test("completion() streams text with include_usage, whole and split at every byte", async () => {
  for (const split of ["frame", "byte", 5, 33] as const) {
    await using fake = startFake({ split });
    const stream = await completion({
      model: MODEL,
      messages: [{ role: "user", content: "Create a list of 3 pop songs." }],
      stream: true,
      stream_options: { include_usage: true },
      ...aws(fake.url),
    }, deps());
    const chunks = await collectStream(stream);
    const expected = STREAM_CASES[0].expected;
    assert.deepEqual(chunks, [
      ...expected.slice(0, -1).map((c) => ({ ...c, usage: null })),
      expected[expected.length - 1],
    ], `split ${split}`);
    assert.equal(
      fake.requests[0].path,
      "/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse-stream",
    );
    assert.equal(fake.requests[0].headers.accept, "application/vnd.amazon.eventstream");
  }
});

Deno.test("completion() streams tool calls and reasoning without a usage chunk unless asked", async () => {
  await using fake = startFake();
  for (const scenario of ["tool_use", "reasoning"]) {
    const stream = await completion({
      model: MODEL,
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
      ...aws(fake.url, { extra_headers: { "x-fake-scenario": scenario } }),
    }, deps());
    const chunks = await collectStream(stream);
    const expected = STREAM_CASES.find((c) => c.fixture === scenario)!.expected;
    assert.deepEqual(chunks, expected.slice(0, -1));
    assert.deepEqual(stream.usage, expected[expected.length - 1].usage);
  }
});

const E2E_ERRORS: { scenario: string; cls: typeof LLMuxError; status: number }[] = [
  { scenario: "validation", cls: BadRequestError, status: 400 },
  { scenario: "context_window", cls: ContextWindowExceededError, status: 400 },
  { scenario: "access_denied", cls: PermissionDeniedError, status: 403 },
  { scenario: "not_found", cls: NotFoundError, status: 404 },
  { scenario: "no-such-fixture", cls: NotFoundError, status: 404 },
  { scenario: "model_timeout", cls: TimeoutError, status: 408 },
  { scenario: "model_error", cls: InternalServerError, status: 502 },
  { scenario: "throttling", cls: RateLimitError, status: 429 },
  { scenario: "quota", cls: RateLimitError, status: 429 },
  { scenario: "not_ready", cls: ServiceUnavailableError, status: 503 },
  { scenario: "internal", cls: InternalServerError, status: 500 },
  { scenario: "unavailable", cls: ServiceUnavailableError, status: 503 },
];

Deno.test("completion() maps every fake error to its typed error", async (t) => {
  await using fake = startFake();
  for (const c of E2E_ERRORS) {
    await t.step(c.scenario, async () => {
      const err = await completion({
        model: MODEL,
        messages: [{ role: "user", content: "Hi" }],
        ...aws(fake.url, { extra_headers: { "x-fake-scenario": c.scenario } }),
      }, deps()).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof c.cls, `${c.scenario}: ${err}`);
      assert.equal(err.constructor, c.cls);
      assert.equal(err.status, c.status);
      assert.equal(err.provider, "bedrock");
      assert.equal(err.model, MODEL);
      for (const text of [err.message, JSON.stringify(err.body), String(err.upstreamMessage)]) {
        assert.ok(!text.includes(SECRET), "the secret never appears");
      }
    });
  }
});

Deno.test("the fake rejects a wrong signature with InvalidSignatureException → AuthenticationError", async () => {
  await using fake = startFake({ sessionToken: TOKEN });
  const wrongSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzWRONGKEYZ";
  const err = await completion({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    ...aws(fake.url, { aws_secret_access_key: wrongSecret, aws_session_token: TOKEN }),
  }, deps()).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof AuthenticationError, String(err));
  assert.equal(err.status, 401);
  assert.match(
    err.message,
    /InvalidSignatureException: The request signature we calculated does not match/,
  );
  for (const secret of [SECRET, wrongSecret, TOKEN]) {
    for (const text of [err.message, String(err.upstreamMessage), JSON.stringify(err.body)]) {
      assert.ok(!text.includes(secret), "no credential reaches the error");
    }
  }
  // The fake really echoes the canonical request (token included), as AWS does.
  const raw = await fetch(`${fake.url}/model/x/converse`, {
    method: "POST",
    headers: {
      authorization:
        `AWS4-HMAC-SHA256 Credential=${KEY_ID}/20241027/${REGION}/bedrock/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=${
          "0".repeat(64)
        }`,
      "x-amz-date": "20241027T033320Z",
      "x-amz-security-token": TOKEN,
    },
    body: "{}",
  });
  assert.equal(raw.status, 403);
  assert.equal(raw.headers.get("x-amzn-errortype")?.split(":")[0], "InvalidSignatureException");
  const text = await raw.text();
  assert.match(text, /The Canonical String for this request should have been/);
  assert.ok(text.includes(TOKEN));
});

Deno.test("the fake checks key, token, scope, clock and tampering like AWS", async () => {
  await using fake = startFake();
  const base = { model: MODEL, messages: [{ role: "user" as const, content: "Hi" }] };
  const cases: [Record<string, unknown>, ReturnType<typeof deps>, RegExp][] = [
    [
      aws(fake.url, { aws_access_key_id: "AKIAOTHERKEY000000000" }),
      deps(),
      /UnrecognizedClientException/,
    ],
    [aws(fake.url, { aws_session_token: TOKEN }), deps(), /UnrecognizedClientException/],
    [aws(fake.url, { aws_region_name: "eu-west-1" }), deps(), /valid region/],
    [aws(fake.url), { ...deps(), now: () => NOW - 10 * 60_000 }, /Signature expired/],
  ];
  for (const [params, d, pattern] of cases) {
    const err = await completion({ ...base, ...params }, d).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof AuthenticationError, String(err));
    assert.match(err.message, pattern);
  }
  // A body changed after signing no longer matches.
  const ctx = context({
    providerOptions: {
      aws_region_name: REGION,
      aws_access_key_id: KEY_ID,
      aws_secret_access_key: SECRET,
    },
    apiBase: fake.url,
  });
  const signed = await prepareBedrockRequest(
    bedrockAdapter.buildRequest(request({}), ctx),
    ctx,
    PREPARE_DEPS,
  );
  const tampered = await fetch(signed.url, {
    method: "POST",
    headers: signed.headers,
    body: signed.body!.replace("Hi", "Yo"),
  });
  assert.equal(tampered.status, 403);
  assert.match(await tampered.text(), /signature we calculated does not match/);
  const ok = await fetch(signed.url, {
    method: "POST",
    headers: signed.headers,
    body: signed.body,
  });
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  const none = await fetch(signed.url, { method: "POST", body: signed.body });
  assert.equal(
    none.headers.get("x-amzn-errortype")?.split(":")[0],
    "MissingAuthenticationTokenException",
  );
  await none.body?.cancel();
});

Deno.test("completion() uses a Bedrock API key as a bearer token", async () => {
  await using fake = startFake({ bearerToken: "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl" });
  const res = await completion({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    api_base: fake.url,
  }, deps({ AWS_BEARER_TOKEN_BEDROCK: "ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl" }));
  assert.equal(res.choices[0].finish_reason, "stop");
  assert.equal(fake.requests[0].headers.authorization, "Bearer ABSKQmVkcm9ja0FQSUtleS1leGFtcGxl");
  const err = await completion({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    api_base: fake.url,
    api_key: "ABSKwrongkey0000000000",
  }, deps()).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof AuthenticationError);
  assert.ok(!err.message.includes("ABSKwrongkey0000000000"));
});

Deno.test("completion() fails before any request when credentials are missing", async () => {
  await using fake = startFake();
  const err = await completion({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    api_base: fake.url,
  }, deps()).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof AuthenticationError);
  assert.match(err.message, /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  assert.equal(fake.requests.length, 0);
});

Deno.test("completion() retries a throttled call with a fresh signature", async () => {
  await using fake = startFake();
  let clock = NOW;
  const sleeps: number[] = [];
  let calls = 0;
  const flaky: typeof fetch = (input, init) => {
    calls++;
    const headers = new Headers(init?.headers);
    if (calls === 1) headers.set("x-fake-scenario", "throttling");
    clock += 1000;
    return fetch(input, { ...init, headers });
  };
  const res = await completion({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    num_retries: 1,
    fetch: flaky,
    ...aws(fake.url),
  }, { ...deps(), now: () => clock, sleep: (ms: number) => (sleeps.push(ms), Promise.resolve()) });
  assert.equal(res.choices[0].finish_reason, "stop");
  assert.equal(fake.requests.length, 2);
  assert.deepEqual(sleeps, [500]);
});

Deno.test("completion() throws a mid-stream exception while iterating", async () => {
  await using fake = startFake({ scenario: "mid_exception" });
  const stream = await completion({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    ...aws(fake.url),
  }, deps());
  const seen: ChatCompletionChunk[] = [];
  const err = await (async () => {
    for await (const c of stream) seen.push(c);
  })().then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof RateLimitError, String(err));
  assert.match(err.message, /throttlingException: Too many tokens/);
  assert.deepEqual(seen.map((c) => c.choices[0].delta.content), ["", "Here is a list"]);
});

Deno.test("completion() fails a bad-CRC, truncated or reset stream with APIConnectionError", async () => {
  const cases: [string, RegExp, number][] = [
    ["bad_crc", /message checksum/, 2],
    ["bad_prelude_crc", /prelude (CRC32 mismatch|checksum)/, 1],
    ["truncated", /ended inside a frame/, 3],
    ["reset", /failed while streaming/, 2],
  ];
  for (const [scenario, pattern, before] of cases) {
    for (const split of ["frame", "byte"] as const) {
      await using fake = startFake({ scenario, split });
      const stream = await completion({
        model: MODEL,
        messages: [{ role: "user", content: "Hi" }],
        stream: true,
        ...aws(fake.url),
      }, deps());
      const seen: ChatCompletionChunk[] = [];
      const err = await (async () => {
        for await (const c of stream) seen.push(c);
      })().then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof APIConnectionError, `${scenario}/${split}: ${err}`);
      assert.match(err.message, pattern, `${scenario}/${split}`);
      if (split === "frame") {
        assert.equal(seen.length, before, `${scenario}: chunks before the damage`);
      }
    }
  }
});

Deno.test("breaking out of a stream cancels the upstream response body", async () => {
  await using fake = startFake({ scenario: "slow", delayMs: 25 });
  const stream = await completion({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    ...aws(fake.url),
  }, deps());
  let n = 0;
  for await (const _ of stream) {
    if (++n === 3) break;
  }
  for (let i = 0; i < 50 && fake.cancelled() === 0; i++) {
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(fake.cancelled(), 1);
});

Deno.test("the fake rejects what the real Converse API rejects", async () => {
  await using fake = startFake();
  const ctx = context({
    apiBase: fake.url,
    providerOptions: {
      aws_region_name: REGION,
      aws_access_key_id: KEY_ID,
      aws_secret_access_key: SECRET,
    },
  });
  const send = async (body: unknown) => {
    const built = { ...bedrockAdapter.buildRequest(request({}), ctx), body: JSON.stringify(body) };
    const signed = await prepareBedrockRequest(built, ctx, PREPARE_DEPS);
    const res = await fetch(signed.url, {
      method: "POST",
      headers: signed.headers,
      body: signed.body,
    });
    return { status: res.status, text: await res.text() };
  };
  const cases: [unknown, RegExp][] = [
    [{ messages: [{ role: "user", content: "Hi" }], model: "x" }, /extraneous key \[model\]/],
    [{ messages: [] }, /start with a user message/],
    [{ messages: [{ role: "assistant", content: [{ text: "x" }] }] }, /start with a user message/],
    [{ messages: [USER_HI, USER_HI] }, /alternate/],
    [{ messages: [{ role: "user", content: [{ text: " " }] }] }, /blank/],
    [
      { messages: [{ role: "user", content: [{ toolResult: { toolUseId: "t", content: [] } }] }] },
      /toolConfig field must be defined/,
    ],
    [{ messages: [USER_HI], inferenceConfig: { max_tokens: 1 } }, /extraneous key \[max_tokens\]/],
  ];
  for (const [body, pattern] of cases) {
    const res = await send(body);
    assert.equal(res.status, 400);
    assert.match(res.text, pattern);
  }
});

// ---------------------------------------------------------------------------
// 8. Embeddings end to end
// ---------------------------------------------------------------------------

Deno.test("embedding() embeds one text with Titan v2 and a batch with Cohere through the fake", async () => {
  await using fake = startFake();
  const titan = await embedding({
    model: "bedrock/amazon.titan-embed-text-v2:0",
    input: "hello big world",
    dimensions: 256,
    ...aws(fake.url),
  }, deps());
  assert.deepEqual(titan, {
    object: "list",
    data: [{ object: "embedding", index: 0, embedding: fakeVector("hello big world", 256) }],
    model: "amazon.titan-embed-text-v2:0",
    usage: { prompt_tokens: 3, total_tokens: 3 },
  });
  assert.equal(fake.requests[0].path, "/model/amazon.titan-embed-text-v2%3A0/invoke");
  assert.deepEqual(fake.requests[0].body, {
    inputText: "hello big world",
    dimensions: 256,
    normalize: true,
  });

  const cohere = await embedding({
    model: "bedrock/cohere.embed-english-v3",
    input: ["hello world", "goodbye"],
    input_type: "search_query",
    ...aws(fake.url),
  }, deps());
  assert.deepEqual(cohere.data.map((d) => d.embedding), [
    fakeVector("hello world", 4),
    fakeVector("goodbye", 4),
  ]);
  assert.deepEqual(fake.requests[1].body, {
    texts: ["hello world", "goodbye"],
    input_type: "search_query",
  });
});

Deno.test("Titan embeddings fan out one signed request per text", async () => {
  await using fake = startFake();
  const ctx = context({
    model: "amazon.titan-embed-text-v2:0",
    apiBase: fake.url,
    providerOptions: {
      aws_region_name: REGION,
      aws_access_key_id: KEY_ID,
      aws_secret_access_key: SECRET,
    },
  });
  const req = {
    model: "bedrock/amazon.titan-embed-text-v2:0",
    input: ["one", "two words", "three more words"],
  };
  const requests = bedrockEmbedding.buildRequests(req, ctx);
  assert.equal(requests.length, 3);
  const bodies: unknown[] = [];
  for (const r of requests) {
    const signed = await prepareBedrockRequest(r, ctx, PREPARE_DEPS);
    const res = await fetch(signed.url, {
      method: "POST",
      headers: signed.headers,
      body: signed.body,
    });
    assert.equal(res.status, 200);
    bodies.push(await res.json());
  }
  const out = bedrockEmbedding.parseResponses(bodies, ctx, req);
  assert.deepEqual(out.data.map((d) => d.embedding), req.input.map((t) => fakeVector(t, 1024)));
  assert.deepEqual(out.usage, { prompt_tokens: 6, total_tokens: 6 });
  // The single-request contract cannot carry several Titan texts: a clear error, not a wrong call.
  assert.throws(
    () => bedrockEmbedding.buildRequest(req, ctx),
    (e: unknown) => e instanceof BadRequestError && /one text per call/.test(e.message),
  );
});

Deno.test("embedding() maps invoke errors and validation", async () => {
  await using fake = startFake();
  const err = await embedding({
    model: "bedrock/amazon.titan-embed-text-v2:0",
    input: "x",
    dimensions: 7,
    ...aws(fake.url),
  }, deps()).then(() => undefined, (e: unknown) => e);
  assert.ok(err instanceof BadRequestError, String(err));
  assert.match(err.message, /ValidationException/);
  await assert.rejects(
    embedding({
      model: "bedrock/amazon.titan-embed-text-v2:0",
      input: "x",
      ...aws(fake.url, { extra_headers: { "x-fake-scenario": "throttling" } }),
    }, deps()),
    RateLimitError,
  );
});

Deno.test("embedding() fans Titan inputs out, one signed request per text", async () => {
  await using fake = startFake();
  const input = ["one", "two words", "three more words", "four", "five", "six"];
  const res = await embedding(
    { model: "bedrock/amazon.titan-embed-text-v2:0", input, ...aws(fake.url) },
    deps(),
  );
  assert.deepEqual(res.data.map((d) => d.embedding), input.map((t) => fakeVector(t, 1024)));
  assert.deepEqual(res.data.map((d) => d.index), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(res.usage, { prompt_tokens: 9, total_tokens: 9 });
  assert.deepEqual(
    fake.requests.map((r) => (r.body as { inputText: string }).inputText).sort(),
    [...input].sort(),
  );
});

Deno.test("bedrock/invoke/ (LiteLLM's InvokeModel route): Claude with the Messages body, signed", async () => {
  await using fake = startFake();
  const res = await completion({
    model: `bedrock/invoke/${HAIKU}`,
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
    max_tokens: 64,
    ...aws(fake.url),
  }, deps());
  const expected = await loadJson<{ content: { text?: string }[] }>(
    "anthropic/text.response.json",
  );
  assert.equal(res.object, "chat.completion");
  assert.equal(res.choices[0].message.content, expected.content[0].text);
  assert.ok((res.usage?.total_tokens ?? 0) > 0);
  const sent = fake.requests[0];
  assert.equal(sent.path, "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke");
  assert.match(sent.headers.authorization, /^AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE\//);
  const body = sent.body as Record<string, unknown>;
  assert.equal(body.anthropic_version, "bedrock-2023-05-31");
  assert.equal(body.system, "Be brief.");
  assert.equal(body.max_tokens, 64);
  assert.ok(!("model" in body));
});

Deno.test("bedrock/invoke/ streams: base64 chunk frames of Anthropic events → OpenAI chunks", async () => {
  await using fake = startFake();
  const stream = await completion({
    model: `bedrock/invoke/${HAIKU}`,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
    stream_options: { include_usage: true },
    ...aws(fake.url),
  }, deps());
  let text = "";
  let finish: string | null = null;
  let usage: number | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? "";
    finish = chunk.choices[0]?.finish_reason ?? finish;
    if (chunk.usage) usage = chunk.usage.total_tokens;
  }
  assert.ok(text.length > 0);
  assert.equal(finish, "stop");
  assert.ok((usage ?? 0) > 0);
  assert.equal(
    fake.requests[0].path,
    "/model/anthropic.claude-3-haiku-20240307-v1%3A0/invoke-with-response-stream",
  );
  assert.ok(!("stream" in (fake.requests[0].body as Record<string, unknown>)));
});
