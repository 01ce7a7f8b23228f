/**
 * Unknown keys warn, never fail; keys LiteLLM documents but llmux does not
 * implement get a distinct warning; a config written for LiteLLM from its docs
 * loads with no unknown-key warnings.
 */

import assert from "node:assert/strict";
import { CONFIG_KEYS, parseConfig } from "../../src/config/mod.ts";
import { readFixture } from "./_helpers.ts";
import { logPromptsOf } from "../../src/server/runtime.ts";

const DEMO = [
  "model_list:",
  "  - model_name: demo",
  "    litellm_params: { model: openai/demo, mock_response: hi }",
];

interface WarningCase {
  name: string;
  yaml: string[];
  warnings: string[];
}

const CASES: WarningCase[] = [
  {
    name: "an unknown top-level key",
    yaml: [...DEMO, "modle_list: []"],
    warnings: ["modle_list: unknown key, ignored"],
  },
  {
    name: "an unknown key in each settings section",
    yaml: [
      ...DEMO,
      "general_settings: { foo: 1 }",
      "litellm_settings: { bar: 2 }",
      "router_settings: { baz: 3 }",
    ],
    warnings: [
      "general_settings.foo: unknown key, ignored",
      "litellm_settings.bar: unknown key, ignored",
      "router_settings.baz: unknown key, ignored",
    ],
  },
  {
    name: "an unknown key in a model_list entry",
    yaml: [...DEMO, '    modle_info: { id: "x" }'],
    warnings: ["model_list[0].modle_info: unknown key, ignored"],
  },
  {
    name: "keys LiteLLM documents that llmux does not implement yet",
    yaml: [
      ...DEMO,
      "litellm_settings: { cache: true, cache_params: { type: redis } }",
      "router_settings: { redis_host: localhost, redis_port: 6379 }",
      "general_settings: { alerting: [slack], redis_url: 'redis://localhost' }",
      "guardrails: []",
    ],
    warnings: [
      "guardrails: accepted but not supported by llmux yet",
      "litellm_settings.cache: accepted but not supported by llmux yet",
      "litellm_settings.cache_params: accepted but not supported by llmux yet",
    ],
  },
  {
    name: "callbacks llmux does not implement",
    yaml: [
      ...DEMO,
      "litellm_settings:",
      "  callbacks: [prometheus, otel]",
      "  success_callback: langfuse",
      "  failure_callback: [prometheus]",
    ],
    warnings: [
      'litellm_settings.callbacks: callback "otel" is not supported by llmux yet; ignored',
      'litellm_settings.success_callback: callback "langfuse" is not supported by llmux yet; ignored',
    ],
  },
  {
    name: "an identical deployment listed twice is used once",
    yaml: [...DEMO, ...DEMO.slice(1)],
    warnings: ["model_list[1]: the same deployment as model_list[0]; ignored"],
  },
  {
    name: "free-form litellm_params and model_info",
    yaml: [
      "model_list:",
      "  - model_name: demo",
      "    litellm_params:",
      "      model: openai/demo",
      "      mock_response: hi",
      "      seed: 12",
      "      max_tokens: 20",
      "      organization: org-1",
      "    model_info: { mode: chat, base_model: gpt-4o, supports_vision: true }",
    ],
    warnings: [],
  },
  {
    name: "every supported key of every section",
    yaml: [
      ...DEMO,
      "    model_info: { id: d1 }",
      "    rpm: 10",
      "    tpm: 1000",
      "router_settings:",
      "  routing_strategy: latency-based-routing",
      "  routing_strategy_args: { lowest_latency_buffer: 0.1 }",
      "  fallbacks: [{ demo: [demo] }]",
      "  context_window_fallbacks: []",
      "  content_policy_fallbacks: []",
      "  default_fallbacks: [demo]",
      "  max_fallbacks: 3",
      "  num_retries: 2",
      "  retry_after: 0",
      "  retry_policy: { RateLimitErrorRetries: 1 }",
      "  model_group_retry_policy: { demo: { RateLimitErrorRetries: 2 } }",
      "  allowed_fails: 3",
      "  allowed_fails_policy: { RateLimitErrorAllowedFails: 10 }",
      "  cooldown_time: 5",
      "  disable_cooldowns: false",
      "  timeout: 60",
      "  stream_timeout: 30",
      "  model_group_alias: { alias: demo }",
      "  default_litellm_params: { temperature: 0 }",
      "  enable_pre_call_checks: true",
      "litellm_settings:",
      "  drop_params: true",
      "  num_retries: 1",
      "  request_timeout: 600",
      "  fallbacks: []",
      "  context_window_fallbacks: []",
      "  content_policy_fallbacks: []",
      "  default_fallbacks: []",
      "  budget_fallbacks: [{ demo: [demo] }]",
      "  allowed_fails: 1",
      "  max_fallbacks: 1",
      "  set_verbose: false",
      "  json_logs: true",
      "  callbacks: [prometheus]",
      "  success_callback: []",
      "  failure_callback: []",
      "general_settings:",
      "  master_key: sk-1234",
      "  database_url: postgresql://llmux@localhost/llmux",
      "  max_request_size_mb: 5",
      "  allow_client_side_credentials: true",
      "  log_prompts: true",
      "  currency: eur",
      "  fx_rates: { EUR: 0.92 }",
      "  fx_rate_url: https://rates.example/usd.json",
      "environment_variables: { A: b }",
      "credential_list: []",
    ],
    warnings: [],
  },
];

