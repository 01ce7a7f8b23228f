/**
 * Streaming failover: hold back an upstream stream until its first chunk
 * with content (text, tool-call or reasoning delta, refusal, or a finish
 * reason), so an error before that can still be retried or fall back with
 * nothing sent to the caller. After that, the held chunks and the rest of the
 * stream flow through unchanged, and a failure errors the stream with a typed
 * error (never a silent end). Both work on batches of chunks: the first
 * content is any chunk with content in a batch, and the batch holding it is
 * held whole.
 *
 * @module
 */

import { APIConnectionError, LLMuxError, TimeoutError } from "../errors.ts";
import { type ChunkBatch, hasContent, type RawChunk } from "../_batches.ts";

export { hasContent } from "../_batches.ts";

/** Where a stream comes from, for error messages. */
export interface StreamOrigin {
  /** Provider id. */
  provider: string;
  /** Model string. */
  model: string;
  /** The caller's signal: its abort reason is passed on untouched. */
  signal?: AbortSignal | undefined;
}

/**
 * A typed error for a stream failure: typed errors and the caller's abort
 * pass through; anything else (a reset connection) becomes an
 * {@linkcode APIConnectionError}.
 */
export function toStreamError(error: unknown, origin: StreamOrigin): unknown {
  if (error instanceof LLMuxError) return error;
  if (origin.signal?.aborted) return origin.signal.reason;
  const reason = error instanceof Error ? error.message : String(error);
  return new APIConnectionError(
    `Connection to provider "${origin.provider}" failed during the stream: ${reason}`,
    { provider: origin.provider, model: origin.model, cause: error },
  );
}

/** A stream held back until its first content. */
export interface PeekedStream {
  /** The chunks read so far (the last batch read has content unless the stream ended). */
  readonly buffered: RawChunk[];
  /** The reader of the rest. */
  readonly reader: ReadableStreamDefaultReader<ChunkBatch>;
  /** Whether the stream already ended. */
  readonly ended: boolean;
}

/**
 * Read batches until one with a chunk with content, the end of the stream, or
 * `timeoutMs` (then the upstream is cancelled and a {@linkcode TimeoutError}
 * thrown). Any failure cancels the upstream and throws a typed error.
 */
export async function peekFirstContent(
  stream: ReadableStream<ChunkBatch>,
  options: StreamOrigin & { timeoutMs?: number | undefined },
): Promise<PeekedStream> {
  const reader = stream.getReader();
  const buffered: RawChunk[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let timedOut = false;
  const timeout = options.timeoutMs !== undefined && options.timeoutMs > 0
    ? new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(
          new TimeoutError(
            `Stream from provider "${options.provider}" sent no content within ${options.timeoutMs} ms`,
            { provider: options.provider, model: options.model },
          ),
        );
      }, options.timeoutMs);
    })
    : undefined;
  timeout?.catch(() => {});
  try {
    for (;;) {
      const read = reader.read();
      const { value, done } = timeout === undefined
        ? await read
        : await Promise.race([read, timeout]);
      if (done) return { buffered, reader, ended: true };
      let content = false;
      for (const chunk of value) {
        buffered.push(chunk);
        content ||= hasContent(chunk);
      }
      if (content) return { buffered, reader, ended: false };
    }
  } catch (error) {
    const typed = toStreamError(error, options);
    reader.cancel(timedOut ? typed : error).catch(() => {});
    throw typed;
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** What {@linkcode createFailoverStream} reports when the stream is over. */
export interface StreamEndHooks {
  /** The stream ended cleanly. */
  onEnd(): void;
  /** The stream failed after its first content (the typed error). */
  onError(error: unknown): void;
  /** The caller cancelled it. */
  onCancel(reason: unknown): void;
}

/**
 * The caller's stream: the held-back chunks (one batch), then the rest of the
 * upstream's batches. Pull-based with no buffering of its own, so backpressure
 * and cancellation reach the upstream; a failure errors this stream with a
 * typed error.
 */
export function createFailoverStream(
  peeked: PeekedStream,
  origin: StreamOrigin,
  hooks: StreamEndHooks,
): ReadableStream<ChunkBatch> {
  const { reader } = peeked;
  let held: ChunkBatch | undefined = peeked.buffered.length > 0 ? peeked.buffered : undefined;
  let ended = peeked.ended;
  let settled = false;
  const settle = (fn: () => void) => {
    if (settled) return;
    settled = true;
    fn();
  };
  return new ReadableStream<ChunkBatch>({
    async pull(controller) {
      if (held !== undefined) {
        controller.enqueue(held);
        held = undefined;
        return;
      }
      if (ended) {
        settle(() => hooks.onEnd());
        controller.close();
        return;
      }
      try {
        const { value, done } = await reader.read();
        if (done) {
          ended = true;
          settle(() => hooks.onEnd());
          controller.close();
        } else {
          controller.enqueue(value);
        }
      } catch (error) {
        const typed = toStreamError(error, origin);
        settle(() => hooks.onError(typed));
        controller.error(typed);
      }
    },
    cancel(reason) {
      settle(() => hooks.onCancel(reason));
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
