/**
 * The zod schema of the config. Every leaf carries its own error text, the
 * "expected …" half of a {@linkcode ConfigError} message; the "found …" half
 * comes from the value itself. Sections are loose: keys the schema does not
 * type are kept (LiteLLM has many) and reported as warnings elsewhere.
 *
 * Strings from `os.environ/NAME` are always strings, so numbers and
 * booleans also accept their string forms (`"60"`, `"true"`), as LiteLLM's
 * pydantic models and `get_secret` do.
 *
 * @module
 */

import { z } from "zod";
import { ConfigError } from "./errors.ts";
import { describeFound, formatPath, valueAt } from "./_format.ts";
import type { GatewayConfig } from "./types.ts";

function toNumber(value: unknown): unknown {
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) {
    return Number(value);
  }
  return value;
}

function toBoolean(value: unknown): unknown {
  if (typeof value === "string") {
    const v = value.trim().toLowerCase();
    if (v === "true") return true;
    if (v === "false") return false;
  }
  return value;
}

function orEmpty(value: unknown): unknown {
  return value === null || value === undefined ? {} : value;
}

function asList(value: unknown): unknown {
  return typeof value === "string" ? [value] : value;
}

const nonNegative = () =>
  z.preprocess(
    toNumber,
    z.number({ error: "a number" }).min(0, { error: "a number >= 0" }),
  );
const positive = () =>
  z.preprocess(
    toNumber,
    z.number({ error: "a number" }).positive({ error: "a number > 0" }),
  );
const count = () =>
  z.preprocess(
    toNumber,
    z.number({ error: "a whole number" })
      .int({ error: "a whole number" })
      .min(0, { error: "a whole number >= 0" }),
  );
const bool = () => z.preprocess(toBoolean, z.boolean({ error: "true or false" }));
const text = (what = "a string") => z.string({ error: what });
const nonEmpty = (what: string) => z.string({ error: what }).min(1, { error: what });
const mapping = (what = "a mapping") => z.record(z.string(), z.unknown(), { error: what });

const groupNames = z.preprocess(
  asList,
  z.array(nonEmpty("a model group name"), { error: "a list of model group names" }),
);

const fallbackList = z.array(
  z.record(z.string(), groupNames, { error: 'a mapping like {"group": ["fallback", …]}' }),
  { error: 'a list like [{"group": ["fallback", …]}]' },
);

/** The routing strategies llmux's Router implements (LiteLLM's names). */
export const ROUTING_STRATEGY_NAMES = [
  "simple-shuffle",
  "least-busy",
  "latency-based-routing",
  "usage-based-routing",
  "usage-based-routing-v2",
  "cost-based-routing",
] as const;

const routingStrategy = z.enum(ROUTING_STRATEGY_NAMES, {
  error: `one of ${ROUTING_STRATEGY_NAMES.map((s) => JSON.stringify(s)).join(", ")}`,
});

const retryPolicy = z.looseObject({
  BadRequestErrorRetries: count().optional(),
  AuthenticationErrorRetries: count().optional(),
  TimeoutErrorRetries: count().optional(),
  RateLimitErrorRetries: count().optional(),
  ContentPolicyViolationErrorRetries: count().optional(),
  InternalServerErrorRetries: count().optional(),
  NotFoundErrorRetries: count().optional(),
}, { error: "a mapping of <ErrorClass>Retries to counts" });

const allowedFailsPolicy = z.looseObject({
  BadRequestErrorAllowedFails: count().optional(),
  AuthenticationErrorAllowedFails: count().optional(),
  TimeoutErrorAllowedFails: count().optional(),
  RateLimitErrorAllowedFails: count().optional(),
  ContentPolicyViolationErrorAllowedFails: count().optional(),
  InternalServerErrorAllowedFails: count().optional(),
}, { error: "a mapping of <ErrorClass>AllowedFails to counts" });

const groupAlias = z.union([
  nonEmpty("a model group name"),
  z.looseObject({ model: nonEmpty("a model group name"), hidden: bool().optional() }),
], { error: "a model group name, or a mapping with model and hidden" });

const litellmParams = z.looseObject({
  model: nonEmpty('a model string like "openai/gpt-4o"'),
  api_key: text().optional(),
  api_base: text().optional(),
  base_url: text().optional(),
  api_version: text().optional(),
  custom_llm_provider: nonEmpty("a provider name").optional(),
  mock_response: text().optional(),
  drop_params: bool().optional(),
  litellm_credential_name: nonEmpty("a credential_name from credential_list").optional(),
  rpm: nonNegative().optional(),
  tpm: nonNegative().optional(),
  weight: nonNegative().optional(),
  max_parallel_requests: count().optional(),
  timeout: nonNegative().optional(),
  stream_timeout: nonNegative().optional(),
  cooldown_time: nonNegative().optional(),
  input_cost_per_token: nonNegative().optional(),
  output_cost_per_token: nonNegative().optional(),
  extra_headers: z.record(z.string(), text(), { error: "a mapping of header names to strings" })
    .optional(),
}, { error: "a mapping of completion() parameters with a model" });

const modelInfo = z.looseObject({
  id: z.preprocess(
    (v) => typeof v === "number" ? String(v) : v,
    nonEmpty("a non-empty string"),
  ).optional(),
  input_cost_per_token: nonNegative().optional(),
  output_cost_per_token: nonNegative().optional(),
  max_input_tokens: count().optional(),
  max_output_tokens: count().optional(),
  max_tokens: count().optional(),
}, { error: "a mapping" });

const modelEntry = z.looseObject({
  model_name: nonEmpty("a model group name (a non-empty string)"),
  litellm_params: litellmParams,
  model_info: z.preprocess(orEmpty, modelInfo).optional(),
  rpm: nonNegative().optional(),
  tpm: nonNegative().optional(),
}, { error: "a mapping with model_name and litellm_params" });

