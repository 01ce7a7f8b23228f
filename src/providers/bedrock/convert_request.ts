/**
 * OpenAI Chat Completions request → Bedrock Converse request: system
 * hoisting, alternating turns, content blocks (text, inline images and
 * documents, tool calls and results, reasoning), `inferenceConfig`,
 * `toolConfig`, JSON mode as a forced tool, and Anthropic thinking.
 *
 * @module
 */

import type {
  AssistantMessage,
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  FunctionTool,
  TextContentPart,
  ToolChoice,
} from "../../types.ts";
import type { RequestContext } from "../types.ts";
import { BadRequestError, UnsupportedParamsError } from "../../errors.ts";
import { isRecord, parseToolArguments } from "../../_json.ts";
import {
  ANTHROPIC_DEFAULT_MAX_TOKENS,
  ANTHROPIC_THINKING_BUDGETS,
} from "../anthropic/convert_request.ts";
import type {
  BedrockContentBlock,
  BedrockConverseRequest,
  BedrockDocumentBlock,
  BedrockImageBlock,
  BedrockInferenceConfig,
  BedrockMessage,
  BedrockSystemBlock,
  BedrockTool,
  BedrockToolChoice,
  BedrockToolConfig,
} from "./api_types.ts";
import {
  type BedrockFamily,
  bedrockFamily,
  bedrockModelId,
  supportsForcedToolChoice,
} from "./model_id.ts";

/**
 * Name of the tool that carries `response_format` answers (LiteLLM's name).
 * It is reserved: a caller's own tool may not use it.
 */
export const BEDROCK_JSON_TOOL_NAME = "json_tool_call";

/**
 * The tool sent when the conversation holds tool calls but the request may
 * not offer tools (`tool_choice: "none"`, or no `tools`): Converse rejects
 * toolUse/toolResult blocks without a `toolConfig`.
 */
export const BEDROCK_PLACEHOLDER_TOOL: BedrockTool = {
  toolSpec: {
    name: "llmux_no_tools",
    description: "Placeholder: no tools are available in this turn. Never call it.",
    inputSchema: { json: { type: "object", properties: {} } },
  },
};

const CACHE_POINT = { cachePoint: { type: "default" } } as const;
const EMPTY_OBJECT_SCHEMA = { type: "object", properties: {} } as const;
const ANY_OBJECT_SCHEMA = { type: "object", additionalProperties: true } as const;
const TOOL_ID_INVALID_REGEXP = /[^a-zA-Z0-9_.:-]/g;

const IMAGE_FORMATS: Readonly<Record<string, string>> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

const DOCUMENT_FORMATS: Readonly<Record<string, string>> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "text/html": "html",
  "text/plain": "txt",
  "text/markdown": "md",
};

function fail(ctx: RequestContext, message: string, param: string | null): never {
  throw new BadRequestError(`Cannot call provider "${ctx.provider}": ${message}`, {
    provider: ctx.provider,
    model: ctx.requestedModel,
    param,
  });
}

function unsupported(ctx: RequestContext, message: string, param: string): never {
  throw new UnsupportedParamsError(
    `Provider "${ctx.provider}" ${message}. Set drop_params: true to drop it.`,
    { provider: ctx.provider, model: ctx.requestedModel, param },
  );
}

/**
 * A tool-call id as Converse accepts it (`[a-zA-Z0-9_.:-]`, at most 64
 * characters): other characters become `_`. Applied to calls and results
 * alike, so pairs still match.
 */
export function toBedrockToolUseId(id: string): string {
  return id.replace(TOOL_ID_INVALID_REGEXP, "_").slice(0, 64);
}

/** Split `data:<mime>;base64,<data>`; undefined when the URL is not base64 data. */
function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma === -1) return undefined;
  const header = url.slice(5, comma);
  if (!header.endsWith(";base64")) return undefined;
  const mediaType = header.slice(0, header.indexOf(";")).toLowerCase();
  return mediaType === "" ? undefined : { mediaType, data: url.slice(comma + 1) };
}

function hasCache(part: unknown): boolean {
  return isRecord(part) && isRecord(part.cache_control);
}

