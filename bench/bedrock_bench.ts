/**
 * Bedrock hot paths: SigV4 signing per request (target ≤ 50 µs) and
 * `application/vnd.amazon.eventstream` decoding throughput (target
 * ≥ 100 MB/s), plus the whole stream path (frames → OpenAI chunks).
 *
 * Throughput = the stream's size (in the bench name) / time per iteration.
 *
 * @module
 */

import { AwsV4Signer } from "aws4fetch";
import { EventStreamCodec } from "@smithy/eventstream-codec";
import { chatWithTools } from "./_fixtures.ts";
import { signAwsRequest, SigningKeyCache } from "../src/providers/bedrock/sigv4.ts";
import { createEventStreamParser } from "../src/providers/bedrock/eventstream.ts";
import { bedrockAdapter } from "../src/providers/bedrock/mod.ts";
import { toBedrockRequest } from "../src/providers/bedrock/convert_request.ts";
import type { RequestContext, StreamEvent } from "../src/providers/types.ts";

const CREDENTIALS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
  sessionToken: "IQoJb3JpZ2luX2VjEXAMPLEsessionTOKENvalue0123456789abcdefghijklmnop",
};
const MODEL = "anthropic.claude-3-haiku-20240307-v1:0";
const CTX: RequestContext = {
  provider: "bedrock",
  model: MODEL,
  requestedModel: `bedrock/${MODEL}`,
  apiKey: undefined,
  apiBase: "",
  apiVersion: undefined,
  extraHeaders: {},
  stream: true,
  includeUsage: false,
  providerOptions: { aws_region_name: "us-east-1" },
  env: () => undefined,
  now: () => 1730000000000,
  generateId: () => "bench",
};

// A realistic request: the 20-message chat with tools, as Converse JSON (~3 KB).
const BODY = JSON.stringify(toBedrockRequest(chatWithTools(`bedrock/${MODEL}`), CTX));
const URL_ = `https://bedrock-runtime.us-east-1.amazonaws.com/model/${
  encodeURIComponent(MODEL)
}/converse-stream`;
const HEADERS = {
  "content-type": "application/json",
  accept: "application/vnd.amazon.eventstream",
};
const keys = new SigningKeyCache();

Deno.bench({
  name: `sigv4: sign a Converse request (${BODY.length} B body, cached signing key)`,
  group: "sigv4",
  baseline: true,
  async fn() {
    await signAwsRequest(
      { method: "POST", url: URL_, headers: HEADERS, body: BODY },
      { credentials: CREDENTIALS, region: "us-east-1", service: "bedrock", keyCache: keys },
    );
  },
});

Deno.bench({
  name: "sigv4: sign, deriving the signing key every time",
  group: "sigv4",
  async fn() {
    await signAwsRequest(
      { method: "POST", url: URL_, headers: HEADERS, body: BODY },
      {
        credentials: CREDENTIALS,
        region: "us-east-1",
        service: "bedrock",
        keyCache: new SigningKeyCache(),
      },
    );
  },
});

const stockCache = new Map<string, ArrayBuffer>();
Deno.bench({
  name: "sigv4: stock aws4fetch signer (Web Crypto), for comparison",
  group: "sigv4",
  async fn() {
    await new AwsV4Signer({
      method: "POST",
      url: URL_,
      headers: HEADERS,
      body: BODY,
      ...CREDENTIALS,
      region: "us-east-1",
      service: "bedrock",
      cache: stockCache,
    }).sign();
  },
});

// --- event-stream decoding -------------------------------------------------

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const codec = new EventStreamCodec((b) => decoder.decode(b), (s) => encoder.encode(s));
const str = (value: string) => ({ type: "string" as const, value });

function frame(event: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: {
      ":event-type": str(event),
      ":content-type": str("application/json"),
      ":message-type": str("event"),
    },
    body: encoder.encode(JSON.stringify(payload)),
  });
}

/** A ConverseStream of `deltas` text deltas of `words` words each, with Bedrock's padding. */
function converseStream(deltas: number, words: number): Uint8Array {
  const frames = [frame("messageStart", { role: "assistant", p: "abcdefghijklmnopqrstu" })];
  for (let i = 0; i < deltas; i++) {
    const text = Array.from({ length: words }, (_, w) => `word${(i + w) % 97}`).join(" ");
    frames.push(frame("contentBlockDelta", {
      contentBlockIndex: 0,
      delta: { text: ` ${text}` },
      p: "abcdefghijklmnopqrstuvwxyz".slice(0, (i * 7) % 26),
    }));
  }
  frames.push(frame("contentBlockStop", { contentBlockIndex: 0, p: "abcdefghijklmnopqrs" }));
  frames.push(
    frame("messageStop", { stopReason: "end_turn", p: "abcdefghijklmnopqrstuvwxyzABCD" }),
  );
  frames.push(frame("metadata", {
    usage: { inputTokens: 120, outputTokens: deltas * words, totalTokens: 120 + deltas * words },
    metrics: { latencyMs: 1800 },
  }));
  const out = new Uint8Array(frames.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of frames) {
    out.set(f, at);
    at += f.length;
  }
  return out;
}

function pieces(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.subarray(i, i + size));
  return out;
}

function mib(bytes: Uint8Array): string {
  return `${(bytes.length / 1048576).toFixed(2)} MiB`;
}

const TYPICAL = converseStream(8000, 3); // ~165-byte frames, like token-sized deltas
const LARGE = converseStream(2000, 60); // ~640-byte frames
const TYPICAL_READS = pieces(TYPICAL, 16384); // network-sized reads, frames split across them
const noop = (_: StreamEvent) => {};

function decodeAll(reads: readonly Uint8Array[]): void {
  const parser = createEventStreamParser();
  for (const r of reads) parser.push(r, noop);
  parser.end(noop);
}

Deno.bench({
  name: `eventstream: decode ${mib(TYPICAL)} of token-sized frames (avg ${
    Math.round(TYPICAL.length / 8004)
  } B), one read`,
  group: "eventstream",
  baseline: true,
  fn() {
    decodeAll([TYPICAL]);
  },
});

Deno.bench({
  name: `eventstream: decode ${mib(TYPICAL)} of token-sized frames in 16 KiB reads`,
  group: "eventstream",
  fn() {
    decodeAll(TYPICAL_READS);
  },
});

Deno.bench({
  name: `eventstream: decode ${mib(LARGE)} of sentence-sized frames (avg ${
    Math.round(LARGE.length / 2004)
  } B) in 16 KiB reads`,
  group: "eventstream",
  fn() {
    decodeAll(pieces(LARGE, 16384));
  },
});

Deno.bench({
  name: `eventstream → OpenAI chunks: ${mib(TYPICAL)} through parser and transformer`,
  group: "eventstream",
  fn() {
    const parser = createEventStreamParser();
    const transformer = bedrockAdapter.createStreamTransformer(CTX);
    const sink = { enqueue: () => {} };
    const onEvent = (e: StreamEvent) => transformer.transform(e, sink);
    for (const r of TYPICAL_READS) parser.push(r, onEvent);
    parser.end(onEvent);
    transformer.flush?.(sink);
  },
});
