/**
 * `application/vnd.amazon.eventstream` decoding as a
 * {@linkcode BinaryEventParser}: frames are cut out of the byte stream by the
 * total length in their prelude (whatever the network read boundaries), and
 * each frame is decoded by `@smithy/eventstream-codec`, which checks both
 * CRC32s (prelude and message) and parses the headers.
 *
 * A frame is `total length u32 · headers length u32 · prelude CRC32 u32 ·
 * headers · payload · message CRC32 u32`, big-endian. Each decoded frame
 * becomes one {@linkcode StreamEvent}:
 *
 * | `:message-type` | `event`                              | `data`                            |
 * |-----------------|--------------------------------------|-----------------------------------|
 * | `event`         | the `:event-type` header             | the payload (UTF-8 JSON)          |
 * | `exception`     | the `:exception-type` header         | the payload (`{"message": …}`)    |
 * | `error`         | `"error"`                            | `{"code": :error-code, "message": :error-message}` |
 *
 * A bad CRC, an impossible length or a stream that ends inside a frame
 * throws an {@linkcode APIConnectionError}; nothing from a damaged frame is
 * ever emitted.
 *
 * @module
 */

import { EventStreamCodec } from "@smithy/eventstream-codec";
import { crc32 } from "node:zlib";
import { APIConnectionError } from "../../errors.ts";
import type { BinaryEventParser, StreamEvent } from "../types.ts";

/** Prelude (8 bytes) + prelude CRC (4) + message CRC (4). */
const FRAME_OVERHEAD = 16;
const PRELUDE_LENGTH = 12;
/** The event-stream spec's limits: 16 MiB per message, 128 KiB of headers. */
const MAX_FRAME_LENGTH = 16 * 1024 * 1024;
const MAX_HEADERS_LENGTH = 128 * 1024;

/** A value of a decoded header. */
export type EventStreamHeaderValue = { type: string; value: unknown };

