/**
 * OpenAI Chat Completions request → Anthropic Messages request: system
 * hoisting, content blocks, tool calls and results, tools and tool choice,
 * JSON mode as a forced tool, thinking, and the required `max_tokens`.
 *
 * @module
 */

import type {
  AssistantMessage,
  ChatCompletionRequest,
  ContentPart,
  FunctionTool,
  ReasoningEffort,
  TextContentPart,
  ThinkingBlock,
  ToolChoice,
} from "../../types.ts";
import type { RequestContext } from "../types.ts";
import { BadRequestError } from "../../errors.ts";
import { isRecord, parseToolArguments } from "../../_json.ts";
import type {
  AnthropicCacheControl,
  AnthropicContentBlock,
  AnthropicImageBlock,
  AnthropicMessage,
  AnthropicRequest,
  AnthropicTextBlock,
  AnthropicThinkingConfig,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolResultBlock,
} from "./api_types.ts";

/** `max_tokens` sent when the caller gives neither `max_completion_tokens` nor `max_tokens`. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/**
 * Name of the tool that carries `response_format` answers (the name LiteLLM
 * uses). It is reserved: a caller's own tool may not use it.
 */
export const ANTHROPIC_JSON_TOOL_NAME = "json_tool_call";

/** Thinking budget per `reasoning_effort` (`null`: thinking off). */
export const ANTHROPIC_THINKING_BUDGETS: Readonly<Record<ReasoningEffort, number | null>> = {
  none: null,
  minimal: 1024,
  low: 1024,
  medium: 2048,
  high: 4096,
  xhigh: 8192,
};

const EMPTY_OBJECT_SCHEMA = { type: "object", properties: {} } as const;
const ANY_OBJECT_SCHEMA = { type: "object", additionalProperties: true } as const;

function fail(ctx: RequestContext, message: string, param: string | null): never {
  throw new BadRequestError(`Cannot call provider "${ctx.provider}": ${message}`, {
    provider: ctx.provider,
    model: ctx.requestedModel,
    param,
  });
}

function textBlock(text: string, cache?: AnthropicCacheControl): AnthropicTextBlock {
  const block: AnthropicTextBlock = { type: "text", text };
  if (cache) block.cache_control = cache;
  return block;
}

/** Text content as text blocks, empty texts dropped (the API rejects them). */
function toTextBlocks(
  content: string | TextContentPart[] | null | undefined,
): AnthropicTextBlock[] {
  if (content === null || content === undefined) return [];
  if (typeof content === "string") return content === "" ? [] : [textBlock(content)];
  const out: AnthropicTextBlock[] = [];
  for (const part of content) {
    if (part.type === "text" && part.text !== "") {
      out.push(textBlock(part.text, part.cache_control));
    }
  }
  return out;
}

function cacheOf(part: unknown): AnthropicCacheControl | undefined {
  return isRecord(part) && isRecord(part.cache_control)
    ? part.cache_control as unknown as AnthropicCacheControl
    : undefined;
}

/** Split `data:<mime>;base64,<data>`; undefined when the URL is not base64 data. */
function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const comma = url.indexOf(",");
  if (!url.startsWith("data:") || comma === -1) return undefined;
  const header = url.slice(5, comma);
  if (!header.endsWith(";base64")) return undefined;
  const mediaType = header.slice(0, header.indexOf(";"));
  return mediaType === "" ? undefined : { mediaType, data: url.slice(comma + 1) };
}

