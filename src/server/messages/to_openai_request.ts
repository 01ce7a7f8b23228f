/**
 * An Anthropic Messages request (`POST /v1/messages`) → an OpenAI Chat
 * Completions request, validated first the way Anthropic validates it.
 *
 * @module
 */

import { z } from "zod";
import { BadRequestError, UnsupportedParamsError } from "../../errors.ts";
import type {
  AssistantMessage,
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  FunctionTool,
  ReasoningEffort,
  TextContentPart,
  ThinkingBlock,
  ToolCall,
  ToolChoice,
} from "../../types.ts";
import { toOpenAIToolName } from "./_shared.ts";

// ------------------------------------------------------------------ schema

const IMAGE_MEDIA_TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp"] as const;
const TOOL_NAME_REGEXP = /^[a-zA-Z0-9_-]{1,128}$/;

const cacheControl = z.object({
  type: z.literal("ephemeral"),
  ttl: z.enum(["5m", "1h"]).optional(),
}).loose().nullish();

const textBlock = z.object({
  type: z.literal("text"),
  text: z.string(),
  cache_control: cacheControl,
}).loose();

const urlSource = z.object({ type: z.literal("url"), url: z.string() }).loose();
const fileSource = z.object({ type: z.literal("file"), file_id: z.string() }).loose();

const imageBlock = z.object({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [
    z.object({
      type: z.literal("base64"),
      media_type: z.enum(IMAGE_MEDIA_TYPES),
      data: z.string(),
    }).loose(),
    urlSource,
    fileSource,
  ]),
  cache_control: cacheControl,
}).loose();

const documentBlock = z.object({
  type: z.literal("document"),
  source: z.discriminatedUnion("type", [
    z.object({ type: z.literal("base64"), media_type: z.string(), data: z.string() }).loose(),
    z.object({ type: z.literal("text"), media_type: z.string().optional(), data: z.string() })
      .loose(),
    z.object({
      type: z.literal("content"),
      content: z.union([
        z.string(),
        z.array(z.discriminatedUnion("type", [textBlock, imageBlock])),
      ]),
    }).loose(),
    urlSource,
    fileSource,
  ]),
  title: z.string().nullish(),
  cache_control: cacheControl,
}).loose();

const toolUseBlock = z.object({
  type: z.literal("tool_use"),
  id: z.string(),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
}).loose();

const toolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string(),
  content: z.union([
    z.string(),
    z.array(z.discriminatedUnion("type", [textBlock, imageBlock, documentBlock])),
  ], { error: "Input should be a valid string or a list of content blocks" }).optional(),
  is_error: z.boolean().nullish(),
  cache_control: cacheControl,
}).loose();

const thinkingBlock = z.object({
  type: z.literal("thinking"),
  thinking: z.string(),
  signature: z.string(),
}).loose();

const redactedThinkingBlock = z.object({
  type: z.literal("redacted_thinking"),
  data: z.string(),
}).loose();

const contentBlock = z.discriminatedUnion("type", [
  textBlock,
  imageBlock,
  documentBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  redactedThinkingBlock,
]);

const message = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.union([z.string(), z.array(contentBlock)], {
    error: "Input should be a valid string or a list of content blocks",
  }),
}).loose();

const customTool = z.object({
  type: z.literal("custom").nullish(),
  name: z.string().regex(
    TOOL_NAME_REGEXP,
    `String should match pattern '${TOOL_NAME_REGEXP.source}'`,
  ),
  description: z.string().nullish(),
  input_schema: z.object({ type: z.literal("object") }).loose(),
  cache_control: cacheControl,
}).loose();

const disableParallel = z.boolean().nullish();
const toolChoice = z.discriminatedUnion("type", [
  z.object({ type: z.literal("auto"), disable_parallel_tool_use: disableParallel }).loose(),
  z.object({ type: z.literal("any"), disable_parallel_tool_use: disableParallel }).loose(),
  z.object({
    type: z.literal("tool"),
    name: z.string().min(1),
    disable_parallel_tool_use: disableParallel,
  }).loose(),
  z.object({ type: z.literal("none") }).loose(),
]);

const thinking = z.discriminatedUnion("type", [
  z.object({ type: z.literal("enabled"), budget_tokens: z.number().int().min(1024) }).loose(),
  z.object({ type: z.literal("disabled") }).loose(),
  z.object({ type: z.literal("adaptive") }).loose(),
]);

const outputFormat = z.object({
  type: z.literal("json_schema"),
  schema: z.record(z.string(), z.unknown()),
}).loose();

