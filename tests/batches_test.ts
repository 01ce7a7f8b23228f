/**
 * The batch path between the stream stages: the pipeline hands out the chunks
 * it can make from text in memory as one batch, the router's failover and
 * `toSSE()` pass batches on, and per-chunk consumers see them flattened.
 */

import assert from "node:assert/strict";
import { createChunkStream } from "../src/_pipeline.ts";
import {
  type ChunkBatch,
  FROM_BATCHES,
  RAW_JSON,
  type RawChunk,
  TAKE_BATCHES,
} from "../src/_batches.ts";
import { CompletionStream } from "../src/stream.ts";
import { encodeSseData, encodeSseText } from "../src/_sse.ts";
import { createFailoverStream, peekFirstContent } from "../src/fallback/_stream_failover.ts";
import { createSseBody, type StreamOutcome } from "../src/server/sse.ts";
import { getProvider } from "../src/providers/registry.ts";
import { APIConnectionError, LLMuxError } from "../src/errors.ts";
import type { RequestContext } from "../src/providers/types.ts";
import type { ChatCompletionChunk } from "../src/types.ts";
import { rechunk } from "./_fixtures.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const INFO = { provider: "openai", model: "gpt-4o-mini", headers: {} };

function ctx(includeUsage = false): RequestContext {
  let n = 0;
  return {
    provider: "openai",
    model: "gpt-4o-mini",
    requestedModel: "openai/gpt-4o-mini",
    apiKey: "k",
    apiBase: "http://127.0.0.1",
    apiVersion: undefined,
    extraHeaders: {},
    stream: true,
    includeUsage,
    providerOptions: {},
    env: () => undefined,
    now: () => 1730000000000,
    generateId: () => String(++n),
  };
}

const HEAD = `{"id":"chatcmpl-t","object":"chat.completion.chunk","created":1730000000,` +
  `"model":"gpt-4o-mini","choices":[{"index":0,"delta":`;

/** The SSE events of an OpenAI stream: a role chunk, `n` content chunks, a finish chunk. */
function openaiEvents(n: number): string[] {
  const events = [`data: ${HEAD}{"role":"assistant","content":""},"finish_reason":null}]}\n\n`];
  for (let i = 0; i < n; i++) {
    events.push(`data: ${HEAD}{"content":" token${i}"},"finish_reason":null}]}\n\n`);
  }
  events.push(`data: ${HEAD}{},"finish_reason":"stop"}]}\n\n`, "data: [DONE]\n\n");
  return events;
}

/** An upstream body that records its pulls and its cancel reason; `stall` hangs after the pieces. */
function upstream(pieces: readonly Uint8Array[], options: { stall?: boolean; fail?: Error } = {}) {
  const log = { pulls: 0, cancelled: false, reason: undefined as unknown };
  let i = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      log.pulls++;
      if (i < pieces.length) controller.enqueue(pieces[i++]);
      else if (options.fail) controller.error(options.fail);
      else if (options.stall) return new Promise<void>(() => {});
      else controller.close();
    },
    cancel(reason) {
      log.cancelled = true;
      log.reason = reason;
    },
  }, { highWaterMark: 0 });
  return { body, log };
}

function pipeline(body: ReadableStream<Uint8Array>, includeUsage = false) {
  const c = ctx(includeUsage);
  return createChunkStream(body, {
    framing: "sse",
    transformer: getProvider("openai").createStreamTransformer(c),
    request: { model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }] },
    ctx: c,
    state: { usage: undefined },
    onReadError: (cause) => new APIConnectionError(`read failed: ${cause}`, { cause }),
  });
}

async function allBatches(stream: ReadableStream<ChunkBatch>): Promise<ChunkBatch[]> {
  return await Array.fromAsync(stream);
}

/** Contents of the chunks' deltas, in order. */
function contents(chunks: readonly ChatCompletionChunk[]): string[] {
  return chunks.map((c) => c.choices[0]?.delta.content ?? `<${c.choices[0]?.finish_reason}>`);
}

