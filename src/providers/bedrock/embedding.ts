/**
 * OpenAI embeddings ⇄ Bedrock InvokeModel (`POST /model/{id}/invoke`) for
 * the Titan and Cohere embedding models.
 *
 * - **Titan** (`amazon.titan-embed-text-v2:0`, `amazon.titan-embed-text-v1`,
 *   `amazon.titan-embed-image-v1`): one text per call, so a list of texts is
 *   one request per text, `{inputText, dimensions?, normalize?}` →
 *   `{embedding, inputTextTokenCount}`. `dimensions` (256, 512, 1024) and
 *   `normalize` (LiteLLM extension field, default `true` as in AWS) are sent
 *   to v2 only.
 * - **Cohere** (`cohere.embed-english-v3`, `cohere.embed-multilingual-v3`, …):
 *   one call for up to 96 texts, `{texts, input_type}` → `{embeddings}`.
 *   `input_type` (extension field) defaults to `search_document`, as in
 *   LiteLLM. Cohere reports no token counts: usage is 0.
 *
 * Other embedding models are a {@linkcode BadRequestError}.
 *
 * @module
 */

import type { Embedding, EmbeddingRequest, EmbeddingResponse } from "../../types.ts";
import { APIConnectionError, BadRequestError } from "../../errors.ts";
import { isRecord } from "../../_json.ts";
import type { EmbeddingAdapter, RequestContext, UpstreamRequest } from "../types.ts";
import type { BedrockCohereEmbedRequest, BedrockTitanEmbedRequest } from "./api_types.ts";
import { bedrockModelUrl } from "./model_id.ts";
import { resolveBedrockEndpoint, resolveBedrockRegion } from "./credentials.ts";

/** The embedding model kinds llmux can call. */
export type BedrockEmbeddingKind = "titan" | "titan-v2" | "cohere";

/** Texts per Cohere call (the model's limit). */
export const BEDROCK_COHERE_MAX_TEXTS = 96;

/** Embedding support plus the one-request-per-text fan-out Titan needs. */
export interface BedrockEmbeddingAdapter extends EmbeddingAdapter {
  /** One native request per call Bedrock needs (one per text for Titan). */
  buildRequests(req: EmbeddingRequest, ctx: RequestContext): UpstreamRequest[];
  /** The parsed bodies of those requests, in order → one OpenAI list. */
  parseResponses(bodies: unknown[], ctx: RequestContext, req: EmbeddingRequest): EmbeddingResponse;
}

function embeddingModelId(model: string): string {
  return model.startsWith("invoke/") ? model.slice("invoke/".length) : model;
}

/**
 * Which embedding API a model id speaks (inference-profile and ARN forms
 * included), or undefined.
 *
 * @example
 * ```ts
 * import { bedrockEmbeddingKind } from "./embedding.ts";
 * console.assert(bedrockEmbeddingKind("amazon.titan-embed-text-v2:0") === "titan-v2");
 * console.assert(bedrockEmbeddingKind("cohere.embed-english-v3") === "cohere");
 * ```
 */
export function bedrockEmbeddingKind(modelId: string): BedrockEmbeddingKind | undefined {
  if (/(?:^|[./:])amazon\.titan-embed-text-v2/.test(modelId)) return "titan-v2";
  if (/(?:^|[./:])amazon\.titan-embed/.test(modelId)) return "titan";
  if (/(?:^|[./:])cohere\.embed/.test(modelId)) return "cohere";
  return undefined;
}

function texts(req: EmbeddingRequest, ctx: RequestContext): string[] {
  const input = req.input;
  const list = typeof input === "string" ? [input] : input;
  if (
    !Array.isArray(list) || list.length === 0 || !list.every((item) => typeof item === "string")
  ) {
    throw new BadRequestError(
      `Provider "${ctx.provider}" embeds text only: 'input' must be a string or a non-empty list of strings`,
      { provider: ctx.provider, model: ctx.requestedModel, param: "input" },
    );
  }
  return list as string[];
}

function kindOf(ctx: RequestContext): { modelId: string; kind: BedrockEmbeddingKind } {
  const modelId = embeddingModelId(ctx.model);
  const kind = bedrockEmbeddingKind(modelId);
  if (kind === undefined) {
    throw new BadRequestError(
      `Provider "${ctx.provider}" embeds with Titan (amazon.titan-embed-*) and Cohere ` +
        `(cohere.embed-*) models only, not "${modelId}"`,
      { provider: ctx.provider, model: ctx.requestedModel, param: "model" },
    );
  }
  return { modelId, kind };
}

/**
 * The native bodies of an embeddings call: one Titan body per text, or
 * Cohere bodies of at most 96 texts each.
 *
 * @example
 * ```ts
 * import { toBedrockEmbedBodies } from "./embedding.ts";
 * const ctx = { provider: "bedrock", model: "amazon.titan-embed-text-v2:0", requestedModel: "bedrock/x" } as never;
 * const bodies = toBedrockEmbedBodies({ model: "x", input: ["a", "b"], dimensions: 256 }, ctx);
 * console.assert(bodies.length === 2);
 * ```
 */
