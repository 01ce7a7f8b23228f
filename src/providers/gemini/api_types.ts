/**
 * Wire types of the Gemini API (Generative Language, `v1beta`), as documented
 * on ai.google.dev: `generateContent` / `streamGenerateContent` requests and
 * responses, `embedContent` / `batchEmbedContents`, and the Google RPC error
 * body. Vertex AI serves the same shapes. Only the fields llmux reads or
 * writes are typed; responses may carry more, and those are ignored.
 *
 * @module
 */

/** A JSON Schema restricted to the OpenAPI 3.0 subset Gemini accepts. */
export type GeminiSchema = Record<string, unknown>;

/** Inline bytes (base64) with their MIME type. */
export interface GeminiBlob {
  /** IANA MIME type, e.g. `image/png`. */
  mimeType: string;
  /** Base64 data. */
  data: string;
}

/** A reference to a file by URI (Files API, YouTube; `gs://` on Vertex). */
export interface GeminiFileData {
  /** IANA MIME type; optional on the wire. */
  mimeType?: string;
  /** The file's URI. */
  fileUri: string;
}

/** A function call the model asks for; `args` is always an object. */
export interface GeminiFunctionCall {
  /** Call id (often absent on the Gemini API, present on Vertex). */
  id?: string;
  /** Function name. */
  name: string;
  /** Arguments. */
  args?: Record<string, unknown>;
}

/** The result of a function call sent back to the model. */
export interface GeminiFunctionResponse {
  /** Call id, echoed when the call had one. */
  id?: string;
  /** Function name (required: Gemini matches results by name). */
  name: string;
  /** The result: must be a JSON object. */
  response: Record<string, unknown>;
}

/** One part of a content: exactly one of the data fields is set. */
export interface GeminiPart {
  /** Text. */
  text?: string;
  /** True when the text is a thought summary (response only). */
  thought?: boolean;
  /** Opaque signature of the model's reasoning, to send back unchanged. */
  thoughtSignature?: string;
  /** Inline bytes. */
  inlineData?: GeminiBlob;
  /** File reference. */
  fileData?: GeminiFileData;
  /** A function call (model turns). */
  functionCall?: GeminiFunctionCall;
  /** A function result (user turns). */
  functionResponse?: GeminiFunctionResponse;
}

/** A turn of the conversation. */
export interface GeminiContent {
  /** `user` or `model` (absent on `systemInstruction`). */
  role?: "user" | "model";
  /** The parts; never empty on requests. */
  parts: GeminiPart[];
}

/** A function the model may call. */
export interface GeminiFunctionDeclaration {
  /** Function name. */
  name: string;
  /** What it does. */
  description?: string;
  /** Parameters schema (OpenAPI subset); omitted for functions without parameters. */
  parameters?: GeminiSchema;
}

/** A tool: here, always a list of function declarations. */
export interface GeminiTool {
  /** Function declarations. */
  functionDeclarations: GeminiFunctionDeclaration[];
}

/** Function calling mode. */
export type GeminiFunctionCallingMode = "AUTO" | "ANY" | "NONE" | "VALIDATED";

/** How the model may use the declared functions. */
export interface GeminiToolConfig {
  /** Function calling configuration. */
  functionCallingConfig: {
    /** The mode. */
    mode: GeminiFunctionCallingMode;
    /** With `ANY`: the functions the model may call. */
    allowedFunctionNames?: string[];
  };
}

/** Thinking (reasoning) configuration. */
export interface GeminiThinkingConfig {
  /** Token budget for thoughts; 0 turns thinking off where the model allows it, -1 is dynamic. */
  thinkingBudget?: number;
  /** Return thought summaries as `thought: true` parts. */
  includeThoughts?: boolean;
}

/** Sampling and output options. */
export interface GeminiGenerationConfig {
  /** Stop sequences (at most 5). */
  stopSequences?: string[];
  /** Output MIME type (`application/json` for JSON mode). */
  responseMimeType?: string;
  /** Output schema (with `responseMimeType: application/json`). */
  responseSchema?: GeminiSchema;
  /** Number of candidates. */
  candidateCount?: number;
  /** Output token limit. */
  maxOutputTokens?: number;
  /** Sampling temperature. */
  temperature?: number;
  /** Nucleus sampling. */
  topP?: number;
  /** Top-k sampling. */
  topK?: number;
  /** Sampling seed. */
  seed?: number;
  /** Presence penalty. */
  presencePenalty?: number;
  /** Frequency penalty. */
  frequencyPenalty?: number;
  /** Return log probabilities of the chosen tokens. */
  responseLogprobs?: boolean;
  /** Number of top log probabilities per position. */
  logprobs?: number;
  /** Thinking configuration. */
  thinkingConfig?: GeminiThinkingConfig;
}

/** A safety setting (passed through from the `safety_settings` extension field). */
export interface GeminiSafetySetting {
  /** Harm category, e.g. `HARM_CATEGORY_HARASSMENT`. */
  category: string;
  /** Threshold, e.g. `BLOCK_ONLY_HIGH`. */
  threshold: string;
}

