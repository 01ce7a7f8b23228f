/**
 * `GET /health` as LiteLLM answers it: a real one-token call to every
 * deployment (embeddings for `mode: embedding`), against the protocol fakes;
 * secrets never shown; `?model=` filters; background checks answer the last
 * round; `health_check_details: false` shows the model and error only.
 */

import assert from "node:assert/strict";
import { createApp } from "../../src/server/app.ts";
import { createHealthMonitor } from "../../src/server/health.ts";
import { Router } from "../../src/fallback/router.ts";
import { OPENAI_FAKE_KEY, startOpenAIFake } from "../fakes/openai.ts";

const MASTER = "sk-master-health-0123456789";
const auth = { authorization: `Bearer ${MASTER}` };

/** A loopback port nothing listens on. */
function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function routerFor(baseURL: string, deadPort: number) {
  return new Router({
    model_list: [
      {
        model_name: "gpt",
        litellm_params: {
          model: "openai/gpt-4o-mini",
          api_key: OPENAI_FAKE_KEY,
          api_base: baseURL,
        },
      },
      {
        model_name: "gpt",
        litellm_params: {
          model: "openai/gpt-4o-mini",
          api_key: OPENAI_FAKE_KEY,
          api_base: `http://127.0.0.1:${deadPort}/v1`,
        },
      },
      {
        model_name: "embed",
        litellm_params: {
          model: "openai/text-embedding-3-small",
          api_key: OPENAI_FAKE_KEY,
          api_base: baseURL,
        },
        model_info: { mode: "embedding" },
      },
    ],
  });
}

Deno.test("/health calls every deployment: healthy, unreachable, embedding; no key shown", async () => {
  await using fake = startOpenAIFake();
  const dead = closedPort();
  const app = createApp({ router: routerFor(fake.baseURL, dead), masterKey: MASTER });
  const res = await app.request("/health", { headers: auth });
  assert.equal(res.status, 200);
  const body = await res.json();
  assert.equal(body.healthy_count, 2);
  assert.equal(body.unhealthy_count, 1);
  const healthy = body.healthy_endpoints as Record<string, unknown>[];
  assert.deepEqual(healthy.map((e) => e.model_group).sort(), ["embed", "gpt"]);
  assert.equal(healthy.find((e) => e.model_group === "gpt")?.api_base, fake.baseURL);
  const [down] = body.unhealthy_endpoints;
  assert.equal(down.api_base, `http://127.0.0.1:${dead}/v1`);
  assert.match(down.error, /^APIConnectionError: /);
  const text = JSON.stringify(body);
  assert.ok(!text.includes(OPENAI_FAKE_KEY), "the key is never shown");
  assert.ok(!("api_key" in healthy[0]));
  // One real call per deployment: a one-token chat completion, and an embedding.
  const paths = fake.requests.map((r) => r.path).sort();
  assert.deepEqual(paths, ["/v1/chat/completions", "/v1/embeddings"]);
  const chat = fake.requests.find((r) => r.path === "/v1/chat/completions")!.body as {
    max_tokens?: number;
    max_completion_tokens?: number;
    messages: unknown[];
  };
  assert.equal(chat.max_tokens ?? chat.max_completion_tokens, 1);
  assert.equal(chat.messages.length, 1);
});

Deno.test("/health?model= checks one model group only; without a key it is a 401", async () => {
  await using fake = startOpenAIFake();
  const app = createApp({ router: routerFor(fake.baseURL, closedPort()), masterKey: MASTER });
  const body = await (await app.request("/health?model=embed", { headers: auth })).json();
  assert.equal(body.healthy_count, 1);
  assert.equal(body.unhealthy_count, 0);
  assert.equal(body.healthy_endpoints[0].model_group, "embed");
  assert.deepEqual(fake.requests.map((r) => r.path), ["/v1/embeddings"]);
  const anonymous = await app.request("/health");
  assert.equal(anonymous.status, 401);
});

Deno.test("background health checks: /health answers the last round without new calls", async () => {
  await using fake = startOpenAIFake();
  const router = routerFor(fake.baseURL, closedPort());
  await using health = createHealthMonitor(router, { background: true, intervalS: 3600 });
  const app = createApp({ router, masterKey: MASTER, health });
  const first = await (await app.request("/health", { headers: auth })).json();
  const calls = fake.requests.length;
  assert.equal(calls, 2);
  const second = await (await app.request("/health?model=gpt", { headers: auth })).json();
  assert.equal(fake.requests.length, calls, "no new upstream call");
  assert.equal(first.healthy_count, 2);
  assert.equal(second.healthy_count, 1);
  assert.equal(second.unhealthy_count, 1);
});

Deno.test("health_check_details: false shows only the model and the error", async () => {
  await using fake = startOpenAIFake();
  const router = routerFor(fake.baseURL, closedPort());
  await using health = createHealthMonitor(router, { details: false });
  const report = await health.report();
  for (const e of report.healthy_endpoints) assert.deepEqual(Object.keys(e), ["model"]);
  assert.deepEqual(Object.keys(report.unhealthy_endpoints[0]).sort(), ["error", "model"]);
});

Deno.test("during a graceful shutdown the probes answer 503 shutting_down", async () => {
  let stopping = false;
  const router = new Router({
    model_list: [{
      model_name: "demo",
      litellm_params: { model: "openai/demo", mock_response: "hi" },
    }],
  });
  const app = createApp({ router, shuttingDown: () => stopping });
  assert.equal((await app.request("/health/liveliness")).status, 200);
  assert.equal((await app.request("/health/readiness")).status, 200);
  stopping = true;
  for (const path of ["/health/liveliness", "/health/liveness", "/health/readiness"]) {
    const res = await app.request(path);
    assert.equal(res.status, 503, path);
    assert.deepEqual(await res.json(), { status: "shutting_down" });
  }
});
