/**
 * Prints the summary tables of one bench/proxy/run.sh run from its `RESULT <tag> <json>` lines
 * (and hyperfine's JSON export), with the issue's targets checked.
 *
 *   deno run -A bench/proxy/summary.ts --results /tmp/x/results/results.txt \
 *     [--hyperfine /tmp/x/results/hyperfine.json]
 *
 * @module
 */

import { flags } from "./_lib.ts";

// deno-lint-ignore no-explicit-any
type R = Record<string, any>;
const f = flags(Deno.args);
const lines = (await Deno.readTextFile(f.results)).split("\n");
const res: Record<string, R> = {};
for (const line of lines) {
  const m = /^RESULT (\S+) (.*)$/.exec(line.trim());
  if (m) res[m[1]] = JSON.parse(m[2]);
}
// deno-lint-ignore no-console
const out = (s = "") => console.log(s);
const M = res["machine"];
if (M) {
  out(
    `Run: ${M.elapsed_s} s; load average ${M.load_before} before, ${M.load_after} after; ` +
      `CPU used by other processes during the run ≥ ${
        Math.round((100 * M.others_ms) / (M.elapsed_s * 1000 * M.cores))
      }% of the machine (${(M.others_ms / 1000).toFixed(0)} CPU-s).`,
  );
  out();
}
const fx = (
  x: unknown,
  d = 2,
) => (typeof x === "number" && Number.isFinite(x) ? x.toFixed(d) : "—");
const ms = (us: unknown) => (typeof us === "number" ? fx(us / 1000) : "—");
const sign = (x: number) => (x >= 0 ? "+" : "") + x.toFixed(2);
const met = (ok: boolean) => (ok ? "**met**" : "**missed**");

const targets: [string, string][] = [
  ["direct", "nginx direct"],
  ["floor", "Deno floor proxy (floor.ts)"],
  ["floor-js", "Deno floor, bodies read in JS (floor.ts --through-js)"],
  ["llmux-w1", "llmux --workers 1"],
  ["llmux-w2", "llmux --workers 2"],
];

