/**
 * Amazon Bedrock Runtime wire types: the Converse / ConverseStream request
 * and response, the stream events, the error body, and the InvokeModel
 * bodies of the Titan and Cohere embedding models. Response types list only
 * the fields llmux reads; AWS adds fields often and they are ignored.
 *
 * @module
 */

/** A prompt-cache checkpoint: content before it is cached. */
export interface BedrockCachePointBlock {
  /** The checkpoint. */
  cachePoint: { type: "default" };
}

/** A text block. */
export interface BedrockTextBlock {
  /** The text; Bedrock rejects blank text. */
  text: string;
}

/** An image block with inline bytes (base64 in JSON). */
export interface BedrockImageBlock {
  /** The image. */
  image: {
    /** `png`, `jpeg`, `gif` or `webp`. */
    format: string;
    /** Inline bytes, or an S3 object. */
    source: { bytes: string } | { s3Location: { uri: string; bucketOwner?: string } };
  };
}

/** A document block with inline bytes. */
export interface BedrockDocumentBlock {
  /** The document. */
  document: {
    /** `pdf`, `csv`, `doc`, `docx`, `xls`, `xlsx`, `html`, `txt` or `md`. */
    format: string;
    /** A name (letters, digits, spaces, hyphens, parentheses, brackets). */
    name: string;
    /** Inline bytes (base64 in JSON). */
    source: { bytes: string };
  };
}

/** A tool call made by the assistant. */
export interface BedrockToolUseBlock {
  /** The call. */
  toolUse: {
    /** Call id, pattern `[a-zA-Z0-9_.:-]+`, at most 64 characters. */
    toolUseId: string;
    /** Tool name. */
    name: string;
    /** Arguments, a JSON object. */
    input: unknown;
  };
}

/** The result of a tool call, in a user turn. */
export interface BedrockToolResultBlock {
  /** The result. */
  toolResult: {
    /** The `toolUseId` this answers. */
    toolUseId: string;
    /** Result content. */
    content: ({ text: string } | { json: unknown })[];
    /** `success` or `error`. */
    status?: "success" | "error";
  };
}

/** Model reasoning, returned with a signature to send back unchanged. */
export interface BedrockReasoningBlock {
  /** The reasoning. */
  reasoningContent:
    | { reasoningText: { text: string; signature?: string } }
    | { redactedContent: string };
}

/** Any block llmux sends in a message. */
export type BedrockContentBlock =
  | BedrockTextBlock
  | BedrockImageBlock
  | BedrockDocumentBlock
  | BedrockToolUseBlock
  | BedrockToolResultBlock
  | BedrockReasoningBlock
  | BedrockCachePointBlock;

/** One turn of the conversation. */
export interface BedrockMessage {
  /** Only `user` and `assistant`; they must alternate, starting with `user`. */
  role: "user" | "assistant";
  /** The blocks of the turn. */
  content: BedrockContentBlock[];
}

/** A system prompt block. */
export type BedrockSystemBlock = BedrockTextBlock | BedrockCachePointBlock;

/** Generation settings common to every model. */
export interface BedrockInferenceConfig {
  /** Output token limit. */
  maxTokens?: number;
  /** Sampling temperature. */
  temperature?: number;
  /** Nucleus sampling. */
  topP?: number;
  /** Stop sequences (at most 4 on most models). */
  stopSequences?: string[];
}

/** A tool definition. */
export type BedrockTool =
  | {
    /** The specification. */
    toolSpec: {
      /** Name, `[a-zA-Z0-9_-]+`, at most 64 characters. */
      name: string;
      /** What the tool does. */
      description?: string;
      /** JSON Schema of the input. */
      inputSchema: { json: Record<string, unknown> };
    };
  }
  | BedrockCachePointBlock;

/** How the model may use tools. */
export type BedrockToolChoice =
  | { auto: Record<string, never> }
  | { any: Record<string, never> }
  | { tool: { name: string } };

/** Tools and tool choice. */
export interface BedrockToolConfig {
  /** The tools. */
  tools: BedrockTool[];
  /** The choice; `any` and `tool` only on some models (Anthropic, Mistral Large, Nova). */
  toolChoice?: BedrockToolChoice;
}

