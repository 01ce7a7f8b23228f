/**
 * Anthropic Messages stream events → OpenAI `chat.completion.chunk`s.
 *
 * @module
 */

import type { ChatCompletionChunk, ChunkDelta, FinishReason, ToolCallDelta } from "../../types.ts";
import type {
  ChunkSink,
  ErrorContext,
  RequestContext,
  StreamEvent,
  StreamTransformer,
} from "../types.ts";
import { APIConnectionError } from "../../errors.ts";
import { isRecord, parseUpstreamJson } from "../../_json.ts";
import { ANTHROPIC_JSON_TOOL_NAME } from "./convert_request.ts";
import { fromAnthropicUsage } from "./convert_response.ts";
import { mapAnthropicStopReason } from "./map_finish_reason.ts";
import { mapAnthropicError, statusForAnthropicErrorType } from "./map_error.ts";
import type { AnthropicUsage } from "./api_types.ts";

/** What a content block of the stream is. */
type Kind = "other" | "text" | "tool" | "json" | "thinking" | "redacted";

/** Per-block state; blocks are few, so a small array indexed by block index. */
interface BlockState {
  kind: Kind;
  /** Tool-call index within the choice (tool blocks). */
  tool: number;
  /** Whether a non-empty argument fragment was emitted (tool and JSON blocks). */
  args: boolean;
  /** Accumulated thinking text, signature or redacted data (thinking blocks). */
  text: string;
  signature: string;
}

function mergeUsage(target: AnthropicUsage, source: Record<string, unknown>): void {
  const { input_tokens, output_tokens, cache_read_input_tokens, cache_creation_input_tokens } =
    source;
  if (typeof input_tokens === "number") target.input_tokens = input_tokens;
  if (typeof output_tokens === "number") target.output_tokens = output_tokens;
  if (typeof cache_read_input_tokens === "number") {
    target.cache_read_input_tokens = cache_read_input_tokens;
  }
  if (typeof cache_creation_input_tokens === "number") {
    target.cache_creation_input_tokens = cache_creation_input_tokens;
  }
}

/**
 * A fresh transform from Anthropic stream events to OpenAI chunks.
 *
 * - `message_start` → the first chunk (`role: "assistant"`, `content: ""`);
 *   id and model come from the message, `created` from `ctx.now()` once.
 * - `tool_use` blocks → tool-call headers with a running index, then
 *   `input_json_delta` fragments as argument text (`"{}"` when a block ends
 *   without any); the reserved JSON tool streams as `content` instead.
 * - `thinking_delta` → `reasoning_content`; when a thinking (or redacted
 *   thinking) block stops, one chunk carries it complete in `thinking_blocks`
 *   with its signature.
 * - `message_delta` → finish reason and cumulative usage, remembered;
 *   `message_stop` → the final chunk (`delta: {}`, finish reason) and a
 *   usage-only chunk (`choices: []`).
 * - `ping` and unknown events are ignored; an `error` event throws the mapped
 *   typed error; a stream that ends before `message_stop` throws
 *   {@linkcode APIConnectionError}.
 *
 * @example
 * ```ts
 * import { createAnthropicStreamTransform } from "./stream_transform.ts";
 * const ctx = { provider: "anthropic", model: "m", requestedModel: "anthropic/m",
 *   now: () => 0, generateId: () => "x" } as never;
 * const events = [
 *   { event: "message_start", data: '{"type":"message_start","message":{"id":"msg_1","model":"m","usage":{"input_tokens":1}}}' },
 *   { event: "content_block_delta", data: '{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}' },
 *   { event: "message_stop", data: '{"type":"message_stop"}' },
 * ];
 * const chunks = await Array.fromAsync(
 *   ReadableStream.from(events).pipeThrough(createAnthropicStreamTransform(ctx)),
 * );
 * console.assert(chunks[1].choices[0].delta.content === "Hi");
 * ```
 */
