/**
 * The Hono routes of the Anthropic Messages API: `POST /v1/messages` and
 * `POST /v1/messages/count_tokens` (also without `/v1`).
 *
 * @module
 */

import { type Context, type Env, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { BlankEnv } from "hono/types";
import type { CompletionParams } from "../../params.ts";
import type { ChatCompletion, ChatCompletionChunk, ToolCallDelta } from "../../types.ts";
import { BadRequestError, InternalServerError } from "../../errors.ts";
import { CompletionStream } from "../../stream.ts";
import { toolNamesOf, toOpenAIRequest } from "./to_openai_request.ts";
import { fromOpenAICompletion } from "./from_openai_response.ts";
import { toAnthropicEventStream } from "./stream_encoder.ts";
import { toAnthropicError } from "./errors.ts";
import { countTokens } from "./count_tokens.ts";

/**
 * Runs a translated request: the proxy passes its Router here. Resolves to a
 * `ChatCompletion`, or to a `CompletionStream` when `params.stream` is true.
 */
export type MessagesCompleteFn<E extends Env = BlankEnv> = (
  params: CompletionParams,
  c: Context<E>,
) => Promise<ChatCompletion | CompletionStream>;

/** Options of {@linkcode createMessagesRoutes}. */
export interface MessagesRoutesOptions<E extends Env = BlankEnv> {
  /** Runs the OpenAI-shaped request (e.g. `(params) => router.completion(params)`). */
  complete: MessagesCompleteFn<E>;
  /**
   * Observes every failure (for logs and metrics): request errors before the
   * response, and errors that end a stream after it started. The response is
   * Anthropic-shaped either way.
   */
  onError?: (error: unknown, c: Context<E>) => void;
  /** Keep-alive `ping` events while the upstream is silent, in ms (default 15000; 0 = none). */
  pingIntervalMs?: number;
}

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
} as const;

async function readJson(c: Context): Promise<unknown> {
  const text = await c.req.text();
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(
      `Request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function isChunkStream(value: unknown): value is AsyncIterable<ChatCompletionChunk> {
  return value instanceof CompletionStream ||
    (typeof value === "object" && value !== null && Symbol.asyncIterator in value);
}

/** A whole completion as one chunk (for a `complete` that ignored `stream: true`). */
function chunksOf(completion: ChatCompletion): ChatCompletionChunk[] {
  const choice = completion.choices?.[0];
  const message = choice?.message;
  const delta: ChatCompletionChunk["choices"][number]["delta"] = { role: "assistant" };
  if (message?.reasoning_content) delta.reasoning_content = message.reasoning_content;
  if (message?.thinking_blocks) delta.thinking_blocks = message.thinking_blocks;
  if (message?.content) delta.content = message.content;
  if (message?.refusal) delta.refusal = message.refusal;
  if (message?.tool_calls) {
    delta.tool_calls = message.tool_calls.map((call, index): ToolCallDelta => ({ index, ...call }));
  }
  return [{
    id: completion.id,
    object: "chat.completion.chunk",
    created: completion.created,
    model: completion.model,
    choices: [{ index: 0, delta, finish_reason: choice?.finish_reason ?? "stop" }],
    usage: completion.usage ?? null,
  }];
}

/**
 * Create the Messages API routes, so that Anthropic SDK clients can use any
 * model llmux routes to. Mount them on the proxy app after its auth
 * middleware: `app.route("/", createMessagesRoutes({ complete }))`.
 *
 * - `POST /v1/messages` (and `/messages`): the body is validated and
 *   translated ({@linkcode toOpenAIRequest}), run through `complete`, and the
 *   answer translated back: a JSON message ({@linkcode fromOpenAICompletion})
 *   or, with `stream: true`, an Anthropic SSE stream
 *   ({@linkcode toAnthropicEventStream}; `content-type: text/event-stream`,
 *   `cache-control: no-cache`). The `model` the client sent names the
 *   Router's model group and is echoed back unchanged.
 * - `POST /v1/messages/count_tokens` (and `/messages/count_tokens`):
 *   `{"input_tokens": n}`, estimated locally ({@linkcode countTokens}).
 * - Errors, invalid JSON included, answer with Anthropic's error body and
 *   status ({@linkcode toAnthropicError}); an error after a stream started
 *   is written as `event: error`.
 *
 * Client disconnects cancel the response stream and, through it, the
 * upstream stream. To abort a non-streaming upstream call on disconnect too,
 * pass `signal: c.req.raw.signal` on in `complete`.
 *
 * @example
 * ```ts
 * import { createMessagesRoutes } from "./routes.ts";
 * import { Router } from "../../fallback/mod.ts";
 * const router = new Router({
 *   model_list: [{ model_name: "claude-x", litellm_params: { model: "openai/gpt-4o", mock_response: "Hi!" } }],
 * });
 * const app = createMessagesRoutes({ complete: (params) => router.completion(params) });
 * const res = await app.request("/v1/messages", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ model: "claude-x", max_tokens: 64, messages: [{ role: "user", content: "Hello" }] }),
 * });
 * const message = await res.json();
 * console.assert(message.type === "message" && message.content[0].text === "Hi!");
 * ```
 */
export function createMessagesRoutes<E extends Env = BlankEnv>(
  options: MessagesRoutesOptions<E>,
): Hono<E> {
  const { complete, onError, pingIntervalMs = 15_000 } = options;
  const app = new Hono<E>();

  function fail(c: Context<E>, error: unknown): Response {
    onError?.(error, c);
    const { status, body, headers } = toAnthropicError(error);
    return c.json(body, status as ContentfulStatusCode, headers);
  }

  async function messages(c: Context<E>): Promise<Response> {
    try {
      const body = await readJson(c);
      const request = toOpenAIRequest(body);
      const model = request.model;
      const toolNames = toolNamesOf(body);
      const result = await complete(request, c);
      if (request.stream === true) {
        const chunks = isChunkStream(result) ? result : ReadableStream.from(chunksOf(result));
        const stream = toAnthropicEventStream(chunks, {
          model,
          toolNames,
          pingIntervalMs,
          ...(result instanceof CompletionStream ? { usage: () => result.usage } : {}),
          onError: (error) => onError?.(error, c),
        });
        return c.body(stream, 200, SSE_HEADERS);
      }
      if (isChunkStream(result)) {
        if (result instanceof CompletionStream) await result.cancel();
        throw new InternalServerError("complete() returned a stream for a non-streaming request");
      }
      return c.json(fromOpenAICompletion(result, { model, toolNames }), 200);
    } catch (error) {
      return fail(c, error);
    }
  }

  async function tokens(c: Context<E>): Promise<Response> {
    try {
      return c.json(await countTokens(await readJson(c)), 200);
    } catch (error) {
      return fail(c, error);
    }
  }

  for (const prefix of ["/v1", ""]) {
    app.post(`${prefix}/messages`, messages);
    app.post(`${prefix}/messages/count_tokens`, tokens);
  }
  return app;
}
