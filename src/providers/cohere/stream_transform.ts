/**
 * Cohere v2 chat stream events → OpenAI chunks.
 *
 * @module
 */

import type { ChatCompletionChunk, ChunkDelta, FinishReason } from "../../types.ts";
import { APIConnectionError } from "../../errors.ts";
import { isRecord, parseUpstreamJson } from "../../_json.ts";
import type { RequestContext, StreamEvent, StreamTransformer } from "../types.ts";
import type { CohereStreamEvent, CohereUsage } from "./api_types.ts";
import { fromCohereUsage } from "./convert_response.ts";
import {
  cohereFinishError,
  isCohereErrorFinishReason,
  mapCohereFinishReason,
} from "./map_finish_reason.ts";

/**
 * A fresh transform for one call. Each SSE event's JSON carries its `type`
 * (the `event:` line names the same):
 *
 * | event | chunk |
 * |---|---|
 * | `message-start` | `delta: {role: "assistant", content: ""}`; the id of every chunk |
 * | `content-delta` | `content` (text) or `reasoning_content` (thinking) |
 * | `tool-plan-delta` | `reasoning_content` |
 * | `tool-call-start` | a tool-call header: `index` (running), `id`, `type`, `function.name`, `arguments: ""` |
 * | `tool-call-delta` | an argument fragment for that index |
 * | `message-end` | `delta: {}` with the mapped `finish_reason`; its usage becomes the final usage-only chunk |
 * | `content-start`, `content-end`, `tool-call-end`, `citation-*`, `debug`, `[DONE]` | nothing |
 *
 * `finish_reason` `ERROR` / `TIMEOUT` errors the stream with the typed error
 * (Cohere's `delta.error` as message); malformed JSON, or a stream that ends
 * before `message-end`, with an `APIConnectionError`. `created` comes from
 * `ctx.now()`, `model` from the call.
 *
 * @example
 * ```ts
 * import { createCohereStreamTransform } from "./stream_transform.ts";
 * const ctx = { provider: "cohere", model: "command-a-03-2025", requestedModel: "cohere/command-a-03-2025",
 *   now: () => 0, generateId: () => "x" } as never;
 * const events = ReadableStream.from([
 *   { event: "message-start", data: '{"type":"message-start","id":"m1","delta":{"message":{"role":"assistant"}}}' },
 *   { event: "content-delta", data: '{"type":"content-delta","index":0,"delta":{"message":{"content":{"text":"Hi"}}}}' },
 *   { event: "message-end", data: '{"type":"message-end","delta":{"finish_reason":"COMPLETE"}}' },
 * ]);
 * const chunks = await Array.fromAsync(events.pipeThrough(createCohereStreamTransform(ctx)));
 * console.assert(chunks[1].choices[0].delta.content === "Hi");
 * console.assert(chunks[2].choices[0].finish_reason === "stop");
 * ```
 */
