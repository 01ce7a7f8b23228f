import assert from "node:assert/strict";
import {
  classifyError,
  deploymentId,
  MemoryCooldownStore,
  MovingAverage,
} from "../../src/fallback/mod.ts";
import { retriesFor } from "../../src/fallback/policy.ts";
import { backoffDelay } from "../../src/fallback/backoff.ts";
import { createFallbackTable, fallbacksFor } from "../../src/fallback/fallbacks.ts";
import {
  APIConnectionError,
  AuthenticationError,
  BadRequestError,
  ContentPolicyViolationError,
  ContextWindowExceededError,
  InternalServerError,
  LLMuxError,
  NotFoundError,
  PermissionDeniedError,
  RateLimitError,
  ServiceUnavailableError,
  TimeoutError,
  UnsupportedParamsError,
} from "../../src/errors.ts";
import { hasContent } from "../../src/fallback/_stream_failover.ts";

const CLASSES: [string, unknown, boolean, string, string, string | undefined][] = [
  // name, error, retryable, fallback, cooldown, retry policy field
  ["429", new RateLimitError("x"), true, "generic", "immediate", "RateLimitErrorRetries"],
  ["408", new TimeoutError("x"), true, "generic", "immediate", "TimeoutErrorRetries"],
  ["500", new InternalServerError("x"), true, "generic", "count", "InternalServerErrorRetries"],
  ["529", new ServiceUnavailableError("x"), true, "generic", "count", "InternalServerErrorRetries"],
  ["conn", new APIConnectionError("x"), true, "generic", "count", "InternalServerErrorRetries"],
  ["400", new BadRequestError("x"), false, "none", "none", "BadRequestErrorRetries"],
  [
    "401",
    new AuthenticationError("x"),
    false,
    "generic",
    "immediate",
    "AuthenticationErrorRetries",
  ],
  ["403", new PermissionDeniedError("x"), false, "generic", "none", undefined],
  ["404", new NotFoundError("x"), false, "generic", "immediate", "NotFoundErrorRetries"],
  [
    "ctx",
    new ContextWindowExceededError("x"),
    false,
    "context_window",
    "none",
    "BadRequestErrorRetries",
  ],
  [
    "policy",
    new ContentPolicyViolationError("x"),
    false,
    "content_policy",
    "none",
    "ContentPolicyViolationErrorRetries",
  ],
  ["param", new UnsupportedParamsError("x"), false, "generic", "none", "BadRequestErrorRetries"],
  [
    "bare 502",
    new LLMuxError("x", { status: 502 }),
    true,
    "generic",
    "count",
    "InternalServerErrorRetries",
  ],
  [
    "bare 429",
    new LLMuxError("x", { status: 429 }),
    true,
    "generic",
    "immediate",
    "RateLimitErrorRetries",
  ],
  ["abort", new DOMException("gone", "AbortError"), false, "none", "none", undefined],
  ["bug", new TypeError("oops"), false, "none", "none", undefined],
];

for (const [name, error, retryable, fallback, cooldown, field] of CLASSES) {
  Deno.test(`classifyError() reads ${name}`, () => {
    const c = classifyError(error);
    assert.deepEqual(
      [c.retryable, c.fallback, c.cooldown, c.retryField],
      [retryable, fallback, cooldown, field],
    );
  });
}

Deno.test("retriesFor() uses num_retries for retryable errors and the policy when set", () => {
  assert.equal(retriesFor(new InternalServerError("x"), { numRetries: 3 }), 3);
  assert.equal(retriesFor(new BadRequestError("x"), { numRetries: 3 }), 0);
  assert.equal(
    retriesFor(new BadRequestError("x"), {
      numRetries: 3,
      retryPolicy: { BadRequestErrorRetries: 1 },
    }),
    1,
  );
  assert.equal(
    retriesFor(new ContextWindowExceededError("x"), {
      numRetries: 3,
      retryPolicy: { BadRequestErrorRetries: 2 },
    }),
    2,
  );
  assert.equal(
    retriesFor(new RateLimitError("x"), { numRetries: 3, retryPolicy: { TimeoutErrorRetries: 9 } }),
    3,
  );
  assert.equal(
    retriesFor(new ServiceUnavailableError("x"), {
      numRetries: 3,
      retryPolicy: { InternalServerErrorRetries: 0 },
    }),
    0,
  );
});