function pushText(out: BedrockContentBlock[], part: TextContentPart): void {
  if (part.text.trim() !== "") out.push({ text: part.text });
  if (hasCache(part)) out.push(CACHE_POINT);
}

function textBlocks(content: string | TextContentPart[] | null | undefined): BedrockContentBlock[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content.trim() === "" ? [] : [{ text: content }];
  const out: BedrockContentBlock[] = [];
  for (const part of content) if (part.type === "text") pushText(out, part);
  return out;
}

function toImageBlock(url: string, where: string, ctx: RequestContext): BedrockImageBlock {
  if (url.startsWith("s3://")) {
    const ext = url.slice(url.lastIndexOf(".") + 1).toLowerCase();
    const format = IMAGE_FORMATS[`image/${ext}`];
    if (!format) fail(ctx, `${where}: cannot tell the image format of ${url}`, where);
    return { image: { format, source: { s3Location: { uri: url } } } };
  }
  const inline = parseDataUrl(url);
  if (!inline) {
    fail(
      ctx,
      `${where}.image_url.url must be a base64 data URL or an s3:// URI (Bedrock does not fetch ` +
        `http(s) images)`,
      where,
    );
  }
  const format = IMAGE_FORMATS[inline.mediaType];
  if (!format) {
    fail(
      ctx,
      `${where} has image type ${inline.mediaType}; Bedrock takes png, jpeg, gif or webp`,
      where,
    );
  }
  return { image: { format, source: { bytes: inline.data } } };
}

/** Document names may hold letters, digits, single spaces, hyphens, parentheses and brackets. */
function documentName(filename: string | undefined, index: number): string {
  const base = (filename ?? "").replace(/\.[^.]*$/, "").replace(/[^a-zA-Z0-9\s\-()[\]]/g, " ")
    .replace(/\s+/g, " ").trim();
  return base === "" ? `document ${index + 1}` : base.slice(0, 200);
}

function toUserBlocks(
  content: string | ContentPart[],
  index: number,
  ctx: RequestContext,
  documents: { count: number },
): BedrockContentBlock[] {
  if (typeof content === "string") return content.trim() === "" ? [] : [{ text: content }];
  const out: BedrockContentBlock[] = [];
  for (let j = 0; j < content.length; j++) {
    const part = content[j];
    const where = `messages[${index}].content[${j}]`;
    if (part.type === "text") {
      pushText(out, part);
    } else if (part.type === "image_url") {
      out.push(toImageBlock(part.image_url.url, where, ctx));
      if (hasCache(part)) out.push(CACHE_POINT);
    } else if (part.type === "file") {
      const inline = part.file.file_data === undefined
        ? undefined
        : parseDataUrl(part.file.file_data);
      if (!inline) fail(ctx, `${where}.file needs file_data as a base64 data URL`, where);
      const image = IMAGE_FORMATS[inline.mediaType];
      if (image) {
        out.push({ image: { format: image, source: { bytes: inline.data } } });
      } else {
        const format = DOCUMENT_FORMATS[inline.mediaType];
        if (!format) {
          fail(
            ctx,
            `${where} has file type ${inline.mediaType}, which Bedrock does not accept`,
            where,
          );
        }
        const block: BedrockDocumentBlock = {
          document: {
            format,
            name: documentName(part.file.filename, documents.count++),
            source: { bytes: inline.data },
          },
        };
        out.push(block);
      }
      if (hasCache(part)) out.push(CACHE_POINT);
    } else {
      fail(ctx, `${where} has type "${part.type}", which Bedrock Converse does not accept`, where);
    }
  }
  return out;
}

