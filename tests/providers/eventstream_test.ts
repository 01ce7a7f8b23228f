/**
 * `application/vnd.amazon.eventstream` decoding: AWS's event-stream test
 * vectors, Bedrock-shaped frames, splits at every byte boundary, and
 * damaged input (bad CRCs, impossible lengths, truncation) failing with
 * APIConnectionError without emitting anything from the damaged frame.
 */

import assert from "node:assert/strict";
import { APIConnectionError } from "../../mod.ts";
import type { StreamEvent } from "../../src/providers/types.ts";
import {
  createEventStreamCodec,
  createEventStreamParser,
  type EventStreamMessage,
  toStreamEvent,
} from "../../src/providers/bedrock/eventstream.ts";
import { concatBytes, encodeFrames, loadStreamFrames } from "../fakes/bedrock.ts";
import { randomSizes, rechunk } from "../_fixtures.ts";

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(hex.match(/../g)!.map((b) => parseInt(b, 16)));
}

function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Feed pieces to a fresh parser; the events, or the error it threw and the events before it. */
function parse(pieces: readonly Uint8Array[]): { events: StreamEvent[]; error?: unknown } {
  const parser = createEventStreamParser({ model: "bedrock/m" });
  const events: StreamEvent[] = [];
  const emit = (e: StreamEvent) => events.push(e);
  try {
    for (const p of pieces) parser.push(p, emit);
    parser.end(emit);
  } catch (error) {
    return { events, error };
  }
  return { events };
}

// AWS event-stream test suite (positive vectors).
const EMPTY_MESSAGE = "000000100000000005c248eb7d98c8ff";
const ONE_STRING_HEADER =
  "0000003d0000002007fd83960c636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e7b27666f6f273a27626172277d8d9c08b1";
// Bedrock-shaped frames built by the same rules (decodable by botocore).
const BEDROCK_DELTA =
  "0000009400000057b4ab9aee0b3a6576656e742d74797065070011636f6e74656e74426c6f636b44656c74610d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b22636f6e74656e74426c6f636b496e646578223a302c2264656c7461223a7b2274657874223a224869227d7d1f944657";
const BEDROCK_THROTTLING =
  "00000090000000618e91a9b70f3a657863657074696f6e2d747970650700137468726f74746c696e67457863657074696f6e0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d74797065070009657863657074696f6e7b226d657373616765223a22546f6f206d616e79207265717565737473227de67f8005";

Deno.test("the codec decodes AWS's event-stream test vectors", () => {
  const codec = createEventStreamCodec();
  const empty = codec.decode(fromHex(EMPTY_MESSAGE)) as EventStreamMessage;
  assert.deepEqual(empty.headers, {});
  assert.equal(empty.body.length, 0);
  const one = codec.decode(fromHex(ONE_STRING_HEADER)) as EventStreamMessage;
  assert.deepEqual(one.headers, { "content-type": { type: "string", value: "application/json" } });
  assert.equal(new TextDecoder().decode(one.body), "{'foo':'bar'}");
  // Frames without an event type are skipped, not emitted.
  assert.deepEqual(parse([fromHex(EMPTY_MESSAGE), fromHex(ONE_STRING_HEADER)]), { events: [] });
});

Deno.test("the parser decodes Bedrock event and exception frames", () => {
  const { events, error } = parse([fromHex(BEDROCK_DELTA + BEDROCK_THROTTLING)]);
  assert.equal(error, undefined);
  assert.deepEqual(events, [
    { event: "contentBlockDelta", data: '{"contentBlockIndex":0,"delta":{"text":"Hi"}}' },
    { event: "throttlingException", data: '{"message":"Too many requests"}' },
  ]);
});

Deno.test("encodeFrames() (the fake's encoder) produces the reference bytes", () => {
  const [delta, exception] = encodeFrames([
    { event: "contentBlockDelta", payload: { contentBlockIndex: 0, delta: { text: "Hi" } } },
    { exception: "throttlingException", payload: { message: "Too many requests" } },
  ]);
  assert.equal(toHex(delta), BEDROCK_DELTA);
  assert.equal(toHex(exception), BEDROCK_THROTTLING);
});

Deno.test("toStreamEvent() turns error frames into an 'error' event", () => {
  const str = (value: string) => ({ type: "string", value });
  assert.deepEqual(
    toStreamEvent({
      headers: {
        ":message-type": str("error"),
        ":error-code": str("InternalFailure"),
        ":error-message": str("boom"),
      },
      body: new Uint8Array(),
    }),
    { event: "error", data: '{"code":"InternalFailure","message":"boom"}' },
  );
});

async function multiFrameFixture(): Promise<{ bytes: Uint8Array; expected: StreamEvent[] }> {
  const frames = [...await loadStreamFrames("tool_use"), ...await loadStreamFrames("reasoning")];
  const bytes = concatBytes(frames);
  const { events, error } = parse([bytes]);
  assert.equal(error, undefined);
  assert.equal(events.length, frames.length);
  return { bytes, expected: events };
}

Deno.test("a multi-frame stream split at every byte boundary decodes the same", async () => {
  const { bytes, expected } = await multiFrameFixture();
  assert.ok(bytes.length > 2000);
  for (let at = 0; at <= bytes.length; at++) {
    const { events, error } = parse([bytes.subarray(0, at), bytes.subarray(at)]);
    assert.equal(error, undefined, `split at ${at}`);
    assert.deepEqual(events, expected, `split at ${at}`);
  }
});

