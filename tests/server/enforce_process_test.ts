/**
 * Enforcement across real proxy processes (`deno run -A server.ts`):
 *
 * - two processes on different ports sharing one Redis and one PostgreSQL
 *   database enforce one key's rpm together;
 * - `kill -9` under load, then a restart: every request answered 200
 *   before the last flush interval has its ledger row (SQLite always,
 *   PostgreSQL when `DATABASE_URL` is set).
 */

import assert from "node:assert/strict";
import { type ServerProcess, startServer, tempDir } from "./_process.ts";
import { PG_SCHEMA } from "./_enforce.ts";
import { hashToken } from "../../src/server/enforce/mod.ts";

const DATABASE_URL = Deno.env.get("DATABASE_URL");
const REDIS_URL = Deno.env.get("REDIS_URL");
const MASTER = "sk-master-process-test";
const ADMIN = { authorization: `Bearer ${MASTER}`, "content-type": "application/json" };

/** A fake OpenAI upstream on 127.0.0.1 with fixed usage. */
function fakeUpstream(): { url: string } & AsyncDisposable {
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json();
    return Response.json({
      id: `chatcmpl-${crypto.randomUUID()}`,
      object: "chat.completion",
      created: 1,
      model: body.model,
      choices: [{ index: 0, message: { role: "assistant", content: "hi" }, finish_reason: "stop" }],
      usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
    });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/v1`,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

function config(upstream: string, general: Record<string, unknown>): string {
  return JSON.stringify({
    model_list: [{
      model_name: "gpt-main",
      litellm_params: { model: "openai/gpt-main", api_base: upstream, api_key: "sk-upstream" },
      model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.001 },
    }],
    general_settings: { master_key: MASTER, ...general },
  });
}

async function generateKey(server: ServerProcess, body: Record<string, unknown>): Promise<string> {
  const res = await fetch(`${server.url}/key/generate`, {
    method: "POST",
    headers: ADMIN,
    body: JSON.stringify(body),
  });
  assert.equal(res.status, 200);
  return ((await res.json()) as { key: string }).key;
}

async function chat(
  server: ServerProcess,
  key: string,
): Promise<{ status: number; requestId: string | null }> {
  const res = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "gpt-main", messages: [{ role: "user", content: "hi" }] }),
  });
  await res.body?.cancel();
  return { status: res.status, requestId: res.headers.get("x-request-id") };
}

const SHARED_SKIP = !DATABASE_URL ? "DATABASE_URL not set" : !REDIS_URL ? "REDIS_URL not set" : "";

Deno.test({
  name: `two proxy processes share one key's rpm limit through Redis${
    SHARED_SKIP ? ` (skipped: ${SHARED_SKIP})` : ""
  }`,
  ignore: SHARED_SKIP !== "",
  fn: async () => {
    await using upstream = fakeUpstream();
    await using dir = await tempDir();
    const path = await dir.write(
      "config.yaml",
      config(upstream.url, {
        database_url: `${DATABASE_URL}?schema=${PG_SCHEMA}`,
        redis_url: REDIS_URL,
      }),
    );
    await using a = await startServer({ args: ["--config", path] });
    await using b = await startServer({ args: ["--config", path] });
    assert.notEqual(a.port, b.port);
    const RPM = 10;
    const key = await generateKey(a, { rpm_limit: RPM, max_parallel_requests: 100 });
    // 40 concurrent requests, alternating between the two processes.
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) => chat(i % 2 === 0 ? a : b, key)),
    );
    const ok = results.filter((r) => r.status === 200).length;
    const limited = results.filter((r) => r.status === 429).length;
    // deno-lint-ignore no-console
    console.log(`two processes, rpm ${RPM}: ${ok} × 200, ${limited} × 429`);
    assert.equal(ok + limited, 40);
    assert.equal(ok, RPM);
    // Both processes answered some 429s: the count is shared, not per process.
    const perProcess = [0, 1].map((p) =>
      results.filter((r, i) => i % 2 === p && r.status === 429).length
    );
    assert.ok(perProcess.every((n) => n > 0), String(perProcess));
  },
});

/** Backends of the crash test: SQLite always, PostgreSQL when set. */
const CRASH_BACKENDS: { name: string; skip?: string; databaseUrl: (dir: string) => string }[] = [
  { name: "SQLite", databaseUrl: (dir) => `sqlite://${dir}/state.db` },
  {
    name: "Postgres",
    ...(DATABASE_URL ? {} : { skip: "DATABASE_URL not set" }),
    databaseUrl: () => `${DATABASE_URL}?schema=${PG_SCHEMA}`,
  },
];

const FLUSH_SECONDS = 0.2;

for (const backend of CRASH_BACKENDS) {
  Deno.test({
    name:
      `kill -9 under load: every 200 before the last flush interval has its spend row [${backend.name}]${
        backend.skip ? ` (skipped: ${backend.skip})` : ""
      }`,
    ignore: backend.skip !== undefined,
    fn: async () => {
      await using upstream = fakeUpstream();
      await using dir = await tempDir();
      const path = await dir.write(
        "config.yaml",
        config(upstream.url, {
          database_url: backend.databaseUrl(dir.path),
          spend_flush_interval: FLUSH_SECONDS,
        }),
      );
      const first = await startServer({ args: ["--config", path] });
      const key = await generateKey(first, {});
      const answered: { requestId: string; at: number }[] = [];
      let stop = false;
      const client = async () => {
        while (!stop) {
          try {
            const r = await chat(first, key);
            if (r.status === 200 && r.requestId) {
              answered.push({ requestId: r.requestId, at: performance.now() });
            }
          } catch {
            // the connection died with the process
          }
        }
      };
      const clients = Array.from({ length: 8 }, client);
      await new Promise((r) => setTimeout(r, 1500));
      const killedAt = performance.now();
      first.kill("SIGKILL");
      stop = true;
      await Promise.all(clients);
      const status = await first.status;
      assert.equal(status.signal, "SIGKILL");

      await using second = await startServer({ args: ["--config", path] });
      const keyHash = await hashToken(key);
      const res = await fetch(`${second.url}/spend/logs?api_key=${keyHash}&limit=100000`, {
        headers: ADMIN,
      });
      assert.equal(res.status, 200);
      const rows = await res.json() as { request_id: string; spend: number }[];
      const stored = new Set(rows.map((r) => r.request_id));
      // Requests answered before the last flush interval (plus 100 ms for the write itself).
      const cutoff = killedAt - FLUSH_SECONDS * 1000 - 100;
      const durable = answered.filter((a) => a.at <= cutoff);
      const missing = durable.filter((a) => !stored.has(a.requestId));
      const lost = answered.filter((a) => !stored.has(a.requestId)).length;
      // deno-lint-ignore no-console
      console.log(
        `[${backend.name}] ${answered.length} × 200 before kill -9; ${durable.length} before the ` +
          `last flush interval, ${missing.length} of them missing; ${lost} rows lost in total`,
      );
      assert.ok(durable.length > 50, `too little load: ${durable.length}`);
      assert.deepEqual(missing, []);
      // The key's spend in the store matches its ledger rows (increments are tied to rows).
      const info = await (await fetch(`${second.url}/key/info?key=${keyHash}`, { headers: ADMIN }))
        .json() as { info: { spend: number } };
      const total = rows.reduce((s, r) => s + r.spend, 0);
      assert.ok(Math.abs(info.info.spend - total) < 1e-6, `${info.info.spend} vs ${total}`);
      // The restarted process serves the key.
      assert.equal((await chat(second, key)).status, 200);
    },
  });
}
