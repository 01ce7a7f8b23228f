import assert from "node:assert/strict";
import {
  type CooldownStore,
  MemoryCooldownStore,
  routeInfo,
  Router,
  type RouterCallEvent,
  RouterRateLimitError,
  type RoutingStrategy,
} from "../../src/fallback/mod.ts";
import {
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  RateLimitError,
} from "../../src/errors.ts";
import { createFaultyFetch } from "../fakes/faulty.ts";
import { deployment, fakeClock, MESSAGES, recordingSleep, seededRandom } from "./_helpers.ts";

function setup(
  schedules: Record<string, readonly import("../fakes/faulty.ts").FaultStep[]>,
  config: Omit<ConstructorParameters<typeof Router>[0], "model_list"> & {
    model_list?: ConstructorParameters<typeof Router>[0]["model_list"];
  } = {},
  options: {
    retryAfter?: string;
    seed?: number;
    callbacks?: ConstructorParameters<typeof Router>[1];
  } = {},
) {
  const upstream = createFaultyFetch({
    schedules,
    ...(options.retryAfter ? { retryAfter: options.retryAfter } : {}),
  });
  const clock = fakeClock();
  const { sleep, sleeps } = recordingSleep(clock);
  const routes = Object.keys(schedules);
  const router = new Router({
    model_list: config.model_list ?? routes.map((r) => deployment(r, "g", upstream.base(r))),
    ...config,
  }, {
    fetch: upstream.fetch,
    now: clock.now,
    sleep,
    random: seededRandom(options.seed ?? 1),
    ...options.callbacks,
  });
  return { router, upstream, clock, sleeps };
}

/** Deployments a, b, c, … in one group, priced so cost-based routing tries them in order. */
function ordered(routes: string[], group = "g") {
  return routes.map((r, i) =>
    deployment(r, group, `http://fake.test/${r}/v1`, { input_cost_per_token: (i + 1) * 1e-6 })
  );
}

Deno.test("Router retries on another deployment at once, then succeeds", async () => {
  const { router, upstream, sleeps } = setup(
    { a: ["500"], b: ["503"], c: ["ok"] },
    { model_list: ordered(["a", "b", "c"]), routing_strategy: "cost-based-routing" },
  );
  const res = await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "b", "c"]);
  assert.equal(res.choices[0].message.content, "reply from c");
  assert.deepEqual(sleeps, []);
  const info = routeInfo(res)!;
  assert.equal(info.modelId, "c");
  assert.equal(info.modelGroup, "g");
  assert.equal(info.attempts, 3);
  assert.deepEqual(info.fallbacks, []);
  assert.deepEqual(info.attemptLog.map((a) => [a.deploymentId, a.outcome, a.status, a.error]), [
    ["a", "failure", 500, "InternalServerError"],
    ["b", "failure", 503, "ServiceUnavailableError"],
    ["c", "success", undefined, undefined],
  ]);
});

Deno.test("Router with every deployment tried once waits, then retries the first pick", async () => {
  const { router, upstream, sleeps } = setup(
    { a: ["500", "ok"], b: ["500"] },
    { model_list: ordered(["a", "b"]), routing_strategy: "cost-based-routing", num_retries: 2 },
    { seed: 5 },
  );
  await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "b", "a"]);
  // The first retry went to b at once; the second had to wait (retry number 2: ceiling 1000 ms).
  assert.equal(sleeps.length, 1);
  assert.equal(sleeps[0], Math.floor(seededRandom(5)() * 1000));
});

Deno.test("Router routeInfo is invisible to JSON and to deep equality", async () => {
  const { router } = setup({ a: ["ok"] });
  const res = await router.completion({ model: "g", messages: MESSAGES });
  const plain = JSON.parse(JSON.stringify(res));
  assert.deepEqual(res, plain);
  assert.equal(Object.keys(res).includes("routeInfo"), false);
  assert.equal(routeInfo(plain), undefined);
  assert.equal(routeInfo(res)?.provider, "openai");
  assert.equal(routeInfo(res)?.model, "openai/gpt-4o-mini");
});

Deno.test("Router retries the same deployment after exponential backoff with jitter", async () => {
  const { router, upstream, sleeps } = setup({ a: ["500", "500", "ok"] }, { num_retries: 2 }, {
    seed: 3,
  });
  const res = await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "a", "a"]);
  assert.equal(routeInfo(res)?.attempts, 3);
  const random = seededRandom(3);
  assert.equal(sleeps.length, 2);
  assert.equal(sleeps[0], Math.floor(random() * 500));
  assert.equal(sleeps[1], Math.floor(random() * 1000));
});

