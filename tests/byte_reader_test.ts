/**
 * `createByteReader`: BYOB reads of a byte stream (a real `fetch()` body)
 * into buffers of a fixed size, reused when asked; other streams are read
 * as they are.
 */

import assert from "node:assert/strict";
import { createByteReader } from "../src/_byte_reader.ts";

function byteStream(parts: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    type: "bytes",
    pull(controller) {
      if (i === parts.length) {
        controller.close();
        // A BYOB read pending at the close is answered with zero bytes.
        controller.byobRequest?.respond(0);
        return;
      }
      controller.enqueue(parts[i++]);
    },
  });
}

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

Deno.test("createByteReader: a byte stream is read in pieces of at most bufferSize bytes", async () => {
  const reader = createByteReader(
    byteStream([new TextEncoder().encode("0123456789"), new TextEncoder().encode("abc")]),
    { bufferSize: 4 },
  );
  const seen: string[] = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    assert.ok(value.byteLength <= 4);
    seen.push(text(value));
  }
  assert.equal(seen.join(""), "0123456789abc");
});

Deno.test("createByteReader: with reuse, every read lands in the same buffer", async () => {
  const parts = ["data: a\n\n", "data: b\n\n", "data: c\n\n"].map((s) =>
    new TextEncoder().encode(s)
  );
  const reader = createByteReader(byteStream(parts), { bufferSize: 64, reuse: true });
  let out = "";
  let first: ArrayBuffer | undefined;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    out += text(value);
    first ??= value.buffer as ArrayBuffer;
    assert.equal(value.buffer.byteLength, 64);
  }
  assert.equal(out, "data: a\n\ndata: b\n\ndata: c\n\n");
  assert.ok(first?.detached, "the buffer was handed on to the next read");
});

Deno.test("createByteReader: a plain stream is read chunk by chunk; cancel reaches the source", async () => {
  let cancelled: unknown;
  const reader = createByteReader(
    new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(new Uint8Array([1, 2, 3]));
      },
      cancel(reason) {
        cancelled = reason;
      },
    }),
  );
  const { value } = await reader.read();
  assert.deepEqual([...value!], [1, 2, 3]);
  await reader.cancel("bye");
  assert.equal(cancelled, "bye");
});

Deno.test("createByteReader: a fetch() body is read with BYOB and cancel reaches the server", async () => {
  const { promise: cancelled, resolve } = Promise.withResolvers<void>();
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    () =>
      new Response(
        new ReadableStream({
          start(c) {
            c.enqueue(new TextEncoder().encode("x".repeat(40_000)));
          },
          cancel: () => resolve(),
        }),
      ),
  );
  const res = await fetch(`http://127.0.0.1:${server.addr.port}/`);
  const reader = createByteReader(res.body!, { bufferSize: 1024, reuse: true });
  let total = 0;
  while (total < 40_000) {
    const { value, done } = await reader.read();
    assert.ok(!done);
    assert.ok(value.byteLength <= 1024);
    assert.equal(value.buffer.byteLength, 1024);
    total += value.byteLength;
  }
  await reader.cancel();
  await cancelled;
});
