/**
 * OpenAI `chat.completion.chunk`s → the Anthropic Messages SSE event stream
 * (`event: message_start` … `event: message_stop`), pull-based.
 *
 * @module
 */

import type { ChatCompletionChunk, ThinkingBlock, Usage } from "../../types.ts";
import { CompletionStream } from "../../stream.ts";
import type { AnthropicOutputBlock, AnthropicOutputDelta, AnthropicOutputEvent } from "./types.ts";
import { toAnthropicError } from "./errors.ts";
import {
  fromOpenAIToolName,
  toAnthropicMessageId,
  toAnthropicStopReason,
  toAnthropicToolUseId,
  toAnthropicUsage,
} from "./_shared.ts";

/** Options of {@linkcode toAnthropicEventStream}. */
export interface AnthropicEventStreamOptions {
  /** The model the client asked for (echoed in `message_start`). */
  model: string;
  /** The message id; default `msg_` + the first chunk's id without `chatcmpl-`. */
  messageId?: string;
  /**
   * Input tokens to announce in `message_start` (default 0). Usage arrives
   * with the last chunk, so the real count is only known at the end; the
   * final `message_delta` always carries the cumulative usage.
   */
  inputTokens?: number;
  /** Usage to report when no chunk carried any (e.g. `() => completionStream.usage`). */
  usage?: () => Usage | undefined;
  /** Upstream function names → the client's tool names (see `toolNamesOf`). */
  toolNames?: ReadonlyMap<string, string>;
  /**
   * Send an `event: ping` whenever the upstream has been silent this long, in
   * milliseconds (default: never). Keeps idle proxies from closing the
   * connection while a model thinks.
   */
  pingIntervalMs?: number;
  /** Called with an error that ended the stream (after it is written as `event: error`). */
  onError?: (error: unknown) => void;
}

type BlockType = "text" | "thinking" | "tool_use";

const ENCODER = new TextEncoder();

function encode(events: readonly AnthropicOutputEvent[]): Uint8Array {
  let text = "";
  for (const e of events) text += `event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`;
  return ENCODER.encode(text);
}

/** The state machine: one call per chunk, each returning the events it causes. */
class EventEncoder {
  #options: AnthropicEventStreamOptions;
  #started = false;
  #open: { type: BlockType; index: number } | undefined;
  #nextIndex = 0;
  #toolBlocks = new Map<number, number>();
  #toolUses = 0;
  #refused = false;
  #finish: string | null = null;
  #usage: Usage | undefined;

  constructor(options: AnthropicEventStreamOptions) {
    this.#options = options;
  }

  get started(): boolean {
    return this.#started;
  }

  start(out: AnthropicOutputEvent[], chunkId?: string): void {
    if (this.#started) return;
    this.#started = true;
    out.push({
      type: "message_start",
      message: {
        id: this.#options.messageId ?? toAnthropicMessageId(chunkId),
        type: "message",
        role: "assistant",
        model: this.#options.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: this.#options.inputTokens ?? 0,
          output_tokens: 0,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
        },
      },
    });
  }

  ping(): AnthropicOutputEvent[] {
    const out: AnthropicOutputEvent[] = [];
    this.start(out);
    out.push({ type: "ping" });
    return out;
  }

  #close(out: AnthropicOutputEvent[]): void {
    if (this.#open === undefined) return;
    out.push({ type: "content_block_stop", index: this.#open.index });
    this.#open = undefined;
  }

  #startBlock(out: AnthropicOutputEvent[], type: BlockType, block: AnthropicOutputBlock): number {
    this.#close(out);
    const index = this.#nextIndex++;
    this.#open = { type, index };
    out.push({ type: "content_block_start", index, content_block: block });
    return index;
  }

  /** The index of an open block of `type`, opening a fresh one if needed. */
  #ensure(out: AnthropicOutputEvent[], type: "text" | "thinking"): number {
    if (this.#open?.type === type) return this.#open.index;
    return this.#startBlock(
      out,
      type,
      type === "text"
        ? { type: "text", text: "" }
        : { type: "thinking", thinking: "", signature: "" },
    );
  }