/** Resolves with the promise's value, or rejects after `ms` (the read must not wait). */
function soon<T>(promise: Promise<T>, ms = 1000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no result within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

// ---------------------------------------------------------------------------
// The pipeline

Deno.test("batches: a burst of events in one upstream read gives the same chunks, in order, in a few batches", async () => {
  const text = openaiEvents(300).join("");
  const whole = await allBatches(pipeline(upstream([encoder.encode(text)]).body, true));
  const byByte = await allBatches(
    pipeline(upstream(rechunk(encoder.encode(text), [1])).body, true),
  );
  const chunks = whole.flat();
  assert.deepEqual(chunks, byByte.flat());
  assert.equal(chunks.length, 303); // role, 300 contents, finish, usage
  assert.deepEqual(contents(chunks).slice(0, 4), ["", " token0", " token1", " token2"]);
  assert.ok(whole.every((batch) => batch.length > 0));
  // ~50 KB of text: the role chunk and the first content alone, then ≤16 KB of text per batch.
  assert.deepEqual(whole.slice(0, 2).map((b) => b.length), [1, 1]);
  assert.ok(whole.length <= 8, `${whole.length} batches`);
  // Read a byte at a time, every chunk leaves as soon as it exists.
  assert.ok(byByte.every((batch) => batch.length === 1 || batch === byByte.at(-1)));
});

Deno.test("batches: the first batch is exactly the first chunk, without waiting for the rest", async () => {
  const events = openaiEvents(5);
  // The upstream sends the role chunk and three contents, then goes silent.
  const { body, log } = upstream([encoder.encode(events.slice(0, 4).join(""))], { stall: true });
  const reader = pipeline(body).getReader();
  const first = await soon(reader.read());
  assert.deepEqual(contents(first.value!), [""]);
  const second = await soon(reader.read());
  assert.deepEqual(contents(second.value!), [" token0"]);
  // After the first content, what is in memory leaves in one batch, with no further read.
  const third = await soon(reader.read());
  assert.deepEqual(contents(third.value!), [" token1", " token2"]);
  assert.equal(log.pulls, 1);
  const fourth = reader.read(); // now it waits for the network
  await reader.cancel("client went away");
  assert.equal((await fourth).done, true);
  assert.equal(log.reason, "client went away");
});

Deno.test("batches: the first chunk leaves when the upstream has sent only that", async () => {
  const events = openaiEvents(2);
  const { body, log } = upstream([encoder.encode(events[0])], { stall: true });
  const reader = pipeline(body).getReader();
  const first = await soon(reader.read());
  assert.equal(first.value?.length, 1);
  assert.equal(first.value?.[0].choices[0].delta.role, "assistant");
  await reader.cancel();
  assert.ok(log.cancelled);
});

Deno.test("batches: a pull reads the upstream only when no chunk is in memory", async () => {
  const burst = openaiEvents(200);
  const pieces = [
    encoder.encode(burst.slice(0, 150).join("")),
    encoder.encode(burst.slice(150).join("")),
  ];
  const { body, log } = upstream(pieces);
  const reader = pipeline(body).getReader();
  let seen = 0;
  while (seen < 150) {
    const { value } = await reader.read();
    seen += value!.length;
    assert.equal(log.pulls, 1, `after ${seen} chunks`);
  }
  assert.equal(seen, 150); // a batch never reaches past what one read brought
  const next = await reader.read();
  assert.equal(log.pulls, 2);
  assert.equal(contents(next.value!)[0], " token149");
  await reader.cancel();
});

Deno.test("batches: cancelling between batches cancels the upstream body with the reason", async () => {
  const { body, log } = upstream([encoder.encode(openaiEvents(500).join(""))], { stall: true });
  const reader = pipeline(body).getReader();
  await reader.read();
  await reader.read();
  const batch = await reader.read();
  assert.ok(batch.value!.length > 10);
  await reader.cancel(new Error("bye"));
  assert.ok(log.cancelled);
  assert.equal((log.reason as Error).message, "bye");
});

Deno.test("batches: chunks made before a mid-stream error event reach the consumer, then the error", async () => {
  const events = openaiEvents(3);
  const error = `data: {"error":{"message":"bad things","type":"invalid_request_error"}}\n\n`;
  const text = [...events.slice(0, 4), error, ...events.slice(4)].join("");
  const { body, log } = upstream([encoder.encode(text)]);
  const reader = pipeline(body).getReader();
  const got: RawChunk[] = [];
  await assert.rejects(async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      got.push(...value);
    }
  }, (error: unknown) => error instanceof LLMuxError && /bad things/.test(error.message));
  assert.deepEqual(contents(got), ["", " token0", " token1", " token2"]);
  assert.ok(log.cancelled);
});

Deno.test("batches: a failed upstream read after a batch errors the stream with the mapped error", async () => {
  const { body } = upstream([encoder.encode(openaiEvents(3).slice(0, 4).join(""))], {
    fail: new Error("connection reset"),
  });
  const batches: ChunkBatch[] = [];
  const reader = pipeline(body).getReader();
  await assert.rejects(async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      batches.push(value);
    }
  }, /read failed: Error: connection reset/);
  assert.deepEqual(contents(batches.flat()), ["", " token0", " token1", " token2"]);
});

// ---------------------------------------------------------------------------
// CompletionStream over batches

function batchStream(batches: ChunkBatch[]) {
  const log = { cancelled: false, reason: undefined as unknown };
  let i = 0;
  const stream = new ReadableStream<ChunkBatch>({
    pull(controller) {
      if (i < batches.length) controller.enqueue(batches[i++]);
      else controller.close();
    },
    cancel(reason) {
      log.cancelled = true;
      log.reason = reason;
    },
  }, { highWaterMark: 0 });
  return { stream, log };
}

function chunk(content: string, raw = false): RawChunk {
  const c: RawChunk = {
    id: "chatcmpl-t",
    object: "chat.completion.chunk",
    created: 1730000000,
    model: "gpt-4o-mini",
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  };
  if (raw) c[RAW_JSON] = JSON.stringify({ raw: content });
  return c;
}

