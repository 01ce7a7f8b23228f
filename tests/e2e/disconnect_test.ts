/**
 * A client that goes away mid-stream: the proxy process must cancel the
 * upstream response promptly (the fake sees its body cancelled within
 * 100 ms of the client's abort), for each provider and for both the OpenAI
 * and the Anthropic inbound APIs.
 */

import assert from "node:assert/strict";
import { OPENAI_FAKE_KEY, startOpenAIFake } from "../fakes/openai.ts";
import { startAnthropicFake } from "../fakes/anthropic.ts";
import { startGeminiFake } from "../fakes/gemini.ts";
import { startFakeOllama } from "../fakes/ollama.ts";
import type { FakeServer } from "../fakes/_server.ts";
import { pollUntil, startServer } from "../server/_process.ts";
import { GEMINI_KEY, writeConfig } from "./_fleet.ts";

/** Allowed time from the client's abort to the upstream fake seeing its body cancelled. */
const LIMIT_MS = 100;

/** Delay between upstream chunks: long, so a prompt cancel cannot be the stream's own pace. */
const SLOW_MS = 250;

Deno.test("client abort mid-stream cancels the upstream within 100 ms", async (t) => {
  await using openai = startOpenAIFake({ scenarios: ["endless"] });
  await using anthropic = startAnthropicFake({ scenario: "text", delayMs: SLOW_MS });
  await using gemini = startGeminiFake({ apiKey: GEMINI_KEY, scenario: "slow", delayMs: SLOW_MS });
  await using ollama = startFakeOllama({ delayMs: SLOW_MS });
  await using config = await writeConfig({
    model_list: [
      {
        model_name: "gpt",
        litellm_params: {
          model: "openai/gpt-4o-mini",
          api_base: openai.baseURL,
          api_key: OPENAI_FAKE_KEY,
        },
      },
      {
        model_name: "claude",
        litellm_params: {
          model: "anthropic/claude-sonnet-4-5",
          api_base: anthropic.url,
          api_key: anthropic.apiKey,
        },
      },
      {
        model_name: "gemini",
        litellm_params: {
          model: "gemini/gemini-2.5-flash",
          api_base: gemini.url,
          api_key: GEMINI_KEY,
        },
      },
      { model_name: "local", litellm_params: { model: "ollama/llama3.2", api_base: ollama.url } },
    ],
    router_settings: { num_retries: 0 },
  });
  await using server = await startServer({ args: ["--config", config.path] });

  const cases: [string, string, FakeServer, string][] = [
    ["openai (endless, 5 ms ticks)", "gpt", openai, "/v1/chat/completions"],
    [`anthropic (${SLOW_MS} ms events)`, "claude", anthropic, "/v1/chat/completions"],
    [`gemini (${SLOW_MS} ms events)`, "gemini", gemini, "/v1/chat/completions"],
    [`ollama (${SLOW_MS} ms lines)`, "local", ollama, "/v1/chat/completions"],
    [`gemini via /v1/messages`, "gemini", gemini, "/v1/messages"],
  ];
  const figures: string[] = [];
  for (const [name, model, fake, path] of cases) {
    await t.step(name, async () => {
      const before = fake.cancelled();
      const abort = new AbortController();
      const body = path === "/v1/messages"
        ? { model, max_tokens: 100, stream: true, messages: [{ role: "user", content: "go" }] }
        : { model, stream: true, messages: [{ role: "user", content: "go" }] };
      const res = await fetch(`${server.url}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: abort.signal,
      });
      assert.equal(res.status, 200);
      // Read until the first piece of content has arrived, then hang up.
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      while (!/"(content|text)":"[^"]/.test(seen)) {
        const { value, done } = await reader.read();
        assert.ok(!done, `${name}: stream ended before any content`);
        seen += value;
      }
      abort.abort();
      await reader.cancel().catch(() => {});
      const elapsed = await pollUntil(() => fake.cancelled() > before, 2_000);
      assert.ok(elapsed !== undefined, `${name}: upstream never saw the cancel`);
      figures.push(`${name}: ${elapsed.toFixed(1)} ms`);
      assert.ok(elapsed < LIMIT_MS, `${name}: upstream cancel took ${elapsed.toFixed(1)} ms`);
    });
  }
  // deno-lint-ignore no-console
  console.log(`abort → upstream cancel: ${figures.join("; ")}`);

  // Each aborted stream got its request log line, and the proxy still serves.
  const logged = () =>
    server.logs().filter((l) => l.logger === "llmux.request" && l.stream === true).length;
  await pollUntil(() => logged() >= cases.length, 2_000, 10);
  assert.equal(logged(), cases.length);
  const res = await fetch(`${server.url}/health/liveliness`);
  assert.equal(await res.json(), "I'm alive!");
  assert.ok(!server.exited);
});
