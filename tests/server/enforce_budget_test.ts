/**
 * Budgets over the app: hard budgets of keys, teams and users (LiteLLM's
 * 400 `budget_exceeded`), a budget in ZAR (the ledger keeps USD and the
 * rate), soft budgets routed along `budget_fallbacks` with a header, alerts
 * to a webhook once per threshold, and resets on `budget_duration` with a
 * fake clock.
 */

import assert from "node:assert/strict";
import { createAlerter } from "../../src/server/alerts.ts";
import {
  backendTest,
  createHarness,
  errorOf,
  fakeClock,
  MASTER_KEY,
  REQUEST_COST_USD,
} from "./_enforce.ts";

async function ok(res: Response | Promise<Response>): Promise<Response> {
  const r = await res;
  assert.equal(r.status, 200, await r.clone().text());
  await r.body?.cancel();
  return r;
}

function close(a: number, b: number): boolean {
  return Math.abs(a - b) < 1e-9;
}

backendTest(
  "hard budgets of key, team and user → 400 budget_exceeded naming it",
  async (backend) => {
    await using h = await createHarness({ backend });
    // Key: 0.03 USD allows two requests of 0.02 (spend 0 → 0.02 → 0.04), then stops.
    const k = await h.newKey({ max_budget: 0.03 });
    await ok(h.chat(k.key));
    await h.settle();
    await ok(h.chat(k.key));
    await h.settle();
    const res = await h.chat(k.key);
    assert.equal(res.status, 400);
    const error = await errorOf(res);
    assert.equal(error.type, "budget_exceeded");
    assert.equal(error.code, "400");
    assert.equal(
      error.message,
      `Budget has been exceeded! Key=${k.token} Current cost: 0.04, Max budget: 0.03 (USD)`,
    );
    assert.ok(close((await h.store.getKey(k.token))!.spend, 0.04));

    // Team.
    const teamId = await h.newTeam({ max_budget: 0.01 });
    const t = await h.newKey({ team_id: teamId, max_budget: 100 });
    await ok(h.chat(t.key));
    await h.settle();
    const teamRes = await h.chat(t.key);
    assert.equal(teamRes.status, 400);
    assert.equal(
      (await errorOf(teamRes)).message,
      `Budget has been exceeded! Team=${teamId} Current cost: 0.02, Max budget: 0.01 (USD)`,
    );

    // User.
    const userId = await h.newUser({ max_budget: 0.02 });
    const u = await h.newKey({ user_id: userId });
    await ok(h.chat(u.key));
    await h.settle();
    const userRes = await h.chat(u.key);
    assert.equal(userRes.status, 400);
    assert.match(
      (await errorOf(userRes)).message,
      new RegExp(`^Budget has been exceeded! User=${userId} `),
    );
    assert.ok(close((await h.store.getTeam(teamId))!.spend, 0.02));
    assert.ok(close((await h.store.getUser(userId))!.spend, 0.02));

    // The master key is never budgeted.
    await ok(h.chat(MASTER_KEY));
  },
);

backendTest("budget in ZAR: amounts converted, ledger keeps USD and the rate", async (backend) => {
  await using h = await createHarness({ backend, currency: "ZAR", fxRates: { ZAR: 18.5 } });
  // 0.02 USD = 0.37 ZAR per request; 0.5 ZAR allows two.
  const k = await h.newKey({ max_budget: 0.5, key_alias: `zar-${crypto.randomUUID()}` });
  const first = await ok(h.chat(k.key));
  await h.settle();
  await ok(h.chat(k.key));
  await h.settle();
  const res = await h.chat(k.key);
  assert.equal(res.status, 400);
  assert.equal(
    (await errorOf(res)).message,
    `Budget has been exceeded! Key=${k.token} Current cost: 0.74, Max budget: 0.5 (ZAR)`,
  );
  const rows = await h.store.querySpendLogs({ api_key: k.token });
  assert.equal(rows.length, 2);
  for (const row of rows) {
    assert.equal(row.currency, "ZAR");
    assert.equal(row.fx_rate, 18.5);
    assert.ok(close(row.spend_usd, REQUEST_COST_USD));
    assert.ok(close(row.spend, REQUEST_COST_USD * 18.5));
    assert.equal(row.key_alias, (await h.store.getKey(k.token))!.key_alias);
  }
  assert.ok(rows.some((r) => r.request_id === first.headers.get("x-request-id")));
  assert.ok(close((await h.store.getKey(k.token))!.spend, 0.74));
});

