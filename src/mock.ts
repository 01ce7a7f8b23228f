/**
 * `mock_response`: answer with the given text and no network call, as
 * LiteLLM does, streaming included.
 *
 * @module
 */

import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest } from "./types.ts";
import { CompletionStream } from "./stream.ts";
import { estimateUsage } from "./token_counter.ts";
import type { Usage } from "./types.ts";

/** Clock and ids for mock answers. */
export interface MockDeps {
  /** Clock in milliseconds. */
  now: () => number;
  /** Random id source. */
  generateId: () => string;
}

/** A `chat.completion` carrying `text`, with estimated usage. */
export async function mockCompletion(
  request: ChatCompletionRequest,
  text: string,
  deps: MockDeps,
): Promise<ChatCompletion> {
  return {
    id: `chatcmpl-${deps.generateId()}`,
    object: "chat.completion",
    created: Math.floor(deps.now() / 1000),
    model: request.model,
    choices: [{
      index: 0,
      message: { role: "assistant", content: text },
      logprobs: null,
      finish_reason: "stop",
    }],
    usage: await estimateUsage({
      messages: request.messages,
      tools: request.tools,
      completion: text,
    }),
  };
}

/** Split text into word-sized pieces (whitespace kept with the word before it). */
export function splitForStream(text: string): string[] {
  return text.match(/\s*\S+\s*/g) ?? (text === "" ? [] : [text]);
}

/** A stream of chunks carrying `text` word by word, then finish (and usage when asked). */
export function mockStream(
  request: ChatCompletionRequest,
  text: string,
  deps: MockDeps,
): CompletionStream {
  const id = `chatcmpl-${deps.generateId()}`;
  const created = Math.floor(deps.now() / 1000);
  const includeUsage = request.stream_options?.include_usage === true;
  const base = { id, object: "chat.completion.chunk" as const, created, model: request.model };
  const pieces = splitForStream(text);
  let usage: Usage | undefined;
  let i = -1;
  const stream = new ReadableStream<ChatCompletionChunk>({
    async pull(controller) {
      const extra = includeUsage ? { usage: null } : {};
      if (i === -1) {
        controller.enqueue({
          ...base,
          choices: [{
            index: 0,
            delta: { role: "assistant", content: "" },
            logprobs: null,
            finish_reason: null,
          }],
          ...extra,
        });
      } else if (i < pieces.length) {
        controller.enqueue({
          ...base,
          choices: [{
            index: 0,
            delta: { content: pieces[i] },
            logprobs: null,
            finish_reason: null,
          }],
          ...extra,
        });
      } else if (i === pieces.length) {
        controller.enqueue({
          ...base,
          choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }],
          ...extra,
        });
      } else {
        usage = await estimateUsage({
          messages: request.messages,
          tools: request.tools,
          completion: text,
        });
        if (includeUsage) controller.enqueue({ ...base, choices: [], usage });
        controller.close();
      }
      i++;
    },
  }, { highWaterMark: 0 });
  return new CompletionStream(stream, {
    info: { provider: "mock", model: request.model, headers: {} },
    usage: () => usage,
  });
}
