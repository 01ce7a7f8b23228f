/**
 * LiteLLM's `bedrock/invoke/<model>` route for chat: InvokeModel
 * (`POST /model/{id}/invoke`) and InvokeModelWithResponseStream
 * (`/invoke-with-response-stream`) with the model vendor's own body. For
 * Anthropic models (the ones LiteLLM routes this way) the body is the
 * Messages API request with `anthropic_version: "bedrock-2023-05-31"` and
 * no `model` or `stream`; the answer is a Messages response, and the stream
 * is event-stream `chunk` frames whose `bytes` are the base64 of Anthropic's
 * stream events. Other vendors are a 400 pointing at Converse
 * (`bedrock/<model>`), which serves them all.
 *
 * @module
 */

import type { ChatCompletion, ChatCompletionRequest } from "../../types.ts";
import type { RequestContext, StreamTransformer } from "../types.ts";
import { APIConnectionError, BadRequestError } from "../../errors.ts";
import { toAnthropicRequest } from "../anthropic/convert_request.ts";
import { fromAnthropicResponse } from "../anthropic/convert_response.ts";
import { createAnthropicStreamTransformer } from "../anthropic/stream_transform.ts";
import { createBedrockStreamTransformer } from "./stream_transform.ts";
import { bedrockFamily } from "./model_id.ts";
import { isRecord } from "../../_json.ts";

/** The `anthropic_version` Bedrock's InvokeModel takes for Claude. */
export const BEDROCK_ANTHROPIC_VERSION = "bedrock-2023-05-31";

const INVOKE_PREFIX = "invoke/";

/** Whether a call goes through InvokeModel (`bedrock/invoke/<model>`). */
export function isBedrockInvoke(ctx: Pick<RequestContext, "model">): boolean {
  return ctx.model.startsWith(INVOKE_PREFIX);
}

/** The Bedrock model id of an `invoke/<model>` call. */
export function invokeModelId(model: string): string {
  return model.startsWith(INVOKE_PREFIX) ? model.slice(INVOKE_PREFIX.length) : model;
}

/** The context the Anthropic converters see: the model id without the route prefix. */
function anthropicContext(ctx: RequestContext): RequestContext {
  return { ...ctx, model: invokeModelId(ctx.model) };
}

/**
 * The InvokeModel body of a chat request (Anthropic models only).
 *
 * @example
 * ```ts
 * import { toBedrockInvokeBody } from "./invoke.ts";
 * const body = toBedrockInvokeBody(
 *   { model: "x", messages: [{ role: "user", content: "Hi" }], max_tokens: 5 },
 *   { provider: "bedrock", model: "invoke/anthropic.claude-3-haiku-20240307-v1:0", requestedModel: "bedrock/invoke/anthropic.claude-3-haiku-20240307-v1:0" } as never,
 * );
 * console.assert(body.anthropic_version === "bedrock-2023-05-31" && !("model" in body));
 * ```
 */
export function toBedrockInvokeBody(
  req: ChatCompletionRequest,
  ctx: RequestContext,
): Record<string, unknown> {
  const modelId = invokeModelId(ctx.model);
  if (bedrockFamily(modelId) !== "anthropic") {
    throw new BadRequestError(
      `Provider "${ctx.provider}" calls "${modelId}" through Converse: write ` +
        `"bedrock/${modelId}" instead of "bedrock/${ctx.model}" (invoke/ is for Anthropic models)`,
      { provider: ctx.provider, model: ctx.requestedModel, param: "model" },
    );
  }
  const { model: _model, stream: _stream, ...body } = toAnthropicRequest(
    req,
    anthropicContext(ctx),
  ) as unknown as Record<string, unknown>;
  return { anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...body };
}

/** An InvokeModel answer (a Messages response) → OpenAI. */
export function fromBedrockInvokeResponse(body: unknown, ctx: RequestContext): ChatCompletion {
  return fromAnthropicResponse(body, anthropicContext(ctx));
}

function base64Text(value: string): string {
  const binary = atob(value);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}

/**
 * InvokeModelWithResponseStream events → OpenAI chunks: each `chunk`
 * frame's `bytes` is decoded and fed to the Anthropic stream transformer;
 * exception frames throw the same typed errors as Converse streams.
 */
export function createBedrockInvokeStreamTransformer(ctx: RequestContext): StreamTransformer {
  const anthropic = createAnthropicStreamTransformer(anthropicContext(ctx));
  // Only its exception and error handling is used: every other event is ignored there.
  const exceptions = createBedrockStreamTransformer(ctx);
  return {
    transform(event, sink) {
      if (event.event !== "chunk") return exceptions.transform(event, sink);
      let text: string;
      let type: unknown;
      try {
        const frame = JSON.parse(event.data);
        text = base64Text(isRecord(frame) && typeof frame.bytes === "string" ? frame.bytes : "");
        const inner = JSON.parse(text);
        type = isRecord(inner) ? inner.type : undefined;
      } catch {
        throw new APIConnectionError(
          `Provider "${ctx.provider}" sent a stream chunk that is not base64 JSON`,
          { provider: ctx.provider, model: ctx.requestedModel },
        );
      }
      if (typeof type !== "string") return;
      anthropic.transform({ event: type, data: text }, sink);
    },
    flush(sink) {
      anthropic.flush?.(sink);
    },
  };
}
