/**
 * `embedding()`: OpenAI-shaped embeddings from any provider that has them.
 *
 * @module
 */

import type { EmbeddingRequest, EmbeddingResponse } from "./types.ts";
import { type EmbeddingParams, parseEmbeddingParams, splitParams } from "./params.ts";
import {
  type CompletionOptions,
  prepareUpstream,
  resolveCall,
  sendWithRetries,
} from "./completion.ts";
import { BadRequestError } from "./errors.ts";
import { pickForwardHeaders, readJson, sendUpstream } from "./_http.ts";
import { attachResponseHeaders } from "./response_headers.ts";
import type { UpstreamRequest } from "./providers/types.ts";

/** Requests in flight at once when a provider needs one request per input. */
const FAN_OUT = 4;

/**
 * Embed text with any provider that has embeddings (OpenAI, Gemini, Ollama
 * and the OpenAI-compatible hosts that serve `/embeddings`).
 *
 * @example
 * ```ts
 * import { embedding } from "../mod.ts";
 * const fakeFetch: typeof fetch = () =>
 *   Promise.resolve(Response.json({
 *     object: "list",
 *     data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }],
 *     model: "text-embedding-3-small",
 *     usage: { prompt_tokens: 2, total_tokens: 2 },
 *   }));
 * const res = await embedding({
 *   model: "openai/text-embedding-3-small",
 *   input: "hello",
 *   api_key: "sk-test",
 *   fetch: fakeFetch,
 * });
 * console.assert(res.data[0].embedding.length === 2);
 * ```
 */
export async function embedding(
  params: EmbeddingParams,
  deps: CompletionOptions = {},
): Promise<EmbeddingResponse> {
  parseEmbeddingParams(params);
  const { body, options } = splitParams<EmbeddingRequest>(params);
  const call = resolveCall(body, options, deps);
  const { adapter, ctx } = call;
  if (!adapter.embedding) {
    throw new BadRequestError(`Provider "${adapter.id}" does not offer embeddings`, {
      provider: adapter.id,
      model: body.model,
      param: "model",
    });
  }
  const embedder = adapter.embedding;
  const { buildRequests, parseResponses } = embedder;
  const upstreamRequests = buildRequests && parseResponses
    ? buildRequests.call(embedder, body, ctx)
    : [embedder.buildRequest(body, ctx)];
  const sendOptions = {
    fetch: options.fetch ?? fetch,
    adapter,
    model: body.model,
    signal: options.signal,
    timeoutMs: options.timeout === undefined ? undefined : options.timeout * 1000,
    secrets: call.secrets,
  };
  const send = async (request: UpstreamRequest) => {
    const prepared = await prepareUpstream(call, request, {
      ...deps,
      fetch: sendOptions.fetch,
      signal: options.signal,
    });
    const upstream = await sendUpstream(prepared, sendOptions);
    return { json: await readJson(upstream, sendOptions), headers: upstream.response.headers };
  };
  return await sendWithRetries(async () => {
    if (buildRequests && parseResponses) {
      // One request per input (Bedrock Titan): FAN_OUT at a time, results in order.
      const results: { json: unknown; headers: Headers }[] = [];
      for (let i = 0; i < upstreamRequests.length; i += FAN_OUT) {
        results.push(...await Promise.all(upstreamRequests.slice(i, i + FAN_OUT).map(send)));
      }
      return attachResponseHeaders(
        parseResponses.call(embedder, results.map((r) => r.json), ctx, body),
        pickForwardHeaders(results[results.length - 1].headers),
      );
    }
    const { json, headers } = await send(upstreamRequests[0]);
    return attachResponseHeaders(
      embedder.parseResponse(json, ctx, body),
      pickForwardHeaders(headers),
    );
  }, { retries: options.num_retries ?? 0, signal: options.signal, deps });
}