function toUserBlocks(
  content: string | ContentPart[],
  index: number,
  ctx: RequestContext,
): AnthropicContentBlock[] {
  if (typeof content === "string") return content === "" ? [] : [textBlock(content)];
  const out: AnthropicContentBlock[] = [];
  for (let j = 0; j < content.length; j++) {
    const part = content[j];
    const where = `messages[${index}].content[${j}]`;
    if (part.type === "text") {
      if (part.text !== "") out.push(textBlock(part.text, part.cache_control));
    } else if (part.type === "image_url") {
      const url = part.image_url.url;
      const inline = parseDataUrl(url);
      let block: AnthropicImageBlock;
      if (inline) {
        block = {
          type: "image",
          source: { type: "base64", media_type: inline.mediaType, data: inline.data },
        };
      } else if (url.startsWith("https://") || url.startsWith("http://")) {
        block = { type: "image", source: { type: "url", url } };
      } else {
        fail(ctx, `${where}.image_url.url must be an http(s) URL or a base64 data URL`, where);
      }
      const cache = cacheOf(part);
      if (cache) block.cache_control = cache;
      out.push(block);
    } else if (part.type === "file") {
      const inline = part.file.file_data === undefined
        ? undefined
        : parseDataUrl(part.file.file_data);
      if (!inline) fail(ctx, `${where}.file needs file_data as a base64 data URL`, where);
      out.push({
        type: "document",
        source: { type: "base64", media_type: inline.mediaType, data: inline.data },
      });
    } else {
      fail(ctx, `${where} has type "${part.type}", which Anthropic does not accept`, where);
    }
  }
  return out;
}

function toThinkingBlocks(blocks: ThinkingBlock[] | undefined): AnthropicContentBlock[] {
  if (!blocks) return [];
  return blocks.map((b): AnthropicContentBlock =>
    b.type === "redacted_thinking"
      ? { type: "redacted_thinking", data: b.data ?? "" }
      : { type: "thinking", thinking: b.thinking ?? "", signature: b.signature ?? "" }
  );
}

function parseArguments(
  text: string,
  where: string,
  index: number,
  ctx: RequestContext,
): Record<string, unknown> {
  let input: unknown;
  try {
    input = parseToolArguments(text);
  } catch {
    fail(ctx, `messages[${index}] has tool call arguments that are not valid JSON`, where);
  }
  if (!isRecord(input)) {
    fail(ctx, `messages[${index}] has tool call arguments that are not a JSON object`, where);
  }
  return input;
}

/** Legacy `function_call` on an assistant message (not in the typed shape). */
function legacyFunctionCall(m: AssistantMessage): { name: string; arguments: string } | undefined {
  const call = (m as unknown as Record<string, unknown>).function_call;
  return isRecord(call) && typeof call.name === "string"
    ? { name: call.name, arguments: typeof call.arguments === "string" ? call.arguments : "" }
    : undefined;
}

function toAssistantBlocks(
  m: AssistantMessage,
  index: number,
  ctx: RequestContext,
  callIds: Map<string, string>,
): AnthropicContentBlock[] {
  const out = toThinkingBlocks(m.thinking_blocks);
  for (const block of toTextBlocks(m.content)) out.push(block);
  const calls = m.tool_calls ?? [];
  for (let j = 0; j < calls.length; j++) {
    const call = calls[j];
    const where = `messages.${index}.tool_calls.${j}.function.arguments`;
    const input = parseArguments(call.function.arguments, where, index, ctx);
    out.push({ type: "tool_use", id: call.id, name: call.function.name, input });
    callIds.set(call.function.name, call.id);
  }
  const legacy = legacyFunctionCall(m);
  if (legacy) {
    const id = `toolu_fn_${index}`;
    const where = `messages.${index}.function_call.arguments`;
    const input = parseArguments(legacy.arguments, where, index, ctx);
    out.push({ type: "tool_use", id, name: legacy.name, input });
    callIds.set(legacy.name, id);
  }
  return out;
}

/** Insert a tool result after the turn's leading tool results (they must come first). */
function pushToolResult(turn: AnthropicContentBlock[], block: AnthropicToolResultBlock): void {
  let at = 0;
  while (at < turn.length && turn[at].type === "tool_result") at++;
  if (at === turn.length) turn.push(block);
  else turn.splice(at, 0, block);
}

function toolResult(
  id: string,
  content: string | TextContentPart[] | null,
): AnthropicToolResultBlock {
  const block: AnthropicToolResultBlock = { type: "tool_result", tool_use_id: id };
  if (typeof content === "string") {
    if (content !== "") block.content = content;
  } else {
    const blocks = toTextBlocks(content);
    if (blocks.length > 0) block.content = blocks;
  }
  return block;
}

/** The converted conversation: hoisted system text and user/assistant turns. */
export interface AnthropicConversation {
  /** System text blocks, in order. */
  system: AnthropicTextBlock[];
  /** Turns, same-role neighbours merged. */
  messages: AnthropicMessage[];
}

