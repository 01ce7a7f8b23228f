/**
 * The parameters of {@linkcode completion} and {@linkcode embedding}: an
 * OpenAI request body plus LiteLLM-style provider options in the same object,
 * validated by zod before anything is sent.
 *
 * @module
 */

import { z } from "zod";
import { BadRequestError } from "./errors.ts";
import { fastAccepts } from "./_fast_check.ts";
import type { ChatCompletionRequest, EmbeddingRequest } from "./types.ts";

/** LiteLLM-style provider options accepted beside the OpenAI body. */
export interface ProviderOptions {
  /** API key; defaults to the provider's usual env var. */
  api_key?: string;
  /** Base URL (see the README for what each provider expects). */
  api_base?: string;
  /** Alias of `api_base` (OpenAI SDK naming). */
  base_url?: string;
  /** API version, for providers that version by parameter. */
  api_version?: string;
  /** Extra headers added to the upstream request. */
  extra_headers?: Record<string, string>;
  /** Timeout in seconds (for streams: until the response starts). */
  timeout?: number;
  /** Retries for this call alone (default 0; the Router retries). */
  num_retries?: number;
  /** Drop parameters the provider does not support instead of failing. */
  drop_params?: boolean;
  /** Return this text without calling any provider. */
  mock_response?: string;
  /** Force the provider instead of inferring it from the model string. */
  custom_llm_provider?: string;
  /** The fetch to use (defaults to the global one). */
  fetch?: typeof fetch;
  /** Abort signal: aborting cancels the upstream request. */
  signal?: AbortSignal;
  /** Provider-specific options (`aws_region_name`, `vertex_project`, …), as LiteLLM names them. */
  [providerOption: string]: unknown;
}

/** Parameters of `completion()`: an OpenAI request plus provider options. */
export type CompletionParams = ChatCompletionRequest & ProviderOptions;

/** Parameters of `embedding()`: an OpenAI embeddings request plus provider options. */
export type EmbeddingParams = EmbeddingRequest & ProviderOptions;

/** The keys of {@linkcode ProviderOptions}, removed before translation. */
export const PROVIDER_OPTION_KEYS: ReadonlySet<string> = new Set([
  "api_key",
  "api_base",
  "base_url",
  "api_version",
  "extra_headers",
  "timeout",
  "num_retries",
  "max_retries",
  "drop_params",
  "mock_response",
  "custom_llm_provider",
  "fetch",
  "signal",
  "stream_timeout",
  "organization",
  // Provider-specific credentials and locations, as LiteLLM names them.
  "aws_access_key_id",
  "aws_secret_access_key",
  "aws_session_token",
  "aws_region_name",
  "aws_bedrock_runtime_endpoint",
  "aws_profile_name",
  "aws_role_name",
  "vertex_credentials",
  "vertex_project",
  "vertex_location",
  "vertex_ai_project",
  "vertex_ai_location",
  "azure_ad_token",
  "azure_ad_token_provider",
]);

/** Provider options that are generic, not provider-specific (not put in `providerOptions`). */
export const GENERIC_OPTION_KEYS: ReadonlySet<string> = new Set([
  "api_key",
  "api_base",
  "base_url",
  "api_version",
  "extra_headers",
  "timeout",
  "num_retries",
  "max_retries",
  "drop_params",
  "mock_response",
  "custom_llm_provider",
  "fetch",
  "signal",
  "stream_timeout",
]);

const textPart = z.object({ type: z.literal("text"), text: z.string() }).loose();
const contentPart = z.discriminatedUnion("type", [
  textPart,
  z.object({
    type: z.literal("image_url"),
    image_url: z.object({ url: z.string().min(1) }).loose(),
  }).loose(),
  z.object({
    type: z.literal("input_audio"),
    input_audio: z.object({ data: z.string(), format: z.string() }).loose(),
  }).loose(),
  z.object({ type: z.literal("file"), file: z.object({}).loose() }).loose(),
]);
const toolCall = z.object({
  id: z.string(),
  type: z.literal("function").optional(),
  function: z.object({ name: z.string().min(1), arguments: z.string() }).loose(),
}).loose();

const message = z.discriminatedUnion("role", [
  z.object({
    role: z.enum(["system", "developer"]),
    content: z.union([z.string(), z.array(textPart)]),
  }).loose(),
  z.object({
    role: z.literal("user"),
    content: z.union([z.string(), z.array(contentPart)]),
  }).loose(),
  z.object({
    role: z.literal("assistant"),
    content: z.union([z.string(), z.array(textPart), z.null()]).optional(),
    tool_calls: z.array(toolCall).optional(),
  }).loose(),
  z.object({
    role: z.literal("tool"),
    tool_call_id: z.string(),
    content: z.union([z.string(), z.array(textPart)]),
  }).loose(),
  z.object({
    role: z.literal("function"),
    name: z.string(),
    content: z.union([z.string(), z.null()]),
  }).loose(),
]);

const num = z.number().nullable().optional();
const int = z.number().int().nullable().optional();

