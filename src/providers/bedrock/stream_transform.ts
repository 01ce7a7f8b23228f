/**
 * Bedrock ConverseStream events → OpenAI `chat.completion.chunk`s.
 *
 * @module
 */

import type { ChatCompletionChunk, ChunkDelta, FinishReason } from "../../types.ts";
import type {
  ChunkSink,
  ErrorContext,
  RequestContext,
  StreamEvent,
  StreamTransformer,
} from "../types.ts";
import { APIConnectionError } from "../../errors.ts";
import { isRecord, parseUpstreamJson } from "../../_json.ts";
import type { BedrockTokenUsage } from "./api_types.ts";
import { BEDROCK_JSON_TOOL_NAME } from "./convert_request.ts";
import { fromBedrockUsage } from "./convert_response.ts";
import { mapBedrockStopReason } from "./map_finish_reason.ts";
import { mapBedrockError, statusForBedrockException } from "./map_error.ts";
import { bedrockModelId } from "./model_id.ts";

type Kind = "text" | "tool" | "json" | "reasoning";

interface BlockState {
  kind: Kind;
  /** Tool-call index within the choice (tool blocks). */
  tool: number;
  /** Whether a non-empty argument fragment was emitted (tool and JSON blocks). */
  args: boolean;
  /** Reasoning text so far, its signature, and redacted data. */
  text: string;
  signature: string;
  redacted: string;
}

function isException(name: string | undefined): boolean {
  return name !== undefined && /Exception$/.test(name);
}

/**
 * A fresh transformer from ConverseStream events (as the event-stream
 * parser emits them: `event` = `:event-type` / `:exception-type`, `data` =
 * the JSON payload) to OpenAI chunks.
 *
 * - `messageStart` → the first chunk (`role: "assistant"`, `content: ""`);
 *   the id is `chatcmpl-<generateId()>`, `created` from `ctx.now()`, once.
 * - `contentBlockStart` with `toolUse` → a tool-call header (id, name,
 *   `arguments: ""`) with a running index; `contentBlockDelta` `toolUse.input`
 *   fragments → argument text (`"{}"` when a block ends without any); the
 *   reserved JSON tool streams as `content` instead.
 * - `delta.text` → `content`; `delta.reasoningContent.text` →
 *   `reasoning_content`; when a reasoning block stops, one chunk carries it
 *   complete in `thinking_blocks` with its signature (or redacted data).
 * - `messageStop` → the final chunk (`delta: {}`, finish reason);
 *   `metadata` (after it) → a usage-only chunk (`choices: []`).
 * - `*Exception` events throw the mapped typed error (`throttlingException`
 *   → RateLimitError, …), `error` events likewise; the padding field `p`
 *   and unknown events are ignored; a stream that ends before `messageStop`
 *   throws {@linkcode APIConnectionError}.
 *
 * @example
 * ```ts
 * import { createBedrockStreamTransform } from "./stream_transform.ts";
 * const ctx = { provider: "bedrock", model: "m", requestedModel: "bedrock/m",
 *   now: () => 0, generateId: () => "x" } as never;
 * const events = [
 *   { event: "messageStart", data: '{"role":"assistant"}' },
 *   { event: "contentBlockDelta", data: '{"contentBlockIndex":0,"delta":{"text":"Hi"}}' },
 *   { event: "messageStop", data: '{"stopReason":"end_turn"}' },
 * ];
 * const chunks = await Array.fromAsync(
 *   ReadableStream.from(events).pipeThrough(createBedrockStreamTransform(ctx)),
 * );
 * console.assert(chunks[1].choices[0].delta.content === "Hi");
 * ```
 */
