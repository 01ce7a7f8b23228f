/**
 * Chunk batches: how the internal stream stages (pipeline → router failover →
 * SSE encoder) hand chunks to each other. One stream hop carries every chunk
 * already in memory as an array, instead of one hop (a pull and a promise)
 * per chunk per stage. Batches are never empty. Per-chunk consumers get the
 * batches flattened, and per-chunk sources are wrapped as batches of one.
 *
 * @module
 */

import type { ChatCompletionChunk } from "./types.ts";

/**
 * Chunks may carry their exact upstream JSON text under this symbol when no
 * translation touched them; the SSE encoder then writes it as it came.
 */
export const RAW_JSON: unique symbol = Symbol("llmux.rawJson");

/** A chunk that may remember its upstream JSON text. */
export type RawChunk = ChatCompletionChunk & { [RAW_JSON]?: string };

/** A non-empty run of chunks passed through a stream stage in one hop. */
export type ChunkBatch = RawChunk[];

/**
 * `CompletionStream[FROM_BATCHES](batches, options)`: a `CompletionStream`
 * over a stream of batches (the internal constructor).
 */
export const FROM_BATCHES: unique symbol = Symbol("llmux.fromBatches");

/** `stream[TAKE_BATCHES]()`: consume a `CompletionStream` as batches. */
export const TAKE_BATCHES: unique symbol = Symbol("llmux.takeBatches");

/** True for a chunk that carries something the caller will see. */
export function hasContent(chunk: ChatCompletionChunk): boolean {
  for (const choice of chunk.choices) {
    if (choice.finish_reason !== null && choice.finish_reason !== undefined) return true;
    const d = choice.delta as Record<string, unknown> | undefined;
    if (d === undefined) continue;
    if (typeof d.content === "string" && d.content !== "") return true;
    if (Array.isArray(d.tool_calls) && d.tool_calls.length > 0) return true;
    if (typeof d.refusal === "string" && d.refusal !== "") return true;
    if (typeof d.reasoning_content === "string" && d.reasoning_content !== "") return true;
    if (Array.isArray(d.thinking_blocks) && d.thinking_blocks.length > 0) return true;
    if (d.function_call !== undefined && d.function_call !== null) return true;
  }
  return false;
}

/** A per-chunk stream as batches of one (for streams built by user code or the mock). */
export function batchesOf(chunks: ReadableStream<ChatCompletionChunk>): ReadableStream<ChunkBatch> {
  const reader = chunks.getReader();
  return new ReadableStream<ChunkBatch>({
    async pull(controller) {
      const { value, done } = await reader.read();
      if (done) controller.close();
      else controller.enqueue([value]);
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

/**
 * Batches as a per-chunk stream. A batch's chunks are queued at once (they are
 * in memory already); the next batch is read only when the queue is empty.
 */
export function flattenBatches(
  batches: ReadableStream<ChunkBatch>,
): ReadableStream<ChatCompletionChunk> {
  const reader = batches.getReader();
  return new ReadableStream<ChatCompletionChunk>({
    async pull(controller) {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return controller.close();
        if (value.length === 0) continue;
        for (const chunk of value) controller.enqueue(chunk);
        return;
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}

/**
 * Iterate the chunks of a batch stream. Leaving the loop early (`break`,
 * `return`, a throw in its body) cancels the stream, as
 * `ReadableStream.values()` does.
 */
export function iterateBatches(
  batches: ReadableStream<ChunkBatch>,
): AsyncIterableIterator<ChatCompletionChunk> {
  return iterate(batches.getReader());
}

async function* iterate(
  reader: ReadableStreamDefaultReader<ChunkBatch>,
): AsyncGenerator<ChatCompletionChunk, void, undefined> {
  let open = true;
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      for (const chunk of value) yield chunk;
    }
    open = false;
  } catch (error) {
    open = false;
    throw error;
  } finally {
    if (open) await reader.cancel();
    reader.releaseLock();
  }
}
