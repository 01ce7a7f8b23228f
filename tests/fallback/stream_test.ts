import assert from "node:assert/strict";
import { routeInfo, Router, type RouterCallEvent } from "../../src/fallback/mod.ts";
import type { RouterConfig } from "../../src/fallback/mod.ts";
import { APIConnectionError, TimeoutError } from "../../src/errors.ts";
import { CompletionStream } from "../../src/stream.ts";
import { type FaultStep, startFaultyServer } from "../fakes/faulty.ts";
import { deployment, MESSAGES } from "./_helpers.ts";

/** Deployments priced so cost-based routing tries them in the given order. */
function ordered(base: (r: string) => string, routes: string[], group = "g") {
  return routes.map((r, i) =>
    deployment(r, group, base(r), { input_cost_per_token: (i + 1) * 1e-6 })
  );
}

async function text(stream: CompletionStream): Promise<string> {
  let out = "";
  for await (const chunk of stream) out += chunk.choices[0]?.delta.content ?? "";
  return out;
}

function start(
  schedules: Record<string, readonly FaultStep[]>,
  config: Partial<RouterConfig> = {},
  callbacks: RouterCallEvent[] = [],
) {
  const upstream = startFaultyServer({ schedules });
  const router = new Router({
    model_list: ordered(upstream.base, Object.keys(schedules)),
    routing_strategy: "cost-based-routing",
    ...config,
  }, {
    callbacks: [{
      onSuccess: (e) => void callbacks.push(e),
      onFailure: (e) => void callbacks.push(e),
    }],
  });
  return { upstream, router };
}

Deno.test("stream: a connection reset before the first content fails over to the next deployment", async () => {
  const { upstream, router } = start({ a: ["reset"], b: ["ok"] });
  await using _ = upstream;
  const stream = await router.completion({ model: "g", messages: MESSAGES, stream: true });
  assert.ok(stream instanceof CompletionStream);
  assert.equal(await text(stream), "reply from b");
  assert.deepEqual(upstream.hits(), ["a", "b"]);
  const info = routeInfo(stream)!;
  assert.equal(info.modelId, "b");
  assert.equal(info.attempts, 2);
  assert.equal(info.attemptLog[0].error, "APIConnectionError");
});

Deno.test("stream: an error status before the stream starts fails over", async () => {
  const { upstream, router } = start({ a: ["529"], b: ["500"], c: ["ok"] });
  await using _ = upstream;
  const stream = await router.completion({ model: "g", messages: MESSAGES, stream: true });
  assert.equal(await text(stream), "reply from c");
  assert.deepEqual(upstream.hits(), ["a", "b", "c"]);
});

Deno.test("stream: a hang past stream_timeout fails over", async () => {
  const { upstream, router } = start({ a: ["hang"], b: ["ok"] }, { stream_timeout: 0.2 });
  await using _ = upstream;
  const stream = await router.completion({ model: "g", messages: MESSAGES, stream: true });
  assert.equal(await text(stream), "reply from b");
  assert.equal(routeInfo(stream)?.attemptLog[0].error, "TimeoutError");
});

Deno.test("stream: a stall after the role chunk, before any content, fails over", async () => {
  const { upstream, router } = start({ a: ["stall"], b: ["ok"] }, { stream_timeout: 0.2 });
  await using _ = upstream;
  const stream = await router.completion({ model: "g", messages: MESSAGES, stream: true });
  const chunks = await Array.fromAsync(stream);
  // Only b's chunks reach the caller: one role chunk, not two.
  assert.equal(chunks.filter((c) => c.choices[0]?.delta.role === "assistant").length, 1);
  assert.ok(chunks.every((c) => c.id === "chatcmpl-b"));
  assert.deepEqual(upstream.hits(), ["a", "b"]);
});

