/**
 * OpenAI Chat Completions and Embeddings shapes: the one format llmux speaks
 * to its callers, whatever the provider underneath.
 *
 * @module
 */

/** A text part of a message's content. */
export interface TextContentPart {
  /** Always `"text"`. */
  type: "text";
  /** The text. */
  text: string;
  /** Anthropic-style prompt caching hint, passed to providers that support it. */
  cache_control?: { type: "ephemeral"; ttl?: string };
}

/** An image part of a user message: an `https:` URL or a `data:` URL. */
export interface ImageContentPart {
  /** Always `"image_url"`. */
  type: "image_url";
  /** The image reference. */
  image_url: { url: string; detail?: "auto" | "low" | "high"; format?: string };
}

/** An audio part of a user message. */
export interface InputAudioContentPart {
  /** Always `"input_audio"`. */
  type: "input_audio";
  /** Base64 audio and its format. */
  input_audio: { data: string; format: string };
}

/** A file part of a user message. */
export interface FileContentPart {
  /** Always `"file"`. */
  type: "file";
  /** The file, inline or by id. */
  file: { file_data?: string; file_id?: string; filename?: string; format?: string };
}

/** Any part of a message's content array. */
export type ContentPart =
  | TextContentPart
  | ImageContentPart
  | InputAudioContentPart
  | FileContentPart;

/** A function tool call made by the assistant. */
export interface ToolCall {
  /** The call's id, echoed by the matching tool message. */
  id: string;
  /** Always `"function"`. */
  type: "function";
  /** The function name and its arguments as a JSON string. */
  function: { name: string; arguments: string };
  /** Provider extras to send back unchanged (e.g. Gemini `thought_signature`). */
  provider_specific_fields?: { thought_signature?: string; [key: string]: unknown };
}

/** A system (or developer) message. */
export interface SystemMessage {
  /** `"system"` or `"developer"`. */
  role: "system" | "developer";
  /** The instruction text. */
  content: string | TextContentPart[];
  /** Optional participant name. */
  name?: string;
}

/** A user message. */
export interface UserMessage {
  /** Always `"user"`. */
  role: "user";
  /** Text or a list of parts. */
  content: string | ContentPart[];
  /** Optional participant name. */
  name?: string;
}

/** An assistant message, as returned by a completion or sent back as history. */
export interface AssistantMessage {
  /** Always `"assistant"`. */
  role: "assistant";
  /** Text content, or null when the turn only calls tools. */
  content?: string | TextContentPart[] | null;
  /** Tool calls made in this turn. */
  tool_calls?: ToolCall[];
  /** A refusal message, when the model refused. */
  refusal?: string | null;
  /** Reasoning text (extension used by LiteLLM, DeepSeek, xAI, vLLM). */
  reasoning_content?: string | null;
  /** Provider thinking blocks that must be sent back unchanged (Anthropic signatures). */
  thinking_blocks?: ThinkingBlock[];
  /** Optional participant name. */
  name?: string;
}

/** A tool result message. */
export interface ToolMessage {
  /** Always `"tool"`. */
  role: "tool";
  /** The id of the tool call this answers. */
  tool_call_id: string;
  /** The result. */
  content: string | TextContentPart[];
}

/** A legacy function result message (treated like a tool message). */
export interface FunctionMessage {
  /** Always `"function"`. */
  role: "function";
  /** The function name. */
  name: string;
  /** The result. */
  content: string | null;
}

/** Any message of a chat. */
export type ChatMessage =
  | SystemMessage
  | UserMessage
  | AssistantMessage
  | ToolMessage
  | FunctionMessage;

/** A thinking block as Anthropic returns it, kept for round-tripping. */
export interface ThinkingBlock {
  /** `"thinking"` or `"redacted_thinking"`. */
  type: "thinking" | "redacted_thinking";
  /** Thinking text. */
  thinking?: string;
  /** Signature that must be echoed back. */
  signature?: string;
  /** Opaque data of a redacted block. */
  data?: string;
}