Deno.test("backoffDelay() is full jitter under a doubling, capped ceiling", () => {
  const ceilings = [500, 1000, 2000, 4000, 8000, 8000];
  ceilings.forEach((ceiling, retry) => {
    assert.equal(backoffDelay(retry, { random: () => 0 }), 0);
    assert.equal(backoffDelay(retry, { random: () => 0.999999 }), Math.floor(0.999999 * ceiling));
  });
  assert.equal(backoffDelay(0, { random: () => 0.5, retryAfter: 0.25 }), 250);
  assert.equal(backoffDelay(0, { random: () => 0, minMs: 1000 }), 1000);
  assert.equal(backoffDelay(1, { random: () => 0.5, baseMs: 100, maxMs: 150 }), 75);
});

Deno.test("fallbacksFor() picks the list for the failure", () => {
  const table = createFallbackTable({
    fallbacks: [{ a: ["b", "c"] }],
    context_window_fallbacks: [{ a: ["big"] }],
    content_policy_fallbacks: [{ a: ["lenient"] }],
    default_fallbacks: ["local"],
  });
  assert.deepEqual(fallbacksFor(table, "a", "generic"), ["b", "c"]);
  assert.deepEqual(fallbacksFor(table, "a", "context_window"), ["big"]);
  assert.deepEqual(fallbacksFor(table, "a", "content_policy"), ["lenient"]);
  assert.deepEqual(fallbacksFor(table, "z", "context_window"), ["local"]);
  assert.deepEqual(fallbacksFor(table, "a", "none"), []);
  assert.throws(
    () => createFallbackTable({ fallbacks: [{ a: [1 as unknown as string] }] }),
    TypeError,
  );
  assert.throws(() => createFallbackTable({ fallbacks: "a" as unknown as [] }), TypeError);
});

Deno.test("MemoryCooldownStore expires cooldowns and counts failures per window", () => {
  const store = new MemoryCooldownStore();
  store.start("a", { startedAt: 0, until: 5_000, status: 429, reason: "r" });
  assert.deepEqual([...store.active(["a", "b"], 4_999).keys()], ["a"]);
  assert.equal(store.active(["a"], 5_000).size, 0);
  assert.equal(store.countFailure("a", 1_000, 60_000), 1);
  assert.equal(store.countFailure("a", 59_999, 60_000), 2);
  assert.equal(store.countFailure("a", 60_000, 60_000), 1);
  store.resetFailures("a");
  assert.equal(store.countFailure("a", 60_001, 60_000), 1);
  // Two stores share nothing.
  assert.equal(new MemoryCooldownStore().active(["a"], 0).size, 0);
});

Deno.test("MovingAverage keeps the last N samples", () => {
  const avg = new MovingAverage(3);
  assert.ok(Number.isNaN(avg.mean));
  for (const v of [1, 2, 3, 4, 5]) avg.add(v);
  assert.equal(avg.mean, 4);
  assert.equal(avg.count, 3);
});

Deno.test("deploymentId() is stable, ignores functions, and honours model_info.id", () => {
  const base = { model_name: "g", litellm_params: { model: "openai/gpt-4o", api_key: "k" } };
  assert.equal(
    deploymentId(base),
    deploymentId({
      model_name: "g",
      litellm_params: { api_key: "k", model: "openai/gpt-4o", fetch: () => {} },
    }),
  );
  assert.notEqual(deploymentId(base), deploymentId({ ...base, model_name: "h" }));
  assert.equal(deploymentId({ ...base, model_info: { id: "mine" } }), "mine");
});

Deno.test("hasContent() marks the first chunk the caller would see", () => {
  const chunk = (delta: object, finish: string | null = null) => ({
    id: "c",
    object: "chat.completion.chunk" as const,
    created: 1,
    model: "m",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish as null }],
  });
  assert.equal(hasContent(chunk({ role: "assistant", content: "" })), false);
  assert.equal(hasContent(chunk({ content: "hi" })), true);
  assert.equal(
    hasContent(
      chunk({
        tool_calls: [{
          index: 0,
          id: "t",
          type: "function",
          function: { name: "f", arguments: "" },
        }],
      }),
    ),
    true,
  );
  assert.equal(hasContent(chunk({ reasoning_content: "thinking" })), true);
  assert.equal(hasContent(chunk({}, "stop")), true);
  assert.equal(hasContent({ ...chunk({}), choices: [] }), false);
});
