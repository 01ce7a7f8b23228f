/**
 * The `server.ts` command line as a process: bad configs exit 1 before
 * listening with the loader's exact message (naming the YAML path), bad
 * flags exit 2, `--help` and `--check` exit 0, a taken port exits 1.
 */

import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config/mod.ts";
import { bareEnv, EXAMPLE_CONFIG, runServer, tempDir } from "../server/_process.ts";

interface BadConfig {
  name: string;
  yaml: string;
  /** The YAML path the message must name. */
  path: string;
}

const BAD_CONFIGS: BadConfig[] = [
  {
    name: "YAML syntax error",
    yaml: "model_list:\n  - model_name: demo\n    litellm_params: { model: openai/demo, x: [hi\n",
    path: "Invalid YAML at line",
  },
  {
    name: "empty document",
    yaml: "# nothing here\n",
    path: "expected a mapping with a model_list",
  },
  {
    name: "rpm of the wrong type",
    yaml:
      "model_list:\n  - model_name: demo\n    litellm_params:\n      model: openai/demo\n      rpm: fast\n",
    path: "model_list[0].litellm_params.rpm",
  },
  {
    name: "unknown provider",
    yaml: "model_list:\n  - model_name: x\n    litellm_params: { model: acme/llm-9000 }\n",
    path: "model_list[0].litellm_params.model",
  },
  {
    name: "fallback to an unknown group",
    yaml: [
      "model_list:",
      "  - model_name: demo",
      "    litellm_params: { model: openai/demo, mock_response: hi }",
      "router_settings:",
      '  fallbacks: [{ "demo": ["gpt"] }]',
      "",
    ].join("\n"),
    path: "router_settings.fallbacks[0].demo[0]",
  },
  {
    name: "master key from an unset variable",
    yaml: [
      "model_list:",
      "  - model_name: demo",
      "    litellm_params: { model: openai/demo, mock_response: hi }",
      "general_settings:",
      "  master_key: os.environ/LLMUX_E2E_UNSET_MASTER_KEY",
      "",
    ].join("\n"),
    path: "general_settings.master_key",
  },
  {
    name: "no model has its key",
    yaml: [
      "model_list:",
      "  - model_name: gpt",
      "    litellm_params: { model: openai/gpt-4o, api_key: os.environ/LLMUX_E2E_UNSET_KEY }",
      "",
    ].join("\n"),
    path: "model_list",
  },
  {
    name: "max_request_size_mb of zero",
    yaml: [
      "model_list:",
      "  - model_name: demo",
      "    litellm_params: { model: openai/demo, mock_response: hi }",
      "general_settings:",
      "  max_request_size_mb: 0",
      "",
    ].join("\n"),
    path: "general_settings.max_request_size_mb",
  },
];

Deno.test("bad configs: exit 1 before listening, with the loader's message naming the YAML path", async () => {
  await using dir = await tempDir();
  const cases = await Promise.all(BAD_CONFIGS.map(async (c, i) => {
    const file = await dir.write(`bad_${i}.yaml`, c.yaml);
    // The loader's own message for this file (read from memory, same empty environment).
    const error = await loadConfig(file, { env: {}, readTextFile: () => Promise.resolve(c.yaml) })
      .then(() => undefined, (e) => e);
    assert.ok(error instanceof ConfigError, `${c.name}: ${error}`);
    return { ...c, file, message: error.message };
  }));
  const results = await Promise.all(cases.map((c) =>
    runServer({
      args: ["--config", c.file, "--port", "0", "--host", "127.0.0.1"],
      env: bareEnv(),
      clearEnv: true,
    })
  ));
  for (const [i, c] of cases.entries()) {
    const { code, stdout, stderr } = results[i];
    assert.equal(code, 1, `${c.name}: ${stderr}`);
    assert.equal(stderr, `llmux: ${c.message}\n`, c.name);
    assert.ok(stderr.includes(c.path), `${c.name}: ${stderr}`);
    assert.ok(stderr.includes(c.file), `${c.name}: names the file`);
    assert.ok(!stdout.includes("listening on"), c.name);
  }

  const missing = await runServer({ args: ["--config", `${dir.path}/missing.yaml`] });
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^llmux: Cannot read config file ".*missing\.yaml": /);
});

Deno.test("--workers 2 with a bad config: exit 1, the loader's message said once", async () => {
  await using dir = await tempDir();
  const c = BAD_CONFIGS.find((b) => b.name === "empty document")!;
  const file = await dir.write("bad_workers.yaml", c.yaml);
  const { code, stdout, stderr } = await runServer({
    args: ["--config", file, "--port", "0", "--host", "127.0.0.1", "--workers", "2"],
    env: bareEnv(),
    clearEnv: true,
  });
  assert.equal(code, 1, stderr);
  assert.equal(stderr.split(c.path).length - 1, 1, stderr);
  assert.ok(!stdout.includes("listening on"), stdout);
});

Deno.test("command line: bad flags exit 2, --help and --version exit 0", async () => {
  const bad: [string[], RegExp][] = [
    [["--bogus"], /unknown option --bogus/],
    [["--port", "http"], /--port must be an integer/],
    [["--port", "70000"], /--port must be between 0 and 65535/],
    [["--workers", "0"], /--workers must be an integer ≥ 1/],
    [["--config"], /--config needs a value/],
  ];
  const runs = await Promise.all([
    ...bad.map(([args]) => runServer({ args: ["--config", EXAMPLE_CONFIG, ...args] })),
    runServer({ args: ["--help"] }),
    runServer({ args: ["-v"] }),
  ]);
  for (const [i, [args, message]] of bad.entries()) {
    const { code, stdout, stderr } = runs[i];
    assert.equal(code, 2, `${args.join(" ")}: ${stderr}`);
    assert.match(stderr, message, args.join(" "));
    assert.match(stderr, /Usage:/, "usage follows the error");
    assert.equal(stdout, "", args.join(" "));
  }
  const help = runs[bad.length];
  assert.equal(help.code, 0);
  for (
    const option of [
      "--config",
      "--port",
      "--host",
      "--workers",
      "--env-file",
      "--shutdown-timeout",
      "--log-level",
      "--check",
      "--help",
      "--version",
    ]
  ) {
    assert.ok(help.stdout.includes(option), `--help lists ${option}`);
  }
  assert.match(help.stdout, /Exit codes: 0 .*1 .*2 /);
  const version = runs[bad.length + 1];
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^llmux \d+\.\d+\.\d+\n$/);
});

Deno.test("--check on config.example.yaml exits 0 naming the groups, without listening", async () => {
  const { code, stdout, stderr } = await runServer({
    args: ["--check", "--config", EXAMPLE_CONFIG],
    env: bareEnv(),
    clearEnv: true,
  });
  assert.equal(code, 0, stderr);
  assert.match(stdout, /config OK: 2 model group\(s\): demo, demo-backup/);
  assert.ok(!stdout.includes("listening on"));
});

Deno.test("a port already in use: exit 1 naming the address", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = taken.addr as Deno.NetAddr;
  const { code, stdout, stderr } = await runServer({
    args: ["--config", EXAMPLE_CONFIG, "--port", String(port), "--host", "127.0.0.1"],
  });
  assert.equal(code, 1, stderr);
  assert.match(stderr, new RegExp(`^llmux: cannot listen on 127\\.0\\.0\\.1:${port}: `));
  assert.ok(!stdout.includes("listening on"));
});
