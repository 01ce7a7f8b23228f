/**
 * Reading request bodies safely: JSON only, a size cap enforced while
 * reading (not only from `content-length`), and a nesting-depth limit, so no
 * body can crash the process or reach a provider malformed.
 *
 * @module
 */

import { clientError } from "./errors.ts";

/** Limits applied to request bodies. */
export interface BodyLimits {
  /** Largest accepted body in bytes. */
  maxBytes: number;
  /** Deepest accepted JSON nesting. */
  maxDepth: number;
}

/** Defaults: 10 MiB, depth 64. */
export const DEFAULT_BODY_LIMITS: BodyLimits = { maxBytes: 10 * 1024 * 1024, maxDepth: 64 };

const DECODER = new TextDecoder();
const ENCODER = new TextEncoder();

async function readCapped(request: Request, maxBytes: number): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return "";
  // The HTTP server holds a body to its declared length: read it whole in one go.
  // (In process, `app.request()`, nothing holds it: the length is checked after reading.)
  if (declared !== null && declared !== "") {
    let text: string;
    try {
      text = await request.text();
    } catch {
      throw incomplete();
    }
    // A UTF-8 byte is at most one UTF-16 unit, and a unit at most 3 bytes.
    if (text.length > maxBytes) throw tooLarge(maxBytes);
    if (text.length * 3 > maxBytes && ENCODER.encode(text).byteLength > maxBytes) {
      throw tooLarge(maxBytes);
    }
    return text;
  }
  const reader = request.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch {
      throw incomplete();
    }
    const { value, done } = chunk;
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(maxBytes);
    }
    parts.push(value);
  }
  if (parts.length === 1) return DECODER.decode(parts[0]);
  const all = new Uint8Array(size);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.byteLength;
  }
  return DECODER.decode(all);
}

/** The client closed or reset the connection before sending the whole body. */
function incomplete() {
  return clientError(400, "Request body ended before it was complete", {
    code: "incomplete_body",
  });
}

function tooLarge(maxBytes: number) {
  return clientError(413, `Request body is larger than the limit of ${maxBytes} bytes`, {
    code: "request_too_large",
  });
}

/** Deepest `[`/`{` nesting of JSON text, ignoring strings; stops early past `limit`. */
export function jsonDepth(text: string, limit: number): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 91 || c === 123) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 93 || c === 125) depth--;
  }
  return max;
}

/**
 * Read a JSON object body: 415 for a non-JSON content type, 413 past the
 * size cap, 400 for invalid JSON, too deep a nesting, or a non-object.
 */
export async function readJsonBody(
  request: Request,
  limits: BodyLimits = DEFAULT_BODY_LIMITS,
): Promise<Record<string, unknown>> {
  const type = request.headers.get("content-type");
  if (type !== null && !/^application\/(.+\+)?json\b/i.test(type.trim())) {
    throw clientError(
      415,
      `Unsupported content-type "${type.slice(0, 100)}": send application/json`,
      { code: "unsupported_media_type" },
    );
  }
  const text = await readCapped(request, limits.maxBytes);
  if (text.trim() === "") throw clientError(400, "Request body is empty: send a JSON object");
  // A body shorter than twice the limit cannot nest past it.
  if (text.length > 2 * limits.maxDepth && jsonDepth(text, limits.maxDepth) > limits.maxDepth) {
    throw clientError(400, `Request JSON is nested deeper than ${limits.maxDepth} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof SyntaxError ? `: ${error.message}` : "";
    throw clientError(400, `Request body is not valid JSON${detail}`, { code: "invalid_json" });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw clientError(400, "Request body must be a JSON object");
  }
  return value as Record<string, unknown>;
}
