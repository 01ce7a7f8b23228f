/**
 * {@linkcode CompletionStream}: what `completion({ stream: true })` returns.
 *
 * @module
 */

import type { ChatCompletionChunk, Usage } from "./types.ts";
import { LLMuxError } from "./errors.ts";
import { encodeSseData, encodeSseText, SSE_DONE } from "./_sse.ts";

/**
 * Chunks may carry their exact upstream JSON text under this symbol when no
 * translation touched them; the SSE encoder then writes it as it came.
 */
export const RAW_JSON: unique symbol = Symbol("llmux.rawJson");

/** A chunk that may remember its upstream JSON text. */
export type RawChunk = ChatCompletionChunk & { [RAW_JSON]?: string };

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
  #stream: ReadableStream<RawChunk>;
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
    this.#stream = stream;
    this.#usage = options.usage ?? (() => undefined);
  }

  /**
   * The usage reported by the provider (or estimated), complete once the
   * stream has ended, whether or not the caller asked for a usage chunk.
   */
  get usage(): Usage | undefined {
    return this.#usage();
  }

  #take(): ReadableStream<RawChunk> {
    if (this.#used) throw new TypeError("CompletionStream can be consumed only once");
    this.#used = true;
    return this.#stream;
  }

  /** Iterate the chunks; leaving the loop early cancels the upstream. */
  [Symbol.asyncIterator](): AsyncIterator<ChatCompletionChunk> {
    return this.#take().values()[Symbol.asyncIterator]();
  }

  /** The chunks as a `ReadableStream` (consumes this object). */
  toReadableStream(): ReadableStream<ChatCompletionChunk> {
    return this.#take();
  }

  /** Stop the stream and cancel the upstream request. */
  async cancel(reason?: unknown): Promise<void> {
    if (this.#used) return;
    this.#used = true;
    await this.#stream.cancel(reason);
  }

  /**
   * OpenAI SSE bytes: `data: {chunk}\n\n` … `data: [DONE]\n\n`. An error
   * after the first byte is written as `data: {"error": {...}}\n\n` and the
   * stream ends without `[DONE]`. Cancelling the byte stream cancels upstream.
   */
  toSSE(): ReadableStream<Uint8Array> {
    const reader = this.#take().getReader();
    let finished = false;
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (finished) return;
        try {
          const { value, done } = await reader.read();
          if (done) {
            finished = true;
            controller.enqueue(SSE_DONE);
            controller.close();
            return;
          }
          const raw = value[RAW_JSON];
          controller.enqueue(raw === undefined ? encodeSseData(value) : encodeSseText(raw));
        } catch (error) {
          finished = true;
          controller.enqueue(encodeSseData(errorEventBody(error)));
          controller.close();
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    }, { highWaterMark: 0 });
  }
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
