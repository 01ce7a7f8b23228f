/**
 * Server-sent events: a decoder from text to events, an NDJSON line decoder,
 * and the encoder that writes OpenAI chunks back out as SSE bytes.
 *
 * @module
 */

import type { StreamEvent } from "./providers/types.ts";
import { RAW_JSON, type RawChunk } from "./_batches.ts";

const CR_REGEXP = /\r\n?/g;

/** An incremental text → event parser (SSE or NDJSON). */
export interface EventParser {
  /** Feed decoded text; complete events go to `emit`. */
  push(text: string, emit: (event: StreamEvent) => void): void;
  /** End of input: emit what is left. */
  end(emit: (event: StreamEvent) => void): void;
}

/**
 * An SSE parser. Accepts `\n`, `\r\n` and `\r` line endings, joins
 * multi-line `data:`, ignores comments, `id:` and `retry:`.
 */
export function createSseParser(): EventParser {
  let buffer = "";
  let event: string | undefined;
  // One data line is the common case: keep it as a string, join only when more come.
  let data: string | undefined;
  let more: string[] | undefined;
  let pendingCr = false;

  function line(text: string, emit: (event: StreamEvent) => void) {
    if (text === "") {
      if (data !== undefined) {
        const ev: StreamEvent = { data: more === undefined ? data : [data, ...more].join("\n") };
        if (event !== undefined) ev.event = event;
        emit(ev);
      }
      event = undefined;
      data = undefined;
      more = undefined;
      return;
    }
    let field: string;
    let value: string;
    if (text.startsWith("data: ")) {
      field = "data";
      value = text.slice(6);
    } else {
      if (text.charCodeAt(0) === 58 /* : */) return;
      const colon = text.indexOf(":");
      field = colon === -1 ? text : text.slice(0, colon);
      value = colon === -1 ? "" : text.slice(colon + 1);
      if (value.charCodeAt(0) === 32) value = value.slice(1);
    }
    if (field === "data") {
      if (data === undefined) data = value;
      else (more ??= []).push(value);
    } else if (field === "event") event = value;
  }

  return {
    push(chunk, emit) {
      if (chunk === "") return; // keep a pending CR for the next read
      let text = buffer + chunk;
      buffer = "";
      let start = 0;
      if (pendingCr && text.charCodeAt(0) === 10) start = 1;
      pendingCr = false;
      if (text.indexOf("\r", start) !== -1) {
        // CRLF and lone CR become LF; a CR at the very end may pair with the next read's LF.
        if (text.charCodeAt(text.length - 1) === 13) pendingCr = true;
        text = text.replace(CR_REGEXP, "\n");
      }
      let nl = text.indexOf("\n", start);
      while (nl !== -1) {
        line(text.slice(start, nl), emit);
        start = nl + 1;
        nl = text.indexOf("\n", start);
      }
      if (start < text.length) buffer = text.slice(start);
    },
    end(emit) {
      if (buffer !== "") line(buffer, emit);
      buffer = "";
      line("", emit);
    },
  };
}

/** An NDJSON parser: one event per non-empty line. */
export function createNdjsonParser(): EventParser {
  let buffer = "";
  return {
    push(chunk, emit) {
      const text = buffer + chunk;
      let start = 0;
      let nl = text.indexOf("\n");
      while (nl !== -1) {
        const lineText = text.slice(start, nl).trim();
        if (lineText !== "") emit({ data: lineText });
        start = nl + 1;
        nl = text.indexOf("\n", start);
      }
      buffer = text.slice(start);
    },
    end(emit) {
      const lineText = buffer.trim();
      if (lineText !== "") emit({ data: lineText });
      buffer = "";
    },
  };
}

function parserStream(parser: EventParser): TransformStream<string, StreamEvent> {
  return new TransformStream<string, StreamEvent>({
    transform(chunk, controller) {
      parser.push(chunk, (e) => controller.enqueue(e));
    },
    flush(controller) {
      parser.end((e) => controller.enqueue(e));
    },
  });
}

/** Decode SSE text into events (see {@linkcode createSseParser}). */
export function createSseDecoder(): TransformStream<string, StreamEvent> {
  return parserStream(createSseParser());
}

/** Decode newline-delimited JSON text into events, one per non-empty line. */
export function createNdjsonDecoder(): TransformStream<string, StreamEvent> {
  return parserStream(createNdjsonParser());
}

const ENCODER = new TextEncoder();
/** The SSE terminator OpenAI sends. */
export const SSE_DONE: Uint8Array = ENCODER.encode("data: [DONE]\n\n");

/** Encode one JSON-serialisable value as an SSE `data:` event. */
export function encodeSseData(value: unknown): Uint8Array {
  return ENCODER.encode(`data: ${JSON.stringify(value)}\n\n`);
}

/** Encode a raw, already-serialised JSON text as an SSE `data:` event. */
export function encodeSseText(json: string): Uint8Array {
  return ENCODER.encode(`data: ${json}\n\n`);
}

/**
 * Encode a batch of chunks as SSE `data:` events in one write: each chunk as
 * its upstream JSON text when it kept it ({@linkcode RAW_JSON}), else as
 * `JSON.stringify(chunk)`. The same bytes as one {@linkcode encodeSseData} or
 * {@linkcode encodeSseText} per chunk, with one encoder call.
 */
export function encodeSseBatch(batch: readonly RawChunk[]): Uint8Array {
  let text = "";
  for (const chunk of batch) {
    const raw = chunk[RAW_JSON];
    text += `data: ${raw === undefined ? JSON.stringify(chunk) : raw}\n\n`;
  }
  return ENCODER.encode(text);
}
