/**
 * Guarded JSON parsing and small shape helpers for upstream payloads.
 *
 * @module
 */

import { APIConnectionError } from "./errors.ts";

/** Parse upstream JSON text; malformed text becomes an {@linkcode APIConnectionError}. */
export function parseUpstreamJson(text: string, provider: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new APIConnectionError(
      `Provider "${provider}" sent malformed JSON in its stream: ${text.slice(0, 200)}`,
      { provider },
    );
  }
}

/** True for a plain (non-array, non-null) object. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string field of an unknown value, or undefined. */
export function stringField(value: unknown, key: string): string | undefined {
  if (!isRecord(value)) return undefined;
  const v = value[key];
  return typeof v === "string" ? v : undefined;
}

/** A number field of an unknown value, or undefined. */
export function numberField(value: unknown, key: string): number | undefined {
  if (!isRecord(value)) return undefined;
  const v = value[key];
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

/** Parse a tool call's `arguments` JSON string into an object; `{}` for empty text. */
export function parseToolArguments(text: string): unknown {
  if (text.trim() === "") return {};
  return JSON.parse(text);
}
