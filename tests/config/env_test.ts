/**
 * `os.environ/NAME` resolution and `environment_variables` layering: values
 * come from the injected env only, the config's variables fill what the
 * process environment leaves unset, and unset variables are handled per field.
 */

import assert from "node:assert/strict";
import { parseConfig, resolveEnvRefs, withConfigEnv } from "../../src/config/mod.ts";

function yaml(...lines: string[]): string {
  return lines.join("\n") + "\n";
}

const DEMO = [
  "  - model_name: demo",
  "    litellm_params: { model: openai/demo, mock_response: hi }",
];

Deno.test("os.environ/NAME resolves api_key and api_base", () => {
  const { config, router, warnings } = parseConfig(
    yaml(
      "model_list:",
      "  - model_name: gpt",
      "    litellm_params:",
      "      model: openai/gpt-4o",
      "      api_key: os.environ/TEAM_OPENAI_KEY",
      '      api_base: "os.environ/TEAM_OPENAI_BASE"',
    ),
    { env: { TEAM_OPENAI_KEY: "sk-team", TEAM_OPENAI_BASE: "http://proxy.local/v1" } },
  );
  assert.equal(config.model_list[0]!.litellm_params.api_key, "sk-team");
  assert.equal(config.model_list[0]!.litellm_params.api_base, "http://proxy.local/v1");
  assert.equal(router.model_list[0]!.litellm_params.api_key, "sk-team");
  assert.deepEqual(warnings, []);
});

Deno.test("os.environ/NAME resolves general_settings.master_key", () => {
  const { config } = parseConfig(
    yaml("model_list:", ...DEMO, "general_settings:", "  master_key: os.environ/LLMUX_MASTER_KEY"),
    { env: { LLMUX_MASTER_KEY: "sk-gateway" } },
  );
  assert.equal(config.general_settings.master_key, "sk-gateway");
});

Deno.test("os.environ/NAME resolves at any depth, in mappings and lists", () => {
  const { config, router } = parseConfig(
    yaml(
      "model_list:",
      ...DEMO,
      "router_settings:",
      "  default_litellm_params:",
      "    extra_headers: { X-Team: os.environ/TEAM }",
      "  fallbacks: [{ demo: [os.environ/BACKUP_GROUP] }]",
      "litellm_settings:",
      "  callbacks: [os.environ/CALLBACK]",
      "  cache_params: { host: os.environ/REDIS_HOST, port: 6379 }",
    ),
    { env: { TEAM: "blue", BACKUP_GROUP: "demo", CALLBACK: "prometheus", REDIS_HOST: "r1" } },
  );
  assert.deepEqual(config.router_settings.default_litellm_params, {
    extra_headers: { "X-Team": "blue" },
  });
  assert.deepEqual(config.router_settings.fallbacks, [{ demo: ["demo"] }]);
  assert.deepEqual(config.litellm_settings.callbacks, ["prometheus"]);
  assert.deepEqual(config.litellm_settings.cache_params, { host: "r1", port: 6379 });
  assert.deepEqual(router.model_list[0]!.litellm_params.extra_headers, { "X-Team": "blue" });
});

Deno.test("values from the environment are coerced where a number or boolean is expected", () => {
  const { config, router } = parseConfig(
    yaml(
      "model_list:",
      "  - model_name: demo",
      "    litellm_params: { model: openai/demo, mock_response: hi, rpm: os.environ/RPM }",
      "router_settings: { timeout: os.environ/TIMEOUT, disable_cooldowns: os.environ/NO_COOLDOWN }",
      "litellm_settings: { drop_params: os.environ/DROP }",
    ),
    { env: { RPM: "120", TIMEOUT: "45.5", NO_COOLDOWN: "True", DROP: "false" } },
  );
  assert.equal(config.model_list[0]!.litellm_params.rpm, 120);
  assert.equal(router.timeout, 45.5);
  assert.equal(router.disable_cooldowns, true);
  assert.equal(config.litellm_settings.drop_params, false);
});

