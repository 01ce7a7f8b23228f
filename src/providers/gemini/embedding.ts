/**
 * OpenAI embeddings ⇄ Gemini `embedContent` / `batchEmbedContents`.
 *
 * @module
 */

import type { Embedding, EmbeddingRequest, EmbeddingResponse } from "../../types.ts";
import { APIConnectionError, BadRequestError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { EmbeddingAdapter, RequestContext, UpstreamRequest } from "../types.ts";
import type {
  GeminiBatchEmbedContentsRequest,
  GeminiContentEmbedding,
  GeminiEmbedContentRequest,
} from "./api_types.ts";
import { geminiHeaders, geminiMethodUrl, geminiModelResource } from "./_endpoint.ts";

/** A native embeddings call: the method to call and its body. */
export type GeminiEmbedCall =
  | { method: "embedContent"; body: GeminiEmbedContentRequest }
  | { method: "batchEmbedContents"; body: GeminiBatchEmbedContentsRequest };

function embedRequest(text: string, req: EmbeddingRequest): GeminiEmbedContentRequest {
  const out: GeminiEmbedContentRequest = { content: { parts: [{ text }] } };
  if (typeof req.task_type === "string") out.taskType = req.task_type;
  if (req.dimensions !== undefined) out.outputDimensionality = req.dimensions;
  return out;
}

/**
 * Convert an OpenAI embeddings request: one string → `embedContent`
 * (`{content, outputDimensionality?}`); a list of strings →
 * `batchEmbedContents` (one request per string, each naming
 * `models/<model>`). `dimensions` → `outputDimensionality`; the LiteLLM
 * extension field `task_type` → `taskType`. Token arrays are rejected with
 * a {@linkcode BadRequestError} (Gemini embeds text only).
 *
 * @example
 * ```ts
 * import { toGeminiEmbedCall } from "./embedding.ts";
 * const call = toGeminiEmbedCall({ model: "text-embedding-004", input: ["a", "b"] }, "text-embedding-004");
 * console.assert(call.method === "batchEmbedContents");
 * ```
 */
export function toGeminiEmbedCall(
  req: EmbeddingRequest,
  model: string,
  options: { provider?: string } = {},
): GeminiEmbedCall {
  const provider = options.provider ?? "gemini";
  const input = req.input;
  if (typeof input === "string") return { method: "embedContent", body: embedRequest(input, req) };
  if (input.length === 0 || !input.every((item) => typeof item === "string")) {
    throw new BadRequestError(
      `Provider "${provider}" embeds text only: 'input' must be a string or a non-empty list of strings`,
      { provider, model: req.model, param: "input" },
    );
  }
  const resource = geminiModelResource(model);
  const requests = (input as string[]).map((text) => ({
    model: resource,
    ...embedRequest(text, req),
  }));
  return { method: "batchEmbedContents", body: { requests } };
}

function vectorOf(value: unknown): number[] | undefined {
  return isRecord(value) && Array.isArray(value.values) ? value.values as number[] : undefined;
}

function toBase64(values: number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

/**
 * Convert an `embedContent` (`{embedding}`) or `batchEmbedContents`
 * (`{embeddings}`) response to an OpenAI list. Gemini reports no token
 * usage, so `usage` is `{prompt_tokens: 0, total_tokens: 0}`. With
 * `encoding_format: "base64"` vectors are encoded as OpenAI does
 * (little-endian float32).
 */
export function fromGeminiEmbedResponse(
  body: unknown,
  ctx: Pick<RequestContext, "provider" | "model" | "requestedModel">,
  req: EmbeddingRequest,
): EmbeddingResponse {
  let vectors: (number[] | undefined)[] | undefined;
  if (isRecord(body) && body.embedding !== undefined) vectors = [vectorOf(body.embedding)];
  else if (isRecord(body) && Array.isArray(body.embeddings)) {
    vectors = (body.embeddings as GeminiContentEmbedding[]).map(vectorOf);
  }
  if (!vectors || vectors.some((v) => v === undefined)) {
    throw new APIConnectionError(
      `Provider "${ctx.provider}" returned an embeddings body without 'embedding.values'`,
      { provider: ctx.provider, model: ctx.requestedModel },
    );
  }
  const base64 = req.encoding_format === "base64";
  const data = vectors.map((values, index): Embedding => ({
    object: "embedding",
    index,
    embedding: base64 ? toBase64(values!) : values!,
  }));
  return { object: "list", data, model: ctx.model, usage: { prompt_tokens: 0, total_tokens: 0 } };
}

/** The Gemini API embeddings adapter (`x-goog-api-key`, `/v1beta/models/{m}:…`). */
export const geminiEmbeddingAdapter: EmbeddingAdapter = {
  buildRequest(req: EmbeddingRequest, ctx: RequestContext): UpstreamRequest {
    const call = toGeminiEmbedCall(req, ctx.model, { provider: ctx.provider });
    return {
      url: geminiMethodUrl(ctx.apiBase, ctx.model, call.method),
      headers: geminiHeaders(ctx),
      body: JSON.stringify(call.body),
    };
  },
  parseResponse: fromGeminiEmbedResponse,
};
