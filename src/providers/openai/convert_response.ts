/**
 * Responses of OpenAI-compatible hosts → OpenAI's exact shapes.
 *
 * @module
 */

import type { ChatCompletion, EmbeddingResponse } from "../../types.ts";
import type { RequestContext } from "../types.ts";
import { APIConnectionError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import { isErrorFinishReason, mapOpenAICompatibleFinishReason } from "./map_finish_reason.ts";
import { mapOpenAIError, mapOpenAIFinishError } from "./map_error.ts";

function errorContext(ctx: RequestContext) {
  return { provider: ctx.provider, model: ctx.requestedModel, headers: new Headers() };
}

/**
 * Normalise a `chat.completion` body: fill a missing id, `created` or
 * model, rename `reasoning` (OpenRouter, Groq) to `reasoning_content`, map
 * finish reasons, and turn error payloads and error finish reasons into
 * typed errors.
 */
export function fromOpenAICompatibleResponse(body: unknown, ctx: RequestContext): ChatCompletion {
  if (isRecord(body) && isRecord(body.error)) {
    throw mapOpenAIError(500, body, errorContext(ctx));
  }
  if (!isRecord(body) || !Array.isArray(body.choices)) {
    throw new APIConnectionError(
      `Provider "${ctx.provider}" returned a body without 'choices'`,
      { provider: ctx.provider, model: ctx.requestedModel },
    );
  }
  const out = body as unknown as ChatCompletion;
  out.object = "chat.completion";
  out.id ??= `chatcmpl-${ctx.generateId()}`;
  out.created ??= Math.floor(ctx.now() / 1000);
  out.model ??= ctx.model;
  for (const choice of out.choices) {
    const message = (choice.message ?? {}) as unknown as Record<string, unknown>;
    choice.message = message as unknown as ChatCompletion["choices"][number]["message"];
    message.role ??= "assistant";
    if (typeof message.reasoning === "string") {
      if (message.reasoning_content === undefined) message.reasoning_content = message.reasoning;
      delete message.reasoning;
    }
    if (message.content === undefined) message.content = null;
    if (isErrorFinishReason(choice.finish_reason)) {
      throw mapOpenAIFinishError(choice.finish_reason, errorContext(ctx));
    }
    const hasToolCalls = Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
    // xAI answers tool calls with finish_reason "".
    choice.finish_reason = mapOpenAICompatibleFinishReason(choice.finish_reason) ??
      (hasToolCalls ? "tool_calls" : "stop");
    choice.logprobs ??= null;
  }
  return out;
}

/** Normalise an embeddings body (`object`, `model`, `usage` filled when missing). */
export function fromOpenAICompatibleEmbeddings(
  body: unknown,
  ctx: RequestContext,
): EmbeddingResponse {
  if (!isRecord(body) || !Array.isArray(body.data)) {
    throw new APIConnectionError(
      `Provider "${ctx.provider}" returned an embeddings body without 'data'`,
      { provider: ctx.provider, model: ctx.requestedModel },
    );
  }
  const out = body as unknown as EmbeddingResponse;
  out.object = "list";
  out.model ??= ctx.model;
  out.usage ??= { prompt_tokens: 0, total_tokens: 0 };
  return out;
}