Deno.test("Router honours retry-after: the sleep is the upstream's, and the cooldown ends with it", async () => {
  const { router, upstream, sleeps, clock } = setup({ a: ["429", "ok"] }, {}, {
    retryAfter: "2",
  });
  const t0 = clock.now();
  const res = await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "a"]);
  assert.deepEqual(sleeps, [2000]);
  assert.equal(clock.now() - t0, 2000);
  assert.equal(res.choices[0].message.content, "reply from a");
});

Deno.test("Router honours retry-after-ms", async () => {
  const { router, upstream, sleeps } = setup({
    a: [{ status: 503, retryAfterMs: "250" }, "ok"],
  });
  await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "a"]);
  assert.deepEqual(sleeps, [250]);
});

Deno.test("Router does not wait past the caller's timeout", async () => {
  const { router, upstream, sleeps } = setup({ a: ["429", "ok"] }, {}, { retryAfter: "30" });
  await assert.rejects(
    router.completion({ model: "g", messages: MESSAGES, timeout: 10 }),
    (e) => e instanceof RateLimitError && !(e instanceof RouterRateLimitError),
  );
  assert.deepEqual(upstream.hits(), ["a"]);
  assert.deepEqual(sleeps, []);
});

Deno.test("Router does not retry non-retryable errors", async () => {
  for (const step of ["400", "401"] as const) {
    const { router, upstream } = setup({ a: [step], b: [step] });
    await assert.rejects(
      router.completion({ model: "g", messages: MESSAGES }),
      step === "400" ? BadRequestError : AuthenticationError,
    );
    assert.equal(upstream.hits().length, 1, step);
  }
});

Deno.test("Router retry_policy overrides num_retries per error class", async () => {
  // No retries for 500s, but 2 for 401s (the other deployment has a good key).
  const { router, upstream } = setup({ a: ["500", "401", "ok"] }, {
    num_retries: 5,
    retry_policy: { InternalServerErrorRetries: 0, AuthenticationErrorRetries: 2 },
  });
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }), InternalServerError);
  assert.deepEqual(upstream.hits(), ["a"]);

  const second = setup({ a: ["401"], b: ["401"], c: ["ok"] }, {
    model_list: ordered(["a", "b", "c"]),
    retry_policy: { AuthenticationErrorRetries: 2 },
    routing_strategy: "cost-based-routing",
  });
  const res = await second.router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(second.upstream.hits(), ["a", "b", "c"]);
  assert.equal(routeInfo(res)?.modelId, "c");

  const third = setup({ a: ["429", "429", "ok"] }, {
    retry_policy: { RateLimitErrorRetries: 0 },
  });
  await assert.rejects(third.router.completion({ model: "g", messages: MESSAGES }), RateLimitError);
  assert.deepEqual(third.upstream.hits(), ["a"]);
});

Deno.test("Router model_group_retry_policy wins over retry_policy for its group", async () => {
  const { router, upstream } = setup({ a: ["500", "500", "ok"] }, {
    retry_policy: { InternalServerErrorRetries: 0 },
    model_group_retry_policy: { g: { InternalServerErrorRetries: 2 } },
  });
  await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "a", "a"]);
});

Deno.test("Router per-request num_retries overrides the Router's", async () => {
  const { router, upstream } = setup({ a: ["500", "500", "ok"] }, { num_retries: 5 });
  await assert.rejects(
    router.completion({ model: "g", messages: MESSAGES, num_retries: 1 }),
    InternalServerError,
  );
  assert.deepEqual(upstream.hits(), ["a", "a"]);
});

