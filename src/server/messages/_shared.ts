/**
 * Small mappings shared by the response and stream translations: stop
 * reasons, usage, ids and tool names.
 *
 * @module
 */

import type { FinishReason, Usage } from "../../types.ts";
import { randomId } from "../../_ids.ts";
import { GEMINI_THOUGHT_SIGNATURE_SEPARATOR } from "../../providers/gemini/convert_request.ts";
import type { AnthropicOutputUsage, AnthropicStopReason } from "./types.ts";

/** OpenAI's limit on function names (Anthropic allows 128 characters). */
export const OPENAI_MAX_TOOL_NAME_LENGTH = 64;

const UNSAFE_ID_REGEXP = /[^A-Za-z0-9_-]/g;

/** FNV-1a, 32 bits, as 8 hex digits: a short, stable suffix for shortened names. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}

/**
 * The function name sent upstream for an Anthropic tool name: unchanged up to
 * 64 characters, else its first 55 characters, `_` and a hash of the whole.
 */
export function toOpenAIToolName(name: string): string {
  if (name.length <= OPENAI_MAX_TOOL_NAME_LENGTH) return name;
  return `${name.slice(0, OPENAI_MAX_TOOL_NAME_LENGTH - 9)}_${fnv1a(name)}`;
}

/** Map an upstream function name back to the client's tool name. */
export function fromOpenAIToolName(
  name: string,
  toolNames: ReadonlyMap<string, string> | undefined,
): string {
  return toolNames?.get(name) ?? name;
}

/** Map an OpenAI finish reason to Anthropic's stop reason. */
export function toAnthropicStopReason(
  finish: FinishReason | string | null | undefined,
  hasToolUse: boolean,
): AnthropicStopReason {
  switch (finish) {
    case "length":
      return "max_tokens";
    case "tool_calls":
    case "function_call":
      return "tool_use";
    case "content_filter":
      return "refusal";
    default:
      // Several providers say "stop" for a turn that calls tools.
      return hasToolUse ? "tool_use" : "end_turn";
  }
}

function count(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? value : 0;
}

/**
 * OpenAI usage → Anthropic usage. Anthropic's `input_tokens` excludes cache
 * reads and writes, so both are subtracted from `prompt_tokens`.
 */
export function toAnthropicUsage(usage: Usage | null | undefined): AnthropicOutputUsage {
  const read = count(usage?.cache_read_input_tokens ?? usage?.prompt_tokens_details?.cached_tokens);
  const creation = count(usage?.cache_creation_input_tokens);
  return {
    input_tokens: Math.max(0, count(usage?.prompt_tokens) - read - creation),
    output_tokens: count(usage?.completion_tokens),
    cache_creation_input_tokens: creation,
    cache_read_input_tokens: read,
  };
}

/** A `msg_…` id derived from an OpenAI completion id (`chatcmpl-abc` → `msg_abc`). */
export function toAnthropicMessageId(id: string | undefined): string {
  if (typeof id === "string" && id.startsWith("msg_")) return id;
  const core = (id ?? "").replace(/^chatcmpl-/, "").replace(UNSAFE_ID_REGEXP, "_");
  return `msg_${core === "" ? randomId() : core}`;
}

/**
 * A `tool_use` id for an upstream tool call: the call id with characters
 * Anthropic disallows replaced by `_` (`toolu_<n>` when there is none). A
 * Gemini thought signature is appended after `__thought__`, as LiteLLM does,
 * so that it comes back on the next turn and the Gemini adapter can restore it.
 */
export function toAnthropicToolUseId(
  id: string | undefined,
  options: { signature?: string | undefined; fallback: string },
): string {
  const base = typeof id === "string" && id !== "" ? id : options.fallback;
  if (base.includes(GEMINI_THOUGHT_SIGNATURE_SEPARATOR)) return base;
  const safe = base.replace(UNSAFE_ID_REGEXP, "_");
  return options.signature
    ? `${safe}${GEMINI_THOUGHT_SIGNATURE_SEPARATOR}${options.signature}`
    : safe;
}

/** Parse tool-call arguments into an object; anything else (or bad JSON) becomes `{}`. */
export function parseToolInput(text: string | undefined): Record<string, unknown> {
  if (typeof text !== "string" || text.trim() === "") return {};
  try {
    const value = JSON.parse(text);
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
  } catch {
    return {};
  }
}
