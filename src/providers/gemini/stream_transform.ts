/**
 * Gemini `streamGenerateContent?alt=sse` events → OpenAI chunks. Shared with
 * the Vertex AI adapter.
 *
 * @module
 */

import type { ChatCompletionChunk, ChunkChoice, ChunkDelta, ToolCallDelta } from "../../types.ts";
import { APIConnectionError, type LLMuxError } from "../../errors.ts";
import type {
  ChunkSink,
  ErrorContext,
  RequestContext,
  StreamEvent,
  StreamTransformer,
} from "../types.ts";
import type {
  GeminiCandidate,
  GeminiGenerateContentResponse,
  GeminiToolCallFields,
  GeminiUsageMetadata,
} from "./api_types.ts";
import { fromGeminiLogprobs, fromGeminiUsage } from "./convert_response.ts";
import { mapGeminiFinishReason } from "./map_finish_reason.ts";
import { mapGeminiError } from "./map_error.ts";

/** Options of {@linkcode createGeminiStreamTransform}. */
export interface GeminiStreamOptions {
  /** Maps a mid-stream `error` payload (default {@linkcode mapGeminiError}). */
  mapError?: (status: number, body: unknown, ctx: ErrorContext) => LLMuxError;
}

interface CandidateState {
  /** Tool calls emitted so far (the next tool-call delta index). */
  tools: number;
  /** Whether the finish chunk was emitted. */
  finished: boolean;
}

/**
 * Create the stream transform. Every SSE `data:` is a whole
 * `GenerateContentResponse`:
 *
 * - the first time a candidate appears, a chunk with
 *   `delta: {role: "assistant", content: ""}` is emitted for it;
 * - text parts become `content` deltas, `thought: true` parts
 *   `reasoning_content` deltas, and each `functionCall` part (always whole)
 *   one tool-call delta with id, name and the full arguments;
 * - a `finishReason` emits a chunk with `delta: {}` and the mapped
 *   `finish_reason` (`tool_calls` when the candidate called functions);
 * - a prompt blocked by `promptFeedback.blockReason` ends the stream with
 *   `finish_reason: "content_filter"`;
 * - `usageMetadata` (repeated, growing) is kept and, at the end, emitted as a
 *   usage-only chunk (`choices: []`);
 * - a payload with a top-level `error` errors the stream with the mapped
 *   typed error; malformed JSON, or a stream that closes before every
 *   candidate finished, errors it with an `APIConnectionError`.
 *
 * All chunks share one id (`responseId`, else `chatcmpl-<generateId()>`),
 * `created` (from `ctx.now()`) and model (`modelVersion`).
 *
 * @example
 * ```ts
 * import { createGeminiStreamTransform } from "./stream_transform.ts";
 * const ctx = {
 *   provider: "gemini", model: "gemini-2.5-flash", requestedModel: "gemini-2.5-flash",
 *   apiKey: undefined, apiBase: "", apiVersion: undefined, extraHeaders: {}, stream: true,
 *   includeUsage: false, providerOptions: {}, env: () => undefined, now: () => 0, generateId: () => "x",
 * };
 * const events = ReadableStream.from([{
 *   data: '{"candidates":[{"content":{"parts":[{"text":"Hi"}]},"finishReason":"STOP"}]}',
 * }]);
 * const chunks = await Array.fromAsync(events.pipeThrough(createGeminiStreamTransform(ctx)));
 * console.assert(chunks[1].choices[0].delta.content === "Hi");
 * console.assert(chunks[2].choices[0].finish_reason === "stop");
 * ```
 */