Deno.test("an unset variable outside api_key and master_key is treated as unset, with a warning", () => {
  const { config, router, warnings, unavailable } = parseConfig(
    yaml(
      "model_list:",
      "  - model_name: local",
      "    litellm_params: { model: ollama/llama3.2, api_base: os.environ/OLLAMA_URL }",
      "router_settings: { redis_password: os.environ/REDIS_PASSWORD }",
    ),
    { env: {} },
  );
  assert.equal("api_base" in config.model_list[0]!.litellm_params, false);
  assert.equal(router.model_list.length, 1);
  assert.deepEqual(unavailable, []);
  assert.deepEqual(warnings, [
    "model_list[0].litellm_params.api_base: environment variable OLLAMA_URL is not set; treated as unset",
    "router_settings.redis_password: environment variable REDIS_PASSWORD is not set; treated as unset",
  ]);
});

Deno.test("an unset api_key variable falls back to the provider's own key variable", () => {
  const { router, warnings, unavailable } = parseConfig(
    yaml(
      "model_list:",
      "  - model_name: gpt",
      "    litellm_params: { model: openai/gpt-4o, api_key: os.environ/TEAM_KEY }",
    ),
    { env: { OPENAI_API_KEY: "sk-default" } },
  );
  assert.deepEqual(unavailable, []);
  assert.equal("api_key" in router.model_list[0]!.litellm_params, false);
  assert.deepEqual(warnings, [
    "model_list[0].litellm_params.api_key: environment variable TEAM_KEY is not set; using OPENAI_API_KEY instead",
  ]);
});

Deno.test("environment_variables are visible to os.environ/NAME and to key lookup", () => {
  const { config, router, env, unavailable } = parseConfig(
    yaml(
      "model_list:",
      ...DEMO,
      "  - model_name: gpt",
      "    litellm_params: { model: openai/gpt-4o }",
      "  - model_name: claude",
      "    litellm_params: { model: anthropic/claude-sonnet-4-5, api_key: os.environ/CLAUDE_KEY }",
      "environment_variables:",
      "  OPENAI_API_KEY: sk-from-config",
      "  CLAUDE_KEY: sk-claude",
      "  REDIS_PORT: 6379",
      "  DEBUG: true",
    ),
    { env: {} },
  );
  assert.deepEqual(unavailable, []);
  assert.deepEqual(router.model_list.map((d) => d.model_name), ["demo", "gpt", "claude"]);
  assert.equal(config.model_list[2]!.litellm_params.api_key, "sk-claude");
  assert.deepEqual(env, {
    OPENAI_API_KEY: "sk-from-config",
    CLAUDE_KEY: "sk-claude",
    REDIS_PORT: "6379",
    DEBUG: "true",
  });
  assert.deepEqual(config.environment_variables, env);
});

Deno.test("the process environment wins over environment_variables (LiteLLM's order)", () => {
  const { config, env } = parseConfig(
    yaml(
      "model_list:",
      "  - model_name: local",
      "    litellm_params: { model: ollama/llama3.2, api_base: os.environ/OLLAMA_URL }",
      "environment_variables:",
      "  OLLAMA_URL: http://from-config:11434",
      "  ONLY_IN_CONFIG: os.environ/FROM_PROCESS",
    ),
    { env: { OLLAMA_URL: "http://from-process:11434", FROM_PROCESS: "p" } },
  );
  assert.equal(config.model_list[0]!.litellm_params.api_base, "http://from-process:11434");
  assert.deepEqual(env, { OLLAMA_URL: "http://from-config:11434", ONLY_IN_CONFIG: "p" });
  const runtime = withConfigEnv({ OLLAMA_URL: "http://from-process:11434" }, env);
  assert.equal(runtime("OLLAMA_URL"), "http://from-process:11434");
  assert.equal(runtime("ONLY_IN_CONFIG"), "p");
  assert.equal(runtime("NOPE"), undefined);
});

