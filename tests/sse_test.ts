import assert from "node:assert/strict";
import {
  createNdjsonDecoder,
  createSseDecoder,
  encodeSseData,
  encodeSseText,
  SSE_DONE,
} from "../src/_sse.ts";
import type { StreamEvent } from "../src/providers/types.ts";
import { collect, randomSizes, rechunk } from "./_fixtures.ts";

const ENCODER = new TextEncoder();

/** Bytes → TextDecoderStream → decoder → events. */
function decodeBytes(
  pieces: readonly Uint8Array[],
  decoder: () => TransformStream<string, StreamEvent>,
): Promise<StreamEvent[]> {
  return collect(
    ReadableStream.from(pieces).pipeThrough(new TextDecoderStream()).pipeThrough(decoder()),
  );
}

/** Strings straight into the decoder (to control exactly where text splits). */
function decodeText(
  pieces: readonly string[],
  decoder: () => TransformStream<string, StreamEvent>,
): Promise<StreamEvent[]> {
  return collect(ReadableStream.from(pieces).pipeThrough(decoder()));
}

const SSE_LINES = [
  ": this is a comment",
  "event: message_start",
  'data: {"type":"message_start","n":1}',
  "",
  "data: first line",
  "data: second line",
  "data:",
  "data: fourth after an empty one",
  "",
  "id: 7",
  "retry: 1000",
  "data:no-space-after-colon",
  "",
  ": keep-alive",
  "",
  "data:  two leading spaces",
  "",
  "data: héllo wörld 🌍 — 日本語",
  "",
  "event: ping",
  "data:",
  "",
  "event: only-a-name",
  "",
  "data: [DONE]",
  "",
  "",
];

const SSE_EVENTS: StreamEvent[] = [
  { event: "message_start", data: '{"type":"message_start","n":1}' },
  { data: "first line\nsecond line\n\nfourth after an empty one" },
  { data: "no-space-after-colon" },
  { data: " two leading spaces" },
  { data: "héllo wörld 🌍 — 日本語" },
  { event: "ping", data: "" },
  { data: "[DONE]" },
];

const LINE_ENDINGS: [string, string][] = [["\\n", "\n"], ["\\r\\n", "\r\n"], ["\\r", "\r"]];

for (const [label, eol] of LINE_ENDINGS) {
  const text = SSE_LINES.join(eol);
  const bytes = ENCODER.encode(text);

  Deno.test(`createSseDecoder() with ${label}: whole input`, async () => {
    assert.deepEqual(await decodeBytes([bytes], createSseDecoder), SSE_EVENTS);
  });

  Deno.test(`createSseDecoder() with ${label}: split at every byte boundary`, async () => {
    for (let i = 0; i <= bytes.length; i++) {
      const events = await decodeBytes([bytes.slice(0, i), bytes.slice(i)], createSseDecoder);
      assert.deepEqual(events, SSE_EVENTS, `split at byte ${i}`);
    }
  });

  Deno.test(`createSseDecoder() with ${label}: one byte at a time and seeded random pieces`, async () => {
    assert.deepEqual(await decodeBytes(rechunk(bytes, [1]), createSseDecoder), SSE_EVENTS);
    for (const seed of [1, 2, 3, 42, 1234]) {
      const pieces = rechunk(bytes, randomSizes(seed, 200, 13));
      assert.deepEqual(await decodeBytes(pieces, createSseDecoder), SSE_EVENTS, `seed ${seed}`);
    }
  });

  Deno.test(`createSseDecoder() with ${label}: text split at every character`, async () => {
    for (let i = 0; i <= text.length; i++) {
      const events = await decodeText([text.slice(0, i), "", text.slice(i)], createSseDecoder);
      assert.deepEqual(events, SSE_EVENTS, `split at char ${i}`);
    }
  });
}

Deno.test("createSseDecoder(): mixed line endings in one stream", async () => {
  const text = "data: a\r\ndata: b\n\rdata: c\r\r\nevent: e\ndata: d\r\n\r\n";
  assert.deepEqual(await decodeText([text], createSseDecoder), [
    { data: "a\nb" },
    { data: "c" },
    { event: "e", data: "d" },
  ]);
});

Deno.test("createSseDecoder(): a CR at the end of one read and LF at the start of the next", async () => {
  const events = await decodeText(["data: a\r", "\ndata: b\r", "\n\r", "\n"], createSseDecoder);
  assert.deepEqual(events, [{ data: "a\nb" }]);
});

