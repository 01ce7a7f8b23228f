/**
 * Non-streaming failover over real sockets, against the fault-injecting
 * fake upstream: timeouts, connection resets and rate limits.
 */

import assert from "node:assert/strict";
import { routeInfo, Router } from "../../src/fallback/mod.ts";
import { TimeoutError } from "../../src/errors.ts";
import { startFaultyServer } from "../fakes/faulty.ts";
import { deployment, fakeClock, MESSAGES, recordingSleep } from "./_helpers.ts";

function ordered(base: (r: string) => string, routes: string[], extra = {}) {
  return routes.map((r, i) =>
    deployment(r, "g", base(r), { input_cost_per_token: (i + 1) * 1e-6, ...extra })
  );
}

Deno.test("server: a hang past the deployment timeout moves on to the next deployment", async () => {
  await using upstream = startFaultyServer({ schedules: { a: ["hang"], b: ["ok"] } });
  const router = new Router({
    model_list: ordered(upstream.base, ["a", "b"], { timeout: 0.15 }),
    routing_strategy: "cost-based-routing",
  });
  const res = await router.completion({ model: "g", messages: MESSAGES });
  assert.equal(res.choices[0].message.content, "reply from b");
  assert.deepEqual(upstream.hits(), ["a", "b"]);
  assert.equal(routeInfo(res)?.attemptLog[0].error, "TimeoutError");
  // Timeouts cool down at once, so the next request skips a.
  await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["a", "b", "b"]);
});

Deno.test("server: the caller's timeout bounds the whole request", async () => {
  await using upstream = startFaultyServer({ schedules: { a: ["hang"], b: ["hang"] } });
  const router = new Router({
    model_list: ordered(upstream.base, ["a", "b"]),
    routing_strategy: "cost-based-routing",
  });
  await assert.rejects(
    router.completion({ model: "g", messages: MESSAGES, timeout: 0.2 }),
    TimeoutError,
  );
  // One attempt used the whole budget; b was never called.
  assert.deepEqual(upstream.hits(), ["a"]);
});

Deno.test("server: a connection reset while reading the body moves on", async () => {
  await using upstream = startFaultyServer({ schedules: { a: ["reset"], b: ["ok"] } });
  const router = new Router({
    model_list: ordered(upstream.base, ["a", "b"]),
    routing_strategy: "cost-based-routing",
  });
  const res = await router.completion({ model: "g", messages: MESSAGES });
  assert.equal(routeInfo(res)?.attemptLog[0].error, "APIConnectionError");
  assert.deepEqual(upstream.hits(), ["a", "b"]);
});

Deno.test("server: 429 with retry-after on the only deployment waits exactly that long", async () => {
  await using upstream = startFaultyServer({
    schedules: { a: [{ status: 429, retryAfter: "3" }, "ok"] },
  });
  const clock = fakeClock();
  const { sleep, sleeps } = recordingSleep(clock);
  const router = new Router({ model_list: ordered(upstream.base, ["a"]) }, {
    now: clock.now,
    sleep,
  });
  const res = await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(sleeps, [3000]);
  assert.deepEqual(upstream.hits(), ["a", "a"]);
  assert.equal(routeInfo(res)?.attempts, 2);
});

Deno.test("server: every deployment sees its own key", async () => {
  await using upstream = startFaultyServer({ schedules: { a: ["500"], b: ["ok"] } });
  const router = new Router({
    model_list: ordered(upstream.base, ["a", "b"]),
    routing_strategy: "cost-based-routing",
  });
  await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(
    upstream.server.requests.map((r) => [r.path, r.headers.authorization]),
    [["/a/v1/chat/completions", "Bearer sk-a"], ["/b/v1/chat/completions", "Bearer sk-b"]],
  );
});
