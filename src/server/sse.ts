/**
 * The SSE response body: the chunk bytes as they come, SSE comments as
 * keep-alives across long silences, and one call when the stream ends,
 * fails or is cancelled by the client (which cancels the upstream).
 * Batching happens upstream of here: each piece of the source (one batch of
 * chunks) is one write.
 *
 * @module
 */

import { setImmediate } from "node:timers";
import type { ChunkBatch } from "../_batches.ts";
import { readSsePiece } from "../stream.ts";

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

/** One piece of a body: bytes to write, and whether that was the end. */
interface Piece {
  bytes: Uint8Array | undefined;
  done: boolean;
  /** The body ends with these bytes because the source failed. */
  error?: { cause: unknown };
}

/**
 * The body around a source of pieces: keep-alives (one timer per stream,
 * re-armed when it fires, only while the client waits for bytes), a turn of
 * the event loop between writes, and `onEnd` once. Pull-based, so
 * backpressure holds.
 */
function sseBody(
  next: () => Promise<Piece>,
  cancelSource: (reason: unknown) => Promise<void>,
  options: SseBodyOptions,
): ReadableStream<Uint8Array> {
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
      let piece: Piece;
      waiting = true;
      try {
        // Give the event loop a turn between writes: the HTTP server runs on this thread and
        // can send only when JavaScript yields, so without it a burst of events already in
        // memory would be processed to the end before the first byte leaves.
        if (firstSent) await new Promise<void>((resolve) => setImmediate(resolve));
        piece = await next();
      } catch (error) {
        waiting = false;
        end("failure", error);
        controller.error(error);
        return;
      }
      waiting = false;
      last = performance.now();
      if (piece.bytes !== undefined) {
        firstSent = true;
        controller.enqueue(piece.bytes);
      }
      if (piece.done) {
        if (piece.error) end("failure", piece.error.cause);
        else end("success");
        controller.close();
      }
    },
    cancel(reason) {
      end("cancelled", reason);
      return cancelSource(reason);
    },
  }, { highWaterMark: 0 });
}

/**
 * Wrap SSE bytes with keep-alives and end tracking; pull-based, so backpressure holds.
 * A failing source errors the body (the connection breaks) and ends as `"failure"`.
 */
export function createSseBody(
  source: ReadableStream<Uint8Array>,
  options: SseBodyOptions = {},
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  return sseBody(
    async () => {
      const { value, done } = await reader.read();
      return { bytes: value, done };
    },
    (reason) => reader.cancel(reason),
    options,
  );
}

/**
 * The OpenAI SSE body of a chat stream, straight from its chunk batches (one
 * stream stage instead of `CompletionStream.toSSE()` plus
 * {@linkcode createSseBody}): one write per batch, `data: [DONE]` at the
 * end. A failure after the first byte is written as an OpenAI error event
 * and ends the body without `[DONE]`, reported as `"failure"`.
 */
export function createChatSseBody(
  batches: ReadableStream<ChunkBatch>,
  options: SseBodyOptions = {},
): ReadableStream<Uint8Array> {
  const reader = batches.getReader();
  return sseBody(
    () => readSsePiece(reader),
    (reason) => reader.cancel(reason),
    options,
  );
}