const tool = z.object({
  type: z.literal("function"),
  function: z.object({
    name: z.string().regex(/^[a-zA-Z0-9_.:-]{1,128}$/, "must be 1-128 letters, digits, _ . : -"),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
  }).loose(),
}).loose();

const completionSchema = z.object({
  model: z.string().min(1, "is required"),
  messages: z.array(message).min(1, "must contain at least one message"),
  temperature: num.refine((v) => v == null || (v >= 0 && v <= 2), "must be between 0 and 2"),
  top_p: num.refine((v) => v == null || (v >= 0 && v <= 1), "must be between 0 and 1"),
  max_tokens: int.refine((v) => v == null || v > 0, "must be a positive integer"),
  max_completion_tokens: int.refine((v) => v == null || v > 0, "must be a positive integer"),
  n: int.refine((v) => v == null || v >= 1, "must be at least 1"),
  seed: int,
  presence_penalty: num,
  frequency_penalty: num,
  stop: z.union([z.string(), z.array(z.string()), z.null()]).optional(),
  stream: z.boolean().nullable().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).loose().nullable()
    .optional(),
  tools: z.array(tool).optional(),
  tool_choice: z.union([
    z.enum(["none", "auto", "required"]),
    z.object({ type: z.literal("function"), function: z.object({ name: z.string() }) }).loose(),
  ]).optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: z.discriminatedUnion("type", [
    z.object({ type: z.literal("text") }).loose(),
    z.object({ type: z.literal("json_object") }).loose(),
    z.object({
      type: z.literal("json_schema"),
      json_schema: z.object({ name: z.string(), schema: z.record(z.string(), z.unknown()) })
        .loose(),
    }).loose(),
  ]).optional(),
  reasoning_effort: z.enum(["none", "minimal", "low", "medium", "high", "xhigh"]).optional(),
  user: z.string().optional(),
  logprobs: z.boolean().nullable().optional(),
  top_logprobs: int,
  // provider options
  api_key: z.string().optional(),
  api_base: z.string().optional(),
  base_url: z.string().optional(),
  api_version: z.string().optional(),
  extra_headers: z.record(z.string(), z.string()).optional(),
  timeout: z.number().positive().optional(),
  num_retries: z.number().int().min(0).optional(),
  drop_params: z.boolean().optional(),
  mock_response: z.string().optional(),
  custom_llm_provider: z.string().optional(),
}).loose();

const embeddingSchema = z.object({
  model: z.string().min(1, "is required"),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1, "must not be empty"),
    z.array(z.number().int()).min(1, "must not be empty"),
    z.array(z.array(z.number().int())).min(1, "must not be empty"),
  ]),
  dimensions: z.number().int().positive().optional(),
  encoding_format: z.enum(["float", "base64"]).optional(),
  api_key: z.string().optional(),
  api_base: z.string().optional(),
  timeout: z.number().positive().optional(),
  extra_headers: z.record(z.string(), z.string()).optional(),
}).loose();

function fail(error: z.ZodError, model: unknown): never {
  const issue = error.issues[0];
  const path = issue.path.map(String).join(".");
  let message = issue.message;
  if (issue.code === "invalid_union" && issue.path.length > 0) {
    message = "has an invalid shape";
  }
  if (issue.code === "invalid_type" && issue.message.includes("received undefined")) {
    message = "is required";
  }
  throw new BadRequestError(`Invalid request: '${path}' ${message}`, {
    param: path || null,
    model: typeof model === "string" ? model : undefined,
  });
}

function reject(): never {
  throw new BadRequestError("Invalid request: the body must be a JSON object", {
    param: null,
  });
}

/** Whether the zod schema alone accepts `input` (for tests of the fast pre-check). */
export function schemaAccepts(input: unknown): boolean {
  return completionSchema.safeParse(input).success;
}

/** Validate `completion()` parameters; a bad field is a {@linkcode BadRequestError} naming it. */
export function parseCompletionParams(input: unknown): CompletionParams {
  if (typeof input !== "object" || input === null || Array.isArray(input)) reject();
  if (fastAccepts(input as Record<string, unknown>)) return input as CompletionParams;
  const result = completionSchema.safeParse(input);
  if (!result.success) fail(result.error, (input as { model?: unknown }).model);
  return input as CompletionParams;
}

/** Validate `embedding()` parameters; a bad field is a {@linkcode BadRequestError} naming it. */
export function parseEmbeddingParams(input: unknown): EmbeddingParams {
  if (typeof input !== "object" || input === null || Array.isArray(input)) reject();
  const result = embeddingSchema.safeParse(input);
  if (!result.success) fail(result.error, (input as { model?: unknown }).model);
  return input as EmbeddingParams;
}

/** Split params into the OpenAI body (provider options removed) and the options. */
export function splitParams<T extends { model: string }>(
  params: T & ProviderOptions,
): { body: T; options: ProviderOptions } {
  const body: Record<string, unknown> = {};
  const options: Record<string, unknown> = {};
  for (const key in params) {
    const value = (params as Record<string, unknown>)[key];
    if (PROVIDER_OPTION_KEYS.has(key)) options[key] = value;
    else if (value !== undefined) body[key] = value;
  }
  return { body: body as T, options: options as ProviderOptions };
}
