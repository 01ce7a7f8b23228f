/**
 * Cohere v2 wire types (`POST /v2/chat`, `POST /v2/embed`), the fields llmux
 * reads or writes.
 *
 * @module
 */

/** A text content item. */
export interface CohereTextContent {
  /** Always `"text"`. */
  type: "text";
  /** The text. */
  text: string;
}

/** An image content item (vision models). */
export interface CohereImageContent {
  /** Always `"image_url"`. */
  type: "image_url";
  /** A data URL or an http(s) URL, and an optional detail level. */
  image_url: { url: string; detail?: string };
}

/** A tool call, as Cohere sends and takes it (OpenAI's shape). */
export interface CohereToolCall {
  /** Call id. */
  id: string;
  /** Always `"function"`. */
  type: "function";
  /** Name and JSON argument text. */
  function: { name: string; arguments: string };
}

/** A `system` message. */
export interface CohereSystemMessage {
  /** Always `"system"`. */
  role: "system";
  /** The instructions. */
  content: string | CohereTextContent[];
}

/** A `user` message. */
export interface CohereUserMessage {
  /** Always `"user"`. */
  role: "user";
  /** Text, or text and image items. */
  content: string | (CohereTextContent | CohereImageContent)[];
}

/** An `assistant` message: text, or tool calls with an optional plan. */
export interface CohereAssistantMessage {
  /** Always `"assistant"`. */
  role: "assistant";
  /** The answer text. */
  content?: string | CohereTextContent[];
  /** The model's reasoning before its tool calls. */
  tool_plan?: string;
  /** Tool calls. */
  tool_calls?: CohereToolCall[];
}

/** A `tool` message: one tool result. */
export interface CohereToolMessage {
  /** Always `"tool"`. */
  role: "tool";
  /** The call it answers. */
  tool_call_id: string;
  /** The result. */
  content: string | CohereTextContent[];
}

/** Any v2 chat message. */
export type CohereMessage =
  | CohereSystemMessage
  | CohereUserMessage
  | CohereAssistantMessage
  | CohereToolMessage;

/** A tool definition (OpenAI's shape). */
export interface CohereTool {
  /** Always `"function"`. */
  type: "function";
  /** Name, description and JSON-schema parameters. */
  function: { name: string; description?: string; parameters?: Record<string, unknown> };
}

/** `response_format`. */
export type CohereResponseFormat =
  | { type: "text" }
  | { type: "json_object"; json_schema?: Record<string, unknown> };

/** `thinking` (reasoning models). */
export interface CohereThinking {
  /** On or off. */
  type: "enabled" | "disabled";
  /** Token budget for thinking. */
  token_budget?: number;
}

/** The body of `POST /v2/chat`. */
export interface CohereChatRequest {
  /** Model id, e.g. `command-a-03-2025`. */
  model: string;
  /** The conversation. */
  messages: CohereMessage[];
  /** Stream as SSE. */
  stream?: boolean;
  /** Tools. */
  tools?: CohereTool[];
  /** `REQUIRED` or `NONE`; absent means auto. */
  tool_choice?: "REQUIRED" | "NONE";
  /** Enforce the tools' schemas. */
  strict_tools?: boolean;
  /** JSON output. */
  response_format?: CohereResponseFormat;
  /** Output limit. */
  max_tokens?: number;
  /** Stop sequences. */
  stop_sequences?: string[];
  /** Sampling temperature. */
  temperature?: number;
  /** Top-p. */
  p?: number;
  /** Top-k. */
  k?: number;
  /** Seed. */
  seed?: number;
  /** Frequency penalty. */
  frequency_penalty?: number;
  /** Presence penalty. */
  presence_penalty?: number;
  /** `CONTEXTUAL`, `STRICT` or `OFF`. */
  safety_mode?: string;
  /** Reasoning. */
  thinking?: CohereThinking;
}

/** Token counts: `billed_units` (charged) and `tokens` (actual). */
export interface CohereUsage {
  /** Billed input/output units. */
  billed_units?: { input_tokens?: number; output_tokens?: number };
  /** Actual tokens, prompt template included. */
  tokens?: { input_tokens?: number; output_tokens?: number };
  /** Prompt tokens read from cache. */
  cached_tokens?: number;
}

/** An output content item. */
export type CohereOutputContent =
  | CohereTextContent
  | { type: "thinking"; thinking: string };

/** Why generation stopped. */
export type CohereFinishReason =
  | "COMPLETE"
  | "STOP_SEQUENCE"
  | "MAX_TOKENS"
  | "TOOL_CALL"
  | "ERROR"
  | "TIMEOUT";

/** The response of `POST /v2/chat`. */
export interface CohereChatResponse {
  /** Response id (a UUID). */
  id: string;
  /** Why it stopped. */
  finish_reason: CohereFinishReason;
  /** The answer. */
  message: {
    /** Always `"assistant"`. */
    role: "assistant";
    /** Text and thinking items. */
    content?: CohereOutputContent[];
    /** Reasoning before tool calls. */
    tool_plan?: string;
    /** Tool calls. */
    tool_calls?: CohereToolCall[];
    /** Citations (with documents or tools). */
    citations?: unknown[];
  };
  /** Token usage. */
  usage?: CohereUsage;
}

/** The JSON of one stream event; `type` is the event name. */
export interface CohereStreamEvent {
  /** `message-start`, `content-delta`, `tool-call-start`, `message-end`, … */
  type: string;
  /** Response id (`message-start`). */
  id?: string;
  /** Content or tool-call index. */
  index?: number;
  /** The event's payload. */
  delta?: {
    message?: {
      role?: string;
      content?: { type?: string; text?: string; thinking?: string };
      tool_plan?: string;
      tool_calls?: {
        id?: string;
        type?: string;
        function?: { name?: string; arguments?: string };
      };
    };
    finish_reason?: CohereFinishReason;
    usage?: CohereUsage;
    error?: string;
  };
}

/** The body of `POST /v2/embed`. */
export interface CohereEmbedRequest {
  /** Model id, e.g. `embed-v4.0`. */
  model: string;
  /** The texts. */
  texts: string[];
  /** `search_document`, `search_query`, `classification`, `clustering`, `image`. */
  input_type: string;
  /** Which vector encodings to return. */
  embedding_types: string[];
  /** Output dimensions (embed-v4 and later). */
  output_dimension?: number;
  /** `NONE`, `START` or `END`. */
  truncate?: string;
}

/** The response of `POST /v2/embed`. */
export interface CohereEmbedResponse {
  /** Response id. */
  id?: string;
  /** Vectors per requested type. */
  embeddings: { float?: number[][]; [type: string]: unknown };
  /** The texts, as embedded. */
  texts?: string[];
  /** Billing. */
  meta?: { billed_units?: { input_tokens?: number } };
}

/** An error body. */
export interface CohereErrorBody {
  /** What went wrong. */
  message: string;
  /** Request id, sometimes. */
  id?: string;
}
