import assert from "node:assert/strict";
import * as errors from "../src/errors.ts";
import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  ContentPolicyViolationError,
  ContextWindowExceededError,
  errorClassForStatus,
  InternalServerError,
  isRetryableStatus,
  LLMuxError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  UnsupportedParamsError,
} from "../src/errors.ts";
import { parseRetryAfter, pickForwardHeaders, redact } from "../src/_http.ts";

type ErrorClass = typeof LLMuxError;

const CLASSES: [ErrorClass, number, string, ErrorClass | null][] = [
  [LLMuxError, 500, "api_error", null],
  [BadRequestError, 400, "invalid_request_error", LLMuxError],
  [UnsupportedParamsError, 400, "invalid_request_error", BadRequestError],
  [ContextWindowExceededError, 400, "invalid_request_error", BadRequestError],
  [ContentPolicyViolationError, 400, "invalid_request_error", BadRequestError],
  [AuthenticationError, 401, "authentication_error", LLMuxError],
  [PermissionDeniedError, 403, "permission_error", LLMuxError],
  [NotFoundError, 404, "not_found_error", LLMuxError],
  [TimeoutError, 408, "timeout", LLMuxError],
  [RateLimitError, 429, "rate_limit_error", LLMuxError],
  [InternalServerError, 500, "server_error", LLMuxError],
  [ServiceUnavailableError, 503, "service_unavailable", LLMuxError],
  [APIConnectionError, 500, "api_connection_error", LLMuxError],
];

Deno.test("every exported error class is covered by this table", () => {
  const exported = Object.values(errors).filter((value) =>
    typeof value === "function" && (value === LLMuxError || value.prototype instanceof LLMuxError)
  );
  assert.deepEqual(
    exported.map((c) => c.name).sort(),
    CLASSES.map(([c]) => c.name).sort(),
  );
});

for (const [Cls, status, type, parent] of CLASSES) {
  Deno.test(`${Cls.name}: status ${status}, type ${type}, OpenAI body`, () => {
    const err = new Cls("something failed", { provider: "groq", model: "groq/llama" });
    assert.ok(err instanceof Error);
    assert.ok(err instanceof LLMuxError);
    if (parent) assert.ok(err instanceof parent);
    assert.equal(err.name, Cls.name);
    assert.equal(err.status, status);
    assert.equal(err.type, type);
    assert.equal(err.param, null);
    assert.equal(err.code, null);
    assert.equal(err.provider, "groq");
    assert.equal(err.model, "groq/llama");
    assert.deepEqual(err.headers, {});
    assert.equal(err.retryAfter, undefined);
    const body = { error: { message: "something failed", type, param: null, code: null } };
    assert.deepEqual(err.body, body);
    assert.deepEqual(Object.keys(err.body.error), ["message", "type", "param", "code"]);
    assert.deepEqual(err.toJSON(), body);
    assert.equal(JSON.stringify(err), JSON.stringify(body));
  });
}

Deno.test("LLMuxError options override the class defaults", () => {
  const cause = new Error("root");
  const err = new RateLimitError("slow down", {
    status: 402,
    type: "insufficient_quota",
    code: "insufficient_quota",
    param: "model",
    upstreamMessage: "quota",
    upstreamStatus: 402,
    headers: { "retry-after": "3" },
    retryAfter: 3,
    cause,
  });
  assert.equal(err.status, 402);
  assert.deepEqual(err.body, {
    error: {
      message: "slow down",
      type: "insufficient_quota",
      param: "model",
      code: "insufficient_quota",
    },
  });
  assert.equal(err.upstreamMessage, "quota");
  assert.equal(err.upstreamStatus, 402);
  assert.deepEqual(err.headers, { "retry-after": "3" });
  assert.equal(err.retryAfter, 3);
  assert.equal(err.cause, cause);
});

Deno.test("errorClassForStatus() picks the class like the OpenAI SDKs", () => {
  const cases: [number, ErrorClass][] = [
    [400, BadRequestError],
    [401, AuthenticationError],
    [402, RateLimitError],
    [403, PermissionDeniedError],
    [404, NotFoundError],
    [408, TimeoutError],
    [409, BadRequestError],
    [413, BadRequestError],
    [418, BadRequestError],
    [422, BadRequestError],
    [429, RateLimitError],
    [500, InternalServerError],
    [502, InternalServerError],
    [503, ServiceUnavailableError],
    [504, TimeoutError],
    [529, ServiceUnavailableError],
    [200, InternalServerError],
  ];
  for (const [status, Cls] of cases) assert.equal(errorClassForStatus(status), Cls, String(status));
});

Deno.test("isRetryableStatus(): 408, 409, 429 and 5xx only", () => {
  for (const s of [408, 409, 429, 500, 502, 503, 504, 529]) {
    assert.equal(isRetryableStatus(s), true, `${s}`);
  }
  for (const s of [400, 401, 403, 404, 413, 422]) assert.equal(isRetryableStatus(s), false, `${s}`);
});

Deno.test("parseRetryAfter(): retry-after-ms, seconds, HTTP date, garbage", () => {
  const now = Date.parse("2024-10-27T03:33:20Z");
  const cases: [Record<string, string>, number | undefined][] = [
    [{ "retry-after-ms": "1500" }, 1.5],
    [{ "retry-after-ms": "250", "retry-after": "9" }, 0.25],
    [{ "retry-after": "2" }, 2],
    [{ "retry-after": "0" }, 0],
    [{ "retry-after": "Sun, 27 Oct 2024 03:33:30 GMT" }, 10],
    [{ "retry-after": "Sun, 27 Oct 2024 03:33:00 GMT" }, 0],
    [{ "retry-after": "soon" }, undefined],
    [{ "retry-after": "" }, undefined],
    [{}, undefined],
  ];
  for (const [headers, expected] of cases) {
    assert.equal(parseRetryAfter(new Headers(headers), now), expected, JSON.stringify(headers));
  }
});

Deno.test("pickForwardHeaders() keeps rate-limit, retry and request-id headers only", () => {
  const headers = new Headers({
    "x-ratelimit-limit-requests": "100",
    "x-ratelimit-remaining-tokens": "5",
    "anthropic-ratelimit-requests-limit": "50",
    "retry-after": "1",
    "retry-after-ms": "1000",
    "x-request-id": "req_1",
    "request-id": "req_2",
    "set-cookie": "a=b",
    "content-type": "application/json",
  });
  assert.deepEqual(pickForwardHeaders(headers), {
    "anthropic-ratelimit-requests-limit": "50",
    "request-id": "req_2",
    "retry-after": "1",
    "retry-after-ms": "1000",
    "x-ratelimit-limit-requests": "100",
    "x-ratelimit-remaining-tokens": "5",
    "x-request-id": "req_1",
  });
});

Deno.test("redact() removes secrets and their long prefixes", () => {
  const key = "sk-proj-abcdefghijklmnop";
  assert.equal(redact(`bad key ${key}!`, [key]), "bad key [REDACTED]!");
  assert.equal(redact(`bad key ${key.slice(0, 12)}...mnop`, [key]), "bad key [REDACTED]...mnop");
  assert.equal(redact("nothing here", [key]), "nothing here");
  assert.equal(redact("short abc", ["abc"]), "short abc");
});