backendTest("soft budget: requests go along budget_fallbacks, with a header", async (backend) => {
  await using h = await createHarness({
    backend,
    budgetFallbacks: [{ "gpt-main": ["local"] }],
  });
  const k = await h.newKey({ soft_budget: 0.03, max_budget: 1 });
  const groups: (string | null)[] = [];
  const fallbacks: (string | null)[] = [];
  for (let i = 0; i < 4; i++) {
    const res = await ok(h.chat(k.key));
    groups.push(res.headers.get("x-llmux-model-group"));
    fallbacks.push(res.headers.get("x-llmux-budget-fallback"));
    await h.settle();
  }
  // 0 → 0.02 → 0.04 (over the soft budget): the third and later go to "local" (free).
  assert.deepEqual(groups, ["gpt-main", "gpt-main", "local", "local"]);
  assert.deepEqual(fallbacks, [null, null, "gpt-main->local", "gpt-main->local"]);
  assert.deepEqual(h.upstream.models, ["gpt-main", "gpt-main", "local", "local"]);
  // A group without budget fallbacks keeps its route.
  const other = await ok(h.chat(k.key, { model: "other" }));
  assert.equal(other.headers.get("x-llmux-model-group"), "other");
  assert.equal(other.headers.get("x-llmux-budget-fallback"), null);
  // The ledger records the group asked for and the deployment that answered.
  const rows = await h.store.querySpendLogs({ api_key: k.token });
  const local = rows.filter((r) => r.model_id === "dep-local");
  assert.equal(local.length, 2);
  assert.ok(local.every((r) => r.model_group === "gpt-main" && r.spend_usd === 0));
});