Deno.test("a multi-frame stream decodes the same one byte at a time and in random pieces", async () => {
  const { bytes, expected } = await multiFrameFixture();
  assert.deepEqual(parse(rechunk(bytes, [1])), { events: expected });
  for (let seed = 1; seed <= 25; seed++) {
    assert.deepEqual(parse(rechunk(bytes, randomSizes(seed, 64, 300))), { events: expected });
  }
  // Pieces spanning several frames, and three-way splits around every frame boundary.
  assert.deepEqual(parse(rechunk(bytes, [1000, 7, 1])), { events: expected });
});

function assertCorrupt(result: { events: StreamEvent[]; error?: unknown }, pattern: RegExp): void {
  assert.ok(result.error instanceof APIConnectionError, String(result.error));
  assert.equal(result.error.provider, "bedrock");
  assert.match(result.error.message, pattern);
}

Deno.test("a bad message CRC anywhere fails the stream and emits nothing from that frame", async () => {
  const frames = await loadStreamFrames("text");
  for (let byte = 0; byte < 4; byte++) {
    const damaged = frames.map((f) => f.slice());
    const target = damaged[2];
    target[target.length - 1 - byte] ^= 0x40;
    const result = parse([concatBytes(damaged)]);
    assertCorrupt(result, /corrupt event-stream frame: The message checksum/);
    assert.equal(result.events.length, 2, "the two intact frames before it only");
  }
});

Deno.test("a damaged payload byte is caught by the message CRC, split anywhere", async () => {
  const frames = await loadStreamFrames("text");
  const damaged = frames.map((f) => f.slice());
  damaged[1][damaged[1].length - 10] ^= 0x01; // inside the JSON payload
  const bytes = concatBytes(damaged);
  for (const sizes of [[1], [5], [97], [bytes.length]]) {
    const result = parse(rechunk(bytes, sizes));
    assertCorrupt(result, /message checksum/);
    assert.equal(result.events.length, 1);
  }
});

Deno.test("a bad prelude CRC fails at once, before waiting for the frame's bytes", async () => {
  const frames = await loadStreamFrames("text");
  const damaged = frames[1].slice();
  damaged[2] ^= 0x7f; // the total length: now ~8 MB, a stall if it were trusted
  const result = parse([frames[0], damaged.subarray(0, 12)]);
  assertCorrupt(result, /prelude CRC32 mismatch/);
  assert.equal(result.events.length, 1);
  const crcOnly = frames[1].slice();
  crcOnly[9] ^= 0x01;
  assertCorrupt(parse([crcOnly]), /prelude checksum/);
  assertCorrupt(parse([crcOnly.subarray(0, 20)]), /prelude CRC32 mismatch/);
});

Deno.test("the codec itself enforces both CRCs", async () => {
  const codec = createEventStreamCodec();
  const [frame] = await loadStreamFrames("text");
  const prelude = frame.slice();
  prelude[8] ^= 1;
  assert.throws(() => codec.decode(prelude), /prelude checksum/);
  const message = frame.slice();
  message[message.length - 1] ^= 1;
  assert.throws(() => codec.decode(message), /message checksum/);
});

Deno.test("impossible lengths fail with APIConnectionError", () => {
  // Preludes with a correct prelude CRC but lengths no frame can have.
  assertCorrupt(parse([encodeWithPrelude(12)]), /impossible frame length 12/);
  assertCorrupt(parse([encodeWithPrelude(32 * 1024 * 1024)]), /impossible frame length/);
  assertCorrupt(parse([encodeWithPrelude(32, 64)]), /impossible headers length 64/);
});

/** 12 prelude bytes with a correct prelude CRC for the given lengths. */
function encodeWithPrelude(total: number, headers = 0): Uint8Array {
  const out = new Uint8Array(12);
  const view = new DataView(out.buffer);
  view.setUint32(0, total);
  view.setUint32(4, headers);
  view.setUint32(8, crc32(out.subarray(0, 8)));
  return out;
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

Deno.test("a stream that ends inside a frame fails at end() with APIConnectionError", async () => {
  const frames = await loadStreamFrames("text");
  const bytes = concatBytes(frames.slice(0, 3));
  for (const keep of [1, 4, 11, 12, 30, frames[3].length - 1]) {
    const result = parse([bytes, frames[3].subarray(0, keep)]);
    assertCorrupt(result, /ended inside a frame \(\d+ of (\d+|\?) bytes received\)/);
    assert.equal(result.events.length, 3);
  }
});

Deno.test("a failed parser keeps failing", async () => {
  const frames = await loadStreamFrames("text");
  const bad = frames[0].slice();
  bad[bad.length - 1] ^= 1;
  const parser = createEventStreamParser();
  const emit = () => {};
  assert.throws(() => parser.push(bad, emit), APIConnectionError);
  assert.throws(() => parser.push(frames[1], emit), APIConnectionError);
  assert.throws(() => parser.end(emit), APIConnectionError);
});

Deno.test("the parser keeps no state between streams and accepts empty reads", async () => {
  const frames = await loadStreamFrames("text");
  const parser = createEventStreamParser();
  const events: StreamEvent[] = [];
  parser.push(new Uint8Array(), (e) => events.push(e));
  parser.push(frames[0], (e) => events.push(e));
  parser.end((e) => events.push(e));
  assert.equal(events.length, 1);
  assert.equal(events[0].event, "messageStart");
});
