/**
 * The authentication matrix of virtual keys over the app: who gets 401,
 * 403 and 200 on model routes and admin routes.
 */

import assert from "node:assert/strict";
import { backendTest, createHarness, errorOf, fakeClock, MASTER_KEY } from "./_enforce.ts";

backendTest("auth matrix: missing, wrong, expired, blocked keys → 401", async (backend) => {
  const clock = fakeClock();
  await using h = await createHarness({ backend, clock });
  const expired = await h.newKey({ expires: new Date(clock.now() - 1000).toISOString() });
  const later = await h.newKey({ expires: new Date(clock.now() + 60_000).toISOString() });
  const blocked = await h.newKey({ blocked: true });
  const teamId = await h.newTeam({ blocked: true });
  const inBlockedTeam = await h.newKey({ team_id: teamId });

  const cases: [string, string | undefined, string][] = [
    ["no key", undefined, "missing_api_key"],
    ["wrong key", "sk-not-a-key", "invalid_api_key"],
    ["expired key", expired.key, "expired_key"],
    ["blocked key", blocked.key, "key_blocked"],
    ["key of a blocked team", inBlockedTeam.key, "team_blocked"],
  ];
  for (const [name, key, code] of cases) {
    const res = await h.chat(key);
    assert.equal(res.status, 401, name);
    const error = await errorOf(res);
    assert.equal(error.code, code, name);
    assert.equal(error.type, "authentication_error", name);
  }
  assert.equal((await h.chat(later.key)).status, 200);
  // The key expires: 401 once the clock passes its expiry (and the cached row).
  clock.advance(61_000);
  const res = await h.chat(later.key);
  assert.equal(res.status, 401);
  assert.match((await errorOf(res)).message, /expired key/);
  assert.equal(h.upstream.calls, 1);
});

backendTest("auth matrix: a key may call only its models (403)", async (backend) => {
  await using h = await createHarness({ backend });
  const { key } = await h.newKey({ models: ["gpt-main"] });
  const ok = await h.chat(key);
  assert.equal(ok.status, 200);
  await ok.body?.cancel();
  const res = await h.chat(key, { model: "other" });
  assert.equal(res.status, 403);
  const error = await errorOf(res);
  assert.equal(
    error.message,
    'key not allowed to access model. This key can only access models=["gpt-main"]. Tried to access other',
  );
  // Team models apply too.
  const teamId = await h.newTeam({ models: ["local"] });
  const inTeam = await h.newKey({ team_id: teamId });
  const denied = await h.chat(inTeam.key);
  assert.equal(denied.status, 403);
  assert.match((await errorOf(denied)).message, /^team not allowed to access model/);
  const allowed = await h.chat(inTeam.key, { model: "local" });
  assert.equal(allowed.status, 200);
  await allowed.body?.cancel();
  assert.equal(h.upstream.calls, 2);
});

backendTest("auth matrix: admin routes need the master key or an admin key", async (backend) => {
  await using h = await createHarness({ backend });
  const user = await h.newKey();
  const admin = await h.newKey({ admin: true });
  const call = (key: string, path: string, method = "GET", body?: unknown) =>
    h.app.request(path, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  for (
    const [method, path, body] of [
      ["POST", "/key/generate", {}],
      ["GET", "/key/list", undefined],
      ["GET", "/spend/logs", undefined],
      ["GET", "/health", undefined],
    ] as const
  ) {
    const denied = await call(user.key, path, method, body);
    assert.equal(denied.status, 403, `${method} ${path} with a virtual key`);
    await denied.body?.cancel();
    for (const key of [MASTER_KEY, admin.key]) {
      const ok = await call(key, path, method, body);
      assert.equal(
        ok.status,
        200,
        `${method} ${path} with ${key === MASTER_KEY ? "master" : "admin"}`,
      );
      await ok.body?.cancel();
    }
  }
  // A key made through the admin API works on model routes.
  const made = await (await call(MASTER_KEY, "/key/generate", "POST", { models: ["gpt-main"] }))
    .json() as { key: string };
  const res = await h.chat(made.key);
  assert.equal(res.status, 200);
  await res.body?.cancel();
});

backendTest("auth matrix: master key and valid keys get 200 on model routes", async (backend) => {
  await using h = await createHarness({ backend });
  const { key } = await h.newKey();
  for (const k of [MASTER_KEY, key]) {
    const res = await h.chat(k);
    assert.equal(res.status, 200);
    const body = await res.json() as { choices: { message: { content: string } }[] };
    assert.equal(body.choices[0].message.content, "hi from gpt-main");
  }
  for (const path of ["/v1/models", "/health/liveliness"]) {
    const res = await h.app.request(path, { headers: { authorization: `Bearer ${key}` } });
    assert.equal(res.status, 200, path);
    await res.body?.cancel();
  }
});