export function createAnthropicStreamTransformer(
  ctx: RequestContext,
): StreamTransformer {
  let id = "";
  let model = ctx.model;
  let created = 0;
  let started = false;
  let done = false;
  let finish: FinishReason | null = null;
  let tools = 0;
  let jsonSeen = false;
  const usage: AnthropicUsage = {};
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

  function start(
    message: Record<string, unknown>,
    controller: ChunkSink,
  ): void {
    started = true;
    id = typeof message.id === "string" ? message.id : `chatcmpl-${ctx.generateId()}`;
    if (typeof message.model === "string") model = message.model;
    created = Math.floor(ctx.now() / 1000);
    if (isRecord(message.usage)) mergeUsage(usage, message.usage);
    controller.enqueue(chunk({ role: "assistant", content: "" }, null));
  }

  function toolDelta(index: number, fragment: ToolCallDelta["function"]): ChunkDelta {
    return { tool_calls: [{ index, function: fragment }] };
  }

  function blockStart(
    index: number,
    block: Record<string, unknown>,
    controller: ChunkSink,
  ): void {
    const state: BlockState = { kind: "other", tool: -1, args: false, text: "", signature: "" };
    blocks[index] = state;
    switch (block.type) {
      case "text":
        state.kind = "text";
        if (typeof block.text === "string" && block.text !== "") {
          controller.enqueue(chunk({ content: block.text }, null));
        }
        break;
      case "tool_use":
        if (block.name === ANTHROPIC_JSON_TOOL_NAME) {
          state.kind = "json";
          jsonSeen = true;
          break;
        }
        state.kind = "tool";
        state.tool = tools++;
        controller.enqueue(chunk({
          tool_calls: [{
            index: state.tool,
            id: String(block.id),
            type: "function",
            function: { name: String(block.name), arguments: "" },
          }],
        }, null));
        break;
      case "thinking":
        state.kind = "thinking";
        if (typeof block.signature === "string") state.signature = block.signature;
        if (typeof block.thinking === "string" && block.thinking !== "") {
          state.text = block.thinking;
          controller.enqueue(chunk({ reasoning_content: block.thinking }, null));
        }
        break;
      case "redacted_thinking":
        state.kind = "redacted";
        if (typeof block.data === "string") state.text = block.data;
        break;
    }
  }

  function blockDelta(
    state: BlockState | undefined,
    delta: Record<string, unknown>,
    controller: ChunkSink,
  ): void {
    switch (delta.type) {
      case "text_delta":
        if (typeof delta.text === "string" && delta.text !== "") {
          controller.enqueue(chunk({ content: delta.text }, null));
        }
        break;
      case "input_json_delta": {
        const fragment = delta.partial_json;
        if (state === undefined || typeof fragment !== "string" || fragment === "") break;
        if (state.kind === "tool") {
          state.args = true;
          controller.enqueue(chunk(toolDelta(state.tool, { arguments: fragment }), null));
        } else if (state.kind === "json") {
          state.args = true;
          controller.enqueue(chunk({ content: fragment }, null));
        }
        break;
      }
      case "thinking_delta":
        if (typeof delta.thinking === "string" && delta.thinking !== "") {
          if (state !== undefined) state.text += delta.thinking;
          controller.enqueue(chunk({ reasoning_content: delta.thinking }, null));
        }
        break;
      case "signature_delta":
        if (state !== undefined && typeof delta.signature === "string") {
          state.signature = delta.signature;
        }
        break;
    }
  }

  function blockStop(
    index: number,
    controller: ChunkSink,
  ): void {
    const state = blocks[index];
    if (state === undefined) return;
    blocks[index] = undefined;
    switch (state.kind) {
      case "tool":
        if (!state.args) {
          controller.enqueue(chunk(toolDelta(state.tool, { arguments: "{}" }), null));
        }
        break;
      case "json":
        if (!state.args) controller.enqueue(chunk({ content: "{}" }, null));
        break;
      case "thinking":
        controller.enqueue(chunk({
          thinking_blocks: [{ type: "thinking", thinking: state.text, signature: state.signature }],
        }, null));
        break;
      case "redacted":
        controller.enqueue(chunk({
          thinking_blocks: [{ type: "redacted_thinking", data: state.text }],
        }, null));
        break;
    }
  }

  let errorContext: ErrorContext | undefined;

  return {
    transform(event, controller) {
      if (done) return;
      const parsed = parseUpstreamJson(event.data, ctx.provider);
      if (!isRecord(parsed)) return;
      const type = typeof parsed.type === "string" ? parsed.type : event.event;
      switch (type) {
        case "content_block_delta":
          if (!started) start({}, controller);
          if (isRecord(parsed.delta)) {
            blockDelta(blocks[parsed.index as number], parsed.delta, controller);
          }
          return;
        case "message_start":
          if (!started) start(isRecord(parsed.message) ? parsed.message : {}, controller);
          return;
        case "content_block_start":
          if (!started) start({}, controller);
          if (typeof parsed.index === "number" && isRecord(parsed.content_block)) {
            blockStart(parsed.index, parsed.content_block, controller);
          }
          return;
        case "content_block_stop":
          if (typeof parsed.index === "number") blockStop(parsed.index, controller);
          return;
        case "message_delta":
          if (isRecord(parsed.delta) && typeof parsed.delta.stop_reason === "string") {
            finish = mapAnthropicStopReason(parsed.delta.stop_reason);
          }
          if (isRecord(parsed.usage)) mergeUsage(usage, parsed.usage);
          return;
        case "message_stop": {
          if (!started) start({}, controller);
          done = true;
          let reason = finish ?? "stop";
          if (jsonSeen && tools === 0 && reason === "tool_calls") reason = "stop";
          controller.enqueue(chunk({}, reason));
          controller.enqueue({
            id,
            object: "chat.completion.chunk",
            created,
            model,
            choices: [],
            usage: fromAnthropicUsage(usage),
          });
          return;
        }
        case "error": {
          const err = isRecord(parsed.error) ? parsed.error : {};
          errorContext ??= {
            provider: ctx.provider,
            model: ctx.requestedModel,
            headers: new Headers(),
          };
          throw mapAnthropicError(
            statusForAnthropicErrorType(typeof err.type === "string" ? err.type : undefined),
            parsed,
            errorContext,
          );
        }
        default:
          // `ping` and event types added after this was written.
          return;
      }
    },
    flush() {
      if (!done) {
        throw new APIConnectionError(
          `Provider "${ctx.provider}" stream ended before message_stop`,
          { provider: ctx.provider, model: ctx.requestedModel },
        );
      }
    },
  };
}

/** The same, as a `TransformStream` (see {@linkcode createAnthropicStreamTransformer}). */
export function createAnthropicStreamTransform(
  ctx: RequestContext,
): TransformStream<StreamEvent, ChatCompletionChunk> {
  return new TransformStream(createAnthropicStreamTransformer(ctx));
}