Deno.test("the env may be a reader function; every lookup goes through it", () => {
  const asked: string[] = [];
  const env = (name: string) => {
    asked.push(name);
    return name === "ANTHROPIC_API_KEY" ? "sk-a" : undefined;
  };
  const { router } = parseConfig(
    yaml(
      "model_list:",
      "  - model_name: claude",
      "    litellm_params: { model: anthropic/claude-sonnet-4-5 }",
      "general_settings: { database_url: os.environ/DATABASE_URL }",
    ),
    { env },
  );
  assert.equal(router.model_list.length, 1);
  assert.ok(asked.includes("DATABASE_URL"));
  assert.ok(asked.includes("ANTHROPIC_API_KEY"));
});

Deno.test("master_key falls back to LITELLM_MASTER_KEY when absent (LiteLLM's load_config)", () => {
  const text = yaml("model_list:", ...DEMO);
  assert.equal(
    parseConfig(text, { env: { LITELLM_MASTER_KEY: "sk-env" } }).config.general_settings.master_key,
    "sk-env",
  );
  assert.equal(parseConfig(text, { env: {} }).config.general_settings.master_key, undefined);
  const explicit = yaml("model_list:", ...DEMO, "general_settings: { master_key: sk-file }");
  assert.equal(
    parseConfig(explicit, { env: { LITELLM_MASTER_KEY: "sk-env" } }).config.general_settings
      .master_key,
    "sk-file",
  );
});

Deno.test("credential_list fills litellm_params; the deployment's own values win", () => {
  const { config, router, unavailable } = parseConfig(
    yaml(
      "model_list:",
      "  - model_name: gpt",
      "    litellm_params:",
      "      model: openai/gpt-4o",
      "      litellm_credential_name: team-openai",
      "  - model_name: gpt-eu",
      "    litellm_params:",
      "      model: openai/gpt-4o",
      "      litellm_credential_name: team-openai",
      "      api_base: https://eu.example/v1",
      "credential_list:",
      "  - credential_name: team-openai",
      "    credential_values:",
      "      api_key: os.environ/TEAM_KEY",
      "      api_base: https://us.example/v1",
      "    credential_info: { description: shared team key }",
    ),
    { env: { TEAM_KEY: "sk-team" } },
  );
  assert.deepEqual(unavailable, []);
  assert.equal(config.model_list[0]!.litellm_params.api_key, "sk-team");
  assert.equal(config.model_list[0]!.litellm_params.api_base, "https://us.example/v1");
  assert.equal(config.model_list[1]!.litellm_params.api_base, "https://eu.example/v1");
  assert.equal(config.credential_list[0]!.credential_name, "team-openai");
  for (const d of router.model_list) {
    assert.equal("litellm_credential_name" in d.litellm_params, false);
  }
});

Deno.test("a credential whose key variable is unset makes its deployments unavailable", () => {
  const { unavailable } = parseConfig(
    yaml(
      "model_list:",
      ...DEMO,
      "  - model_name: gpt",
      "    litellm_params: { model: openai/gpt-4o, litellm_credential_name: c }",
      "credential_list:",
      "  - credential_name: c",
      "    credential_values: { api_key: os.environ/TEAM_KEY }",
    ),
    { env: {} },
  );
  assert.deepEqual(unavailable, [{
    model_name: "gpt",
    model: "openai/gpt-4o",
    reason:
      "litellm_params.api_key reads TEAM_KEY, which is not set, and OPENAI_API_KEY is not set",
  }]);
});

Deno.test("resolveEnvRefs() leaves its input untouched", () => {
  const tree = { a: ["os.environ/X"], b: { c: "os.environ/Y" } };
  const copy = structuredClone(tree);
  const { value, missing } = resolveEnvRefs(tree, (n) => (n === "X" ? "1" : undefined));
  assert.deepEqual(tree, copy);
  assert.deepEqual(value, { a: ["1"], b: {} });
  assert.deepEqual(missing, [{ path: ["b", "c"], name: "Y" }]);
});
