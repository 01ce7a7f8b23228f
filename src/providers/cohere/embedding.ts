/**
 * OpenAI embeddings ⇄ Cohere `POST /v2/embed`.
 *
 * Request: `input` → `texts` (a string is wrapped), `embedding_types:
 * ["float"]`, `dimensions` → `output_dimension`; `input_type` (required by
 * Cohere) comes from the LiteLLM extension field `input_type`, default
 * {@linkcode COHERE_DEFAULT_INPUT_TYPE} (`search_document`, LiteLLM's
 * default: texts being indexed; pass `input_type: "search_query"` for
 * queries). `truncate` passes through. Token arrays are rejected.
 * Response: `embeddings.float` in order; usage from
 * `meta.billed_units.input_tokens`; `encoding_format: "base64"` packs
 * little-endian float32 as OpenAI does.
 *
 * @module
 */

import type { Embedding, EmbeddingRequest, EmbeddingResponse } from "../../types.ts";
import { APIConnectionError, BadRequestError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { RequestContext } from "../types.ts";
import type { CohereEmbedRequest } from "./api_types.ts";

/** The `input_type` sent when the caller names none (LiteLLM's default). */
export const COHERE_DEFAULT_INPUT_TYPE = "search_document";

/**
 * Build the `/v2/embed` body.
 *
 * @example
 * ```ts
 * import { toCohereEmbedRequest } from "./embedding.ts";
 * const body = toCohereEmbedRequest({ model: "x", input: "hello" }, { model: "embed-v4.0" });
 * console.assert(body.input_type === "search_document" && body.texts[0] === "hello");
 * ```
 */
export function toCohereEmbedRequest(
  req: EmbeddingRequest,
  ctx: Pick<RequestContext, "model"> & Partial<Pick<RequestContext, "provider" | "requestedModel">>,
): CohereEmbedRequest {
  const provider = ctx.provider ?? "cohere";
  const input = req.input;
  const texts = typeof input === "string" ? [input] : input;
  if (texts.length === 0 || !texts.every((t) => typeof t === "string")) {
    throw new BadRequestError(
      `Provider "${provider}" embeds text only: 'input' must be a string or a non-empty list of strings`,
      { provider, model: ctx.requestedModel ?? req.model, param: "input" },
    );
  }
  const body: CohereEmbedRequest = {
    model: ctx.model,
    texts: texts as string[],
    input_type: typeof req.input_type === "string" ? req.input_type : COHERE_DEFAULT_INPUT_TYPE,
    embedding_types: ["float"],
  };
  if (req.dimensions !== undefined) body.output_dimension = req.dimensions;
  if (typeof req.truncate === "string") body.truncate = req.truncate;
  return body;
}

function toBase64(values: number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

/** Convert a `/v2/embed` response to an OpenAI embeddings list. */
export function fromCohereEmbedResponse(
  body: unknown,
  ctx: Pick<RequestContext, "provider" | "model" | "requestedModel">,
  req: EmbeddingRequest,
): EmbeddingResponse {
  const vectors = isRecord(body) && isRecord(body.embeddings) ? body.embeddings.float : undefined;
  if (!Array.isArray(vectors) || !vectors.every(Array.isArray)) {
    throw new APIConnectionError(
      `Provider "${ctx.provider}" returned an embeddings body without 'embeddings.float'`,
      { provider: ctx.provider, model: ctx.requestedModel },
    );
  }
  const base64 = req.encoding_format === "base64";
  const data = (vectors as number[][]).map((values, index): Embedding => ({
    object: "embedding",
    index,
    embedding: base64 ? toBase64(values) : values,
  }));
  const meta = isRecord(body) && isRecord(body.meta) ? body.meta : undefined;
  const billed = meta && isRecord(meta.billed_units) ? meta.billed_units.input_tokens : undefined;
  const tokens = typeof billed === "number" ? billed : 0;
  return {
    object: "list",
    data,
    model: ctx.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
