/**
 * Wire types of the Anthropic Messages API as llmux *serves* it on
 * `POST /v1/messages`: the response message, its blocks and usage, the stream
 * events and the error body (shared with the outbound adapter's
 * `src/providers/anthropic/api_types.ts`).
 *
 * @module
 */

export type { AnthropicErrorBody } from "../../providers/anthropic/api_types.ts";

/** Why the model stopped, as Anthropic reports it. */
export type AnthropicStopReason =
  | "end_turn"
  | "max_tokens"
  | "stop_sequence"
  | "tool_use"
  | "pause_turn"
  | "refusal";

/** A text block of a response. */
export interface AnthropicOutputTextBlock {
  /** Always `"text"`. */
  type: "text";
  /** The text. */
  text: string;
}

/** A thinking block of a response (`signature` is `""` when the provider gave none). */
export interface AnthropicOutputThinkingBlock {
  /** Always `"thinking"`. */
  type: "thinking";
  /** The reasoning text. */
  thinking: string;
  /** Opaque signature, echoed back by the client on the next turn. */
  signature: string;
}

/** A redacted thinking block of a response. */
export interface AnthropicOutputRedactedThinkingBlock {
  /** Always `"redacted_thinking"`. */
  type: "redacted_thinking";
  /** Opaque data. */
  data: string;
}

/** A tool call of a response. */
export interface AnthropicOutputToolUseBlock {
  /** Always `"tool_use"`. */
  type: "tool_use";
  /** Tool-use id, echoed by the client's `tool_result`. */
  id: string;
  /** Tool name, as the client declared it. */
  name: string;
  /** The arguments. */
  input: Record<string, unknown>;
}

/** Any block of a response. */
export type AnthropicOutputBlock =
  | AnthropicOutputTextBlock
  | AnthropicOutputThinkingBlock
  | AnthropicOutputRedactedThinkingBlock
  | AnthropicOutputToolUseBlock;

/** Token usage of a response; `input_tokens` excludes cache reads and writes. */
export interface AnthropicOutputUsage {
  /** Uncached input tokens. */
  input_tokens: number;
  /** Output tokens (thinking included). */
  output_tokens: number;
  /** Input tokens written to the provider's prompt cache. */
  cache_creation_input_tokens: number;
  /** Input tokens read from the provider's prompt cache. */
  cache_read_input_tokens: number;
}

/** A non-streaming Messages response (`type: "message"`). */
export interface AnthropicMessageResponse {
  /** `msg_…` id. */
  id: string;
  /** Always `"message"`. */
  type: "message";
  /** Always `"assistant"`. */
  role: "assistant";
  /** The model the client asked for. */
  model: string;
  /** The answer's blocks: thinking first, then text, then tool calls. */
  content: AnthropicOutputBlock[];
  /** Why generation stopped. */
  stop_reason: AnthropicStopReason | null;
  /** The stop sequence hit; always null (OpenAI-shaped answers do not say which). */
  stop_sequence: string | null;
  /** Token usage. */
  usage: AnthropicOutputUsage;
}

/** A `content_block_delta` payload. */
export type AnthropicOutputDelta =
  | { type: "text_delta"; text: string }
  | { type: "thinking_delta"; thinking: string }
  | { type: "signature_delta"; signature: string }
  | { type: "input_json_delta"; partial_json: string };

/** The events llmux writes on a Messages stream; `type` equals the SSE event name. */
export type AnthropicOutputEvent =
  | { type: "message_start"; message: AnthropicMessageResponse }
  | { type: "ping" }
  | { type: "content_block_start"; index: number; content_block: AnthropicOutputBlock }
  | { type: "content_block_delta"; index: number; delta: AnthropicOutputDelta }
  | { type: "content_block_stop"; index: number }
  | {
    type: "message_delta";
    delta: { stop_reason: AnthropicStopReason | null; stop_sequence: string | null };
    usage: AnthropicOutputUsage;
  }
  | { type: "message_stop" }
  | { type: "error"; error: { type: string; message: string } };