Deno.test("createSseDecoder(): an event without its blank line is still delivered at the end", async () => {
  assert.deepEqual(await decodeText(["data: tail"], createSseDecoder), [{ data: "tail" }]);
  assert.deepEqual(await decodeText(["data: tail\n"], createSseDecoder), [{ data: "tail" }]);
  assert.deepEqual(await decodeText([": only a comment"], createSseDecoder), []);
  assert.deepEqual(await decodeText([], createSseDecoder), []);
});

Deno.test("createSseDecoder(): multi-byte UTF-8 straddling reads", async () => {
  const text = "data: 🌍🌍 ünïcödé 日本\n\n";
  const bytes = ENCODER.encode(text);
  const globe = ENCODER.encode("data: ").length; // the 4-byte globe starts here
  for (const cut of [globe + 1, globe + 2, globe + 3, globe + 5]) {
    const events = await decodeBytes([bytes.slice(0, cut), bytes.slice(cut)], createSseDecoder);
    assert.deepEqual(events, [{ data: "🌍🌍 ünïcödé 日本" }], `cut at ${cut}`);
  }
  const events = await decodeBytes(rechunk(bytes, [1]), createSseDecoder);
  assert.deepEqual(events, [{ data: "🌍🌍 ünïcödé 日本" }]);
});

Deno.test("createSseDecoder(): a leading byte-order mark is ignored", async () => {
  const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...ENCODER.encode("data: x\n\n")]);
  assert.deepEqual(await decodeBytes([bytes], createSseDecoder), [{ data: "x" }]);
});

// ---------------------------------------------------------------------------
// NDJSON

const NDJSON_TEXT = [
  '{"model":"llama3","message":{"content":"Hé"},"done":false}',
  "",
  '{"model":"llama3","message":{"content":"llo 🌍"},"done":false}',
  '  {"model":"llama3","done":true,"eval_count":3}  ',
  "",
].join("\n");

const NDJSON_EVENTS: StreamEvent[] = [
  { data: '{"model":"llama3","message":{"content":"Hé"},"done":false}' },
  { data: '{"model":"llama3","message":{"content":"llo 🌍"},"done":false}' },
  { data: '{"model":"llama3","done":true,"eval_count":3}' },
];

for (const [label, eol] of LINE_ENDINGS.slice(0, 2)) {
  const bytes = ENCODER.encode(NDJSON_TEXT.replaceAll("\n", eol));

  Deno.test(`createNdjsonDecoder() with ${label}: whole, every byte boundary, random pieces`, async () => {
    assert.deepEqual(await decodeBytes([bytes], createNdjsonDecoder), NDJSON_EVENTS);
    for (let i = 0; i <= bytes.length; i++) {
      const events = await decodeBytes([bytes.slice(0, i), bytes.slice(i)], createNdjsonDecoder);
      assert.deepEqual(events, NDJSON_EVENTS, `split at byte ${i}`);
    }
    assert.deepEqual(await decodeBytes(rechunk(bytes, [1]), createNdjsonDecoder), NDJSON_EVENTS);
    for (const seed of [7, 99]) {
      const pieces = rechunk(bytes, randomSizes(seed, 100, 11));
      assert.deepEqual(await decodeBytes(pieces, createNdjsonDecoder), NDJSON_EVENTS);
    }
  });
}

Deno.test("createNdjsonDecoder(): a last line without a newline is delivered", async () => {
  assert.deepEqual(await decodeText(['{"a":1}\n{"b"', ":2}"], createNdjsonDecoder), [
    { data: '{"a":1}' },
    { data: '{"b":2}' },
  ]);
});

// ---------------------------------------------------------------------------
// Encoding

Deno.test("encodeSseData(), encodeSseText() and SSE_DONE write OpenAI's framing", () => {
  const decoder = new TextDecoder();
  assert.equal(decoder.decode(encodeSseData({ a: "é" })), 'data: {"a":"é"}\n\n');
  assert.equal(decoder.decode(encodeSseText('{"raw": true}')), 'data: {"raw": true}\n\n');
  assert.equal(decoder.decode(SSE_DONE), "data: [DONE]\n\n");
});

Deno.test("encoded events decode back to the same data", async () => {
  const values = [{ a: 1 }, { text: "line\nbreak" }, { emoji: "🌍" }];
  const bytes = values.map((v) => encodeSseData(v));
  const events = await decodeBytes([...bytes, SSE_DONE], createSseDecoder);
  assert.deepEqual(events.map((e) => e.data), [...values.map((v) => JSON.stringify(v)), "[DONE]"]);
});