/** One decoded frame. */
export interface EventStreamMessage {
  /** Headers by name. */
  headers: Record<string, EventStreamHeaderValue>;
  /** The payload bytes. */
  body: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A codec bound to UTF-8 (what `@smithy/eventstream-codec` needs besides
 * bytes). It encodes frames too, which the tests and the fake use.
 *
 * @example
 * ```ts
 * import { createEventStreamCodec } from "./eventstream.ts";
 * const codec = createEventStreamCodec();
 * const frame = codec.encode({ headers: {}, body: new Uint8Array() });
 * console.assert(frame.length === 16);
 * ```
 */
export function createEventStreamCodec(): EventStreamCodec {
  return new EventStreamCodec((bytes) => decoder.decode(bytes), (text) => encoder.encode(text));
}

/** Options of {@linkcode createEventStreamParser}. */
export interface EventStreamParserOptions {
  /** Provider id, for error messages (default `bedrock`). */
  provider?: string;
  /** Model string, for errors. */
  model?: string;
}

function stringHeader(message: EventStreamMessage, name: string): string | undefined {
  const header = message.headers[name];
  return header && typeof header.value === "string" ? header.value : undefined;
}

/**
 * The event a decoded frame stands for (see the module table); frames
 * without a usable type are skipped (`undefined`).
 *
 * @example
 * ```ts
 * import { toStreamEvent } from "./eventstream.ts";
 * const event = toStreamEvent({
 *   headers: {
 *     ":message-type": { type: "string", value: "event" },
 *     ":event-type": { type: "string", value: "messageStart" },
 *   },
 *   body: new TextEncoder().encode('{"role":"assistant"}'),
 * });
 * console.assert(event?.event === "messageStart");
 * ```
 */
export function toStreamEvent(message: EventStreamMessage): StreamEvent | undefined {
  const kind = stringHeader(message, ":message-type") ?? "event";
  if (kind === "error") {
    return {
      event: "error",
      data: JSON.stringify({
        code: stringHeader(message, ":error-code") ?? "UnknownError",
        message: stringHeader(message, ":error-message") ?? "",
      }),
    };
  }
  const type = kind === "exception"
    ? stringHeader(message, ":exception-type")
    : stringHeader(message, ":event-type");
  if (type === undefined) return undefined;
  return { event: type, data: decoder.decode(message.body) };
}

/**
 * A fresh parser of an event stream. Feed it bytes as they arrive, split
 * anywhere; it emits one event per complete, CRC-checked frame.
 *
 * @example
 * ```ts
 * import { createEventStreamCodec, createEventStreamParser } from "./eventstream.ts";
 * const frame = createEventStreamCodec().encode({
 *   headers: {
 *     ":message-type": { type: "string", value: "event" },
 *     ":event-type": { type: "string", value: "messageStart" },
 *   },
 *   body: new TextEncoder().encode('{"role":"assistant"}'),
 * });
 * const parser = createEventStreamParser();
 * const events: unknown[] = [];
 * parser.push(frame.subarray(0, 5), (e) => events.push(e));
 * parser.push(frame.subarray(5), (e) => events.push(e));
 * parser.end((e) => events.push(e));
 * console.assert(events.length === 1);
 * ```
 */
export function createEventStreamParser(options: EventStreamParserOptions = {}): BinaryEventParser {
  const provider = options.provider ?? "bedrock";
  const codec = createEventStreamCodec();
  /** Bytes of an incomplete frame, kept between pushes. */
  let pending = new Uint8Array(0);
  let pendingLength = 0;
  let failed: APIConnectionError | undefined;

  function corrupt(reason: string, cause?: unknown): APIConnectionError {
    failed = new APIConnectionError(
      `Provider "${provider}" sent a corrupt event-stream frame: ${reason}`,
      {
        provider,
        ...(options.model === undefined ? {} : { model: options.model }),
        ...(cause === undefined ? {} : { cause }),
      },
    );
    return failed;
  }

  /**
   * The frame length from a prelude. When the frame is not all here yet, the
   * prelude CRC is checked first, so a damaged length fails at once instead
   * of stalling the stream; a complete frame goes to the codec, which checks
   * both CRCs.
   */
  function frameLength(bytes: Uint8Array, view: DataView, at: number): number {
    const total = view.getUint32(at);
    const headers = view.getUint32(at + 4);
    const sane = total >= FRAME_OVERHEAD && total <= MAX_FRAME_LENGTH &&
      headers <= MAX_HEADERS_LENGTH && headers <= total - FRAME_OVERHEAD;
    if (!sane || bytes.length - at < total) {
      const preludeCrc = crc32(bytes.subarray(at, at + 8)) >>> 0;
      if (preludeCrc !== view.getUint32(at + 8)) {
        throw corrupt(
          `prelude CRC32 mismatch (computed ${preludeCrc}, frame says ${view.getUint32(at + 8)})`,
        );
      }
    }
    if (total < FRAME_OVERHEAD || total > MAX_FRAME_LENGTH) {
      throw corrupt(`impossible frame length ${total}`);
    }
    if (!sane) throw corrupt(`impossible headers length ${headers} in a frame of ${total} bytes`);
    return total;
  }

  function decodeFrame(frame: Uint8Array, emit: (event: StreamEvent) => void): void {
    let message: EventStreamMessage;
    try {
      message = codec.decode(frame) as EventStreamMessage;
    } catch (cause) {
      throw corrupt(cause instanceof Error ? cause.message : String(cause), cause);
    }
    const event = toStreamEvent(message);
    if (event !== undefined) emit(event);
  }

  function append(bytes: Uint8Array): void {
    const needed = pendingLength + bytes.length;
    if (needed > pending.length) {
      const grown = new Uint8Array(Math.max(needed, pending.length * 2, 1024));
      grown.set(pending.subarray(0, pendingLength));
      pending = grown;
    }
    pending.set(bytes, pendingLength);
    pendingLength = needed;
  }

  /** Decode every whole frame of `bytes`; returns the offset of the first incomplete one. */
  function drain(bytes: Uint8Array, emit: (event: StreamEvent) => void): number {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let offset = 0;
    while (bytes.length - offset >= PRELUDE_LENGTH) {
      const total = frameLength(bytes, view, offset);
      if (bytes.length - offset < total) break;
      decodeFrame(bytes.subarray(offset, offset + total), emit);
      offset += total;
    }
    return offset;
  }

  return {
    push(bytes, emit) {
      if (failed) throw failed;
      if (bytes.length === 0) return;
      if (pendingLength === 0) {
        // Fast path: whole frames straight from the read, no copy.
        const used = drain(bytes, emit);
        if (used < bytes.length) append(bytes.subarray(used));
        return;
      }
      append(bytes);
      const used = drain(pending.subarray(0, pendingLength), emit);
      if (used > 0) {
        pending.copyWithin(0, used, pendingLength);
        pendingLength -= used;
      }
    },
    end() {
      if (failed) throw failed;
      if (pendingLength === 0) return;
      const expected = pendingLength >= 4
        ? new DataView(pending.buffer, pending.byteOffset, 4).getUint32(0)
        : undefined;
      throw corrupt(
        `the stream ended inside a frame (${pendingLength} of ${expected ?? "?"} bytes received)`,
      );
    },
  };
}
