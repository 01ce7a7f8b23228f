/**
 * rpm / tpm / parallel limits of keys and teams over the app: 429 with
 * `retry-after` and `x-ratelimit-*`, team limits on top of key limits,
 * headers on successes too.
 */

import assert from "node:assert/strict";
import { backendTest, createHarness, errorOf, fakeClock } from "./_enforce.ts";

backendTest("rpm on a key: 429 with retry-after and x-ratelimit-* once spent", async (backend) => {
  const clock = fakeClock();
  await using h = await createHarness({ backend, clock });
  const { key, token } = await h.newKey({ rpm_limit: 2, tpm_limit: 1000 });
  const first = await h.chat(key);
  assert.equal(first.status, 200);
  assert.equal(first.headers.get("x-ratelimit-limit-requests"), "2");
  assert.equal(first.headers.get("x-ratelimit-remaining-requests"), "1");
  assert.equal(first.headers.get("x-ratelimit-reset-requests"), "60");
  assert.equal(first.headers.get("x-ratelimit-limit-tokens"), "1000");
  assert.equal(first.headers.get("x-ratelimit-remaining-tokens"), "1000");
  await first.body?.cancel();
  await h.settle();
  clock.advance(10_000);
  const second = await h.chat(key);
  assert.equal(second.status, 200);
  assert.equal(second.headers.get("x-ratelimit-remaining-requests"), "0");
  assert.equal(second.headers.get("x-ratelimit-remaining-tokens"), "980");
  await second.body?.cancel();
  const third = await h.chat(key);
  assert.equal(third.status, 429);
  assert.equal(third.headers.get("retry-after"), "50");
  assert.equal(third.headers.get("x-ratelimit-limit-requests"), "2");
  assert.equal(third.headers.get("x-ratelimit-remaining-requests"), "0");
  assert.equal(third.headers.get("x-ratelimit-reset-requests"), "50");
  const error = await errorOf(third);
  assert.equal(error.type, "rate_limit_error");
  assert.equal(
    error.message,
    `Rate limit exceeded for api_key: ${token}. Limit type: requests. Current limit: 2, Remaining: 0. Limit resets in 50s`,
  );
  // A new window.
  clock.advance(50_000);
  const next = await h.chat(key);
  assert.equal(next.status, 200);
  await next.body?.cancel();
  assert.equal(h.upstream.calls, 3);
});