function toAssistantBlocks(
  m: AssistantMessage,
  index: number,
  ctx: RequestContext,
): BedrockContentBlock[] {
  const out: BedrockContentBlock[] = [];
  for (const b of m.thinking_blocks ?? []) {
    if (b.type === "redacted_thinking") {
      out.push({ reasoningContent: { redactedContent: b.data ?? "" } });
    } else {
      const reasoningText: { text: string; signature?: string } = { text: b.thinking ?? "" };
      if (b.signature) reasoningText.signature = b.signature;
      out.push({ reasoningContent: { reasoningText } });
    }
  }
  for (const block of textBlocks(m.content)) out.push(block);
  const calls = m.tool_calls ?? [];
  for (let j = 0; j < calls.length; j++) {
    const call = calls[j];
    const where = `messages[${index}].tool_calls[${j}].function.arguments`;
    let input: unknown;
    try {
      input = parseToolArguments(call.function.arguments);
    } catch {
      fail(ctx, `${where} is not valid JSON`, where);
    }
    if (!isRecord(input)) fail(ctx, `${where} is not a JSON object`, where);
    out.push({
      toolUse: { toolUseId: toBedrockToolUseId(call.id), name: call.function.name, input },
    });
  }
  return out;
}

function toolResultText(content: string | TextContentPart[] | null): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content.map((p) => (p.type === "text" ? p.text : "")).join("");
}

/** The system blocks and alternating turns of a conversation. */
export interface BedrockConversation {
  /** System prompt blocks (system and developer messages, in order). */
  system: BedrockSystemBlock[];
  /** User and assistant turns, consecutive same-role messages merged. */
  messages: BedrockMessage[];
  /** Whether any turn holds toolUse or toolResult blocks. */
  hasToolBlocks: boolean;
}

/**
 * Convert OpenAI messages: system and developer messages are hoisted into
 * `system`; tool results become `toolResult` blocks of a user turn (ahead of
 * any text in that turn); consecutive messages of one role are merged, as
 * Converse requires alternating turns; blank text is dropped.
 *
 * @example
 * ```ts
 * import { toBedrockMessages } from "./convert_request.ts";
 * const ctx = { provider: "bedrock", requestedModel: "bedrock/m" } as never;
 * const c = toBedrockMessages([
 *   { role: "system", content: "Be brief." },
 *   { role: "user", content: "Hi" },
 *   { role: "user", content: "Anyone?" },
 * ], ctx);
 * console.assert(c.system.length === 1 && c.messages.length === 1 && c.messages[0].content.length === 2);
 * ```
 */
export function toBedrockMessages(
  messages: readonly ChatMessage[],
  ctx: RequestContext,
): BedrockConversation {
  const system: BedrockSystemBlock[] = [];
  const out: BedrockMessage[] = [];
  const documents = { count: 0 };
  let hasToolBlocks = false;

  function turn(role: "user" | "assistant"): BedrockContentBlock[] {
    const last = out[out.length - 1];
    if (last && last.role === role) return last.content;
    const fresh: BedrockMessage = { role, content: [] };
    out.push(fresh);
    return fresh.content;
  }

  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    switch (m.role) {
      case "system":
      case "developer":
        for (const block of textBlocks(m.content)) system.push(block as BedrockSystemBlock);
        break;
      case "user": {
        const blocks = toUserBlocks(m.content, i, ctx, documents);
        if (blocks.length > 0) turn("user").push(...blocks);
        break;
      }
      case "assistant": {
        const blocks = toAssistantBlocks(m, i, ctx);
        if (blocks.some((b) => "toolUse" in b)) hasToolBlocks = true;
        if (blocks.length > 0) turn("assistant").push(...blocks);
        break;
      }
      case "tool": {
        hasToolBlocks = true;
        const blocks = turn("user");
        let at = 0;
        while (at < blocks.length && "toolResult" in blocks[at]) at++;
        blocks.splice(at, 0, {
          toolResult: {
            toolUseId: toBedrockToolUseId(m.tool_call_id),
            content: [{ text: toolResultText(m.content) }],
          },
        });
        break;
      }
      default:
        fail(
          ctx,
          `messages[${i}] has role "${
            (m as { role: string }).role
          }", which Bedrock does not accept`,
          `messages[${i}].role`,
        );
    }
  }
  // Drop turns left empty (a merged turn can only grow, so only fresh ones can be empty).
  return { system, messages: out.filter((m) => m.content.length > 0), hasToolBlocks };
}