/** A fake Slack webhook on 127.0.0.1 collecting `text`s. */
function fakeWebhook(): { url: string; texts: string[] } & AsyncDisposable {
  const texts: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    const body = await req.json() as { text: string };
    texts.push(body.text);
    return new Response("ok");
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}/hooks/slack`,
    texts,
    [Symbol.asyncDispose]: () => server.shutdown(),
  };
}

backendTest("alerts: once per threshold crossing (50/80/100 %) to the webhook", async (backend) => {
  await using hook = fakeWebhook();
  const alerter = createAlerter({ url: hook.url });
  await using h = await createHarness({ backend, alerter });
  // 0.1 budget, 0.02 per request: 50 % at the 3rd, 80 % at the 4th, 100 % at the 5th.
  const alias = `alerts-${crypto.randomUUID().slice(0, 8)}`;
  const k = await h.newKey({ max_budget: 0.1, key_alias: alias });
  const seen: number[] = [];
  for (let i = 1; i <= 5; i++) {
    await ok(h.chat(k.key));
    await h.settle();
    await alerter.drain();
    seen.push(hook.texts.length);
  }
  assert.deepEqual(seen, [0, 0, 1, 2, 3]);
  assert.match(
    hook.texts[0],
    new RegExp(`^Budget alert: key ${alias} has spent 50% of its max budget`),
  );
  assert.match(hook.texts[1], /spent 80% of its max budget: 0\.08 USD of 0\.1 USD/);
  assert.match(
    hook.texts[2],
    /^Budget exceeded: key .* has spent 0\.1 USD of its max budget of 0\.1 USD/,
  );
  assert.deepEqual((await h.store.getKey(k.token))!.alerts_sent, [50, 80, 100]);
  // Rejected requests do not alert again.
  const res = await h.chat(k.key);
  assert.equal(res.status, 400);
  await res.body?.cancel();
  await h.settle();
  await alerter.drain();
  assert.equal(hook.texts.length, 3);

  // Concurrent crossings of one threshold alert once; the soft budget alerts too.
  const teamId = await h.newTeam({ max_budget: 10, soft_budget: 0.05, team_alias: "ops" });
  const keys = await Promise.all([1, 2, 3].map(() => h.newKey({ team_id: teamId })));
  await Promise.all(keys.map((x) => ok(h.chat(x.key))));
  await h.settle();
  await Promise.all(keys.map((x) => ok(h.chat(x.key))));
  await h.settle();
  await alerter.drain();
  const teamTexts = hook.texts.slice(3);
  assert.equal(teamTexts.length, 1, teamTexts.join("\n"));
  assert.match(
    teamTexts[0],
    /^Soft budget crossed: team ops has spent 0\.06 USD, over its soft budget of 0\.05 USD/,
  );
  assert.deepEqual((await h.store.getTeam(teamId))!.alerts_sent, [0.5]);
});

backendTest("alerts: a webhook that fails or hangs never affects requests", async (backend) => {
  const errors: unknown[] = [];
  const alerter = createAlerter({
    url: "http://127.0.0.1:9/unreachable",
    timeoutMs: 200,
    onError: (e) => errors.push(e),
  });
  await using h = await createHarness({ backend, alerter });
  const k = await h.newKey({ max_budget: 0.02 });
  await ok(h.chat(k.key));
  await h.settle();
  await alerter.drain();
  assert.equal(errors.length, 3);
  const res = await h.chat(k.key);
  assert.equal(res.status, 400);
  await res.body?.cancel();
});

backendTest("budget resets on budget_duration boundaries (fake clock)", async (backend) => {
  const clock = fakeClock();
  await using hook = fakeWebhook();
  const alerter = createAlerter({ url: hook.url });
  await using h = await createHarness({ backend, clock, alerter });
  const start = clock.now();
  const k = await h.newKey({
    max_budget: 0.03,
    budget_duration: "30s",
    budget_reset_at: new Date(start + 30_000).toISOString(),
  });
  await ok(h.chat(k.key));
  await h.settle();
  await ok(h.chat(k.key));
  await h.settle();
  const over = await h.chat(k.key);
  assert.equal(over.status, 400);
  await over.body?.cancel();
  await alerter.drain();
  assert.equal(hook.texts.length, 3); // 50 %, 80 %, 100 % (0.04 ≥ 0.03)

  // Before the boundary: still rejected, and a reset does nothing.
  clock.advance(29_000);
  assert.equal(await h.enforcement.resetter.tick(), 0);
  const still = await h.chat(k.key);
  assert.equal(still.status, 400);
  await still.body?.cancel();

  // Past the boundary: admitted at once (a fresh counter), even before the store resets.
  clock.advance(2_000);
  await ok(h.chat(k.key));
  await h.settle();
  // The periodic reset zeroes the store's spend, clears alerts_sent and moves the boundary.
  assert.ok((await h.enforcement.resetter.tick()) >= 1);
  const row = (await h.store.getKey(k.token))!;
  assert.equal(row.spend, 0);
  assert.deepEqual(row.alerts_sent, []);
  assert.equal(row.budget_reset_at, new Date(start + 60_000).toISOString());
  // The new period's counter starts from the store's spend: two more requests fit.
  await ok(h.chat(k.key));
  await h.settle();
  await ok(h.chat(k.key));
  await h.settle();
  const again = await h.chat(k.key);
  assert.equal(again.status, 400);
  assert.match((await errorOf(again)).message, /Current cost: 0\.04, Max budget: 0\.03/);
  await alerter.drain();
  // Alerts fire again in the new period.
  assert.equal(hook.texts.length, 6);
});