Deno.test("Router cools a deployment down on 429 and brings it back after cooldown_time", async () => {
  const { router, upstream, clock } = setup({ a: ["429"], b: [] }, {
    model_list: [
      deployment("a", "g", "http://fake.test/a/v1", { input_cost_per_token: 1e-7 }),
      deployment("b", "g", "http://fake.test/b/v1", { input_cost_per_token: 1e-5 }),
    ],
    cooldown_time: 30,
    routing_strategy: "cost-based-routing",
  }, { retryAfter: "0" });
  await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "b"]);
  const cooldowns = await router.getCooldowns();
  assert.deepEqual(cooldowns.map((c) => [c.id, c.until - clock.now(), c.status, c.modelGroup]), [
    ["a", 30_000, 429, "g"],
  ]);
  for (let i = 0; i < 20; i++) await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(upstream.hits().slice(2), new Array(20).fill("b"));
  clock.advance(29_999);
  await router.completion({ model: "g", messages: MESSAGES });
  assert.equal(upstream.hits().at(-1), "b");
  clock.advance(1);
  assert.deepEqual(await router.getCooldowns(), []);
  const res = await router.completion({ model: "g", messages: MESSAGES });
  assert.equal(routeInfo(res)?.modelId, "a");
  assert.equal(upstream.hits().at(-1), "a");
});

Deno.test("Router cools a deployment down after more than allowed_fails failures in a minute", async () => {
  const { router, upstream, clock } = setup({ a: ["500", "500", "500", "ok"] }, {
    model_list: [deployment("a", "g", "http://fake.test/a/v1")],
    allowed_fails: 2,
    num_retries: 0,
    cooldown_time: 10,
  });
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }), InternalServerError);
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }), InternalServerError);
  assert.deepEqual(await router.getCooldowns(), []);
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }), InternalServerError);
  assert.deepEqual((await router.getCooldowns()).map((c) => c.id), ["a"]);
  assert.equal(upstream.hits().length, 3);
  // Cooling down: fails fast without calling the upstream.
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }), RouterRateLimitError);
  assert.equal(upstream.hits().length, 3);
  clock.advance(10_000);
  const res = await router.completion({ model: "g", messages: MESSAGES });
  assert.equal(res.choices[0].message.content, "reply from a");
});

Deno.test("Router failure counts reset with the minute", async () => {
  const { router, clock } = setup({ a: ["500", "500", "500", "500", "500"] }, {
    allowed_fails: 2,
    num_retries: 0,
  });
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }));
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }));
  clock.advance(60_000);
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }));
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }));
  assert.deepEqual(await router.getCooldowns(), []);
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }));
  assert.deepEqual((await router.getCooldowns()).map((c) => c.id), ["a"]);
});

Deno.test("Router fails fast with a clear 429 naming when the first deployment returns", async () => {
  const { router, upstream, clock } = setup({ a: ["429"], b: ["429"] }, {
    num_retries: 0,
    cooldown_time: 5,
  }, { retryAfter: "0" });
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }), RateLimitError);
  clock.advance(1_000);
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }), RateLimitError);
  assert.equal(upstream.hits().length, 2);
  clock.advance(500);
  const error = await router.completion({ model: "g", messages: MESSAGES }).then(
    () => assert.fail("expected an error"),
    (e) => e,
  );
  assert.ok(error instanceof RouterRateLimitError);
  assert.equal(error.status, 429);
  assert.equal(error.modelGroup, "g");
  const first = upstream.hits()[0];
  assert.equal(error.retryAfter, 3.5);
  assert.equal(error.cooldownList[0].id, first);
  assert.match(
    error.message,
    /No deployments available for selected model, Try again in 4 seconds/,
  );
  assert.match(error.message, /Passed model=g/);
  assert.equal(error.headers["retry-after"], "4");
  assert.equal(upstream.hits().length, 2);
});

Deno.test("Router 401 and 404 cool a deployment down at once", async () => {
  for (const status of [401, 404]) {
    const { router } = setup({ a: [{ status }] }, {
      model_list: [deployment("a", "g", "http://fake.test/a/v1")],
    });
    await assert.rejects(router.completion({ model: "g", messages: MESSAGES }));
    assert.deepEqual((await router.getCooldowns()).map((c) => [c.id, c.status]), [["a", status]]);
  }
});

Deno.test("Router 400s never cool a deployment down; allowed_fails_policy can change that", async () => {
  const plain = setup({ a: ["400", "400", "400", "400", "400"] }, { allowed_fails: 1 });
  for (let i = 0; i < 5; i++) {
    await assert.rejects(plain.router.completion({ model: "g", messages: MESSAGES }));
  }
  assert.deepEqual(await plain.router.getCooldowns(), []);

  const strict = setup({ a: ["400", "400"] }, {
    allowed_fails_policy: { BadRequestErrorAllowedFails: 1 },
  });
  await assert.rejects(strict.router.completion({ model: "g", messages: MESSAGES }));
  assert.deepEqual(await strict.router.getCooldowns(), []);
  await assert.rejects(strict.router.completion({ model: "g", messages: MESSAGES }));
  assert.deepEqual((await strict.router.getCooldowns()).map((c) => c.id), ["a"]);

  const lenient = setup({ a: ["429"] }, {
    allowed_fails_policy: { RateLimitErrorAllowedFails: 100 },
    num_retries: 0,
  });
  await assert.rejects(lenient.router.completion({ model: "g", messages: MESSAGES }));
  assert.deepEqual(await lenient.router.getCooldowns(), []);
});

