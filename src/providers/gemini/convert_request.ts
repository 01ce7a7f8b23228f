/**
 * OpenAI Chat Completions request → Gemini `generateContent` body. Pure
 * functions, shared with the Vertex AI adapter (same body, other URL and
 * auth).
 *
 * @module
 */

import type {
  AssistantMessage,
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  FunctionTool,
  ReasoningEffort,
  ResponseFormat,
  TextContentPart,
  ToolCall,
  ToolChoice,
} from "../../types.ts";
import { BadRequestError } from "../../errors.ts";
import { cleanGeminiSchema } from "./convert_schema.ts";
import { isRecord, parseToolArguments } from "../../_json.ts";
import type {
  GeminiContent,
  GeminiFunctionDeclaration,
  GeminiGenerateContentRequest,
  GeminiGenerationConfig,
  GeminiPart,
  GeminiSafetySetting,
  GeminiSchema,
  GeminiThinkingConfig,
  GeminiTool,
  GeminiToolCallFields,
  GeminiToolConfig,
} from "./api_types.ts";

/** Options of the request converters. */
export interface GeminiConvertOptions {
  /** Provider id named in errors (default `"gemini"`; Vertex passes its own). */
  provider?: string;
  /** Model string named in errors. */
  model?: string;
}

interface ErrorScope {
  provider: string;
  model: string | undefined;
}

/**
 * Thinking budgets per `reasoning_effort` (LiteLLM's values for low, medium
 * and high; `none` turns thinking off, `xhigh` doubles `high`).
 */
export const GEMINI_THINKING_BUDGETS: Readonly<Record<ReasoningEffort, number>> = {
  none: 0,
  minimal: 1024,
  low: 1024,
  medium: 2048,
  high: 4096,
  xhigh: 8192,
};

/**
 * The separator LiteLLM uses to carry a thought signature inside a tool-call
 * id (`call_x__thought__<signature>`); such ids are understood on input.
 */
export const GEMINI_THOUGHT_SIGNATURE_SEPARATOR = "__thought__";

const MIME_TYPES: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  html: "text/html",
  csv: "text/csv",
  json: "application/json",
  mp3: "audio/mp3",
  wav: "audio/wav",
  aac: "audio/aac",
  ogg: "audio/ogg",
  flac: "audio/flac",
  m4a: "audio/mp4",
  mp4: "video/mp4",
  mpeg: "video/mpeg",
  mov: "video/mov",
  avi: "video/avi",
  webm: "video/webm",
  wmv: "video/wmv",
  flv: "video/x-flv",
  "3gp": "video/3gpp",
};

const DATA_URL_REGEXP = /^data:([^;,]+)((?:;[^;,]*)*),([\s\S]*)$/;
const EXTENSION_REGEXP = /\.([a-z0-9]+)$/i;

/**
 * Guess a MIME type from a URL's file extension (query and fragment
 * ignored); undefined when the extension is unknown.
 *
 * @example
 * ```ts
 * import { guessGeminiMimeType } from "./convert_request.ts";
 * console.assert(guessGeminiMimeType("https://x.test/cat.JPG?size=2") === "image/jpeg");
 * ```
 */