export function createCohereStreamTransformer(ctx: RequestContext): StreamTransformer {
  const errorCtx = { provider: ctx.provider, model: ctx.requestedModel };
  let id = "";
  let created = 0;
  let started = false;
  let finished = false;
  let usage: CohereUsage | undefined;
  let tools = 0;
  let lastTool = -1;
  const toolIndexes = new Map<number, number>();

  function chunk(delta: ChunkDelta, finish: FinishReason | null): ChatCompletionChunk {
    return {
      id,
      object: "chat.completion.chunk",
      created,
      model: ctx.model,
      choices: [{ index: 0, delta, finish_reason: finish }],
    };
  }

  function start(sink: { enqueue(c: ChatCompletionChunk): void }, upstreamId?: string) {
    if (started) return;
    started = true;
    id = upstreamId || `chatcmpl-${ctx.generateId()}`;
    created = Math.floor(ctx.now() / 1000);
    sink.enqueue(chunk({ role: "assistant", content: "" }, null));
  }

  return {
    transform(event, sink) {
      if (finished || event.data === "[DONE]") return;
      const parsed = parseUpstreamJson(event.data, ctx.provider);
      if (!isRecord(parsed)) return;
      const ev = parsed as unknown as CohereStreamEvent;
      const type = typeof ev.type === "string" ? ev.type : event.event;
      const message = isRecord(ev.delta) && isRecord(ev.delta.message)
        ? ev.delta.message
        : undefined;
      switch (type) {
        case "message-start":
          start(sink, typeof ev.id === "string" ? ev.id : undefined);
          return;
        case "content-start":
        case "content-delta": {
          const content = message && isRecord(message.content) ? message.content : undefined;
          if (!content) return;
          start(sink);
          if (typeof content.text === "string" && content.text !== "") {
            sink.enqueue(chunk({ content: content.text }, null));
          } else if (typeof content.thinking === "string" && content.thinking !== "") {
            sink.enqueue(chunk({ reasoning_content: content.thinking }, null));
          }
          return;
        }
        case "tool-plan-delta": {
          const plan = message?.tool_plan;
          if (typeof plan !== "string" || plan === "") return;
          start(sink);
          sink.enqueue(chunk({ reasoning_content: plan }, null));
          return;
        }
        case "tool-call-start": {
          const call = message && isRecord(message.tool_calls) ? message.tool_calls : undefined;
          if (!call) return;
          start(sink);
          const index = tools++;
          lastTool = index;
          if (typeof ev.index === "number") toolIndexes.set(ev.index, index);
          const fn = isRecord(call.function) ? call.function : {};
          sink.enqueue(chunk({
            tool_calls: [{
              index,
              id: typeof call.id === "string" && call.id !== ""
                ? call.id
                : `call_${ctx.generateId()}`,
              type: "function",
              function: {
                name: typeof fn.name === "string" ? fn.name : "",
                arguments: typeof fn.arguments === "string" ? fn.arguments : "",
              },
            }],
          }, null));
          return;
        }
        case "tool-call-delta": {
          const call = message && isRecord(message.tool_calls) ? message.tool_calls : undefined;
          const args = call && isRecord(call.function) ? call.function.arguments : undefined;
          if (typeof args !== "string" || args === "") return;
          const index = typeof ev.index === "number"
            ? toolIndexes.get(ev.index) ?? lastTool
            : lastTool;
          if (index < 0) return;
          sink.enqueue(chunk({ tool_calls: [{ index, function: { arguments: args } }] }, null));
          return;
        }
        case "message-end": {
          const delta = isRecord(ev.delta) ? ev.delta : {};
          const reason = delta.finish_reason;
          if (isCohereErrorFinishReason(reason)) {
            throw cohereFinishError(
              reason,
              typeof delta.error === "string" ? delta.error : undefined,
              errorCtx,
            );
          }
          start(sink);
          if (isRecord(delta.usage)) usage = delta.usage as CohereUsage;
          finished = true;
          const finish = mapCohereFinishReason(typeof reason === "string" ? reason : undefined) ??
            (tools > 0 ? "tool_calls" : "stop");
          sink.enqueue(chunk({}, finish));
          return;
        }
        default:
          return;
      }
    },
    flush(sink) {
      if (!finished) {
        throw new APIConnectionError(
          `Provider "${ctx.provider}" stream ended before the completion finished (no message-end)`,
          errorCtx,
        );
      }
      if (usage) {
        sink.enqueue({
          id,
          object: "chat.completion.chunk",
          created,
          model: ctx.model,
          choices: [],
          usage: fromCohereUsage(usage),
        });
      }
    },
  };
}

/** The same, as a `TransformStream` (see {@linkcode createCohereStreamTransformer}). */
export function createCohereStreamTransform(
  ctx: RequestContext,
): TransformStream<StreamEvent, ChatCompletionChunk> {
  return new TransformStream(createCohereStreamTransformer(ctx));
}
