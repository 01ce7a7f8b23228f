/**
 * Bedrock model ids: the LiteLLM route prefixes, the model family behind an
 * id (foundation model, cross-region inference profile or ARN), the region
 * of an ARN, and the runtime URLs.
 *
 * @module
 */

/** The model vendors Bedrock serves through Converse, as they prefix model ids. */
export type BedrockFamily =
  | "anthropic"
  | "meta"
  | "mistral"
  | "amazon"
  | "cohere"
  | "deepseek"
  | "ai21"
  | "writer"
  | "qwen"
  | "openai"
  | "unknown";

const FAMILIES: readonly BedrockFamily[] = [
  "anthropic",
  "meta",
  "mistral",
  "amazon",
  "cohere",
  "deepseek",
  "ai21",
  "writer",
  "qwen",
  "openai",
];

const FAMILY_REGEXP = new RegExp(`(?:^|[./:])(${FAMILIES.join("|")})\\.`);
const ARN_REGION_REGEXP = /^arn:aws[a-z-]*:bedrock:([a-z0-9-]+):/;

/**
 * The model id to put in the URL: LiteLLM's `converse/` route prefix is
 * dropped (`bedrock/converse/<id>` is the same as `bedrock/<id>`).
 */
export function bedrockModelId(model: string): string {
  return model.startsWith("converse/") ? model.slice("converse/".length) : model;
}

/**
 * The vendor behind a model id, e.g. `anthropic` for
 * `anthropic.claude-3-haiku-20240307-v1:0`, for the cross-region profile
 * `us.anthropic.claude-…` and for ARNs that name one. Application inference
 * profile ARNs name no model: `unknown`.
 */
export function bedrockFamily(modelId: string): BedrockFamily {
  const match = FAMILY_REGEXP.exec(modelId);
  return match ? match[1] as BedrockFamily : "unknown";
}

/** The region of a Bedrock ARN, or undefined for plain ids. */
export function regionOfArn(modelId: string): string | undefined {
  return ARN_REGION_REGEXP.exec(modelId)?.[1];
}

/** Families whose Converse `toolChoice` accepts `any` and `tool` (AWS ToolChoice reference). */
export function supportsForcedToolChoice(family: BedrockFamily, modelId: string): boolean {
  if (family === "anthropic" || family === "unknown") return true;
  if (family === "amazon") return modelId.includes("nova");
  if (family === "mistral") return modelId.includes("mistral-large");
  return false;
}

/**
 * `<base>/model/<url-encoded id>/<operation>`: `:` becomes `%3A` and an
 * ARN's `/` becomes `%2F`, as the runtime expects.
 *
 * @example
 * ```ts
 * import { bedrockModelUrl } from "./model_id.ts";
 * console.assert(
 *   bedrockModelUrl("https://bedrock-runtime.us-east-1.amazonaws.com", "anthropic.claude-3-haiku-20240307-v1:0", "converse") ===
 *     "https://bedrock-runtime.us-east-1.amazonaws.com/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse",
 * );
 * ```
 */
export function bedrockModelUrl(base: string, modelId: string, operation: string): string {
  return `${base.replace(/\/+$/, "")}/model/${encodeURIComponent(modelId)}/${operation}`;
}

/** The regional runtime host. */
export function bedrockRuntimeBase(region: string): string {
  return `https://bedrock-runtime.${region}.amazonaws.com`;
}
