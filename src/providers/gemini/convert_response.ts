/**
 * Gemini `GenerateContentResponse` → OpenAI `chat.completion`. Pure
 * functions, shared with the Vertex AI adapter.
 *
 * @module
 */

import type {
  ChatCompletion,
  CompletionChoice,
  CompletionMessage,
  ToolCall,
  Usage,
} from "../../types.ts";
import { APIConnectionError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { RequestContext } from "../types.ts";
import type {
  GeminiCandidate,
  GeminiGenerateContentResponse,
  GeminiLogprobsCandidate,
  GeminiLogprobsResult,
  GeminiPart,
  GeminiToolCallFields,
  GeminiUsageMetadata,
} from "./api_types.ts";
import { mapGeminiFinishReason } from "./map_finish_reason.ts";

/**
 * Token usage from `usageMetadata`: prompt = `promptTokenCount` (+
 * `toolUsePromptTokenCount`), completion = `candidatesTokenCount` +
 * `thoughtsTokenCount`, reasoning = `thoughtsTokenCount`, cached =
 * `cachedContentTokenCount`, total = `totalTokenCount` (else the sum). The
 * detail objects are present only when Gemini reported the counts.
 *
 * @example
 * ```ts
 * import { fromGeminiUsage } from "./convert_response.ts";
 * const u = fromGeminiUsage({ promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 });
 * console.assert(u.completion_tokens === 2 && u.total_tokens === 6);
 * ```
 */
export function fromGeminiUsage(meta: GeminiUsageMetadata): Usage {
  const prompt = (meta.promptTokenCount ?? 0) + (meta.toolUsePromptTokenCount ?? 0);
  const thoughts = meta.thoughtsTokenCount ?? 0;
  const completion = (meta.candidatesTokenCount ?? 0) + thoughts;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: meta.totalTokenCount ?? prompt + completion,
  };
  if (meta.cachedContentTokenCount !== undefined) {
    usage.prompt_tokens_details = { cached_tokens: meta.cachedContentTokenCount };
  }
  if (meta.thoughtsTokenCount !== undefined) {
    usage.completion_tokens_details = { reasoning_tokens: thoughts };
  }
  return usage;
}

/** One OpenAI log-probability entry. */
export interface OpenAITokenLogprob {
  /** The token. */
  token: string;
  /** Its log probability. */
  logprob: number;
  /** Byte values of the token (not reported by Gemini: always null). */
  bytes: null;
  /** The most likely tokens at this position. */
  top_logprobs: { token: string; logprob: number; bytes: null }[];
}

function entry(c: GeminiLogprobsCandidate): { token: string; logprob: number; bytes: null } {
  return { token: c.token ?? "", logprob: c.logProbability ?? 0, bytes: null };
}

/**
 * Gemini `logprobsResult` → OpenAI `logprobs` (`{content: [...]}`): one entry
 * per chosen token, with the top candidates of the same step. Null when
 * Gemini returned none.
 */
export function fromGeminiLogprobs(
  result: GeminiLogprobsResult | undefined,
): { content: OpenAITokenLogprob[] } | null {
  if (!result || !Array.isArray(result.chosenCandidates)) return null;
  const top = result.topCandidates ?? [];
  const content = result.chosenCandidates.map((chosen, i): OpenAITokenLogprob => ({
    ...entry(chosen),
    top_logprobs: (top[i]?.candidates ?? []).map(entry),
  }));
  return { content };
}

/** A tool call from a `functionCall` part: Gemini's id, else `call_<generateId()>`. */
export function fromGeminiFunctionCall(
  part: GeminiPart,
  ctx: Pick<RequestContext, "generateId">,
): ToolCall & GeminiToolCallFields {
  const fc = part.functionCall!;
  const call: ToolCall & GeminiToolCallFields = {
    id: fc.id || `call_${ctx.generateId()}`,
    type: "function",
    function: { name: fc.name, arguments: JSON.stringify(fc.args ?? {}) },
  };
  if (part.thoughtSignature) {
    call.provider_specific_fields = { thought_signature: part.thoughtSignature };
  }
  return call;
}

