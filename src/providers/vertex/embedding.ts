/**
 * OpenAI embeddings ⇄ Vertex AI text-embedding `:predict`
 * (`text-embedding-005`, `text-multilingual-embedding-002`,
 * `gemini-embedding-001`, …).
 *
 * Request: one instance `{content}` per input text; `dimensions` →
 * `parameters.outputDimensionality`; the LiteLLM extension fields
 * `task_type` (e.g. `RETRIEVAL_QUERY`) and `title` go on every instance and
 * `auto_truncate` → `parameters.autoTruncate`. Token arrays are rejected.
 * Response: `predictions[].embeddings.values`, usage summed from
 * `statistics.token_count`; `encoding_format: "base64"` packs little-endian
 * float32 as OpenAI does.
 *
 * @module
 */

import type { Embedding, EmbeddingRequest, EmbeddingResponse } from "../../types.ts";
import { APIConnectionError, BadRequestError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { EmbeddingAdapter, RequestContext, UpstreamRequest } from "../types.ts";
import type { VertexEmbedInstance, VertexEmbedRequest } from "./api_types.ts";
import { vertexCallUrl } from "./_endpoint.ts";

/**
 * Build the `:predict` body.
 *
 * @example
 * ```ts
 * import { toVertexEmbedRequest } from "./embedding.ts";
 * const body = toVertexEmbedRequest({ model: "m", input: ["a", "b"], dimensions: 256 });
 * console.assert(body.instances.length === 2 && body.parameters?.outputDimensionality === 256);
 * ```
 */
export function toVertexEmbedRequest(
  req: EmbeddingRequest,
  options: { provider?: string } = {},
): VertexEmbedRequest {
  const provider = options.provider ?? "vertex_ai";
  const input = req.input;
  const texts = typeof input === "string" ? [input] : input;
  if (texts.length === 0 || !texts.every((t) => typeof t === "string")) {
    throw new BadRequestError(
      `Provider "${provider}" embeds text only: 'input' must be a string or a non-empty list of strings`,
      { provider, model: req.model, param: "input" },
    );
  }
  const instances = (texts as string[]).map((content): VertexEmbedInstance => {
    const instance: VertexEmbedInstance = { content };
    if (typeof req.task_type === "string") instance.task_type = req.task_type;
    if (typeof req.title === "string") instance.title = req.title;
    return instance;
  });
  const body: VertexEmbedRequest = { instances };
  const parameters: NonNullable<VertexEmbedRequest["parameters"]> = {};
  if (req.dimensions !== undefined) parameters.outputDimensionality = req.dimensions;
  if (typeof req.auto_truncate === "boolean") parameters.autoTruncate = req.auto_truncate;
  if (Object.keys(parameters).length > 0) body.parameters = parameters;
  return body;
}

function toBase64(values: number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

/** Convert a `:predict` response to an OpenAI embeddings list. */
export function fromVertexEmbedResponse(
  body: unknown,
  ctx: Pick<RequestContext, "provider" | "model" | "requestedModel">,
  req: EmbeddingRequest,
): EmbeddingResponse {
  const predictions = isRecord(body) && Array.isArray(body.predictions) ? body.predictions : [];
  let tokens = 0;
  const vectors = predictions.map((p): number[] | undefined => {
    const e = isRecord(p) && isRecord(p.embeddings) ? p.embeddings : undefined;
    if (!e || !Array.isArray(e.values)) return undefined;
    const count = isRecord(e.statistics) ? e.statistics.token_count : undefined;
    if (typeof count === "number") tokens += count;
    return e.values as number[];
  });
  if (vectors.length === 0 || vectors.some((v) => v === undefined)) {
    throw new APIConnectionError(
      `Provider "${ctx.provider}" returned an embeddings body without 'predictions[].embeddings.values'`,
      { provider: ctx.provider, model: ctx.requestedModel },
    );
  }
  const base64 = req.encoding_format === "base64";
  const data = vectors.map((values, index): Embedding => ({
    object: "embedding",
    index,
    embedding: base64 ? toBase64(values!) : values!,
  }));
  return {
    object: "list",
    data,
    model: ctx.model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/** The Vertex AI embeddings adapter (auth is added by the provider's `prepareRequest`). */
export const vertexEmbeddingAdapter: EmbeddingAdapter = {
  buildRequest(req: EmbeddingRequest, ctx: RequestContext): UpstreamRequest {
    return {
      url: vertexCallUrl(ctx, "google", "predict"),
      headers: { "content-type": "application/json", ...ctx.extraHeaders },
      body: JSON.stringify(toVertexEmbedRequest(req, { provider: ctx.provider })),
    };
  },
  parseResponse: fromVertexEmbedResponse,
};
