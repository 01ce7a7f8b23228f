/**
 * OpenAI and every OpenAI-compatible host: a near pass-through adapter built
 * from one spec (a row of the data table in `table.ts`).
 *
 * @module
 */

import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionRequest,
  ChatMessage,
  EmbeddingResponse,
} from "../../types.ts";
import type { ProviderAdapter, RequestContext, StreamEvent, UpstreamRequest } from "../types.ts";
import { OPENAI_PARAMS, paramSet } from "../_params.ts";
import { APIConnectionError } from "../../errors.ts";
import { isRecord, parseUpstreamJson } from "../../_json.ts";
import { RAW_JSON, type RawChunk } from "../../stream.ts";
import { mapOpenAIError } from "./map_error.ts";

/** How one OpenAI-compatible host differs from OpenAI. */
export interface OpenAICompatibleSpec {
  /** Default base URL, up to and including the version segment. */
  readonly baseURL: string;
  /** Env vars holding the key, preferred first. */
  readonly apiKeyEnv: readonly string[];
  /** False for local servers that need no key (default true). */
  readonly apiKeyRequired?: boolean;
  /** Env vars that may hold the base URL. */
  readonly apiBaseEnv?: readonly string[];
  /** OpenAI params this host rejects. */
  readonly unsupportedParams?: readonly string[];
  /** Send the output limit under this name (many hosts only know `max_tokens`). */
  readonly maxTokensField?: "max_tokens" | "max_completion_tokens";
  /** False when the host does not know the `developer` role (sent as `system`). */
  readonly developerRole?: boolean;
  /** False when the host rejects `stream_options`. */
  readonly streamOptions?: boolean;
  /** Whether the host serves `/embeddings`. */
  readonly embeddings?: boolean;
  /** Merge consecutive same-role turns (hosts that demand strict alternation). */
  readonly mergeSameRole?: boolean;
  /** Fixed headers the host wants. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Documentation URL the base URL was verified against. */
  readonly docs?: string;
}

const FINISH_ALIASES: Record<string, ChatCompletionChunk["choices"][number]["finish_reason"]> = {
  stop: "stop",
  length: "length",
  tool_calls: "tool_calls",
  content_filter: "content_filter",
  function_call: "function_call",
  model_length: "length",
  eos: "stop",
  end_turn: "stop",
  max_tokens: "length",
};

function normaliseFinish(value: unknown): ChatCompletionChunk["choices"][number]["finish_reason"] {
  if (value === null || value === undefined) return null;
  return FINISH_ALIASES[String(value)] ?? "stop";
}

