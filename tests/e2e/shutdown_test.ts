/**
 * Graceful shutdown of the proxy process: on SIGTERM it stops accepting
 * connections at once, lets an in-flight stream finish (`data: [DONE]`) and
 * exits 0; a stream outliving `--shutdown-timeout` is cut and the process
 * still exits 0 on time.
 */

import assert from "node:assert/strict";
import { OPENAI_FAKE_KEY, startOpenAIFake } from "../fakes/openai.ts";
import { connectionRefused, pollUntil, startServer } from "../server/_process.ts";
import { TEXT, writeConfig } from "./_fleet.ts";

function gptConfig(apiBase: string) {
  return {
    model_list: [{
      model_name: "gpt",
      litellm_params: { model: "openai/gpt-4o-mini", api_base: apiBase, api_key: OPENAI_FAKE_KEY },
    }],
    router_settings: { num_retries: 0 },
  };
}

async function openStream(url: string) {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "gpt",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  assert.equal(res.status, 200);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes('"content":"Hello"')) {
    const { value, done } = await reader.read();
    assert.ok(!done, "stream ended early");
    text += value;
  }
  /** Read to the end; resolves with everything and whether the stream broke. */
  const rest = async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return { text, broken: false };
        text += value;
      }
    } catch {
      return { text, broken: true };
    }
  };
  return rest;
}

function contentOf(sse: string): string {
  let out = "";
  for (const line of sse.split("\n")) {
    if (!line.startsWith("data: {")) continue;
    out += JSON.parse(line.slice(6)).choices[0]?.delta?.content ?? "";
  }
  return out;
}

Deno.test("SIGTERM mid-stream: no new connections, the stream finishes with [DONE], exit 0", async () => {
  // 13 events, 100 ms apart: about 1.2 s of stream.
  await using openai = startOpenAIFake({ streamDelayMs: 100 });
  await using config = await writeConfig(gptConfig(openai.baseURL));
  await using server = await startServer({
    args: ["--config", config.path, "--shutdown-timeout", "10"],
  });
  const rest = await openStream(server.url);

  const signalled = performance.now();
  server.kill("SIGTERM");
  await server.waitForStdout(/SIGTERM: shutting down/, 2_000);
  const refusedAfter = await pollUntil(() => connectionRefused(server.port), 1_000, 5);
  assert.ok(refusedAfter !== undefined, "new connections are still accepted after SIGTERM");
  assert.ok(!server.exited, "the process waits for the in-flight stream");

  const { text, broken } = await rest();
  const streamEnded = performance.now() - signalled;
  assert.ok(!broken, "the stream was cut");
  assert.ok(text.trimEnd().endsWith("data: [DONE]"), text.slice(-200));
  assert.equal(contentOf(text), TEXT.openaiStream);

  const status = await server.waitForExit(5_000);
  const exited = performance.now() - signalled;
  assert.ok(status, "the process did not exit");
  assert.equal(status.code, 0);
  assert.ok(await connectionRefused(server.port));
  // deno-lint-ignore no-console
  console.log(
    `SIGTERM → connections refused ${refusedAfter.toFixed(0)} ms after the shutdown log line; ` +
      `stream finished ${streamEnded.toFixed(0)} ms, process exited ${
        exited.toFixed(0)
      } ms after SIGTERM`,
  );
});

Deno.test("a stream longer than --shutdown-timeout is cut; the process exits 0 on time", async () => {
  await using openai = startOpenAIFake({ scenarios: ["endless"] });
  await using config = await writeConfig(gptConfig(openai.baseURL));
  await using server = await startServer({
    args: ["--config", config.path, "--shutdown-timeout", "1"],
  });
  const before = openai.cancelled();
  const res = await fetch(`${server.url}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "gpt",
      stream: true,
      messages: [{ role: "user", content: "hi" }],
    }),
  });
  // Whatever arrived before the cut (text() rejects when the connection breaks).
  const reading = res.text().catch(() => "");
  await new Promise((r) => setTimeout(r, 100));

  const signalled = performance.now();
  server.kill("SIGTERM");
  const status = await server.waitForExit(5_000);
  const exited = performance.now() - signalled;
  assert.ok(status, "the process did not exit");
  assert.equal(status.code, 0);
  assert.ok(exited >= 900 && exited < 3_000, `exited after ${exited.toFixed(0)} ms`);
  assert.match(server.stdout, /shutdown timeout reached/);
  assert.ok(!(await reading).includes("[DONE]"), "an endless stream cannot have finished");
  // The upstream was let go too.
  assert.ok(await pollUntil(() => openai.cancelled() > before, 2_000) !== undefined);
  // deno-lint-ignore no-console
  console.log(
    `--shutdown-timeout 1 with an endless stream: exited ${exited.toFixed(0)} ms after SIGTERM`,
  );
});
