/**
 * OpenAI Chat Completions request → Cohere v2 `/v2/chat` body.
 *
 * @module
 */

import type {
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  FunctionTool,
  ReasoningEffort,
  ResponseFormat,
  TextContentPart,
  ToolChoice,
} from "../../types.ts";
import { BadRequestError } from "../../errors.ts";
import type { RequestContext } from "../types.ts";
import type {
  CohereChatRequest,
  CohereImageContent,
  CohereMessage,
  CohereResponseFormat,
  CohereTextContent,
  CohereThinking,
  CohereTool,
} from "./api_types.ts";

/** Thinking budgets per `reasoning_effort` (`none` turns thinking off). */
export const COHERE_THINKING_BUDGETS: Readonly<Record<ReasoningEffort, number>> = {
  none: 0,
  minimal: 1024,
  low: 1024,
  medium: 2048,
  high: 4096,
  xhigh: 8192,
};

/** What the converters name in errors: the provider and the model as requested. */
export type CohereErrorScope = Pick<RequestContext, "provider" | "requestedModel">;

function fail(ctx: CohereErrorScope, message: string, param: string): never {
  throw new BadRequestError(`Cannot call provider "${ctx.provider}": ${message}`, {
    provider: ctx.provider,
    model: ctx.requestedModel,
    param,
  });
}

function textParts(parts: readonly TextContentPart[]): CohereTextContent[] {
  return parts.map((p) => ({ type: "text", text: p.text }));
}

function textOf(content: string | readonly TextContentPart[] | null | undefined): string {
  if (typeof content === "string") return content;
  return (content ?? []).map((p) => p.text).join("");
}

function userContent(
  content: string | ContentPart[],
  index: number,
  ctx: CohereErrorScope,
): string | (CohereTextContent | CohereImageContent)[] {
  if (typeof content === "string") return content;
  return content.map((part, j): CohereTextContent | CohereImageContent => {
    if (part.type === "text") return { type: "text", text: part.text };
    if (part.type === "image_url") {
      const image: CohereImageContent = {
        type: "image_url",
        image_url: { url: part.image_url.url },
      };
      if (part.image_url.detail) image.image_url.detail = part.image_url.detail;
      return image;
    }
    return fail(
      ctx,
      `content parts of type "${part.type}" are not supported (text and image_url only)`,
      `messages.${index}.content.${j}`,
    );
  });
}

/**
 * Convert the conversation. System and developer messages become `system`
 * messages in place; assistant tool calls keep OpenAI's shape, with the
 * turn's text (or its `reasoning_content`) as `tool_plan`; tool results are
 * `tool` messages with `tool_call_id`. Empty assistant turns are left out;
 * legacy `function` messages are rejected.
 *
 * @example
 * ```ts
 * import { toCohereMessages } from "./convert_request.ts";
 * const ctx = { provider: "cohere", requestedModel: "cohere/command-a-03-2025" };
 * const messages = toCohereMessages([
 *   { role: "system", content: "Be brief." },
 *   { role: "user", content: "Hi" },
 * ], ctx);
 * console.assert(messages[0].role === "system" && messages[1].content === "Hi");
 * ```
 */
export function toCohereMessages(
  messages: readonly ChatMessage[],
  ctx: CohereErrorScope,
): CohereMessage[] {
  const out: CohereMessage[] = [];
  messages.forEach((m, i) => {
    switch (m.role) {
      case "system":
      case "developer":
        out.push({
          role: "system",
          content: typeof m.content === "string" ? m.content : textParts(m.content),
        });
        return;
      case "user":
        out.push({ role: "user", content: userContent(m.content, i, ctx) });
        return;
      case "assistant": {
        const text = textOf(m.content);
        if (m.tool_calls && m.tool_calls.length > 0) {
          const plan = text !== ""
            ? text
            : typeof m.reasoning_content === "string"
            ? m.reasoning_content
            : "";
          out.push({
            role: "assistant",
            ...(plan !== "" ? { tool_plan: plan } : {}),
            tool_calls: m.tool_calls.map((call) => ({
              id: call.id,
              type: "function",
              function: { name: call.function.name, arguments: call.function.arguments },
            })),
          });
        } else if (text !== "") {
          out.push({
            role: "assistant",
            content: typeof m.content === "string" ? m.content : textParts(m.content ?? []),
          });
        }
        return;
      }
      case "tool":
        out.push({
          role: "tool",
          tool_call_id: m.tool_call_id,
          content: typeof m.content === "string" ? m.content : textParts(m.content),
        });
        return;
      default:
        fail(
          ctx,
          `messages with role "${m.role}" are not supported; use tool messages`,
          `messages.${i}.role`,
        );
    }
  });
  return out;
}