  #delta(out: AnthropicOutputEvent[], index: number, delta: AnthropicOutputDelta): void {
    out.push({ type: "content_block_delta", index, delta });
  }

  #thinkingBlocks(out: AnthropicOutputEvent[], blocks: readonly ThinkingBlock[]): void {
    for (const block of blocks) {
      if (block.type === "redacted_thinking") {
        this.#startBlock(out, "thinking", { type: "redacted_thinking", data: block.data ?? "" });
        this.#close(out);
        continue;
      }
      // A complete block: its text was streamed already if a thinking block is open.
      const streamed = this.#open?.type === "thinking";
      const index = this.#ensure(out, "thinking");
      if (!streamed && block.thinking) {
        this.#delta(out, index, { type: "thinking_delta", thinking: block.thinking });
      }
      if (block.signature) {
        this.#delta(out, index, { type: "signature_delta", signature: block.signature });
      }
      this.#close(out);
    }
  }

  chunk(chunk: ChatCompletionChunk): AnthropicOutputEvent[] {
    const out: AnthropicOutputEvent[] = [];
    this.start(out, chunk.id);
    if (chunk.usage) this.#usage = chunk.usage;
    const choice = chunk.choices?.find((c) => c.index === 0) ?? chunk.choices?.[0];
    if (choice === undefined) return out;
    const delta = choice.delta ?? {};
    if (typeof delta.reasoning_content === "string" && delta.reasoning_content !== "") {
      const index = this.#ensure(out, "thinking");
      this.#delta(out, index, { type: "thinking_delta", thinking: delta.reasoning_content });
    }
    if (Array.isArray(delta.thinking_blocks)) this.#thinkingBlocks(out, delta.thinking_blocks);
    if (typeof delta.content === "string" && delta.content !== "") {
      this.#delta(out, this.#ensure(out, "text"), { type: "text_delta", text: delta.content });
    }
    if (typeof delta.refusal === "string" && delta.refusal !== "") {
      this.#refused = true;
      this.#delta(out, this.#ensure(out, "text"), { type: "text_delta", text: delta.refusal });
    }
    for (const call of delta.tool_calls ?? []) {
      const key = typeof call.index === "number" ? call.index : 0;
      let index = this.#toolBlocks.get(key);
      if (index === undefined) {
        this.#toolUses++;
        index = this.#startBlock(out, "tool_use", {
          type: "tool_use",
          id: toAnthropicToolUseId(call.id, {
            signature: call.provider_specific_fields?.thought_signature,
            fallback: `toolu_${this.#toolUses}`,
          }),
          name: fromOpenAIToolName(call.function?.name ?? "", this.#options.toolNames),
          input: {},
        });
        this.#toolBlocks.set(key, index);
      }
      const args = call.function?.arguments;
      if (typeof args === "string" && args !== "") {
        this.#delta(out, index, { type: "input_json_delta", partial_json: args });
      }
    }
    if (choice.finish_reason) this.#finish = choice.finish_reason;
    return out;
  }

  finish(): AnthropicOutputEvent[] {
    const out: AnthropicOutputEvent[] = [];
    this.start(out);
    this.#close(out);
    const usage = toAnthropicUsage(this.#usage ?? this.#options.usage?.());
    if (this.#usage === undefined && usage.input_tokens === 0 && this.#options.inputTokens) {
      usage.input_tokens = this.#options.inputTokens;
    }
    out.push({
      type: "message_delta",
      delta: {
        stop_reason: this.#refused && this.#finish !== "length"
          ? "refusal"
          : toAnthropicStopReason(this.#finish, this.#toolUses > 0),
        stop_sequence: null,
      },
      usage,
    });
    out.push({ type: "message_stop" });
    return out;
  }
}

interface ChunkSource {
  next(): Promise<IteratorResult<ChatCompletionChunk>>;
  cancel(reason: unknown): Promise<void>;
}

function sourceOf(
  chunks: AsyncIterable<ChatCompletionChunk> | ReadableStream<ChatCompletionChunk>,
): ChunkSource {
  const stream = chunks instanceof CompletionStream
    ? chunks.toReadableStream()
    : chunks instanceof ReadableStream
    ? chunks
    : undefined;
  if (stream !== undefined) {
    const reader = stream.getReader();
    return {
      next: () => reader.read() as Promise<IteratorResult<ChatCompletionChunk>>,
      cancel: (reason) => reader.cancel(reason),
    };
  }
  const iterator = chunks[Symbol.asyncIterator]();
  return {
    next: () => iterator.next(),
    cancel: async (reason) => {
      await iterator.return?.(reason);
    },
  };
}

const TICK: unique symbol = Symbol("tick");

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof TICK> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = new Promise<typeof TICK>((resolve) => {
    timer = setTimeout(() => resolve(TICK), ms);
  });
  return Promise.race([promise, tick]).finally(() => clearTimeout(timer));
}

