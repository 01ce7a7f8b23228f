/**
 * The official `@anthropic-ai/sdk` against the real proxy's `/v1/messages`,
 * which serves it from the OpenAI, Gemini and Ollama fakes: text, streams
 * (`messages.stream()` → `finalMessage()`), tool_use round trips, token
 * counting and the SDK's typed errors.
 */

import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { MASTER_KEY, startFleet, TEXT } from "./_fleet.ts";

const TOOLS: Anthropic.Tool[] = ["get_weather", "get_current_weather"].map((name) => ({
  name,
  description: "Current weather in a place",
  input_schema: {
    type: "object",
    properties: {
      city: { type: "string" },
      location: { type: "string" },
      unit: { type: "string" },
      format: { type: "string" },
    },
  },
}));

/** Group → [fixture text, fixture stream text]. */
const TEXT_GROUPS: Record<string, [string, string]> = {
  gpt: [TEXT.openai, TEXT.openaiStream],
  gemini: [TEXT.gemini, TEXT.geminiStream],
  local: [TEXT.ollama, TEXT.ollamaStream],
};

/** Tools group → the group answering the tool_result turn, the first call's name and input. */
const TOOL_GROUPS: Record<string, [string, string, Record<string, unknown>]> = {
  "gpt-tools": ["gpt-tools", "get_weather", { city: "Paris" }],
  "gemini-tools": ["gemini", "get_weather", { location: "Boston, MA" }],
  "local-tools": ["local", "get_current_weather", { format: "celsius", location: "Paris, FR" }],
};

