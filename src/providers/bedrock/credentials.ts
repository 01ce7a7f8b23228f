/**
 * Where a Bedrock call gets its credentials, region and endpoint, in
 * LiteLLM's order of precedence.
 *
 * | what        | from (first found wins)                                                                         |
 * |-------------|--------------------------------------------------------------------------------------------------|
 * | credentials | `aws_access_key_id` + `aws_secret_access_key` (+ `aws_session_token`) params; else `AWS_ACCESS_KEY_ID` + `AWS_SECRET_ACCESS_KEY` (+ `AWS_SESSION_TOKEN`) |
 * | region      | `aws_region_name` param; the region of an ARN model id; `AWS_REGION_NAME`; `AWS_REGION`; `AWS_DEFAULT_REGION`; else `us-west-2` (LiteLLM's default) |
 * | endpoint    | `api_base`; `aws_bedrock_runtime_endpoint` param; `AWS_BEDROCK_RUNTIME_ENDPOINT`; else `https://bedrock-runtime.<region>.amazonaws.com` |
 *
 * A Bedrock API key (`api_key`, or `AWS_BEARER_TOKEN_BEDROCK`) is sent as
 * `Authorization: Bearer …` instead of a signature.
 *
 * @module
 */

import { AuthenticationError } from "../../errors.ts";
import type { RequestContext } from "../types.ts";
import type { AwsCredentials } from "./sigv4.ts";
import { bedrockRuntimeBase, regionOfArn } from "./model_id.ts";

/** The region used when neither params, model ARN nor env name one (as in LiteLLM). */
export const BEDROCK_DEFAULT_REGION = "us-west-2";

/** Env vars holding the region, in order. */
export const BEDROCK_REGION_ENV: readonly string[] = [
  "AWS_REGION_NAME",
  "AWS_REGION",
  "AWS_DEFAULT_REGION",
];

function option(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.providerOptions[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function env(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.env(name);
  return value === undefined || value === "" ? undefined : value;
}

/**
 * The region to call and sign for.
 *
 * @example
 * ```ts
 * import { resolveBedrockRegion } from "./credentials.ts";
 * const ctx = { providerOptions: {}, env: (n: string) => n === "AWS_REGION" ? "eu-west-1" : undefined } as never;
 * console.assert(resolveBedrockRegion(ctx, "anthropic.claude-3-haiku-20240307-v1:0") === "eu-west-1");
 * ```
 */
export function resolveBedrockRegion(ctx: RequestContext, modelId: string): string {
  const fromParams = option(ctx, "aws_region_name");
  if (fromParams) return fromParams;
  const fromArn = regionOfArn(modelId);
  if (fromArn) return fromArn;
  for (const name of BEDROCK_REGION_ENV) {
    const value = env(ctx, name);
    if (value) return value;
  }
  return BEDROCK_DEFAULT_REGION;
}

/**
 * The runtime base URL: `api_base` (already in `ctx.apiBase`),
 * `aws_bedrock_runtime_endpoint`, `AWS_BEDROCK_RUNTIME_ENDPOINT`, or the
 * regional host.
 */
export function resolveBedrockEndpoint(ctx: RequestContext, region: string): string {
  const base = ctx.apiBase || option(ctx, "aws_bedrock_runtime_endpoint") ||
    env(ctx, "AWS_BEDROCK_RUNTIME_ENDPOINT") || bedrockRuntimeBase(region);
  return base.replace(/\/+$/, "");
}

/**
 * The SigV4 credentials of a call, or an {@linkcode AuthenticationError}
 * naming what to set when there are none (raised before any request).
 *
 * @example
 * ```ts
 * import { resolveBedrockCredentials } from "./credentials.ts";
 * const ctx = {
 *   provider: "bedrock", requestedModel: "bedrock/m",
 *   providerOptions: { aws_access_key_id: "AKIDEXAMPLE", aws_secret_access_key: "secret" },
 *   env: () => undefined,
 * } as never;
 * console.assert(resolveBedrockCredentials(ctx).accessKeyId === "AKIDEXAMPLE");
 * ```
 */
export function resolveBedrockCredentials(ctx: RequestContext): AwsCredentials {
  const paramId = option(ctx, "aws_access_key_id");
  const paramSecret = option(ctx, "aws_secret_access_key");
  if (paramId || paramSecret) {
    if (!paramId || !paramSecret) {
      throw missing(
        ctx,
        `pass both aws_access_key_id and aws_secret_access_key (only ${
          paramId ? "aws_access_key_id" : "aws_secret_access_key"
        } was given)`,
      );
    }
    const token = option(ctx, "aws_session_token");
    return { accessKeyId: paramId, secretAccessKey: paramSecret, sessionToken: token };
  }
  const id = env(ctx, "AWS_ACCESS_KEY_ID");
  const secret = env(ctx, "AWS_SECRET_ACCESS_KEY");
  if (!id || !secret) {
    throw missing(
      ctx,
      "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary " +
        "credentials), pass aws_access_key_id and aws_secret_access_key, or pass a Bedrock API " +
        "key as api_key / AWS_BEARER_TOKEN_BEDROCK",
    );
  }
  return {
    accessKeyId: id,
    secretAccessKey: secret,
    sessionToken: option(ctx, "aws_session_token") ?? env(ctx, "AWS_SESSION_TOKEN"),
  };
}

function missing(ctx: RequestContext, what: string): AuthenticationError {
  return new AuthenticationError(
    `Missing AWS credentials for provider "${ctx.provider}": ${what}`,
    { provider: ctx.provider, model: ctx.requestedModel, code: "missing_api_key" },
  );
}

/**
 * Why a Bedrock deployment could not authenticate, for config checks before
 * any call: `undefined` when it has a Bedrock API key (`api_key`,
 * `AWS_BEARER_TOKEN_BEDROCK`) or an access key pair (params or env), else a
 * sentence naming what to set.
 *
 * @example
 * ```ts
 * import { bedrockMissingCredentials } from "./credentials.ts";
 * console.assert(bedrockMissingCredentials({}, () => undefined)?.includes("AWS_ACCESS_KEY_ID"));
 * console.assert(bedrockMissingCredentials({ api_key: "ABSK…" }, () => undefined) === undefined);
 * ```
 */
export function bedrockMissingCredentials(
  params: Readonly<Record<string, unknown>>,
  env: (name: string) => string | undefined,
): string | undefined {
  const given = (value: unknown) => typeof value === "string" && value !== "";
  if (given(params.api_key) || given(env("AWS_BEARER_TOKEN_BEDROCK"))) return undefined;
  if (given(params.aws_access_key_id) && given(params.aws_secret_access_key)) return undefined;
  if (given(env("AWS_ACCESS_KEY_ID")) && given(env("AWS_SECRET_ACCESS_KEY"))) return undefined;
  return "AWS credentials are not set: give AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
    "litellm_params.aws_access_key_id and aws_secret_access_key, or a Bedrock API key " +
    "(AWS_BEARER_TOKEN_BEDROCK or litellm_params.api_key)";
}