/** The body of `POST /model/{modelId}/converse` (and `/converse-stream`). */
export interface BedrockConverseRequest {
  /** The conversation. */
  messages: BedrockMessage[];
  /** System prompt blocks. */
  system?: BedrockSystemBlock[];
  /** Generation settings. */
  inferenceConfig?: BedrockInferenceConfig;
  /** Tools. */
  toolConfig?: BedrockToolConfig;
  /** Model-specific fields (e.g. Anthropic `thinking`, `top_k`). */
  additionalModelRequestFields?: Record<string, unknown>;
}

/** Token usage; `inputTokens` excludes cache reads and writes. */
export interface BedrockTokenUsage {
  /** Uncached input tokens. */
  inputTokens?: number;
  /** Output tokens. */
  outputTokens?: number;
  /** Total tokens. */
  totalTokens?: number;
  /** Input tokens read from the prompt cache. */
  cacheReadInputTokens?: number;
  /** Input tokens written to the prompt cache. */
  cacheWriteInputTokens?: number;
}

/** A non-streaming Converse response. */
export interface BedrockConverseResponse {
  /** The answer. */
  output: { message?: { role: "assistant"; content: Record<string, unknown>[] } };
  /** Why generation stopped. */
  stopReason: string;
  /** Token usage. */
  usage?: BedrockTokenUsage;
  /** Latency. */
  metrics?: { latencyMs?: number };
}

/** The error body of every Bedrock operation (`x-amzn-errortype` names the exception). */
export interface BedrockErrorBody {
  /** Human-readable message (some services write `Message`). */
  message?: string;
  /** Exception name, on some errors (`com.amazon.coral.service#…`). */
  __type?: string;
  /** The model's own status, on `ModelErrorException` / `modelStreamErrorException`. */
  originalStatusCode?: number;
  /** The model's own message. */
  originalMessage?: string;
}

/** The events of a ConverseStream; the key is the `:event-type` header. */
export interface BedrockStreamEvents {
  /** Start of the message. */
  messageStart: { role: "assistant" };
  /** Start of a block; only tool-use blocks announce themselves. */
  contentBlockStart: {
    contentBlockIndex: number;
    start: { toolUse?: { toolUseId: string; name: string } };
  };
  /** A piece of a block. */
  contentBlockDelta: {
    contentBlockIndex: number;
    delta: {
      text?: string;
      toolUse?: { input: string };
      reasoningContent?: { text?: string; signature?: string; redactedContent?: string };
    };
  };
  /** End of a block. */
  contentBlockStop: { contentBlockIndex: number };
  /** End of the message. */
  messageStop: { stopReason: string; additionalModelResponseFields?: unknown };
  /** Usage and metrics, after `messageStop`. */
  metadata: { usage?: BedrockTokenUsage; metrics?: { latencyMs?: number } };
}

/** Titan Text Embeddings request (`amazon.titan-embed-text-v1` / `-v2:0`). */
export interface BedrockTitanEmbedRequest {
  /** The one text to embed. */
  inputText: string;
  /** Output size, v2 only: 256, 512 or 1024. */
  dimensions?: number;
  /** Normalise the vector, v2 only. */
  normalize?: boolean;
}

/** Titan Text Embeddings response. */
export interface BedrockTitanEmbedResponse {
  /** The vector. */
  embedding: number[];
  /** Tokens in the input. */
  inputTextTokenCount: number;
}

/** Cohere Embed request (`cohere.embed-english-v3`, `cohere.embed-multilingual-v3`). */
export interface BedrockCohereEmbedRequest {
  /** Up to 96 texts. */
  texts: string[];
  /** `search_document`, `search_query`, `classification` or `clustering`. */
  input_type: string;
  /** `NONE`, `START` or `END`. */
  truncate?: string;
  /** Vector encodings to return. */
  embedding_types?: string[];
}

/** Cohere Embed response. */
export interface BedrockCohereEmbedResponse {
  /** One vector per text (or, with `embedding_types`, vectors by type). */
  embeddings: number[][] | Record<string, number[][]>;
  /** Response id. */
  id?: string;
  /** `embeddings_floats` or `embeddings_by_type`. */
  response_type?: string;
  /** The texts, echoed. */
  texts?: string[];
}
