/**
 * Streaming load: `--streams` concurrent SSE streams (all started at once, each on its own
 * connection), each expected to carry `--chunks` content chunks, at most one usage chunk
 * (`choices: []`) and end with `data: [DONE]`. `--ramp-ms M` spreads the starts evenly over M ms
 * instead; `--model` picks the model (e.g. `bench-paced`, whose upstream paces its bytes).
 * Reports TTFT (from the `fetch()` call to the first `data:` event) and total stream time
 * percentiles, errors (non-200, short streams, missing [DONE], network errors), and, when
 * `--pids` are given, the peak summed RSS of those processes sampled every 20 ms plus their
 * VmHWM and the CPU time they used. `--sequential N` instead runs N streams one after another (TTFT with no contention).
 *
 *   deno run -A bench/proxy/streams.ts --url http://127.0.0.1:4000/v1/chat/completions \
 *     --streams 1000 --chunks 200 --pids 1234,1235 --label proxy
 *
 * @module
 */

import { cpuMs, emit, flags, sampleRss, STREAM_BODY, summarize } from "./_lib.ts";

const f = flags(Deno.args);
const url = f.url;
const label = f.label ?? "streams";
const streams = Number(f.streams ?? 1000);
const chunks = Number(f.chunks ?? 200);
const sequential = Number(f.sequential ?? 0);
const timeoutMs = Number(f.timeout ?? 60) * 1000;
const pids = (f.pids ?? "").split(",").filter(Boolean).map(Number);
/** Spread the starts evenly over this many ms (0: all at once). */
const rampMs = Number(f["ramp-ms"] ?? 0);
/** Model to ask for (default: the streaming body's `bench-stream`). */
const body = f.model ? JSON.stringify({ ...JSON.parse(STREAM_BODY), model: f.model }) : STREAM_BODY;
const headers = { "content-type": "application/json" };

interface One {
  ok: boolean;
  ttft?: number;
  total?: number;
  error?: string;
}

const SEP = "\n\n";

async function one(signal: AbortSignal): Promise<One> {
  const start = performance.now();
  let ttft: number | undefined;
  try {
    const res = await fetch(url, { method: "POST", headers, body, signal });
    if (res.status !== 200 || !res.body) {
      await res.body?.cancel();
      return { ok: false, error: `status ${res.status}` };
    }
    const decoder = new TextDecoder();
    let buffer = "";
    let dataEvents = 0;
    let contentEvents = 0;
    let usageEvents = 0; // the usage chunk (`choices: []`), when the upstream's answer is passed on
    let done = false;
    let afterDone = false;
    for await (const bytes of res.body) {
      buffer += decoder.decode(bytes, { stream: true });
      let at: number;
      while ((at = buffer.indexOf(SEP)) !== -1) {
        const event = buffer.slice(0, at);
        buffer = buffer.slice(at + SEP.length);
        if (!event.startsWith("data:")) continue; // comments (keep-alives)
        ttft ??= performance.now() - start;
        if (done) afterDone = true;
        dataEvents++;
        const data = event.slice(5).trim();
        if (data === "[DONE]") done = true;
        else if (data.includes('"content":"')) contentEvents++;
        else if (data.includes('"choices":[]')) usageEvents++;
      }
    }
    const total = performance.now() - start;
    if (
      !done || afterDone || contentEvents !== chunks || usageEvents > 1 ||
      dataEvents !== chunks + 1 + usageEvents
    ) {
      return {
        ok: false,
        ttft,
        total,
        error: `events=${dataEvents} content=${contentEvents} usage=${usageEvents} done=${done}`,
      };
    }
    return { ok: true, ttft, total };
  } catch (error) {
    return { ok: false, ttft, error: (error as Error).name + ": " + (error as Error).message };
  }
}

const stopRss = pids.length > 0 ? sampleRss(pids) : undefined;
const cpu0 = cpuMs(pids);
const signal = AbortSignal.timeout(timeoutMs);
const t0 = performance.now();
let results: One[];
if (sequential > 0) {
  results = [];
  for (let i = 0; i < sequential; i++) results.push(await one(signal));
} else {
  results = await Promise.all(
    Array.from({ length: streams }, async (_, i) => {
      if (rampMs > 0) await new Promise((r) => setTimeout(r, (i * rampMs) / streams));
      return await one(signal);
    }),
  );
}
const wallMs = performance.now() - t0;
const rss = stopRss?.();
const cpu = cpuMs(pids) - cpu0;

const ok = results.filter((r) => r.ok);
const errors = results.filter((r) => !r.ok);
const errorKinds: Record<string, number> = {};
for (const e of errors) errorKinds[e.error ?? "?"] = (errorKinds[e.error ?? "?"] ?? 0) + 1;
const ttft = summarize(ok.map((r) => r.ttft!));
const total = summarize(ok.map((r) => r.total!));
emit(label, {
  streams: results.length,
  ok: ok.length,
  errors: errors.length,
  error_kinds: errorKinds,
  wall_ms: Math.round(wallMs),
  chunks_per_s: Math.round((ok.length * chunks) / (wallMs / 1000)),
  ttft_p50_ms: ttft.p50_ms,
  ttft_p90_ms: ttft.p90_ms,
  ttft_p99_ms: ttft.p99_ms,
  ttft_max_ms: ttft.max_ms,
  total_p50_ms: total.p50_ms,
  total_p99_ms: total.p99_ms,
  ...(rss
    ? {
      peak_rss_sum_mb: Math.round(rss.peakSumKb / 102.4) / 10,
      vm_hwm_mb: rss.hwmKb.map((k) => Math.round(k / 102.4) / 10),
      proxy_cpu_ms: cpu,
      proxy_cpu_us_per_chunk: Math.round((cpu * 1000 * 10) / (results.length * chunks)) / 10,
    }
    : {}),
});
