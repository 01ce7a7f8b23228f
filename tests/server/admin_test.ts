/**
 * The admin API (`/key/*`, `/team/*`, `/user/*`, `/spend/logs`,
 * `/global/spend/report`) through `app.request()`, over the real SQLite
 * store in memory: LiteLLM's request and response shapes, keys shown once
 * and stored only as hashes, admin-only access, and validation errors that
 * name the field.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { Hono } from "hono";
import { type AdminEnv, createAdminRoutes } from "../../src/server/admin/mod.ts";
import type { Principal } from "../../src/server/auth.ts";
import { openSqliteStore, openStore } from "../../src/store/mod.ts";
import type { SpendLog, Store } from "../../src/store/types.ts";

const NOW = Date.parse("2025-06-15T12:00:00Z");
const ADMIN: Principal = { kind: "master", admin: true };
const NON_ADMIN: Principal = { kind: "virtual", admin: false, data: { token: "x" } };

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

// deno-lint-ignore no-explicit-any
type Json = any;

interface Harness {
  store: Store;
  call(
    method: string,
    path: string,
    body?: unknown,
    principal?: Principal | null,
  ): Promise<{ status: number; body: Json }>;
  [Symbol.asyncDispose](): Promise<void>;
}

async function harness(store?: Store): Promise<Harness> {
  const s = store ?? await openStore("sqlite::memory:");
  const app = new Hono<AdminEnv>();
  app.use("*", async (c, next) => {
    const who = c.req.header("x-test-principal");
    if (who === "admin") c.set("principal", ADMIN);
    else if (who === "user") c.set("principal", NON_ADMIN);
    await next();
  });
  app.route("/", createAdminRoutes({ store: s, currency: "ZAR", now: () => NOW }));
  return {
    store: s,
    async call(method, path, body, principal = ADMIN) {
      const headers: Record<string, string> = {};
      if (principal) headers["x-test-principal"] = principal.admin ? "admin" : "user";
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await app.request(`http://llmux${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
      return { status: res.status, body: await res.json() };
    },
    async [Symbol.asyncDispose]() {
      await s.close();
    },
  };
}

function spendRow(overrides: Partial<SpendLog> & Pick<SpendLog, "request_id">): SpendLog {
  return {
    api_key: null,
    key_alias: null,
    team_id: null,
    user_id: null,
    model_group: "gpt-4o",
    model_id: "dep-1",
    provider: "openai",
    model: "gpt-4o-2024-08-06",
    prompt_tokens: 10,
    completion_tokens: 5,
    cached_tokens: 0,
    spend_usd: 0.01,
    spend: 0.18,
    currency: "ZAR",
    fx_rate: 18,
    latency_ms: 120,
    ttft_ms: null,
    status: 200,
    cache_hit: false,
    start_time: "2025-06-10T09:00:00.000Z",
    end_time: "2025-06-10T09:00:01.000Z",
    ...overrides,
  };
}

// ---------------------------------------------------------------------------
// Access control

const ADMIN_ROUTES: [string, string, unknown?][] = [
  ["POST", "/key/generate", {}],
  ["GET", "/key/info?key=sk-x"],
  ["POST", "/key/update", { key: "sk-x" }],
  ["POST", "/key/delete", { keys: ["sk-x"] }],
  ["GET", "/key/list"],
  ["POST", "/key/regenerate", { key: "sk-x" }],
  ["POST", "/key/sk-x/regenerate"],
  ["POST", "/key/block", { key: "sk-x" }],
  ["POST", "/key/unblock", { key: "sk-x" }],
  ["POST", "/team/new", {}],
  ["POST", "/team/update", { team_id: "t" }],
  ["POST", "/team/delete", { team_ids: ["t"] }],
  ["GET", "/team/info?team_id=t"],
  ["GET", "/team/list"],
  ["POST", "/team/member_add", { team_id: "t", member: { role: "user", user_id: "u" } }],
  ["POST", "/team/member_delete", { team_id: "t", user_id: "u" }],
  ["POST", "/team/block", { team_id: "t" }],
  ["POST", "/team/unblock", { team_id: "t" }],
  ["POST", "/user/new", {}],
  ["GET", "/user/info?user_id=u"],
  ["POST", "/user/update", { user_id: "u" }],
  ["GET", "/user/list"],
  ["GET", "/spend/logs"],
  ["GET", "/global/spend/report?start_date=2025-06-01&end_date=2025-06-30"],
];

Deno.test("every admin route answers 403 to a non-admin key and 401 without a principal", async () => {
  await using h = await harness();
  for (const [method, path, body] of ADMIN_ROUTES) {
    const res = await h.call(method, path, body, NON_ADMIN);
    assert.equal(res.status, 403, `${method} ${path}`);
    assert.equal(res.body.error.type, "permission_error", path);
    assert.equal(res.body.error.code, "admin_only", path);
    assert.match(res.body.error.message, /^Only the master key \(or an admin key\) can call \//);
    const anonymous = await h.call(method, path, body, null);
    assert.equal(anonymous.status, 401, `${method} ${path} without principal`);
  }
  // Nothing was written by the refused calls.
  assert.deepEqual(await h.store.listKeys(), []);
  assert.deepEqual(await h.store.listTeams(), []);
  assert.deepEqual(await h.store.listUsers(), []);
});

Deno.test("the 403 message names the route", async () => {
  await using h = await harness();
  const res = await h.call("POST", "/key/generate", {}, NON_ADMIN);
  assert.equal(
    res.body.error.message,
    "Only the master key (or an admin key) can call /key/generate",
  );
});

Deno.test("a key generated with admin: true is an admin principal's key (authorize hook sees it)", async () => {
  await using h = await harness();
  const res = await h.call("POST", "/key/generate", { key_alias: "ops", admin: true });
  assert.equal(res.status, 200);
  assert.equal(res.body.admin, true);
  assert.equal((await h.store.getKey(res.body.token))?.admin, true);
});

// ---------------------------------------------------------------------------
// Keys

Deno.test("/key/generate: LiteLLM's response, the key shown once, only its hash stored", async () => {
  await using h = await harness();
  await h.call("POST", "/team/new", { team_id: "team-a", team_alias: "Team A" });
  const res = await h.call("POST", "/key/generate", {
    key_alias: "ci-bot",
    models: ["gpt-4o"],
    max_budget: 50,
    soft_budget: 40,
    budget_duration: "30d",
    rpm_limit: 60,
    tpm_limit: 10_000,
    max_parallel_requests: 4,
    duration: "1h",
    metadata: { app: "ci" },
    team_id: "team-a",
    user_id: "alice",
    tags: ["ci"],
  });
  assert.equal(res.status, 200);
  const b = res.body;
  assert.match(b.key, /^sk-[0-9A-Za-z]{32,}$/);
  assert.equal(b.token, await sha256Hex(b.key));
  assert.equal(b.token_id, b.token);
  assert.equal(b.key_name, `sk-...${b.key.slice(-4)}`);
  assert.equal(b.key_alias, "ci-bot");
  assert.deepEqual(b.models, ["gpt-4o"]);
  assert.equal(b.max_budget, 50);
  assert.equal(b.soft_budget, 40);
  assert.equal(b.spend, 0);
  assert.equal(b.budget_duration, "30d");
  assert.equal(b.budget_reset_at, "2025-07-15T12:00:00.000Z");
  assert.equal(b.expires, "2025-06-15T13:00:00.000Z");
  assert.equal(b.rpm_limit, 60);
  assert.equal(b.tpm_limit, 10_000);
  assert.equal(b.max_parallel_requests, 4);
  assert.deepEqual(b.metadata, { app: "ci", tags: ["ci"] });
  assert.equal(b.team_id, "team-a");
  assert.equal(b.user_id, "alice");
  assert.equal(b.blocked, false);
  assert.equal(b.admin, false);
  assert.equal(b.currency, "ZAR");
  assert.equal(typeof b.created_at, "string");

  // The key is never shown again.
  const info = await h.call("GET", `/key/info?key=${b.key}`);
  const list = await h.call("GET", "/key/list?return_full_object=true");
  const team = await h.call("GET", "/team/info?team_id=team-a");
  for (const later of [info, list, team]) {
    assert.ok(!JSON.stringify(later.body).includes(b.key));
  }
  // The store holds only the hash.
  const everything = JSON.stringify([
    await h.store.listKeys(),
    await h.store.listTeams(),
    await h.store.listUsers(),
    await h.store.querySpendLogs(),
  ]);
  assert.ok(everything.includes(b.token));
  assert.ok(!everything.includes(b.key));
  assert.ok(!everything.includes(b.key.slice(3)));
});

Deno.test({
  name: "the raw key is nowhere in the SQLite file, in any table",
  ignore: (await Deno.permissions.query({ name: "write" })).state !== "granted",
  async fn() {
    const dir = await Deno.makeTempDir();
    const path = `${dir}/llmux.db`;
    const keys: string[] = [];
    {
      await using h = await harness(await openSqliteStore(path));
      await h.call("POST", "/team/new", { team_id: "t1" });
      keys.push((await h.call("POST", "/key/generate", { team_id: "t1" })).body.key);
      keys.push(
        (await h.call("POST", "/key/generate", { key: "sk-custom-chosen-value-123" })).body.key,
      );
      keys.push((await h.call("POST", "/user/new", { user_id: "bob" })).body.key);
      const old = (await h.call("POST", "/key/generate", { key_alias: "rot" })).body.key;
      keys.push(old, (await h.call("POST", "/key/regenerate", { key: old })).body.key);
    }
    const db = new DatabaseSync(path);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all();
    const dump = JSON.stringify(
      tables.map((t) => db.prepare(`SELECT * FROM "${String(t.name)}"`).all()),
    );
    db.close();
    const bytes = new TextDecoder("latin1").decode(await Deno.readFile(path));
    for (const key of keys) {
      assert.match(key, /^sk-/);
      assert.ok(!dump.includes(key), "raw key in a row");
      assert.ok(!bytes.includes(key), "raw key in the file");
      assert.ok(dump.includes(await sha256Hex(key)) || key === keys[3], "hash stored");
    }
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test("/key/info finds a key by sk- key and by hash; unknown key is a 404", async () => {
  await using h = await harness();
  const { key, token } = (await h.call("POST", "/key/generate", { key_alias: "k1" })).body;
  for (const given of [key, token]) {
    const res = await h.call("GET", `/key/info?key=${encodeURIComponent(given)}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.key, token);
    assert.equal(res.body.info.key_alias, "k1");
    assert.equal(res.body.info.token, undefined);
    assert.equal(res.body.info.currency, "ZAR");
  }
  const missing = await h.call("GET", "/key/info?key=sk-does-not-exist");
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.param, "key");
  const noParam = await h.call("GET", "/key/info");
  assert.equal(noParam.status, 400);
  assert.equal(noParam.body.error.param, "key");
});

Deno.test("/key/generate accepts a custom sk- key and rejects others, duplicates and unknown teams", async () => {
  await using h = await harness();
  const custom = await h.call("POST", "/key/generate", { key: "sk-my-own-key-0001" });
  assert.equal(custom.status, 200);
  assert.equal(custom.body.key, "sk-my-own-key-0001");
  assert.equal(custom.body.token, await sha256Hex("sk-my-own-key-0001"));

  const cases: [string, unknown, string][] = [
    ["not sk-", { key: "pk-nope-1234567890" }, "key"],
    ["duplicate key", { key: "sk-my-own-key-0001" }, "key"],
    ["unknown team", { team_id: "nope" }, "team_id"],
  ];
  for (const [name, body, param] of cases) {
    const res = await h.call("POST", "/key/generate", body);
    assert.equal(res.status, 400, name);
    assert.equal(res.body.error.param, param, name);
    assert.equal(res.body.error.type, "invalid_request_error", name);
  }
  const notSk = await h.call("POST", "/key/generate", { key: "pk-nope-1234567890" });
  assert.ok(!notSk.body.error.message.includes("pk-nope-1234567890"), "the key is masked");

  await h.call("POST", "/key/generate", { key_alias: "taken" });
  const dup = await h.call("POST", "/key/generate", { key_alias: "taken" });
  assert.equal(dup.status, 400);
  assert.equal(dup.body.error.param, "key_alias");
  assert.equal(
    dup.body.error.message,
    "Key with alias 'taken' already exists. Unique key aliases across all keys are required.",
  );
  assert.equal((await h.store.listKeys()).length, 2);
});

Deno.test("validation errors are 400s that name the field", async () => {
  await using h = await harness();
  const cases: [string, string, unknown, string][] = [
    ["POST", "/key/generate", { max_budget: -1 }, "max_budget"],
    ["POST", "/key/generate", { max_budget: "ten" }, "max_budget"],
    ["POST", "/key/generate", { rpm_limit: 1.5 }, "rpm_limit"],
    ["POST", "/key/generate", { budget_duration: "monthly" }, "budget_duration"],
    ["POST", "/key/generate", { duration: "forever" }, "duration"],
    ["POST", "/key/generate", { models: "gpt-4o" }, "models"],
    ["POST", "/key/generate", { metadata: [1] }, "metadata"],
    ["POST", "/key/generate", { blocked: "maybe" }, "blocked"],
    ["POST", "/key/generate", { max_budgt: 5 }, "max_budgt"],
    ["POST", "/key/generate", { allowed_routes: ["/chat/completions"] }, "allowed_routes"],
    ["POST", "/key/generate", { key_type: "read_only" }, "key_type"],
    ["POST", "/key/generate", { aliases: { "gpt-4": "gpt-4o" } }, "aliases"],
    ["POST", "/key/regenerate", { key: "sk-x", grace_period: "24h" }, "grace_period"],
    ["POST", "/key/update", { max_budget: 1 }, "key"],
    ["POST", "/key/delete", {}, "keys"],
    [
      "POST",
      "/team/new",
      { members_with_roles: [{ role: "owner", user_id: "u" }] },
      "members_with_roles[0].role",
    ],
    ["POST", "/team/new", { members_with_roles: [{ role: "user" }] }, "members_with_roles[0]"],
    ["POST", "/team/new", { tpm_limit: -5 }, "tpm_limit"],
    ["POST", "/user/new", { user_role: "god" }, "user_role"],
    ["POST", "/user/new", { teams: "t1" }, "teams"],
    ["GET", "/key/list?size=500", undefined, "size"],
    ["GET", "/key/list?page=0", undefined, "page"],
    ["GET", "/spend/logs?start_date=yesterday", undefined, "start_date"],
    ["GET", "/global/spend/report?start_date=2025-06-01", undefined, "end_date"],
    [
      "GET",
      "/global/spend/report?start_date=2025-06-01&end_date=2025-06-30&group_by=tag",
      undefined,
      "group_by",
    ],
  ];
  for (const [method, path, body, field] of cases) {
    const res = await h.call(method, path, body);
    assert.equal(res.status, 400, `${path} ${JSON.stringify(body)}`);
    assert.equal(res.body.error.param, field, `${path} ${JSON.stringify(body)}`);
    assert.ok(
      res.body.error.message.includes(field.split("[")[0]),
      `message names ${field}: ${res.body.error.message}`,
    );
  }
  const msg = (await h.call("POST", "/key/generate", { max_budget: -1 })).body.error.message;
  assert.equal(msg, "Invalid value for 'max_budget' in /key/generate: expected a number >= 0");
  const unknown = (await h.call("POST", "/key/generate", { max_budgt: 5 })).body.error.message;
  assert.equal(unknown, "Unknown field 'max_budgt' in /key/generate");
  const tolerated = await h.call("POST", "/key/generate", {
    key_type: "default",
    aliases: {},
    allowed_cache_controls: [],
    send_invite_email: false,
    permissions: { get_spend_routes: false },
  });
  assert.equal(tolerated.status, 200, "LiteLLM's defaults are accepted");
  const notJson = await h.call("POST", "/key/generate", "not json");
  assert.equal(notJson.status, 400);
});

Deno.test("numbers and booleans also accept their string forms, as LiteLLM's pydantic models do", async () => {
  await using h = await harness();
  const res = await h.call("POST", "/key/generate", {
    max_budget: "12.5",
    rpm_limit: "30",
    blocked: "true",
    soft_budget: "",
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.max_budget, 12.5);
  assert.equal(res.body.rpm_limit, 30);
  assert.equal(res.body.blocked, true);
  assert.equal(res.body.soft_budget, null);
});

Deno.test("/key/update patches fields; budget_duration recomputes budget_reset_at; null clears", async () => {
  await using h = await harness();
  await h.call("POST", "/team/new", { team_id: "t2" });
  const { key, token } = (await h.call("POST", "/key/generate", {
    key_alias: "upd",
    max_budget: 10,
    budget_duration: "1d",
    duration: "1d",
    metadata: { a: 1 },
  })).body;
  const res = await h.call("POST", "/key/update", {
    key,
    max_budget: 25,
    budget_duration: "1h",
    team_id: "t2",
    metadata: { b: 2 },
    rpm_limit: 5,
    duration: null,
  });
  assert.equal(res.status, 200);
  assert.equal(res.body.key, token);
  assert.equal(res.body.max_budget, 25);
  assert.equal(res.body.budget_duration, "1h");
  assert.equal(res.body.budget_reset_at, "2025-06-15T13:00:00.000Z");
  assert.equal(res.body.team_id, "t2");
  assert.deepEqual(res.body.metadata, { b: 2 });
  assert.equal(res.body.rpm_limit, 5);
  assert.equal(res.body.expires, null);
  assert.equal(res.body.key_alias, "upd", "untouched fields stay");

  // By hash; clearing the budget period clears the reset time.
  const cleared = await h.call("POST", "/key/update", { key: token, budget_duration: null });
  assert.equal(cleared.body.budget_duration, null);
  assert.equal(cleared.body.budget_reset_at, null);
  // Its own alias is not a duplicate; another key's is.
  assert.equal((await h.call("POST", "/key/update", { key: token, key_alias: "upd" })).status, 200);
  await h.call("POST", "/key/generate", { key_alias: "other" });
  const dup = await h.call("POST", "/key/update", { key: token, key_alias: "other" });
  assert.equal(dup.status, 400);
  assert.equal(dup.body.error.param, "key_alias");
  const missing = await h.call("POST", "/key/update", { key: "sk-missing", max_budget: 1 });
  assert.equal(missing.status, 404);
  const badTeam = await h.call("POST", "/key/update", { key: token, team_id: "nope" });
  assert.equal(badTeam.status, 400);
  assert.equal(badTeam.body.error.param, "team_id");
});

Deno.test("/key/list: filters, pagination and LiteLLM's page shape", async () => {
  await using h = await harness();
  await h.call("POST", "/team/new", { team_id: "ta" });
  await h.call("POST", "/team/new", { team_id: "tb" });
  const tokens: string[] = [];
  for (let i = 0; i < 5; i++) {
    const body = { key_alias: `a${i}`, team_id: "ta", user_id: i % 2 === 0 ? "even" : "odd" };
    tokens.push((await h.call("POST", "/key/generate", body)).body.token);
  }
  await h.call("POST", "/key/generate", { key_alias: "b0", team_id: "tb" });

  const all = await h.call("GET", "/key/list");
  assert.equal(all.status, 200);
  assert.equal(all.body.total_count, 6);
  assert.equal(all.body.current_page, 1);
  assert.equal(all.body.total_pages, 1);
  assert.ok(all.body.keys.every((k: unknown) => typeof k === "string" && /^[0-9a-f]{64}$/.test(k)));

  const teamA = await h.call("GET", "/key/list?team_id=ta&size=2&page=2");
  assert.equal(teamA.body.total_count, 5);
  assert.equal(teamA.body.total_pages, 3);
  assert.equal(teamA.body.current_page, 2);
  assert.equal(teamA.body.keys.length, 2);

  const pages = [];
  for (let page = 1; page <= 3; page++) {
    pages.push(...(await h.call("GET", `/key/list?team_id=ta&size=2&page=${page}`)).body.keys);
  }
  assert.deepEqual(new Set(pages), new Set(tokens), "pages cover every key once");
  assert.equal(pages.length, 5);

  const even = await h.call("GET", "/key/list?user_id=even&return_full_object=true");
  assert.equal(even.body.total_count, 3);
  assert.ok(even.body.keys.every((k: { user_id: string }) => k.user_id === "even"));
  const byAlias = await h.call("GET", "/key/list?key_alias=b0&return_full_object=true");
  assert.equal(byAlias.body.total_count, 1);
  assert.equal(byAlias.body.keys[0].team_id, "tb");
  const byHash = await h.call("GET", `/key/list?key_hash=${tokens[0]}`);
  assert.deepEqual(byHash.body.keys, [tokens[0]]);
  const sorted = await h.call(
    "GET",
    "/key/list?sort_by=key_alias&sort_order=asc&return_full_object=true",
  );
  assert.deepEqual(
    sorted.body.keys.map((k: { key_alias: string }) => k.key_alias),
    ["a0", "a1", "a2", "a3", "a4", "b0"],
  );
  const empty = await h.call("GET", "/key/list?team_id=none");
  assert.deepEqual(empty.body, { keys: [], total_count: 0, current_page: 1, total_pages: 0 });
});

Deno.test("/key/regenerate (body and path forms): new key shown once, old hash gone, fields kept", async () => {
  await using h = await harness();
  const first = (await h.call("POST", "/key/generate", {
    key_alias: "rotate-me",
    max_budget: 7,
    spend: 1.5,
  })).body;

  const res = await h.call("POST", "/key/regenerate", { key: first.key, max_budget: 9 });
  assert.equal(res.status, 200);
  const second = res.body;
  assert.match(second.key, /^sk-[0-9A-Za-z]{32,}$/);
  assert.notEqual(second.key, first.key);
  assert.equal(second.token, await sha256Hex(second.key));
  assert.equal(second.token_id, second.token);
  assert.equal(second.key_name, `sk-...${second.key.slice(-4)}`);
  assert.equal(second.key_alias, "rotate-me");
  assert.equal(second.max_budget, 9);
  assert.equal(second.spend, 1.5);
  assert.equal(await h.store.getKey(first.token), undefined, "old hash gone");
  assert.equal((await h.call("GET", `/key/info?key=${first.key}`)).status, 404);
  assert.equal((await h.call("GET", `/key/info?key=${second.key}`)).status, 200);

  // LiteLLM's path form, by hash, with no body; and with a chosen new key.
  const third = await h.call("POST", `/key/${second.token}/regenerate`);
  assert.equal(third.status, 200);
  assert.equal(await h.store.getKey(second.token), undefined);
  const fourth = await h.call("POST", `/key/${encodeURIComponent(third.body.key)}/regenerate`, {
    new_key: "sk-chosen-by-admin-42",
  });
  assert.equal(fourth.status, 200);
  assert.equal(fourth.body.key, "sk-chosen-by-admin-42");
  assert.equal((await h.store.listKeys()).length, 1);

  const missing = await h.call("POST", "/key/regenerate", { key: first.key });
  assert.equal(missing.status, 404);
  const noKey = await h.call("POST", "/key/regenerate", {});
  assert.equal(noKey.status, 400);
  assert.equal(noKey.body.error.param, "key");
  const badNew = await h.call("POST", "/key/regenerate", {
    key: "sk-chosen-by-admin-42",
    new_key: "not-sk",
  });
  assert.equal(badNew.status, 400);
  assert.equal(badNew.body.error.param, "new_key");
});

Deno.test("/key/delete by keys (sk- or hash) and by key_aliases → { deleted_keys }", async () => {
  await using h = await harness();
  const a = (await h.call("POST", "/key/generate", { key_alias: "del-a" })).body;
  const b = (await h.call("POST", "/key/generate", { key_alias: "del-b" })).body;
  const c = (await h.call("POST", "/key/generate", { key_alias: "del-c" })).body;
  await h.call("POST", "/key/generate", { key_alias: "keep" });

  const byKey = await h.call("POST", "/key/delete", { keys: [a.key, b.token] });
  assert.equal(byKey.status, 200);
  assert.deepEqual(byKey.body, { deleted_keys: [a.key, b.token] });
  const byAlias = await h.call("POST", "/key/delete", { key_aliases: ["del-c"] });
  assert.deepEqual(byAlias.body, { deleted_keys: ["del-c"] });
  assert.equal(await h.store.getKey(c.token), undefined);
  assert.deepEqual((await h.store.listKeys()).map((k) => k.key_alias), ["keep"]);

  const none = await h.call("POST", "/key/delete", { keys: [a.key] });
  assert.equal(none.status, 404);
  assert.equal(none.body.error.message, "No keys found");
  const partial = await h.call("POST", "/key/delete", { key_aliases: ["keep", "ghost"] });
  assert.deepEqual(partial.body, { deleted_keys: ["keep"] });
});

Deno.test("/key/block and /key/unblock flip `blocked`", async () => {
  await using h = await harness();
  const { key, token } = (await h.call("POST", "/key/generate", {})).body;
  const blocked = await h.call("POST", "/key/block", { key });
  assert.equal(blocked.body.blocked, true);
  assert.equal((await h.store.getKey(token))?.blocked, true);
  const unblocked = await h.call("POST", "/key/unblock", { key: token });
  assert.equal(unblocked.body.blocked, false);
});

// ---------------------------------------------------------------------------
// Teams

Deno.test("/team/new: LiteLLM's team shape, generated id, members become users", async () => {
  await using h = await harness();
  const res = await h.call("POST", "/team/new", {
    team_alias: "Prod Team",
    models: ["gpt-4o"],
    max_budget: 100,
    soft_budget: 80,
    budget_duration: "1mo",
    rpm_limit: 100,
    tpm_limit: 50_000,
    max_parallel_requests: 8,
    members_with_roles: [
      { role: "admin", user_id: "alice" },
      { role: "user", user_email: "bob@example.com" },
    ],
    metadata: { cost_center: "42" },
  });
  assert.equal(res.status, 200);
  const t = res.body;
  assert.match(t.team_id, /^[0-9a-f-]{36}$/);
  assert.equal(t.team_alias, "Prod Team");
  assert.deepEqual(t.models, ["gpt-4o"]);
  assert.equal(t.max_budget, 100);
  assert.equal(t.soft_budget, 80);
  assert.equal(t.budget_duration, "1mo");
  assert.equal(t.budget_reset_at, "2025-07-15T12:00:00.000Z");
  assert.equal(t.spend, 0);
  assert.equal(t.rpm_limit, 100);
  assert.equal(t.tpm_limit, 50_000);
  assert.equal(t.max_parallel_requests, 8);
  assert.equal(t.blocked, false);
  assert.equal(t.currency, "ZAR");
  assert.deepEqual(t.metadata, { cost_center: "42" });
  assert.equal(t.members_with_roles.length, 2);
  assert.deepEqual(t.members_with_roles[0], { user_id: "alice", role: "admin", user_email: null });
  const bob = t.members_with_roles[1];
  assert.equal(bob.role, "user");
  assert.equal(bob.user_email, "bob@example.com");

  const alice = await h.store.getUser("alice");
  assert.deepEqual(alice?.teams, [t.team_id]);
  assert.equal(alice?.user_role, "internal_user");
  assert.deepEqual((await h.store.getUser(bob.user_id))?.teams, [t.team_id]);

  const dup = await h.call("POST", "/team/new", { team_id: t.team_id });
  assert.equal(dup.status, 400);
  assert.equal(dup.body.error.param, "team_id");
  assert.match(dup.body.error.message, /already exists/);

  const twice = await h.call("POST", "/team/new", {
    team_id: "twice",
    members_with_roles: [{ role: "user", user_id: "zed" }, { role: "admin", user_id: "zed" }],
  });
  assert.equal(twice.status, 400);
  assert.equal(twice.body.error.param, "members_with_roles[1]");
  assert.equal(await h.store.getTeam("twice"), undefined, "nothing written");
  assert.equal(await h.store.getUser("zed"), undefined);
});

Deno.test("/team/update, /team/info, /team/list", async () => {
  await using h = await harness();
  await h.call("POST", "/team/new", { team_id: "t-b", team_alias: "beta" });
  await h.call("POST", "/team/new", {
    team_id: "t-a",
    team_alias: "alpha",
    max_budget: 10,
    members_with_roles: [{ role: "user", user_id: "carol" }],
  });
  const key = (await h.call("POST", "/key/generate", { team_id: "t-a", key_alias: "ka" })).body;

  const upd = await h.call("POST", "/team/update", {
    team_id: "t-a",
    max_budget: 20,
    budget_duration: "1d",
    blocked: true,
  });
  assert.equal(upd.status, 200);
  assert.equal(upd.body.team_id, "t-a");
  assert.equal(upd.body.data.max_budget, 20);
  assert.equal(upd.body.data.budget_reset_at, "2025-06-16T12:00:00.000Z");
  assert.equal(upd.body.data.blocked, true);
  assert.equal(upd.body.data.team_alias, "alpha");
  assert.equal((await h.call("POST", "/team/update", { team_id: "ghost" })).status, 404);
  assert.equal((await h.call("POST", "/team/update", {})).body.error.param, "team_id");

  const info = await h.call("GET", "/team/info?team_id=t-a");
  assert.equal(info.status, 200);
  assert.equal(info.body.team_id, "t-a");
  assert.equal(info.body.team_info.max_budget, 20);
  assert.deepEqual(info.body.team_info.members_with_roles, [
    { user_id: "carol", role: "user", user_email: null },
  ]);
  assert.deepEqual(info.body.keys.map((k: { token: string }) => k.token), [key.token]);
  assert.deepEqual(info.body.team_memberships, []);
  assert.equal((await h.call("GET", "/team/info?team_id=ghost")).status, 404);
  assert.equal((await h.call("GET", "/team/info")).status, 400);

  const list = await h.call("GET", "/team/list");
  assert.deepEqual(list.body.map((t: { team_alias: string }) => t.team_alias), ["alpha", "beta"]);
  assert.equal(list.body[0].keys.length, 1);
  const carols = await h.call("GET", "/team/list?user_id=carol");
  assert.deepEqual(carols.body.map((t: { team_id: string }) => t.team_id), ["t-a"]);

  const block = await h.call("POST", "/team/unblock", { team_id: "t-a" });
  assert.equal(block.body.blocked, false);
});

Deno.test("/team/member_add creates absent users, by id or email, one or many; duplicates are 400", async () => {
  await using h = await harness();
  await h.call("POST", "/team/new", { team_id: "tm" });
  await h.call("POST", "/user/new", {
    user_id: "dave",
    user_email: "Dave@Example.com",
    auto_create_key: false,
  });

  const one = await h.call("POST", "/team/member_add", {
    team_id: "tm",
    member: { role: "admin", user_id: "erin" },
  });
  assert.equal(one.status, 200);
  assert.equal(one.body.team_id, "tm");
  assert.deepEqual(one.body.members_with_roles, [{
    user_id: "erin",
    role: "admin",
    user_email: null,
  }]);
  assert.equal(one.body.updated_users.length, 1);
  assert.equal(one.body.updated_users[0].user_id, "erin");
  assert.deepEqual(one.body.updated_users[0].teams, ["tm"]);
  assert.deepEqual(one.body.updated_team_memberships, []);

  const many = await h.call("POST", "/team/member_add", {
    team_id: "tm",
    member: [
      { role: "user", user_email: "dave@example.com" },
      { role: "user", user_email: "new@example.com" },
    ],
  });
  assert.equal(many.status, 200);
  const ids = many.body.members_with_roles.map((m: { user_id: string }) => m.user_id);
  assert.equal(ids.length, 3);
  assert.equal(ids[1], "dave", "found by email, case-insensitively");
  const created = await h.store.getUser(ids[2]);
  assert.equal(created?.user_email, "new@example.com");
  assert.deepEqual(created?.teams, ["tm"]);
  assert.deepEqual((await h.store.getUser("dave"))?.teams, ["tm"]);

  const dup = await h.call("POST", "/team/member_add", {
    team_id: "tm",
    member: { role: "user", user_id: "erin" },
  });
  assert.equal(dup.status, 400);
  assert.match(dup.body.error.message, /already in team/);
  const ghost = await h.call("POST", "/team/member_add", {
    team_id: "ghost",
    member: { role: "user", user_id: "erin" },
  });
  assert.equal(ghost.status, 404);

  const removed = await h.call("POST", "/team/member_delete", { team_id: "tm", user_id: "erin" });
  assert.equal(removed.status, 200);
  assert.equal(removed.body.members_with_roles.length, 2);
  assert.deepEqual((await h.store.getUser("erin"))?.teams, []);
  const notMember = await h.call("POST", "/team/member_delete", { team_id: "tm", user_id: "erin" });
  assert.equal(notMember.status, 400);
});

Deno.test("/team/delete deletes the teams and their keys, and leaves members' teams lists clean", async () => {
  await using h = await harness();
  await h.call("POST", "/team/new", {
    team_id: "gone",
    members_with_roles: [{ role: "user", user_id: "frank" }],
  });
  await h.call("POST", "/team/new", { team_id: "stays" });
  const teamKey = (await h.call("POST", "/key/generate", { team_id: "gone" })).body;
  const otherKey = (await h.call("POST", "/key/generate", { team_id: "stays" })).body;

  const missing = await h.call("POST", "/team/delete", { team_ids: ["gone", "ghost"] });
  assert.equal(missing.status, 404);
  assert.ok(await h.store.getTeam("gone"), "nothing deleted when one id is unknown");

  const res = await h.call("POST", "/team/delete", { team_ids: ["gone"] });
  assert.equal(res.status, 200);
  assert.deepEqual(res.body, { deleted_teams: ["gone"] });
  assert.equal(await h.store.getTeam("gone"), undefined);
  assert.equal(await h.store.getKey(teamKey.token), undefined);
  assert.ok(await h.store.getKey(otherKey.token));
  assert.deepEqual((await h.store.getUser("frank"))?.teams, []);
});

// ---------------------------------------------------------------------------
// Users

Deno.test("/user/new makes the user and, as LiteLLM, a key for them (shown once)", async () => {
  await using h = await harness();
  await h.call("POST", "/team/new", { team_id: "ut", team_alias: "users team" });
  const res = await h.call("POST", "/user/new", {
    user_id: "grace",
    user_email: "grace@example.com",
    user_alias: "Grace H.",
    user_role: "internal_user_viewer",
    max_budget: 30,
    budget_duration: "2w",
    models: ["gpt-4o"],
    teams: ["ut"],
    metadata: { dept: "eng" },
    key_alias: "grace-key",
    duration: "30d",
  });
  assert.equal(res.status, 200);
  const u = res.body;
  assert.equal(u.user_id, "grace");
  assert.equal(u.user_email, "grace@example.com");
  assert.equal(u.user_alias, "Grace H.");
  assert.equal(u.user_role, "internal_user_viewer");
  assert.equal(u.max_budget, 30);
  assert.equal(u.budget_duration, "2w");
  assert.equal(u.budget_reset_at, "2025-06-29T12:00:00.000Z");
  assert.deepEqual(u.models, ["gpt-4o"]);
  assert.deepEqual(u.teams, ["ut"]);
  assert.equal(u.metadata.dept, "eng");
  assert.equal(u.currency, "ZAR");
  assert.match(u.key, /^sk-[0-9A-Za-z]{32,}$/);
  assert.equal(u.token, await sha256Hex(u.key));
  assert.equal(u.key_alias, "grace-key");
  assert.equal(u.expires, "2025-07-15T12:00:00.000Z");

  const key = await h.store.getKey(u.token);
  assert.equal(key?.user_id, "grace");
  assert.deepEqual(key?.models, ["gpt-4o"]);
  const team = await h.store.getTeam("ut");
  assert.deepEqual(team?.members_with_roles, [{ user_id: "grace", role: "user" }]);

  const noKey = await h.call("POST", "/user/new", {
    user_email: "henry@example.com",
    auto_create_key: false,
  });
  assert.equal(noKey.status, 200);
  assert.equal(noKey.body.key, "");
  assert.equal(noKey.body.token, null);
  assert.match(noKey.body.user_id, /^[0-9a-f-]{36}$/);
  assert.equal(noKey.body.user_role, "internal_user");
  assert.equal((await h.store.listKeys({ user_id: noKey.body.user_id })).length, 0);
});

Deno.test("/user/new: duplicate id or email is a 409; an unknown team is a 400 and writes nothing", async () => {
  await using h = await harness();
  await h.call("POST", "/user/new", { user_id: "ivan", user_email: "ivan@example.com" });
  const dupId = await h.call("POST", "/user/new", { user_id: "ivan" });
  assert.equal(dupId.status, 409);
  assert.equal(dupId.body.error.param, "user_id");
  const dupEmail = await h.call("POST", "/user/new", { user_email: "IVAN@example.com" });
  assert.equal(dupEmail.status, 409);
  assert.equal(dupEmail.body.error.param, "user_email");
  const badTeam = await h.call("POST", "/user/new", { user_id: "judy", teams: ["ghost"] });
  assert.equal(badTeam.status, 400);
  assert.equal(badTeam.body.error.param, "teams");
  assert.equal(await h.store.getUser("judy"), undefined);
  assert.equal((await h.store.listKeys()).length, 1);
});

Deno.test("/user/info returns user_info, keys and teams; /user/update and /user/list", async () => {
  await using h = await harness();
  await h.call("POST", "/team/new", {
    team_id: "kt",
    members_with_roles: [{ role: "admin", user_id: "kim" }],
  });
  await h.call("POST", "/user/update", { user_id: "kim", max_budget: 3, user_alias: "K" });
  const extra =
    (await h.call("POST", "/key/generate", { user_id: "kim", key_alias: "kim-2" })).body;

  const info = await h.call("GET", "/user/info?user_id=kim");
  assert.equal(info.status, 200);
  assert.equal(info.body.user_id, "kim");
  assert.equal(info.body.user_info.max_budget, 3);
  assert.equal(info.body.user_info.user_alias, "K");
  assert.deepEqual(info.body.keys.map((k: { token: string }) => k.token), [extra.token]);
  assert.deepEqual(info.body.teams.map((t: { team_id: string }) => t.team_id), ["kt"]);
  assert.equal((await h.call("GET", "/user/info?user_id=ghost")).status, 404);
  assert.equal((await h.call("GET", "/user/info")).body.error.param, "user_id");

  const upd = await h.call("POST", "/user/update", { user_id: "kim", budget_duration: "1d" });
  assert.equal(upd.body.user_id, "kim");
  assert.equal(upd.body.data.budget_reset_at, "2025-06-16T12:00:00.000Z");
  assert.equal((await h.call("POST", "/user/update", { user_id: "ghost" })).status, 404);
  await h.call("POST", "/user/new", { user_id: "lee", user_email: "lee@example.com" });
  const taken = await h.call("POST", "/user/update", {
    user_id: "kim",
    user_email: "LEE@example.com",
  });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.error.param, "user_email");
  const byEmail = await h.call("POST", "/user/update", {
    user_email: "lee@example.com",
    max_budget: 9,
  });
  assert.equal(byEmail.body.user_id, "lee");
  assert.equal(byEmail.body.data.max_budget, 9);

  const list = await h.call("GET", "/user/list?page_size=1&page=2");
  assert.equal(list.status, 200);
  assert.equal(list.body.total, 2);
  assert.equal(list.body.page, 2);
  assert.equal(list.body.page_size, 1);
  assert.equal(list.body.total_pages, 2);
  assert.equal(list.body.users.length, 1);
  const inTeam = await h.call("GET", "/user/list?team=kt");
  assert.deepEqual(inTeam.body.users.map((u: { user_id: string }) => u.user_id), ["kim"]);
});

// ---------------------------------------------------------------------------
// Spend

async function seedSpend(h: Harness): Promise<{ keyA: string; keyB: string; rawA: string }> {
  await h.call("POST", "/team/new", { team_id: "team-x", team_alias: "Team X" });
  const a = (await h.call("POST", "/key/generate", { team_id: "team-x", user_id: "uma" })).body;
  const b = (await h.call("POST", "/key/generate", { user_id: "vic" })).body;
  await h.store.recordSpend(
    [
      spendRow({
        request_id: "r1",
        api_key: a.token,
        key_alias: null,
        team_id: "team-x",
        user_id: "uma",
      }),
      spendRow({
        request_id: "r2",
        api_key: a.token,
        team_id: "team-x",
        user_id: "uma",
        model_group: "claude",
        model: "claude-sonnet-4",
        provider: "anthropic",
        spend: 0.36,
        spend_usd: 0.02,
        start_time: "2025-06-10T18:00:00.000Z",
        end_time: "2025-06-10T18:00:02.000Z",
        ttft_ms: 250,
        cache_hit: true,
      }),
      spendRow({
        request_id: "r3",
        api_key: b.token,
        user_id: "vic",
        start_time: "2025-06-11T08:00:00.000Z",
        end_time: "2025-06-11T08:00:01.000Z",
        status: 429,
      }),
      spendRow({
        request_id: "r4",
        start_time: "2025-06-12T23:59:59.000Z",
        end_time: "2025-06-13T00:00:00.500Z",
        spend: 1.8,
        spend_usd: 0.1,
      }),
    ],
    [],
  );
  return { keyA: a.token, keyB: b.token, rawA: a.key };
}

Deno.test("/spend/logs returns LiteLLM-shaped rows with llmux's currency fields", async () => {
  await using h = await harness();
  const { keyA } = await seedSpend(h);
  const res = await h.call("GET", "/spend/logs?request_id=r2");
  assert.equal(res.status, 200);
  assert.equal(res.body.length, 1);
  assert.deepEqual(res.body[0], {
    request_id: "r2",
    api_key: keyA,
    spend: 0.36,
    total_tokens: 15,
    prompt_tokens: 10,
    completion_tokens: 5,
    startTime: "2025-06-10T18:00:00.000Z",
    endTime: "2025-06-10T18:00:02.000Z",
    completionStartTime: "2025-06-10T18:00:00.250Z",
    model: "claude-sonnet-4",
    model_group: "claude",
    model_id: "dep-1",
    custom_llm_provider: "anthropic",
    user: "uma",
    team_id: "team-x",
    cache_hit: "True",
    status: "success",
    metadata: {
      user_api_key: keyA,
      user_api_key_alias: null,
      user_api_key_team_id: "team-x",
      user_api_key_user_id: "uma",
    },
    spend_usd: 0.02,
    currency: "ZAR",
    fx_rate: 18,
    cached_tokens: 0,
    latency_ms: 120,
    ttft_ms: 250,
    http_status: 200,
  });
});

Deno.test("/spend/logs filters: api_key (key or hash), user_id, team_id, model, dates", async () => {
  await using h = await harness();
  const { keyA, rawA } = await seedSpend(h);
  const ids = async (query: string) =>
    (await h.call("GET", `/spend/logs${query}`)).body.map((r: { request_id: string }) =>
      r.request_id
    );
  assert.deepEqual(await ids(""), ["r4", "r3", "r2", "r1"], "newest first");
  assert.deepEqual(await ids(`?api_key=${keyA}`), ["r2", "r1"]);
  assert.deepEqual(await ids(`?api_key=${rawA}`), ["r2", "r1"]);
  assert.deepEqual(await ids("?user_id=vic"), ["r3"]);
  assert.deepEqual(await ids("?team_id=team-x"), ["r2", "r1"]);
  assert.deepEqual(await ids("?model=claude"), ["r2"]);
  assert.deepEqual(
    await ids("?start_date=2025-06-11&end_date=2025-06-12&summarize=false"),
    ["r4", "r3"],
    "end day included",
  );
  assert.deepEqual(await ids("?start_date=2025-06-10T12:00:00Z"), ["r4", "r3", "r2"]);
  assert.deepEqual(await ids("?end_date=2025-06-10T12:00:00Z"), ["r1"], "ISO end is exclusive");
  assert.deepEqual(await ids("?limit=1"), ["r4"]);
  assert.deepEqual(await ids("?user_id=nobody"), []);
  const failed = (await h.call("GET", "/spend/logs?request_id=r3")).body[0];
  assert.equal(failed.status, "failure");
  assert.equal(failed.http_status, 429);
  const master = (await h.call("GET", "/spend/logs?request_id=r4")).body[0];
  assert.equal(master.api_key, "");
  assert.equal(master.user, "");
});

Deno.test("/spend/logs with both dates summarizes by day unless summarize=false (LiteLLM)", async () => {
  await using h = await harness();
  const { keyA, keyB } = await seedSpend(h);
  const res = await h.call("GET", "/spend/logs?start_date=2025-06-10&end_date=2025-06-14");
  assert.equal(res.status, 200);
  const days = res.body as Record<string, unknown>[];
  assert.deepEqual(days.map((d) => d.startTime), [
    "2025-06-10",
    "2025-06-11",
    "2025-06-12",
    "2025-06-13",
    "2025-06-14",
  ]);
  const [d10, d11, d12, d13] = days;
  assert.ok(Math.abs((d10.spend as number) - 0.54) < 1e-9, String(d10.spend));
  assert.ok(Math.abs((d10[keyA] as number) - 0.54) < 1e-9);
  assert.deepEqual(Object.keys(d10.models as object).sort(), [
    "claude-sonnet-4",
    "gpt-4o-2024-08-06",
  ]);
  assert.deepEqual(Object.keys(d10.users as object), ["uma"]);
  assert.equal(typeof d11[keyB], "number");
  assert.deepEqual(Object.keys(d11.users as object), ["vic"]);
  assert.equal(d12.spend, 1.8);
  assert.deepEqual(d12.users, { "": 1.8 });
  assert.deepEqual(d13, { startTime: "2025-06-13", spend: 0, users: {}, models: {} });

  const rows = await h.call(
    "GET",
    "/spend/logs?start_date=2025-06-10&end_date=2025-06-14&summarize=false",
  );
  assert.equal(rows.body.length, 4);
  assert.equal(rows.body[0].request_id, "r4");
  const bad = await h.call(
    "GET",
    "/spend/logs?start_date=2025-06-10&end_date=2025-06-14&summarize=maybe",
  );
  assert.equal(bad.status, 400);
  assert.match(bad.body.error.message, /summarize/);
});

Deno.test("/global/spend/report groups by day and team (default), with LiteLLM's shape", async () => {
  await using h = await harness();
  const { keyA, keyB } = await seedSpend(h);
  const res = await h.call("GET", "/global/spend/report?start_date=2025-06-01&end_date=2025-06-30");
  assert.equal(res.status, 200);
  assert.deepEqual(res.body.map((d: { group_by_day: string }) => d.group_by_day), [
    "2025-06-10T00:00:00+00:00",
    "2025-06-11T00:00:00+00:00",
    "2025-06-12T00:00:00+00:00",
  ]);
  const day1 = res.body[0];
  assert.equal(day1.currency, "ZAR");
  assert.equal(day1.teams.length, 1);
  const team = day1.teams[0];
  assert.equal(team.team_name, "Team X");
  assert.equal(team.team_id, "team-x");
  assert.ok(Math.abs(team.total_spend - 0.54) < 1e-9);
  assert.ok(Math.abs(team.total_spend_usd - 0.03) < 1e-9);
  assert.deepEqual(team.metadata.map((m: { model: string }) => m.model), [
    "claude-sonnet-4",
    "gpt-4o-2024-08-06",
  ]);
  assert.deepEqual(team.metadata[0], {
    model: "claude-sonnet-4",
    model_group: "claude",
    api_key: keyA,
    spend: 0.36,
    spend_usd: 0.02,
    total_tokens: 15,
  });
  assert.equal(res.body[1].teams[0].team_name, "Unassigned Team");
  assert.equal(res.body[1].teams[0].metadata[0].api_key, keyB);
  assert.equal(res.body[2].teams[0].metadata[0].api_key, "");

  const narrow = await h.call(
    "GET",
    "/global/spend/report?start_date=2025-06-11&end_date=2025-06-11",
  );
  assert.deepEqual(narrow.body.map((d: { group_by_day: string }) => d.group_by_day), [
    "2025-06-11T00:00:00+00:00",
  ]);
  const teamOnly = await h.call(
    "GET",
    "/global/spend/report?start_date=2025-06-01&end_date=2025-06-30&team_id=team-x",
  );
  assert.equal(teamOnly.body.length, 1);
});

Deno.test("/global/spend/report: group_by customer, user, model, api_key; api_key and internal_user_id filters", async () => {
  await using h = await harness();
  const { keyA, keyB, rawA } = await seedSpend(h);
  const base = "/global/spend/report?start_date=2025-06-01&end_date=2025-06-30";

  const customers = (await h.call("GET", `${base}&group_by=customer`)).body;
  assert.equal(customers[0].customers[0].customer, "uma");
  assert.ok(Math.abs(customers[0].customers[0].total_spend - 0.54) < 1e-9);
  assert.equal(customers[2].customers[0].customer, null);

  const users = (await h.call("GET", `${base}&group_by=user`)).body;
  assert.deepEqual(users[1].users.map((u: { user_id: string }) => u.user_id), ["vic"]);

  const models = (await h.call("GET", `${base}&group_by=model`)).body;
  assert.deepEqual(models[0].models.map((m: { model: string }) => m.model), ["claude", "gpt-4o"]);
  assert.equal(models[0].models[0].metadata[0].api_key, keyA);

  const keys = (await h.call("GET", `${base}&group_by=api_key`)).body;
  assert.deepEqual(keys.map((k: { api_key: string }) => k.api_key), ["", keyA, keyB]);
  const a = keys[1];
  assert.ok(Math.abs(a.total_cost - 0.54) < 1e-9);
  assert.equal(a.total_input_tokens, 20);
  assert.equal(a.total_output_tokens, 10);
  assert.equal(a.currency, "ZAR");
  assert.deepEqual(a.model_details.map((d: { model: string }) => d.model), [
    "claude-sonnet-4",
    "gpt-4o-2024-08-06",
  ]);

  const oneKey = (await h.call("GET", `${base}&api_key=${rawA}`)).body;
  assert.deepEqual(oneKey.map((k: { api_key: string }) => k.api_key), [keyA]);
  const oneUser = (await h.call("GET", `${base}&internal_user_id=vic`)).body;
  assert.deepEqual(oneUser.map((k: { api_key: string }) => k.api_key), [keyB]);

  const none = await h.call("GET", "/global/spend/report");
  assert.equal(none.status, 400);
  assert.equal(none.body.error.message, "Please provide start_date and end_date");
});

Deno.test("a report that reads more rows than reportRowLimit says it is truncated", async () => {
  const store = await openStore("sqlite::memory:");
  const app = new Hono<AdminEnv>();
  app.use("*", async (c, next) => {
    c.set("principal", ADMIN);
    await next();
  });
  app.route("/", createAdminRoutes({ store, reportRowLimit: 2 }));
  await store.recordSpend(
    [1, 2, 3].map((i) => spendRow({ request_id: `t${i}` })),
    [],
  );
  const res = await app.request("/global/spend/report?start_date=2025-06-01&end_date=2025-06-30");
  assert.equal(res.headers.get("x-llmux-report-truncated"), "true");
  const body = await res.json();
  assert.equal(body[0].currency, "USD", "default currency");
  await store.close();
});