/** A function tool definition. */
export interface FunctionTool {
  /** Always `"function"`. */
  type: "function";
  /** The function. */
  function: {
    name: string;
    description?: string;
    parameters?: Record<string, unknown>;
    strict?: boolean | null;
  };
  /** Prompt caching hint for providers that support it. */
  cache_control?: { type: "ephemeral"; ttl?: string };
}

/** How the model may use tools. */
export type ToolChoice =
  | "none"
  | "auto"
  | "required"
  | { type: "function"; function: { name: string } };

/** The requested output format. */
export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | {
    type: "json_schema";
    json_schema: {
      name: string;
      description?: string;
      schema?: Record<string, unknown>;
      strict?: boolean | null;
    };
  };

/** Reasoning effort levels. */
export type ReasoningEffort = "none" | "minimal" | "low" | "medium" | "high" | "xhigh";

/** An OpenAI Chat Completions request body. */
export interface ChatCompletionRequest {
  /** Model string: `provider/model` or a bare name whose provider is inferred. */
  model: string;
  /** The conversation. */
  messages: ChatMessage[];
  /** Sampling temperature. */
  temperature?: number | null;
  /** Nucleus sampling. */
  top_p?: number | null;
  /** Legacy output token limit. */
  max_tokens?: number | null;
  /** Output token limit (preferred). */
  max_completion_tokens?: number | null;
  /** Stop sequences. */
  stop?: string | string[] | null;
  /** Deterministic sampling seed. */
  seed?: number | null;
  /** Number of choices. */
  n?: number | null;
  /** End-user id. */
  user?: string;
  /** Stream the answer as chunks. */
  stream?: boolean | null;
  /** Stream options. */
  stream_options?: { include_usage?: boolean } | null;
  /** Tool definitions. */
  tools?: FunctionTool[];
  /** Tool choice. */
  tool_choice?: ToolChoice;
  /** Allow several tool calls in one turn. */
  parallel_tool_calls?: boolean;
  /** Output format. */
  response_format?: ResponseFormat;
  /** Reasoning effort. */
  reasoning_effort?: ReasoningEffort;
  /** Presence penalty. */
  presence_penalty?: number | null;
  /** Frequency penalty. */
  frequency_penalty?: number | null;
  /** Token biases. */
  logit_bias?: Record<string, number> | null;
  /** Return log probabilities. */
  logprobs?: boolean | null;
  /** How many top log probabilities to return. */
  top_logprobs?: number | null;
  /** Request metadata. */
  metadata?: Record<string, string>;
  /** Store the completion (OpenAI). */
  store?: boolean | null;
  /** Service tier (OpenAI). */
  service_tier?: string | null;
  /** Other fields are passed to providers that understand them. */
  [key: string]: unknown;
}

/** Token usage of a completion. */
export interface Usage {
  /** Prompt tokens, cached ones included. */
  prompt_tokens: number;
  /** Completion tokens, reasoning ones included. */
  completion_tokens: number;
  /** Sum of the two. */
  total_tokens: number;
  /** Prompt breakdown. */
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number } | null;
  /** Completion breakdown. */
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number } | null;
  /** Tokens written to the provider's prompt cache (Anthropic), for billing. */
  cache_creation_input_tokens?: number;
  /** Tokens read from the provider's prompt cache (Anthropic), for billing. */
  cache_read_input_tokens?: number;
  /** True when llmux estimated the counts because the provider reported none. */
  estimated?: boolean;
}

/** Why a choice stopped. */
export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "function_call";

/** The message of a non-streaming choice. */
export interface CompletionMessage {
  /** Always `"assistant"`. */
  role: "assistant";
  /** The text, or null. */
  content: string | null;
  /** A refusal, or null. */
  refusal?: string | null;
  /** Tool calls, when any. */
  tool_calls?: ToolCall[];
  /** Reasoning text, when the provider returns it. */
  reasoning_content?: string;
  /** Thinking blocks to send back on the next turn (Anthropic). */
  thinking_blocks?: ThinkingBlock[];
  /** Annotations (OpenAI web search citations). */
  annotations?: unknown[];
}