backendTest("tpm on a key: tokens used in the window block the next request", async (backend) => {
  const clock = fakeClock();
  await using h = await createHarness({ backend, clock });
  const { key } = await h.newKey({ tpm_limit: 30 });
  for (const expected of [200, 200, 429]) {
    const res = await h.chat(key);
    assert.equal(res.status, expected);
    if (expected === 429) {
      assert.equal(res.headers.get("x-ratelimit-remaining-tokens"), "0");
      assert.equal(res.headers.get("x-ratelimit-limit-tokens"), "30");
      assert.ok(Number(res.headers.get("retry-after")) > 0);
      assert.match((await errorOf(res)).message, /Limit type: tokens\. Current limit: 30/);
    } else await res.body?.cancel();
    await h.settle();
  }
  clock.advance(60_000);
  const res = await h.chat(key);
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

backendTest("parallel on a key: concurrent requests beyond the limit get 429", async (backend) => {
  await using h = await createHarness({ backend, upstreamDelayMs: 400 });
  const { key } = await h.newKey({ max_parallel_requests: 2 });
  const responses = await Promise.all([1, 2, 3, 4].map(() => h.chat(key)));
  const statuses = responses.map((r) => r.status).sort();
  assert.deepEqual(statuses, [200, 200, 429, 429]);
  for (const r of responses) {
    if (r.status === 429) {
      assert.equal(r.headers.get("retry-after"), "1");
      assert.match((await errorOf(r)).message, /Limit type: max_parallel_requests/);
    } else await r.body?.cancel();
  }
  await h.settle();
  // Slots were released at the end of each request.
  const again = await Promise.all([1, 2].map(() => h.chat(key)));
  assert.deepEqual(again.map((r) => r.status), [200, 200]);
  for (const r of again) await r.body?.cancel();
  assert.equal(h.upstream.maxActive, 2);
});

backendTest("parallel: a stream holds its slot until it ends", async (backend) => {
  await using h = await createHarness({ backend });
  const { key } = await h.newKey({ max_parallel_requests: 1 });
  const stream = await h.chat(key, { stream: true });
  assert.equal(stream.status, 200);
  const blocked = await h.chat(key);
  assert.equal(blocked.status, 429);
  await blocked.body?.cancel();
  const text = await stream.text();
  assert.match(text, /\[DONE\]/);
  await h.settle();
  const after = await h.chat(key);
  assert.equal(after.status, 200);
  await after.body?.cancel();
});

backendTest("team limits apply on top of key limits", async (backend) => {
  await using h = await createHarness({ backend });
  const teamId = await h.newTeam({ rpm_limit: 3 });
  const a = await h.newKey({ team_id: teamId, rpm_limit: 10 });
  const b = await h.newKey({ team_id: teamId, rpm_limit: 10 });
  const statuses: number[] = [];
  for (const key of [a.key, b.key, a.key, b.key]) {
    const res = await h.chat(key);
    statuses.push(res.status);
    if (res.status === 429) {
      assert.match((await errorOf(res)).message, new RegExp(`for team: ${teamId}\\.`));
      // The tightest scope is reported.
      assert.equal(res.headers.get("x-ratelimit-limit-requests"), "3");
    } else await res.body?.cancel();
  }
  assert.deepEqual(statuses, [200, 200, 200, 429]);
  // Team parallel limit with per-key room.
  const team2 = await h.newTeam({ max_parallel_requests: 1 });
  const c = await h.newKey({ team_id: team2 });
  const d = await h.newKey({ team_id: team2, max_parallel_requests: 5 });
  const stream = await h.chat(c.key, { stream: true });
  const blocked = await h.chat(d.key);
  assert.equal(blocked.status, 429);
  assert.match((await errorOf(blocked)).message, /for team: .*max_parallel_requests/);
  await stream.text();
});

backendTest("user limits apply too, and a key without limits is not counted", async (backend) => {
  await using h = await createHarness({ backend });
  const userId = await h.newUser({ rpm_limit: 1 });
  const { key } = await h.newKey({ user_id: userId });
  assert.equal(await h.chat(key).then(async (r) => (await r.body?.cancel(), r.status)), 200);
  const res = await h.chat(key);
  assert.equal(res.status, 429);
  assert.match((await errorOf(res)).message, new RegExp(`for user: ${userId}\\.`));
  const free = await h.newKey();
  const ok = await h.chat(free.key);
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get("x-ratelimit-limit-requests"), null);
  await ok.body?.cancel();
});

backendTest(
  "model_rpm_limit on a key: per-model requests, other models unaffected",
  async (backend) => {
    const clock = fakeClock();
    await using h = await createHarness({ backend, clock });
    const { key, token } = await h.newKey({ metadata: { model_rpm_limit: { "gpt-main": 1 } } });
    const first = await h.chat(key);
    assert.equal(first.status, 200);
    assert.equal(first.headers.get("x-ratelimit-remaining-requests"), "0");
    await first.body?.cancel();
    await h.settle();
    const second = await h.chat(key);
    assert.equal(second.status, 429);
    assert.equal(second.headers.get("retry-after"), "60");
    const error = await errorOf(second);
    assert.equal(error.type, "rate_limit_error");
    assert.equal(
      error.message,
      `Rate limit exceeded for model_per_key: ${token}:gpt-main. Limit type: requests. Current limit: 1, Remaining: 0. Limit resets in 60s`,
    );
    // Another model is not limited by it.
    const other = await h.chat(key, { model: "other" });
    assert.equal(other.status, 200);
    await other.body?.cancel();
    clock.advance(60_000);
    const next = await h.chat(key);
    assert.equal(next.status, 200);
    await next.body?.cancel();
  },
);

backendTest("model_tpm_limit on a key: tokens used on that model block it", async (backend) => {
  const clock = fakeClock();
  await using h = await createHarness({ backend, clock });
  const { key } = await h.newKey({ metadata: { model_tpm_limit: { "gpt-main": 30 } } });
  for (const expected of [200, 200, 429]) {
    const res = await h.chat(key);
    assert.equal(res.status, expected);
    if (expected === 429) {
      assert.match(
        (await errorOf(res)).message,
        /model_per_key: .*Limit type: tokens\. Current limit: 30/,
      );
    } else await res.body?.cancel();
    await h.settle();
  }
});