/**
 * Convert OpenAI messages to Anthropic turns. System and developer messages
 * are hoisted wherever they appear; tool results (and legacy function
 * results) become `tool_result` blocks at the head of one user turn, with a
 * following user message merged after them; neighbouring turns of the same
 * role are merged; empty text is dropped.
 *
 * @example
 * ```ts
 * import { toAnthropicMessages } from "./convert_request.ts";
 * const ctx = { provider: "anthropic", requestedModel: "anthropic/claude" } as never;
 * const { system, messages } = toAnthropicMessages(
 *   [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
 *   ctx,
 * );
 * console.assert(system[0].text === "Be brief." && messages[0].role === "user");
 * ```
 */
export function toAnthropicMessages(
  messages: ChatCompletionRequest["messages"],
  ctx: RequestContext,
): AnthropicConversation {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  let callIds = new Map<string, string>();
  function turn(role: "user" | "assistant"): AnthropicContentBlock[] {
    const last = turns[turns.length - 1];
    if (last !== undefined && last.role === role) return last.content;
    const created: AnthropicMessage = { role, content: [] };
    turns.push(created);
    return created.content;
  }
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    switch (m.role) {
      case "system":
      case "developer":
        for (const block of toTextBlocks(m.content)) system.push(block);
        break;
      case "user": {
        const blocks = toUserBlocks(m.content, i, ctx);
        if (blocks.length > 0) {
          const content = turn("user");
          for (const block of blocks) content.push(block);
        }
        break;
      }
      case "assistant": {
        callIds = new Map();
        const blocks = toAssistantBlocks(m, i, ctx, callIds);
        if (blocks.length > 0) {
          const content = turn("assistant");
          for (const block of blocks) content.push(block);
        }
        break;
      }
      case "tool":
        pushToolResult(turn("user"), toolResult(m.tool_call_id, m.content));
        break;
      case "function": {
        const id = callIds.get(m.name);
        if (id === undefined) {
          fail(
            ctx,
            `messages[${i}] answers function "${m.name}", which the previous assistant turn did not call`,
            `messages.${i}`,
          );
        }
        pushToolResult(turn("user"), toolResult(id, m.content));
        break;
      }
      default:
        fail(
          ctx,
          `messages[${i}] has role "${(m as { role: string }).role}"`,
          `messages.${i}.role`,
        );
    }
  }
  return { system, messages: turns };
}

function toSystem(blocks: AnthropicTextBlock[]): string | AnthropicTextBlock[] | undefined {
  if (blocks.length === 0) return undefined;
  if (blocks.some((b) => b.cache_control !== undefined)) return blocks;
  return blocks.length === 1 ? blocks[0].text : blocks.map((b) => b.text).join("\n\n");
}

function toAnthropicTool(tool: FunctionTool, index: number, ctx: RequestContext): AnthropicTool {
  if (tool.type !== "function") {
    fail(
      ctx,
      `tools[${index}] has type "${tool.type}"; only function tools are supported`,
      "tools",
    );
  }
  const fn = tool.function;
  if (fn.name === ANTHROPIC_JSON_TOOL_NAME) {
    fail(ctx, `tool name "${ANTHROPIC_JSON_TOOL_NAME}" is reserved for response_format`, "tools");
  }
  let schema: Record<string, unknown> = fn.parameters ?? EMPTY_OBJECT_SCHEMA;
  if (schema.type === undefined) schema = { type: "object", ...schema };
  const out: AnthropicTool = { name: fn.name, input_schema: schema };
  if (fn.description !== undefined) out.description = fn.description;
  if (tool.cache_control) out.cache_control = tool.cache_control;
  return out;
}

function toAnthropicToolChoice(
  choice: ToolChoice | undefined,
  parallel: boolean | undefined,
): AnthropicToolChoice | undefined {
  if (choice === "none") return { type: "none" };
  let out: Exclude<AnthropicToolChoice, { type: "none" }> | undefined;
  if (choice === "auto") out = { type: "auto" };
  else if (choice === "required") out = { type: "any" };
  else if (choice !== undefined) out = { type: "tool", name: choice.function.name };
  if (parallel === false) {
    out ??= { type: "auto" };
    out.disable_parallel_tool_use = true;
  }
  return out;
}

