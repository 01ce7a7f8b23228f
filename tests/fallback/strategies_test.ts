import assert from "node:assert/strict";
import { routeInfo, Router, RouterRateLimitError } from "../../src/fallback/mod.ts";
import type { DeploymentConfig } from "../../src/fallback/mod.ts";
import { createFaultyFetch } from "../fakes/faulty.ts";
import { deployment, fakeClock, MESSAGES, seededRandom } from "./_helpers.ts";

async function distribution(
  model_list: DeploymentConfig[],
  picks: number,
  seed: number,
): Promise<Record<string, number>> {
  const router = new Router({ model_list }, { random: seededRandom(seed) });
  const counts: Record<string, number> = {};
  for (let i = 0; i < picks; i++) {
    const d = await router.getAvailableDeployment("g");
    counts[d.id] = (counts[d.id] ?? 0) + 1;
  }
  return counts;
}

function assertShares(counts: Record<string, number>, expected: Record<string, number>) {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  for (const [id, share] of Object.entries(expected)) {
    const actual = (counts[id] ?? 0) / total;
    assert.ok(
      Math.abs(actual - share) <= 0.015,
      `${id}: expected a share of ${share}, got ${actual.toFixed(4)} (${JSON.stringify(counts)})`,
    );
  }
}

Deno.test("simple-shuffle spreads 10,000 seeded picks by weight", async () => {
  const counts = await distribution(
    [
      deployment("a", "g", "http://x/a/v1", { weight: 9 }),
      deployment("b", "g", "http://x/b/v1", { weight: 1 }),
    ],
    10_000,
    42,
  );
  assertShares(counts, { a: 0.9, b: 0.1 });
});

Deno.test("simple-shuffle spreads 10,000 seeded picks by rpm when no weight is set", async () => {
  const counts = await distribution(
    [
      deployment("a", "g", "http://x/a/v1", { rpm: 600 }),
      deployment("b", "g", "http://x/b/v1", { rpm: 300 }),
      { ...deployment("c", "g", "http://x/c/v1"), rpm: 100 },
    ],
    10_000,
    7,
  );
  assertShares(counts, { a: 0.6, b: 0.3, c: 0.1 });
});

Deno.test("simple-shuffle falls back to tpm, then to a uniform pick", async () => {
  assertShares(
    await distribution(
      [
        deployment("a", "g", "http://x/a/v1", { tpm: 3000 }),
        deployment("b", "g", "http://x/b/v1", { tpm: 1000 }),
      ],
      10_000,
      3,
    ),
    { a: 0.75, b: 0.25 },
  );
  assertShares(
    await distribution(
      [
        deployment("a", "g", "http://x/a/v1"),
        deployment("b", "g", "http://x/b/v1"),
        deployment("c", "g", "http://x/c/v1"),
        deployment("d", "g", "http://x/d/v1"),
      ],
      10_000,
      11,
    ),
    { a: 0.25, b: 0.25, c: 0.25, d: 0.25 },
  );
});

Deno.test("simple-shuffle weight wins over rpm, and a deployment without weight gets none", async () => {
  const counts = await distribution(
    [
      deployment("a", "g", "http://x/a/v1", { weight: 1, rpm: 1 }),
      deployment("b", "g", "http://x/b/v1", { rpm: 1000 }),
    ],
    1000,
    5,
  );
  assert.deepEqual(counts, { a: 1000 });
});

