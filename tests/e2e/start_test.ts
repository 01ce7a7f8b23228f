/**
 * `deno task start` and `deno task bundle` as shipped: the proxy serves
 * config.example.yaml's `demo` group with no keys in the environment and
 * no network (chat and stream), from `server.ts` and from the one-file
 * bundle started in a directory without deno.json.
 */

import assert from "node:assert/strict";
import denoJson from "../../deno.json" with { type: "json" };
import {
  bareEnv,
  EXAMPLE_CONFIG,
  runServer,
  type ServerProcess,
  startServer,
  tempDir,
} from "../server/_process.ts";

const DEMO_ANSWER = /^Hello from llmux \(demo deployment [AB]\)\.$/;

/** A task's command split into words, without the leading `deno`. */
function taskArgs(name: keyof typeof denoJson.tasks): string[] {
  const words = denoJson.tasks[name].split(/\s+/);
  assert.equal(words[0], "deno", `task ${name} runs deno`);
  return words.slice(1);
}

/** The demo group answers chat and streams, and the public routes work. */
async function assertServesDemo(server: ServerProcess): Promise<void> {
  const alive = await fetch(`${server.url}/health/liveliness`);
  assert.equal(alive.status, 200);
  assert.equal(await alive.json(), "I'm alive!");

  const models = await (await fetch(`${server.url}/v1/models`)).json();
  assert.deepEqual(models.data.map((m: { id: string }) => m.id), ["demo", "demo-backup"]);

  const chat = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "demo", messages: [{ role: "user", content: "hi" }] }),
  });
  assert.equal(chat.status, 200);
  assert.match(chat.headers.get("x-llmux-model-id") ?? "", /^demo-[ab]$/);
  const completion = await chat.json();
  assert.match(completion.choices[0].message.content, DEMO_ANSWER);

  const stream = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "demo",
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  assert.equal(stream.status, 200);
  assert.match(stream.headers.get("content-type") ?? "", /^text\/event-stream/);
  const sse = await stream.text();
  assert.ok(sse.trimEnd().endsWith("data: [DONE]"), sse.slice(-200));
  let text = "";
  let usage: { total_tokens: number } | undefined;
  for (const line of sse.split("\n")) {
    if (!line.startsWith("data: {")) continue;
    const chunk = JSON.parse(line.slice(6));
    text += chunk.choices[0]?.delta?.content ?? "";
    usage = chunk.usage ?? usage;
  }
  assert.match(text, DEMO_ANSWER);
  assert.ok(usage && usage.total_tokens > 0);
}

Deno.test("deno task start: serves demo with no keys (and with no network permission)", async (t) => {
  const args = taskArgs("start");
  assert.deepEqual(args.slice(0, 3), ["run", "-A", "server.ts"]);
  await t.step("as the task runs it (-A), empty environment", async () => {
    await using server = await startServer({
      denoArgs: [],
      script: args[0],
      args: args.slice(1),
      env: bareEnv(),
      clearEnv: true,
    });
    assert.match(server.stdout, /NO MASTER KEY/);
    await assertServesDemo(server);
  });
  await t.step("network limited to 127.0.0.1: nothing reaches out", async () => {
    await using server = await startServer({
      denoArgs: ["run", "--allow-read=.", "--allow-env", "--allow-net=127.0.0.1"],
      args: ["--config", EXAMPLE_CONFIG],
      env: bareEnv(),
      clearEnv: true,
    });
    await assertServesDemo(server);
    assert.ok(!/NotCapable|PermissionDenied/.test(server.stdout + server.stderr));
  });
});

Deno.test("deno task bundle: the one-file bundle starts anywhere and serves demo", async () => {
  await using dir = await tempDir();
  const output = `${dir.path}/llmux.js`;
  // The task's own command, with the output redirected to the temp dir.
  const args = taskArgs("bundle");
  const at = args.indexOf("--output");
  assert.ok(at > 0, "the bundle task names its --output");
  args[at + 1] = output;
  const built = await runServer({ denoArgs: [], script: args[0], args: args.slice(1) });
  assert.equal(built.code, 0, built.stderr);
  assert.match(built.stderr, /Bundled \d+ modules/);

  // Run from the temp dir: no deno.json, no node_modules, nothing but the file.
  await using server = await startServer({
    denoArgs: ["run", "-A", "--unstable-no-legacy-abort"],
    script: output,
    args: ["--config", EXAMPLE_CONFIG],
    cwd: dir.path,
    env: bareEnv(),
    clearEnv: true,
  });
  assert.match(server.stdout, /listening on http:\/\/127\.0\.0\.1:\d+ \(2 model groups/);
  await assertServesDemo(server);
});
