/**
 * Azure OpenAI stream chunks → OpenAI chunks: the OpenAI transform, after
 * removing what only Azure sends.
 *
 * - The first chunk often has `choices: []`, an empty `id`/`model` and only
 *   `prompt_filter_results`: it is dropped (the prompt's filter results are
 *   not forwarded in streams).
 * - Choices without a `delta` carry only content-filter annotations
 *   (asynchronous filtering): they are removed, and a chunk left without
 *   choices is dropped; one with a `finish_reason` gets `delta: {}`.
 * - Every other chunk goes through unchanged, `content_filter_results`
 *   included (clients ignore unknown fields); `finish_reason:
 *   "content_filter"` passes through.
 *
 * @module
 */

import type { ChatCompletionChunk } from "../../types.ts";
import type { RequestContext, StreamEvent, StreamTransformer } from "../types.ts";
import { isRecord, parseUpstreamJson } from "../../_json.ts";
import { createOpenAIStreamTransformer } from "../openai/stream_transform.ts";

function cleanChoices(choices: unknown[]): { kept: unknown[]; changed: boolean } {
  const kept: unknown[] = [];
  let changed = false;
  for (const choice of choices) {
    if (isRecord(choice) && isRecord(choice.delta)) {
      kept.push(choice);
    } else if (isRecord(choice) && choice.finish_reason != null) {
      kept.push({ ...choice, delta: {} });
      changed = true;
    } else {
      changed = true;
    }
  }
  return { kept, changed };
}

/**
 * Create the transform for one call.
 *
 * @example
 * ```ts
 * import { createAzureStreamTransform } from "./stream_transform.ts";
 * const ctx = { provider: "azure", model: "gpt-4o", requestedModel: "azure/gpt-4o",
 *   now: () => 0, generateId: () => "x" } as never;
 * const events = ReadableStream.from([
 *   { data: '{"choices":[],"created":0,"id":"","model":"","object":"","prompt_filter_results":[]}' },
 *   { data: '{"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-4o","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":"stop"}]}' },
 *   { data: "[DONE]" },
 * ]);
 * const chunks = await Array.fromAsync(events.pipeThrough(createAzureStreamTransform(ctx)));
 * console.assert(chunks.length === 1 && chunks[0].choices[0].delta.content === "hi");
 * ```
 */
export function createAzureStreamTransformer(ctx: RequestContext): StreamTransformer {
  const inner = createOpenAIStreamTransformer(ctx);
  return {
    transform(event, sink) {
      if (event.data === "[DONE]") return inner.transform(event, sink);
      const parsed = parseUpstreamJson(event.data, ctx.provider);
      if (isRecord(parsed) && Array.isArray(parsed.choices) && !isRecord(parsed.error)) {
        if (parsed.choices.length === 0 && !isRecord(parsed.usage)) return;
        const { kept, changed } = cleanChoices(parsed.choices);
        if (kept.length === 0 && !isRecord(parsed.usage)) return;
        if (changed) {
          return inner.transform(
            { ...event, data: JSON.stringify({ ...parsed, choices: kept }) },
            sink,
          );
        }
      }
      inner.transform(event, sink);
    },
    flush(sink) {
      inner.flush?.(sink);
    },
  };
}

/** The same, as a `TransformStream` (see {@linkcode createAzureStreamTransformer}). */
export function createAzureStreamTransform(
  ctx: RequestContext,
): TransformStream<StreamEvent, ChatCompletionChunk> {
  return new TransformStream(createAzureStreamTransformer(ctx));
}
