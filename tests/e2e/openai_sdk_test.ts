/**
 * The official `openai` npm SDK against the real proxy process, which fronts
 * the OpenAI, Anthropic, Gemini and Ollama fakes: chat, streams with usage,
 * tools, embeddings, models, the SDK's typed errors and the x-llmux headers.
 */

import assert from "node:assert/strict";
import OpenAI from "openai";
import { MASTER_KEY, startFleet, TEXT } from "./_fleet.ts";

const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Weather in a city",
    parameters: {
      type: "object",
      properties: { city: { type: "string" }, location: { type: "string" } },
    },
  },
};

/** Each provider's group and what its fixtures answer. */
const PROVIDERS = [
  { group: "gpt", provider: "openai", text: TEXT.openai, stream: TEXT.openaiStream },
  { group: "claude", provider: "anthropic", text: TEXT.anthropic, stream: TEXT.anthropicStream },
  { group: "gemini", provider: "gemini", text: TEXT.gemini, stream: TEXT.geminiStream },
  { group: "local", provider: "ollama", text: TEXT.ollama, stream: TEXT.ollamaStream },
];

Deno.test("openai SDK → llmux process → OpenAI/Anthropic/Gemini/Ollama fakes", async (t) => {
  await using fleet = await startFleet();
  const client = new OpenAI({
    baseURL: fleet.baseURL,
    apiKey: MASTER_KEY,
    maxRetries: 0,
    timeout: 10_000,
  });

  await t.step("chat: text from every provider", async () => {
    for (const p of PROVIDERS) {
      const res = await client.chat.completions.create({
        model: p.group,
        messages: [{ role: "user", content: "Say hello" }],
      });
      assert.equal(res.object, "chat.completion", p.group);
      assert.equal(res.choices[0].message.role, "assistant", p.group);
      assert.equal(res.choices[0].message.content, p.text, p.group);
      assert.equal(res.choices[0].finish_reason, "stop", p.group);
      assert.ok(res.usage && res.usage.total_tokens > 0, p.group);
    }
  });

  await t.step("streaming: chunks iterate, include_usage gives usage last", async () => {
    for (const p of PROVIDERS) {
      const stream = await client.chat.completions.create({
        model: p.group,
        messages: [{ role: "user", content: "Say hello" }],
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = "";
      let chunks = 0;
      let finish: string | null = null;
      let last: OpenAI.ChatCompletionChunk | undefined;
      for await (const chunk of stream) {
        chunks++;
        last = chunk;
        assert.equal(chunk.object, "chat.completion.chunk", p.group);
        text += chunk.choices[0]?.delta.content ?? "";
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(text, p.stream, p.group);
      assert.ok(chunks >= 3, `${p.group}: ${chunks} chunks`);
      assert.equal(finish, "stop", p.group);
      // As OpenAI sends it: a last chunk with no choices and the usage.
      assert.deepEqual(last?.choices, [], p.group);
      const usage = last?.usage;
      assert.ok(usage && usage.total_tokens > 0 && usage.completion_tokens > 0, p.group);
    }
  });

  await t.step("tools: tool_calls come back parsed from every provider", async () => {
    const expected: Record<string, [string, Record<string, unknown>]> = {
      "gpt-tools": ["get_weather", { city: "Paris" }],
      "claude-tools": ["get_weather", { location: "San Francisco, CA", unit: "celsius" }],
      "gemini-tools": ["get_weather", { location: "Boston, MA" }],
      "local-tools": ["get_current_weather", { format: "celsius", location: "Paris, FR" }],
    };
    for (const [group, [name, args]] of Object.entries(expected)) {
      const res = await client.chat.completions.create({
        model: group,
        messages: [{ role: "user", content: "Weather in Paris?" }],
        tools: [WEATHER_TOOL, { ...WEATHER_TOOL, function: { ...WEATHER_TOOL.function, name } }],
      });
      const choice = res.choices[0];
      assert.equal(choice.finish_reason, "tool_calls", group);
      const calls = choice.message.tool_calls ?? [];
      assert.ok(calls.length >= 1, group);
      const call = calls[0];
      assert.equal(call.type, "function", group);
      if (call.type !== "function") continue;
      assert.match(call.id, /\S/, group);
      assert.equal(call.function.name, name, group);
      assert.deepEqual(JSON.parse(call.function.arguments), args, group);
    }
    // The SDK's stream helper accumulates tool-call deltas into a final completion.
    for (const group of ["gpt-tools", "claude-tools"]) {
      const runner = client.chat.completions.stream({
        model: group,
        messages: [{ role: "user", content: "Weather in Paris?" }],
        tools: [WEATHER_TOOL],
      });
      const final = await runner.finalChatCompletion();
      const call = final.choices[0].message.tool_calls?.[0];
      assert.ok(call && call.type === "function", group);
      assert.equal(call.function.name, "get_weather", group);
      assert.equal(typeof JSON.parse(call.function.arguments), "object", group);
      assert.equal(final.choices[0].finish_reason, "tool_calls", group);
    }
  });

  await t.step("embeddings: SDK default (base64) and float, three providers", async () => {
    for (const group of ["gpt-embed", "gemini-embed", "local-embed"]) {
      const res = await client.embeddings.create({ model: group, input: ["alpha", "beta"] });
      assert.equal(res.object, "list", group);
      assert.equal(res.data.length, 2, group);
      for (const [i, d] of res.data.entries()) {
        assert.equal(d.index, i, group);
        assert.ok(d.embedding.length > 0, group);
        assert.ok([...d.embedding].every(Number.isFinite), group);
      }
      const floats = await client.embeddings.create({
        model: group,
        input: "alpha",
        encoding_format: "float",
      });
      assert.ok(Array.isArray(floats.data[0].embedding), group);
      // Same vector either way (base64 carries float32 values).
      const decoded = [...res.data[0].embedding].map((x) => Math.fround(x));
      const plain = floats.data[0].embedding.map((x) => Math.fround(x));
      assert.deepEqual(decoded, plain, group);
    }
  });

  await t.step("models: list and retrieve; unknown id → NotFoundError", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    assert.deepEqual(ids.toSorted(), [
      "claude",
      "claude-tools",
      "gemini",
      "gemini-embed",
      "gemini-tools",
      "gpt",
      "gpt-embed",
      "gpt-limited",
      "gpt-tools",
      "local",
      "local-embed",
      "local-tools",
    ]);
    const model = await client.models.retrieve("claude");
    assert.equal(model.id, "claude");
    assert.equal(model.object, "model");
    await assert.rejects(client.models.retrieve("no-such-model"), (error) => {
      assert.ok(error instanceof OpenAI.NotFoundError, String(error));
      assert.equal(error.status, 404);
      assert.equal(error.code, "model_not_found");
      assert.match(error.message, /no-such-model/);
      return true;
    });
  });

  await t.step("errors: 401, 400, 429 raised as the SDK's classes", async () => {
    const wrong = new OpenAI({ baseURL: fleet.baseURL, apiKey: "sk-wrong", maxRetries: 0 });
    await assert.rejects(
      wrong.chat.completions.create({ model: "gpt", messages: [{ role: "user", content: "x" }] }),
      (error) => {
        assert.ok(error instanceof OpenAI.AuthenticationError, String(error));
        assert.equal(error.status, 401);
        assert.equal(error.type, "authentication_error");
        assert.ok(!error.message.includes("sk-wrong"));
        assert.ok(!error.message.includes(MASTER_KEY));
        return true;
      },
    );
    await assert.rejects(wrong.models.list(), OpenAI.AuthenticationError);

    await assert.rejects(
      client.chat.completions.create({ model: "gpt", messages: "not a list" as never }),
      (error) => {
        assert.ok(error instanceof OpenAI.BadRequestError, String(error));
        assert.equal(error.status, 400);
        assert.match(error.message, /messages/);
        return true;
      },
    );
    const before = fleet.openai.limited.requests.length;
    await assert.rejects(
      client.chat.completions.create({
        model: "gpt-limited",
        messages: [{ role: "user", content: "x" }],
      }),
      (error) => {
        assert.ok(error instanceof OpenAI.RateLimitError, String(error));
        assert.equal(error.status, 429);
        assert.match(error.message, /Rate limit reached for gpt-4o-mini/);
        assert.equal(error.headers?.get("retry-after"), "2");
        assert.equal(error.headers?.get("x-ratelimit-remaining-tokens"), "500");
        return true;
      },
    );
    assert.equal(fleet.openai.limited.requests.length, before + 1, "no retries (num_retries: 0)");
  });

  await t.step("withResponse / asResponse: x-llmux-* headers and x-request-id echo", async () => {
    const { data, response, request_id } = await client.chat.completions
      .create(
        { model: "gpt", messages: [{ role: "user", content: "hi" }] },
        { headers: { "x-request-id": "e2e-req-0001" } },
      )
      .withResponse();
    assert.equal(data.choices[0].message.content, TEXT.openai);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-request-id"), "e2e-req-0001");
    assert.equal(request_id, "e2e-req-0001");
    assert.equal(response.headers.get("x-llmux-model-group"), "gpt");
    assert.equal(response.headers.get("x-llmux-model-id"), "gpt-a");
    assert.equal(response.headers.get("x-llmux-attempts"), "1");
    assert.equal(response.headers.get("x-llmux-fallbacks"), "0");
    assert.ok(Number.isFinite(Number(response.headers.get("x-llmux-response-cost"))));

    // Without one, the proxy makes up a request id.
    const other = await client.models.retrieve("gpt").withResponse();
    assert.match(other.response.headers.get("x-request-id") ?? "", /^req_\w+/);

    const raw = await client.chat.completions
      .create(
        { model: "claude", messages: [{ role: "user", content: "hi" }], stream: true },
        { headers: { "x-request-id": "e2e-req-0002" } },
      )
      .asResponse();
    assert.equal(raw.status, 200);
    assert.match(raw.headers.get("content-type") ?? "", /^text\/event-stream/);
    assert.equal(raw.headers.get("x-request-id"), "e2e-req-0002");
    assert.equal(raw.headers.get("x-llmux-model-group"), "claude");
    assert.match(raw.headers.get("x-llmux-model-id") ?? "", /\S/);
    const body = await raw.text();
    assert.ok(body.trimEnd().endsWith("data: [DONE]"), body.slice(-200));
  });

  await t.step("the master key never reaches a provider", () => {
    const fakes = [
      ...Object.values(fleet.openai),
      fleet.anthropic,
      fleet.gemini,
      ...Object.values(fleet.ollama),
    ];
    for (const fake of fakes) {
      for (const request of fake.requests) {
        assert.ok(!JSON.stringify(request).includes(MASTER_KEY), request.path);
      }
    }
  });

  assert.ok(!fleet.server.exited, "the server is still running");
});
