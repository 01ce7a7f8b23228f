/**
 * The streaming pipeline in one stage: upstream bytes → UTF-8 text →
 * SSE/NDJSON events → the provider's transformer → usage handling → chunks.
 * Everything between the socket and the consumer runs inline in one pull,
 * so there is one stream hop per chunk instead of five; backpressure still
 * reaches the socket (a pull reads only when the consumer wants more) and
 * cancelling the chunks cancels the upstream body.
 *
 * @module
 */

import type { ChatCompletionChunk, ChatCompletionRequest, Usage } from "./types.ts";
import type {
  BinaryEventParser,
  ChunkSink,
  RequestContext,
  StreamTransformer,
} from "./providers/types.ts";
import { createNdjsonParser, createSseParser } from "./_sse.ts";
import { RAW_JSON, type RawChunk } from "./stream.ts";
import { estimateUsage } from "./token_counter.ts";

function textOf(chunk: ChatCompletionChunk): string {
  let out = "";
  for (const choice of chunk.choices) {
    const d = choice.delta;
    if (typeof d.content === "string") out += d.content;
    if (d.tool_calls) { for (const t of d.tool_calls) out += t.function?.arguments ?? ""; }
  }
  return out;
}

/** Usage bookkeeping shared with `CompletionStream.usage`. */
export interface UsageState {
  /** The provider's usage (or the estimate), once known. */
  usage: Usage | undefined;
}

/**
 * The generic end of every stream: remember usage, forward the usage chunk
 * last and only when the caller asked for it, and estimate usage with the
 * tokenizer when the provider reported none.
 */
class UsageFinisher {
  #request: ChatCompletionRequest;
  #ctx: RequestContext;
  #state: UsageState;
  #text = "";
  #first: RawChunk | undefined;
  #usageChunk: RawChunk | undefined;

  constructor(request: ChatCompletionRequest, ctx: RequestContext, state: UsageState) {
    this.#request = request;
    this.#ctx = ctx;
    this.#state = state;
  }

  push(chunk: RawChunk, out: ChunkSink): void {
    this.#first ??= chunk;
    if (chunk.choices.length === 0 && chunk.usage) {
      this.#state.usage = chunk.usage;
      this.#usageChunk = chunk;
      return;
    }
    this.#text += textOf(chunk);
    if (this.#ctx.includeUsage && chunk[RAW_JSON] === undefined) chunk.usage = null;
    out.enqueue(chunk);
  }

  async end(out: ChunkSink): Promise<void> {
    const ctx = this.#ctx;
    this.#state.usage ??= await estimateUsage({
      messages: this.#request.messages,
      tools: this.#request.tools,
      completion: this.#text,
    });
    if (!ctx.includeUsage) return;
    // The provider's own usage chunk goes out as it came (raw JSON kept).
    if (this.#usageChunk) return out.enqueue(this.#usageChunk);
    const first = this.#first;
    out.enqueue({
      id: first?.id ?? `chatcmpl-${ctx.generateId()}`,
      object: "chat.completion.chunk",
      created: first?.created ?? Math.floor(ctx.now() / 1000),
      model: first?.model ?? ctx.model,
      choices: [],
      usage: this.#state.usage,
    });
  }
}

/** Options of {@linkcode createChunkStream}. */
export interface ChunkStreamOptions {
  /** How the upstream frames its stream. */
  framing: "sse" | "ndjson" | "binary";
  /** The parser for `binary` framing (AWS event-stream). */
  binaryParser?: BinaryEventParser;
  /** The provider's transformer for this call. */
  transformer: StreamTransformer;
  /** The request (for usage estimation). */
  request: ChatCompletionRequest;
  /** The call's context. */
  ctx: RequestContext;
  /** Where usage is recorded. */
  state: UsageState;
  /** Turn a failed network read into the error the stream carries. */
  onReadError: (cause: unknown) => unknown;
}

/** Characters of upstream text parsed per step (a few typical events). */
const PARSE_SLICE = 2048;

/** Upstream body → OpenAI chunks, in one stream stage. */
export function createChunkStream(
  body: ReadableStream<Uint8Array>,
  options: ChunkStreamOptions,
): ReadableStream<ChatCompletionChunk> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const textParser = options.framing === "ndjson" ? createNdjsonParser() : createSseParser();
  const binary = options.framing === "binary" ? options.binaryParser : undefined;
  if (options.framing === "binary" && !binary) {
    throw new TypeError("binary stream framing needs the adapter's createBinaryParser()");
  }
  const { transformer } = options;
  const finisher = new UsageFinisher(options.request, options.ctx, options.state);
  let controllerRef: ReadableStreamDefaultController<ChatCompletionChunk>;
  let emitted = 0;
  let pendingError: { error: unknown } | undefined;
  const out: ChunkSink = {
    enqueue(chunk) {
      emitted++;
      controllerRef.enqueue(chunk);
    },
  };
  const toFinisher: ChunkSink = { enqueue: (chunk) => finisher.push(chunk, out) };
  const onEvent = (event: Parameters<StreamTransformer["transform"]>[0]) =>
    transformer.transform(event, toFinisher);

  // Upstream text not parsed yet: a pull parses only until it has a chunk to hand out, a
  // slice at a time, so a burst of events in one read is not turned into hundreds of chunk
  // objects at once (the first leaves after one slice; the rest wait as text for the client).
  let backlog = "";
  return new ReadableStream<ChatCompletionChunk>({
    start(controller) {
      controllerRef = controller;
    },
    async pull(controller) {
      if (pendingError !== undefined) {
        controller.error(pendingError.error);
        return;
      }
      const before = emitted;
      try {
        while (emitted === before) {
          if (backlog.length > 0) {
            const piece = backlog.length <= PARSE_SLICE ? backlog : backlog.slice(0, PARSE_SLICE);
            backlog = piece === backlog ? "" : backlog.slice(PARSE_SLICE);
            textParser.push(piece, onEvent);
            continue;
          }
          let result: ReadableStreamReadResult<Uint8Array>;
          try {
            result = await reader.read();
          } catch (cause) {
            throw options.onReadError(cause);
          }
          if (result.done) {
            if (binary) binary.end(onEvent);
            else {
              textParser.push(decoder.decode(), onEvent);
              textParser.end(onEvent);
            }
            transformer.flush?.(toFinisher);
            await finisher.end(out);
            controller.close();
            return;
          }
          if (binary) binary.push(result.value, onEvent);
          else backlog = decoder.decode(result.value, { stream: true });
        }
      } catch (error) {
        reader.cancel(error).catch(() => {});
        // Chunks already queued in this pull reach the consumer before the error.
        if (emitted !== before) pendingError = { error };
        else controller.error(error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}
