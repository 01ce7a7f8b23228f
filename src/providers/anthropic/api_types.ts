/**
 * Anthropic Messages API wire types: the request body, the response message,
 * the stream events and the error body, as documented for
 * `anthropic-version: 2023-06-01`. Response types list only the fields llmux
 * reads; the API adds fields often and they are ignored.
 *
 * @module
 */

/** Prompt-caching hint on a block, tool or system text. */
export interface AnthropicCacheControl {
  /** Always `"ephemeral"`. */
  type: "ephemeral";
  /** `"5m"` (default) or `"1h"`. */
  ttl?: string;
}

/** A text block. */
export interface AnthropicTextBlock {
  /** Always `"text"`. */
  type: "text";
  /** The text; the API rejects empty text blocks. */
  text: string;
  /** Prompt-caching hint. */
  cache_control?: AnthropicCacheControl;
}

/** An image block, inline (base64) or by URL. */
export interface AnthropicImageBlock {
  /** Always `"image"`. */
  type: "image";
  /** Where the image comes from. */
  source:
    | { type: "base64"; media_type: string; data: string }
    | { type: "url"; url: string };
  /** Prompt-caching hint. */
  cache_control?: AnthropicCacheControl;
}

/** A document block (PDF or plain text), inline. */
export interface AnthropicDocumentBlock {
  /** Always `"document"`. */
  type: "document";
  /** The document bytes. */
  source: { type: "base64"; media_type: string; data: string };
  /** Prompt-caching hint. */
  cache_control?: AnthropicCacheControl;
}

/** A tool call made by the assistant. */
export interface AnthropicToolUseBlock {
  /** Always `"tool_use"`. */
  type: "tool_use";
  /** Tool-use id (`toolu_…`), echoed by the matching `tool_result`. */
  id: string;
  /** Tool name. */
  name: string;
  /** The arguments, as a JSON object. */
  input: Record<string, unknown>;
}

/** The result of a tool call, sent in a user turn. */
export interface AnthropicToolResultBlock {
  /** Always `"tool_result"`. */
  type: "tool_result";
  /** The `tool_use` id this answers. */
  tool_use_id: string;
  /** The result: text, or text blocks. */
  content?: string | AnthropicTextBlock[];
  /** True when the tool failed. */
  is_error?: boolean;
  /** Prompt-caching hint. */
  cache_control?: AnthropicCacheControl;
}

/** A thinking block, returned with a signature that must be sent back unchanged. */
export interface AnthropicThinkingBlock {
  /** Always `"thinking"`. */
  type: "thinking";
  /** The reasoning text. */
  thinking: string;
  /** Opaque signature. */
  signature: string;
}

/** A redacted thinking block: opaque data only. */
export interface AnthropicRedactedThinkingBlock {
  /** Always `"redacted_thinking"`. */
  type: "redacted_thinking";
  /** Encrypted reasoning. */
  data: string;
}

/** Any block llmux sends in a message. */
export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicDocumentBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock;

/** One turn of the conversation. */
export interface AnthropicMessage {
  /** Only `user` and `assistant`: system text goes in the top-level `system`. */
  role: "user" | "assistant";
  /** The blocks of the turn. */
  content: AnthropicContentBlock[];
}

/** A client tool definition. */
export interface AnthropicTool {
  /** Tool name. */
  name: string;
  /** What the tool does. */
  description?: string;
  /** JSON Schema of the input; `type` must be `"object"`. */
  input_schema: Record<string, unknown>;
  /** Prompt-caching hint. */
  cache_control?: AnthropicCacheControl;
}

/** How the model may use tools. */
export type AnthropicToolChoice =
  | { type: "auto"; disable_parallel_tool_use?: boolean }
  | { type: "any"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean }
  | { type: "none" };

/** Extended thinking configuration. */
export type AnthropicThinkingConfig =
  | { type: "enabled"; budget_tokens: number }
  | { type: "disabled" };

/** The body of `POST /v1/messages`. */
export interface AnthropicRequest {
  /** Model id. */
  model: string;
  /** The conversation, starting with a user turn. */
  messages: AnthropicMessage[];
  /** Output token limit (required). */
  max_tokens: number;
  /** System prompt: text, or text blocks (needed for cache_control). */
  system?: string | AnthropicTextBlock[];
  /** Sampling temperature, 0–1. */
  temperature?: number;
  /** Nucleus sampling. */
  top_p?: number;
  /** Top-k sampling (no OpenAI equivalent; passed through when given). */
  top_k?: number;
  /** Custom stop sequences. */
  stop_sequences?: string[];
  /** Stream the answer as SSE. */
  stream?: boolean;
  /** Request metadata: only `user_id` is accepted. */
  metadata?: { user_id: string };
  /** Tool definitions. */
  tools?: AnthropicTool[];
  /** Tool choice. */
  tool_choice?: AnthropicToolChoice;
  /** Extended thinking. */
  thinking?: AnthropicThinkingConfig;
}

/** Token usage as Anthropic reports it; `input_tokens` excludes cache reads and writes. */
export interface AnthropicUsage {
  /** Uncached input tokens. */
  input_tokens?: number;
  /** Output tokens (thinking included). */
  output_tokens?: number;
  /** Input tokens written to the cache. */
  cache_creation_input_tokens?: number | null;
  /** Input tokens read from the cache. */
  cache_read_input_tokens?: number | null;
}

/** A content block of a response. */
export type AnthropicResponseBlock =
  | AnthropicTextBlock
  | AnthropicToolUseBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock
  | { type: string; [key: string]: unknown };

/** A non-streaming response (`type: "message"`). */
export interface AnthropicResponse {
  /** `msg_…` id. */
  id: string;
  /** Always `"message"`. */
  type: "message";
  /** Always `"assistant"`. */
  role: "assistant";
  /** The model that answered. */
  model: string;
  /** The answer's blocks. */
  content: AnthropicResponseBlock[];
  /** Why generation stopped. */
  stop_reason: string | null;
  /** The stop sequence hit, if any. */
  stop_sequence: string | null;
  /** Token usage. */
  usage: AnthropicUsage;
}

/** The error body: `{"type":"error","error":{"type","message"},"request_id"}`. */
export interface AnthropicErrorBody {
  /** Always `"error"`. */
  type: "error";
  /** The error. */
  error: {
    /** e.g. `invalid_request_error`, `overloaded_error`. */
    type: string;
    /** Human-readable message. */
    message: string;
    /** Extra details (spend-limit 429s carry `error_code`). */
    details?: { error_code?: string };
  };
  /** Request id, for support. */
  request_id?: string;
}

/** The events of a Messages stream; the JSON `type` equals the SSE event name. */
export type AnthropicStreamEvent =
  | { type: "message_start"; message: AnthropicResponse }
  | { type: "content_block_start"; index: number; content_block: AnthropicResponseBlock }
  | {
    type: "content_block_delta";
    index: number;
    delta:
      | { type: "text_delta"; text: string }
      | { type: "input_json_delta"; partial_json: string }
      | { type: "thinking_delta"; thinking: string }
      | { type: "signature_delta"; signature: string }
      | { type: string; [key: string]: unknown };
  }
  | { type: "content_block_stop"; index: number }
  | {
    type: "message_delta";
    delta: { stop_reason: string | null; stop_sequence: string | null };
    usage?: AnthropicUsage;
  }
  | { type: "message_stop" }
  | { type: "ping" }
  | { type: "error"; error: AnthropicErrorBody["error"] };
