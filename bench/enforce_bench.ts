/**
 * What virtual-key enforcement adds to a request: key lookup (hash + row
 * cache), the admission (budgets of key, team and user, rpm / tpm /
 * parallel of each, one atomic call to the counters) and the spend
 * recording (ledger row queued on the batched writer, counters settled),
 * against the same app with no auth, in the same run. The upstream is an
 * in-process fake (injected `fetch`), so the difference is enforcement.
 *
 * Targets (p50 added latency): ≤ 0.2 ms with SQLite and in-process
 * counters, ≤ 1 ms with PostgreSQL and Redis (when `DATABASE_URL` and
 * `REDIS_URL` are set).
 *
 * Run: deno bench --allow-read=. --allow-net=127.0.0.1 --allow-env bench/enforce_bench.ts
 * p50 figures: deno run -A bench/enforce_bench.ts [--requests 5000] [--split]
 * (`--split` adds SQLite + Redis and Postgres + in-process counters, to
 * tell the two costs apart).
 */

import { Router } from "../src/fallback/router.ts";
import type { PreCallCheck } from "../src/fallback/hooks.ts";
import { createFx } from "../src/cost/fx.ts";
import { MemoryLimitStore } from "../src/limits/memory.ts";
import { connectRedis, RedisLimitStore } from "../src/limits/redis.ts";
import type { LimitStore } from "../src/limits/types.ts";
import { openStore } from "../src/store/open.ts";
import { SpendWriter } from "../src/store/spend_writer.ts";
import type { Store } from "../src/store/types.ts";
import { createApp } from "../src/server/app.ts";
import { createEnforcement, hashToken } from "../src/server/enforce/mod.ts";

const DATABASE_URL = Deno.env.get("DATABASE_URL");
const REDIS_URL = Deno.env.get("REDIS_URL");
const MASTER_KEY = "sk-bench-master";

const RESPONSE = JSON.stringify({
  id: "chatcmpl-bench",
  object: "chat.completion",
  created: 1,
  model: "gpt-main",
  choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
  usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
});
const BODY = JSON.stringify({ model: "gpt-main", messages: [{ role: "user", content: "hi" }] });

function router(preCallCheck?: PreCallCheck): Router {
  return new Router({
    model_list: [{
      model_name: "gpt-main",
      litellm_params: {
        model: "openai/gpt-main",
        api_key: "sk-upstream",
        api_base: "http://upstream.invalid/v1",
      },
      model_info: { input_cost_per_token: 1e-6, output_cost_per_token: 1e-6 },
    }],
    num_retries: 0,
  }, {
    fetch: () =>
      Promise.resolve(
        new Response(RESPONSE, { headers: { "content-type": "application/json" } }),
      ),
    preCallCheck,
  });
}

/** One way of serving a request. */
interface Mode {
  name: string;
  /** Send one request and read its body; resolves when its enforcement work is done. */
  call(): Promise<void>;
  close(): Promise<void>;
}

function noAuth(): Mode {
  const app = createApp({ router: router(), keepAliveMs: 0 });
  return {
    name: "no auth",
    async call() {
      const res = await app.request("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: BODY,
      });
      await res.arrayBuffer();
    },
    close: () => Promise.resolve(),
  };
}

const LIMITS = { rpm_limit: 1e9, tpm_limit: 1e12, max_parallel_requests: 10_000 };
const BUDGET = {
  max_budget: 1e9,
  soft_budget: null,
  budget_duration: null,
  budget_reset_at: null,
};

