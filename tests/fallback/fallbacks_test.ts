import assert from "node:assert/strict";
import { routeInfo, Router, RouterRateLimitError } from "../../src/fallback/mod.ts";
import type { RouterConfig } from "../../src/fallback/mod.ts";
import {
  BadRequestError,
  ContentPolicyViolationError,
  ContextWindowExceededError,
  InternalServerError,
  ServiceUnavailableError,
} from "../../src/errors.ts";
import { createFaultyFetch, type FaultStep } from "../fakes/faulty.ts";
import { deployment, fakeClock, MESSAGES, recordingSleep, seededRandom } from "./_helpers.ts";

const CONTEXT_WINDOW: FaultStep = {
  status: 400,
  body: {
    error: {
      message: "This model's maximum context length is 8192 tokens",
      type: "invalid_request_error",
      code: "context_length_exceeded",
    },
  },
};
const CONTENT_POLICY: FaultStep = {
  status: 400,
  body: {
    error: {
      message: "Your request was rejected by the safety system",
      type: "invalid_request_error",
      code: "content_policy_violation",
    },
  },
};

/** One deployment per group, named after its group (route = group). */
function groups(
  schedules: Record<string, readonly FaultStep[]>,
  config: Omit<RouterConfig, "model_list"> = {},
  extra: Record<string, Record<string, unknown>> = {},
) {
  const upstream = createFaultyFetch({ schedules });
  const clock = fakeClock();
  const { sleep, sleeps } = recordingSleep(clock);
  const router = new Router({
    model_list: Object.keys(schedules).map((g) =>
      deployment(g, g, upstream.base(g), {}, extra[g] ?? {})
    ),
    num_retries: 0,
    ...config,
  }, { fetch: upstream.fetch, now: clock.now, sleep, random: seededRandom(1) });
  return { router, upstream, clock, sleeps };
}

const LONG_PROMPT = [{ role: "user" as const, content: "lorem ipsum dolor ".repeat(200) }];

Deno.test("context window pre-check skips the small group without calling it", async () => {
  const { router, upstream } = groups({ small: ["ok"], big: ["ok"] }, {
    context_window_fallbacks: [{ small: ["big"] }],
  }, { small: { max_input_tokens: 100 }, big: { max_input_tokens: 128_000 } });
  const res = await router.completion({ model: "small", messages: LONG_PROMPT });
  assert.deepEqual(upstream.hits(), ["big"]);
  const info = routeInfo(res)!;
  assert.equal(info.modelGroup, "big");
  assert.deepEqual(info.fallbacks, ["big"]);
  assert.equal(info.attempts, 1);
  // A short prompt stays where it was sent.
  const short = await router.completion({ model: "small", messages: MESSAGES });
  assert.equal(routeInfo(short)?.modelGroup, "small");
});

Deno.test("context window pre-check picks the deployment of a group that fits", async () => {
  const upstream = createFaultyFetch();
  const router = new Router({
    model_list: [
      deployment("8k", "g", upstream.base("8k"), {}, { max_input_tokens: 100 }),
      deployment("128k", "g", upstream.base("128k"), {}, { max_input_tokens: 128_000 }),
    ],
  }, { fetch: upstream.fetch, random: () => 0 });
  for (let i = 0; i < 5; i++) await router.completion({ model: "g", messages: LONG_PROMPT });
  assert.deepEqual(upstream.hits(), new Array(5).fill("128k"));
});

Deno.test("context window pre-check without a fallback raises ContextWindowExceededError", async () => {
  const { router, upstream } = groups({ small: ["ok"] }, {}, { small: { max_input_tokens: 10 } });
  await assert.rejects(
    router.completion({ model: "small", messages: LONG_PROMPT }),
    (e) =>
      e instanceof ContextWindowExceededError && e.status === 400 &&
      /exceeds the context window of every deployment of "small"/.test(e.message),
  );
  assert.deepEqual(upstream.hits(), []);
});