/** The body of `generateContent` and `streamGenerateContent`. */
export interface GeminiGenerateContentRequest {
  /** The conversation (never empty). */
  contents: GeminiContent[];
  /** System instruction (text parts only). */
  systemInstruction?: GeminiContent;
  /** Tools. */
  tools?: GeminiTool[];
  /** Tool configuration. */
  toolConfig?: GeminiToolConfig;
  /** Safety settings. */
  safetySettings?: GeminiSafetySetting[];
  /** Sampling and output options. */
  generationConfig?: GeminiGenerationConfig;
}

/** One candidate token with its log probability. */
export interface GeminiLogprobsCandidate {
  /** The token text. */
  token?: string;
  /** The token id. */
  tokenId?: number;
  /** Its log probability. */
  logProbability?: number;
}

/** Log probabilities of a candidate. */
export interface GeminiLogprobsResult {
  /** Top candidates per decoding step. */
  topCandidates?: { candidates?: GeminiLogprobsCandidate[] }[];
  /** The chosen token per decoding step. */
  chosenCandidates?: GeminiLogprobsCandidate[];
}

/** One generated answer. */
export interface GeminiCandidate {
  /** Candidate index (absent means 0 on some responses). */
  index?: number;
  /** The generated content (absent when blocked). */
  content?: { role?: string; parts?: GeminiPart[] };
  /** Why generation stopped. */
  finishReason?: string;
  /** Log probabilities, when requested. */
  logprobsResult?: GeminiLogprobsResult;
}

/** Why the prompt was blocked. */
export interface GeminiPromptFeedback {
  /** Block reason, e.g. `SAFETY`, `OTHER`, `BLOCKLIST`, `PROHIBITED_CONTENT`. */
  blockReason?: string;
}

/** Token counts. */
export interface GeminiUsageMetadata {
  /** Prompt tokens (cached content included). */
  promptTokenCount?: number;
  /** Tokens of cached content in the prompt. */
  cachedContentTokenCount?: number;
  /** Generated tokens of all candidates, thoughts excluded. */
  candidatesTokenCount?: number;
  /** Prompt tokens of tool-use results (code execution, search). */
  toolUsePromptTokenCount?: number;
  /** Thought tokens. */
  thoughtsTokenCount?: number;
  /** Everything. */
  totalTokenCount?: number;
}

/** The response of `generateContent`, and each event of `streamGenerateContent`. */
export interface GeminiGenerateContentResponse {
  /** Candidates (absent when the prompt was blocked). */
  candidates?: GeminiCandidate[];
  /** Prompt feedback. */
  promptFeedback?: GeminiPromptFeedback;
  /** Token counts (repeated with growing numbers in streams). */
  usageMetadata?: GeminiUsageMetadata;
  /** Model version that answered. */
  modelVersion?: string;
  /** Response id. */
  responseId?: string;
}

/** One `details` entry of a Google RPC error. */
export interface GeminiErrorDetail {
  /** Type URL, e.g. `type.googleapis.com/google.rpc.ErrorInfo`. */
  "@type"?: string;
  /** ErrorInfo: machine-readable reason, e.g. `API_KEY_INVALID`. */
  reason?: string;
  /** RetryInfo: delay as a protobuf Duration string, e.g. `"7s"`. */
  retryDelay?: string;
  /** Other fields. */
  [key: string]: unknown;
}

/** The Google RPC error body. */
export interface GeminiErrorBody {
  /** The error. */
  error: {
    /** HTTP status. */
    code?: number;
    /** Message for humans. */
    message?: string;
    /** RPC status, e.g. `INVALID_ARGUMENT`. */
    status?: string;
    /** Typed details. */
    details?: GeminiErrorDetail[];
  };
}

/** The body of `embedContent`. */
export interface GeminiEmbedContentRequest {
  /** `models/<id>`; required in each request of a batch, optional alone. */
  model?: string;
  /** The text to embed. */
  content: GeminiContent;
  /** Task type, e.g. `RETRIEVAL_DOCUMENT`. */
  taskType?: string;
  /** Output dimensions (truncation). */
  outputDimensionality?: number;
}

/** The body of `batchEmbedContents`. */
export interface GeminiBatchEmbedContentsRequest {
  /** One request per input, each naming the model. */
  requests: GeminiEmbedContentRequest[];
}

/** One embedding. */
export interface GeminiContentEmbedding {
  /** The vector. */
  values: number[];
}

/** The response of `embedContent`. */
export interface GeminiEmbedContentResponse {
  /** The embedding. */
  embedding: GeminiContentEmbedding;
}

/** The response of `batchEmbedContents`. */
export interface GeminiBatchEmbedContentsResponse {
  /** Embeddings, in request order. */
  embeddings: GeminiContentEmbedding[];
}

/**
 * Fields llmux adds to a tool call (LiteLLM spelling) so the Gemini thought
 * signature of a `functionCall` part can be sent back on the next turn.
 */
export interface GeminiToolCallFields {
  /** The provider-specific extras. */
  provider_specific_fields?: {
    /** The `thoughtSignature` of the `functionCall` part. */
    thought_signature?: string;
  };
}
