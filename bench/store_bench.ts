/**
 * The store's two hot operations: `getKey` by hash (every authenticated
 * request) and `recordSpend` with a batch of 100 rows (one SpendWriter
 * flush), on SQLite in memory and in a WAL file (a temporary directory,
 * removed on exit), and on PostgreSQL when `DATABASE_URL` is set (schema
 * `llmux_bench`, dropped and recreated at the start of each run).
 *
 * Run: deno bench --allow-read --allow-write --allow-net=127.0.0.1 --allow-env bench/store_bench.ts
 * (without read and write permission on the temp directory the file benches are skipped).
 */

import postgres from "postgres";
import { type NewKey, openStore, type SpendLog, type Store } from "../src/store/mod.ts";

const KEYS = 10_000;
const BATCH = 100;

function key(i: number): NewKey {
  return {
    token: `hash-${String(i).padStart(6, "0")}`,
    key_name: `sk-...${i}`,
    key_alias: `alias-${i}`,
    models: ["gpt-4o", "claude-sonnet"],
    expires: null,
    metadata: { team: "platform", tier: i % 3 },
    team_id: `team-${i % 50}`,
    user_id: `user-${i % 500}`,
    blocked: false,
    admin: false,
    max_budget: 100,
    soft_budget: 80,
    budget_duration: "30d",
    budget_reset_at: "2030-01-01T00:00:00.000Z",
    rpm_limit: 600,
    tpm_limit: 1_000_000,
    max_parallel_requests: 10,
  };
}

function row(id: string, i: number): SpendLog {
  return {
    request_id: id,
    api_key: `hash-${String(i % KEYS).padStart(6, "0")}`,
    key_alias: null,
    team_id: `team-${i % 50}`,
    user_id: `user-${i % 500}`,
    model_group: "gpt-4o",
    model_id: "dep-1",
    provider: "openai",
    model: "gpt-4o-2024-08-06",
    prompt_tokens: 1200,
    completion_tokens: 300,
    cached_tokens: 0,
    spend_usd: 0.0045,
    spend: 0.0045,
    currency: "USD",
    fx_rate: 1,
    latency_ms: 850,
    ttft_ms: 210,
    status: 200,
    cache_hit: false,
    start_time: "2025-03-01T12:00:00.000Z",
    end_time: "2025-03-01T12:00:00.850Z",
  };
}

async function seed(store: Store): Promise<Store> {
  for (let i = 0; i < KEYS; i++) await store.createKey(key(i));
  return store;
}

const targets: [string, Store][] = [["sqlite :memory:", await seed(await openStore(":memory:"))]];
let tempDir: string | undefined;

const canUseFiles = Deno.permissions.querySync({ name: "write" }).state === "granted" &&
  Deno.permissions.querySync({ name: "read" }).state === "granted";
if (canUseFiles) {
  tempDir = await Deno.makeTempDir({ prefix: "llmux_bench_" });
  const store = await seed(await openStore(`sqlite://${tempDir}/state.db`));
  targets.push(["sqlite file (WAL)", store]);
}

const DATABASE_URL = Deno.env.get("DATABASE_URL");
if (DATABASE_URL !== undefined && /^postgres(ql)?:\/\//.test(DATABASE_URL)) {
  const sql = postgres(DATABASE_URL, { max: 1, onnotice: () => {} });
  await sql.unsafe("DROP SCHEMA IF EXISTS llmux_bench CASCADE");
  await sql.end();
  const store = await seed(await openStore(DATABASE_URL, { schema: "llmux_bench" }));
  targets.push(["postgres", store]);
}

let lookups = 0;
let batches = 0;

for (const [name, store] of targets) {
  Deno.bench({
    name: `getKey by hash (${name}, ${KEYS} keys)`,
    group: "getKey",
    baseline: name === "sqlite :memory:",
    async fn() {
      const found = await store.getKey(`hash-${String(lookups++ % KEYS).padStart(6, "0")}`);
      if (found === undefined) throw new Error("missing key");
    },
  });
  Deno.bench({
    name: `recordSpend ${BATCH} rows (${name})`,
    group: "recordSpend",
    baseline: name === "sqlite :memory:",
    async fn() {
      const b = batches++;
      const rows = Array.from({ length: BATCH }, (_, i) => row(`${name}-${b}-${i}`, b * BATCH + i));
      await store.recordSpend(
        rows,
        rows.map((r) => ({ api_key: r.api_key, team_id: r.team_id, user_id: r.user_id, spend: 1 })),
      );
    },
  });
}

globalThis.addEventListener("unload", () => {
  if (tempDir !== undefined) Deno.removeSync(tempDir, { recursive: true });
});