function toBedrockTool(tool: FunctionTool, index: number, ctx: RequestContext): BedrockTool[] {
  if (tool.type !== "function" || !isRecord(tool.function)) {
    fail(ctx, `tools[${index}] must be a function tool`, `tools[${index}]`);
  }
  const name = tool.function.name;
  if (name === BEDROCK_JSON_TOOL_NAME) {
    fail(ctx, `tools[${index}] uses the reserved name "${name}"`, `tools[${index}].function.name`);
  }
  const spec: {
    name: string;
    description?: string;
    inputSchema: { json: Record<string, unknown> };
  } = {
    name,
    inputSchema: { json: tool.function.parameters ?? { ...EMPTY_OBJECT_SCHEMA } },
  };
  if (tool.function.description) spec.description = tool.function.description;
  const out: BedrockTool[] = [{ toolSpec: spec }];
  if (hasCache(tool)) out.push(CACHE_POINT);
  return out;
}

/**
 * OpenAI `tool_choice` → Converse `toolChoice`. `any` and `tool` exist only
 * on some models (Anthropic, Mistral Large, Nova); elsewhere they are an
 * {@linkcode UnsupportedParamsError}, or left out with `drop_params`.
 * `"none"` has no Converse value and is handled by leaving the tools out.
 *
 * @example
 * ```ts
 * import { toBedrockToolChoice } from "./convert_request.ts";
 * const ctx = { provider: "bedrock", requestedModel: "bedrock/m" } as never;
 * console.assert("any" in toBedrockToolChoice("required", "anthropic", "anthropic.claude-x", ctx)!);
 * ```
 */
export function toBedrockToolChoice(
  choice: ToolChoice | undefined,
  family: BedrockFamily,
  modelId: string,
  ctx: RequestContext,
): BedrockToolChoice | undefined {
  if (choice === undefined || choice === "none") return undefined;
  if (choice === "auto") return { auto: {} };
  if (!supportsForcedToolChoice(family, modelId)) {
    if (ctx.dropParams) return undefined;
    unsupported(ctx, `cannot force a tool call on model "${modelId}" (tool_choice)`, "tool_choice");
  }
  if (choice === "required") return { any: {} };
  if (isRecord(choice) && isRecord(choice.function) && typeof choice.function.name === "string") {
    return { tool: { name: choice.function.name } };
  }
  fail(ctx, "tool_choice must be none, auto, required or a named function", "tool_choice");
}

function toThinkingBudget(
  req: ChatCompletionRequest,
  family: BedrockFamily,
  ctx: RequestContext,
): number | undefined {
  const effort = req.reasoning_effort;
  if (effort === undefined || effort === null) return undefined;
  const budget = ANTHROPIC_THINKING_BUDGETS[effort];
  if (budget === undefined) {
    fail(
      ctx,
      `reasoning_effort "${effort}" is not one of none, minimal, low, medium, high, xhigh`,
      "reasoning_effort",
    );
  }
  if (budget === null) return undefined;
  if (family !== "anthropic") {
    if (ctx.dropParams) return undefined;
    unsupported(
      ctx,
      `maps reasoning_effort to thinking only for Anthropic models, not "${ctx.model}"`,
      "reasoning_effort",
    );
  }
  return budget;
}

/**
 * Convert an OpenAI request to a Converse body (the same for `/converse`
 * and `/converse-stream`).
 *
 * - `max_completion_tokens` ?? `max_tokens`, `temperature`, `top_p` and
 *   `stop` → `inferenceConfig` (`maxTokens`, `temperature`, `topP`,
 *   `stopSequences`).
 * - `tools` → `toolConfig.tools[].toolSpec` (`inputSchema.json`);
 *   `tool_choice` via {@linkcode toBedrockToolChoice}; `"none"` leaves the
 *   tools out (the placeholder tool stands in when the history holds tool
 *   calls, which Converse requires a `toolConfig` for).
 * - `response_format` json_schema / json_object → the reserved
 *   `json_tool_call` tool, forced where the model allows it and thinking is
 *   off.
 * - `reasoning_effort` on Anthropic models →
 *   `additionalModelRequestFields.thinking` (budgets as for the Anthropic
 *   adapter); `maxTokens` then defaults to 4096 and is raised by the budget
 *   when not above it, and `temperature` / `top_k` are not sent.
 * - `top_k` (extension) → `additionalModelRequestFields.top_k` (Anthropic)
 *   or `.inferenceConfig.topK` (Nova); other models ignore it.
 *
 * @example
 * ```ts
 * import { toBedrockRequest } from "./convert_request.ts";
 * const ctx = { provider: "bedrock", model: "anthropic.claude-3-haiku-20240307-v1:0", requestedModel: "bedrock/x" } as never;
 * const body = toBedrockRequest({ model: "x", messages: [{ role: "user", content: "Hi" }], max_tokens: 10 }, ctx);
 * console.assert(body.inferenceConfig?.maxTokens === 10);
 * ```
 */
