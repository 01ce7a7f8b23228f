/**
 * The SSE response body: the chunk bytes as they come, SSE comments as
 * keep-alives across long silences, and one call when the stream ends,
 * fails or is cancelled by the client (which cancels the upstream).
 * Batching happens upstream of here: each piece of the source (one batch of
 * chunks from `CompletionStream.toSSE()`) is one write.
 *
 * @module
 */

import { setImmediate } from "node:timers";

const KEEP_ALIVE = new TextEncoder().encode(": keep-alive\n\n");

/** How a streamed response ended. */
export type StreamOutcome = "success" | "failure" | "cancelled";

/** Options of {@linkcode createSseBody}. */
export interface SseBodyOptions {
  /** Send `: keep-alive` after this many ms without bytes (0 or absent: never). */
  keepAliveMs?: number;
  /** Called once when the stream ends. */
  onEnd?: (outcome: StreamOutcome, error?: unknown) => void;
}

/**
 * Wrap SSE bytes with keep-alives and end tracking; pull-based, so backpressure holds.
 * One keep-alive timer per stream, re-armed when it fires, rather than one per chunk.
 */
export function createSseBody(
  source: ReadableStream<Uint8Array>,
  options: SseBodyOptions = {},
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  const keepAliveMs = options.keepAliveMs ?? 0;
  let ended = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let last = performance.now();
  let waiting = false;
  let firstSent = false;
  const end = (outcome: StreamOutcome, error?: unknown) => {
    if (ended) return;
    ended = true;
    clearTimeout(timer);
    options.onEnd?.(outcome, error);
  };
  return new ReadableStream<Uint8Array>({
    start(controller) {
      if (keepAliveMs <= 0) return;
      const check = () => {
        if (ended) return;
        const idle = performance.now() - last;
        // Only while the client waits for bytes: a slow reader gets backpressure, not comments.
        if (waiting && idle >= keepAliveMs) {
          controller.enqueue(KEEP_ALIVE);
          last = performance.now();
        }
        timer = setTimeout(check, Math.max(1, keepAliveMs - (performance.now() - last)));
      };
      timer = setTimeout(check, keepAliveMs);
    },
    async pull(controller) {
      // One write per piece of the source: the chunks' stream already hands out every chunk
      // in memory as one batch, so a burst of events from one upstream read leaves in one write.
      let result: ReadableStreamReadResult<Uint8Array>;
      waiting = true;
      try {
        // Give the event loop a turn between writes: the HTTP server runs on this thread and
        // can send only when JavaScript yields, so without it a burst of events already in
        // memory would be processed to the end before the first byte leaves.
        if (firstSent) await new Promise<void>((resolve) => setImmediate(resolve));
        result = await reader.read();
      } catch (error) {
        waiting = false;
        end("failure", error);
        controller.error(error);
        return;
      }
      waiting = false;
      last = performance.now();
      if (result.done) {
        end("success");
        controller.close();
        return;
      }
      firstSent = true;
      controller.enqueue(result.value);
    },
    cancel(reason) {
      end("cancelled", reason);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
