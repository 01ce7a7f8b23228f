/**
 * OpenAI request → the request body of one OpenAI-compatible host, applying
 * the row's typed quirks. OpenAI itself gets the request as it came.
 *
 * @module
 */

import type { ChatCompletionRequest, ChatMessage, TextContentPart } from "../../types.ts";
import type { RequestContext } from "../types.ts";
import type { OpenAICompatibleSpec } from "./spec.ts";
import { toMistralToolCallId } from "./tool_call_ids.ts";

type Content = ChatMessage["content"];

function isTextOnly(content: Content): content is TextContentPart[] {
  return Array.isArray(content) && content.every((part) => part.type === "text");
}

function textOf(parts: readonly TextContentPart[]): string {
  return parts.map((part) => part.text).join("");
}

function asParts(content: string | TextContentPart[]): TextContentPart[] {
  return typeof content === "string" ? [{ type: "text", text: content }] : content;
}

function mergeable(m: ChatMessage): boolean {
  if (m.role !== "user" && m.role !== "assistant") return false;
  if (m.role === "assistant" && m.tool_calls && m.tool_calls.length > 0) return false;
  return typeof m.content === "string" || isTextOnly(m.content);
}

/** Merge consecutive user (or assistant) turns into one, for hosts that demand alternation. */
function mergeSameRole(messages: readonly ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const prev = out[out.length - 1];
    if (prev && prev.role === m.role && mergeable(prev) && mergeable(m)) {
      const a = prev.content as string | TextContentPart[];
      const b = m.content as string | TextContentPart[];
      const content = typeof a === "string" && typeof b === "string"
        ? `${a}\n\n${b}`
        : [...asParts(a), ...asParts(b)];
      out[out.length - 1] = { ...prev, content } as ChatMessage;
    } else {
      out.push(m);
    }
  }
  return out;
}

function convertMessage(spec: OpenAICompatibleSpec, message: ChatMessage): ChatMessage {
  let m = message;
  if (spec.developerRole === false && m.role === "developer") m = { ...m, role: "system" };
  if (spec.flattenTextContent && isTextOnly(m.content)) {
    m = { ...m, content: textOf(m.content) } as ChatMessage;
  }
  if (spec.messageName === false && m.role !== "tool" && "name" in m && m.role !== "function") {
    const { name: _name, ...rest } = m;
    m = rest as ChatMessage;
  }
  if (spec.toolCallIdFormat === "mistral") {
    if (m.role === "assistant" && m.tool_calls) {
      m = {
        ...m,
        tool_calls: m.tool_calls.map((call) => ({ ...call, id: toMistralToolCallId(call.id) })),
      };
    } else if (m.role === "tool") {
      m = { ...m, tool_call_id: toMistralToolCallId(m.tool_call_id) };
    }
  }
  return m;
}

/**
 * Build the JSON body for `POST {base}/chat/completions`.
 *
 * Streams always ask for usage (`stream_options.include_usage`) where the
 * host accepts it, so `CompletionStream.usage` is exact; the generic stream
 * end forwards the usage chunk only when the caller asked for it.
 */
export function toOpenAICompatibleRequest(
  spec: OpenAICompatibleSpec,
  req: ChatCompletionRequest,
  ctx: RequestContext,
): Record<string, unknown> {
  let model = ctx.model;
  if (spec.modelPrefix && !model.startsWith(spec.modelPrefix.unlessStartsWith)) {
    model = spec.modelPrefix.prefix + model;
  }
  const body: Record<string, unknown> = { ...req, model };
  if (spec.maxTokensField === "max_tokens" && body.max_completion_tokens != null) {
    body.max_tokens = body.max_completion_tokens;
    delete body.max_completion_tokens;
  } else if (spec.maxTokensField === "max_completion_tokens" && body.max_tokens != null) {
    body.max_completion_tokens ??= body.max_tokens;
    delete body.max_tokens;
  }
  for (const [from, to] of Object.entries(spec.renameParams ?? {})) {
    if (to !== undefined && body[from] !== undefined) {
      body[to] = body[from];
      delete body[from];
    }
  }
  if (spec.requiredToolChoice !== undefined && body.tool_choice === "required") {
    body.tool_choice = spec.requiredToolChoice;
  }
  let messages = req.messages.map((m) => convertMessage(spec, m));
  if (spec.mergeSameRole) messages = mergeSameRole(messages);
  body.messages = messages;
  if (ctx.stream) {
    body.stream = true;
    if (spec.streamOptions === false) delete body.stream_options;
    else body.stream_options = { ...req.stream_options, include_usage: true };
  } else {
    delete body.stream;
    delete body.stream_options;
  }
  return body;
}