function fromCandidate(
  candidate: GeminiCandidate,
  position: number,
  ctx: RequestContext,
): CompletionChoice {
  let text: string | null = null;
  let reasoning: string | undefined;
  const toolCalls: ToolCall[] = [];
  const parts = candidate.content?.parts;
  if (Array.isArray(parts)) {
    for (const part of parts) {
      if (typeof part.text === "string") {
        if (part.thought === true) reasoning = (reasoning ?? "") + part.text;
        else text = (text ?? "") + part.text;
      } else if (part.functionCall) {
        toolCalls.push(fromGeminiFunctionCall(part, ctx));
      }
    }
  }
  const message: CompletionMessage = { role: "assistant", content: text };
  if (reasoning !== undefined) message.reasoning_content = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    index: candidate.index ?? position,
    message,
    logprobs: fromGeminiLogprobs(candidate.logprobsResult),
    finish_reason: mapGeminiFinishReason(candidate.finishReason, toolCalls.length > 0) ?? "stop",
  };
}

/**
 * Convert a `generateContent` response. Each candidate becomes a choice:
 * non-thought text parts are concatenated into `content` (null when there
 * is none), `thought: true` parts into `reasoning_content`, `functionCall`
 * parts into `tool_calls` (id from Gemini, else `call_<generateId()>`; a
 * `thoughtSignature` is kept in `provider_specific_fields`). A blocked prompt
 * (no candidates, `promptFeedback.blockReason`) is one choice with null
 * content and `finish_reason: "content_filter"`. `id` is `responseId` (else
 * `chatcmpl-<generateId()>`, drawn before any tool-call id), `model` is
 * `modelVersion`, `created` comes from `ctx.now()`.
 *
 * @example
 * ```ts
 * import { fromGeminiResponse } from "./convert_response.ts";
 * const ctx = {
 *   provider: "gemini", model: "gemini-2.5-flash", requestedModel: "gemini/gemini-2.5-flash",
 *   apiKey: undefined, apiBase: "", apiVersion: undefined, extraHeaders: {}, stream: false,
 *   includeUsage: false, providerOptions: {}, env: () => undefined, now: () => 1730000000000, generateId: () => "x",
 * };
 * const res = fromGeminiResponse({
 *   candidates: [{ content: { role: "model", parts: [{ text: "Hi" }] }, finishReason: "STOP" }],
 * }, ctx);
 * console.assert(res.choices[0].message.content === "Hi");
 * ```
 */
export function fromGeminiResponse(body: unknown, ctx: RequestContext): ChatCompletion {
  if (!isRecord(body)) {
    throw new APIConnectionError(
      `Provider "${ctx.provider}" returned a response that is not a JSON object`,
      { provider: ctx.provider, model: ctx.requestedModel },
    );
  }
  const res = body as GeminiGenerateContentResponse;
  const id = res.responseId || `chatcmpl-${ctx.generateId()}`;
  const candidates = Array.isArray(res.candidates) ? res.candidates : [];
  let choices: CompletionChoice[];
  if (candidates.length > 0) {
    choices = candidates.map((c, i) => fromCandidate(c, i, ctx));
  } else if (res.promptFeedback?.blockReason) {
    choices = [{
      index: 0,
      message: { role: "assistant", content: null },
      logprobs: null,
      finish_reason: "content_filter",
    }];
  } else {
    throw new APIConnectionError(
      `Provider "${ctx.provider}" returned a response without candidates`,
      { provider: ctx.provider, model: ctx.requestedModel },
    );
  }
  const completion: ChatCompletion = {
    id,
    object: "chat.completion",
    created: Math.floor(ctx.now() / 1000),
    model: res.modelVersion || ctx.model,
    choices,
  };
  if (isRecord(res.usageMetadata)) completion.usage = fromGeminiUsage(res.usageMetadata);
  return completion;
}