Deno.test("an upstream context-window error goes to context_window_fallbacks, not fallbacks", async () => {
  const { router, upstream } = groups({ a: [CONTEXT_WINDOW], big: ["ok"], generic: ["ok"] }, {
    context_window_fallbacks: [{ a: ["big"] }],
    fallbacks: [{ a: ["generic"] }],
  });
  const res = await router.completion({ model: "a", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "big"]);
  assert.deepEqual(routeInfo(res)?.fallbacks, ["big"]);
});

Deno.test("a context-window error without its own list uses the generic fallbacks", async () => {
  const { router, upstream } = groups({ a: [CONTEXT_WINDOW], generic: ["ok"] }, {
    fallbacks: [{ a: ["generic"] }],
  });
  await router.completion({ model: "a", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "generic"]);
});

Deno.test("a content-policy refusal goes to content_policy_fallbacks", async () => {
  const { router, upstream } = groups({ strict: [CONTENT_POLICY], lenient: ["ok"], other: [] }, {
    content_policy_fallbacks: [{ strict: ["lenient"] }],
    fallbacks: [{ strict: ["other"] }],
  });
  const res = await router.completion({ model: "strict", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["strict", "lenient"]);
  assert.equal(routeInfo(res)?.modelGroup, "lenient");

  const bare = groups({ strict: [CONTENT_POLICY] });
  await assert.rejects(
    bare.router.completion({ model: "strict", messages: MESSAGES }),
    ContentPolicyViolationError,
  );
});

Deno.test("default_fallbacks serve every group without its own entry", async () => {
  const { router, upstream } = groups({ a: ["500"], b: ["500"], own: ["ok"], local: ["ok"] }, {
    fallbacks: [{ b: ["own"] }],
    default_fallbacks: ["local"],
  });
  const viaDefault = await router.completion({ model: "a", messages: MESSAGES });
  assert.equal(routeInfo(viaDefault)?.modelGroup, "local");
  const viaOwn = await router.completion({ model: "b", messages: MESSAGES });
  assert.equal(routeInfo(viaOwn)?.modelGroup, "own");
  assert.deepEqual(upstream.hits(), ["a", "local", "b", "own"]);
});

Deno.test("the '*' key in fallbacks works like default_fallbacks", async () => {
  const { router, upstream } = groups({ a: ["503"], local: ["ok"] }, {
    fallbacks: [{ "*": ["local"] }],
  });
  await router.completion({ model: "a", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "local"]);
});

Deno.test("a plain 400 does not fall back", async () => {
  const { router, upstream } = groups({ a: ["400"], b: ["ok"] }, { fallbacks: [{ a: ["b"] }] });
  await assert.rejects(router.completion({ model: "a", messages: MESSAGES }), BadRequestError);
  assert.deepEqual(upstream.hits(), ["a"]);
});

Deno.test("an unsupported parameter falls back to a provider that has it", async () => {
  const upstream = createFaultyFetch();
  const router = new Router({
    model_list: [
      {
        model_name: "claude",
        litellm_params: { model: "anthropic/claude-sonnet-4-5", api_key: "sk-ant" },
      },
      deployment("gpt", "gpt", upstream.base("gpt")),
    ],
    fallbacks: [{ claude: ["gpt"] }],
  }, { fetch: upstream.fetch });
  const res = await router.completion({ model: "claude", messages: MESSAGES, n: 2 });
  assert.equal(routeInfo(res)?.modelGroup, "gpt");
  assert.equal(routeInfo(res)?.attemptLog[0].error, "UnsupportedParamsError");
  assert.deepEqual(upstream.hits(), ["gpt"]);
});

Deno.test("a fallback loop (a → b → a) terminates and raises the last error", async () => {
  const { router, upstream } = groups({ a: ["500"], b: ["503"] }, {
    fallbacks: [{ a: ["b"] }, { b: ["a"] }],
  });
  await assert.rejects(
    router.completion({ model: "a", messages: MESSAGES }),
    ServiceUnavailableError,
  );
  assert.deepEqual(upstream.hits(), ["a", "b"]);
});

Deno.test("fallback chains nest: a → b → c, and routeInfo lists both fallbacks", async () => {
  const { router, upstream } = groups({ a: ["500"], b: ["500"], c: ["ok"] }, {
    fallbacks: [{ a: ["b"] }, { b: ["c"] }],
  });
  const res = await router.completion({ model: "a", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "b", "c"]);
  assert.deepEqual(routeInfo(res)?.fallbacks, ["b", "c"]);
  assert.equal(routeInfo(res)?.attempts, 3);
});

Deno.test("max_fallbacks bounds how many groups one request tries", async () => {
  const names = ["g0", "g1", "g2", "g3", "g4", "g5"];
  const schedules = Object.fromEntries(names.map((n) => [n, ["500"] as FaultStep[]]));
  const { router, upstream } = groups(schedules, {
    fallbacks: [{ g0: names.slice(1) }],
    max_fallbacks: 2,
  });
  await assert.rejects(router.completion({ model: "g0", messages: MESSAGES }), InternalServerError);
  assert.deepEqual(upstream.hits(), ["g0", "g1", "g2"]);
});

Deno.test("a group whose deployments all cool down goes straight to its fallbacks", async () => {
  const { router, upstream, clock } = groups({ a: ["429", "ok"], b: ["ok"] }, {
    fallbacks: [{ a: ["b"] }],
    cooldown_time: 5,
  });
  await router.completion({ model: "a", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "b"]);
  const res = await router.completion({ model: "a", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "b", "b"]);
  assert.equal(routeInfo(res)?.attempts, 1);
  assert.deepEqual(routeInfo(res)?.fallbacks, ["b"]);
  clock.advance(5_000);
  const back = await router.completion({ model: "a", messages: MESSAGES });
  assert.equal(routeInfo(back)?.modelGroup, "a");
});

Deno.test("with every group cooling down the error is the Router's 429", async () => {
  const { router, upstream } = groups({ a: ["429"], b: ["429"] }, {
    fallbacks: [{ a: ["b"] }],
  });
  await assert.rejects(router.completion({ model: "a", messages: MESSAGES }));
  assert.deepEqual(upstream.hits(), ["a", "b"]);
  await assert.rejects(
    router.completion({ model: "a", messages: MESSAGES }),
    (e) => e instanceof RouterRateLimitError && e.modelGroup === "b",
  );
  assert.deepEqual(upstream.hits(), ["a", "b"]);
});

Deno.test("a primary outage with a healthy fallback loses none of 1,000 requests", async () => {
  const upstream = createFaultyFetch({ schedules: { p1: [], p2: [], backup: [] } });
  let calls = 0;
  const outage: typeof fetch = (input, init) => {
    calls++;
    const url = String(input);
    if (url.includes("/p1/")) return Promise.reject(new TypeError("connection refused"));
    if (url.includes("/p2/")) {
      return Promise.resolve(Response.json({ error: { message: "down" } }, { status: 502 }));
    }
    return upstream.fetch(input, init);
  };
  const clock = fakeClock();
  const { sleep } = recordingSleep(clock);
  const router = new Router({
    model_list: [
      deployment("p1", "primary", upstream.base("p1")),
      deployment("p2", "primary", upstream.base("p2")),
      deployment("backup", "backup", upstream.base("backup")),
    ],
    fallbacks: [{ primary: ["backup"] }],
  }, { fetch: outage, now: clock.now, sleep, random: seededRandom(99) });
  let ok = 0;
  for (let i = 0; i < 1000; i++) {
    clock.advance(250);
    const res = await router.completion({ model: "primary", messages: MESSAGES });
    if (res.choices[0].message.content === "reply from backup") ok++;
  }
  assert.equal(ok, 1000);
  // Cooldowns keep most requests away from the dead primary.
  assert.ok(calls < 1000 * 1.6, `upstream calls: ${calls}`);
});
