/**
 * The streaming pipeline in one stage: upstream bytes → UTF-8 text →
 * SSE/NDJSON events → the provider's transformer → usage handling → batches
 * of chunks. Everything between the socket and the consumer runs inline in
 * one pull, and a pull hands out every chunk it could make from text already
 * in memory (up to a budget) as one batch, so there is one stream hop per
 * batch instead of one per chunk; backpressure still reaches the socket (a
 * pull reads only when the consumer wants more and nothing is in memory) and
 * cancelling the batches cancels the upstream body.
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
import { createByteReader } from "./_byte_reader.ts";
import { type ChunkBatch, hasContent, RAW_JSON, type RawChunk } from "./_batches.ts";
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
  /** Applied to every error the stream carries (e.g. redaction of the call's secrets). */
  mapError?: ((error: unknown) => unknown) | undefined;
}

/** Characters of upstream text parsed per step until a chunk exists (a few typical events). */
const PARSE_SLICE = 2048;
/** Characters of upstream text already in memory that one batch is made from, at most. */
const BATCH_TEXT = 16 * 1024;

/**
 * Upstream body → batches of OpenAI chunks, in one stream stage.
 *
 * Until the first chunk with content has gone out, every batch holds exactly
 * one chunk, parsed a slice at a time, so the first token leaves as early as
 * it can. After that a pull parses up to {@linkcode BATCH_TEXT} characters of
 * what is in memory and hands out every chunk it made; it reads the network
 * only when it has no chunk yet.
 */
export function createChunkStream(
  body: ReadableStream<Uint8Array>,
  options: ChunkStreamOptions,
): ReadableStream<ChunkBatch> {
  const binary = options.framing === "binary" ? options.binaryParser : undefined;
  // Text is decoded (copied) out of each read at once, so one buffer serves every read; a
  // binary parser may keep the bytes of an unfinished frame, so it gets a new one each time.
  const reader = createByteReader(body, { reuse: binary === undefined });
  const decoder = new TextDecoder();
  const textParser = options.framing === "ndjson" ? createNdjsonParser() : createSseParser();
  if (options.framing === "binary" && !binary) {
    throw new TypeError("binary stream framing needs the adapter's createBinaryParser()");
  }
  const { transformer } = options;
  const finisher = new UsageFinisher(options.request, options.ctx, options.state);
  // Chunks made and not handed out yet.
  let ready: RawChunk[] = [];
  // One chunk per batch until the first content is out (time to first token).
  let eager = true;
  let pendingError: { error: unknown } | undefined;
  const out: ChunkSink = {
    enqueue(chunk) {
      ready.push(chunk);
    },
  };
  const toFinisher: ChunkSink = { enqueue: (chunk) => finisher.push(chunk, out) };
  const onEvent = (event: Parameters<StreamTransformer["transform"]>[0]) =>
    transformer.transform(event, toFinisher);

  // Upstream text not parsed yet: a burst of events in one read waits here as text, to be
  // parsed batch by batch as the client takes it.
  let backlog = "";
  /** Parse up to `limit` characters of the backlog; returns how many. */
  const parse = (limit: number): number => {
    const piece = backlog.length <= limit ? backlog : backlog.slice(0, limit);
    backlog = piece === backlog ? "" : backlog.slice(limit);
    textParser.push(piece, onEvent);
    return piece.length;
  };
  /** Everything made so far. */
  const takeAll = (): ChunkBatch => {
    const batch = ready;
    ready = [];
    return batch;
  };
  /** The next batch: one chunk while eager, else everything made so far. */
  const take = (): ChunkBatch => {
    if (!eager) return takeAll();
    const first = ready.shift()!;
    if (hasContent(first)) eager = false;
    return [first];
  };
  const read = async (): Promise<ReadableStreamReadResult<Uint8Array>> => {
    try {
      return await reader.read();
    } catch (cause) {
      throw options.onReadError(cause);
    }
  };
  const finish = async (): Promise<void> => {
    if (binary) binary.end(onEvent);
    else {
      textParser.push(decoder.decode(), onEvent);
      textParser.end(onEvent);
    }
    transformer.flush?.(toFinisher);
    await finisher.end(out);
  };

  return new ReadableStream<ChunkBatch>({
    async pull(controller) {
      if (pendingError !== undefined) {
        controller.error(pendingError.error);
        return;
      }
      try {
        let parsed = 0;
        while (ready.length === 0 || (!eager && backlog !== "" && parsed < BATCH_TEXT)) {
          if (backlog !== "") {
            parsed += parse(eager ? PARSE_SLICE : Math.max(PARSE_SLICE, BATCH_TEXT - parsed));
            continue;
          }
          const result = await read();
          if (result.done) {
            await finish();
            if (ready.length > 0) controller.enqueue(takeAll());
            controller.close();
            return;
          }
          if (binary) binary.push(result.value, onEvent);
          else backlog = decoder.decode(result.value, { stream: true });
        }
        controller.enqueue(take());
      } catch (cause) {
        const error = options.mapError ? options.mapError(cause) : cause;
        reader.cancel(error).catch(() => {});
        // Chunks already made reach the consumer before the error.
        if (ready.length > 0) {
          pendingError = { error };
          controller.enqueue(takeAll());
        } else controller.error(error);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  }, { highWaterMark: 0 });
}