Deno.test("least-busy picks the idle deployment", async () => {
  const gates = new Map<string, PromiseWithResolvers<void>>();
  const upstream = createFaultyFetch();
  const gated: typeof fetch = async (input, init) => {
    const route = new URL(String(input)).pathname.split("/")[1];
    const gate = Promise.withResolvers<void>();
    gates.set(route, gate);
    await gate.promise;
    return upstream.fetch(input, init);
  };
  const router = new Router({
    model_list: [
      deployment("a", "g", "http://x/a/v1"),
      deployment("b", "g", "http://x/b/v1"),
      deployment("c", "g", "http://x/c/v1"),
    ],
    routing_strategy: "least-busy",
  }, { fetch: gated, random: () => 0.99 });
  const tick = () => new Promise((r) => setTimeout(r, 0));
  // random() = 0.99 keeps the first of tied candidates.
  const first = router.completion({ model: "g", messages: MESSAGES });
  await tick();
  assert.deepEqual([...gates.keys()], ["a"]);
  assert.equal((await router.getAvailableDeployment("g")).id, "b");
  const second = router.completion({ model: "g", messages: MESSAGES });
  await tick();
  assert.equal((await router.getAvailableDeployment("g")).id, "c");
  gates.get("a")!.resolve();
  await first;
  assert.equal((await router.getAvailableDeployment("g")).id, "a");
  gates.get("b")!.resolve();
  await second;
  assert.deepEqual(upstream.hits(), ["a", "b"]);
});

Deno.test("latency-based routing tries each deployment once, then prefers the faster", async () => {
  const clock = fakeClock();
  const upstream = createFaultyFetch();
  const latencies: Record<string, number> = { slow: 800, fast: 120 };
  const timed: typeof fetch = (input, init) => {
    const route = new URL(String(input)).pathname.split("/")[1];
    clock.advance(latencies[route]);
    return upstream.fetch(input, init);
  };
  const router = new Router({
    model_list: [
      deployment("slow", "g", "http://x/slow/v1"),
      deployment("fast", "g", "http://x/fast/v1"),
    ],
    routing_strategy: "latency-based-routing",
  }, { fetch: timed, now: clock.now, random: seededRandom(9) });
  for (let i = 0; i < 12; i++) await router.completion({ model: "g", messages: MESSAGES });
  const hits = upstream.hits();
  assert.deepEqual([...hits.slice(0, 2)].sort(), ["fast", "slow"]);
  assert.deepEqual(hits.slice(2), new Array(10).fill("fast"));
  // The fast one degrades: after enough slow samples the other wins again.
  latencies.fast = 5_000;
  for (let i = 0; i < 3; i++) await router.completion({ model: "g", messages: MESSAGES });
  assert.equal(upstream.hits().at(-1), "slow");
});

Deno.test("latency-based routing ranks streams by time to first token", async () => {
  const clock = fakeClock();
  const upstream = createFaultyFetch();
  const ttft: Record<string, number> = { a: 50, b: 400 };
  const timed: typeof fetch = (input, init) => {
    const route = new URL(String(input)).pathname.split("/")[1];
    clock.advance(ttft[route]);
    return upstream.fetch(input, init);
  };
  const router = new Router({
    model_list: [deployment("a", "g", "http://x/a/v1"), deployment("b", "g", "http://x/b/v1")],
    routing_strategy: "latency-based-routing",
  }, { fetch: timed, now: clock.now, random: seededRandom(4) });
  for (let i = 0; i < 6; i++) {
    const stream = await router.completion({ model: "g", messages: MESSAGES, stream: true });
    for await (const _ of stream) { /* drain */ }
  }
  assert.deepEqual(upstream.hits().slice(2), ["a", "a", "a", "a"]);
});

Deno.test("usage-based routing skips a deployment at its rpm, then fails fast until the minute turns", async () => {
  const clock = fakeClock();
  const upstream = createFaultyFetch();
  const router = new Router({
    model_list: [
      deployment("a", "g", "http://x/a/v1", { rpm: 1 }),
      deployment("b", "g", "http://x/b/v1", { rpm: 3 }),
    ],
    routing_strategy: "usage-based-routing-v2",
  }, { fetch: upstream.fetch, now: clock.now, random: seededRandom(1) });
  for (let i = 0; i < 4; i++) await router.completion({ model: "g", messages: MESSAGES });
  const hits = upstream.hits();
  assert.equal(hits.filter((h) => h === "a").length, 1);
  assert.equal(hits.filter((h) => h === "b").length, 3);
  clock.advance(15_000);
  const error = await router.completion({ model: "g", messages: MESSAGES }).then(
    () => assert.fail("expected a 429"),
    (e) => e,
  );
  assert.ok(error instanceof RouterRateLimitError);
  assert.match(error.message, /rpm\/tpm limit/);
  assert.equal(error.retryAfter, 45);
  assert.equal(upstream.hits().length, 4);
  clock.advance(45_000);
  await router.completion({ model: "g", messages: MESSAGES });
  assert.equal(upstream.hits().length, 5);
});