const routerSettings = z.looseObject({
  routing_strategy: routingStrategy.optional(),
  routing_strategy_args: z.looseObject({ lowest_latency_buffer: nonNegative().optional() }, {
    error: "a mapping",
  }).optional(),
  fallbacks: fallbackList.optional(),
  context_window_fallbacks: fallbackList.optional(),
  content_policy_fallbacks: fallbackList.optional(),
  default_fallbacks: groupNames.optional(),
  max_fallbacks: count().optional(),
  num_retries: count().optional(),
  retry_after: nonNegative().optional(),
  retry_policy: retryPolicy.optional(),
  model_group_retry_policy: z.record(z.string(), retryPolicy, {
    error: "a mapping of model groups to retry policies",
  }).optional(),
  allowed_fails: count().optional(),
  allowed_fails_policy: allowedFailsPolicy.optional(),
  cooldown_time: nonNegative().optional(),
  disable_cooldowns: bool().optional(),
  timeout: nonNegative().optional(),
  stream_timeout: nonNegative().optional(),
  model_group_alias: z.record(z.string(), groupAlias, {
    error: "a mapping of alias names to model groups",
  }).optional(),
  default_litellm_params: mapping().optional(),
  enable_pre_call_checks: bool().optional(),
}, { error: "a mapping of router settings" });

const callbackList = z.preprocess(
  asList,
  z.array(nonEmpty("a callback name"), { error: "a list of callback names" }),
);

const litellmSettings = z.looseObject({
  drop_params: bool().optional(),
  turn_off_message_logging: bool().optional(),
  num_retries: count().optional(),
  request_timeout: nonNegative().optional(),
  fallbacks: fallbackList.optional(),
  context_window_fallbacks: fallbackList.optional(),
  content_policy_fallbacks: fallbackList.optional(),
  default_fallbacks: groupNames.optional(),
  budget_fallbacks: fallbackList.optional(),
  allowed_fails: count().optional(),
  max_fallbacks: count().optional(),
  set_verbose: bool().optional(),
  json_logs: bool().optional(),
  callbacks: callbackList.optional(),
  success_callback: callbackList.optional(),
  failure_callback: callbackList.optional(),
}, { error: "a mapping of litellm settings" });

const CURRENCY_REGEXP = /^[A-Za-z]{3}$/;

const generalSettings = z.looseObject({
  master_key: nonEmpty("a non-empty string").optional(),
  database_url: nonEmpty("a database URL").optional(),
  redis_url: nonEmpty("a Redis URL").optional(),
  max_request_size_mb: positive().optional(),
  allow_client_side_credentials: bool().default(false),
  log_prompts: bool().default(false),
  currency: z.string({ error: 'a 3-letter currency code like "EUR"' })
    .regex(CURRENCY_REGEXP, { error: 'a 3-letter currency code like "EUR"' })
    .transform((c) => c.toUpperCase())
    .optional(),
  fx_rates: z.record(
    z.string().regex(CURRENCY_REGEXP, { error: 'a 3-letter currency code like "EUR"' }),
    positive(),
    { error: "a mapping of currency codes to rates from USD" },
  ).optional(),
  fx_rate_url: z.url({ error: "an http(s) URL", protocol: /^https?$/ }).optional(),
  background_health_checks: bool().optional(),
  health_check_interval: positive().optional(),
  health_check_details: bool().optional(),
}, { error: "a mapping of general settings" });

const environmentVariables = z.record(
  z.string(),
  z.preprocess(
    (v) => typeof v === "number" || typeof v === "boolean" ? String(v) : v,
    text("a string, number or boolean"),
  ),
  { error: "a mapping of variable names to values" },
);

const credential = z.looseObject({
  credential_name: nonEmpty("a credential name (a non-empty string)"),
  credential_values: mapping("a mapping of litellm_params values"),
  credential_info: z.preprocess(orEmpty, mapping()).optional(),
}, { error: "a mapping with credential_name and credential_values" });

const configSchema = z.looseObject({
  model_list: z.array(modelEntry, { error: "a non-empty list of models" })
    .min(1, { error: "a non-empty list of models" }),
  router_settings: z.preprocess(orEmpty, routerSettings),
  litellm_settings: z.preprocess(orEmpty, litellmSettings),
  general_settings: z.preprocess(orEmpty, generalSettings),
  environment_variables: z.preprocess(orEmpty, environmentVariables),
  credential_list: z.preprocess(
    (v) => v ?? [],
    z.array(credential, { error: "a list of credentials" }),
  ),
}, { error: "a mapping with a model_list" });

/**
 * Validate a resolved config tree. The first problem, in document order, is
 * a {@linkcode ConfigError} with its path.
 */
export function validateConfig(tree: unknown): GatewayConfig {
  const result = configSchema.safeParse(tree);
  if (result.success) return result.data as unknown as GatewayConfig;
  const issue = result.error.issues[0]!;
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  if (issue.code === "invalid_key") {
    const inner = issue.issues[0];
    throw new ConfigError({
      path: formatPath(path),
      expected: `keys that are ${inner ? expectedOf(inner) : "valid"}`,
      found: `key ${JSON.stringify(path[path.length - 1])}`,
    });
  }
  throw new ConfigError({
    path: formatPath(path),
    expected: expectedOf(issue),
    found: describeFound(valueAt(tree, path), path),
  });
}

function expectedOf(issue: z.core.$ZodIssue): string {
  if (issue.message && !issue.message.startsWith("Invalid")) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `a value of type ${issue.expected}`;
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return "a valid value";
  }
}
