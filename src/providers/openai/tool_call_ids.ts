/**
 * Tool-call id formats some OpenAI-compatible hosts insist on.
 *
 * @module
 */

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const MISTRAL_ID_REGEXP = /^[a-zA-Z0-9]{9}$/;
const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;
const ID_SPACE = 62n ** 9n;

/**
 * A tool-call id Mistral accepts: exactly 9 characters of `[a-zA-Z0-9]`.
 * Valid ids pass unchanged; others map deterministically (FNV-1a 64 of the
 * id, in base 62), so an assistant's `tool_calls[].id` and the matching tool
 * message's `tool_call_id` always map to the same value.
 *
 * @example
 * ```ts
 * import { toMistralToolCallId } from "./tool_call_ids.ts";
 * const id = toMistralToolCallId("call_abc123");
 * console.assert(/^[a-zA-Z0-9]{9}$/.test(id) && id === toMistralToolCallId("call_abc123"));
 * console.assert(toMistralToolCallId("D681PevKs") === "D681PevKs");
 * ```
 */
export function toMistralToolCallId(id: string): string {
  if (MISTRAL_ID_REGEXP.test(id)) return id;
  let hash = FNV_OFFSET;
  for (let i = 0; i < id.length; i++) {
    hash ^= BigInt(id.charCodeAt(i));
    hash = (hash * FNV_PRIME) & MASK_64;
  }
  let n = hash % ID_SPACE;
  let out = "";
  for (let i = 0; i < 9; i++) {
    out = BASE62[Number(n % 62n)] + out;
    n /= 62n;
  }
  return out;
}
