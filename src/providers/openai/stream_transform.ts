/**
 * The stream transform of OpenAI and every OpenAI-compatible host: SSE
 * events → `chat.completion.chunk` objects, passing untouched chunks through
 * with their exact upstream JSON text.
 *
 * @module
 */

import type { ChatCompletionChunk, Usage } from "../../types.ts";
import type { RequestContext, StreamEvent, StreamTransformer } from "../types.ts";
import { APIConnectionError } from "../../errors.ts";
import { isRecord, parseUpstreamJson } from "../../_json.ts";
import { RAW_JSON, type RawChunk } from "../../stream.ts";
import { isErrorFinishReason, mapOpenAICompatibleFinishReason } from "./map_finish_reason.ts";
import { mapOpenAIFinishError, mapOpenAIStreamError } from "./map_error.ts";

/**
 * Create the transform for one call. It parses each `data:` event, fills
 * missing ids, renames `reasoning` to `reasoning_content`, maps finish
 * reasons, moves usage (inline, or Groq's `x_groq.usage`) into one
 * usage-only chunk at the end, stops at `[DONE]`, and errors the stream with
 * a typed error on a mid-stream `{"error": …}`, malformed JSON, or a stream
 * that ends before any choice finished. Chunks it did not change keep their
 * upstream text under {@linkcode RAW_JSON}.
 *
 * @example
 * ```ts
 * import { createOpenAIStreamTransform } from "./stream_transform.ts";
 * const ctx = {
 *   provider: "openai", model: "gpt-4o", requestedModel: "openai/gpt-4o", apiKey: undefined,
 *   apiBase: "", apiVersion: undefined, extraHeaders: {}, stream: true, includeUsage: false, providerOptions: {}, env: () => undefined,
 *   now: () => 0, generateId: () => "x",
 * };
 * const events = ReadableStream.from([
 *   { data: '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}' },
 *   { data: "[DONE]" },
 * ]);
 * const chunks = await Array.fromAsync(events.pipeThrough(createOpenAIStreamTransform(ctx)));
 * console.assert(chunks[0].choices[0].delta.content === "hi");
 * ```
 */
export function createOpenAIStreamTransformer(
  ctx: RequestContext,
): StreamTransformer {
  const errorCtx = { provider: ctx.provider, model: ctx.requestedModel, headers: new Headers() };
  let finished = false;
  let done = false;
  let usage: Usage | undefined;
  let usageChunk: RawChunk | undefined;
  let id = "";
  let created = 0;
  let model = ctx.model;
  return {
    transform(event, controller) {
      if (done) return;
      const data = event.data;
      if (data === "[DONE]") {
        done = true;
        return;
      }
      const parsed = parseUpstreamJson(data, ctx.provider);
      if (!isRecord(parsed)) return;
      if (isRecord(parsed.error)) throw mapOpenAIStreamError(parsed, errorCtx);
      const chunk = parsed as unknown as RawChunk;
      let touched = chunk.object !== "chat.completion.chunk" || typeof chunk.id !== "string" ||
        typeof chunk.created !== "number" || typeof chunk.model !== "string";
      id ||= typeof chunk.id === "string" ? chunk.id : `chatcmpl-${ctx.generateId()}`;
      created ||= typeof chunk.created === "number" ? chunk.created : Math.floor(ctx.now() / 1000);
      if (typeof chunk.model === "string") model = chunk.model;
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      const groqUsage = isRecord(parsed.x_groq) ? parsed.x_groq.usage : undefined;
      if (isRecord(chunk.usage)) {
        usage = chunk.usage;
        usageChunk = undefined;
        if (choices.length === 0 && !touched) {
          chunk[RAW_JSON] = data;
          usageChunk = chunk;
        }
      } else if (isRecord(groqUsage)) {
        usage = groqUsage as unknown as Usage;
      }
      if (choices.length === 0) return; // usage-only (re-emitted at the end) or empty chunk
      // Inline usage moves to the usage-only chunk; a `"usage":null` stays, so the
      // chunk keeps its raw text (harmless to clients, cheaper than re-serialising).
      if (chunk.usage != null) {
        delete chunk.usage;
        touched = true;
      }
      for (const choice of choices) {
        const delta = choice.delta as Record<string, unknown> | undefined;
        if (delta && typeof delta.reasoning === "string") {
          if (delta.reasoning_content === undefined) delta.reasoning_content = delta.reasoning;
          delete delta.reasoning;
          touched = true;
        }
        if (isErrorFinishReason(choice.finish_reason)) {
          throw mapOpenAIFinishError(choice.finish_reason, errorCtx);
        }
        const mapped = mapOpenAICompatibleFinishReason(choice.finish_reason);
        if (mapped !== null) finished = true;
        if (mapped !== choice.finish_reason) {
          choice.finish_reason = mapped;
          touched = true;
        }
      }
      if (touched) {
        chunk.id = id;
        chunk.object = "chat.completion.chunk";
        chunk.created = created;
        chunk.model = model;
      } else {
        chunk[RAW_JSON] = data;
      }
      controller.enqueue(chunk);
    },
    flush(controller) {
      if (!finished && !done) {
        throw new APIConnectionError(
          `Provider "${ctx.provider}" stream ended before the completion finished`,
          { provider: ctx.provider, model: ctx.requestedModel },
        );
      }
      if (usageChunk) {
        controller.enqueue(usageChunk);
      } else if (usage) {
        controller.enqueue({
          id: id || `chatcmpl-${ctx.generateId()}`,
          object: "chat.completion.chunk",
          created: created || Math.floor(ctx.now() / 1000),
          model,
          choices: [],
          usage,
        });
      }
    },
  };
}

/** The same, as a `TransformStream` (see {@linkcode createOpenAIStreamTransformer}). */
export function createOpenAIStreamTransform(
  ctx: RequestContext,
): TransformStream<StreamEvent, ChatCompletionChunk> {
  return new TransformStream(createOpenAIStreamTransformer(ctx));
}
