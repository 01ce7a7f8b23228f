import assert from "node:assert/strict";
import {
  buildRequestLog,
  createRedactor,
  deploymentSecrets,
  MAX_ERROR_MESSAGE_LENGTH,
  REDACTED,
  type RequestLogInput,
} from "../../src/server/request_log.ts";
import {
  configureLogging,
  getLlmuxLogger,
  getRequestLogger,
  logRequest,
} from "../../src/server/logging.ts";
import { createDeployment } from "../../src/fallback/deployment.ts";
import { AuthenticationError, RateLimitError } from "../../src/errors.ts";
import type { LogRecord } from "@logtape/logtape";

const MASTER_KEY = "llmux-master-7f3a9c";
const OPENAI_KEY = "sk-proj-Abc123Def456Ghi789";
const AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

const deployments = [
  createDeployment({
    model_name: "gpt",
    litellm_params: { model: "openai/gpt-4o", api_key: OPENAI_KEY },
    model_info: { id: "gpt-a" },
  }),
  // deploymentSecrets() only reads `params`: any provider's credential fields.
  { params: { model: "bedrock/claude", aws_secret_access_key: AWS_SECRET, aws_region_name: "x" } },
];
const redact = createRedactor({ secrets: [MASTER_KEY, ...deploymentSecrets(deployments)] });

const REDACTION_CASES: readonly { name: string; input: string; expected: string }[] = [
  { name: "master key", input: `auth ${MASTER_KEY} failed`, expected: `auth ${REDACTED} failed` },
  {
    name: "provider key from the config",
    input: `Incorrect API key provided: ${OPENAI_KEY}.`,
    expected: `Incorrect API key provided: ${REDACTED}.`,
  },
  {
    name: "AWS secret from the config",
    input: `signature for ${AWS_SECRET} mismatch`,
    expected: `signature for ${REDACTED} mismatch`,
  },
  {
    name: "unknown sk- key",
    input: "key sk-ant-api03-xyzXYZ0123456789 rejected",
    expected: `key ${REDACTED} rejected`,
  },
  {
    name: "Bearer token",
    input: "Authorization: Bearer eyJhbGciOi.abc-def_ghi",
    expected: `Authorization: Bearer ${REDACTED}`,
  },
  {
    name: "lower-case bearer",
    input: "sent bearer abcdefgh12345678 upstream",
    expected: `sent bearer ${REDACTED} upstream`,
  },
  {
    name: "x-api-key header",
    input: "x-api-key: 0123456789abcdef",
    expected: `x-api-key: ${REDACTED}`,
  },
  {
    name: "api_key in JSON",
    input: '{"model":"gpt","api_key":"my-own-key","x":1}',
    expected: `{"model":"gpt","api_key":"${REDACTED}","x":1}`,
  },
  {
    name: "JSON literals after a key name stay (the line stays JSON)",
    input: '{"api_key":null,"x-api-key":12,"authorization":false}',
    expected: '{"api_key":null,"x-api-key":12,"authorization":false}',
  },
  {
    name: "quoted numeric key",
    input: '{"api_key":"12345678"}',
    expected: `{"api_key":"${REDACTED}"}`,
  },
  {
    name: "api-key header (Azure)",
    input: "api-key=abcdef123456; next",
    expected: `api-key=${REDACTED}; next`,
  },
  {
    name: "Basic authorization",
    input: "authorization: Basic dXNlcjpwYXNzd29yZA==",
    expected: `authorization: ${REDACTED}`,
  },
  {
    name: "key in a URL query",
    input: "POST https://generativelanguage.googleapis.com/v1beta/models/x?key=abc123&alt=sse",
    expected:
      `POST https://generativelanguage.googleapis.com/v1beta/models/x?key=${REDACTED}&alt=sse`,
  },
  {
    name: "Google API key",
    input: "invalid AIzaSyA1234567890abcdefghijklmnopqrstu",
    expected: `invalid ${REDACTED}`,
  },
  { name: "AWS access key id", input: "id AKIAIOSFODNN7EXAMPLE.", expected: `id ${REDACTED}.` },
  { name: "Groq key", input: "gsk_abcdefghijklmnop1234", expected: REDACTED },
  {
    name: "JWT",
    input: "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig",
    expected: `token ${REDACTED}`,
  },
  {
    name: "ordinary text stays",
    input: "The task-force asked about bearer bonds and the key idea.",
    expected: "The task-force asked about bearer bonds and the key idea.",
  },
];

