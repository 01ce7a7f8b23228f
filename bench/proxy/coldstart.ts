/**
 * Cold start: spawn `deno run -A server.ts --config … --port P` `--runs` times (after one
 * unmeasured start that fills Deno's module cache), and for each measure the time from spawn
 * to the first 200 of `GET /health/liveliness` (polled every 2 ms) and to the first 200 of a
 * chat completion sent right after. Also reads the process's RSS when it first answers and
 * after one request and 1 s idle. Reports medians.
 *
 *   deno run -A bench/proxy/coldstart.ts --config /tmp/x/llmux.yaml --runs 10
 *
 * @module
 */

import { CHAT_BODY, emit, flags, memoryOf, percentile, sleep } from "./_lib.ts";

const f = flags(Deno.args);
const config = f.config;
const runs = Number(f.runs ?? 10);
const workers = Number(f.workers ?? 1);
const serverTs = new URL("../../server.ts", import.meta.url).pathname;

function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

interface Run {
  liveMs: number;
  chatMs: number;
  rssAtLiveMb: number;
  rssIdleMb: number;
}

async function once(): Promise<Run> {
  const port = freePort();
  const base = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      serverTs,
      "--config",
      config,
      "--host",
      "127.0.0.1",
      "--port",
      String(port),
      "--workers",
      String(workers),
      "--shutdown-timeout",
      "1",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    let liveMs = NaN;
    const deadline = t0 + 10_000;
    while (performance.now() < deadline) {
      try {
        const res = await fetch(`${base}/health/liveliness`);
        await res.body?.cancel();
        if (res.status === 200) {
          liveMs = performance.now() - t0;
          break;
        }
      } catch {
        // not listening yet
      }
      await sleep(2);
    }
    if (Number.isNaN(liveMs)) throw new Error("server did not answer within 10 s");
    const rssAtLive = memoryOf(child.pid).rssKb;
    const res = await fetch(`${base}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: CHAT_BODY,
    });
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`chat completion: status ${res.status}`);
    const chatMs = performance.now() - t0;
    await sleep(1000);
    const rssIdle = memoryOf(child.pid).rssKb;
    return {
      liveMs,
      chatMs,
      rssAtLiveMb: rssAtLive / 1024,
      rssIdleMb: rssIdle / 1024,
    };
  } finally {
    child.kill("SIGTERM");
    await child.status;
  }
}

await once(); // fills the module/transpile cache; not counted
const all: Run[] = [];
for (let i = 0; i < runs; i++) all.push(await once());
const med = (xs: number[]) => {
  const s = Float64Array.from(xs).sort();
  return Math.round(percentile(s, 50) * 10) / 10;
};
const r1 = (x: number) => Math.round(x * 10) / 10;
emit(f.label ?? "coldstart", {
  runs,
  workers,
  live_median_ms: med(all.map((r) => r.liveMs)),
  live_min_ms: r1(Math.min(...all.map((r) => r.liveMs))),
  live_max_ms: r1(Math.max(...all.map((r) => r.liveMs))),
  chat_median_ms: med(all.map((r) => r.chatMs)),
  chat_min_ms: r1(Math.min(...all.map((r) => r.chatMs))),
  chat_max_ms: r1(Math.max(...all.map((r) => r.chatMs))),
  rss_at_live_median_mb: med(all.map((r) => r.rssAtLiveMb)),
  rss_idle_median_mb: med(all.map((r) => r.rssIdleMb)),
});
