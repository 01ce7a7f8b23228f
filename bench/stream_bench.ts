/**
 * Stream translation throughput per provider: native bytes → text decoder →
 * SSE/NDJSON decoder → the provider's TransformStream → OpenAI chunks.
 * Each iteration pushes CHUNKS content chunks; chunks/s = CHUNKS / time.
 *
 * Run: deno bench --allow-read=. --allow-env bench/stream_bench.ts
 */

import { setImmediate } from "node:timers";
import { getProvider } from "../src/providers/registry.ts";
import type { RequestContext } from "../src/providers/types.ts";
import { createNdjsonDecoder, createSseDecoder } from "../src/_sse.ts";
import { createChunkStream } from "../src/_pipeline.ts";
import { CompletionStream } from "../src/stream.ts";
import { FROM_BATCHES, TAKE_BATCHES } from "../src/_batches.ts";
import { createFailoverStream, peekFirstContent } from "../src/fallback/_stream_failover.ts";
import { createSseBody } from "../src/server/sse.ts";
import { nativeStream, toPieces } from "./_fixtures.ts";

const CHUNKS = 10_000;

function ctx(provider: string, model: string): RequestContext {
  let n = 0;
  return {
    provider,
    model,
    requestedModel: `${provider}/${model}`,
    apiKey: "k",
    apiBase: "http://127.0.0.1",
    apiVersion: undefined,
    extraHeaders: {},
    stream: true,
    includeUsage: true,
    providerOptions: {},
    env: () => undefined,
    now: () => 1730000000000,
    generateId: () => String(++n),
  };
}

for (
  const [provider, model] of [
    ["openai", "gpt-4o-mini"],
    ["anthropic", "claude-sonnet-4-5"],
    ["gemini", "gemini-2.5-flash"],
    ["ollama", "llama3.2"],
  ] as const
) {
  const adapter = getProvider(provider);
  const pieces = toPieces(nativeStream(provider, CHUNKS));
  Deno.bench({
    name: `${provider}: ${CHUNKS} chunks through the stream transform`,
    group: "stream",
    baseline: provider === "openai",
    async fn() {
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (i < pieces.length) c.enqueue(pieces[i++]);
          else c.close();
        },
      });
      const chunks = body
        .pipeThrough(new TextDecoderStream())
        .pipeThrough(
          adapter.streamFraming === "ndjson" ? createNdjsonDecoder() : createSseDecoder(),
        )
        .pipeThrough(adapter.createStreamTransform(ctx(provider, model)));
      let count = 0;
      for await (const _ of chunks) count++;
      if (count < CHUNKS) throw new Error(`${provider}: only ${count} chunks`);
    },
  });
}

// The same streams through the inline pipeline completion() runs (one stage:
// bytes → text → events → transformer → usage handling → batches of chunks).
for (
  const [provider, model] of [
    ["openai", "gpt-4o-mini"],
    ["anthropic", "claude-sonnet-4-5"],
    ["gemini", "gemini-2.5-flash"],
    ["ollama", "llama3.2"],
  ] as const
) {
  const adapter = getProvider(provider);
  const pieces = toPieces(nativeStream(provider, CHUNKS));
  Deno.bench({
    name: `${provider}: ${CHUNKS} chunks through the inline pipeline`,
    group: "pipeline",
    baseline: provider === "openai",
    async fn() {
      let i = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(c) {
          if (i < pieces.length) c.enqueue(pieces[i++]);
          else c.close();
        },
      });
      const c = ctx(provider, model);
      const chunks = createChunkStream(body, {
        framing: adapter.streamFraming,
        transformer: adapter.createStreamTransformer(c),
        request: { model, messages: [{ role: "user", content: "hi" }] },
        ctx: c,
        state: { usage: undefined },
        onReadError: (e) => e,
      });
      let count = 0;
      for await (const batch of chunks) count += batch.length;
      if (count < CHUNKS) throw new Error(`${provider}: only ${count} chunks`);
    },
  });
}

// The proxy's whole streaming chain for one 200-chunk OpenAI pass-through stream:
// upstream bytes → pipeline → router peek/failover → toSSE() → the SSE response body,
// read to the end. µs per chunk = time / PROXY_CHUNKS.
const PROXY_CHUNKS = 200;
const proxyText = nativeStream("openai", PROXY_CHUNKS);
const eventPieces = proxyText.split(/(?<=\n\n)/).map((e) => new TextEncoder().encode(e));
for (
  const [label, pieces, socketLike] of [
    ["16 KiB upstream reads", toPieces(proxyText), false],
    ["one event per upstream read", eventPieces, false],
    ["one event per upstream read, each in its own event-loop turn", eventPieces, true],
  ] as const
) {
  Deno.bench({
    name: `proxy chain: ${PROXY_CHUNKS} chunks, ${label}`,
    group: "proxy chain",
    baseline: label.startsWith("16"),
    async fn() {
      const bytes = await proxyChain(pieces, socketLike);
      if (bytes < proxyText.length) throw new Error(`only ${bytes} bytes`);
    },
  });
}

/**
 * Read one stream through the chain. `socketLike`: each upstream read completes in a later
 * event-loop turn, as a read from a socket does, instead of within the same microtask queue.
 */
async function proxyChain(pieces: readonly Uint8Array[], socketLike: boolean): Promise<number> {
  let i = 0;
  const upstream = new ReadableStream<Uint8Array>({
    async pull(c) {
      if (socketLike) await new Promise<void>((resolve) => setImmediate(resolve));
      if (i < pieces.length) c.enqueue(pieces[i++]);
      else c.close();
    },
  }, { highWaterMark: 0 });
  const c = ctx("openai", "gpt-4o-mini");
  const state = { usage: undefined };
  const info = { provider: "openai", model: "gpt-4o-mini", headers: {} };
  const inner = CompletionStream[FROM_BATCHES](
    createChunkStream(upstream, {
      framing: "sse",
      transformer: getProvider("openai").createStreamTransformer(c),
      request: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
      ctx: c,
      state,
      onReadError: (e) => e,
    }),
    { info, usage: () => state.usage },
  );
  const origin = { provider: "openai", model: "gpt-4o-mini" };
  const peeked = await peekFirstContent(inner[TAKE_BATCHES](), origin);
  const failover = createFailoverStream(peeked, origin, {
    onEnd() {},
    onError() {},
    onCancel() {},
  });
  const outer = CompletionStream[FROM_BATCHES](failover, { info, usage: () => inner.usage });
  const reader = createSseBody(outer.toSSE(), { keepAliveMs: 15_000, onEnd() {} }).getReader();
  let size = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return size;
    size += value.byteLength;
  }
}
