/**
 * Request limits over real HTTP against the proxy process: oversized bodies
 * (declared or streamed) → 413, malformed JSON → 400, wrong content-type →
 * 415, missing or wrong key → 401, unknown route → 404, garbage on the wire
 * → 400, a body cut short of its content-length → 400 (not 500); every
 * refusal an OpenAI error body with a request id, and the process keeps
 * serving.
 */

import assert from "node:assert/strict";
import { httpRequest, rawHttp, startServer } from "../server/_process.ts";
import { MASTER_KEY, writeConfig } from "./_fleet.ts";

const LIMIT_BYTES = Math.floor(0.01 * 1024 * 1024);
const CHAT = { model: "demo", messages: [{ role: "user", content: "hi" }] };
const AUTH = { authorization: `Bearer ${MASTER_KEY}` };
const JSON_TYPE = { "content-type": "application/json" };

function streamed(text: string, pieceSize: number): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + pieceSize));
      offset += pieceSize;
    },
  });
}

Deno.test("limits over real HTTP: 413, 400, 415, 401, 404 with OpenAI error bodies", async () => {
  await using config = await writeConfig({
    model_list: [{
      model_name: "demo",
      litellm_params: { model: "openai/demo", mock_response: "still here" },
    }],
    general_settings: { master_key: MASTER_KEY, max_request_size_mb: 0.01 },
  });
  await using server = await startServer({ args: ["--config", config.path] });
  const url = `${server.url}/v1/chat/completions`;
  const big = JSON.stringify({ ...CHAT, user: "x".repeat(LIMIT_BYTES) });

  const cases: [string, () => Promise<Response>, number, RegExp][] = [
    [
      "oversized body (content-length)",
      () => fetch(url, { method: "POST", headers: { ...AUTH, ...JSON_TYPE }, body: big }),
      413,
      new RegExp(`larger than the limit of ${LIMIT_BYTES} bytes`),
    ],
    [
      "oversized body (chunked, no content-length)",
      () =>
        fetch(url, {
          method: "POST",
          headers: { ...AUTH, ...JSON_TYPE },
          body: streamed(big, 1024),
        }),
      413,
      /larger than the limit/,
    ],
    [
      "malformed JSON",
      () => fetch(url, { method: "POST", headers: { ...AUTH, ...JSON_TYPE }, body: "{nope" }),
      400,
      /not valid JSON/,
    ],
    [
      "JSON nested too deep",
      () =>
        fetch(url, {
          method: "POST",
          headers: { ...AUTH, ...JSON_TYPE },
          body: `{"model":"demo","metadata":${"[".repeat(200)}${"]".repeat(200)}}`,
        }),
      400,
      /nested deeper than 64 levels/,
    ],
    [
      "wrong content-type",
      () =>
        fetch(url, {
          method: "POST",
          headers: { ...AUTH, "content-type": "text/plain" },
          body: JSON.stringify(CHAT),
        }),
      415,
      /content-type/,
    ],
    [
      "missing auth",
      () => fetch(url, { method: "POST", headers: JSON_TYPE, body: JSON.stringify(CHAT) }),
      401,
      /no API key/,
    ],
    [
      "wrong key",
      () =>
        fetch(url, {
          method: "POST",
          headers: { ...JSON_TYPE, authorization: "Bearer sk-wrong" },
          body: JSON.stringify(CHAT),
        }),
      401,
      /invalid API key/,
    ],
    [
      "unknown route",
      () => fetch(`${server.url}/v1/nothing-here`, { headers: AUTH }),
      404,
      /No route for GET \/v1\/nothing-here/,
    ],
    [
      "unknown model",
      () =>
        fetch(url, {
          method: "POST",
          headers: { ...AUTH, ...JSON_TYPE },
          body: JSON.stringify({ ...CHAT, model: "nope" }),
        }),
      400,
      /nope/,
    ],
  ];
  for (const [name, send, status, message] of cases) {
    const res = await send();
    assert.equal(res.status, status, name);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/, name);
    assert.match(res.headers.get("x-request-id") ?? "", /\S/, name);
    const body = await res.json();
    assert.deepEqual(Object.keys(body), ["error"], name);
    assert.deepEqual(Object.keys(body.error).sort(), ["code", "message", "param", "type"], name);
    assert.equal(typeof body.error.type, "string", name);
    assert.match(body.error.message, message, `${name}: ${body.error.message}`);
    assert.ok(!JSON.stringify(body).includes(MASTER_KEY), name);
  }

  // Anthropic clients get Anthropic-shaped errors for the same refusals.
  const messages = await fetch(`${server.url}/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": MASTER_KEY, ...JSON_TYPE },
    body: "{nope",
  });
  assert.equal(messages.status, 400);
  const anthropicBody = await messages.json();
  assert.equal(anthropicBody.type, "error");
  assert.equal(anthropicBody.error.type, "invalid_request_error");

  // Not HTTP at all: hyper's 400. A body cut short of its content-length: a 400 too.
  const garbage = await rawHttp(server.port, "NOT HTTP AT ALL\r\n\r\n");
  assert.equal(garbage.status, 400);
  const truncated = httpRequest("POST", "/v1/chat/completions", {
    ...AUTH,
    ...JSON_TYPE,
    "content-length": "500",
  }) + '{"model"';
  const short = await rawHttp(server.port, truncated, { closeWrite: true });
  assert.equal(short.status, 400, short.body);
  assert.equal(JSON.parse(short.body).error.code, "incomplete_body");

  // Still serving, and nothing above was a 500.
  const ok = await fetch(url, {
    method: "POST",
    headers: { ...AUTH, ...JSON_TYPE },
    body: JSON.stringify(CHAT),
  });
  assert.equal(ok.status, 200);
  assert.equal((await ok.json()).choices[0].message.content, "still here");
  assert.ok(!server.exited);
  const statuses = server.logs().filter((l) => l.logger === "llmux.request").map((l) => l.status);
  assert.ok(statuses.every((s) => typeof s === "number" && s < 500), `${statuses}`);
});
