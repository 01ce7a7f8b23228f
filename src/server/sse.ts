/**
 * The SSE response body: the chunk bytes as they come, SSE comments as
 * keep-alives across long silences, and one call when the stream ends,
 * fails or is cancelled by the client (which cancels the upstream).
 *
 * @module
 */

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

/** Wrap SSE bytes with keep-alives and end tracking; pull-based, so backpressure holds. */
export function createSseBody(
  source: ReadableStream<Uint8Array>,
  options: SseBodyOptions = {},
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let pending: Promise<ReadableStreamReadResult<Uint8Array>> | undefined;
  let ended = false;
  const end = (outcome: StreamOutcome, error?: unknown) => {
    if (ended) return;
    ended = true;
    options.onEnd?.(outcome, error);
  };
  const keepAliveMs = options.keepAliveMs ?? 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      pending ??= reader.read();
      let result: ReadableStreamReadResult<Uint8Array> | "tick";
      try {
        if (keepAliveMs > 0) {
          let timer: ReturnType<typeof setTimeout> | undefined;
          const tick = new Promise<"tick">((resolve) => {
            timer = setTimeout(() => resolve("tick"), keepAliveMs);
          });
          try {
            result = await Promise.race([pending, tick]);
          } finally {
            clearTimeout(timer);
          }
        } else {
          result = await pending;
        }
      } catch (error) {
        end("failure", error);
        controller.error(error);
        return;
      }
      if (result === "tick") {
        controller.enqueue(KEEP_ALIVE);
        return;
      }
      pending = undefined;
      if (result.done) {
        end("success");
        controller.close();
      } else {
        controller.enqueue(result.value);
      }
    },
    cancel(reason) {
      end("cancelled", reason);
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