for (const c of CASES) {
  Deno.test(`warnings: ${c.name}`, () => {
    const { warnings } = parseConfig(c.yaml.join("\n"), { env: {} });
    assert.deepEqual(warnings, c.warnings);
  });
}

Deno.test("general_settings defaults and typed values", () => {
  const { config } = parseConfig(
    [...DEMO, "general_settings: { currency: eur, fx_rates: { EUR: '0.92' } }"].join("\n"),
    { env: {} },
  );
  assert.equal(config.general_settings.allow_client_side_credentials, false);
  assert.equal(config.general_settings.log_prompts, false);
  assert.equal(config.general_settings.currency, "EUR");
  assert.deepEqual(config.general_settings.fx_rates, { EUR: 0.92 });
  const empty = parseConfig([...DEMO, "general_settings:", "litellm_settings:"].join("\n"), {
    env: {},
  });
  assert.deepEqual(empty.config.litellm_settings, {});
  assert.deepEqual(empty.config.general_settings, {
    allow_client_side_credentials: false,
    log_prompts: false,
  });
});

Deno.test("turn_off_message_logging wins over log_prompts; a wrong type names its path", () => {
  const load = (lines: string[]) => parseConfig([...DEMO, ...lines].join("\n"), { env: {} });
  const on = load(["general_settings: { log_prompts: true }"]);
  assert.equal(logPromptsOf(on.config), true);
  const off = load([
    "general_settings: { log_prompts: true }",
    "litellm_settings: { turn_off_message_logging: 'true' }",
  ]);
  assert.equal(off.config.litellm_settings.turn_off_message_logging, true);
  assert.equal(logPromptsOf(off.config), false);
  assert.deepEqual(off.warnings, []);
  assert.throws(
    () => load(["litellm_settings: { turn_off_message_logging: 3 }"]),
    /litellm_settings\.turn_off_message_logging/,
  );
});

Deno.test("no key is both supported and merely accepted", () => {
  for (const [section, keys] of Object.entries(CONFIG_KEYS)) {
    for (const key of keys.supported) {
      assert.ok(!keys.accepted.has(key), `${section}.${key} is in both lists`);
    }
  }
});

Deno.test("a LiteLLM config from LiteLLM's docs loads unchanged, with no unknown-key warnings", async () => {
  const text = await readFixture("litellm_docs.good.yaml");
  const { config, router, warnings, unavailable, env } = parseConfig(text, {
    env: { OPENAI_API_KEY: "sk-openai", ANTHROPIC_API_KEY: "sk-anthropic" },
  });
  assert.deepEqual(warnings.filter((w) => w.includes("unknown key")), []);
  assert.deepEqual(warnings, [
    "litellm_settings.cache: accepted but not supported by llmux yet",
    "litellm_settings.cache_params: accepted but not supported by llmux yet",
    'litellm_settings.success_callback: callback "langfuse" is not supported by llmux yet; ignored',
    "general_settings.database_connection_pool_limit: accepted but not supported by llmux yet",
    "general_settings.database_connection_timeout: accepted but not supported by llmux yet",
    "general_settings.store_model_in_db: accepted but not supported by llmux yet",
  ]);
  const azure = "Azure credentials are not set: give AZURE_API_KEY (or AZURE_OPENAI_API_KEY), " +
    "litellm_params.api_key, or an Entra token (azure_ad_token / AZURE_AD_TOKEN)";
  const bedrock =
    "AWS credentials are not set: give AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
    "litellm_params.aws_access_key_id and aws_secret_access_key, or a Bedrock API key " +
    "(AWS_BEARER_TOKEN_BEDROCK or litellm_params.api_key)";
  assert.deepEqual(unavailable.map((u) => [u.model_name, u.reason]), [
    ["gpt-4o", azure],
    ["bedrock-claude-v1", bedrock],
    ["gpt-4o", azure],
    ["anthropic-claude", bedrock],
    ["*", 'wildcard model "*" is not supported by llmux yet'],
  ]);
  assert.deepEqual(router.model_list.map((d) => d.model_name), [
    "vllm-models",
    "claude-3-5-sonnet",
    "gpt-4o-mini",
    "gpt-3.5-turbo-16k",
    "mistral-7b",
  ]);
  assert.equal(config.general_settings.master_key, "sk-1234");
  assert.equal(config.router_settings.redis_host, "localhost");
  assert.deepEqual(env, { REDIS_HOST: "localhost", REDIS_PASSWORD: "" });
  assert.equal(router.num_retries, 2);
  assert.equal(router.timeout, 30);
  assert.deepEqual(router.context_window_fallbacks, [{ "gpt-4o-mini": ["gpt-3.5-turbo-16k"] }]);
  assert.equal(router.model_group_alias, undefined);
});