for (const w of [2, 3, 4]) {
  const e = res[`emulated-w${w}`];
  if (e) {
    out(
      `> **--workers ${w} did not start** (${e.reason}); its rows were measured with ${w} ` +
        "`LLMUX_WORKER=1 deno run -A --unstable-net server.ts …` processes sharing the port " +
        "(what --workers starts), see Commands.",
    );
    out();
  }
}
out("### Non-streaming");
out();
out(
  "| target | wrk -c50: RPS | p50 ms | p99 ms | errors | server CPU µs/req | 1,000 RPS: achieved | p50 ms | p99 ms | overhead p50 ms | overhead p99 ms | errors | server CPU µs/req |",
);
out("| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |");
const d = res["rate-direct"];
for (const [key, name] of targets) {
  const w = res[`wrk-${key}`];
  const r = res[`rate-${key}`];
  if (!w && !r) continue;
  const errs = w
    ? Object.values(w.errors as Record<string, number>).reduce((a, b) => a + b, 0)
    : NaN;
  const o50 = r && d && key !== "direct" ? sign(r.p50_ms - d.p50_ms) : "—";
  const o99 = r && d && key !== "direct" ? sign(r.p99_ms - d.p99_ms) : "—";
  const wc = res[`wrkcpu-${key}`];
  const wcpu = w && wc ? (wc.server_cpu_ms * 1000) / w.requests : NaN;
  out(
    `| ${name} | ${w ? Math.round(w.rps).toLocaleString("en-US") : "—"} | ${ms(w?.p50_us)} | ${
      ms(w?.p99_us)
    } | ${fx(errs, 0)} | ${fx(wcpu, 0)} | ${fx(r?.achieved_rps, 0)} | ${fx(r?.p50_ms, 3)} | ${
      fx(r?.p99_ms, 3)
    } | ${o50} | ${o99} | ${r ? r.errors + r.skipped : "—"} | ${fx(r?.server_cpu_us_per_req, 0)} |`,
  );
}
out();
{
  const any = res["streams-direct"] ?? res["streams-llmux-w1"];
  const seq = res["seq-direct"] ?? res["seq-llmux-w1"];
  out(
    `### Streaming (${any?.streams ?? "?"} concurrent streams of 200 chunks; sequential: ${
      seq?.streams ?? "?"
    } streams one at a time)`,
  );
}
out();
out(
  "| target | ok / errors | TTFT p50 ms | TTFT p99 ms | TTFT overhead p50 ms | all done (s) | chunks/s | peak RSS MB | server CPU µs/chunk | sequential: TTFT p50 / p99 ms | TTFT overhead p50 ms | whole stream p50 ms |",
);
out("| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: |");
const qd = res["seq-direct"];
const sd = res["streams-direct"];
for (const [key, name] of targets) {
  const s = res[`streams-${key}`];
  const q = res[`seq-${key}`];
  if (!s) continue;
  out(
    `| ${name} | ${s.ok} / ${s.errors} | ${fx(s.ttft_p50_ms)} | ${fx(s.ttft_p99_ms)} | ${
      key === "direct" || !sd ? "—" : sign(s.ttft_p50_ms - sd.ttft_p50_ms)
    } | ${fx(s.wall_ms / 1000)} | ${Number(s.chunks_per_s).toLocaleString("en-US")} | ${
      s.peak_rss_sum_mb ?? "—"
    } | ${fx(s.proxy_cpu_us_per_chunk, 1)} | ${
      q ? `${fx(q.ttft_p50_ms)} / ${fx(q.ttft_p99_ms)}` : "—"
    } | ${q && qd && key !== "direct" ? sign(q.ttft_p50_ms - qd.ttft_p50_ms) : "—"} | ${
      q ? fx(q.total_p50_ms) : "—"
    } |`,
  );
}
out();
{
  const pd = res["paced-direct"];
  if (pd) {
    out(
      `### Paced streaming (${pd.streams} streams of 200 chunks started over ${
        f["ramp-ms"] ?? 1000
      } ms; the upstream sends one event every 40 ms, so a stream lasts ≈ 8 s and all are open at once)`,
    );
    out();
    out(
      "| target | ok / errors | TTFT p50 ms | TTFT p99 ms | TTFT overhead p50 / p99 ms | whole stream p50 ms | peak RSS MB | server CPU µs/chunk |",
    );
    out("| --- | --: | --: | --: | --: | --: | --: | --: |");
    for (const [key, name] of targets) {
      const p = res[`paced-${key}`];
      if (!p) continue;
      out(
        `| ${name} | ${p.ok} / ${p.errors} | ${fx(p.ttft_p50_ms)} | ${fx(p.ttft_p99_ms)} | ${
          key === "direct"
            ? "—"
            : `${sign(p.ttft_p50_ms - pd.ttft_p50_ms)} / ${sign(p.ttft_p99_ms - pd.ttft_p99_ms)}`
        } | ${fx(p.total_p50_ms)} | ${p.peak_rss_sum_mb ?? "—"} | ${
          fx(p.proxy_cpu_us_per_chunk, 1)
        } |`,
      );
    }
    out();
  }
}
const c = res["coldstart"];
out("### Cold start");
out();
if (c) {
  out("| measure | median | min | max |");
  out("| --- | --: | --: | --: |");
  out(
    `| spawn → first 200 of /health/liveliness (ms, ${c.runs} runs) | ${
      fx(c.live_median_ms, 1)
    } | ${fx(c.live_min_ms, 1)} | ${fx(c.live_max_ms, 1)} |`,
  );
  out(
    `| spawn → first 200 of a chat completion (ms) | ${fx(c.chat_median_ms, 1)} | ${
      fx(c.chat_min_ms, 1)
    } | ${fx(c.chat_max_ms, 1)} |`,
  );
  out(`| RSS when first answering (MB) | ${fx(c.rss_at_live_median_mb, 1)} | | |`);
  out(`| RSS idle, 1 s after the first request (MB) | ${fx(c.rss_idle_median_mb, 1)} | | |`);
}
if (f.hyperfine) {
  try {
    const h = JSON.parse(await Deno.readTextFile(f.hyperfine));
    for (const r of h.results) {
      out(
        `| hyperfine: \`${r.command}\` (ms, ${r.times.length} runs) | ${fx(r.median * 1000, 1)} | ${
          fx(r.min * 1000, 1)
        } | ${fx(r.max * 1000, 1)} |`,
      );
    }
  } catch {
    // no hyperfine results
  }
}
out();
const L = res["layers"];
if (L) {
  out("### Layers, in one process, one request at a time (p50 / mean µs)");
  out();
  out("| layer | non-streaming | stream of 200 chunks |");
  out("| --- | --: | --: |");
  const cell = (x: R | undefined) => (x ? `${x.p50_us} / ${x.mean_us}` : "—");
  out(
    `| \`fetch()\` of nginx + read (client floor) | ${cell(L.fetch)} | ${cell(L.stream_fetch)} |`,
  );
  out(
    `| \`router.completion()\` (+ iterate chunks) | ${cell(L.router)} | ${cell(L.stream_router)} |`,
  );
  out(`| … + \`toSSE()\` bytes | — | ${cell(L.stream_router_sse)} |`);
  out(`| Hono app \`app.fetch()\`, no logs/metrics | ${cell(L.app)} | ${cell(L.stream_app)} |`);
  out(
    `| … + server runtime (request log line, Prometheus) | ${cell(L.app_rt)} | ${
      cell(L.stream_app_rt)
    } |`,
  );
  out();
}
out("### Targets");
out();
out("| target | measured | |");
out("| --- | --- | --- |");
const w1 = res["rate-llmux-w1"];
const w2 = res["rate-llmux-w2"];
for (const [r, name] of [[w1, "--workers 1"], [w2, "--workers 2"]] as const) {
  if (!r || !d) continue;
  const o50 = r.p50_ms - d.p50_ms;
  const o99 = r.p99_ms - d.p99_ms;
  out(`| overhead p50 ≤ 0.5 ms at 1,000 RPS (${name}) | ${sign(o50)} ms | ${met(o50 <= 0.5)} |`);
  out(`| overhead p99 ≤ 2 ms at 1,000 RPS (${name}) | ${sign(o99)} ms | ${met(o99 <= 2)} |`);
}
const ww2 = res["wrk-llmux-w2"];
if (ww2) {
  out(
    `| ≥ 5,000 RPS non-streaming, --workers 2 | ${Math.round(ww2.rps).toLocaleString("en-US")} | ${
      met(ww2.rps >= 5000)
    } |`,
  );
}
for (const key of ["llmux-w1", "llmux-w2"]) {
  const s = res[`streams-${key}`];
  if (!s || !sd) continue;
  const o = s.ttft_p50_ms - sd.ttft_p50_ms;
  out(`| streaming TTFT overhead p50 ≤ 1 ms (${key}) | ${sign(o)} ms | ${met(o <= 1)} |`);
  out(
    `| streaming peak RSS ≤ 200 MB (${key}) | ${s.peak_rss_sum_mb} MB | ${
      met(s.peak_rss_sum_mb <= 200)
    } |`,
  );
  out(`| 1,000 streams, zero errors (${key}) | ${s.errors} errors | ${met(s.errors === 0)} |`);
  const p = res[`paced-${key}`];
  const pd = res["paced-direct"];
  if (p && pd) {
    const po = p.ttft_p50_ms - pd.ttft_p50_ms;
    out(
      `| paced streams: TTFT overhead p50 ≤ 1 ms (${key}) | ${sign(po)} ms | ${met(po <= 1)} |`,
    );
    out(
      `| paced streams: peak RSS ≤ 200 MB (${key}) | ${p.peak_rss_sum_mb} MB | ${
        met(p.peak_rss_sum_mb <= 200)
      } |`,
    );
    out(`| paced streams, zero errors (${key}) | ${p.errors} errors | ${met(p.errors === 0)} |`);
  }
}
if (c) {
  out(
    `| cold start to first served request ≤ 300 ms | ${fx(c.chat_median_ms, 1)} ms | ${
      met(c.chat_median_ms <= 300)
    } |`,
  );
}