function toCohereTool(tool: FunctionTool): CohereTool {
  const fn: CohereTool["function"] = { name: tool.function.name };
  if (tool.function.description !== undefined) fn.description = tool.function.description;
  if (tool.function.parameters !== undefined) fn.parameters = tool.function.parameters;
  return { type: "function", function: fn };
}

/**
 * `tool_choice` → Cohere: `auto` (or absent) sends nothing, `none` →
 * `NONE`, `required` → `REQUIRED`, a named function → `REQUIRED` with only
 * that tool sent.
 */
export function toCohereToolChoice(
  choice: ToolChoice | undefined,
  tools: readonly FunctionTool[],
  ctx: CohereErrorScope,
): { toolChoice?: "REQUIRED" | "NONE"; tools: readonly FunctionTool[] } {
  if (choice === undefined || choice === "auto") return { tools };
  if (choice === "none") return { toolChoice: "NONE", tools };
  if (choice === "required") return { toolChoice: "REQUIRED", tools };
  const named = tools.filter((t) => t.function.name === choice.function.name);
  if (named.length === 0) {
    fail(ctx, `tool_choice names "${choice.function.name}", which is not in tools`, "tool_choice");
  }
  return { toolChoice: "REQUIRED", tools: named };
}

/** `response_format` → Cohere (`json_schema` → `json_object` with `json_schema`). */
export function toCohereResponseFormat(format: ResponseFormat): CohereResponseFormat | undefined {
  if (format.type === "json_object") return { type: "json_object" };
  if (format.type === "json_schema") {
    const schema = format.json_schema.schema;
    return schema ? { type: "json_object", json_schema: schema } : { type: "json_object" };
  }
  return undefined;
}

/**
 * Convert a whole request. Mapped fields: `max_completion_tokens` ??
 * `max_tokens` → `max_tokens`, `stop` → `stop_sequences`, `top_p` → `p`,
 * `temperature`, `seed`, `frequency_penalty`, `presence_penalty`, tools
 * (`strict: true` on any tool → `strict_tools: true`), `tool_choice`,
 * `response_format`, `reasoning_effort` → `thinking` (budgets from
 * {@linkcode COHERE_THINKING_BUDGETS}). LiteLLM-style extension fields:
 * `top_k` → `k`, `safety_mode`, and a native `thinking` object (which wins
 * over `reasoning_effort`).
 *
 * @example
 * ```ts
 * import { toCohereRequest } from "./convert_request.ts";
 * const ctx = { provider: "cohere", model: "command-a-03-2025", requestedModel: "cohere/command-a-03-2025", stream: false } as never;
 * const body = toCohereRequest({ model: "x", messages: [{ role: "user", content: "Hi" }], top_p: 0.9, stop: "END" }, ctx);
 * console.assert(body.p === 0.9 && body.stop_sequences?.[0] === "END");
 * ```
 */
export function toCohereRequest(
  req: ChatCompletionRequest,
  ctx: RequestContext,
): CohereChatRequest {
  const body: CohereChatRequest = {
    model: ctx.model,
    messages: toCohereMessages(req.messages, ctx),
  };
  if (ctx.stream) body.stream = true;
  if (req.tools && req.tools.length > 0) {
    const { toolChoice, tools } = toCohereToolChoice(req.tool_choice, req.tools, ctx);
    body.tools = tools.map(toCohereTool);
    if (toolChoice) body.tool_choice = toolChoice;
    if (tools.some((t) => t.function.strict === true)) body.strict_tools = true;
  }
  if (req.response_format) {
    const format = toCohereResponseFormat(req.response_format);
    if (format) body.response_format = format;
  }
  const maxTokens = req.max_completion_tokens ?? req.max_tokens;
  if (typeof maxTokens === "number") body.max_tokens = maxTokens;
  if (typeof req.stop === "string") body.stop_sequences = [req.stop];
  else if (Array.isArray(req.stop) && req.stop.length > 0) body.stop_sequences = req.stop;
  if (typeof req.temperature === "number") body.temperature = req.temperature;
  if (typeof req.top_p === "number") body.p = req.top_p;
  if (typeof req.top_k === "number") body.k = req.top_k;
  if (typeof req.seed === "number") body.seed = req.seed;
  if (typeof req.frequency_penalty === "number") body.frequency_penalty = req.frequency_penalty;
  if (typeof req.presence_penalty === "number") body.presence_penalty = req.presence_penalty;
  if (typeof req.safety_mode === "string") body.safety_mode = req.safety_mode;
  const thinking = req.thinking as CohereThinking | undefined;
  if (thinking && (thinking.type === "enabled" || thinking.type === "disabled")) {
    body.thinking = thinking;
  } else if (req.reasoning_effort) {
    body.thinking = req.reasoning_effort === "none"
      ? { type: "disabled" }
      : { type: "enabled", token_budget: COHERE_THINKING_BUDGETS[req.reasoning_effort] };
  }
  return body;
}