function requestSchema(requireMaxTokens: boolean) {
  const maxTokens = z.number().int().min(1);
  return z.strictObject({
    model: z.string().min(1),
    max_tokens: requireMaxTokens ? maxTokens : maxTokens.nullish(),
    messages: z.array(message).min(1, "at least one message is required"),
    system: z.union([z.string(), z.array(textBlock)], {
      error: "Input should be a valid string or a list of text blocks",
    }).nullish(),
    stop_sequences: z.array(z.string()).nullish(),
    stream: z.boolean().nullish(),
    temperature: z.number().min(0).max(1).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    top_k: z.number().int().min(0).nullish(),
    metadata: z.object({ user_id: z.string().nullish() }).loose().nullish(),
    tools: z.array(z.unknown()).nullish(),
    tool_choice: toolChoice.nullish(),
    thinking: thinking.nullish(),
    output_config: z.object({
      effort: z.enum(["low", "medium", "high", "max"]).nullish(),
      format: outputFormat.nullish(),
    }).loose().nullish(),
    output_format: outputFormat.nullish(),
    // Anthropic fields with no OpenAI counterpart: accepted and ignored.
    service_tier: z.string().nullish(),
    container: z.unknown().optional(),
    context_management: z.unknown().optional(),
    inference_geo: z.unknown().optional(),
    mcp_servers: z.array(z.unknown()).nullish(),
  });
}

const MESSAGES_SCHEMA = requestSchema(true);
const COUNT_TOKENS_SCHEMA = requestSchema(false);

type AnthropicInput = z.infer<typeof MESSAGES_SCHEMA>;
type Block = z.infer<typeof contentBlock>;
type ImageBlock = z.infer<typeof imageBlock>;
type DocumentBlock = z.infer<typeof documentBlock>;
type TextBlock = z.infer<typeof textBlock>;
type ToolResultBlock = z.infer<typeof toolResultBlock>;

// ------------------------------------------------------------------ errors

const NOUNS: Record<string, string> = {
  string: "string",
  number: "number",
  int: "integer",
  boolean: "boolean",
  array: "list",
  object: "dictionary",
  record: "dictionary",
};

function quoteList(values: readonly unknown[]): string {
  const quoted = values.map((v) => `'${String(v)}'`);
  if (quoted.length <= 1) return quoted.join("");
  return `${quoted.slice(0, -1).join(", ")} or ${quoted[quoted.length - 1]}`;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let value = root;
  for (const key of path) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function describeIssue(issue: z.core.$ZodIssue, root: unknown): { path: string; message: string } {
  let path = issue.path.map(String);
  let message: string;
  switch (issue.code) {
    case "invalid_type":
      message = valueAt(root, issue.path) === undefined
        ? "Field required"
        : `Input should be a valid ${NOUNS[issue.expected] ?? issue.expected}`;
      break;
    case "too_small":
      if (issue.origin === "array" && issue.message.startsWith("at least")) message = issue.message;
      else if (issue.origin === "array" || issue.origin === "string") {
        const unit = issue.origin === "array" ? "item" : "character";
        message = `${issue.origin === "array" ? "List" : "String"} should have at least ` +
          `${issue.minimum} ${unit}${Number(issue.minimum) === 1 ? "" : "s"}`;
      } else message = `Input should be greater than or equal to ${issue.minimum}`;
      break;
    case "too_big":
      message = `Input should be less than or equal to ${issue.maximum}`;
      break;
    case "invalid_value":
      message = `Input should be ${quoteList(issue.values)}`;
      break;
    case "unrecognized_keys":
      path = [...path, issue.keys[0]];
      message = "Extra inputs are not permitted";
      break;
    case "invalid_union": {
      const options = (issue as { options?: unknown[] }).options;
      // A plain union (text or blocks): report the branch the input got furthest into.
      const nested = issue.errors.map((branch) => branch[0]).filter((i) => i?.path.length > 0);
      if (!Array.isArray(options) && nested.length > 0) {
        const deepest = nested.reduce((a, b) => (b.path.length > a.path.length ? b : a));
        return describeIssue(
          { ...deepest, path: [...issue.path, ...deepest.path] } as z.core.$ZodIssue,
          root,
        );
      }
      if (Array.isArray(options)) {
        const tag = valueAt(root, issue.path);
        message = tag === undefined
          ? "Field required"
          : `Input tag '${String(tag)}' found using 'type' does not match any of the expected ` +
            `tags: ${quoteList(options)}`;
      } else message = issue.message;
      break;
    }
    default:
      message = issue.message;
  }
  return { path: path.join("."), message };
}

function badRequest(path: string, message: string): BadRequestError {
  return new BadRequestError(path === "" ? message : `${path}: ${message}`, {
    param: path === "" ? null : path,
  });
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, prefix: readonly PropertyKey[]): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { path, message } = describeIssue(result.error.issues[0], value);
  return fail([...prefix.map(String), path].filter((p) => p !== "").join("."), message);
}