Deno.test("usage-based routing prefers the deployment with the fewest tokens this minute", async () => {
  const upstream = createFaultyFetch();
  const router = new Router({
    model_list: [deployment("a", "g", "http://x/a/v1"), deployment("b", "g", "http://x/b/v1")],
    routing_strategy: "usage-based-routing",
  }, { fetch: upstream.fetch, now: fakeClock().now, random: seededRandom(2) });
  for (let i = 0; i < 6; i++) await router.completion({ model: "g", messages: MESSAGES });
  const hits = upstream.hits();
  // Each answer uses 8 tokens, so the two alternate.
  for (let i = 2; i < hits.length; i += 2) assert.notEqual(hits[i], hits[i + 1]);
  assert.equal(hits.filter((h) => h === "a").length, 3);
});

Deno.test("usage-based routing counts the prompt against tpm", async () => {
  const upstream = createFaultyFetch();
  const router = new Router({
    model_list: [
      deployment("small", "g", "http://x/small/v1", { tpm: 5 }),
      deployment("large", "g", "http://x/large/v1", { tpm: 100_000 }),
    ],
    routing_strategy: "usage-based-routing",
  }, { fetch: upstream.fetch, now: fakeClock().now });
  const long = [{ role: "user" as const, content: "word ".repeat(50) }];
  for (let i = 0; i < 3; i++) await router.completion({ model: "g", messages: long });
  assert.deepEqual(upstream.hits(), ["large", "large", "large"]);
});

Deno.test("cost-based routing picks the cheapest; unknown prices count as the most expensive", async () => {
  const upstream = createFaultyFetch();
  const router = new Router({
    model_list: [
      deployment("unpriced", "g", "http://x/unpriced/v1"),
      deployment("dear", "g", "http://x/dear/v1", {}, {
        input_cost_per_token: 3e-5,
        output_cost_per_token: 6e-5,
      }),
      deployment("cheap", "g", "http://x/cheap/v1", {
        input_cost_per_token: 1e-7,
        output_cost_per_token: 4e-7,
      }),
    ],
    routing_strategy: "cost-based-routing",
  }, { fetch: upstream.fetch, random: seededRandom(3) });
  for (let i = 0; i < 5; i++) {
    const res = await router.completion({ model: "g", messages: MESSAGES });
    assert.equal(routeInfo(res)?.modelId, "cheap");
  }
  const onlyUnpriced = new Router({
    model_list: [
      deployment("unpriced", "g", "http://x/unpriced/v1"),
      deployment("dear", "g", "http://x/dear/v1", { input_cost_per_token: 1 }),
    ],
    routing_strategy: "cost-based-routing",
  });
  assert.equal((await onlyUnpriced.getAvailableDeployment("g")).id, "dear");
});

Deno.test("cost-based routing skips the cheapest once it is at its rpm", async () => {
  const upstream = createFaultyFetch();
  const router = new Router({
    model_list: [
      deployment("cheap", "g", "http://x/cheap/v1", { input_cost_per_token: 1e-7, rpm: 2 }),
      deployment("dear", "g", "http://x/dear/v1", { input_cost_per_token: 1e-5 }),
    ],
    routing_strategy: "cost-based-routing",
  }, { fetch: upstream.fetch, now: fakeClock().now });
  for (let i = 0; i < 4; i++) await router.completion({ model: "g", messages: MESSAGES });
  assert.deepEqual(upstream.hits(), ["cheap", "cheap", "dear", "dear"]);
});
