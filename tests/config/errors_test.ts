/**
 * Every bad config in tests/config/fixtures/*.bad.yaml and the exact
 * ConfigError it must produce: message, path, line and column.
 */

import assert from "node:assert/strict";
import { ConfigError, loadConfig, parseConfig } from "../../src/config/mod.ts";
import { knownProviders } from "../../src/providers/registry.ts";
import { describeFound, formatPath, parsePath } from "../../src/config/_format.ts";
import { fixturePath, readFixture } from "./_helpers.ts";

const KNOWN = knownProviders().join(", ");

interface BadCase {
  /** Fixture name, without `.bad.yaml`. */
  file: string;
  /** The exact message (no file prefix: parsed without `source`). */
  message: string;
  /** `error.path`. */
  path: string;
  /** 1-based line and column of the offending value, when the document has one. */
  at?: [number, number];
  /** Environment for the parse (default: empty). */
  env?: Record<string, string>;
}

const CASES: BadCase[] = [
  {
    file: "syntax_error",
    message:
      "Invalid YAML at line 5, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]",
    path: "",
    at: [5, 1],
  },
  {
    file: "duplicate_yaml_key",
    message: "Invalid YAML at line 6, column 3: Map keys must be unique",
    path: "",
    at: [6, 3],
  },
  {
    file: "empty",
    message: "Invalid config: expected a mapping with a model_list, found an empty document",
    path: "",
  },
  {
    file: "top_level_list",
    message: "Invalid config: expected a mapping with a model_list, found a list",
    path: "",
    at: [1, 1],
  },
  {
    file: "model_list_not_list",
    message: "Invalid config at model_list: expected a non-empty list of models, found a mapping",
    path: "model_list",
    at: [2, 3],
  },
  {
    file: "model_list_empty",
    message:
      "Invalid config at model_list: expected a non-empty list of models, found an empty list",
    path: "model_list",
    at: [1, 13],
  },
  {
    file: "missing_model_name",
    message:
      "Invalid config at model_list[1].model_name: expected a model group name (a non-empty string), found nothing",
    path: "model_list[1].model_name",
    at: [6, 5],
  },
  {
    file: "missing_litellm_params",
    message:
      "Invalid config at model_list[0].litellm_params: expected a mapping of completion() parameters with a model, found nothing",
    path: "model_list[0].litellm_params",
    at: [2, 5],
  },
  {
    file: "missing_litellm_model",
    message:
      'Invalid config at model_list[1].litellm_params.model: expected a model string like "openai/gpt-4o", found nothing',
    path: "model_list[1].litellm_params.model",
    at: [8, 7],
  },
  {
    file: "rpm_wrong_type",
    message:
      'Invalid config at model_list[0].litellm_params.rpm: expected a number, found string "fast"',
    path: "model_list[0].litellm_params.rpm",
    at: [5, 12],
  },
  {
    file: "unknown_provider",
    message:
      'Invalid config at model_list[1].litellm_params.model: expected a "provider/model" string with a known provider, found string "acme/llm-9000" (unknown provider "acme"; known providers: ' +
      KNOWN + ")",
    path: "model_list[1].litellm_params.model",
    at: [8, 14],
  },
  {
    file: "unknown_custom_provider",
    message:
      'Invalid config at model_list[0].litellm_params.custom_llm_provider: expected a known provider, found string "acme" (unknown provider "acme"; known providers: ' +
      KNOWN + ")",
    path: "model_list[0].litellm_params.custom_llm_provider",
    at: [5, 28],
  },
  {
    file: "uninferable_model",
    message:
      'Invalid config at model_list[0].litellm_params.model: expected a "provider/model" string with a known provider, found string "zephyr-7b" (cannot infer the provider; write it as "provider/model"; known providers: ' +
      KNOWN + ")",
    path: "model_list[0].litellm_params.model",
    at: [4, 14],
  },
  {
    file: "fallback_unknown_group",
    message:
      'Invalid config at litellm_settings.fallbacks[0].demo[1]: expected a model group defined in model_list, found string "gpt" (known groups: "demo", "local")',
    path: "litellm_settings.fallbacks[0].demo[1]",
    at: [7, 35],
  },
  {
    file: "fallback_unknown_source",
    message:
      'Invalid config at router_settings.context_window_fallbacks[0]: expected keys that are model groups defined in model_list (or "*"), found key "dmeo" (known groups: "demo")',
    path: "router_settings.context_window_fallbacks[0]",
    at: [5, 30],
  },
  {
    file: "default_fallback_unknown",
    message:
      'Invalid config at litellm_settings.default_fallbacks[0]: expected a model group defined in model_list, found string "claude-opus" (known groups: "demo")',
    path: "litellm_settings.default_fallbacks[0]",
    at: [5, 23],
  },
  {
    file: "budget_fallback_unknown",
    message:
      'Invalid config at litellm_settings.budget_fallbacks[0].demo[0]: expected a model group defined in model_list, found string "cheap" (known groups: "demo")',
    path: "litellm_settings.budget_fallbacks[0].demo[0]",
    at: [6, 14],
  },
  {
    file: "bad_fallbacks_shape",
    message:
      'Invalid config at router_settings.fallbacks: expected a list like [{"group": ["fallback", …]}], found a mapping',
    path: "router_settings.fallbacks",
    at: [5, 14],
  },
  {
    file: "alias_unknown_group",
    message:
      'Invalid config at router_settings.model_group_alias["gpt-4"]: expected a model group defined in model_list, found string "gpt-4o" (known groups: "demo")',
    path: 'router_settings.model_group_alias["gpt-4"]',
    at: [5, 33],
  },
  {
    file: "bad_routing_strategy",
    message:
      'Invalid config at router_settings.routing_strategy: expected one of "simple-shuffle", "least-busy", "latency-based-routing", "usage-based-routing", "usage-based-routing-v2", "cost-based-routing", found string "fastest-first"',
    path: "router_settings.routing_strategy",
    at: [5, 21],
  },
  {
    file: "duplicate_id",
    message:
      'Invalid config at model_list[1].model_info.id: expected an id no other deployment uses, found string "demo-1" (already the id of model_list[0])',
    path: "model_list[1].model_info.id",
    at: [7, 23],
  },
  {
    file: "negative_num_retries",
    message:
      "Invalid config at litellm_settings.num_retries: expected a whole number >= 0, found number -1",
    path: "litellm_settings.num_retries",
    at: [5, 16],
  },
  {
    file: "fractional_num_retries",
    message:
      "Invalid config at router_settings.num_retries: expected a whole number, found number 1.5",
    path: "router_settings.num_retries",
    at: [5, 16],
  },
  {
    file: "master_key_env_missing",
    message:
      "Invalid config at general_settings.master_key: expected environment variable LLMUX_MASTER_KEY to be set, found it unset (llmux does not start without the master key it was told to require)",
    path: "general_settings.master_key",
    at: [5, 15],
  },
  {
    file: "secret_wrong_type",
    message:
      "Invalid config at general_settings.master_key: expected a non-empty string, found a list",
    path: "general_settings.master_key",
    at: [5, 15],
  },
  {
    file: "unknown_credential",
    message:
      'Invalid config at model_list[0].litellm_params.litellm_credential_name: expected a credential_name from credential_list, found string "prod-openai" (known: "staging-openai")',
    path: "model_list[0].litellm_params.litellm_credential_name",
    at: [5, 32],
  },
  {
    file: "no_available_models",
    message:
      "Invalid config at model_list: expected at least one model llmux can serve, found none (gpt: litellm_params.api_key reads MY_OPENAI_KEY, which is not set, and OPENAI_API_KEY is not set; claude: ANTHROPIC_API_KEY is not set and litellm_params.api_key is not given)",
    path: "model_list",
    at: [2, 3],
  },
  {
    file: "bad_request_size",
    message:
      "Invalid config at general_settings.max_request_size_mb: expected a number > 0, found number 0",
    path: "general_settings.max_request_size_mb",
    at: [5, 24],
  },
  {
    file: "bad_currency",
    message:
      'Invalid config at general_settings.currency: expected a 3-letter currency code like "EUR", found string "euro"',
    path: "general_settings.currency",
    at: [5, 13],
  },
  {
    file: "bad_fx_rate_key",
    message:
      'Invalid config at general_settings.fx_rates.euro: expected keys that are a 3-letter currency code like "EUR", found key "euro"',
    path: "general_settings.fx_rates.euro",
    at: [7, 11],
  },
];

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e;
  }
  assert.fail("expected a ConfigError, nothing was thrown");
}