for (const { name, input, expected } of REDACTION_CASES) {
  Deno.test(`createRedactor() redacts: ${name}`, () => {
    assert.equal(redact(input), expected);
  });
}

Deno.test("createRedactor() ignores empty and very short secrets", () => {
  const r = createRedactor({ secrets: ["", "ab", undefined, null, "abcd"] });
  assert.equal(r("ab abcd"), `ab ${REDACTED}`);
});

Deno.test("deploymentSecrets() takes credential-named params only", () => {
  assert.deepEqual(deploymentSecrets(deployments), [OPENAI_KEY, AWS_SECRET]);
});

const BASE: RequestLogInput = {
  requestId: "req_1",
  method: "POST",
  route: "/v1/chat/completions",
  modelGroup: "gpt",
  deploymentId: "gpt-a",
  provider: "openai",
  status: 200,
  latencyMs: 420.6,
  usage: { prompt_tokens: 12, completion_tokens: 30 },
  costUsd: 0.00042,
  attempts: 2,
  fallbacks: ["backup"],
  stream: true,
  ttftMs: 180,
  messages: [
    { role: "system", content: `Use key ${OPENAI_KEY} for the tool` },
    {
      role: "user",
      content: [{ type: "text", text: "my key is sk-user-pasted-0123456789" }],
    },
  ],
  response: { role: "assistant", content: "ok", api_key: "leaked-by-a-tool" },
};

Deno.test("buildRequestLog() writes every field, null when absent, and no prompts by default", () => {
  const record = buildRequestLog(BASE, { redact });
  assert.deepEqual(record, {
    request_id: "req_1",
    method: "POST",
    route: "/v1/chat/completions",
    model_group: "gpt",
    deployment_id: "gpt-a",
    provider: "openai",
    status: 200,
    latency_ms: 421,
    ttft_ms: 180,
    prompt_tokens: 12,
    completion_tokens: 30,
    total_tokens: 42,
    cost_usd: 0.00042,
    attempts: 2,
    fallbacks: ["backup"],
    stream: true,
    error_type: null,
    error_message: null,
  });
  assert.ok(!("messages" in record) && !("response" in record));

  const bare = buildRequestLog({ requestId: "r", route: "/v1/models", status: 200, latencyMs: 1 });
  assert.deepEqual(bare, {
    request_id: "r",
    method: null,
    route: "/v1/models",
    model_group: null,
    deployment_id: null,
    provider: null,
    status: 200,
    latency_ms: 1,
    ttft_ms: null,
    prompt_tokens: null,
    completion_tokens: null,
    total_tokens: null,
    cost_usd: null,
    attempts: 0,
    fallbacks: [],
    stream: false,
    error_type: null,
    error_message: null,
  });
});

Deno.test("buildRequestLog() keeps prompts only with logPrompts, redacted", () => {
  const record = buildRequestLog(BASE, { redact, logPrompts: true });
  assert.deepEqual(record.messages, [
    { role: "system", content: `Use key ${REDACTED} for the tool` },
    { role: "user", content: [{ type: "text", text: `my key is ${REDACTED}` }] },
  ]);
  assert.deepEqual(record.response, { role: "assistant", content: "ok", api_key: REDACTED });
  assert.equal(buildRequestLog(BASE, { redact, logPrompts: false }).messages, undefined);
});

