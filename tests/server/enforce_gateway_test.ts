/**
 * The gateway state as `server.ts` opens it from a config: store, spend
 * writer, counters, alerts and the admin API wired into a working app.
 */

import assert from "node:assert/strict";
import { parseConfig } from "../../src/config/mod.ts";
import { Router } from "../../src/fallback/router.ts";
import { createApp } from "../../src/server/app.ts";
import { openGatewayState, redisUrlOf } from "../../src/server/enforce/gateway.ts";

const MASTER = "sk-gateway-test-master";

function load(general: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return parseConfig(
    JSON.stringify({
      model_list: [{
        model_name: "demo",
        litellm_params: { model: "openai/demo", mock_response: "hi", api_key: "sk-x" },
        model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.001 },
      }],
      general_settings: { master_key: MASTER, ...general },
      ...extra,
    }),
    { env: {} },
  );
}

Deno.test("redisUrlOf(): general_settings.redis_url, else router_settings", () => {
  assert.equal(redisUrlOf(load({ redis_url: "redis://a:1" }).config), "redis://a:1");
  assert.equal(
    redisUrlOf(
      load({}, {
        router_settings: { redis_host: "r.local", redis_port: 6380, redis_password: "p@ss" },
      }).config,
    ),
    "redis://:p%40ss@r.local:6380",
  );
  assert.equal(redisUrlOf(load({}).config), undefined);
});

Deno.test("openGatewayState(): invalid settings are errors naming them", async () => {
  await assert.rejects(
    openGatewayState({
      config: load({ database_url: "sqlite::memory:", spend_flush_interval: 5 }).config,
      env: () => undefined,
    }),
    /general_settings\.spend_flush_interval/,
  );
});

Deno.test({
  name: "openGatewayState(): keys made through the admin API are enforced and their spend recorded",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const alerts: string[] = [];
    const hook = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
      alerts.push(((await req.json()) as { text: string }).text);
      return new Response("ok");
    });
    const loaded = load({
      database_url: "sqlite::memory:",
      spend_flush_interval: 0.05,
      alerting: ["slack"],
      currency: "EUR",
      fx_rates: { EUR: 0.5 },
    });
    const gateway = await openGatewayState({
      config: loaded.config,
      env: (name) =>
        name === "SLACK_WEBHOOK_URL" ? `http://127.0.0.1:${hook.addr.port}/hook` : undefined,
    });
    try {
      const router = new Router(loaded.router, { preCallCheck: gateway.enforcement.preCallCheck });
      const app = createApp({ router, ...gateway.appOptions() });
      gateway.start();
      const admin = { authorization: `Bearer ${MASTER}`, "content-type": "application/json" };
      const made = await app.request("/key/generate", {
        method: "POST",
        headers: admin,
        body: JSON.stringify({ max_budget: 0.001, rpm_limit: 5 }),
      });
      assert.equal(made.status, 200);
      const { key, token } = await made.json() as { key: string; token: string };
      const chat = () =>
        app.request("/v1/chat/completions", {
          method: "POST",
          headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
          body: JSON.stringify({ model: "demo", messages: [{ role: "user", content: "hello" }] }),
        });
      const first = await chat();
      assert.equal(first.status, 200);
      assert.equal(first.headers.get("x-ratelimit-remaining-requests"), "4");
      await first.body?.cancel();
      await gateway.enforcement.drain();
      const second = await chat();
      assert.equal(second.status, 400);
      assert.match(
        ((await second.json()) as { error: { message: string } }).error.message,
        /^Budget has been exceeded! Key=.* \(EUR\)$/,
      );
      await new Promise((r) => setTimeout(r, 200));
      const logs = await app.request(`/spend/logs?api_key=${token}`, { headers: admin });
      const rows = await logs.json() as { currency: string; fx_rate: number }[];
      assert.equal(rows.length, 1);
      assert.equal(rows[0].currency, "EUR");
      assert.equal(rows[0].fx_rate, 0.5);
      assert.ok(alerts.some((t) => t.startsWith("Budget exceeded: key ")), alerts.join("\n"));
    } finally {
      await gateway.close();
      await hook.shutdown();
    }
  },
});
