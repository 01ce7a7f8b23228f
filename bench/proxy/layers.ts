/**
 * Where the proxy's time goes, layer by layer, in one process and sequentially (one request at
 * a time, so each figure is a latency, not a throughput), against the same nginx upstream:
 *
 *   fetch      `fetch()` + `res.json()` (streams: read the body) — the client floor
 *   router     `router.completion()` (SDK adapter + router); streams: iterate the chunks
 *   router SSE streams only: `router.completion()` then `toSSE()` read to the end
 *   app        the Hono app's `app.fetch(Request)`, no logging or metrics
 *   app+rt     the same with the server runtime (request log line to /dev/null, Prometheus)
 *
 * What the HTTP server adds on top is in the fixed-rate results (floor.ts vs llmux).
 *
 *   deno run -A bench/proxy/layers.ts --config /tmp/x/llmux.yaml --upstream http://127.0.0.1:8080
 *
 * @module
 */

import { loadConfig, withConfigEnv } from "../../src/config/mod.ts";
import { Router } from "../../src/fallback/router.ts";
import { createApp } from "../../src/server/app.ts";
import { createServerRuntime } from "../../src/server/runtime.ts";
import type { CompletionStream } from "../../src/stream.ts";
import { CHAT_BODY, emit, flags, STREAM_BODY, summarize } from "./_lib.ts";

const f = flags(Deno.args);
const upstream = f.upstream;
const n = Number(f.n ?? 3000);
const ns = Number(f["n-streams"] ?? 300);
const env = (name: string) => Deno.env.get(name);
const loaded = await loadConfig(f.config, { env });
const routerConfig = () => loaded.router;

async function time(runs: number, fn: () => Promise<void>): Promise<Record<string, number>> {
  for (let i = 0; i < Math.max(200, runs / 5); i++) await fn(); // warm-up
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  const s = summarize(samples);
  return { p50_us: Math.round(s.p50_ms * 1000), mean_us: Math.round(s.mean_ms * 1000) };
}

const chatParams = () => JSON.parse(CHAT_BODY);
const streamParams = () => JSON.parse(STREAM_BODY);
const post = (url: string, body: string) =>
  new Request(url, { method: "POST", headers: { "content-type": "application/json" }, body });

const bare = new Router(routerConfig(), { env: withConfigEnv(env, loaded.env) });
const bareApp = createApp({ router: bare });

const devnull = await Deno.open("/dev/null", { write: true });
const runtime = await createServerRuntime({ sink: devnull.writable });
const withRt = new Router(routerConfig(), {
  env: withConfigEnv(env, loaded.env),
  callbacks: runtime.routerCallbacks,
});
runtime.attach(withRt);
const rtApp = createApp({ router: withRt, ...runtime.appOptions });

const out: Record<string, unknown> = {};

// Non-streaming.
out.fetch = await time(n, async () => {
  const res = await fetch(`${upstream}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
    body: CHAT_BODY,
  });
  await res.json();
});
out.router = await time(n, async () => {
  await bare.completion(chatParams());
});
out.app = await time(n, async () => {
  const res = await bareApp.fetch(post("http://x/v1/chat/completions", CHAT_BODY));
  await res.arrayBuffer();
});
out.app_rt = await time(n, async () => {
  const res = await rtApp.fetch(post("http://x/v1/chat/completions", CHAT_BODY));
  await res.arrayBuffer();
});

// Streaming (200 chunks each).
out.stream_fetch = await time(ns, async () => {
  const res = await fetch(`${upstream}/stream/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-bench" },
    body: STREAM_BODY,
  });
  await res.arrayBuffer();
});
out.stream_router = await time(ns, async () => {
  const stream = await bare.completion(streamParams()) as CompletionStream;
  for await (const _ of stream);
});
out.stream_router_sse = await time(ns, async () => {
  const stream = await bare.completion(streamParams()) as CompletionStream;
  const reader = stream.toSSE().getReader();
  while (!(await reader.read()).done);
});
const drain = async (body: ReadableStream<Uint8Array> | null) => {
  const reader = body!.getReader();
  while (!(await reader.read()).done);
};
out.stream_app = await time(ns, async () => {
  const res = await bareApp.fetch(post("http://x/v1/chat/completions", STREAM_BODY));
  await drain(res.body);
});
out.stream_app_rt = await time(ns, async () => {
  const res = await rtApp.fetch(post("http://x/v1/chat/completions", STREAM_BODY));
  await drain(res.body);
});

await runtime.close();
emit("layers", out);