function fail(path: string, message: string): never {
  throw badRequest(path, message);
}

// ------------------------------------------------------------------ conversion

function thinkingEffort(budget: number): ReasoningEffort {
  if (budget <= 1024) return "low";
  if (budget <= 2048) return "medium";
  return "high";
}

const OUTPUT_EFFORT: Record<string, ReasoningEffort> = {
  low: "low",
  medium: "medium",
  high: "high",
  max: "xhigh",
};

function textPart(block: TextBlock): TextContentPart {
  const part: TextContentPart = { type: "text", text: block.text };
  if (block.cache_control) {
    part.cache_control = block.cache_control as TextContentPart["cache_control"];
  }
  return part;
}

function imagePart(block: ImageBlock, path: string): ContentPart {
  const source = block.source;
  if (source.type === "base64") {
    return {
      type: "image_url",
      image_url: { url: `data:${source.media_type};base64,${source.data}` },
    };
  }
  if (source.type === "url") return { type: "image_url", image_url: { url: source.url } };
  throw new UnsupportedParamsError(
    `${path}.source: image sources of type 'file' (Anthropic Files API) are not supported`,
    { param: `${path}.source` },
  );
}

function documentParts(block: DocumentBlock, path: string): ContentPart[] {
  const source = block.source;
  switch (source.type) {
    case "base64": {
      const file: { file_data: string; filename?: string } = {
        file_data: `data:${source.media_type};base64,${source.data}`,
      };
      if (block.title) file.filename = block.title;
      return [{ type: "file", file }];
    }
    case "text":
      return [{ type: "text", text: source.data }];
    case "content":
      if (typeof source.content === "string") return [{ type: "text", text: source.content }];
      return source.content.map((b, i) =>
        b.type === "text" ? textPart(b) : imagePart(b, `${path}.source.content.${i}`)
      );
    default:
      throw new UnsupportedParamsError(
        `${path}.source: document sources of type '${source.type}' are not supported; ` +
          "send the document inline (base64 or text)",
        { param: `${path}.source` },
      );
  }
}

function userPart(block: Block, path: string): ContentPart[] {
  switch (block.type) {
    case "text":
      return [textPart(block)];
    case "image":
      return [imagePart(block, path)];
    case "document":
      return documentParts(block, path);
    default:
      return fail(`${path}.type`, `'${block.type}' blocks are not allowed in 'user' messages`);
  }
}

const ERROR_PREFIX_REGEXP = /^error\b/i;

/** A tool_result → a tool message (text), plus any images it carried (sent after, as user parts). */
function toolResult(
  block: ToolResultBlock,
  path: string,
): { message: ChatMessage; images: ContentPart[] } {
  const texts: string[] = [];
  const images: ContentPart[] = [];
  const content = block.content ?? "";
  if (typeof content === "string") texts.push(content);
  else {
    content.forEach((b, i) => {
      for (const part of userPart(b, `${path}.content.${i}`)) {
        if (part.type === "text") texts.push(part.text);
        else images.push(part);
      }
    });
  }
  let text = texts.join("\n");
  if (block.is_error === true && !ERROR_PREFIX_REGEXP.test(text)) {
    text = text === "" ? "Error" : `Error: ${text}`;
  }
  return { message: { role: "tool", tool_call_id: block.tool_use_id, content: text }, images };
}

function userMessages(content: string | Block[], path: string): ChatMessage[] {
  if (typeof content === "string") return [{ role: "user", content }];
  const tools: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  content.forEach((block, j) => {
    const where = `${path}.content.${j}`;
    if (block.type === "tool_result") {
      const { message, images } = toolResult(block, where);
      tools.push(message);
      parts.push(...images);
    } else parts.push(...userPart(block, where));
  });
  // Tool results answer the previous assistant turn, so they come first.
  if (parts.length > 0 || tools.length === 0) tools.push({ role: "user", content: parts });
  return tools;
}