for (const c of CASES) {
  Deno.test(`parseConfig() rejects ${c.file}.bad.yaml`, async () => {
    const text = await readFixture(`${c.file}.bad.yaml`);
    const caught = configErrorOf(() => parseConfig(text, { env: c.env ?? {} }));
    assert.equal(caught.message, c.message);
    assert.equal(caught.path, c.path);
    assert.equal(caught.source, undefined);
    assert.deepEqual(
      caught.line === undefined ? undefined : [caught.line, caught.column],
      c.at,
    );
  });
}

Deno.test("every *.bad.yaml fixture has a case", async () => {
  const files: string[] = [];
  for await (const entry of Deno.readDir(new URL("./fixtures/", import.meta.url))) {
    if (entry.name.endsWith(".bad.yaml")) files.push(entry.name.slice(0, -".bad.yaml".length));
  }
  assert.deepEqual(files.sort(), CASES.map((c) => c.file).sort());
});

Deno.test("ConfigError carries path, expected and found", async () => {
  const text = await readFixture("rpm_wrong_type.bad.yaml");
  const e = configErrorOf(() => parseConfig(text, { env: {} }));
  assert.equal(e.name, "ConfigError");
  assert.equal(e.path, "model_list[0].litellm_params.rpm");
  assert.equal(e.expected, "a number");
  assert.equal(e.found, 'string "fast"');
});