const ERROR_CASES: readonly {
  name: string;
  error: unknown;
  type: string;
  message: string;
}[] = [
  {
    name: "typed error with a provider key",
    error: new AuthenticationError(`Incorrect API key provided: ${OPENAI_KEY}`),
    type: "AuthenticationError",
    message: `Incorrect API key provided: ${REDACTED}`,
  },
  {
    name: "rate limit with a Bearer header echoed",
    error: new RateLimitError("upstream said: Authorization: Bearer abcdefghijklmnop"),
    type: "RateLimitError",
    message: `upstream said: Authorization: Bearer ${REDACTED}`,
  },
  {
    name: "OpenAI error body with the master key",
    error: { error: { type: "invalid_request_error", message: `bad key ${MASTER_KEY}` } },
    type: "invalid_request_error",
    message: `bad key ${REDACTED}`,
  },
  {
    name: "string error with x-api-key",
    error: "failed with x-api-key=abcdef0123456789",
    type: "Error",
    message: `failed with x-api-key=${REDACTED}`,
  },
  { name: "unknown value", error: 42, type: "unknown", message: "" },
];

for (const { name, error, type, message } of ERROR_CASES) {
  Deno.test(`buildRequestLog() error: ${name}`, () => {
    const record = buildRequestLog({ ...BASE, status: 401, error }, { redact });
    assert.equal(record.error_type, type);
    assert.equal(record.error_message, message);
    const line = JSON.stringify(record);
    for (const secret of [MASTER_KEY, OPENAI_KEY, AWS_SECRET]) assert.ok(!line.includes(secret));
  });
}

Deno.test("buildRequestLog() redacts every string field and truncates long ones", () => {
  const record = buildRequestLog({
    ...BASE,
    requestId: `req-${MASTER_KEY}`,
    modelGroup: OPENAI_KEY,
    fallbacks: [MASTER_KEY],
    error: new Error(`x${"y".repeat(5000)}`),
  }, { secrets: [MASTER_KEY] });
  assert.equal(record.request_id, `req-${REDACTED}`);
  assert.equal(record.model_group, REDACTED); // by pattern: no secrets list needed
  assert.deepEqual(record.fallbacks, [REDACTED]);
  assert.equal(record.error_type, "Error");
  assert.equal(record.error_message?.length, MAX_ERROR_MESSAGE_LENGTH);
  assert.ok(record.error_message?.endsWith("…"));
});

Deno.test("buildRequestLog() drops non-finite and negative numbers", () => {
  const record = buildRequestLog({
    requestId: "r",
    route: "/v1/embeddings",
    status: 200,
    latencyMs: Number.NaN,
    ttftMs: -1,
    usage: { prompt_tokens: 5, total_tokens: 5 },
    costUsd: Number.POSITIVE_INFINITY,
    attempts: -3,
  });
  assert.equal(record.latency_ms, null);
  assert.equal(record.ttft_ms, null);
  assert.equal(record.prompt_tokens, 5);
  assert.equal(record.completion_tokens, null);
  assert.equal(record.total_tokens, 5);
  assert.equal(record.cost_usd, null);
  assert.equal(record.attempts, 0);
});

// --- logging ---------------------------------------------------------------------

function collectingStream(): { stream: WritableStream<Uint8Array>; text: () => string } {
  const chunks: Uint8Array[] = [];
  const stream = new WritableStream<Uint8Array>({
    write(chunk) {
      chunks.push(chunk);
    },
  });
  const decoder = new TextDecoder();
  return { stream, text: () => chunks.map((c) => decoder.decode(c)).join("") };
}

Deno.test("configureLogging() writes one JSON line per request to an injected stream", async () => {
  const out = collectingStream();
  const logging = await configureLogging({ sink: out.stream, level: "error" });
  logRequest(buildRequestLog(BASE, { redact }));
  logRequest(buildRequestLog({ ...BASE, requestId: "req_2", status: 429 }, { redact }));
  logRequest(buildRequestLog({ ...BASE, requestId: "req_3", status: 503 }, { redact }));
  getLlmuxLogger("server").info("not shown below level error");
  await logging[Symbol.asyncDispose]();

  const lines = out.text().split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 3);
  const parsed = lines.map((l) => JSON.parse(l));
  assert.deepEqual(parsed.map((p) => [p.request_id, p.level]), [
    ["req_1", "INFO"],
    ["req_2", "WARN"],
    ["req_3", "ERROR"],
  ]);
  const first = parsed[0];
  assert.equal(first.logger, "llmux.request");
  assert.equal(first.message, "POST /v1/chat/completions 200 gpt 421 ms");
  assert.equal(parsed[1].message, "POST /v1/chat/completions 429 gpt 421 ms");
  assert.equal(typeof first["@timestamp"], "string");
  const expected = buildRequestLog(BASE, { redact });
  for (const [key, value] of Object.entries(expected)) assert.deepEqual(first[key], value, key);
  assert.ok(!("properties" in first));
});

