/**
 * The Router's arguments: LiteLLM's merge of router_settings over
 * litellm_settings (table-driven), drop_params and default_litellm_params on
 * deployments, unavailable models left out with everything that names them.
 */

import assert from "node:assert/strict";
import { parseConfig, toRouterConfig } from "../../src/config/mod.ts";
import { routeInfo, Router } from "../../src/fallback/mod.ts";
import type { RouterConfig } from "../../src/fallback/mod.ts";

const MODELS = [
  "model_list:",
  "  - model_name: a",
  "    litellm_params: { model: openai/a, mock_response: A }",
  "  - model_name: b",
  "    litellm_params: { model: openai/b, mock_response: B }",
  "  - model_name: c",
  "    litellm_params: { model: openai/c, mock_response: C }",
].join("\n");

interface MergeCase {
  name: string;
  litellm_settings: string;
  router_settings: string;
  expect: Partial<RouterConfig>;
}

const MERGE_CASES: MergeCase[] = [
  {
    name: "router_settings.num_retries wins over litellm_settings.num_retries",
    litellm_settings: "{ num_retries: 5 }",
    router_settings: "{ num_retries: 1 }",
    expect: { num_retries: 1 },
  },
  {
    name: "litellm_settings.num_retries applies when router_settings has none",
    litellm_settings: "{ num_retries: 5 }",
    router_settings: "{}",
    expect: { num_retries: 5 },
  },
  {
    name: "router_settings.num_retries: 0 still wins (LiteLLM: `is not None`)",
    litellm_settings: "{ num_retries: 5 }",
    router_settings: "{ num_retries: 0 }",
    expect: { num_retries: 0 },
  },
  {
    name: "litellm_settings.request_timeout becomes the Router's timeout",
    litellm_settings: "{ request_timeout: 600 }",
    router_settings: "{}",
    expect: { timeout: 600 },
  },
  {
    name: "router_settings.timeout wins over request_timeout",
    litellm_settings: "{ request_timeout: 600 }",
    router_settings: "{ timeout: 30 }",
    expect: { timeout: 30 },
  },
  {
    name: "router_settings.timeout: 0 falls through to request_timeout (LiteLLM: `or`)",
    litellm_settings: "{ request_timeout: 600 }",
    router_settings: "{ timeout: 0 }",
    expect: { timeout: 600 },
  },
  {
    name: "router_settings.fallbacks replace litellm_settings.fallbacks wholesale",
    litellm_settings: "{ fallbacks: [{ a: [b] }, { b: [c] }] }",
    router_settings: "{ fallbacks: [{ a: [c] }] }",
    expect: { fallbacks: [{ a: ["c"] }] },
  },
  {
    name: "litellm_settings.fallbacks apply when router_settings has none (or an empty list)",
    litellm_settings: "{ fallbacks: [{ a: [b] }] }",
    router_settings: "{ fallbacks: [] }",
    expect: { fallbacks: [{ a: ["b"] }] },
  },
  {
    name: "context-window, content-policy and default fallbacks merge the same way",
    litellm_settings:
      "{ context_window_fallbacks: [{ a: [b] }], content_policy_fallbacks: [{ a: [b] }], default_fallbacks: [b] }",
    router_settings: "{ content_policy_fallbacks: [{ a: [c] }], default_fallbacks: [c] }",
    expect: {
      context_window_fallbacks: [{ a: ["b"] }],
      content_policy_fallbacks: [{ a: ["c"] }],
      default_fallbacks: ["c"],
    },
  },
  {
    name: "allowed_fails and max_fallbacks: router_settings first, then litellm_settings",
    litellm_settings: "{ allowed_fails: 10, max_fallbacks: 2 }",
    router_settings: "{ allowed_fails: 1 }",
    expect: { allowed_fails: 1, max_fallbacks: 2 },
  },
  {
    name: "router-only settings pass through",
    litellm_settings: "{}",
    router_settings: [
      "{ routing_strategy: least-busy, cooldown_time: 9, disable_cooldowns: true,",
      "  retry_after: 1, stream_timeout: 7, retry_policy: { RateLimitErrorRetries: 4 },",
      "  allowed_fails_policy: { RateLimitErrorAllowedFails: 100 },",
      "  model_group_retry_policy: { a: { TimeoutErrorRetries: 0 } },",
      "  routing_strategy_args: { lowest_latency_buffer: 0.5 }, model_group_alias: { x: a } }",
    ].join("\n"),
    expect: {
      routing_strategy: "least-busy",
      cooldown_time: 9,
      disable_cooldowns: true,
      retry_after: 1,
      stream_timeout: 7,
      retry_policy: { RateLimitErrorRetries: 4 },
      allowed_fails_policy: { RateLimitErrorAllowedFails: 100 },
      model_group_retry_policy: { a: { TimeoutErrorRetries: 0 } },
      routing_strategy_args: { lowest_latency_buffer: 0.5 },
      model_group_alias: { x: "a" },
    },
  },
];