function assistantMessage(content: string | Block[], path: string): AssistantMessage {
  if (typeof content === "string") return { role: "assistant", content };
  const texts: TextContentPart[] = [];
  const calls: ToolCall[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  content.forEach((block, j) => {
    switch (block.type) {
      case "text":
        texts.push(textPart(block));
        break;
      case "tool_use":
        calls.push({
          id: block.id,
          type: "function",
          function: { name: toOpenAIToolName(block.name), arguments: JSON.stringify(block.input) },
        });
        break;
      case "thinking":
        thinkingBlocks.push({
          type: "thinking",
          thinking: block.thinking,
          signature: block.signature,
        });
        break;
      case "redacted_thinking":
        thinkingBlocks.push({ type: "redacted_thinking", data: block.data });
        break;
      default:
        fail(
          `${path}.content.${j}.type`,
          `'${block.type}' blocks are not allowed in 'assistant' messages`,
        );
    }
  });
  const cached = texts.some((t) => t.cache_control !== undefined);
  const out: AssistantMessage = {
    role: "assistant",
    content: texts.length === 0 ? null : cached ? texts : texts.map((t) => t.text).join(""),
  };
  if (calls.length > 0) out.tool_calls = calls;
  if (thinkingBlocks.length > 0) out.thinking_blocks = thinkingBlocks;
  return out;
}

function convertTools(tools: readonly unknown[]): FunctionTool[] {
  return tools.map((raw, i) => {
    const type = typeof raw === "object" && raw !== null
      ? (raw as { type?: unknown }).type
      : undefined;
    if (type !== undefined && type !== null && type !== "custom") {
      throw new UnsupportedParamsError(
        `tools.${i}: Anthropic server tool '${String(type)}' is not supported by this gateway; ` +
          "declare a custom tool (name, description, input_schema) instead",
        { param: `tools.${i}.type` },
      );
    }
    const tool = parseWith(customTool, raw, ["tools", i]);
    const fn: FunctionTool["function"] = {
      name: toOpenAIToolName(tool.name),
      parameters: tool.input_schema,
    };
    if (tool.description) fn.description = tool.description;
    const out: FunctionTool = { type: "function", function: fn };
    if (tool.cache_control) out.cache_control = tool.cache_control as FunctionTool["cache_control"];
    return out;
  });
}

function convertToolChoice(
  choice: NonNullable<AnthropicInput["tool_choice"]>,
): { tool_choice: ToolChoice; parallel_tool_calls?: false } {
  let tool_choice: ToolChoice;
  switch (choice.type) {
    case "auto":
      tool_choice = "auto";
      break;
    case "any":
      tool_choice = "required";
      break;
    case "tool":
      tool_choice = { type: "function", function: { name: toOpenAIToolName(choice.name) } };
      break;
    case "none":
      return { tool_choice: "none" };
  }
  return choice.disable_parallel_tool_use === true
    ? { tool_choice, parallel_tool_calls: false }
    : { tool_choice };
}

/** Options of {@linkcode toOpenAIRequest}. */
export interface ToOpenAIRequestOptions {
  /**
   * Validate a `POST /v1/messages/count_tokens` body instead: `max_tokens`
   * becomes optional (default false).
   */
  countTokens?: boolean;
}

/**
 * Validate an Anthropic Messages request body and translate it to an OpenAI
 * Chat Completions request. A bad field is a `BadRequestError` whose message
 * names it the way Anthropic does (`max_tokens: Field required`); a feature
 * with no OpenAI counterpart (server tools, Files API sources, MCP servers)
 * is an `UnsupportedParamsError` (also 400).
 *
 * Mapping:
 * - `system` (text or text blocks) → a leading system message (blocks keep
 *   their `cache_control`);
 * - user text / image (base64 → data URL, url → `image_url`) / document
 *   (base64 → `file` part, text → text) blocks → a user message;
 *   `tool_result` blocks → `tool` messages placed before the rest of the
 *   turn (text joined; `is_error: true` prefixes `Error: `; images inside a
 *   result go into the user message that follows);
 * - assistant text → `content`; `tool_use` → `tool_calls` (arguments =
 *   `JSON.stringify(input)`); `thinking` / `redacted_thinking` →
 *   `thinking_blocks` (sent back unchanged to providers that need them);
 * - `tools` → functions (`input_schema` → `parameters`; names over 64
 *   characters are shortened with a hash, and mapped back on the way out);
 *   `tool_choice` auto/any/tool/none → `"auto"`/`"required"`/named/`"none"`;
 *   `disable_parallel_tool_use` → `parallel_tool_calls: false`;
 * - `max_tokens`, `temperature`, `top_p` as they are; `stop_sequences` →
 *   `stop`; `top_k` passes through as an extension field;
 *   `metadata.user_id` → `user`;
 * - `thinking: {type: "enabled", budget_tokens}` → `reasoning_effort`
 *   (≤ 1024 `low`, ≤ 2048 `medium`, else `high`); `disabled` and
 *   `adaptive` send none (the provider's default); `output_config.effort`
 *   (low/medium/high/max → low/medium/high/xhigh) wins over `thinking`;
 * - `output_config.format` / `output_format` json_schema →
 *   `response_format: {type: "json_schema"}`;
 * - `stream: true` → `stream: true` and `stream_options.include_usage`.
 *
 * `service_tier`, `container`, `context_management` and `inference_geo` are
 * accepted and ignored; any other unknown top-level field is rejected
 * (`Extra inputs are not permitted`), as Anthropic does.
 *
 * @example
 * ```ts
 * import { toOpenAIRequest } from "./to_openai_request.ts";
 * const req = toOpenAIRequest({
 *   model: "gpt-4o",
 *   max_tokens: 256,
 *   system: "Be brief.",
 *   messages: [{ role: "user", content: "Hi" }],
 * });
 * console.assert(req.messages[0].role === "system" && req.max_tokens === 256);
 * ```
 */
export function toOpenAIRequest(
  body: unknown,
  options: ToOpenAIRequestOptions = {},
): ChatCompletionRequest {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    fail("", "Input should be a valid dictionary");
  }
  const schema = options.countTokens ? COUNT_TOKENS_SCHEMA : MESSAGES_SCHEMA;
  const input = parseWith(schema, body, []) as AnthropicInput;

  if (input.mcp_servers && input.mcp_servers.length > 0) {
    throw new UnsupportedParamsError(
      "mcp_servers: the MCP connector is not supported by this gateway",
      { param: "mcp_servers" },
    );
  }
  const tools = input.tools ? convertTools(input.tools) : undefined;
  if (input.tool_choice && !tools) {
    fail("tool_choice", "tool_choice may only be specified while providing tools");
  }

  const messages: ChatMessage[] = [];
  if (typeof input.system === "string") {
    if (input.system !== "") messages.push({ role: "system", content: input.system });
  } else if (input.system && input.system.length > 0) {
    messages.push({ role: "system", content: input.system.map(textPart) });
  }
  input.messages.forEach((m, i) => {
    const path = `messages.${i}`;
    const last = i === input.messages.length - 1;
    if (m.content.length === 0 && !(last && m.role === "assistant")) {
      fail(
        path,
        "all messages must have non-empty content except for the optional final assistant message",
      );
    }
    if (m.role === "user") messages.push(...userMessages(m.content, path));
    else messages.push(assistantMessage(m.content, path));
  });

  const out: ChatCompletionRequest = { model: input.model, messages };
  if (input.max_tokens != null) out.max_tokens = input.max_tokens;
  if (input.stop_sequences && input.stop_sequences.length > 0) out.stop = input.stop_sequences;
  if (input.temperature != null) out.temperature = input.temperature;
  if (input.top_p != null) out.top_p = input.top_p;
  if (input.top_k != null) out.top_k = input.top_k;
  if (input.metadata?.user_id) out.user = input.metadata.user_id;
  if (tools) out.tools = tools;
  if (input.tool_choice) Object.assign(out, convertToolChoice(input.tool_choice));
  const effort = input.output_config?.effort;
  if (effort) out.reasoning_effort = OUTPUT_EFFORT[effort];
  else if (input.thinking?.type === "enabled") {
    out.reasoning_effort = thinkingEffort(input.thinking.budget_tokens);
  }
  const format = input.output_config?.format ?? input.output_format;
  if (format) {
    out.response_format = {
      type: "json_schema",
      json_schema: { name: "output", schema: format.schema },
    };
  }
  if (input.stream === true) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}

/**
 * The map from upstream function names back to the client's tool names, for
 * the tools of a request whose names had to be shortened (over 64 characters).
 * Empty for almost every request.
 */
export function toolNamesOf(body: unknown): Map<string, string> {
  const names = new Map<string, string>();
  const add = (name: unknown) => {
    if (typeof name !== "string") return;
    const short = toOpenAIToolName(name);
    if (short !== name) names.set(short, name);
  };
  if (typeof body !== "object" || body === null) return names;
  const { tools, messages } = body as { tools?: unknown; messages?: unknown };
  if (Array.isArray(tools)) { for (const t of tools) add((t as { name?: unknown } | null)?.name); }
  if (Array.isArray(messages)) {
    for (const m of messages) {
      const content = (m as { content?: unknown } | null)?.content;
      if (!Array.isArray(content)) continue;
      for (const b of content) {
        if ((b as { type?: unknown } | null)?.type === "tool_use") {
          add((b as { name?: unknown }).name);
        }
      }
    }
  }
  return names;
}