export function createGeminiStreamTransformer(
  ctx: RequestContext,
  options: GeminiStreamOptions = {},
): StreamTransformer {
  const mapError = options.mapError ?? mapGeminiError;
  const states: (CandidateState | undefined)[] = [];
  let id = "";
  let created = 0;
  let model = ctx.model;
  let usage: GeminiUsageMetadata | undefined;
  let blocked = false;

  function chunk(choice: ChunkChoice): ChatCompletionChunk {
    return { id, object: "chat.completion.chunk", created, model, choices: [choice] };
  }

  function start(index: number, controller: ChunkSink) {
    const state: CandidateState = { tools: 0, finished: false };
    states[index] = state;
    controller.enqueue(
      chunk({ index, delta: { role: "assistant", content: "" }, finish_reason: null }),
    );
    return state;
  }

  function candidate(
    cand: GeminiCandidate,
    index: number,
    controller: ChunkSink,
  ): void {
    const state = states[index] ?? start(index, controller);
    const parts = cand.content?.parts;
    if (parts !== undefined && parts.length > 0) {
      let content: string | undefined;
      let reasoning: string | undefined;
      let toolCalls: ToolCallDelta[] | undefined;
      for (let i = 0; i < parts.length; i++) {
        const part = parts[i];
        const text = part.text;
        if (text !== undefined) {
          if (text === "") continue;
          if (part.thought === true) reasoning = reasoning === undefined ? text : reasoning + text;
          else content = content === undefined ? text : content + text;
        } else if (part.functionCall !== undefined) {
          const fc = part.functionCall;
          const call: ToolCallDelta & GeminiToolCallFields = {
            index: state.tools++,
            id: fc.id || `call_${ctx.generateId()}`,
            type: "function",
            function: { name: fc.name, arguments: JSON.stringify(fc.args ?? {}) },
          };
          if (part.thoughtSignature) {
            call.provider_specific_fields = { thought_signature: part.thoughtSignature };
          }
          (toolCalls ??= []).push(call);
        }
      }
      if (content !== undefined || reasoning !== undefined || toolCalls !== undefined) {
        const delta: ChunkDelta = {};
        if (reasoning !== undefined) delta.reasoning_content = reasoning;
        if (content !== undefined) delta.content = content;
        if (toolCalls !== undefined) delta.tool_calls = toolCalls;
        const choice: ChunkChoice = { index, delta, finish_reason: null };
        if (cand.logprobsResult !== undefined) {
          choice.logprobs = fromGeminiLogprobs(cand.logprobsResult);
        }
        controller.enqueue(chunk(choice));
      }
    }
    const reason = cand.finishReason;
    if (reason !== undefined && !state.finished) {
      state.finished = true;
      controller.enqueue(chunk({
        index,
        delta: {},
        finish_reason: mapGeminiFinishReason(reason, state.tools > 0) ?? "stop",
      }));
    }
  }

  return {
    transform(event, controller) {
      if (blocked) return;
      let res: GeminiGenerateContentResponse & { error?: unknown };
      try {
        res = JSON.parse(event.data);
      } catch {
        throw new APIConnectionError(
          `Provider "${ctx.provider}" sent malformed JSON in its stream: ${
            event.data.slice(0, 200)
          }`,
          { provider: ctx.provider, model: ctx.requestedModel },
        );
      }
      if (typeof res !== "object" || res === null) return;
      if (res.error !== undefined) {
        const error = res.error as { code?: unknown };
        const status = typeof error?.code === "number" ? error.code : 500;
        throw mapError(status, res, {
          provider: ctx.provider,
          model: ctx.requestedModel,
          headers: new Headers(),
        });
      }
      if (id === "") {
        id = res.responseId || `chatcmpl-${ctx.generateId()}`;
        created = Math.floor(ctx.now() / 1000);
        if (res.modelVersion) model = res.modelVersion;
      }
      if (res.usageMetadata !== undefined) usage = res.usageMetadata;
      const candidates = res.candidates;
      if (candidates !== undefined && candidates.length > 0) {
        for (let i = 0; i < candidates.length; i++) {
          const cand = candidates[i];
          candidate(cand, cand.index ?? i, controller);
        }
      } else if (res.promptFeedback?.blockReason) {
        blocked = true;
        if (states[0] === undefined) start(0, controller);
        states[0]!.finished = true;
        controller.enqueue(chunk({ index: 0, delta: {}, finish_reason: "content_filter" }));
      }
    },
    flush(controller) {
      let finished = states.length > 0;
      for (const state of states) if (state !== undefined && !state.finished) finished = false;
      if (!finished) {
        throw new APIConnectionError(
          `Provider "${ctx.provider}" stream ended before the completion finished`,
          { provider: ctx.provider, model: ctx.requestedModel },
        );
      }
      if (usage !== undefined) {
        controller.enqueue({
          id,
          object: "chat.completion.chunk",
          created,
          model,
          choices: [],
          usage: fromGeminiUsage(usage),
        });
      }
    },
  };
}

/** The same, as a `TransformStream` (see {@linkcode createGeminiStreamTransformer}). */
export function createGeminiStreamTransform(
  ctx: RequestContext,
  options: GeminiStreamOptions = {},
): TransformStream<StreamEvent, ChatCompletionChunk> {
  return new TransformStream(createGeminiStreamTransformer(ctx, options));
}
