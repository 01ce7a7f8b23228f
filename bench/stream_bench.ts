/**
 * Stream translation throughput per provider: native bytes → text decoder →
 * SSE/NDJSON decoder → the provider's TransformStream → OpenAI chunks.
 * Each iteration pushes CHUNKS content chunks; chunks/s = CHUNKS / time.
 *
 * Run: deno bench --allow-read=. --allow-env bench/stream_bench.ts
 */

import { getProvider } from "../src/providers/registry.ts";
import type { RequestContext } from "../src/providers/types.ts";
import { createNdjsonDecoder, createSseDecoder } from "../src/_sse.ts";
import { createChunkStream } from "../src/_pipeline.ts";
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
// bytes → text → events → transformer → usage handling).
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
      for await (const _ of chunks) count++;
      if (count < CHUNKS) throw new Error(`${provider}: only ${count} chunks`);
    },
  });
}
