/**
 * Vertex AI URLs: host per location, the `projects/…/locations/…` resource
 * path, the project and location a call uses.
 *
 * @module
 */

import type { RequestContext } from "../types.ts";

/** The location used when none is configured (LiteLLM's default). */
export const VERTEX_DEFAULT_LOCATION = "us-central1";

/**
 * Stands in for the project in a URL built before the credential is read
 * (the project may come from the key file's `project_id`); replaced by
 * `prepareRequest`. Project ids cannot contain braces.
 */
export const VERTEX_PROJECT_PLACEHOLDER = "{project}";

/** Who publishes a model on Vertex: Google (Gemini, embeddings) or Anthropic (Claude). */
export type VertexPublisher = "google" | "anthropic";

function firstString(values: readonly unknown[]): string | undefined {
  for (const v of values) if (typeof v === "string" && v !== "") return v;
  return undefined;
}

/**
 * The project of a call when it is configured: `vertex_project` (or
 * `vertex_ai_project`), else `VERTEXAI_PROJECT`, `VERTEX_PROJECT`,
 * `GOOGLE_CLOUD_PROJECT`. Undefined means "the credential's `project_id`".
 */
export function vertexProject(
  ctx: Pick<RequestContext, "providerOptions" | "env">,
): string | undefined {
  const o = ctx.providerOptions;
  return firstString([
    o.vertex_project,
    o.vertex_ai_project,
    ctx.env("VERTEXAI_PROJECT"),
    ctx.env("VERTEX_PROJECT"),
    ctx.env("GOOGLE_CLOUD_PROJECT"),
  ]);
}

/**
 * The location of a call: `vertex_location` (or `vertex_ai_location`), else
 * `VERTEXAI_LOCATION`, `VERTEX_LOCATION`, `GOOGLE_CLOUD_LOCATION`, else
 * {@linkcode VERTEX_DEFAULT_LOCATION}.
 */
export function vertexLocation(ctx: Pick<RequestContext, "providerOptions" | "env">): string {
  const o = ctx.providerOptions;
  return firstString([
    o.vertex_location,
    o.vertex_ai_location,
    ctx.env("VERTEXAI_LOCATION"),
    ctx.env("VERTEX_LOCATION"),
    ctx.env("GOOGLE_CLOUD_LOCATION"),
  ]) ?? VERTEX_DEFAULT_LOCATION;
}

/**
 * The API host of a location: `global` → `https://aiplatform.googleapis.com`;
 * the multi-regions `us` / `eu` → `https://aiplatform.{us|eu}.rep.googleapis.com`;
 * a region → `https://{region}-aiplatform.googleapis.com`.
 *
 * @example
 * ```ts
 * import { vertexHost } from "./_endpoint.ts";
 * console.assert(vertexHost("global") === "https://aiplatform.googleapis.com");
 * console.assert(vertexHost("europe-west4") === "https://europe-west4-aiplatform.googleapis.com");
 * ```
 */
export function vertexHost(location: string): string {
  if (location === "global") return "https://aiplatform.googleapis.com";
  if (location === "us" || location === "eu") {
    return `https://aiplatform.${location}.rep.googleapis.com`;
  }
  return `https://${location}-aiplatform.googleapis.com`;
}

/** Claude models (`claude-…`, `claude-sonnet-4-5@20250929`) are Anthropic's; the rest Google's. */
export function vertexPublisher(model: string): VertexPublisher {
  return model.startsWith("claude") ? "anthropic" : "google";
}

/** What {@linkcode vertexMethodUrl} needs. */
export interface VertexUrlParts {
  /** `api_base` as given (no trailing slash), or `""` for the location's host. */
  apiBase: string;
  /** Project id, or {@linkcode VERTEX_PROJECT_PLACEHOLDER}. */
  project: string;
  /** Location id. */
  location: string;
  /** Publisher of the model. */
  publisher: VertexPublisher;
  /** Model id as given (an all-digit id is a tuned model's endpoint). */
  model: string;
  /** Method with its query, e.g. `generateContent`, `streamGenerateContent?alt=sse`. */
  method: string;
}

const VERSION_SUFFIX_REGEXP = /\/v1(beta1)?$/;

/**
 * The URL of a model method:
 * `{host}/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}:{method}`
 * (an all-digit model id is a tuned model: `…/endpoints/{id}:{method}`).
 *
 * With `api_base`, the base replaces the host, as LiteLLM does for partner
 * models: the `/v1/projects/…` path is appended (after a base that already
 * ends in `/v1` or `/v1beta1`, without another version). A base that already
 * names the resource (contains `/projects/`) gets only `:{method}` appended,
 * which is LiteLLM's custom-proxy form for Gemini.
 *
 * @example
 * ```ts
 * import { vertexMethodUrl } from "./_endpoint.ts";
 * const url = vertexMethodUrl({
 *   apiBase: "", project: "p", location: "global", publisher: "anthropic",
 *   model: "claude-sonnet-4-5@20250929", method: "rawPredict",
 * });
 * console.assert(url === "https://aiplatform.googleapis.com/v1/projects/p/locations/global/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict");
 * ```
 */
export function vertexMethodUrl(parts: VertexUrlParts): string {
  const { apiBase, project, location, publisher, model, method } = parts;
  if (apiBase.includes("/projects/")) return `${apiBase}:${method}`;
  const resource = /^\d+$/.test(model)
    ? `projects/${project}/locations/${location}/endpoints/${model}`
    : `projects/${project}/locations/${location}/publishers/${publisher}/models/${model}`;
  const root = apiBase === ""
    ? `${vertexHost(location)}/v1`
    : VERSION_SUFFIX_REGEXP.test(apiBase)
    ? apiBase
    : `${apiBase}/v1`;
  return `${root}/${resource}:${method}`;
}

/**
 * The URL of a Gemini method in Vertex AI express mode (API key, no project
 * or location): `https://aiplatform.googleapis.com/v1/publishers/google/models/{model}:{method}`;
 * `api_base` replaces the host.
 *
 * @example
 * ```ts
 * import { vertexExpressUrl } from "./_endpoint.ts";
 * console.assert(vertexExpressUrl("", "gemini-2.5-flash", "generateContent") ===
 *   "https://aiplatform.googleapis.com/v1/publishers/google/models/gemini-2.5-flash:generateContent");
 * ```
 */
export function vertexExpressUrl(apiBase: string, model: string, method: string): string {
  const base = apiBase === "" ? "https://aiplatform.googleapis.com" : apiBase;
  const root = VERSION_SUFFIX_REGEXP.test(base) ? base : `${base}/v1`;
  return `${root}/publishers/google/models/${model}:${method}`;
}

/** The URL of a call, with the project placeholder when the project is not configured. */
export function vertexCallUrl(
  ctx: Pick<RequestContext, "providerOptions" | "env" | "apiBase" | "model">,
  publisher: VertexPublisher,
  method: string,
): string {
  return vertexMethodUrl({
    apiBase: ctx.apiBase,
    project: vertexProject(ctx) ?? VERTEX_PROJECT_PLACEHOLDER,
    location: vertexLocation(ctx),
    publisher,
    model: ctx.model,
    method,
  });
}
