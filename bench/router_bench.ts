/**
 * The Router's routing decision per request, with 50 deployments in one
 * group: filtering (cooldowns) plus the strategy's pick, for each strategy.
 * Target: at most 5 µs per decision.
 *
 * Run: deno bench --allow-read=. --allow-env bench/router_bench.ts
 */

import { type Cooldown, Router, type RoutingStrategyName } from "../src/fallback/mod.ts";
import { createDeployment } from "../src/fallback/deployment.ts";
import { createStrategy } from "../src/fallback/strategies/mod.ts";
import { createRoutingGroup, selectDeployment } from "../src/fallback/select.ts";

const SIZE = 50;
const NOW = 1_700_000_000_000;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const random = mulberry32(1);
const configs = Array.from({ length: SIZE }, (_, i) => ({
  model_name: "g",
  litellm_params: {
    model: "openai/gpt-4o-mini",
    api_key: `sk-${i}`,
    api_base: `http://10.0.0.${i}/v1`,
    weight: 1 + (i % 5),
    rpm: 10_000,
    tpm: 10_000_000,
    input_cost_per_token: 1e-7 * (1 + (i % 7)),
    output_cost_per_token: 4e-7,
  },
  model_info: { id: `d${i}` },
}));
const deployments = configs.map(createDeployment);

const STRATEGIES: RoutingStrategyName[] = [
  "simple-shuffle",
  "least-busy",
  "latency-based-routing",
  "usage-based-routing-v2",
  "cost-based-routing",
];

const cooling = new Map<string, Cooldown>(
  [3, 17, 29, 41, 48].map((
    i,
  ) => [`d${i}`, { startedAt: NOW, until: NOW + 5000, status: 429, reason: "" }]),
);

for (const name of STRATEGIES) {
  const strategy = createStrategy(name);
  const group = createRoutingGroup("g", deployments, strategy);
  // Give every deployment some history.
  group.candidates.forEach((c, i) => {
    c.stats.inFlight = i % 4;
    for (let k = 0; k < 10; k++) {
      c.stats.latency.add(100 + ((i * 37 + k * 11) % 400));
      c.stats.ttft.add(20 + ((i * 13 + k * 7) % 90));
    }
    c.stats.countRequest(NOW);
    c.stats.countTokens(NOW, (i * 997) % 5000);
  });
  Deno.bench({ name: `${name}: pick among 50`, group: "pick" }, () => {
    selectDeployment(group, { strategy, random, now: NOW, stream: false, inputTokens: 120 });
  });
  Deno.bench({ name: `${name}: pick among 50, 5 cooling down`, group: "pick, cooling" }, () => {
    selectDeployment(group, {
      strategy,
      random,
      now: NOW,
      stream: false,
      inputTokens: 120,
      cooling,
    });
  });
}

for (const name of STRATEGIES) {
  const router = new Router({ model_list: configs, routing_strategy: name }, {
    random,
    now: () => NOW,
  });
  const messages = [{ role: "user" as const, content: "Hello" }];
  // Warm the tokenizer (usage- and cost-based routing count the prompt against tpm).
  await router.getAvailableDeployment("g", { messages });
  Deno.bench({ name: `${name}: router.getAvailableDeployment`, group: "router" }, async () => {
    await router.getAvailableDeployment("g", { messages });
  });
}