function toThinking(req: ChatCompletionRequest, ctx: RequestContext) {
  if (isRecord(req.thinking)) return req.thinking as unknown as AnthropicThinkingConfig;
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
  return budget === null ? undefined : { type: "enabled", budget_tokens: budget } as const;
}

/**
 * Build the Anthropic request body.
 *
 * Decisions where OpenAI and Anthropic differ:
 * - `max_tokens` is required: `max_completion_tokens` ?? `max_tokens` ??
 *   {@linkcode ANTHROPIC_DEFAULT_MAX_TOKENS}. With thinking on, a limit not
 *   above the budget is raised by the budget (thinking counts towards it).
 * - `temperature` above 1 is clamped to 1 (Anthropic's range is 0–1); with
 *   thinking on, `temperature` and `top_k` are not sent (the API rejects them).
 * - `response_format` `json_schema`/`json_object` adds the reserved tool
 *   {@linkcode ANTHROPIC_JSON_TOOL_NAME} and forces it (`auto` when thinking
 *   is on, or the caller's own choice when the caller also sends tools).
 * - `reasoning_effort` → `thinking.budget_tokens` from
 *   {@linkcode ANTHROPIC_THINKING_BUDGETS}; a native `thinking` object wins.
 *
 * @example
 * ```ts
 * import { toAnthropicRequest } from "./convert_request.ts";
 * const ctx = { provider: "anthropic", model: "claude-sonnet-4-5", stream: false } as never;
 * const body = toAnthropicRequest({ model: "x", messages: [{ role: "user", content: "Hi" }] }, ctx);
 * console.assert(body.max_tokens === 4096);
 * ```
 */
export function toAnthropicRequest(
  req: ChatCompletionRequest,
  ctx: RequestContext,
): AnthropicRequest {
  const conversation = toAnthropicMessages(req.messages, ctx);
  if (conversation.messages.length === 0) {
    fail(ctx, "the request has no non-empty user or assistant message", "messages");
  }
  const thinking = toThinking(req, ctx);
  const thinkingOn = thinking?.type === "enabled";
  let maxTokens = req.max_completion_tokens ?? req.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS;
  if (thinking?.type === "enabled" && maxTokens <= thinking.budget_tokens) {
    maxTokens += thinking.budget_tokens;
  }
  const body: AnthropicRequest = { model: ctx.model, max_tokens: maxTokens, messages: [] };
  const system = toSystem(conversation.system);
  if (system !== undefined) body.system = system;
  body.messages = conversation.messages;

  const tools = (req.tools ?? []).map((tool, i) => toAnthropicTool(tool, i, ctx));
  let toolChoice = tools.length > 0
    ? toAnthropicToolChoice(req.tool_choice, req.parallel_tool_calls)
    : undefined;
  const format = req.response_format;
  if (format && format.type !== "text") {
    const schema = format.type === "json_schema"
      ? format.json_schema.schema ?? ANY_OBJECT_SCHEMA
      : ANY_OBJECT_SCHEMA;
    const description = format.type === "json_schema" && format.json_schema.description
      ? format.json_schema.description
      : "Respond with the final answer as this tool's input.";
    const callerTools = tools.length > 0;
    tools.push({ name: ANTHROPIC_JSON_TOOL_NAME, description, input_schema: schema });
    if (thinkingOn) toolChoice = { type: "auto" };
    else if (!callerTools) toolChoice = { type: "tool", name: ANTHROPIC_JSON_TOOL_NAME };
  }
  if (tools.length > 0) body.tools = tools;
  if (toolChoice) body.tool_choice = toolChoice;
  if (thinking) body.thinking = thinking;

  if (!thinkingOn) {
    if (typeof req.temperature === "number") body.temperature = Math.min(req.temperature, 1);
    if (typeof req.top_k === "number") body.top_k = req.top_k;
  }
  if (typeof req.top_p === "number") body.top_p = req.top_p;
  if (typeof req.stop === "string") body.stop_sequences = [req.stop];
  else if (Array.isArray(req.stop) && req.stop.length > 0) body.stop_sequences = req.stop;
  if (typeof req.user === "string" && req.user !== "") body.metadata = { user_id: req.user };
  if (ctx.stream) body.stream = true;
  return body;
}