Deno.test("batches: iterating, toReadableStream() and toSSE() see the chunks one by one, in order", async () => {
  const batches = () => [[chunk("a"), chunk("b", true)], [chunk("c")]];
  const iterated = await Array.fromAsync(
    CompletionStream[FROM_BATCHES](batchStream(batches()).stream, { info: INFO }),
  );
  assert.deepEqual(contents(iterated), ["a", "b", "c"]);
  const readable = CompletionStream[FROM_BATCHES](batchStream(batches()).stream, { info: INFO })
    .toReadableStream();
  assert.deepEqual(contents(await Array.fromAsync(readable)), ["a", "b", "c"]);

  const writes = await Array.fromAsync(
    CompletionStream[FROM_BATCHES](batchStream(batches()).stream, { info: INFO }).toSSE(),
  );
  // One write per batch, then [DONE]; the same bytes as one event per chunk.
  assert.equal(writes.length, 3);
  const [a, b, c] = batches().flat();
  const expected = [
    encodeSseData(a),
    encodeSseText(b[RAW_JSON]!),
    encodeSseData(c),
  ].map((bytes) => decoder.decode(bytes)).join("") + "data: [DONE]\n\n";
  assert.equal(writes.map((w) => decoder.decode(w)).join(""), expected);
});

Deno.test("batches: leaving the loop early cancels the batch stream", async () => {
  const { stream, log } = batchStream([[chunk("a"), chunk("b")], [chunk("c")]]);
  for await (const c of CompletionStream[FROM_BATCHES](stream, { info: INFO })) {
    assert.equal(c.choices[0].delta.content, "a");
    break;
  }
  assert.ok(log.cancelled);
});

Deno.test("batches: toSSE() writes an error after a batch as an error event, without [DONE]", async () => {
  let i = 0;
  const stream = new ReadableStream<ChunkBatch>({
    pull(controller) {
      if (i++ === 0) controller.enqueue([chunk("a"), chunk("b")]);
      else controller.error(new APIConnectionError("gone", { provider: "openai" }));
    },
  }, { highWaterMark: 0 });
  const sse = await new Response(CompletionStream[FROM_BATCHES](stream, { info: INFO }).toSSE())
    .text();
  const events = sse.split("\n\n").filter(Boolean);
  assert.equal(events.length, 3);
  assert.match(events[2], /^data: \{"error":\{"message":"gone"/);
  assert.ok(!sse.includes("[DONE]"));
});

Deno.test("batches: a CompletionStream built from chunks hands them out as batches of one", async () => {
  const chunks = [chunk("a"), chunk("b")];
  const stream = new CompletionStream(ReadableStream.from(chunks), { info: INFO });
  const batches = await Array.fromAsync(stream[TAKE_BATCHES]());
  assert.deepEqual(batches, [[chunks[0]], [chunks[1]]]);
  assert.throws(() => stream.toSSE(), TypeError);
});

// ---------------------------------------------------------------------------
// Router failover on batches

Deno.test("batches: the first content in the middle of a batch ends the peek; the held chunks leave in one batch", async () => {
  const role: RawChunk = {
    ...chunk(""),
    choices: [{ index: 0, delta: { role: "assistant" }, finish_reason: null }],
  };
  const { stream } = batchStream([[role], [chunk(""), chunk("x"), chunk("y")], [chunk("z")]]);
  const origin = { provider: "openai", model: "gpt-4o-mini" };
  const peeked = await peekFirstContent(stream, origin);
  assert.equal(peeked.ended, false);
  assert.equal(peeked.buffered.length, 4);
  const ends: string[] = [];
  const out = createFailoverStream(peeked, origin, {
    onEnd: () => ends.push("end"),
    onError: () => ends.push("error"),
    onCancel: () => ends.push("cancel"),
  });
  const batches = await Array.fromAsync(out);
  assert.deepEqual(batches.map((b) => b.length), [4, 1]);
  assert.deepEqual(contents(batches.flat()).slice(1), ["", "x", "y", "z"]);
  assert.deepEqual(ends, ["end"]);
});

Deno.test("batches: a failure before any content fails the peek with a typed error", async () => {
  const { body, log } = upstream([encoder.encode(openaiEvents(2)[0])], {
    fail: new Error("reset"),
  });
  await assert.rejects(
    peekFirstContent(pipeline(body), { provider: "openai", model: "gpt-4o-mini" }),
    APIConnectionError,
  );
  assert.ok(log.pulls >= 2);
});

// ---------------------------------------------------------------------------
// The SSE response body

Deno.test("batches: createSseBody writes each source piece once and reports the end once", async () => {
  const pieces = ["data: 1\n\ndata: 2\n\n", "data: 3\n\n", "data: [DONE]\n\n"].map((s) =>
    encoder.encode(s)
  );
  const outcomes: StreamOutcome[] = [];
  const body = createSseBody(ReadableStream.from(pieces), {
    keepAliveMs: 60_000,
    onEnd: (outcome) => outcomes.push(outcome),
  });
  const writes = await Array.fromAsync(body);
  assert.deepEqual(writes, pieces);
  assert.deepEqual(outcomes, ["success"]);
});