export function createBedrockStreamTransformer(ctx: RequestContext): StreamTransformer {
  const model = bedrockModelId(ctx.model);
  let id = "";
  let created = 0;
  let started = false;
  let stopped = false;
  let done = false;
  let tools = 0;
  let jsonSeen = false;
  let finish: FinishReason = "stop";
  const blocks: (BlockState | undefined)[] = [];

  function chunk(delta: ChunkDelta, finishReason: FinishReason | null): ChatCompletionChunk {
    return {
      id,
      object: "chat.completion.chunk",
      created,
      model,
      choices: [{ index: 0, delta, finish_reason: finishReason }],
    };
  }

  function start(sink: ChunkSink): void {
    started = true;
    id = `chatcmpl-${ctx.generateId()}`;
    created = Math.floor(ctx.now() / 1000);
    sink.enqueue(chunk({ role: "assistant", content: "" }, null));
  }

  function state(index: number, kind: Kind): BlockState {
    let s = blocks[index];
    if (s === undefined) {
      s = { kind, tool: -1, args: false, text: "", signature: "", redacted: "" };
      blocks[index] = s;
    }
    return s;
  }

  function blockStart(payload: Record<string, unknown>, sink: ChunkSink): void {
    const index = typeof payload.contentBlockIndex === "number" ? payload.contentBlockIndex : 0;
    const startInfo = isRecord(payload.start) ? payload.start : {};
    if (!isRecord(startInfo.toolUse)) return;
    const use = startInfo.toolUse;
    if (use.name === BEDROCK_JSON_TOOL_NAME) {
      state(index, "json");
      jsonSeen = true;
      return;
    }
    const s = state(index, "tool");
    s.tool = tools++;
    sink.enqueue(chunk({
      tool_calls: [{
        index: s.tool,
        id: String(use.toolUseId),
        type: "function",
        function: { name: String(use.name), arguments: "" },
      }],
    }, null));
  }

  function blockDelta(payload: Record<string, unknown>, sink: ChunkSink): void {
    const index = typeof payload.contentBlockIndex === "number" ? payload.contentBlockIndex : 0;
    const delta = isRecord(payload.delta) ? payload.delta : {};
    if (typeof delta.text === "string") {
      state(index, "text");
      if (delta.text !== "") sink.enqueue(chunk({ content: delta.text }, null));
    } else if (isRecord(delta.toolUse)) {
      const fragment = delta.toolUse.input;
      const s = blocks[index];
      if (s === undefined || typeof fragment !== "string" || fragment === "") return;
      if (s.kind === "tool") {
        s.args = true;
        sink.enqueue(
          chunk({ tool_calls: [{ index: s.tool, function: { arguments: fragment } }] }, null),
        );
      } else if (s.kind === "json") {
        s.args = true;
        sink.enqueue(chunk({ content: fragment }, null));
      }
    } else if (isRecord(delta.reasoningContent)) {
      const r = delta.reasoningContent;
      const s = state(index, "reasoning");
      if (typeof r.text === "string" && r.text !== "") {
        s.text += r.text;
        sink.enqueue(chunk({ reasoning_content: r.text }, null));
      }
      if (typeof r.signature === "string") s.signature += r.signature;
      if (typeof r.redactedContent === "string") s.redacted += r.redactedContent;
    }
  }

  function blockStop(payload: Record<string, unknown>, sink: ChunkSink): void {
    const index = typeof payload.contentBlockIndex === "number" ? payload.contentBlockIndex : 0;
    const s = blocks[index];
    if (s === undefined) return;
    blocks[index] = undefined;
    if (s.kind === "tool" && !s.args) {
      sink.enqueue(chunk({ tool_calls: [{ index: s.tool, function: { arguments: "{}" } }] }, null));
    } else if (s.kind === "json" && !s.args) {
      sink.enqueue(chunk({ content: "{}" }, null));
    } else if (s.kind === "reasoning") {
      const thinking = s.redacted !== "" && s.text === ""
        ? { type: "redacted_thinking" as const, data: s.redacted }
        : { type: "thinking" as const, thinking: s.text, signature: s.signature };
      sink.enqueue(chunk({ thinking_blocks: [thinking] }, null));
    }
  }

  let errorContext: ErrorContext | undefined;
  function fail(type: string, payload: unknown): never {
    errorContext ??= { provider: ctx.provider, model: ctx.requestedModel, headers: new Headers() };
    const status = statusForBedrockException(type);
    const body = isRecord(payload)
      ? { ...payload, __type: type }
      : { message: String(payload), __type: type };
    throw mapBedrockError(status, body, errorContext);
  }

  return {
    transform(event, sink) {
      if (done) return;
      const name = event.event;
      const payload = parseUpstreamJson(event.data, ctx.provider);
      if (isException(name)) fail(name!, payload);
      if (name === "error") {
        const code = isRecord(payload) && typeof payload.code === "string"
          ? payload.code
          : "UnknownError";
        fail(code, payload);
      }
      if (!isRecord(payload)) return;
      switch (name) {
        case "messageStart":
          if (!started) start(sink);
          return;
        case "contentBlockStart":
          if (!started) start(sink);
          blockStart(payload, sink);
          return;
        case "contentBlockDelta":
          if (!started) start(sink);
          blockDelta(payload, sink);
          return;
        case "contentBlockStop":
          blockStop(payload, sink);
          return;
        case "messageStop": {
          if (!started) start(sink);
          stopped = true;
          finish = mapBedrockStopReason(
            typeof payload.stopReason === "string" ? payload.stopReason : null,
          ) ?? "stop";
          if (jsonSeen && tools === 0 && finish === "tool_calls") finish = "stop";
          sink.enqueue(chunk({}, finish));
          return;
        }
        case "metadata":
          if (!stopped) return;
          done = true;
          if (isRecord(payload.usage)) {
            sink.enqueue({
              id,
              object: "chat.completion.chunk",
              created,
              model,
              choices: [],
              usage: fromBedrockUsage(payload.usage as BedrockTokenUsage),
            });
          }
          return;
        default:
          return;
      }
    },
    flush() {
      if (!stopped) {
        throw new APIConnectionError(
          `Provider "${ctx.provider}" stream ended before messageStop`,
          { provider: ctx.provider, model: ctx.requestedModel },
        );
      }
    },
  };
}

/** The same, as a `TransformStream` (see {@linkcode createBedrockStreamTransformer}). */
export function createBedrockStreamTransform(
  ctx: RequestContext,
): TransformStream<StreamEvent, ChatCompletionChunk> {
  return new TransformStream(createBedrockStreamTransformer(ctx));
}
