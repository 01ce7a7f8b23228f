/**
 * config.example.yaml: parses with no keys and no network, gives no
 * warnings, serves its demo model; with its provider entries uncommented it
 * still loads, and the fallback chain ends in local Ollama.
 */

import assert from "node:assert/strict";
import { loadConfig, parseConfig } from "../../src/config/mod.ts";
import { routeInfo, Router } from "../../src/fallback/mod.ts";
import { ROOT } from "./_helpers.ts";

const EXAMPLE = new URL("config.example.yaml", ROOT);

/** The example with every provider entry, the long fallback chain and the master key uncommented. */
function uncommented(text: string): string {
  const out: string[] = [];
  for (const line of text.split("\n")) {
    const entry = /^ {2}# (- model_name: .*| {2}litellm_params:.*| {4}[a-z_]+: .*)$/.exec(line);
    const setting = /^ {2}# (fallbacks: .*|master_key: .*)$/.exec(line);
    if (entry) out.push(`  ${entry[1]}`);
    else if (setting) out.push(`  ${setting[1]}`);
    else if (!/^ {2}fallbacks: /.test(line)) out.push(line);
  }
  return out.join("\n");
}

Deno.test("config.example.yaml parses with an empty env: no warnings, demo available", async () => {
  const text = await Deno.readTextFile(EXAMPLE);
  const { config, router, warnings, unavailable, env } = parseConfig(text, { env: {} });
  assert.deepEqual(warnings, []);
  assert.deepEqual(unavailable, []);
  assert.deepEqual(env, {});
  assert.deepEqual(router.model_list.map((d) => d.model_name), ["demo", "demo", "demo-backup"]);
  assert.deepEqual(router.fallbacks, [{ demo: ["demo-backup"] }]);
  assert.equal(config.general_settings.master_key, undefined);
  assert.equal(config.general_settings.database_url, undefined);
  assert.equal(config.general_settings.allow_client_side_credentials, false);
  assert.equal(config.litellm_settings.drop_params, true);
  assert.equal(router.num_retries, 2);
  assert.equal(router.timeout, 30);
});

Deno.test("config.example.yaml loads from disk and its demo model answers, load-balanced", async () => {
  const { router } = await loadConfig("config.example.yaml", { env: {} });
  const draws = [0.1, 0.9];
  let i = 0;
  const r = new Router(router, { random: () => draws[i++ % draws.length]! });
  const messages = [{ role: "user" as const, content: "hi" }];
  const first = await r.completion({ model: "demo", messages });
  const second = await r.completion({ model: "demo", messages });
  const answers = new Set([first, second].map((res) => res.choices[0]!.message.content));
  assert.deepEqual(
    answers,
    new Set([
      "Hello from llmux (demo deployment A).",
      "Hello from llmux (demo deployment B).",
    ]),
  );
  assert.deepEqual(
    new Set([first, second].map((res) => routeInfo(res)?.modelId)),
    new Set(["demo-a", "demo-b"]),
  );
});

Deno.test("config.example.yaml with its providers uncommented and keys set", async () => {
  const text = uncommented(await Deno.readTextFile(EXAMPLE));
  const { config, router, warnings, unavailable } = parseConfig(text, {
    env: {
      OPENAI_API_KEY: "sk-openai",
      ANTHROPIC_API_KEY: "sk-ant",
      GEMINI_API_KEY: "gm",
      AZURE_API_BASE: "https://r.openai.azure.com/",
      AZURE_API_KEY: "az",
      AWS_ACCESS_KEY_ID: "AKIA",
      AWS_SECRET_ACCESS_KEY: "secret",
      LLMUX_MASTER_KEY: "sk-gateway",
    },
  });
  assert.deepEqual(warnings, []);
  assert.deepEqual(unavailable, []);
  assert.deepEqual(router.model_list.map((d) => d.model_name), [
    "demo",
    "demo",
    "demo-backup",
    "gpt",
    "claude",
    "gemini",
    "gpt", // Azure
    "claude", // Bedrock
    "local",
  ]);
  assert.deepEqual(router.fallbacks, [{ claude: ["gpt", "local"] }, { demo: ["demo-backup"] }]);
  assert.equal(config.general_settings.master_key, "sk-gateway");
  new Router(router);
});

Deno.test("config.example.yaml uncommented without provider keys: only local Ollama joins", async () => {
  const bedrock =
    "AWS credentials are not set: give AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, " +
    "litellm_params.aws_access_key_id and aws_secret_access_key, or a Bedrock API key " +
    "(AWS_BEARER_TOKEN_BEDROCK or litellm_params.api_key)";
  const azure = "Azure credentials are not set: give AZURE_API_KEY (or AZURE_OPENAI_API_KEY), " +
    "litellm_params.api_key, or an Entra token (azure_ad_token / AZURE_AD_TOKEN)";
  const text = uncommented(await Deno.readTextFile(EXAMPLE));
  const { router, unavailable } = parseConfig(text, { env: { LLMUX_MASTER_KEY: "sk-gateway" } });
  assert.deepEqual(unavailable.map((u) => [u.model_name, u.reason]), [
    ["gpt", "litellm_params.api_key reads OPENAI_API_KEY, which is not set"],
    ["claude", "litellm_params.api_key reads ANTHROPIC_API_KEY, which is not set"],
    [
      "gemini",
      "litellm_params.api_key reads GEMINI_API_KEY, which is not set, and GOOGLE_API_KEY is not set",
    ],
    ["gpt", azure],
    ["claude", bedrock],
  ]);
  assert.deepEqual(router.model_list.map((d) => d.model_name), [
    "demo",
    "demo",
    "demo-backup",
    "local",
  ]);
  assert.deepEqual(router.fallbacks, [{ demo: ["demo-backup"] }]);
});