async function enforced(name: string, store: Store, limits: LimitStore): Promise<Mode> {
  const writer = new SpendWriter(store, { flushIntervalMs: 1000 });
  const enforcement = createEnforcement({
    store,
    writer,
    limits,
    masterKey: MASTER_KEY,
    fx: createFx(),
  });
  const app = createApp({
    router: router(enforcement.preCallCheck),
    authenticate: enforcement.authenticate,
    aroundRequest: enforcement.aroundRequest,
    onRequestEnd: enforcement.onRequestEnd,
    keepAliveMs: 0,
  });
  const id = crypto.randomUUID().slice(0, 8);
  await store.createTeam({
    team_id: `bench-team-${id}`,
    team_alias: null,
    models: [],
    members_with_roles: [],
    metadata: {},
    blocked: false,
    ...BUDGET,
    ...LIMITS,
  });
  await store.createUser({
    user_id: `bench-user-${id}`,
    user_email: null,
    user_role: "internal_user",
    models: [],
    teams: [],
    metadata: {},
    ...BUDGET,
    ...LIMITS,
  });
  const key = `sk-bench-${crypto.randomUUID()}`;
  await store.createKey({
    token: await hashToken(key),
    key_name: "sk-...bench",
    key_alias: null,
    models: [],
    expires: null,
    metadata: {},
    team_id: `bench-team-${id}`,
    user_id: `bench-user-${id}`,
    blocked: false,
    admin: false,
    ...BUDGET,
    ...LIMITS,
  });
  const headers = { "content-type": "application/json", authorization: `Bearer ${key}` };
  return {
    name,
    async call() {
      const res = await app.request("/v1/chat/completions", {
        method: "POST",
        headers,
        body: BODY,
      });
      if (res.status !== 200) throw new Error(`bench request failed: ${await res.text()}`);
      await res.arrayBuffer();
      await enforcement.drain(); // settlement and counters included in the figure
    },
    async close() {
      await enforcement.close();
      await writer.close();
      await limits.close();
      await store.close();
    },
  };
}

async function modes(): Promise<Mode[]> {
  const out = [
    noAuth(),
    await enforced(
      "virtual key, SQLite + in-process counters",
      await openStore("sqlite::memory:"),
      new MemoryLimitStore(),
    ),
  ];
  if (Deno.args.includes("--split") && DATABASE_URL && REDIS_URL) {
    out.push(
      await enforced(
        "virtual key, SQLite + Redis",
        await openStore("sqlite::memory:"),
        new RedisLimitStore(await connectRedis(REDIS_URL), {
          prefix: `llmux-bench:${crypto.randomUUID()}:`,
        }),
      ),
      await enforced(
        "virtual key, Postgres + in-process counters",
        await openStore(DATABASE_URL, { schema: "llmux_enforce_bench" }),
        new MemoryLimitStore(),
      ),
    );
  }
  if (DATABASE_URL && REDIS_URL) {
    out.push(
      await enforced(
        "virtual key, Postgres + Redis",
        await openStore(DATABASE_URL, { schema: "llmux_enforce_bench" }),
        new RedisLimitStore(await connectRedis(REDIS_URL), {
          prefix: `llmux-bench:${crypto.randomUUID()}:`,
        }),
      ),
    );
  }
  return out;
}

function percentile(sorted: Float64Array, p: number): number {
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

if (import.meta.main) {
  const n = Number(Deno.args[Deno.args.indexOf("--requests") + 1] || 5000);
  const all = await modes();
  for (const m of all) for (let i = 0; i < 500; i++) await m.call(); // warm up
  const samples = all.map(() => [] as number[]);
  // Interleaved rounds, so every mode sees the same machine noise.
  for (let round = 0; round < n; round++) {
    for (let j = 0; j < all.length; j++) {
      const t0 = performance.now();
      await all[j].call();
      samples[j].push(performance.now() - t0);
    }
  }
  const p50s = samples.map((s) => percentile(Float64Array.from(s).sort(), 50));
  const rows = all.map((m, j) => {
    const sorted = Float64Array.from(samples[j]).sort();
    const p50 = percentile(sorted, 50);
    return {
      mode: m.name,
      p50_ms: +p50.toFixed(4),
      p90_ms: +percentile(sorted, 90).toFixed(4),
      p99_ms: +percentile(sorted, 99).toFixed(4),
      added_p50_ms: +(p50 - p50s[0]).toFixed(4),
    };
  });
  // deno-lint-ignore no-console
  console.log(`${n} requests per mode, interleaved:`);
  // deno-lint-ignore no-console
  console.table(rows);
  for (const m of all) await m.close();
} else {
  const all = await modes();
  for (const [i, m] of all.entries()) {
    Deno.bench(
      { name: m.name, group: "enforcement", baseline: i === 0 },
      async () => await m.call(),
    );
  }
  addEventListener("unload", () => {
    for (const m of all) m.close().catch(() => {});
  });
}
