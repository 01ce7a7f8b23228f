/**
 * Fixed-rate load (wrk2 is not in Debian): POST the chat body at `--rate` requests/s for
 * `--duration` s after a `--warmup` s, at most `--max-inflight` requests in flight (a request
 * due when the cap is reached is counted as skipped, not queued). Latency is per request, from
 * the `fetch()` call to the last byte of the body; `sched_lag` is how late requests left
 * against their schedule (the pacer's own error, which would hide queueing if large). With
 * `--pids`, also the CPU time those processes used per request.
 *
 *   deno run -A bench/proxy/rate.ts --url http://127.0.0.1:8080/v1/chat/completions --label x
 *
 * @module
 */

import { CHAT_BODY, cpuMs, emit, flags, sleep, summarize } from "./_lib.ts";

const f = flags(Deno.args);
const url = f.url;
const label = f.label ?? "rate";
const rate = Number(f.rate ?? 1000);
const durationS = Number(f.duration ?? 10);
const warmupS = Number(f.warmup ?? 2);
const maxInflight = Number(f["max-inflight"] ?? 256);
const headers = { "content-type": "application/json" };
const pids = (f.pids ?? "").split(",").filter(Boolean).map(Number);

interface Phase {
  latencies: number[];
  lags: number[];
  errors: number;
  skipped: number;
  sent: number;
  elapsedMs: number;
}

async function phase(seconds: number): Promise<Phase> {
  const out: Phase = { latencies: [], lags: [], errors: 0, skipped: 0, sent: 0, elapsedMs: 0 };
  const interval = 1000 / rate;
  const total = Math.round(seconds * rate);
  let inflight = 0;
  const pending = new Set<Promise<void>>();
  const t0 = performance.now();
  const fire = (due: number) => {
    const start = performance.now();
    out.lags.push(start - due);
    inflight++;
    const p = fetch(url, { method: "POST", headers, body: CHAT_BODY })
      .then(async (res) => {
        await res.arrayBuffer();
        if (res.status !== 200) out.errors++;
        else out.latencies.push(performance.now() - start);
      })
      .catch(() => {
        out.errors++;
      })
      .finally(() => {
        inflight--;
        pending.delete(p);
      });
    pending.add(p);
  };
  let n = 0;
  while (n < total) {
    const now = performance.now();
    while (n < total && t0 + n * interval <= now) {
      if (inflight >= maxInflight) out.skipped++;
      else {
        fire(t0 + n * interval);
        out.sent++;
      }
      n++;
    }
    const next = t0 + n * interval - performance.now();
    // Timers have ~1 ms resolution: sleep when the next request is at least 1 ms away,
    // otherwise yield to the event loop once so responses get handled.
    await (next >= 1 ? sleep(Math.floor(next)) : new Promise<void>((r) => setTimeout(r, 0)));
  }
  out.elapsedMs = performance.now() - t0;
  await Promise.all(pending);
  return out;
}

if (warmupS > 0) await phase(warmupS);
const cpu0 = cpuMs(pids);
const m = await phase(durationS);
const cpu = cpuMs(pids) - cpu0;
const lat = summarize(m.latencies);
const lag = summarize(m.lags);
emit(label, {
  target_rps: rate,
  achieved_rps: Math.round((m.sent / m.elapsedMs) * 1000 * 10) / 10,
  ok: m.latencies.length,
  errors: m.errors,
  skipped: m.skipped,
  ...lat,
  sched_lag_p50_ms: lag.p50_ms,
  sched_lag_p99_ms: lag.p99_ms,
  ...(pids.length > 0
    ? { server_cpu_ms: cpu, server_cpu_us_per_req: Math.round((cpu * 1000) / (m.sent || 1)) }
    : {}),
});