export function toBedrockRequest(
  req: ChatCompletionRequest,
  ctx: RequestContext,
): BedrockConverseRequest {
  const modelId = bedrockModelId(ctx.model);
  const family = bedrockFamily(modelId);
  const conversation = toBedrockMessages(req.messages, ctx);
  if (conversation.messages.length === 0) {
    fail(ctx, "the request has no non-empty user or assistant message", "messages");
  }
  const body: BedrockConverseRequest = { messages: conversation.messages };
  if (conversation.system.length > 0) body.system = conversation.system;

  const budget = toThinkingBudget(req, family, ctx);
  const inference: BedrockInferenceConfig = {};
  let maxTokens = req.max_completion_tokens ?? req.max_tokens ?? undefined;
  if (budget !== undefined) {
    maxTokens ??= ANTHROPIC_DEFAULT_MAX_TOKENS;
    if (maxTokens <= budget) maxTokens += budget;
  }
  if (typeof maxTokens === "number") inference.maxTokens = maxTokens;
  if (typeof req.temperature === "number" && budget === undefined) {
    inference.temperature = req.temperature;
  }
  if (typeof req.top_p === "number") inference.topP = req.top_p;
  const stops = typeof req.stop === "string" ? [req.stop] : req.stop ?? [];
  const stopSequences = stops.filter((s) => s !== "");
  if (stopSequences.length > 0) inference.stopSequences = stopSequences;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;

  const toolChoice = req.tool_choice;
  const tools: BedrockTool[] = [];
  if (toolChoice !== "none") {
    (req.tools ?? []).forEach((tool, i) => tools.push(...toBedrockTool(tool, i, ctx)));
  }
  let choice = tools.length > 0 ? toBedrockToolChoice(toolChoice, family, modelId, ctx) : undefined;
  const format = req.response_format;
  if (format && format.type !== "text") {
    const schema = format.type === "json_schema"
      ? format.json_schema.schema ?? ANY_OBJECT_SCHEMA
      : ANY_OBJECT_SCHEMA;
    const description = format.type === "json_schema" && format.json_schema.description
      ? format.json_schema.description
      : "Respond with the final answer as this tool's input.";
    const callerTools = tools.length > 0;
    tools.push({
      toolSpec: {
        name: BEDROCK_JSON_TOOL_NAME,
        description,
        inputSchema: { json: { ...schema } },
      },
    });
    if (budget !== undefined || !supportsForcedToolChoice(family, modelId)) {
      if (!callerTools) choice = undefined;
    } else if (!callerTools) {
      choice = { tool: { name: BEDROCK_JSON_TOOL_NAME } };
    }
  }
  if (tools.length === 0 && conversation.hasToolBlocks) tools.push(BEDROCK_PLACEHOLDER_TOOL);
  if (tools.length > 0) {
    const toolConfig: BedrockToolConfig = { tools };
    if (choice) toolConfig.toolChoice = choice;
    body.toolConfig = toolConfig;
  }

  const additional: Record<string, unknown> = {};
  if (budget !== undefined) additional.thinking = { type: "enabled", budget_tokens: budget };
  if (typeof req.top_k === "number" && budget === undefined) {
    if (family === "anthropic") additional.top_k = req.top_k;
    else if (family === "amazon" && modelId.includes("nova")) {
      additional.inferenceConfig = { topK: req.top_k };
    }
  }
  if (Object.keys(additional).length > 0) body.additionalModelRequestFields = additional;
  return body;
}
