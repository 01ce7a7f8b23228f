/**
 * The fast pre-check may only accept what the zod schema accepts; anything
 * it is unsure of goes to zod.
 */

import assert from "node:assert/strict";
import { fastAccepts } from "../src/_fast_check.ts";
import { schemaAccepts } from "../src/params.ts";
import { chatWithTools } from "../bench/_fixtures.ts";

const user = [{ role: "user", content: "hi" }];
const CASES: [string, Record<string, unknown>, boolean][] = [
  ["20-message chat with tools", { ...chatWithTools("openai/gpt-4o") }, true],
  ["plain", { model: "m", messages: user }, true],
  ["image part", {
    model: "m",
    messages: [{
      role: "user",
      content: [{ type: "text", text: "x" }, { type: "image_url", image_url: { url: "data:," } }],
    }],
  }, true],
  ["empty model", { model: "", messages: user }, false],
  ["no messages", { model: "m", messages: [] }, false],
  ["bad role", { model: "m", messages: [{ role: "robot", content: "x" }] }, false],
  ["temperature 3", { model: "m", messages: user, temperature: 3 }, false],
  ["top_p 2", { model: "m", messages: user, top_p: 2 }, false],
  ["max_tokens 0", { model: "m", messages: user, max_tokens: 0 }, false],
  ["max_tokens 1.5", { model: "m", messages: user, max_tokens: 1.5 }, false],
  ["stream string", { model: "m", messages: user, stream: "yes" }, false],
  ["bad tool name", {
    model: "m",
    messages: user,
    tools: [{ type: "function", function: { name: "bad name" } }],
  }, false],
  ["tool message without id", { model: "m", messages: [{ role: "tool", content: "x" }] }, false],
  ["assistant tool call without arguments", {
    model: "m",
    messages: [{ role: "assistant", tool_calls: [{ id: "1", function: { name: "f" } }] }],
  }, false],
  ["image without url", {
    model: "m",
    messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }],
  }, false],
  ["named tool_choice goes to zod", {
    model: "m",
    messages: user,
    tool_choice: { type: "function", function: { name: "f" } },
  }, true],
  ["seed goes to zod", { model: "m", messages: user, seed: 1 }, true],
  ["bad seed", { model: "m", messages: user, seed: 1.5 }, false],
  // What the Router adds to every attempt.
  ["router attempt", { model: "m", messages: user, timeout: 600, num_retries: 0 }, true],
  ["timeout 0", { model: "m", messages: user, timeout: 0 }, false],
  ["timeout -1", { model: "m", messages: user, timeout: -1 }, false],
  ["timeout Infinity", { model: "m", messages: user, timeout: Infinity }, false],
  ["timeout string", { model: "m", messages: user, timeout: "5" }, false],
  ["timeout null", { model: "m", messages: user, timeout: null }, false],
  ["num_retries 1.5", { model: "m", messages: user, num_retries: 1.5 }, false],
  ["num_retries -1", { model: "m", messages: user, num_retries: -1 }, false],
  ["drop_params string", { model: "m", messages: user, drop_params: "yes" }, false],
  ["drop_params", { model: "m", messages: user, drop_params: true }, true],
  ["api_version number", { model: "m", messages: user, api_version: 1 }, false],
  ["custom_llm_provider", { model: "m", messages: user, custom_llm_provider: "openai" }, true],
];

for (const [name, input, valid] of CASES) {
  Deno.test(`fastAccepts() agrees with the zod schema: ${name}`, () => {
    assert.equal(schemaAccepts(input), valid, "zod verdict");
    if (fastAccepts(input)) assert.ok(schemaAccepts(input), "fast path accepted what zod rejects");
    if (!valid) assert.equal(fastAccepts(input), false);
  });
}

Deno.test("fastAccepts() takes the common requests itself", () => {
  assert.ok(fastAccepts(chatWithTools("openai/gpt-4o") as unknown as Record<string, unknown>));
  assert.ok(fastAccepts({ model: "m", messages: user, stream: true, max_tokens: 10 }));
  // A Router attempt: the deployment's params, the attempt timeout, no retries.
  assert.ok(fastAccepts({
    model: "openai/gpt-4o-mini",
    messages: user,
    api_key: "sk-x",
    api_base: "http://127.0.0.1:1/v1",
    timeout: 599.9,
    num_retries: 0,
    drop_params: true,
  }));
});
