/**
 * Ollama native wire types: `/api/chat` request, response and stream lines,
 * `/api/embed` request and response, and the error body.
 *
 * Reference: Ollama's `docs/api.md` ("Generate a chat completion",
 * "Generate Embeddings"). Response types are loose on purpose: Ollama adds
 * fields often, and every field is checked before use.
 *
 * @module
 */

/** A tool call inside an assistant message sent to Ollama (arguments are an object). */
export interface OllamaToolCall {
  /** The function to call. */
  function: {
    /** Function name. */
    name: string;
    /** Arguments as a JSON object, never a string. */
    arguments: Record<string, unknown>;
  };
}

/** One message of an `/api/chat` request. */
export interface OllamaMessage {
  /** `system`, `user`, `assistant` or `tool`. */
  role: "system" | "user" | "assistant" | "tool";
  /** Plain text; Ollama has no content parts. */
  content: string;
  /** Raw base64 images (no `data:` prefix), for multimodal models. */
  images?: string[];
  /** The assistant's earlier reasoning, sent back as history. */
  thinking?: string;
  /** Tool calls of an assistant turn. */
  tool_calls?: OllamaToolCall[];
  /** Name of the tool whose result a `tool` message carries. */
  tool_name?: string;
}

/** A function tool definition (the OpenAI shape, which Ollama accepts as is). */
export interface OllamaTool {
  /** Always `"function"`. */
  type: "function";
  /** The function. */
  function: {
    /** Function name. */
    name: string;
    /** What the function does. */
    description?: string;
    /** JSON Schema of the arguments. */
    parameters?: Record<string, unknown>;
  };
}

/** The `think` field: on/off, or an effort level for models that have levels. */
export type OllamaThink = boolean | "low" | "medium" | "high";

/** Model options (`options` of a request); names follow Ollama's Modelfile parameters. */
export interface OllamaOptions {
  /** Sampling temperature. */
  temperature?: number;
  /** Nucleus sampling. */
  top_p?: number;
  /** Random seed. */
  seed?: number;
  /** Stop sequences. */
  stop?: string[];
  /** Presence penalty. */
  presence_penalty?: number;
  /** Frequency penalty. */
  frequency_penalty?: number;
  /** Maximum number of tokens to generate. */
  num_predict?: number;
  /** Other native options (`top_k`, `num_ctx`, `repeat_penalty`, …). */
  [key: string]: unknown;
}

/** An `/api/chat` request body. */
export interface OllamaChatRequest {
  /** Model name, e.g. `llama3.2` or `llama3.2:3b`. */
  model: string;
  /** The conversation. */
  messages: OllamaMessage[];
  /** Always sent: Ollama streams unless told `false`. */
  stream: boolean;
  /** Tool definitions. */
  tools?: OllamaTool[];
  /** `"json"` or a JSON schema. */
  format?: "json" | Record<string, unknown>;
  /** Thinking on/off or level. */
  think?: OllamaThink;
  /** Model options. */
  options?: OllamaOptions;
  /** How long the model stays loaded (`"5m"`, seconds, `0` to unload). */
  keep_alive?: string | number;
}

/** The message of a response or stream line (every field optional). */
export interface OllamaResponseMessage {
  /** Always `"assistant"`. */
  role?: string;
  /** Text (a fragment, in a stream). */
  content?: string;
  /** Reasoning text (a fragment, in a stream). */
  thinking?: string;
  /** Tool calls, complete, arguments as an object. */
  tool_calls?: unknown[];
}

/** A non-stream `/api/chat` response, or one NDJSON line of a stream. */
export interface OllamaChatResponse {
  /** Model name. */
  model?: string;
  /** RFC 3339 timestamp. */
  created_at?: string;
  /** The message (fragment). */
  message?: OllamaResponseMessage;
  /** True on the last line. */
  done?: boolean;
  /** `stop`, `length`, `load` or `unload` (last line only). */
  done_reason?: string;
  /** Prompt tokens (may be missing when the prompt was cached). */
  prompt_eval_count?: number;
  /** Generated tokens. */
  eval_count?: number;
  /** Total time in nanoseconds. */
  total_duration?: number;
  /** Error text of a mid-stream error line. */
  error?: string;
}

/** An `/api/embed` request body. */
export interface OllamaEmbedRequest {
  /** Model name. */
  model: string;
  /** Text or texts to embed. */
  input: string | string[];
  /** Output dimensions (models that support it). */
  dimensions?: number;
  /** Truncate inputs that exceed the context length (default true upstream). */
  truncate?: boolean;
  /** How long the model stays loaded. */
  keep_alive?: string | number;
  /** Model options. */
  options?: Record<string, unknown>;
}

/** An `/api/embed` response body. */
export interface OllamaEmbedResponse {
  /** Model name. */
  model?: string;
  /** One vector per input. */
  embeddings: number[][];
  /** Tokens read. */
  prompt_eval_count?: number;
}

/** An Ollama error body. */
export interface OllamaErrorBody {
  /** The message, e.g. `model 'x' not found`. */
  error: string;
}
