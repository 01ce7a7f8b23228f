/**
 * Ollama embeddings over `/api/embed`: OpenAI embeddings request → native
 * body, native `{embeddings, prompt_eval_count}` → OpenAI list.
 *
 * Token-array inputs cannot be sent (Ollama takes text only) and raise
 * `BadRequestError`. `encoding_format: "base64"` is honoured here: Ollama
 * returns floats, which are packed as little-endian float32 and
 * base64-encoded, as OpenAI does. `truncate`, `keep_alive` and `options`
 * are passed on when given.
 *
 * @module
 */

import type { EmbeddingRequest, EmbeddingResponse } from "../../types.ts";
import type { EmbeddingAdapter, RequestContext, UpstreamRequest } from "../types.ts";
import { APIConnectionError, BadRequestError } from "../../errors.ts";
import { isRecord, numberField, stringField } from "../../_json.ts";
import type { OllamaEmbedRequest } from "./api_types.ts";
import { ollamaHeaders, ollamaUrl } from "./_request.ts";

/** Build the `/api/embed` body; token arrays are rejected. */
export function toOllamaEmbedRequest(
  req: EmbeddingRequest,
  ctx: RequestContext,
): OllamaEmbedRequest {
  const input = req.input;
  const text = typeof input === "string" ||
    (Array.isArray(input) && input.every((item) => typeof item === "string"));
  if (!text) {
    throw new BadRequestError(
      `Cannot call provider "${ctx.provider}": embedding input must be text; token arrays are not supported`,
      { provider: ctx.provider, model: ctx.requestedModel, param: "input" },
    );
  }
  const body: OllamaEmbedRequest = { model: ctx.model, input: input as string | string[] };
  if (req.dimensions !== undefined) body.dimensions = req.dimensions;
  if (typeof req.truncate === "boolean") body.truncate = req.truncate;
  const keepAlive = req.keep_alive;
  if (typeof keepAlive === "string" || typeof keepAlive === "number") body.keep_alive = keepAlive;
  if (isRecord(req.options)) body.options = req.options;
  return body;
}

function toBase64(vector: readonly number[]): string {
  const bytes = new Uint8Array(vector.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i], true);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

/** Turn an `/api/embed` response into an OpenAI embeddings list. */
export function fromOllamaEmbedResponse(
  body: unknown,
  ctx: RequestContext,
  req: EmbeddingRequest,
): EmbeddingResponse {
  if (!isRecord(body) || !Array.isArray(body.embeddings)) {
    throw new APIConnectionError(
      `Provider "${ctx.provider}" returned an embeddings body without 'embeddings'`,
      { provider: ctx.provider, model: ctx.requestedModel },
    );
  }
  const base64 = req.encoding_format === "base64";
  const vectors = body.embeddings as number[][];
  const tokens = numberField(body, "prompt_eval_count") ?? 0;
  return {
    object: "list",
    data: vectors.map((vector, index) => ({
      object: "embedding",
      index,
      embedding: base64 ? toBase64(vector) : vector,
    })),
    model: stringField(body, "model") ?? ctx.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/** Ollama's embedding support, for `ProviderAdapter.embedding`. */
export const ollamaEmbeddingAdapter: EmbeddingAdapter = {
  buildRequest(req: EmbeddingRequest, ctx: RequestContext): UpstreamRequest {
    return {
      url: ollamaUrl(ctx, "/api/embed"),
      headers: ollamaHeaders(ctx),
      body: JSON.stringify(toOllamaEmbedRequest(req, ctx)),
    };
  },
  parseResponse: fromOllamaEmbedResponse,
};