Deno.test("Router disable_cooldowns keeps failing deployments in rotation", async () => {
  const { router } = setup({ a: ["429", "ok"] }, { disable_cooldowns: true, num_retries: 0 });
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }), RateLimitError);
  assert.deepEqual(await router.getCooldowns(), []);
  await router.completion({ model: "g", messages: MESSAGES });
});

Deno.test("Router deployment cooldown_time wins over the Router's and over retry-after", async () => {
  const { router, clock } = setup({ a: ["429"] }, {
    model_list: [deployment("a", "g", "http://fake.test/a/v1", { cooldown_time: 42 })],
    num_retries: 0,
  }, { retryAfter: "3" });
  await assert.rejects(router.completion({ model: "g", messages: MESSAGES }));
  assert.deepEqual((await router.getCooldowns()).map((c) => c.until - clock.now()), [42_000]);
});

Deno.test("Router merges deployment params: caller body wins, routing-only fields dropped", async () => {
  const { router, upstream } = setup({ a: ["ok"] }, {
    model_list: [{
      model_name: "g",
      litellm_params: {
        model: "openai/gpt-4o-mini",
        api_key: "sk-deployment",
        api_base: "http://fake.test/a/v1",
        temperature: 0.1,
        max_tokens: 50,
        rpm: 10,
        weight: 2,
      },
      model_info: { id: "a" },
    }],
  });
  await router.completion({
    model: "g",
    messages: MESSAGES,
    temperature: 0.9,
  });
  assert.deepEqual(upstream.hits(), ["a"]);
  const body = upstream.bodies()[0] as Record<string, unknown>;
  assert.equal(body.model, "gpt-4o-mini");
  assert.equal(body.temperature, 0.9);
  assert.equal(body.max_tokens, 50);
  assert.equal("rpm" in body, false);
  assert.equal("weight" in body, false);
});

Deno.test("Router sends the deployment's key unless the caller passes one (LiteLLM)", async () => {
  const seen: string[] = [];
  const fetchImpl: typeof fetch = (_input, init) => {
    seen.push(new Headers(init?.headers).get("authorization") ?? "");
    return Promise.resolve(Response.json({
      id: "x",
      object: "chat.completion",
      created: 1,
      model: "m",
      choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }],
    }));
  };
  const router = new Router({
    model_list: [deployment("a", "g", "http://fake.test/a/v1")],
  }, { fetch: fetchImpl });
  await router.completion({ model: "g", messages: MESSAGES });
  await router.completion({ model: "g", messages: MESSAGES, api_key: "sk-caller" });
  assert.deepEqual(seen, ["Bearer sk-a", "Bearer sk-caller"]);
});

Deno.test("Router resolves model_group_alias and lists visible names", async () => {
  const { router, upstream } = setup({ a: ["ok"] }, {
    model_list: [deployment("a", "gpt-4o-group", "http://fake.test/a/v1")],
    model_group_alias: { "gpt-4": "gpt-4o-group", secret: { model: "gpt-4o-group", hidden: true } },
  });
  const res = await router.completion({ model: "gpt-4", messages: MESSAGES });
  assert.equal(routeInfo(res)?.modelGroup, "gpt-4o-group");
  assert.equal(routeInfo(res)?.requestedModel, "gpt-4");
  await router.completion({ model: "secret", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "a"]);
  assert.deepEqual(router.modelGroups, ["gpt-4o-group", "gpt-4"]);
});

Deno.test("Router rejects an unknown model group with a 400 naming the groups", async () => {
  const { router, upstream } = setup({ a: ["ok"] });
  await assert.rejects(
    router.completion({ model: "nope", messages: MESSAGES }),
    (e) => e instanceof BadRequestError && /model=nope/.test(e.message) && /\bg\b/.test(e.message),
  );
  assert.deepEqual(upstream.hits(), []);
});