function mergeSameRole(messages: ChatMessage[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  for (const m of messages) {
    const prev = out[out.length - 1];
    if (
      prev && prev.role === m.role && (m.role === "user" || m.role === "assistant") &&
      typeof prev.content === "string" && typeof m.content === "string" &&
      !("tool_calls" in prev) && !("tool_calls" in m)
    ) {
      out[out.length - 1] = { ...prev, content: `${prev.content}\n\n${m.content}` } as ChatMessage;
    } else {
      out.push(m);
    }
  }
  return out;
}

function toOpenAIRequest(
  spec: OpenAICompatibleSpec,
  req: ChatCompletionRequest,
  ctx: RequestContext,
): Record<string, unknown> {
  const body: Record<string, unknown> = { ...req, model: ctx.model };
  if (spec.maxTokensField === "max_tokens" && body.max_completion_tokens != null) {
    body.max_tokens = body.max_completion_tokens;
    delete body.max_completion_tokens;
  }
  let messages = req.messages;
  if (spec.developerRole === false) {
    messages = messages.map((m) =>
      m.role === "developer" ? { ...m, role: "system" } as ChatMessage : m
    );
  }
  if (spec.mergeSameRole) messages = mergeSameRole(messages);
  body.messages = messages;
  if (ctx.stream) {
    body.stream = true;
    if (spec.streamOptions === false) delete body.stream_options;
    else body.stream_options = { ...req.stream_options, include_usage: true };
  } else {
    delete body.stream;
    delete body.stream_options;
  }
  return body;
}

function normaliseCompletion(body: unknown, ctx: RequestContext): ChatCompletion {
  if (!isRecord(body) || !Array.isArray(body.choices)) {
    throw new APIConnectionError(
      `Provider "${ctx.provider}" returned a body without 'choices'`,
      { provider: ctx.provider, model: ctx.requestedModel },
    );
  }
  const out = body as unknown as ChatCompletion;
  out.object = "chat.completion";
  out.id ??= `chatcmpl-${ctx.generateId()}`;
  out.created ??= Math.floor(ctx.now() / 1000);
  out.model ??= ctx.model;
  for (const choice of out.choices) {
    const message = choice.message as unknown as Record<string, unknown>;
    if (typeof message.reasoning === "string" && message.reasoning_content === undefined) {
      message.reasoning_content = message.reasoning;
      delete message.reasoning;
    }
    if (message.content === undefined) message.content = null;
    choice.finish_reason = normaliseFinish(choice.finish_reason);
    choice.logprobs ??= null;
  }
  return out;
}

/**
 * The OpenAI stream transform: parse each `data:` event, normalise the
 * reasoning field and finish reasons, split usage into a usage-only chunk,
 * end at `[DONE]`, and error on mid-stream `error` payloads or a cut stream.
 */
export function createOpenAIStreamTransform(
  ctx: RequestContext,
): TransformStream<StreamEvent, ChatCompletionChunk> {
  let finished = false;
  let done = false;
  let usage: ChatCompletionChunk["usage"] = undefined;
  let id = "";
  let created = 0;
  let model = ctx.model;
  return new TransformStream<StreamEvent, RawChunk>({
    transform(event, controller) {
      if (done) return;
      const data = event.data;
      if (data === "[DONE]") {
        done = true;
        return;
      }
      const parsed = parseUpstreamJson(data, ctx.provider);
      if (!isRecord(parsed)) return;
      if (isRecord(parsed.error)) {
        throw mapOpenAIError(500, parsed, {
          provider: ctx.provider,
          model: ctx.requestedModel,
          headers: new Headers(),
        });
      }
      const chunk = parsed as unknown as RawChunk;
      id ||= chunk.id ?? `chatcmpl-${ctx.generateId()}`;
      created ||= chunk.created ?? Math.floor(ctx.now() / 1000);
      model = chunk.model ?? model;
      let touched = chunk.object !== "chat.completion.chunk" || chunk.id === undefined ||
        chunk.created === undefined;
      const groqUsage = isRecord(parsed.x_groq) ? parsed.x_groq.usage : undefined;
      if (chunk.usage) {
        usage = chunk.usage;
      } else if (isRecord(groqUsage)) {
        usage = groqUsage as unknown as ChatCompletionChunk["usage"];
      }
      const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
      if (choices.length === 0) {
        if (chunk.usage) return; // usage-only chunk: re-emitted at the end
        return;
      }
      for (const choice of choices) {
        const delta = choice.delta as Record<string, unknown> | undefined;
        if (delta && typeof delta.reasoning === "string") {
          if (delta.reasoning_content === undefined) delta.reasoning_content = delta.reasoning;
          delete delta.reasoning;
          touched = true;
        }
        if (choice.finish_reason != null) {
          finished = true;
          const mapped = normaliseFinish(choice.finish_reason);
          if (mapped !== choice.finish_reason) {
            choice.finish_reason = mapped;
            touched = true;
          }
        }
      }
      if (touched || chunk.usage) {
        chunk.id = id;
        chunk.object = "chat.completion.chunk";
        chunk.created = created;
        chunk.model = model;
        delete chunk.usage;
      } else {
        chunk[RAW_JSON] = data;
      }
      controller.enqueue(chunk);
    },
    flush(controller) {
      if (!finished && !done) {
        throw new APIConnectionError(
          `Provider "${ctx.provider}" stream ended before the completion finished`,
          { provider: ctx.provider, model: ctx.requestedModel },
        );
      }
      if (usage) {
        controller.enqueue({
          id: id || `chatcmpl-${ctx.generateId()}`,
          object: "chat.completion.chunk",
          created: created || Math.floor(ctx.now() / 1000),
          model,
          choices: [],
          usage,
        });
      }
    },
  });
}

function joinUrl(base: string, path: string): string {
  return base.endsWith("/") ? base.slice(0, -1) + path : base + path;
}

/** Create the adapter for one OpenAI-compatible host. */
export function createOpenAICompatibleAdapter(
  id: string,
  spec: OpenAICompatibleSpec,
): ProviderAdapter {
  const unsupported = new Set(spec.unsupportedParams ?? []);
  const supportedParams = paramSet(OPENAI_PARAMS.filter((p) => !unsupported.has(p)));
  function headers(ctx: RequestContext): Record<string, string> {
    const h: Record<string, string> = { "content-type": "application/json", ...spec.headers };
    if (ctx.apiKey) h.authorization = `Bearer ${ctx.apiKey}`;
    return Object.assign(h, ctx.extraHeaders);
  }
  return {
    id,
    defaultApiBase: spec.baseURL,
    apiKeyEnv: spec.apiKeyEnv,
    apiKeyRequired: spec.apiKeyRequired ?? true,
    ...(spec.apiBaseEnv ? { apiBaseEnv: spec.apiBaseEnv } : {}),
    supportedParams,
    streamFraming: "sse",
    buildRequest(req, ctx): UpstreamRequest {
      return {
        url: joinUrl(ctx.apiBase, "/chat/completions"),
        headers: headers(ctx),
        body: JSON.stringify(toOpenAIRequest(spec, req, ctx)),
      };
    },
    parseResponse: normaliseCompletion,
    createStreamTransform: createOpenAIStreamTransform,
    mapError: mapOpenAIError,
    ...(spec.embeddings === false ? {} : {
      embedding: {
        buildRequest(req, ctx): UpstreamRequest {
          return {
            url: joinUrl(ctx.apiBase, "/embeddings"),
            headers: headers(ctx),
            body: JSON.stringify({ ...req, model: ctx.model }),
          };
        },
        parseResponse(body, ctx): EmbeddingResponse {
          if (!isRecord(body) || !Array.isArray(body.data)) {
            throw new APIConnectionError(
              `Provider "${ctx.provider}" returned an embeddings body without 'data'`,
              { provider: ctx.provider, model: ctx.requestedModel },
            );
          }
          const out = body as unknown as EmbeddingResponse;
          out.object = "list";
          out.model ??= ctx.model;
          out.usage ??= { prompt_tokens: 0, total_tokens: 0 };
          return out;
        },
      },
    }),
  };
}
