/**
 * OpenAI Chat Completions request → Ollama `/api/chat` body.
 *
 * Decisions where OpenAI and Ollama differ:
 * - Text parts are joined with `"\n"`; Ollama content is a plain string.
 * - Images must be base64 `data:` URLs. The adapter is pure and cannot
 *   download `http(s)` URLs, so those fail with a `BadRequestError`.
 * - `tool_choice: "auto"` and `parallel_tool_calls` are accepted and have no
 *   effect (that is Ollama's behaviour); `"none"` omits the tools; a forced
 *   tool (`"required"` or a named function) cannot be expressed and raises
 *   `UnsupportedParamsError`, or is dropped when the request context says
 *   `dropParams: true`.
 * - Tools keep the OpenAI shape minus `strict` and `cache_control`, which
 *   Ollama has no use for.
 * - `reasoning_effort`: `none` → `think: false`; `low`/`medium`/`high` → that
 *   level; `minimal` → `"low"`; `xhigh` → `"high"`.
 * - Native extras are passed on: `keep_alive`, `think` (when no
 *   `reasoning_effort`), an `options` object, and the Ollama option names in
 *   {@linkcode OLLAMA_OPTION_NAMES} given at the top level. Other unknown
 *   keys are ignored.
 *
 * @module
 */

import type {
  ChatCompletionRequest,
  ChatMessage,
  ContentPart,
  ReasoningEffort,
  TextContentPart,
  ToolCall,
} from "../../types.ts";
import type { RequestContext } from "../types.ts";
import { BadRequestError, UnsupportedParamsError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type {
  OllamaChatRequest,
  OllamaMessage,
  OllamaOptions,
  OllamaThink,
  OllamaTool,
  OllamaToolCall,
} from "./api_types.ts";

/** Ollama option names accepted at the top level of a request and moved into `options`. */
export const OLLAMA_OPTION_NAMES: readonly string[] = [
  "top_k",
  "min_p",
  "typical_p",
  "repeat_last_n",
  "repeat_penalty",
  "num_ctx",
  "num_keep",
  "num_batch",
  "num_gpu",
  "num_thread",
  "mirostat",
  "mirostat_tau",
  "mirostat_eta",
];

const THINK_BY_EFFORT: Readonly<Record<ReasoningEffort, OllamaThink>> = {
  none: false,
  minimal: "low",
  low: "low",
  medium: "medium",
  high: "high",
  xhigh: "high",
};

const DATA_URL_REGEXP = /^data:[^,;]*(?:;[^,;]*)*;base64,/i;

function badRequest(ctx: RequestContext, message: string, param: string): BadRequestError {
  return new BadRequestError(`Cannot call provider "${ctx.provider}": ${message}`, {
    provider: ctx.provider,
    model: ctx.requestedModel,
    param,
  });
}

function joinText(content: string | readonly (TextContentPart | ContentPart)[] | null | undefined) {
  if (content === null || content === undefined) return "";
  if (typeof content === "string") return content;
  let out = "";
  let first = true;
  for (const part of content) {
    if (part.type !== "text") continue;
    out += first ? part.text : `\n${part.text}`;
    first = false;
  }
  return out;
}

function toImage(url: string, ctx: RequestContext, param: string): string {
  const match = DATA_URL_REGEXP.exec(url);
  if (match) return url.slice(match[0].length);
  if (/^https?:/i.test(url)) {
    throw badRequest(
      ctx,
      "image URLs cannot be fetched for Ollama; send the image as a base64 data: URL",
      param,
    );
  }
  throw badRequest(ctx, "an image must be a base64 data: URL", param);
}

function toUserMessage(
  content: string | ContentPart[],
  ctx: RequestContext,
  at: number,
): OllamaMessage {
  if (typeof content === "string") return { role: "user", content };
  const images: string[] = [];
  for (let i = 0; i < content.length; i++) {
    const part = content[i];
    if (part.type === "text") continue;
    const param = `messages.${at}.content.${i}`;
    if (part.type === "image_url") images.push(toImage(part.image_url.url, ctx, param));
    else throw badRequest(ctx, `content parts of type "${part.type}" are not supported`, param);
  }
  const out: OllamaMessage = { role: "user", content: joinText(content) };
  if (images.length > 0) out.images = images;
  return out;
}

function toOllamaToolCall(call: ToolCall, ctx: RequestContext, param: string): OllamaToolCall {
  let args: unknown;
  const text = call.function.arguments;
  try {
    args = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw badRequest(ctx, "tool call arguments are not valid JSON", param);
  }
  if (!isRecord(args)) throw badRequest(ctx, "tool call arguments must be a JSON object", param);
  return { function: { name: call.function.name, arguments: args } };
}

function toOllamaMessages(messages: readonly ChatMessage[], ctx: RequestContext): OllamaMessage[] {
  const toolNames = new Map<string, string>();
  const out: OllamaMessage[] = [];
  for (let i = 0; i < messages.length; i++) {
    const m = messages[i];
    switch (m.role) {
      case "system":
      case "developer":
        out.push({ role: "system", content: joinText(m.content) });
        break;
      case "user":
        out.push(toUserMessage(m.content, ctx, i));
        break;
      case "assistant": {
        const msg: OllamaMessage = { role: "assistant", content: joinText(m.content) };
        if (typeof m.reasoning_content === "string" && m.reasoning_content !== "") {
          msg.thinking = m.reasoning_content;
        }
        if (m.tool_calls && m.tool_calls.length > 0) {
          msg.tool_calls = m.tool_calls.map((call, j) => {
            toolNames.set(call.id, call.function.name);
            return toOllamaToolCall(call, ctx, `messages.${i}.tool_calls.${j}.function.arguments`);
          });
        }
        out.push(msg);
        break;
      }
      case "tool": {
        const msg: OllamaMessage = { role: "tool", content: joinText(m.content) };
        const name = toolNames.get(m.tool_call_id);
        if (name !== undefined) msg.tool_name = name;
        out.push(msg);
        break;
      }
      case "function":
        out.push({ role: "tool", content: m.content ?? "", tool_name: m.name });
        break;
      default:
        throw badRequest(
          ctx,
          `unknown message role "${(m as { role: unknown }).role}"`,
          `messages.${i}.role`,
        );
    }
  }
  return out;
}

function toOllamaTools(req: ChatCompletionRequest, ctx: RequestContext): OllamaTool[] | undefined {
  const tools = req.tools;
  if (!tools || tools.length === 0) return undefined;
  const choice = req.tool_choice;
  if (choice === "none") return undefined;
  if (choice !== undefined && choice !== "auto") {
    const dropParams = "dropParams" in ctx && ctx.dropParams === true;
    if (!dropParams) {
      throw new UnsupportedParamsError(
        `Provider "${ctx.provider}" cannot force a tool call (tool_choice ${
          JSON.stringify(choice)
        }); use "auto" or "none", or leave tool_choice out`,
        { provider: ctx.provider, model: ctx.requestedModel, param: "tool_choice" },
      );
    }
  }
  return tools.map((tool) => {
    const fn: OllamaTool["function"] = { name: tool.function.name };
    if (tool.function.description !== undefined) fn.description = tool.function.description;
    if (tool.function.parameters !== undefined) fn.parameters = tool.function.parameters;
    return { type: "function", function: fn };
  });
}

function toOllamaOptions(req: ChatCompletionRequest): OllamaOptions | undefined {
  const options: OllamaOptions = {};
  const put = (name: string, value: unknown) => {
    if (value !== undefined && value !== null) options[name] = value;
  };
  put("temperature", req.temperature);
  put("top_p", req.top_p);
  put("seed", req.seed);
  put("stop", typeof req.stop === "string" ? [req.stop] : req.stop);
  put("presence_penalty", req.presence_penalty);
  put("frequency_penalty", req.frequency_penalty);
  put("num_predict", req.max_completion_tokens ?? req.max_tokens);
  for (const name of OLLAMA_OPTION_NAMES) put(name, req[name]);
  if (isRecord(req.options)) Object.assign(options, req.options);
  return Object.keys(options).length > 0 ? options : undefined;
}

function toOllamaFormat(req: ChatCompletionRequest): OllamaChatRequest["format"] {
  const format = req.response_format;
  if (!format || format.type === "text") return undefined;
  if (format.type === "json_object") return "json";
  return format.json_schema.schema ?? "json";
}

function toOllamaThink(req: ChatCompletionRequest): OllamaThink | undefined {
  if (req.reasoning_effort !== undefined) return THINK_BY_EFFORT[req.reasoning_effort];
  const think = req.think;
  if (typeof think === "boolean" || think === "low" || think === "medium" || think === "high") {
    return think;
  }
  return undefined;
}

/**
 * Translate an OpenAI request into an Ollama `/api/chat` body. `stream` is
 * always set explicitly (Ollama streams by default).
 *
 * @example
 * ```ts
 * import { toOllamaRequest } from "./convert_request.ts";
 * const ctx = {
 *   provider: "ollama", model: "llama3.2", requestedModel: "ollama/llama3.2",
 *   apiKey: undefined, apiBase: "http://localhost:11434", apiVersion: undefined,
 *   extraHeaders: {}, stream: false, includeUsage: false, providerOptions: {}, env: () => undefined,
 *   now: () => 0, generateId: () => "x",
 * };
 * const body = toOllamaRequest(
 *   { model: "ollama/llama3.2", messages: [{ role: "user", content: "Hi" }], max_tokens: 5 },
 *   ctx,
 * );
 * console.assert(body.stream === false && body.options?.num_predict === 5);
 * ```
 */
export function toOllamaRequest(
  req: ChatCompletionRequest,
  ctx: RequestContext,
): OllamaChatRequest {
  const body: OllamaChatRequest = {
    model: ctx.model,
    messages: toOllamaMessages(req.messages, ctx),
    stream: ctx.stream,
  };
  const tools = toOllamaTools(req, ctx);
  if (tools) body.tools = tools;
  const format = toOllamaFormat(req);
  if (format !== undefined) body.format = format;
  const think = toOllamaThink(req);
  if (think !== undefined) body.think = think;
  const options = toOllamaOptions(req);
  if (options) body.options = options;
  const keepAlive = req.keep_alive;
  if (typeof keepAlive === "string" || typeof keepAlive === "number") body.keep_alive = keepAlive;
  return body;
}
