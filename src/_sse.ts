/**
 * Server-sent events: a decoder from text to events, an NDJSON line decoder,
 * and the encoder that writes OpenAI chunks back out as SSE bytes.
 *
 * @module
 */

import type { StreamEvent } from "./providers/types.ts";

/**
 * Decode SSE text into events. Accepts `\n`, `\r\n` and `\r` line endings,
 * joins multi-line `data:`, ignores comments, `id:` and `retry:`.
 */
export function createSseDecoder(): TransformStream<string, StreamEvent> {
  let buffer = "";
  let event: string | undefined;
  let data: string[] = [];
  let pendingCr = false;

  function line(text: string, controller: TransformStreamDefaultController<StreamEvent>) {
    if (text === "") {
      if (data.length > 0) {
        const ev: StreamEvent = { data: data.length === 1 ? data[0] : data.join("\n") };
        if (event !== undefined) ev.event = event;
        controller.enqueue(ev);
      }
      event = undefined;
      data = [];
      return;
    }
    if (text.charCodeAt(0) === 58 /* : */) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") event = value;
  }

  return new TransformStream<string, StreamEvent>({
    transform(chunk, controller) {
      if (chunk === "") return; // keep a pending CR for the next read
      let text = buffer + chunk;
      buffer = "";
      let start = 0;
      if (pendingCr && text.charCodeAt(0) === 10) start = 1;
      pendingCr = false;
      const len = text.length;
      for (let i = start; i < len; i++) {
        const c = text.charCodeAt(i);
        if (c === 10 || c === 13) {
          line(text.slice(start, i), controller);
          if (c === 13) {
            if (i + 1 < len) {
              if (text.charCodeAt(i + 1) === 10) i++;
            } else {
              pendingCr = true;
            }
          }
          start = i + 1;
        }
      }
      if (start < len) buffer = text.slice(start);
      text = "";
    },
    flush(controller) {
      if (buffer !== "") line(buffer, controller);
      buffer = "";
      line("", controller);
    },
  });
}

/** Decode newline-delimited JSON text into events, one per non-empty line. */
export function createNdjsonDecoder(): TransformStream<string, StreamEvent> {
  let buffer = "";
  return new TransformStream<string, StreamEvent>({
    transform(chunk, controller) {
      buffer += chunk;
      let nl = buffer.indexOf("\n");
      while (nl !== -1) {
        const lineText = buffer.slice(0, nl).trim();
        if (lineText !== "") controller.enqueue({ data: lineText });
        buffer = buffer.slice(nl + 1);
        nl = buffer.indexOf("\n");
      }
    },
    flush(controller) {
      const lineText = buffer.trim();
      if (lineText !== "") controller.enqueue({ data: lineText });
      buffer = "";
    },
  });
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