export function toBedrockEmbedBodies(
  req: EmbeddingRequest,
  ctx: RequestContext,
): (BedrockTitanEmbedRequest | BedrockCohereEmbedRequest)[] {
  const { kind } = kindOf(ctx);
  const list = texts(req, ctx);
  if (kind === "cohere") {
    const inputType = typeof req.input_type === "string" ? req.input_type : "search_document";
    const out: BedrockCohereEmbedRequest[] = [];
    for (let i = 0; i < list.length; i += BEDROCK_COHERE_MAX_TEXTS) {
      out.push({ texts: list.slice(i, i + BEDROCK_COHERE_MAX_TEXTS), input_type: inputType });
    }
    return out;
  }
  return list.map((inputText) => {
    const body: BedrockTitanEmbedRequest = { inputText };
    if (kind === "titan-v2") {
      if (typeof req.dimensions === "number") body.dimensions = req.dimensions;
      body.normalize = typeof req.normalize === "boolean" ? req.normalize : true;
    } else if (req.dimensions !== undefined) {
      throw new BadRequestError(
        `Provider "${ctx.provider}": model "${ctx.model}" has a fixed size; 'dimensions' needs Titan v2`,
        { provider: ctx.provider, model: ctx.requestedModel, param: "dimensions" },
      );
    }
    return body;
  });
}

function toBase64(values: number[]): string {
  const bytes = new Uint8Array(new Float32Array(values).buffer);
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]);
  return btoa(binary);
}

function invalid(ctx: RequestContext, what: string): APIConnectionError {
  return new APIConnectionError(`Provider "${ctx.provider}" returned ${what}`, {
    provider: ctx.provider,
    model: ctx.requestedModel,
  });
}

/**
 * The parsed InvokeModel bodies of one call, in request order → an OpenAI
 * embeddings list (vectors as floats, or base64 float32 with
 * `encoding_format: "base64"`).
 *
 * @example
 * ```ts
 * import { fromBedrockEmbedResponses } from "./embedding.ts";
 * const ctx = { provider: "bedrock", model: "amazon.titan-embed-text-v2:0", requestedModel: "bedrock/x" } as never;
 * const res = fromBedrockEmbedResponses([{ embedding: [0.1], inputTextTokenCount: 2 }], ctx, { model: "x", input: "a" });
 * console.assert(res.usage.prompt_tokens === 2);
 * ```
 */
export function fromBedrockEmbedResponses(
  bodies: readonly unknown[],
  ctx: RequestContext,
  req: EmbeddingRequest,
): EmbeddingResponse {
  const { modelId, kind } = kindOf(ctx);
  const vectors: number[][] = [];
  let tokens = 0;
  for (const body of bodies) {
    if (!isRecord(body)) throw invalid(ctx, "an embeddings body that is not an object");
    if (kind === "cohere") {
      const list = Array.isArray(body.embeddings)
        ? body.embeddings
        : isRecord(body.embeddings) && Array.isArray(body.embeddings.float)
        ? body.embeddings.float
        : undefined;
      if (!list) throw invalid(ctx, "a Cohere body without 'embeddings'");
      for (const v of list) vectors.push(v as number[]);
    } else {
      if (!Array.isArray(body.embedding)) throw invalid(ctx, "a Titan body without 'embedding'");
      vectors.push(body.embedding as number[]);
      if (typeof body.inputTextTokenCount === "number") tokens += body.inputTextTokenCount;
    }
  }
  const data: Embedding[] = vectors.map((vector, index) => ({
    object: "embedding",
    index,
    embedding: req.encoding_format === "base64" ? toBase64(vector) : vector,
  }));
  return {
    object: "list",
    data,
    model: modelId,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

function request(url: string, body: unknown, ctx: RequestContext): UpstreamRequest {
  return {
    url,
    headers: {
      "content-type": "application/json",
      accept: "application/json",
      ...ctx.extraHeaders,
    },
    body: JSON.stringify(body),
  };
}

function buildRequests(req: EmbeddingRequest, ctx: RequestContext): UpstreamRequest[] {
  const { modelId } = kindOf(ctx);
  const region = resolveBedrockRegion(ctx, modelId);
  const url = bedrockModelUrl(resolveBedrockEndpoint(ctx, region), modelId, "invoke");
  return toBedrockEmbedBodies(req, ctx).map((body) => request(url, body, ctx));
}

/**
 * Bedrock embeddings. `buildRequest` serves calls that need one request
 * (one Titan text, up to 96 Cohere texts); `buildRequests` /
 * `parseResponses` serve any call when the core fans out.
 */
export const bedrockEmbedding: BedrockEmbeddingAdapter = {
  buildRequest(req, ctx) {
    const requests = buildRequests(req, ctx);
    if (requests.length !== 1) {
      throw new BadRequestError(
        `Provider "${ctx.provider}" embeds ${
          kindOf(ctx).kind === "cohere" ? `at most ${BEDROCK_COHERE_MAX_TEXTS} texts` : "one text"
        } per call with model "${ctx.model}"; send ${requests.length} calls`,
        { provider: ctx.provider, model: ctx.requestedModel, param: "input" },
      );
    }
    return requests[0];
  },
  parseResponse(body, ctx, req) {
    return fromBedrockEmbedResponses([body], ctx, req);
  },
  buildRequests,
  parseResponses: fromBedrockEmbedResponses,
};