export function guessGeminiMimeType(url: string): string | undefined {
  let path = url;
  const cut = path.search(/[?#]/);
  if (cut !== -1) path = path.slice(0, cut);
  const match = EXTENSION_REGEXP.exec(path);
  return match ? MIME_TYPES[match[1].toLowerCase()] : undefined;
}

function badRequest(message: string, scope: ErrorScope, param: string | null): BadRequestError {
  return new BadRequestError(
    `Cannot convert the request for provider "${scope.provider}": ${message}`,
    { provider: scope.provider, model: scope.model, param },
  );
}

/**
 * A media reference → part: `data:` URLs become `inlineData`; any other URL
 * becomes `fileData` with a MIME type guessed from its extension (the adapter
 * is pure and does not download: Gemini reads Files-API and YouTube URIs,
 * Vertex also `gs://`).
 */
function mediaPart(
  url: string,
  mimeType: string | undefined,
  scope: ErrorScope,
  param: string,
): GeminiPart {
  if (url.startsWith("data:")) {
    const match = DATA_URL_REGEXP.exec(url);
    if (!match || !match[2].split(";").includes("base64")) {
      throw badRequest("data URLs must be base64-encoded (data:<mime>;base64,…)", scope, param);
    }
    return { inlineData: { mimeType: mimeType ?? match[1], data: match[3] } };
  }
  const guessed = mimeType ?? guessGeminiMimeType(url);
  return { fileData: guessed ? { mimeType: guessed, fileUri: url } : { fileUri: url } };
}

function contentPart(part: ContentPart, scope: ErrorScope, param: string): GeminiPart {
  switch (part.type) {
    case "text":
      return { text: part.text };
    case "image_url":
      return mediaPart(part.image_url.url, part.image_url.format, scope, param);
    case "input_audio":
      return {
        inlineData: { mimeType: `audio/${part.input_audio.format}`, data: part.input_audio.data },
      };
    case "file": {
      const file = part.file;
      if (file.file_data !== undefined) {
        if (file.file_data.startsWith("data:")) {
          return mediaPart(file.file_data, file.format, scope, param);
        }
        const mimeType = file.format ?? guessGeminiMimeType(file.filename ?? "");
        if (!mimeType) throw badRequest("file parts need a 'format' (MIME type)", scope, param);
        return { inlineData: { mimeType, data: file.file_data } };
      }
      if (file.file_id !== undefined) {
        return mediaPart(file.file_id, file.format, scope, param);
      }
      throw badRequest("file parts need 'file_data' or 'file_id'", scope, param);
    }
    default:
      throw badRequest(
        `unsupported content part type '${(part as { type: string }).type}'`,
        scope,
        param,
      );
  }
}

function textOf(content: string | TextContentPart[] | null | undefined): string {
  if (typeof content === "string") return content;
  if (!content) return "";
  let out = "";
  for (const part of content) out += part.text;
  return out;
}

/** Split a LiteLLM-style `id__thought__signature` tool-call id. */
function signatureOf(call: ToolCall & GeminiToolCallFields): string | undefined {
  const field = call.provider_specific_fields?.thought_signature;
  if (typeof field === "string" && field !== "") return field;
  const at = call.id.indexOf(GEMINI_THOUGHT_SIGNATURE_SEPARATOR);
  if (at === -1) return undefined;
  const signature = call.id.slice(at + GEMINI_THOUGHT_SIGNATURE_SEPARATOR.length);
  return signature === "" ? undefined : signature;
}

function functionCallPart(call: ToolCall, scope: ErrorScope, param: string): GeminiPart {
  let args: unknown;
  try {
    args = parseToolArguments(call.function.arguments);
  } catch {
    throw badRequest(
      `the arguments of tool call '${call.id}' are not valid JSON`,
      scope,
      param,
    );
  }
  if (!isRecord(args)) {
    throw badRequest(
      `the arguments of tool call '${call.id}' must be a JSON object`,
      scope,
      param,
    );
  }
  const part: GeminiPart = { functionCall: { name: call.function.name, args } };
  const signature = signatureOf(call);
  if (signature !== undefined) part.thoughtSignature = signature;
  return part;
}

function functionResponsePart(name: string, content: string): GeminiPart {
  let response: Record<string, unknown> | undefined;
  const first = content.trimStart().charCodeAt(0);
  if (first === 123 /* { */) {
    try {
      const parsed: unknown = JSON.parse(content);
      if (isRecord(parsed)) response = parsed;
    } catch {
      // not JSON: wrapped below
    }
  }
  return { functionResponse: { name, response: response ?? { result: content } } };
}

/** The `systemInstruction` and `contents` of a chat. */
export interface GeminiContents {
  /** System and developer messages, hoisted (one text part each). */
  systemInstruction?: GeminiContent;
  /** The turns. */
  contents: GeminiContent[];
}

/**
 * Convert chat messages to Gemini turns. System and developer messages are
 * hoisted into `systemInstruction`; assistant turns get role `model`, their
 * tool calls become `functionCall` parts (arguments parsed to an object,
 * thought signatures restored); tool results become `functionResponse` parts
 * named after the matching assistant tool call, and consecutive results are
 * grouped in one `user` turn. Consecutive messages of the same role are
 * merged into one turn; empty assistant messages are skipped. A chat of only
 * system messages is sent as one user turn (Gemini needs `contents`).
 *
 * @example
 * ```ts
 * import { toGeminiContents } from "./convert_request.ts";
 * const out = toGeminiContents([
 *   { role: "system", content: "Be terse." },
 *   { role: "user", content: "Hi" },
 * ]);
 * console.assert(out.contents[0].role === "user");
 * console.assert(out.systemInstruction?.parts[0].text === "Be terse.");
 * ```
 */
export function toGeminiContents(
  messages: readonly ChatMessage[],
  options: GeminiConvertOptions = {},
): GeminiContents {
  const scope: ErrorScope = { provider: options.provider ?? "gemini", model: options.model };
  const toolNames = new Map<string, string>();
  for (const m of messages) {
    if (m.role === "assistant" && m.tool_calls) {
      for (const call of m.tool_calls) toolNames.set(call.id, call.function.name);
    }
  }
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  // "tool" groups function results; it is sent with role "user".
  let lastKind: "user" | "model" | "tool" | undefined;
  function push(kind: "user" | "model" | "tool", parts: GeminiPart[]): void {
    if (parts.length === 0) return;
    if (kind === lastKind) {
      const last = contents[contents.length - 1];
      for (const p of parts) last.parts.push(p);
      return;
    }
    contents.push({ role: kind === "model" ? "model" : "user", parts });
    lastKind = kind;
  }
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    const param = `messages.${i}`;
    switch (m.role) {
      case "system":
      case "developer":
        if (typeof m.content === "string") system.push({ text: m.content });
        else for (const part of m.content) system.push({ text: part.text });
        break;
      case "user":
        push(
          "user",
          typeof m.content === "string"
            ? [{ text: m.content }]
            : m.content.map((part, j) => contentPart(part, scope, `${param}.content.${j}`)),
        );
        break;
      case "assistant":
        push("model", assistantParts(m, scope, param));
        break;
      case "tool": {
        const name = toolNames.get(m.tool_call_id);
        if (name === undefined) {
          throw badRequest(
            `tool message '${m.tool_call_id}' does not answer any assistant tool call`,
            scope,
            `${param}.tool_call_id`,
          );
        }
        push("tool", [functionResponsePart(name, textOf(m.content))]);
        break;
      }
      case "function":
        push("tool", [functionResponsePart(m.name, m.content ?? "")]);
        break;
      default:
        throw badRequest(
          `unsupported message role '${(m as { role: string }).role}'`,
          scope,
          `${param}.role`,
        );
    }
  }
  if (contents.length === 0 && system.length > 0) {
    return { contents: [{ role: "user", parts: system }] };
  }
  const out: GeminiContents = { contents };
  if (system.length > 0) out.systemInstruction = { parts: system };
  return out;
}

function assistantParts(m: AssistantMessage, scope: ErrorScope, param: string): GeminiPart[] {
  const parts: GeminiPart[] = [];
  const text = textOf(m.content);
  if (text !== "") parts.push({ text });
  if (m.tool_calls) {
    for (let j = 0; j < m.tool_calls.length; j++) {
      parts.push(functionCallPart(m.tool_calls[j], scope, `${param}.tool_calls.${j}`));
    }
  }
  return parts;
}

function hasProperties(schema: GeminiSchema): boolean {
  return !(schema.type === "object" || schema.type === undefined) ||
    (isRecord(schema.properties) && Object.keys(schema.properties).length > 0) ||
    schema.anyOf !== undefined;
}

/**
 * Convert function tools to one Gemini tool of `functionDeclarations`.
 * Parameter schemas are cleaned with {@linkcode cleanGeminiSchema}; a
 * function without parameters (or with an object schema without
 * properties, which Gemini rejects) gets no `parameters`.
 */
export function toGeminiTools(tools: readonly FunctionTool[]): GeminiTool[] {
  const functionDeclarations = tools.map((tool): GeminiFunctionDeclaration => {
    const fn = tool.function;
    const declaration: GeminiFunctionDeclaration = { name: fn.name };
    if (fn.description !== undefined) declaration.description = fn.description;
    if (fn.parameters) {
      const parameters = cleanGeminiSchema(fn.parameters);
      if (hasProperties(parameters)) declaration.parameters = parameters;
    }
    return declaration;
  });
  return [{ functionDeclarations }];
}

/**
 * Convert `tool_choice`: `auto` → `AUTO`, `required` → `ANY`, `none` →
 * `NONE`, a named function → `ANY` restricted to that name.
 */
export function toGeminiToolConfig(choice: ToolChoice): GeminiToolConfig {
  if (choice === "auto") return { functionCallingConfig: { mode: "AUTO" } };
  if (choice === "required") return { functionCallingConfig: { mode: "ANY" } };
  if (choice === "none") return { functionCallingConfig: { mode: "NONE" } };
  return {
    functionCallingConfig: { mode: "ANY", allowedFunctionNames: [choice.function.name] },
  };
}

/**
 * Convert `reasoning_effort` to a thinking configuration: `none` is
 * `{thinkingBudget: 0}` (thinking off); other levels use
 * {@linkcode GEMINI_THINKING_BUDGETS} with `includeThoughts: true`, so thought
 * summaries come back as `reasoning_content`.
 */
export function toGeminiThinkingConfig(effort: ReasoningEffort): GeminiThinkingConfig {
  const thinkingBudget = GEMINI_THINKING_BUDGETS[effort];
  if (thinkingBudget === 0) return { thinkingBudget: 0 };
  return { thinkingBudget, includeThoughts: true };
}

function responseFormatConfig(format: ResponseFormat, config: GeminiGenerationConfig): void {
  if (format.type === "json_object") {
    config.responseMimeType = "application/json";
  } else if (format.type === "json_schema") {
    config.responseMimeType = "application/json";
    const schema = format.json_schema.schema;
    if (schema) config.responseSchema = cleanGeminiSchema(schema);
  }
}

/**
 * Build `generationConfig` from the sampling fields: temperature, top_p,
 * max_completion_tokens ?? max_tokens, stop, n, seed, penalties, logprobs,
 * response_format, reasoning_effort and the `top_k` extension. Undefined
 * when nothing is set.
 */
export function toGeminiGenerationConfig(
  req: ChatCompletionRequest,
): GeminiGenerationConfig | undefined {
  const config: GeminiGenerationConfig = {};
  if (req.temperature != null) config.temperature = req.temperature;
  if (req.top_p != null) config.topP = req.top_p;
  if (typeof req.top_k === "number") config.topK = req.top_k;
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (maxTokens != null) config.maxOutputTokens = maxTokens;
  if (req.stop != null) config.stopSequences = typeof req.stop === "string" ? [req.stop] : req.stop;
  if (req.n != null) config.candidateCount = req.n;
  if (req.seed != null) config.seed = req.seed;
  if (req.presence_penalty != null) config.presencePenalty = req.presence_penalty;
  if (req.frequency_penalty != null) config.frequencyPenalty = req.frequency_penalty;
  if (req.logprobs === true || req.top_logprobs != null) config.responseLogprobs = true;
  if (req.top_logprobs != null) config.logprobs = req.top_logprobs;
  if (req.response_format) responseFormatConfig(req.response_format, config);
  if (req.reasoning_effort) config.thinkingConfig = toGeminiThinkingConfig(req.reasoning_effort);
  return Object.keys(config).length > 0 ? config : undefined;
}

/**
 * Convert a whole OpenAI request to a `generateContent` body. Besides the
 * OpenAI fields, the LiteLLM extension fields `top_k` and `safety_settings`
 * are honoured; `stream` only changes the URL, not the body.
 *
 * @example
 * ```ts
 * import { toGeminiRequest } from "./convert_request.ts";
 * const body = toGeminiRequest({
 *   model: "gemini/gemini-2.5-flash",
 *   messages: [{ role: "user", content: "Hi" }],
 *   max_tokens: 10,
 * });
 * console.assert(body.generationConfig?.maxOutputTokens === 10);
 * ```
 */
export function toGeminiRequest(
  req: ChatCompletionRequest,
  options: GeminiConvertOptions = {},
): GeminiGenerateContentRequest {
  const { contents, systemInstruction } = toGeminiContents(req.messages, options);
  const body: GeminiGenerateContentRequest = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;
  if (req.tools && req.tools.length > 0) {
    body.tools = toGeminiTools(req.tools);
    if (req.tool_choice !== undefined) body.toolConfig = toGeminiToolConfig(req.tool_choice);
  }
  if (Array.isArray(req.safety_settings)) {
    body.safetySettings = req.safety_settings as GeminiSafetySetting[];
  }
  const generationConfig = toGeminiGenerationConfig(req);
  if (generationConfig) body.generationConfig = generationConfig;
  return body;
}