Deno.test("anthropic SDK → llmux /v1/messages → OpenAI/Gemini/Ollama fakes", async (t) => {
  // The OpenAI tools fake answers: tool call (create), tool call (stream), text (round trip).
  await using fleet = await startFleet({
    openaiToolScenarios: ["tool_calls", "tool_calls", "plain_text"],
  });
  const client = new Anthropic({
    baseURL: fleet.server.url,
    apiKey: MASTER_KEY,
    maxRetries: 0,
    timeout: 10_000,
  });

  await t.step("text", async () => {
    for (const [group, [text]] of Object.entries(TEXT_GROUPS)) {
      const message = await client.messages.create({
        model: group,
        max_tokens: 256,
        system: "Be brief.",
        messages: [{ role: "user", content: "Say hello" }],
      });
      assert.equal(message.type, "message", group);
      assert.equal(message.role, "assistant", group);
      assert.match(message.id, /^msg_/, group);
      assert.deepEqual(message.content.map((b) => b.type), ["text"], group);
      assert.equal((message.content[0] as Anthropic.TextBlock).text, text, group);
      assert.equal(message.stop_reason, "end_turn", group);
      assert.ok(message.usage.input_tokens > 0 && message.usage.output_tokens > 0, group);
    }
  });

  await t.step("streaming: messages.stream() events and finalMessage()", async () => {
    for (const [group, [, streamText]] of Object.entries(TEXT_GROUPS)) {
      const stream = client.messages.stream({
        model: group,
        max_tokens: 256,
        messages: [{ role: "user", content: "Say hello" }],
      });
      let deltas = "";
      let events = 0;
      stream.on("text", (delta) => (deltas += delta));
      stream.on("streamEvent", () => events++);
      const final = await stream.finalMessage();
      assert.equal(deltas, streamText, group);
      assert.equal((final.content[0] as Anthropic.TextBlock).text, streamText, group);
      assert.equal(final.stop_reason, "end_turn", group);
      assert.ok(final.usage.output_tokens > 0, group);
      assert.ok(events >= 5, `${group}: ${events} events`);
    }
  });

  await t.step("tools: tool_use out, tool_result back in, text answer", async () => {
    for (const [group, [answerGroup, name, input]] of Object.entries(TOOL_GROUPS)) {
      const question: Anthropic.MessageParam = { role: "user", content: "Weather in Paris?" };
      const first = await client.messages.create({
        model: group,
        max_tokens: 256,
        tools: TOOLS,
        messages: [question],
      });
      assert.equal(first.stop_reason, "tool_use", group);
      const uses = first.content.filter((b): b is Anthropic.ToolUseBlock => b.type === "tool_use");
      assert.ok(uses.length >= 1, group);
      assert.equal(uses[0].name, name, group);
      assert.deepEqual(uses[0].input, input, group);
      assert.match(uses[0].id, /\S/, group);

      // Streamed, the SDK assembles the tool input from input_json_delta events.
      if (group === "gpt-tools") {
        const streamed = await client.messages.stream({
          model: group,
          max_tokens: 256,
          tools: TOOLS,
          messages: [question],
        }).finalMessage();
        const use = streamed.content.find((b) => b.type === "tool_use");
        assert.ok(use && use.type === "tool_use", group);
        assert.equal(use.name, name);
        assert.deepEqual(use.input, input);
        assert.equal(streamed.stop_reason, "tool_use");
      }

      const answer = await client.messages.create({
        model: answerGroup,
        max_tokens: 256,
        tools: TOOLS,
        messages: [
          question,
          { role: "assistant", content: first.content },
          {
            role: "user",
            content: uses.map((u) => ({
              type: "tool_result" as const,
              tool_use_id: u.id,
              content: "18°C, sunny",
            })),
          },
        ],
      });
      assert.equal(answer.stop_reason, "end_turn", group);
      assert.equal(answer.content[0].type, "text", group);
    }
    // The tool results reached the upstreams in their own formats.
    const openaiLast = fleet.openai.tools.requests.at(-1)?.body as {
      messages: { role: string; tool_call_id?: string; content?: unknown }[];
    };
    const toolMessages = openaiLast.messages.filter((m) => m.role === "tool");
    assert.deepEqual(toolMessages.map((m) => m.tool_call_id), [
      "call_llmuxParis00000000001",
      "call_llmuxTokyo00000000002",
    ]);
    const ollamaLast = fleet.ollama.text.requests.at(-1)?.body as {
      messages: { role: string }[];
    };
    assert.ok(ollamaLast.messages.some((m) => m.role === "tool"));
    const geminiLast = fleet.gemini.requests.at(-1)?.body as {
      contents: { parts: Record<string, unknown>[] }[];
    };
    assert.ok(geminiLast.contents.some((c) => c.parts.some((p) => "functionResponse" in p)));
  });

  await t.step("count_tokens", async () => {
    const count = await client.messages.countTokens({
      model: "gpt",
      messages: [{ role: "user", content: "How many tokens is this?" }],
    });
    assert.ok(count.input_tokens > 0);
  });

  await t.step(
    "errors: wrong key → AuthenticationError, upstream 429 → RateLimitError",
    async () => {
      const wrong = new Anthropic({ baseURL: fleet.server.url, apiKey: "sk-wrong", maxRetries: 0 });
      await assert.rejects(
        wrong.messages.create({
          model: "gpt",
          max_tokens: 10,
          messages: [{ role: "user", content: "x" }],
        }),
        (error) => {
          assert.ok(error instanceof Anthropic.AuthenticationError, String(error));
          assert.equal(error.status, 401);
          return true;
        },
      );
      await assert.rejects(
        client.messages.create({
          model: "gpt-limited",
          max_tokens: 10,
          messages: [{ role: "user", content: "x" }],
        }),
        (error) => {
          assert.ok(error instanceof Anthropic.RateLimitError, String(error));
          assert.equal(error.status, 429);
          assert.equal(error.headers?.get("retry-after"), "2");
          return true;
        },
      );
      await assert.rejects(
        client.messages.create({ model: "gpt", max_tokens: 10, messages: "nope" as never }),
        Anthropic.BadRequestError,
      );
    },
  );

  assert.ok(!fleet.server.exited, "the server is still running");
});