Deno.test("configureLogging(): text format for other logs, request logs stay JSON", async () => {
  const out = collectingStream();
  const logging = await configureLogging({ sink: out.stream, format: "text", level: "debug" });
  getLlmuxLogger("server").debug("listening on {port}", { port: 4000 });
  logRequest(buildRequestLog({ requestId: "r", route: "/v1/models", status: 200, latencyMs: 2 }));
  await logging[Symbol.asyncDispose]();
  const [text, json, extra] = out.text().split("\n");
  assert.match(text!, /\[DBG\] llmux·server: listening on 4000$/);
  assert.equal(JSON.parse(json!).request_id, "r");
  assert.equal(extra, "");
});

Deno.test("configureLogging(): a function sink gets records; requestLogs: false silences them", async () => {
  const records: LogRecord[] = [];
  let logging = await configureLogging({ sink: (r) => records.push(r) });
  logRequest(buildRequestLog({ requestId: "r1", route: "/v1/models", status: 200, latencyMs: 2 }));
  getLlmuxLogger("server").debug("below info");
  getLlmuxLogger("server").warning("shown");
  await logging[Symbol.asyncDispose]();
  assert.deepEqual(records.map((r) => r.category.join(".")), ["llmux.request", "llmux.server"]);
  assert.equal(records[0]!.properties.request_id, "r1");

  records.length = 0;
  logging = await configureLogging({ sink: (r) => records.push(r), requestLogs: false });
  logRequest(buildRequestLog({ requestId: "r2", route: "/v1/models", status: 500, latencyMs: 2 }));
  await logging[Symbol.asyncDispose]();
  assert.equal(records.length, 0);
});

Deno.test("configureLogging(): redact applies to every line; disposing stops output", async () => {
  const out = collectingStream();
  const logging = await configureLogging({ sink: out.stream, redact });
  getLlmuxLogger("server").error("upstream rejected {key}", { key: OPENAI_KEY });
  await logging[Symbol.asyncDispose]();
  getRequestLogger().error("after reset");
  getLlmuxLogger("server").error(`after reset ${MASTER_KEY}`);
  const text = out.text();
  assert.ok(!text.includes(OPENAI_KEY));
  assert.ok(text.includes(REDACTED));
  assert.ok(!text.includes("after reset"));
  assert.equal(text.split("\n").filter((l) => l !== "").length, 1);
});

Deno.test("configureLogging() replaces an earlier configuration", async () => {
  const first: LogRecord[] = [];
  const second: LogRecord[] = [];
  await configureLogging({ sink: (r) => first.push(r) });
  const logging = await configureLogging({ sink: (r) => second.push(r) });
  logRequest(buildRequestLog({ requestId: "r", route: "/v1/models", status: 200, latencyMs: 2 }));
  await logging[Symbol.asyncDispose]();
  assert.equal(first.length, 0);
  assert.equal(second.length, 1);
});

Deno.test("logRequest() keeps braces of a model name literal in the message", async () => {
  const records: LogRecord[] = [];
  const logging = await configureLogging({ sink: (r) => records.push(r) });
  logRequest(buildRequestLog({
    requestId: "r",
    route: "/v1/chat/completions",
    modelGroup: "{request_id}}",
    status: 404,
    latencyMs: 2,
  }));
  await logging[Symbol.asyncDispose]();
  assert.deepEqual(records[0]!.message, ["- /v1/chat/completions 404 {request_id}} 2 ms"]);
  assert.equal(records[0]!.level, "warning");
});
