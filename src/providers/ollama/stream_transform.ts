/**
 * Ollama NDJSON stream lines → OpenAI `chat.completion.chunk` objects.
 *
 * @module
 */

import type { ChatCompletionChunk, ChunkDelta, FinishReason, ToolCallDelta } from "../../types.ts";
import type { RequestContext, StreamEvent, StreamTransformer } from "../types.ts";
import { APIConnectionError } from "../../errors.ts";
import { isRecord, numberField, parseUpstreamJson } from "../../_json.ts";
import { fromOllamaToolCall, toOllamaUsage } from "./convert_response.ts";
import { mapOllamaDoneReason } from "./map_finish_reason.ts";
import { mapOllamaError } from "./map_error.ts";

/**
 * A fresh transform from Ollama stream lines (one {@linkcode StreamEvent}
 * per NDJSON line) to OpenAI chunks:
 *
 * - first chunk: `delta: {role: "assistant", content: ""}`;
 * - `message.thinking` → `delta.reasoning_content`, `message.content` →
 *   `delta.content`, `message.tool_calls` (complete in one line) → one
 *   tool-call delta per call with index, id, name and full arguments;
 * - the `done: true` line → a final chunk (`delta: {}` and `finish_reason`)
 *   and a usage-only chunk (`choices: []`);
 * - a `{"error": …}` line → the stream errors with the mapped typed error;
 *   malformed JSON, or an end without a `done: true` line →
 *   `APIConnectionError`. Lines after `done` are ignored.
 *
 * Every chunk has the same `id` (`chatcmpl-<id>`), `created` and `model`.
 */
export function createOllamaStreamTransformer(
  ctx: RequestContext,
): StreamTransformer {
  let id = "";
  let created = 0;
  let model = ctx.model;
  let started = false;
  let finished = false;
  let toolIndex = 0;

  function chunk(delta: ChunkDelta, finishReason: FinishReason | null): ChatCompletionChunk {
    return {
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
  }

  return {
    transform(event, controller) {
      if (finished) return;
      let line: unknown;
      try {
        line = parseUpstreamJson(event.data, ctx.provider);
      } catch (error) {
        throw new APIConnectionError((error as Error).message, {
          provider: ctx.provider,
          model: ctx.requestedModel,
        });
      }
      if (!isRecord(line)) {
        throw new APIConnectionError(
          `Provider "${ctx.provider}" sent a stream line that is not an object: ${
            event.data.slice(0, 200)
          }`,
          { provider: ctx.provider, model: ctx.requestedModel },
        );
      }
      if (line.error !== undefined) {
        throw mapOllamaError(numberField(line, "status") ?? 500, line, {
          provider: ctx.provider,
          model: ctx.requestedModel,
          headers: new Headers(),
        });
      }
      if (!started) {
        started = true;
        id = `chatcmpl-${ctx.generateId()}`;
        created = Math.floor(ctx.now() / 1000);
        if (typeof line.model === "string") model = line.model;
        controller.enqueue(chunk({ role: "assistant", content: "" }, null));
      }
      const message = line.message;
      if (isRecord(message)) {
        let delta: ChunkDelta | undefined;
        const thinking = message.thinking;
        if (typeof thinking === "string" && thinking !== "") {
          delta = { reasoning_content: thinking };
        }
        const content = message.content;
        if (typeof content === "string" && content !== "") (delta ??= {}).content = content;
        const calls = message.tool_calls;
        if (Array.isArray(calls) && calls.length > 0) {
          const deltas: ToolCallDelta[] = [];
          for (const call of calls) {
            const tc = fromOllamaToolCall(call, ctx);
            deltas.push({ index: toolIndex++, id: tc.id, type: "function", function: tc.function });
          }
          (delta ??= {}).tool_calls = deltas;
        }
        if (delta) controller.enqueue(chunk(delta, null));
      }
      if (line.done === true) {
        finished = true;
        const reason = typeof line.done_reason === "string" ? line.done_reason : undefined;
        controller.enqueue(chunk({}, mapOllamaDoneReason(reason, toolIndex > 0)));
        controller.enqueue({
          id,
          object: "chat.completion.chunk",
          created,
          model,
          choices: [],
          usage: toOllamaUsage(line),
        });
      }
    },
    flush() {
      if (!finished) {
        throw new APIConnectionError(
          `Provider "${ctx.provider}" stream ended before the completion finished ` +
            `(no "done": true line)`,
          { provider: ctx.provider, model: ctx.requestedModel },
        );
      }
    },
  };
}

/** The same, as a `TransformStream` (see {@linkcode createOllamaStreamTransformer}). */
export function createOllamaStreamTransform(
  ctx: RequestContext,
): TransformStream<StreamEvent, ChatCompletionChunk> {
  return new TransformStream(createOllamaStreamTransformer(ctx));
}