Deno.test("Router validates its config", () => {
  assert.throws(() => new Router({ model_list: [] }), TypeError);
  assert.throws(
    () =>
      new Router({
        model_list: [deployment("a", "g", "http://x/v1")],
        routing_strategy: "fastest" as "least-busy",
      }),
    /Unknown routing_strategy "fastest"/,
  );
  assert.throws(
    () =>
      new Router({
        model_list: [deployment("a", "g", "http://x/v1")],
        fallbacks: [{ g: ["missing"] }],
      }),
    /"missing" is not a model group/,
  );
  assert.throws(
    () =>
      new Router({
        model_list: [deployment("a", "g", "http://x/v1"), deployment("a", "g", "http://y/v1")],
      }),
    /two deployments have the id "a"/,
  );
  assert.throws(
    () => new Router({ model_list: [{ model_name: "g", litellm_params: { model: "nosuch/x" } }] }),
    /Invalid deployment of "g": Unknown provider "nosuch"/,
  );
  assert.throws(
    () => new Router({ model_list: [deployment("a", "g", "http://x/v1")], num_retries: -1 }),
    /num_retries/,
  );
});

Deno.test("Router gives deployments without model_info.id a stable hashed id", () => {
  const make = () =>
    new Router({
      model_list: [
        { model_name: "g", litellm_params: { model: "openai/gpt-4o", api_key: "k1" } },
        { model_name: "g", litellm_params: { model: "openai/gpt-4o", api_key: "k2" } },
      ],
    });
  const a = make().deployments.map((d) => d.id);
  const b = make().deployments.map((d) => d.id);
  assert.deepEqual(a, b);
  assert.notEqual(a[0], a[1]);
  assert.match(a[0], /^[0-9a-f]{14}$/);
});

Deno.test("Router max_parallel_requests skips a full deployment", async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const hits: string[] = [];
  const fetchImpl: typeof fetch = async (input) => {
    const route = new URL(String(input)).pathname.split("/")[1];
    hits.push(route);
    if (route === "a") await gate;
    return Response.json({
      id: route,
      object: "chat.completion",
      created: 1,
      model: "m",
      choices: [{
        index: 0,
        message: { role: "assistant", content: route },
        finish_reason: "stop",
      }],
    });
  };
  const router = new Router({
    model_list: [
      deployment("a", "g", "http://fake.test/a/v1", { max_parallel_requests: 1, weight: 1000 }),
      deployment("b", "g", "http://fake.test/b/v1", { max_parallel_requests: 1, weight: 1 }),
    ],
  }, { fetch: fetchImpl, random: () => 0 });
  const first = router.completion({ model: "g", messages: MESSAGES });
  await new Promise((r) => setTimeout(r, 0));
  const second = await router.completion({ model: "g", messages: MESSAGES });
  assert.equal(routeInfo(second)?.modelId, "b");
  release();
  assert.equal(routeInfo(await first)?.modelId, "a");
  assert.deepEqual(hits, ["a", "b"]);
});