/** One choice of a non-streaming completion. */
export interface CompletionChoice {
  /** Index of the choice. */
  index: number;
  /** The message. */
  message: CompletionMessage;
  /** Log probabilities, or null. */
  logprobs: unknown | null;
  /** Why it stopped. */
  finish_reason: FinishReason | null;
}

/** A non-streaming `chat.completion` object. */
export interface ChatCompletion {
  /** Completion id. */
  id: string;
  /** Always `"chat.completion"`. */
  object: "chat.completion";
  /** Unix seconds. */
  created: number;
  /** The model that answered. */
  model: string;
  /** The choices. */
  choices: CompletionChoice[];
  /** Token usage. */
  usage?: Usage;
  /** Backend fingerprint. */
  system_fingerprint?: string | null;
  /** Service tier used. */
  service_tier?: string | null;
}

/** A tool call fragment inside a stream delta. */
export interface ToolCallDelta {
  /** Index of the call within the choice. */
  index: number;
  /** Call id (first fragment only). */
  id?: string;
  /** `"function"` (first fragment only). */
  type?: "function";
  /** Name (first fragment) and argument text fragments. */
  function?: { name?: string; arguments?: string };
  /** Provider extras to send back unchanged (e.g. Gemini `thought_signature`). */
  provider_specific_fields?: { thought_signature?: string; [key: string]: unknown };
}

/** The delta of a streamed choice. */
export interface ChunkDelta {
  /** `"assistant"` on the first chunk. */
  role?: "assistant";
  /** Text fragment. */
  content?: string | null;
  /** Refusal fragment. */
  refusal?: string | null;
  /** Reasoning fragment. */
  reasoning_content?: string;
  /** Tool call fragments. */
  tool_calls?: ToolCallDelta[];
  /** Thinking blocks, complete, when a provider returns signatures. */
  thinking_blocks?: ThinkingBlock[];
}

/** One choice of a stream chunk. */
export interface ChunkChoice {
  /** Index of the choice. */
  index: number;
  /** What changed. */
  delta: ChunkDelta;
  /** Log probabilities, or null. */
  logprobs?: unknown | null;
  /** Set on the last chunk of the choice. */
  finish_reason: FinishReason | null;
}

/** A `chat.completion.chunk` object. */
export interface ChatCompletionChunk {
  /** Same id on every chunk of one response. */
  id: string;
  /** Always `"chat.completion.chunk"`. */
  object: "chat.completion.chunk";
  /** Unix seconds. */
  created: number;
  /** The model. */
  model: string;
  /** Choices; empty on the usage-only chunk. */
  choices: ChunkChoice[];
  /** Usage on the last chunk when `stream_options.include_usage` is set; null before. */
  usage?: Usage | null;
  /** Backend fingerprint. */
  system_fingerprint?: string | null;
}

/** An OpenAI embeddings request. */
export interface EmbeddingRequest {
  /** Model string. */
  model: string;
  /** Text(s) or token arrays to embed. */
  input: string | string[] | number[] | number[][];
  /** Output dimensions. */
  dimensions?: number;
  /** `"float"` (default) or `"base64"`. */
  encoding_format?: "float" | "base64";
  /** End-user id. */
  user?: string;
  /** Other fields pass through to providers that understand them. */
  [key: string]: unknown;
}

/** One embedding vector. */
export interface Embedding {
  /** Always `"embedding"`. */
  object: "embedding";
  /** Position in the input. */
  index: number;
  /** The vector, or its base64 form. */
  embedding: number[] | string;
}

/** An OpenAI embeddings response. */
export interface EmbeddingResponse {
  /** Always `"list"`. */
  object: "list";
  /** The vectors. */
  data: Embedding[];
  /** The model. */
  model: string;
  /** Token usage. */
  usage: { prompt_tokens: number; total_tokens: number };
}