Deno.test("stream: a failure after the first content surfaces as a typed error, with no failover", async () => {
  const events: RouterCallEvent[] = [];
  const { upstream, router } = start({ a: ["midstream"], b: ["ok"] }, {}, events);
  await using _ = upstream;
  const stream = await router.completion({ model: "g", messages: MESSAGES, stream: true });
  let received = "";
  await assert.rejects(
    (async () => {
      for await (const chunk of stream) received += chunk.choices[0]?.delta.content ?? "";
    })(),
    (e) => e instanceof APIConnectionError && e.provider === "openai",
  );
  assert.equal(received, "partial from a");
  assert.deepEqual(upstream.hits(), ["a"]);
  assert.deepEqual(events.map((e) => [e.outcome, e.deployment.id]), [["failure", "a"]]);
  assert.ok(events[0].error instanceof APIConnectionError);
});

Deno.test("stream: toSSE writes a mid-stream failure as an OpenAI error event, not [DONE]", async () => {
  const { upstream, router } = start({ a: ["midstream"] });
  await using _ = upstream;
  const stream = await router.completion({ model: "g", messages: MESSAGES, stream: true });
  const sse = await new Response(stream.toSSE()).text();
  assert.match(sse, /"content":"partial from a"/);
  assert.match(
    sse,
    /data: \{"error":\{"message":"Connection to provider \\"openai\\" failed[^\n]*"type":"api_connection_error"/,
  );
  assert.equal(sse.includes("[DONE]"), false);
});

Deno.test("stream: falls back to another group, and reports TTFT and usage when it ends", async () => {
  const events: RouterCallEvent[] = [];
  const upstream = startFaultyServer({ schedules: { a: ["500"], b: ["ok"] } });
  await using _ = upstream;
  const router = new Router({
    model_list: [
      deployment("a", "main", upstream.base("a")),
      deployment("b", "spare", upstream.base("b")),
    ],
    fallbacks: [{ main: ["spare"] }],
    num_retries: 0,
  }, {
    callbacks: [{ onSuccess: (e) => void events.push(e), onFailure: (e) => void events.push(e) }],
  });
  const stream = await router.completion({
    model: "main",
    messages: MESSAGES,
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.deepEqual(routeInfo(stream)?.fallbacks, ["spare"]);
  assert.equal(routeInfo(stream)?.modelGroup, "spare");
  assert.equal(typeof routeInfo(stream)?.ttftMs, "number");
  assert.equal(await text(stream), "reply from b");
  assert.deepEqual(events.map((e) => [e.outcome, e.deployment.id, e.stream]), [
    ["failure", "a", true],
    ["success", "b", true],
  ]);
  assert.equal(typeof events[1].ttftMs, "number");
  assert.ok((events[1].usage?.total_tokens ?? 0) > 0);
});

Deno.test("stream: when no deployment sends content in time the caller gets a TimeoutError", async () => {
  const events: RouterCallEvent[] = [];
  const upstream = startFaultyServer({ schedules: { a: ["stall"], b: ["stall"] } });
  await using _ = upstream;
  const router = new Router({
    model_list: ordered(upstream.base, ["a", "b"]),
    routing_strategy: "cost-based-routing",
  }, {
    sleep: () => Promise.resolve(),
    callbacks: [{ onFailure: (e) => void events.push(e) }],
  });
  await assert.rejects(
    router.completion({ model: "g", messages: MESSAGES, stream: true, stream_timeout: 0.1 }),
    (e) => e instanceof TimeoutError && /sent no content within \d+ ms/.test(e.message),
  );
  assert.deepEqual(upstream.hits(), ["a", "b"]);
  assert.deepEqual(events.map((e) => [e.outcome, e.deployment.id]), [
    ["failure", "a"],
    ["failure", "b"],
  ]);
  // Timeouts cool deployments down at once (LiteLLM: 408).
  assert.deepEqual((await router.getCooldowns()).map((c) => c.id).sort(), ["a", "b"]);
});

Deno.test("stream: breaking out of the loop cancels the upstream", async () => {
  const events: RouterCallEvent[] = [];
  const { upstream, router } = start({ a: [{ ok: "one two three four five" }] }, {}, events);
  await using _ = upstream;
  const stream = await router.completion({ model: "g", messages: MESSAGES, stream: true });
  for await (const chunk of stream) {
    if (chunk.choices[0]?.delta.content) break;
  }
  assert.deepEqual(events.map((e) => e.outcome), ["cancelled"]);
  // The deployment is free again.
  assert.equal((await router.getAvailableDeployment("g")).id, "a");
});