Deno.test("Router callbacks see every attempt, and throwing callbacks do not break requests", async () => {
  const events: RouterCallEvent[] = [];
  const { router } = setup({ a: ["500"], b: ["ok"] }, {
    model_list: ordered(["a", "b"]),
    routing_strategy: "cost-based-routing",
  }, {
    callbacks: {
      callbacks: [
        { onSuccess: (e) => void events.push(e), onFailure: (e) => void events.push(e) },
        {
          onSuccess: () => {
            throw new Error("boom");
          },
          onFailure: () => Promise.reject(new Error("async boom")),
        },
      ],
    },
  });
  const res = await router.completion({ model: "g", messages: MESSAGES });
  assert.equal(res.choices[0].message.content, "reply from b");
  assert.deepEqual(events.map((e) => [e.outcome, e.deployment.id, e.attempt, e.modelGroup]), [
    ["failure", "a", 1, "g"],
    ["success", "b", 2, "g"],
  ]);
  const success = events[1];
  assert.deepEqual(success.usage, { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  assert.equal(success.stream, false);
  assert.ok(events[0].error instanceof InternalServerError);
});

Deno.test("Router pre-call check can redirect to another group or reject", async () => {
  const upstream = createFaultyFetch();
  const seen: string[] = [];
  const router = new Router({
    model_list: [
      deployment("big", "premium", upstream.base("big")),
      deployment("small", "budget", upstream.base("small")),
    ],
  }, {
    fetch: upstream.fetch,
    preCallCheck: ({ modelGroup, params }) => {
      seen.push(modelGroup);
      if ((params as { user?: string }).user === "blocked") throw new RateLimitError("over budget");
      if ((params as { user?: string }).user === "thrifty") return "budget";
    },
  });
  const res = await router.completion({ model: "premium", messages: MESSAGES, user: "thrifty" });
  assert.equal(routeInfo(res)?.modelGroup, "budget");
  await assert.rejects(
    router.completion({ model: "premium", messages: MESSAGES, user: "blocked" }),
    /over budget/,
  );
  await router.completion({ model: "premium", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["small", "big"]);
  assert.deepEqual(seen, ["premium", "premium", "premium"]);
});

Deno.test("Router embedding routes and reports route info", async () => {
  const fetchImpl: typeof fetch = (input) => {
    assert.match(String(input), /\/e1\/v1\/embeddings$/);
    return Promise.resolve(Response.json({
      object: "list",
      data: [{ object: "embedding", index: 0, embedding: [0.5] }],
      model: "text-embedding-3-small",
      usage: { prompt_tokens: 2, total_tokens: 2 },
    }));
  };
  const router = new Router({
    model_list: [{
      model_name: "embed",
      litellm_params: {
        model: "openai/text-embedding-3-small",
        api_key: "k",
        api_base: "http://fake.test/e1/v1",
      },
      model_info: { id: "e1" },
    }],
  }, { fetch: fetchImpl });
  const res = await router.embedding({ model: "embed", input: ["hello"] });
  assert.deepEqual(res.data[0].embedding, [0.5]);
  assert.equal(routeInfo(res)?.modelId, "e1");
});

Deno.test("Router caller abort stops at once: no retry, no fallback", async () => {
  const controller = new AbortController();
  const { router, upstream } = setup({ a: ["hang"], b: ["ok"] }, {
    model_list: [
      deployment("a", "g", "http://fake.test/a/v1"),
      deployment("b", "other", "http://fake.test/b/v1"),
    ],
    fallbacks: [{ g: ["other"] }],
  });
  const pending = router.completion({ model: "g", messages: MESSAGES, signal: controller.signal });
  await new Promise((r) => setTimeout(r, 5));
  controller.abort(new DOMException("caller went away", "AbortError"));
  await assert.rejects(pending, /caller went away/);
  assert.deepEqual(upstream.hits(), ["a"]);
});

Deno.test("Router accepts a custom routing strategy", async () => {
  const upstream = createFaultyFetch();
  const lastWins: RoutingStrategy = {
    name: "last-wins",
    usesInputTokens: false,
    pick: (candidates) => candidates.at(-1),
  };
  const router = new Router({
    model_list: [
      deployment("a", "g", upstream.base("a")),
      deployment("b", "g", upstream.base("b")),
    ],
  }, { fetch: upstream.fetch, strategy: lastWins });
  assert.equal(router.routingStrategy, "last-wins");
  await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["b"]);
});

Deno.test("Router works with an asynchronous cooldown store (a shared store's shape)", async () => {
  const inner = new MemoryCooldownStore();
  const calls: string[] = [];
  const store: CooldownStore = {
    active: (ids, now) => (calls.push("active"), Promise.resolve(inner.active(ids, now))),
    start: (id, c) => (calls.push("start"), Promise.resolve(inner.start(id, c))),
    countFailure: (
      id,
      now,
      w,
    ) => (calls.push("count"), Promise.resolve(inner.countFailure(id, now, w))),
    resetFailures: (id) => (calls.push("reset"), Promise.resolve(inner.resetFailures(id))),
  };
  const upstream = createFaultyFetch({ schedules: { a: ["429"], b: [] } });
  const router = new Router({
    model_list: [
      deployment("a", "g", upstream.base("a"), { input_cost_per_token: 1e-7 }),
      deployment("b", "g", upstream.base("b"), { input_cost_per_token: 1e-6 }),
    ],
    routing_strategy: "cost-based-routing",
  }, { fetch: upstream.fetch, cooldownStore: store });
  await router.completion({ model: "g", messages: MESSAGES });
  await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "b", "b"]);
  assert.ok(calls.includes("start"));
  assert.deepEqual((await router.getCooldowns()).map((c) => c.id), ["a"]);
});