/**
 * Encode OpenAI chunks as Anthropic's Messages SSE stream:
 *
 * ```text
 * message_start            (usage.input_tokens: options.inputTokens ?? 0)
 * content_block_start      text {text:""} | thinking {thinking:"",signature:""} | tool_use {id,name,input:{}}
 * content_block_delta      text_delta | thinking_delta | signature_delta | input_json_delta
 * content_block_stop
 * …                        a new block whenever the kind changes, and one per tool-call index
 * message_delta            stop_reason + the final cumulative usage
 * message_stop
 * ```
 *
 * `reasoning_content` becomes a thinking block (a complete `thinking_blocks`
 * entry adds its `signature_delta`); text and refusals become text blocks;
 * tool-call fragments become `input_json_delta`s of the block opened for
 * their index. `ping` events are written while the upstream is silent for
 * `pingIntervalMs`. If reading a chunk fails, the stream writes
 * `event: error` with Anthropic's error body (see `toAnthropicError`) and
 * ends without `message_stop`.
 *
 * The stream is pull-based: a chunk is read only when the consumer wants
 * bytes, so backpressure reaches the upstream, and cancelling the returned
 * stream cancels the chunk source (and with it the upstream request).
 *
 * @example
 * ```ts
 * import { toAnthropicEventStream } from "./stream_encoder.ts";
 * import type { ChatCompletionChunk } from "../../types.ts";
 * const base = { id: "chatcmpl-1", object: "chat.completion.chunk" as const, created: 0, model: "m" };
 * const chunks: ChatCompletionChunk[] = [
 *   { ...base, choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: null }] },
 *   { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
 * ];
 * const text = await new Response(
 *   toAnthropicEventStream(ReadableStream.from(chunks), { model: "claude" }),
 * ).text();
 * console.assert(text.startsWith("event: message_start\n") && text.endsWith("event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n"));
 * ```
 */
export function toAnthropicEventStream(
  chunks: AsyncIterable<ChatCompletionChunk> | ReadableStream<ChatCompletionChunk>,
  options: AnthropicEventStreamOptions,
): ReadableStream<Uint8Array> {
  const source = sourceOf(chunks);
  const encoder = new EventEncoder(options);
  const pingMs = options.pingIntervalMs;
  let pending: Promise<IteratorResult<ChatCompletionChunk>> | undefined;
  let finished = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (finished) return;
      try {
        for (;;) {
          pending ??= source.next();
          const result = pingMs !== undefined && pingMs > 0
            ? await withTimeout(pending, pingMs)
            : await pending;
          if (finished) return; // cancelled while waiting
          if (result === TICK) {
            controller.enqueue(encode(encoder.ping()));
            return;
          }
          pending = undefined;
          if (result.done) {
            finished = true;
            controller.enqueue(encode(encoder.finish()));
            controller.close();
            return;
          }
          const events = encoder.chunk(result.value);
          if (events.length > 0) {
            controller.enqueue(encode(events));
            return;
          }
        }
      } catch (error) {
        if (finished) return;
        finished = true;
        pending = undefined;
        const { body } = toAnthropicError(error);
        controller.enqueue(encode([{ type: "error", error: body.error }]));
        controller.close();
        options.onError?.(error);
      }
    },
    async cancel(reason) {
      finished = true;
      await source.cancel(reason);
    },
  }, { highWaterMark: 0 });
}
