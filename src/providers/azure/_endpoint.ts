/**
 * Azure OpenAI URLs and auth headers.
 *
 * @module
 */

import { AuthenticationError, BadRequestError } from "../../errors.ts";
import type { RequestContext } from "../types.ts";

/**
 * The `api-version` used when neither `api_version` nor `AZURE_API_VERSION`
 * is set: `2024-10-21`, the latest GA data-plane inference version (it has
 * streaming usage, `parallel_tool_calls` and structured outputs). Preview
 * versions are retired on a rolling basis, so a GA default keeps working;
 * LiteLLM defaults to a preview version instead.
 */
export const AZURE_DEFAULT_API_VERSION = "2024-10-21";

/** `api_version` values that select the v1 API (`/openai/v1/…`), as LiteLLM reads them. */
export const AZURE_V1_API_VERSIONS: ReadonlySet<string> = new Set(["v1", "latest", "preview"]);

const V1_SUFFIX_REGEXP = /\/openai\/v1$/;
const OPENAI_SUFFIX_REGEXP = /\/openai$/;

/** The API version of a call: `api_version`, else `AZURE_API_VERSION`, else the default. */
export function azureApiVersion(ctx: Pick<RequestContext, "apiVersion" | "env">): string {
  return ctx.apiVersion || ctx.env("AZURE_API_VERSION") || AZURE_DEFAULT_API_VERSION;
}

/**
 * The URL of an operation (`chat/completions`, `embeddings`) for a
 * deployment.
 *
 * - Classic: `{base}/openai/deployments/{deployment}/{operation}?api-version={v}`.
 * - v1 API, when the base ends in `/openai/v1` or `api_version` is `v1`,
 *   `latest` or `preview`: `{resource}/openai/v1/{operation}`, with
 *   `?api-version=preview|latest` only for those two (the deployment goes in
 *   the body's `model`).
 *
 * A base ending in `/openai` is accepted for both forms.
 *
 * @example
 * ```ts
 * import { azureUrl } from "./_endpoint.ts";
 * const ctx = { apiBase: "https://res.openai.azure.com", apiVersion: undefined, env: () => undefined,
 *   model: "gpt-4o", provider: "azure", requestedModel: "azure/gpt-4o" };
 * console.assert(azureUrl(ctx, "chat/completions") ===
 *   "https://res.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21");
 * console.assert(azureUrl({ ...ctx, apiVersion: "v1" }, "chat/completions") ===
 *   "https://res.openai.azure.com/openai/v1/chat/completions");
 * ```
 */
export function azureUrl(
  ctx: Pick<
    RequestContext,
    "apiBase" | "apiVersion" | "env" | "model" | "provider" | "requestedModel"
  >,
  operation: string,
): string {
  const base = ctx.apiBase;
  if (base === "") {
    throw new BadRequestError(
      `Missing api_base for provider "${ctx.provider}": pass api_base ` +
        '(e.g. "https://<resource>.openai.azure.com") or set AZURE_API_BASE',
      {
        provider: ctx.provider,
        model: ctx.requestedModel,
        param: "api_base",
        code: "missing_api_base",
      },
    );
  }
  const version = azureApiVersion(ctx);
  if (V1_SUFFIX_REGEXP.test(base) || AZURE_V1_API_VERSIONS.has(version)) {
    const root = V1_SUFFIX_REGEXP.test(base)
      ? base
      : `${base.replace(OPENAI_SUFFIX_REGEXP, "")}/openai/v1`;
    const query = version === "preview" || version === "latest" ? `?api-version=${version}` : "";
    return `${root}/${operation}${query}`;
  }
  const root = base.replace(OPENAI_SUFFIX_REGEXP, "");
  return `${root}/openai/deployments/${encodeURIComponent(ctx.model)}/${operation}` +
    `?api-version=${encodeURIComponent(version)}`;
}

/** A token provider: called once per attempt for a fresh Entra ID token. */
export type AzureAdTokenProvider = () => string | Promise<string>;

/** How a call authenticates. */
export type AzureAuth =
  | { kind: "api-key"; key: string }
  | { kind: "bearer"; token: string }
  | { kind: "provider"; provider: AzureAdTokenProvider };

/**
 * Pick the auth of a call. An explicit Entra ID option wins
 * (`azure_ad_token_provider`, then `azure_ad_token`); else the API key
 * (`api_key`, `AZURE_API_KEY`, `AZURE_OPENAI_API_KEY`) as `api-key`; else an
 * `AZURE_AD_TOKEN` env var. None of them is an {@linkcode AuthenticationError}.
 */
export function azureAuth(
  ctx: Pick<RequestContext, "apiKey" | "env" | "providerOptions" | "provider" | "requestedModel">,
): AzureAuth {
  const o = ctx.providerOptions;
  if (typeof o.azure_ad_token_provider === "function") {
    return { kind: "provider", provider: o.azure_ad_token_provider as AzureAdTokenProvider };
  }
  if (typeof o.azure_ad_token === "string" && o.azure_ad_token !== "") {
    return { kind: "bearer", token: o.azure_ad_token };
  }
  if (ctx.apiKey) return { kind: "api-key", key: ctx.apiKey };
  const envToken = ctx.env("AZURE_AD_TOKEN");
  if (envToken) return { kind: "bearer", token: envToken };
  throw new AuthenticationError(
    `Missing API key for provider "${ctx.provider}": set AZURE_API_KEY (or AZURE_OPENAI_API_KEY), ` +
      "pass api_key, or pass azure_ad_token / azure_ad_token_provider (Entra ID)",
    { provider: ctx.provider, model: ctx.requestedModel, code: "missing_api_key" },
  );
}

/** Request headers: JSON, the auth header (unless it comes from a provider later), extra headers. */
export function azureHeaders(
  ctx: Pick<
    RequestContext,
    "apiKey" | "env" | "providerOptions" | "provider" | "requestedModel" | "extraHeaders"
  >,
): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  const auth = azureAuth(ctx);
  if (auth.kind === "api-key") headers["api-key"] = auth.key;
  else if (auth.kind === "bearer") headers.authorization = `Bearer ${auth.token}`;
  return Object.assign(headers, ctx.extraHeaders);
}