for (const c of MERGE_CASES) {
  Deno.test(`router merge: ${c.name}`, () => {
    const { router } = parseConfig(
      `${MODELS}\nlitellm_settings: ${c.litellm_settings}\nrouter_settings: ${c.router_settings}\n`,
      { env: {} },
    );
    const { model_list: _, ...settings } = router;
    assert.deepEqual(settings, c.expect);
    new Router(router);
  });
}

Deno.test("litellm_settings.drop_params reaches every deployment; a deployment's own value wins", () => {
  const { router } = parseConfig(
    [
      "model_list:",
      "  - model_name: a",
      "    litellm_params: { model: openai/a, mock_response: A }",
      "  - model_name: b",
      "    litellm_params: { model: openai/b, mock_response: B, drop_params: false }",
      "litellm_settings: { drop_params: true }",
    ].join("\n"),
    { env: {} },
  );
  assert.equal(router.model_list[0]!.litellm_params.drop_params, true);
  assert.equal(router.model_list[1]!.litellm_params.drop_params, false);
});

Deno.test("router_settings.default_litellm_params sit under each deployment's own params", () => {
  const { router } = parseConfig(
    [
      "model_list:",
      "  - model_name: a",
      "    litellm_params: { model: openai/a, mock_response: A, temperature: 0.9 }",
      "router_settings:",
      "  default_litellm_params: { temperature: 0.1, max_tokens: 256, model: ignored }",
    ].join("\n"),
    { env: {} },
  );
  assert.deepEqual(router.model_list[0]!.litellm_params, {
    model: "openai/a",
    temperature: 0.9,
    max_tokens: 256,
    mock_response: "A",
  });
});

