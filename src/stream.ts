/**
 * {@linkcode CompletionStream}: what `completion({ stream: true })` returns.
 *
 * @module
 */

import type { ChatCompletionChunk, Usage } from "./types.ts";
import { LLMuxError } from "./errors.ts";
import { encodeSseBatch, encodeSseData, SSE_DONE } from "./_sse.ts";
import {
  batchesOf,
  type ChunkBatch,
  flattenBatches,
  FROM_BATCHES,
  iterateBatches,
  TAKE_BATCHES,
} from "./_batches.ts";

export { RAW_JSON, type RawChunk } from "./_batches.ts";

/** Metadata about the upstream call behind a stream. */
export interface StreamInfo {
  /** Provider id. */
  provider: string;
  /** The provider's model id. */
  model: string;
  /** Upstream headers worth passing on (rate limits, request id). */
  headers: Record<string, string>;
}

/**
 * A stream of OpenAI `chat.completion.chunk` objects. Iterate it with
 * `for await`, or turn it into SSE bytes with {@linkcode CompletionStream.toSSE}.
 * Breaking out of the loop, calling `cancel()`, or aborting the call's signal
 * cancels the upstream request.
 *
 * @example
 * ```ts
 * import { completion } from "../mod.ts";
 * const stream = await completion({
 *   model: "openai/gpt-4o",
 *   messages: [{ role: "user", content: "hi" }],
 *   stream: true,
 *   mock_response: "Hello there",
 * });
 * let text = "";
 * for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
 * console.assert(text === "Hello there");
 * ```
 */
export class CompletionStream implements AsyncIterable<ChatCompletionChunk> {
  #source: ChunkSource;
  #usage: () => Usage | undefined;
  #used = false;
  /** Where the stream comes from. */
  readonly info: StreamInfo;

  /**
   * Wrap a stream of chunks.
   *
   * @param stream The chunks.
   * @param options Upstream metadata and a getter of the usage seen so far.
   */
  constructor(
    stream: ReadableStream<ChatCompletionChunk>,
    options: { info: StreamInfo; usage?: () => Usage | undefined },
  ) {
    this.info = options.info;
    this.#source = { batched: false, stream };
    this.#usage = options.usage ?? (() => undefined);
  }

  /**
   * A stream over batches of chunks (internal: the pipeline and the router).
   *
   * @ignore
   */
  static [FROM_BATCHES](
    batches: ReadableStream<ChunkBatch>,
    options: { info: StreamInfo; usage?: () => Usage | undefined },
  ): CompletionStream {
    // The constructor's source is replaced before anything can read it.
    const out = new CompletionStream(
      batches as unknown as ReadableStream<ChatCompletionChunk>,
      options,
    );
    out.#source = { batched: true, stream: batches };
    return out;
  }

  /**
   * The usage reported by the provider (or estimated), complete once the
   * stream has ended, whether or not the caller asked for a usage chunk.
   */
  get usage(): Usage | undefined {
    return this.#usage();
  }

  #take(): ChunkSource {
    if (this.#used) throw new TypeError("CompletionStream can be consumed only once");
    this.#used = true;
    return this.#source;
  }

  /**
   * Consume the chunks as batches (internal: the router and `toSSE()`).
   *
   * @ignore
   */
  [TAKE_BATCHES](): ReadableStream<ChunkBatch> {
    const source = this.#take();
    return source.batched ? source.stream : batchesOf(source.stream);
  }

  /** Iterate the chunks; leaving the loop early cancels the upstream. */
  [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    const source = this.#take();
    return source.batched
      ? iterateBatches(source.stream)
      : source.stream.values()[Symbol.asyncIterator]();
  }

  /** The chunks as a `ReadableStream` (consumes this object). */
  toReadableStream(): ReadableStream<ChatCompletionChunk> {
    const source = this.#take();
    return source.batched ? flattenBatches(source.stream) : source.stream;
  }

  /** Stop the stream and cancel the upstream request. */
  async cancel(reason?: unknown): Promise<void> {
    if (this.#used) return;
    this.#used = true;
    await this.#source.stream.cancel(reason);
  }

  /**
   * OpenAI SSE bytes: `data: {chunk}\n\n` … `data: [DONE]\n\n`. An error
   * after the first byte is written as `data: {"error": {...}}\n\n` and the
   * stream ends without `[DONE]`. Cancelling the byte stream cancels upstream.
   */
  toSSE(): ReadableStream<Uint8Array> {
    return encodeSse(this[TAKE_BATCHES]());
  }
}

/** What a {@linkcode CompletionStream} reads: chunks one by one, or batches of them. */
type ChunkSource =
  | { batched: false; stream: ReadableStream<ChatCompletionChunk> }
  | { batched: true; stream: ReadableStream<ChunkBatch> };

/** The next piece of an OpenAI SSE body read from chunk batches. */
export interface SsePiece {
  /** Bytes to write: a batch's events, `data: [DONE]`, or the error event. */
  bytes: Uint8Array;
  /** Whether the body ends with them. */
  done: boolean;
  /** Set when the source failed (the bytes are its OpenAI error event, no `[DONE]`). */
  error?: { cause: unknown };
}

/**
 * Read the next piece of the OpenAI SSE body of a chat stream: one batch's
 * `data:` events, then `data: [DONE]`; a failure becomes an error event
 * that ends the body. Shared by `toSSE()` and the proxy's SSE body.
 */
export async function readSsePiece(
  reader: ReadableStreamDefaultReader<ChunkBatch>,
): Promise<SsePiece> {
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return { bytes: SSE_DONE, done: true };
      if (value.length > 0) return { bytes: encodeSseBatch(value), done: false };
    }
  } catch (cause) {
    return { bytes: encodeSseData(errorEventBody(cause)), done: true, error: { cause } };
  }
}

/** Batches → SSE bytes, one write per batch (see {@linkcode CompletionStream.toSSE}). */
function encodeSse(batches: ReadableStream<ChunkBatch>): ReadableStream<Uint8Array> {
  const reader = batches.getReader();
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (finished) return;
      const piece = await readSsePiece(reader);
      controller.enqueue(piece.bytes);
      if (piece.done) {
        finished = true;
        controller.close();
      }
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** The OpenAI-shaped body for an error that happened mid-stream. */
export function errorEventBody(error: unknown): object {
  if (error instanceof LLMuxError) return error.body;
  return {
    error: {
      message: error instanceof Error ? error.message : String(error),
      type: "api_error",
      param: null,
      code: null,
    },
  };
}