Deno.test("loadConfig() prefixes messages with file:line:column", async () => {
  const path = fixturePath("rpm_wrong_type.bad.yaml");
  await assert.rejects(loadConfig(path, { env: {} }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(
      e.message,
      `${path}:5:12: Invalid config at model_list[0].litellm_params.rpm: expected a number, found string "fast"`,
    );
    assert.equal(e.source, path);
    return true;
  });
});

Deno.test("loadConfig() prefixes YAML syntax errors with the file name", async () => {
  const path = fixturePath("syntax_error.bad.yaml");
  await assert.rejects(loadConfig(path, { env: {} }), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(
      e.message,
      `${path}:5:1: Invalid YAML at line 5, column 1: Flow sequence in block collection must be sufficiently indented and end with a ]`,
    );
    return true;
  });
});

Deno.test("loadConfig() turns an unreadable file into a ConfigError", async () => {
  await assert.rejects(
    loadConfig("nope.yaml", {
      env: {},
      readTextFile: () => Promise.reject(new Deno.errors.NotFound("No such file or directory")),
    }),
    (e: unknown) => {
      assert.ok(e instanceof ConfigError);
      assert.equal(e.message, 'Cannot read config file "nope.yaml": No such file or directory');
      return true;
    },
  );
});

Deno.test("parseConfig() never echoes secret values in messages", () => {
  const text = [
    "model_list:",
    "  - model_name: gpt",
    "    litellm_params: { model: openai/gpt-4o, api_key: 12345 }",
  ].join("\n");
  assert.throws(
    () => parseConfig(text, { env: {} }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message ===
        "Invalid config at model_list[0].litellm_params.api_key: expected a string, found number 12345",
  );
  const list = [
    "model_list:",
    "  - model_name: gpt",
    "    litellm_params: { model: openai/gpt-4o, api_key: sk-1 }",
    "general_settings: { master_key: sk-live-1, database_url: [postgres://u:pw@db/x] }",
  ].join("\n");
  assert.equal(
    configErrorOf(() => parseConfig(list, { env: {} })).message,
    "Invalid config at general_settings.database_url: expected a database URL, found a list",
  );
  const hidden = [
    "model_list:",
    "  - model_name: gpt",
    "    litellm_params: { model: openai/gpt-4o, api_key: sk-1 }",
    "general_settings: { master_key: os.environ/K, max_request_size_mb: nope }",
  ].join("\n");
  assert.throws(
    () => parseConfig(hidden, { env: { K: "sk-very-secret" } }),
    (e: unknown) => e instanceof ConfigError && !e.message.includes("sk-very-secret"),
  );
});

Deno.test("describeFound() hides strings at secret-looking paths only", () => {
  assert.equal(describeFound("sk-1", ["litellm_params", "api_key"]), "a string (value hidden)");
  assert.equal(
    describeFound("pw", ["router_settings", "redis_password"]),
    "a string (value hidden)",
  );
  assert.equal(describeFound("t", ["litellm_params", "azure_ad_token"]), "a string (value hidden)");
  assert.equal(describeFound("", ["general_settings", "master_key"]), "an empty string");
  assert.equal(describeFound("fast", ["model_info", "max_tokens"]), 'string "fast"');
  assert.equal(describeFound("x".repeat(70)), `string "${"x".repeat(60)}…"`);
  assert.equal(describeFound(undefined), "nothing");
  assert.equal(describeFound(null), "null");
  assert.equal(describeFound(true), "boolean true");
  assert.equal(describeFound([]), "an empty list");
  assert.equal(describeFound({}), "a mapping");
});

Deno.test("formatPath() and parsePath() round-trip", () => {
  const paths: (string | number)[][] = [
    ["model_list", 2, "litellm_params", "model"],
    ["litellm_settings", "fallbacks", 0, "gpt-4o", 1],
    ["router_settings", "model_group_alias", "a.b"],
    ["weird", 'quote"d'],
  ];
  for (const p of paths) assert.deepEqual(parsePath(formatPath(p)), p);
  assert.equal(formatPath(paths[1]!), 'litellm_settings.fallbacks[0]["gpt-4o"][1]');
});

Deno.test("YAML: merge keys work, alias bombs and multiple documents are ConfigErrors", () => {
  const merged = parseConfig(
    [
      "x-base: &base { model: openai/demo, mock_response: hi }",
      "model_list:",
      "  - model_name: demo",
      "    litellm_params:",
      "      <<: *base",
      "      rpm: 3",
    ].join("\n"),
    { env: {} },
  );
  assert.deepEqual(merged.config.model_list[0]!.litellm_params, {
    model: "openai/demo",
    mock_response: "hi",
    rpm: 3,
  });
  assert.deepEqual(merged.warnings, ['["x-base"]: unknown key, ignored']);
  const row = (name: string, alias: string) =>
    `${name}: &${name} [${Array(9).fill(alias).join(", ")}]`;
  const bomb = [row("a", "x"), row("b", "*a"), row("c", "*b"), row("d", "*c"), row("e", "*d")];
  assert.equal(
    configErrorOf(() => parseConfig(bomb.join("\n"), { env: {} })).message,
    "Invalid YAML: Excessive alias count indicates a resource exhaustion attack",
  );
  assert.equal(
    configErrorOf(() => parseConfig("a: 1\n---\nb: 2\n", { env: {} })).message,
    "Invalid YAML at line 2, column 1: a config holds one YAML document; remove the extra ---",
  );
});