Deno.test("unavailable models are reported and left out, with the fallbacks and aliases naming them", () => {
  const { router, unavailable, warnings } = parseConfig(
    [
      "model_list:",
      "  - model_name: claude",
      "    litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: os.environ/ANTHROPIC_API_KEY }",
      "  - model_name: gpt",
      "    litellm_params: { model: openai/gpt-4o-mini, api_key: os.environ/OPENAI_API_KEY }",
      "  - model_name: gemini",
      "    litellm_params: { model: gemini/gemini-2.5-flash }",
      "  - model_name: local",
      "    litellm_params: { model: ollama/llama3.2 }",
      "  - model_name: gpt",
      "    litellm_params: { model: azure/my-deployment, api_base: https://x.openai.azure.com, api_version: '2024-10-21' }",
      "  - model_name: titan",
      "    litellm_params: { model: bedrock/amazon.titan-text-express-v1, aws_region_name: us-east-1 }",
      "  - model_name: titan",
      "    litellm_params: { model: sagemaker/my-endpoint }",
      "  - model_name: all",
      "    litellm_params: { model: openai/* }",
      "litellm_settings:",
      '  fallbacks: [{ "claude": ["gpt", "local"] }, { "gpt": ["claude", "local"] }]',
      '  default_fallbacks: ["gpt", "local"]',
      "router_settings:",
      '  model_group_alias: { "gpt-4": "gpt", "llama": "local" }',
    ].join("\n"),
    { env: { ANTHROPIC_API_KEY: "sk-ant" } },
  );
  assert.deepEqual(unavailable, [
    {
      model_name: "gpt",
      model: "openai/gpt-4o-mini",
      reason: "litellm_params.api_key reads OPENAI_API_KEY, which is not set",
    },
    {
      model_name: "gemini",
      model: "gemini/gemini-2.5-flash",
      reason:
        "none of GEMINI_API_KEY, GOOGLE_API_KEY is set and litellm_params.api_key is not given",
    },
    {
      model_name: "gpt",
      model: "azure/my-deployment",
      reason: "Azure credentials are not set: give AZURE_API_KEY (or AZURE_OPENAI_API_KEY), " +
        "litellm_params.api_key, or an Entra token (azure_ad_token / AZURE_AD_TOKEN)",
    },
    {
      model_name: "titan",
      model: "bedrock/amazon.titan-text-express-v1",
      reason: "AWS credentials are not set: give AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
        "litellm_params.aws_access_key_id and aws_secret_access_key, or a Bedrock API key " +
        "(AWS_BEARER_TOKEN_BEDROCK or litellm_params.api_key)",
    },
    {
      model_name: "titan",
      model: "sagemaker/my-endpoint",
      reason: 'provider "sagemaker" is not supported by llmux yet',
    },
    {
      model_name: "all",
      model: "openai/*",
      reason: 'wildcard model "openai/*" is not supported by llmux yet',
    },
  ]);
  assert.deepEqual(warnings, []);
  assert.deepEqual(router.model_list.map((d) => d.model_name), ["claude", "local"]);
  assert.deepEqual(router.fallbacks, [{ claude: ["local"] }]);
  assert.deepEqual(router.default_fallbacks, ["local"]);
  assert.deepEqual(router.model_group_alias, { llama: "local" });
  new Router(router);
});

Deno.test("the Router built from a config serves it, with its fallbacks", async () => {
  const { router } = parseConfig(
    [
      "model_list:",
      "  - model_name: main",
      "    litellm_params: { model: openai/gpt-4o, api_key: sk-x, api_base: 'http://primary/v1' }",
      "  - model_name: backup",
      "    litellm_params: { model: openai/demo, mock_response: from backup }",
      "router_settings: { num_retries: 0 }",
      "litellm_settings: { fallbacks: [{ main: [backup] }], num_retries: 4 }",
    ].join("\n"),
    { env: {} },
  );
  const down: typeof fetch = () =>
    Promise.resolve(Response.json({ error: { message: "down" } }, { status: 500 }));
  const res = await new Router(router, { fetch: down }).completion({
    model: "main",
    messages: [{ role: "user", content: "hi" }],
  });
  assert.equal(res.choices[0]!.message.content, "from backup");
  assert.equal(routeInfo(res)?.modelGroup, "backup");
});

Deno.test("toRouterConfig() strips config-only litellm_params and keeps model_info", () => {
  const router = toRouterConfig({
    model_list: [{
      model_name: "a",
      litellm_params: { model: "openai/a", mock_response: "A", litellm_credential_name: "c" },
      model_info: { id: "a-1", max_input_tokens: 100 },
      rpm: 5,
    }],
    router_settings: {},
    litellm_settings: {},
    general_settings: { allow_client_side_credentials: false, log_prompts: false },
    environment_variables: {},
    credential_list: [],
  });
  assert.deepEqual(router, {
    model_list: [{
      model_name: "a",
      litellm_params: { model: "openai/a", mock_response: "A" },
      model_info: { id: "a-1", max_input_tokens: 100 },
      rpm: 5,
    }],
  });
});
