/**
 * Reading an upstream body without a fresh buffer per read. A `fetch()`
 * body is a byte stream whose default reader allocates a 64 KiB buffer for
 * every read, however few bytes arrive: for an LLM stream, one small event
 * per read, that is most of the CPU and memory a proxied chunk costs. A BYOB
 * reader reads into a buffer of our size instead, and reuses it when the
 * caller is done with each read's bytes before the next.
 *
 * @module
 */

/** A reader of a byte stream. */
export interface ByteReader {
  /**
   * The next bytes. With `reuse`, the bytes live in a buffer the next
   * `read()` overwrites: use them (decode, copy) before calling it again.
   */
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  /** Cancel the stream. */
  cancel(reason?: unknown): Promise<void>;
}

/** Options of {@linkcode createByteReader}. */
export interface ByteReaderOptions {
  /** Bytes per read at most (default 16 KiB). */
  bufferSize?: number;
  /** Read every time into the same buffer (default false). */
  reuse?: boolean;
}

/**
 * A reader of `body`: BYOB with buffers of `bufferSize` when `body` is a
 * byte stream (a `fetch()` body), else its default reader.
 */
export function createByteReader(
  body: ReadableStream<Uint8Array>,
  options: ByteReaderOptions = {},
): ByteReader {
  const size = options.bufferSize ?? 16 * 1024;
  let byob: ReadableStreamBYOBReader;
  try {
    byob = body.getReader({ mode: "byob" });
  } catch {
    // Not a byte stream (built in code): its chunks are already allocated.
    const reader = body.getReader();
    return { read: () => reader.read(), cancel: (reason) => reader.cancel(reason) };
  }
  // The buffer comes back (transferred) with each read's result.
  let spare: ArrayBuffer | undefined;
  return {
    async read() {
      const view = options.reuse && spare ? new Uint8Array(spare) : new Uint8Array(size);
      spare = undefined;
      const result = await byob.read(view);
      if (result.value) spare = result.value.buffer as ArrayBuffer;
      if (result.done) return { done: true, value: undefined };
      return { done: false, value: result.value };
    },
    cancel: (reason) => byob.cancel(reason),
  };
}
