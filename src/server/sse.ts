/**
 * The SSE response body: the chunk bytes as they come, SSE comments as
 * keep-alives across long silences, and one call when the stream ends,
 * fails or is cancelled by the client (which cancels the upstream).
 *
 * @module
 */

import { setImmediate } from "node:timers";

const KEEP_ALIVE = new TextEncoder().encode(": keep-alive\n\n");

/** Largest write a batch grows to. */
const BATCH_BYTES = 16 * 1024;
const NOT_READY = Symbol("not ready");
/** Microtask turns after which a read that has not resolved is waiting for I/O. */
const MEMORY_TURNS = 32;

/** Resolves after MEMORY_TURNS microtask turns: reads still pending by then need the network. */
function inMemoryOnly(): Promise<typeof NOT_READY> {
  let p: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < MEMORY_TURNS; i++) p = p.then();
  return p.then(() => NOT_READY);
}

function concat(parts: Uint8Array[], size: number): Uint8Array {
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

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
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
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
      // One write per batch: after the first chunk of a pull, take the chunks the pipeline
      // can produce without waiting for the network (up to BATCH_BYTES), so a burst of events
      // from one upstream read leaves in one write instead of one per event. The first pull
      // sends its chunk alone, for the time to first token.
      const parts: Uint8Array[] = [];
      let size = 0;
      let done = false;
      waiting = true;
      try {
        // Give the event loop a turn between writes: the HTTP server runs on this thread and
        // can send only when JavaScript yields, so without it a burst of events already in
        // memory would be processed to the end before the first byte leaves.
        if (firstSent) await new Promise<void>((resolve) => setImmediate(resolve));
        const first = await (pending ?? reader.read());
        pending = undefined;
        if (first.done) done = true;
        else {
          parts.push(first.value);
          size = first.value.byteLength;
          if (!firstSent) firstSent = true;
          else {
            const idle = inMemoryOnly();
            while (size < BATCH_BYTES) {
              const next = reader.read();
              const r = await Promise.race([next, idle]);
              if (r === NOT_READY) {
                pending = next;
                break;
              }
              if (r.done) {
                done = true;
                break;
              }
              parts.push(r.value);
              size += r.value.byteLength;
            }
          }
        }
      } catch (error) {
        waiting = false;
        if (parts.length > 0) controller.enqueue(concat(parts, size));
        end("failure", error);
        controller.error(error);
        return;
      }
      waiting = false;
      last = performance.now();
      if (parts.length > 0) controller.enqueue(concat(parts, size));
      if (done) {
        end("success");
        controller.close();
      }
    },
    cancel(reason) {
      end("cancelled", reason);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
