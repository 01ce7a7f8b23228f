/**
 * The one behaviour suite every {@linkcode Store} backend must pass. Each
 * backend test file calls {@linkcode storeSuite} with a harness that opens
 * fresh, empty, migrated stores; every case gets its own store.
 *
 * @module
 */

import assert from "node:assert/strict";
import {
  type OpenStoreOptions,
  type SpendIncrement,
  type SpendLog,
  type Store,
  StoreConflictError,
} from "../../src/store/mod.ts";
import { incrementOf, ManualClock, newKey, newTeam, newUser, spendLog } from "./_fixtures.ts";

/** A store opened for one test case. */
export interface OpenedStore {
  /** The fresh, migrated store. */
  readonly store: Store;
  /** Open another store on the same database (absent for `:memory:`). */
  readonly reopen?: (options?: OpenStoreOptions) => Promise<Store>;
  /** Make every later update of a team's spend fail (atomicity test; optional). */
  readonly breakTeamCounters?: () => Promise<void>;
  /** Close the store and delete its database. */
  dispose(): Promise<void>;
}

/** Opens fresh stores of one backend. */
export interface StoreHarness {
  /** Open a fresh, empty, migrated store using `now` as its clock. */
  open(options: { now: () => Date }): Promise<OpenedStore>;
}

interface CaseContext {
  store: Store;
  clock: ManualClock;
  opened: OpenedStore;
}

interface Case {
  name: string;
  fn: (ctx: CaseContext) => Promise<void>;
}

const DAY = 86_400_000;

const CASES: Case[] = [
  {
    name: "migrate() is idempotent and reopening keeps the data",
    async fn({ store, opened }) {
      await store.migrate();
      await store.migrate();
      await store.createKey(newKey("k1"));
      if (opened.reopen === undefined) return;
      const again = await opened.reopen();
      try {
        await again.migrate();
        assert.equal((await again.getKey("k1"))?.token, "k1");
      } finally {
        await again.close();
      }
      // A database newer than the code is refused, not silently used.
      await assert.rejects(opened.reopen({ migrations: [] }), /newer than this llmux knows/);
    },
  },
  {
    name: "createKey() fills store-owned fields and getKey() returns the same entity",
    async fn({ store, clock }) {
      const created = await store.createKey(newKey("k1", {
        key_alias: "ci",
        models: ["gpt-4o", "claude"],
        metadata: { owner: "ci", nested: { list: [1, true, null] } },
        team_id: "t1",
        user_id: "u1",
        admin: true,
        max_budget: 12.5,
        soft_budget: 10,
        budget_duration: "30d",
        budget_reset_at: "2025-03-31T00:00:00+02:00",
        rpm_limit: 60,
        tpm_limit: 5_000_000_000,
        max_parallel_requests: 4,
        expires: "2026-01-01T00:00:00Z",
      }));
      assert.deepEqual(created, {
        ...newKey("k1"),
        key_alias: "ci",
        models: ["gpt-4o", "claude"],
        metadata: { owner: "ci", nested: { list: [1, true, null] } },
        team_id: "t1",
        user_id: "u1",
        admin: true,
        max_budget: 12.5,
        soft_budget: 10,
        budget_duration: "30d",
        budget_reset_at: "2025-03-30T22:00:00.000Z",
        rpm_limit: 60,
        tpm_limit: 5_000_000_000,
        max_parallel_requests: 4,
        expires: "2026-01-01T00:00:00.000Z",
        spend: 0,
        alerts_sent: [],
        created_at: clock.iso(),
        updated_at: clock.iso(),
      });
      assert.deepEqual(await store.getKey("k1"), created);
      assert.equal(await store.getKey("missing"), undefined);
      const withSpend = await store.createKey({ ...newKey("k2"), spend: 3 });
      assert.equal(withSpend.spend, 3);
    },
  },
  {
    name: "createKey() rejects a duplicate token or alias with StoreConflictError",
    async fn({ store }) {
      await store.createKey(newKey("k1", { key_alias: "a" }));
      await store.createKey(newKey("k2")); // null aliases never collide
      await store.createKey(newKey("k3"));
      await assert.rejects(store.createKey(newKey("k1")), (error: unknown) => {
        assert.ok(error instanceof StoreConflictError);
        assert.equal(error.field, "token");
        assert.equal(error.status, 400);
        return true;
      });
      await assert.rejects(store.createKey(newKey("k4", { key_alias: "a" })), (error: unknown) => {
        assert.ok(error instanceof StoreConflictError);
        assert.equal(error.field, "key_alias");
        return true;
      });
      assert.equal((await store.listKeys()).length, 3);
    },
  },
  {
    name: "createKey() validates fields with TypeErrors",
    async fn({ store }) {
      const bad: [string, Record<string, unknown>][] = [
        ["models", { models: "gpt-4o" }],
        ["metadata", { metadata: [] }],
        ["expires", { expires: "not a date" }],
        ["max_budget", { max_budget: Number.NaN }],
        ["rpm_limit", { rpm_limit: 1.5 }],
        ["blocked", { blocked: "no" }],
      ];
      for (const [field, patch] of bad) {
        await assert.rejects(
          store.createKey({ ...newKey("k1"), ...patch } as never),
          (error: unknown) => error instanceof TypeError && error.message.includes(field),
          field,
        );
      }
      await assert.rejects(store.createKey(newKey("")), TypeError);
      assert.equal((await store.listKeys()).length, 0);
    },
  },
  {
    name: "getKeyByAlias() finds a key by alias",
    async fn({ store }) {
      await store.createKey(newKey("k1", { key_alias: "one" }));
      await store.createKey(newKey("k2", { key_alias: "two" }));
      assert.equal((await store.getKeyByAlias("two"))?.token, "k2");
      assert.equal(await store.getKeyByAlias("three"), undefined);
    },
  },
  {
    name: "updateKey() patches fields, bumps updated_at and rejects bad patches",
    async fn({ store, clock }) {
      await store.createKey(newKey("k1", { key_alias: "one", models: ["a"] }));
      await store.createKey(newKey("k2", { key_alias: "two" }));
      const createdAt = clock.iso();
      clock.advance(5000);
      const updated = await store.updateKey("k1", {
        models: ["a", "b"],
        metadata: { tier: "gold" },
        blocked: true,
        spend: 1.5,
        alerts_sent: [50, 80],
        budget_reset_at: "2025-04-01T00:00:00Z",
        key_alias: null,
        max_budget: undefined, // undefined fields are left alone
      });
      assert.ok(updated !== undefined);
      assert.deepEqual(updated.models, ["a", "b"]);
      assert.deepEqual(updated.metadata, { tier: "gold" });
      assert.equal(updated.blocked, true);
      assert.equal(updated.spend, 1.5);
      assert.deepEqual(updated.alerts_sent, [50, 80]);
      assert.equal(updated.budget_reset_at, "2025-04-01T00:00:00.000Z");
      assert.equal(updated.key_alias, null);
      assert.equal(updated.created_at, createdAt);
      assert.equal(updated.updated_at, clock.iso());
      assert.deepEqual(await store.getKey("k1"), updated);

      assert.deepEqual(await store.updateKey("k1", {}), updated);
      assert.equal(await store.updateKey("missing", { blocked: true }), undefined);
      await assert.rejects(store.updateKey("k1", { key_alias: "two" }), StoreConflictError);
      await assert.rejects(
        store.updateKey("k1", { nope: 1 } as never),
        /unknown field "nope"/,
      );
      await assert.rejects(
        store.updateKey("k1", { token: "x" } as never),
        /field "token" cannot be changed/,
      );
      await assert.rejects(store.updateKey("k1", { models: null } as never), TypeError);
      assert.deepEqual(await store.getKey("k1"), updated);
    },
  },
  {
    name: "replaceKeyToken() moves a key to a new hash and keeps everything else",
    async fn({ store, clock }) {
      await store.createKey({ ...newKey("old", { key_alias: "ci", team_id: "t1" }), spend: 2 });
      await store.createKey(newKey("other"));
      clock.advance(1000);
      const replaced = await store.replaceKeyToken("old", { token: "new", key_name: "sk-...NEW" });
      assert.ok(replaced !== undefined);
      assert.equal(replaced.token, "new");
      assert.equal(replaced.key_name, "sk-...NEW");
      assert.equal(replaced.key_alias, "ci");
      assert.equal(replaced.team_id, "t1");
      assert.equal(replaced.spend, 2);
      assert.equal(replaced.updated_at, clock.iso());
      assert.equal(await store.getKey("old"), undefined);
      assert.deepEqual(await store.getKey("new"), replaced);
      assert.equal(await store.replaceKeyToken("old", { token: "x", key_name: "x" }), undefined);
      await assert.rejects(
        store.replaceKeyToken("new", { token: "other", key_name: "x" }),
        StoreConflictError,
      );
      await assert.rejects(store.replaceKeyToken("new", { token: "", key_name: "x" }), TypeError);
    },
  },
  {
    name: "deleteKeys() deletes and returns only the keys that existed",
    async fn({ store }) {
      for (const token of ["k1", "k2", "k3"]) await store.createKey(newKey(token));
      assert.deepEqual((await store.deleteKeys(["k1", "k3", "zz", "k1"])).sort(), ["k1", "k3"]);
      assert.deepEqual(await store.deleteKeys([]), []);
      assert.deepEqual((await store.listKeys()).map((k) => k.token), ["k2"]);
    },
  },
  {
    name: "listKeys() filters by team, user and alias, oldest first",
    async fn({ store, clock }) {
      await store.createKey(newKey("b", { team_id: "t1", user_id: "u1" }));
      clock.advance(1);
      await store.createKey(newKey("a", { team_id: "t1", user_id: "u2", key_alias: "x" }));
      clock.advance(1);
      await store.createKey(newKey("c", { team_id: "t2", user_id: "u1" }));
      const tokens = async (filter?: Parameters<Store["listKeys"]>[0]) =>
        (await store.listKeys(filter)).map((k) => k.token);
      assert.deepEqual(await tokens(), ["b", "a", "c"]);
      assert.deepEqual(await tokens({ team_id: "t1" }), ["b", "a"]);
      assert.deepEqual(await tokens({ user_id: "u1" }), ["b", "c"]);
      assert.deepEqual(await tokens({ team_id: "t1", user_id: "u1" }), ["b"]);
      assert.deepEqual(await tokens({ key_alias: "x" }), ["a"]);
      assert.deepEqual(await tokens({ team_id: "none" }), []);
    },
  },
  {
    name: "teams: create, get, update, list and delete",
    async fn({ store, clock }) {
      const members = [{ user_id: "u1", role: "admin" as const }, {
        user_id: "u2",
        role: "user" as const,
      }];
      const team = await store.createTeam(newTeam("t1", {
        team_alias: "Platform",
        members_with_roles: members,
        max_budget: 100,
        metadata: { cost_center: 42 },
      }));
      assert.deepEqual(team, {
        ...newTeam("t1"),
        team_alias: "Platform",
        members_with_roles: members,
        max_budget: 100,
        metadata: { cost_center: 42 },
        spend: 0,
        alerts_sent: [],
        created_at: clock.iso(),
        updated_at: clock.iso(),
      });
      assert.deepEqual(await store.getTeam("t1"), team);
      assert.equal(await store.getTeam("t9"), undefined);
      await assert.rejects(store.createTeam(newTeam("t1")), (error: unknown) => {
        assert.ok(error instanceof StoreConflictError);
        assert.equal(error.field, "team_id");
        return true;
      });
      clock.advance(10);
      await store.createTeam(newTeam("t0"));
      const updated = await store.updateTeam("t1", { blocked: true, members_with_roles: [] });
      assert.equal(updated?.blocked, true);
      assert.deepEqual(updated?.members_with_roles, []);
      assert.equal(updated?.updated_at, clock.iso());
      assert.equal(await store.updateTeam("t9", { blocked: true }), undefined);
      await assert.rejects(store.updateTeam("t1", { team_id: "x" } as never), TypeError);
      assert.deepEqual((await store.listTeams()).map((t) => t.team_id), ["t1", "t0"]);
      assert.deepEqual(await store.deleteTeams(["t1", "t9"]), ["t1"]);
      assert.deepEqual(await store.deleteTeams([]), []);
      assert.deepEqual((await store.listTeams()).map((t) => t.team_id), ["t0"]);
    },
  },
  {
    name: "users: create, get, update and list",
    async fn({ store, clock }) {
      const user = await store.createUser(newUser("u1", {
        user_email: "a@example.com",
        user_role: "proxy_admin",
        teams: ["t1", "t2"],
      }));
      assert.deepEqual(user, {
        ...newUser("u1"),
        user_email: "a@example.com",
        user_role: "proxy_admin",
        teams: ["t1", "t2"],
        spend: 0,
        alerts_sent: [],
        created_at: clock.iso(),
        updated_at: clock.iso(),
      });
      assert.deepEqual(await store.getUser("u1"), user);
      assert.equal(await store.getUser("u9"), undefined);
      await assert.rejects(store.createUser(newUser("u1")), StoreConflictError);
      clock.advance(1);
      await store.createUser(newUser("u0"));
      const updated = await store.updateUser("u1", { teams: [], max_budget: 3 });
      assert.deepEqual(updated?.teams, []);
      assert.equal(updated?.max_budget, 3);
      assert.equal(await store.updateUser("u9", { max_budget: 3 }), undefined);
      assert.deepEqual((await store.listUsers()).map((u) => u.user_id), ["u1", "u0"]);
    },
  },
  {
    name: "recordSpend() writes rows and adds spend to key, team and user",
    async fn({ store }) {
      await store.createKey(newKey("k1", { team_id: "t1", user_id: "u1" }));
      await store.createTeam(newTeam("t1"));
      await store.createUser(newUser("u1"));
      const rows = [
        spendLog("r1", { api_key: "k1", team_id: "t1", user_id: "u1", spend: 0.25 }),
        spendLog("r2", { api_key: "k1", team_id: "t1", user_id: "u1", spend: 0.5 }),
        spendLog("r3", { api_key: null, team_id: null, user_id: null, spend: 8 }),
      ];
      await store.recordSpend(rows, rows.map(incrementOf));
      assert.equal((await store.getKey("k1"))?.spend, 0.75);
      assert.equal((await store.getTeam("t1"))?.spend, 0.75);
      assert.equal((await store.getUser("u1"))?.spend, 0.75);
      const logs = await store.querySpendLogs();
      assert.equal(logs.length, 3);
      assert.deepEqual(logs.find((l) => l.request_id === "r1"), rows[0]);
      // No rows: nothing to do.
      await store.recordSpend([], []);
    },
  },
  {
    name: "recordSpend() is idempotent: re-recorded rows add nothing",
    async fn({ store }) {
      await store.createKey(newKey("k1"));
      const batch = [
        spendLog("r1", { api_key: "k1", spend: 1 }),
        spendLog("r2", { api_key: "k1", spend: 2 }),
      ];
      await store.recordSpend(batch, batch.map(incrementOf));
      await store.recordSpend(batch, batch.map(incrementOf)); // a re-flush after a crash
      assert.equal((await store.getKey("k1"))?.spend, 3);
      // Overlapping batch: only the new row counts.
      const overlap = [batch[1], spendLog("r3", { api_key: "k1", spend: 4 })];
      await store.recordSpend(overlap, overlap.map(incrementOf));
      assert.equal((await store.getKey("k1"))?.spend, 7);
      // The same request twice in one batch counts once.
      const twice = [
        spendLog("r4", { api_key: "k1", spend: 16 }),
        spendLog("r4", { api_key: "k1", spend: 16 }),
      ];
      await store.recordSpend(twice, twice.map(incrementOf));
      assert.equal((await store.getKey("k1"))?.spend, 23);
      assert.equal((await store.querySpendLogs()).length, 4);
    },
  },
  {
    name: "recordSpend() ties increments by request_id, several per row",
    async fn({ store }) {
      await store.createKey(newKey("k1"));
      await store.createTeam(newTeam("t1"));
      await store.createTeam(newTeam("t2"));
      const rows = [spendLog("r1", { api_key: "k1", spend: 1 }), spendLog("r2", { spend: 2 })];
      const increments: SpendIncrement[] = [
        { request_id: "r2", api_key: null, team_id: "t2", user_id: null, spend: 2 },
        { request_id: "r1", api_key: "k1", team_id: null, user_id: null, spend: 1 },
        { request_id: "r1", api_key: null, team_id: "t1", user_id: null, spend: 0.5 },
      ];
      await store.recordSpend(rows, increments);
      await store.recordSpend(rows, increments);
      assert.equal((await store.getKey("k1"))?.spend, 1);
      assert.equal((await store.getTeam("t1"))?.spend, 0.5);
      assert.equal((await store.getTeam("t2"))?.spend, 2);
    },
  },
  {
    name: "recordSpend() rejects mismatched increments and invalid rows, writing nothing",
    async fn({ store }) {
      await store.createKey(newKey("k1"));
      const rows = [spendLog("r1", { api_key: "k1" }), spendLog("r2", { api_key: "k1" })];
      await assert.rejects(store.recordSpend(rows, [incrementOf(rows[0])]), TypeError);
      await assert.rejects(
        store.recordSpend(rows, [{ ...incrementOf(rows[0]), request_id: "nope" }]),
        /not in the batch/,
      );
      await assert.rejects(
        store.recordSpend(rows, [
          { ...incrementOf(rows[0]), request_id: "r1" },
          incrementOf(rows[1]),
        ]),
        /every increment names its request_id or none/,
      );
      const bad = [rows[0], { ...rows[1], start_time: "yesterday" }];
      await assert.rejects(store.recordSpend(bad, bad.map(incrementOf)), TypeError);
      await assert.rejects(
        store.recordSpend(rows, rows.map((r) => ({ ...incrementOf(r), spend: Infinity }))),
        TypeError,
      );
      assert.equal((await store.querySpendLogs()).length, 0);
      assert.equal((await store.getKey("k1"))?.spend, 0);
      // Increments for entities that do not exist are ignored.
      const orphan = [spendLog("r9", { api_key: "gone", team_id: "gone", user_id: "gone" })];
      await store.recordSpend(orphan, orphan.map(incrementOf));
      assert.equal((await store.querySpendLogs()).length, 1);
    },
  },
  {
    name: "recordSpend() is atomic: a failed counter update rolls back rows and counters",
    async fn({ store, opened }) {
      if (opened.breakTeamCounters === undefined) return;
      await store.createKey(newKey("k1"));
      await store.createTeam(newTeam("t1"));
      await opened.breakTeamCounters();
      const rows = [spendLog("r1", { api_key: "k1", team_id: "t1" }), spendLog("r2")];
      await assert.rejects(store.recordSpend(rows, rows.map(incrementOf)), /team counter broken/);
      assert.equal((await store.querySpendLogs()).length, 0);
      assert.equal((await store.getKey("k1"))?.spend, 0);
      // The store stays usable.
      await store.recordSpend([rows[1]], [incrementOf(rows[1])]);
      assert.equal((await store.querySpendLogs()).length, 1);
    },
  },
  {
    name: "recordSpend() from many concurrent callers keeps counters exact",
    async fn({ store }) {
      await store.createKey(newKey("k1", { team_id: "t1", user_id: "u1" }));
      await store.createKey(newKey("k2", { team_id: "t1", user_id: "u2" }));
      await store.createTeam(newTeam("t1"));
      await store.createUser(newUser("u1"));
      await store.createUser(newUser("u2"));
      const callers = 40;
      const batches: SpendLog[][] = [];
      for (let c = 0; c < callers; c++) {
        const batch: SpendLog[] = [];
        for (let i = 0; i < 5; i++) {
          // Request ids overlap between neighbouring callers (retries racing each other).
          const n = c * 4 + i;
          const key = n % 2 === 0 ? "k1" : "k2";
          batch.push(spendLog(`r${String(n).padStart(4, "0")}`, {
            api_key: key,
            team_id: "t1",
            user_id: key === "k1" ? "u1" : "u2",
            spend: 0.125,
          }));
        }
        // Alternate the order so writers would lock rows in different orders if unsorted.
        batches.push(c % 2 === 0 ? batch : batch.reverse());
      }
      await Promise.all(batches.map((batch) => store.recordSpend(batch, batch.map(incrementOf))));
      const unique = callers * 4 + 1;
      const logs = await store.querySpendLogs({ limit: 10_000 });
      assert.equal(logs.length, unique);
      const k1Rows = Math.ceil(unique / 2);
      assert.equal((await store.getKey("k1"))?.spend, k1Rows * 0.125);
      assert.equal((await store.getKey("k2"))?.spend, (unique - k1Rows) * 0.125);
      assert.equal((await store.getTeam("t1"))?.spend, unique * 0.125);
      assert.equal((await store.getUser("u1"))?.spend, k1Rows * 0.125);
      assert.equal((await store.getUser("u2"))?.spend, (unique - k1Rows) * 0.125);
    },
  },
  {
    name: "querySpendLogs() filters, orders newest first and limits",
    async fn({ store }) {
      const rows = [
        spendLog("a", { api_key: "k1", team_id: "t1", start_time: "2025-03-01T10:00:00Z" }),
        spendLog("b", { api_key: "k2", user_id: "u1", start_time: "2025-03-02T10:00:00Z" }),
        spendLog("c", { api_key: "k1", model_group: "claude", start_time: "2025-03-03T10:00Z" }),
        spendLog("d", { api_key: "k1", start_time: "2025-03-03T10:00:00Z" }),
      ];
      await store.recordSpend(rows, []);
      const ids = async (filter?: Parameters<Store["querySpendLogs"]>[0]) =>
        (await store.querySpendLogs(filter)).map((l) => l.request_id);
      assert.deepEqual(await ids(), ["d", "c", "b", "a"]);
      assert.deepEqual(await ids({ api_key: "k1" }), ["d", "c", "a"]);
      assert.deepEqual(await ids({ team_id: "t1" }), ["a"]);
      assert.deepEqual(await ids({ user_id: "u1" }), ["b"]);
      assert.deepEqual(await ids({ model_group: "claude" }), ["c"]);
      assert.deepEqual(await ids({ request_id: "b" }), ["b"]);
      assert.deepEqual(
        await ids({ start_date: "2025-03-02T10:00:00Z", end_date: "2025-03-03T10:00:00Z" }),
        ["b"],
      );
      assert.deepEqual(await ids({ start_date: "2025-03-02" }), ["d", "c", "b"]);
      assert.deepEqual(await ids({ limit: 2 }), ["d", "c"]);
      assert.deepEqual(await ids({ api_key: "k1", model_group: "gpt-4o" }), ["d", "a"]);
      await assert.rejects(store.querySpendLogs({ limit: 0 }), TypeError);
      await assert.rejects(store.querySpendLogs({ start_date: "soon" }), TypeError);
    },
  },
  {
    name: "spendReport() groups by UTC day and dimension",
    async fn({ store }) {
      const rows = [
        spendLog("1", {
          api_key: "k1",
          team_id: "t1",
          start_time: "2025-03-01T23:59:59.999Z",
          spend: 1,
          spend_usd: 2,
          prompt_tokens: 10,
          completion_tokens: 1,
        }),
        spendLog("2", {
          api_key: "k1",
          team_id: "t1",
          start_time: "2025-03-01T00:00:00.000Z",
          spend: 0.5,
          spend_usd: 1,
          prompt_tokens: 5,
          completion_tokens: 2,
        }),
        // Local midnight in UTC+2 is still 2025-03-01 in UTC.
        spendLog("3", { api_key: "k2", start_time: "2025-03-02T01:00:00+02:00", spend: 0.25 }),
        spendLog("4", { api_key: "k1", model_group: "claude", start_time: "2025-03-02T00:00:00Z" }),
      ];
      await store.recordSpend(rows, []);
      const byKey = await store.spendReport({ group_by: "api_key" });
      assert.deepEqual(byKey, [
        {
          date: "2025-03-01",
          group: "k1",
          requests: 2,
          prompt_tokens: 15,
          completion_tokens: 3,
          spend_usd: 3,
          spend: 1.5,
        },
        {
          date: "2025-03-01",
          group: "k2",
          requests: 1,
          prompt_tokens: 100,
          completion_tokens: 20,
          spend_usd: 0.25,
          spend: 0.25,
        },
        {
          date: "2025-03-02",
          group: "k1",
          requests: 1,
          prompt_tokens: 100,
          completion_tokens: 20,
          spend_usd: 0.25,
          spend: 0.25,
        },
      ]);
      const byTeam = await store.spendReport({ group_by: "team_id" });
      assert.deepEqual(
        byTeam.map((r) => [r.date, r.group, r.requests]),
        [["2025-03-01", "t1", 2], ["2025-03-01", null, 1], ["2025-03-02", null, 1]],
      );
      const byModel = await store.spendReport({
        group_by: "model_group",
        start_date: "2025-03-02T00:00:00Z",
      });
      assert.deepEqual(byModel.map((r) => [r.date, r.group, r.requests]), [
        ["2025-03-02", "claude", 1],
      ]);
      const forKey = await store.spendReport({ group_by: "user_id", api_key: "k2" });
      assert.deepEqual(forKey.map((r) => [r.date, r.group, r.spend]), [["2025-03-01", null, 0.25]]);
      assert.deepEqual(await store.spendReport({ group_by: "api_key", api_key: "none" }), []);
      await assert.rejects(store.spendReport({ group_by: "model" as never }), TypeError);
    },
  },
  {
    name: "resetBudgets() resets due entities and advances by whole periods",
    async fn({ store }) {
      const start = "2025-03-01T00:00:00.000Z";
      await store.createKey({
        ...newKey("due", { budget_duration: "1d", budget_reset_at: start }),
        spend: 5,
      });
      await store.updateKey("due", { alerts_sent: [50, 80] });
      await store.createKey({
        ...newKey("later", { budget_duration: "1d", budget_reset_at: "2025-03-10T00:00:00Z" }),
        spend: 1,
      });
      await store.createKey({ ...newKey("never"), spend: 9 });
      await store.createKey(newKey("unscheduled", { budget_duration: "1h" }));
      await store.createKey({
        ...newKey("once", { budget_duration: null, budget_reset_at: start }),
        spend: 2,
      });
      await store.createTeam({
        ...newTeam("t1", { budget_duration: "1mo", budget_reset_at: "2025-01-31T00:00:00Z" }),
        spend: 7,
      });
      await store.createUser({
        ...newUser("u1", { budget_duration: "30s", budget_reset_at: start }),
        spend: 3,
      });
      // Three and a half days late: the schedule keeps its phase.
      const now = new Date(Date.parse(start) + 3.5 * DAY);
      assert.equal(await store.resetBudgets(now), 4);

      const due = await store.getKey("due");
      assert.equal(due?.spend, 0);
      assert.deepEqual(due?.alerts_sent, []);
      assert.equal(due?.budget_reset_at, "2025-03-05T00:00:00.000Z");
      assert.equal((await store.getKey("later"))?.spend, 1);
      assert.equal((await store.getKey("later"))?.budget_reset_at, "2025-03-10T00:00:00.000Z");
      assert.equal((await store.getKey("never"))?.spend, 9);
      assert.equal(
        (await store.getKey("unscheduled"))?.budget_reset_at,
        "2025-03-04T13:00:00.000Z",
      );
      assert.equal((await store.getKey("unscheduled"))?.spend, 0);
      const once = await store.getKey("once");
      assert.equal(once?.spend, 0);
      assert.equal(once?.budget_reset_at, null);
      const team = await store.getTeam("t1");
      assert.equal(team?.spend, 0);
      assert.equal(team?.budget_reset_at, "2025-03-31T00:00:00.000Z"); // calendar months
      const user = await store.getUser("u1");
      assert.equal(user?.spend, 0);
      assert.equal(user?.budget_reset_at, "2025-03-04T12:00:30.000Z");

      // Nothing is due any more at the same instant.
      assert.equal(await store.resetBudgets(now), 0);
      // The next period.
      await store.recordSpend([spendLog("r1", { api_key: "due", spend: 1 })], [{
        api_key: "due",
        team_id: null,
        user_id: null,
        spend: 1,
      }]);
      // "due", "unscheduled" (13:00 the day before) and the 30 s user.
      assert.equal(await store.resetBudgets(new Date("2025-03-05T00:00:00.000Z")), 3);
      assert.equal((await store.getKey("due"))?.spend, 0);
      assert.equal((await store.getKey("due"))?.budget_reset_at, "2025-03-06T00:00:00.000Z");
    },
  },
];

/**
 * Register the store behaviour suite for one backend: one `Deno.test` per
 * case, named `<backend>: <case>`. Pass `{ skip: reason }` to register the
 * cases as ignored with the reason in their names.
 */
export function storeSuite(backend: string, harness: StoreHarness | { skip: string }): void {
  for (const testCase of CASES) {
    if ("skip" in harness) {
      Deno.test({
        name: `${backend}: ${testCase.name} (skipped: ${harness.skip})`,
        ignore: true,
        fn() {},
      });
      continue;
    }
    Deno.test(`${backend}: ${testCase.name}`, async () => {
      const clock = new ManualClock();
      const opened = await harness.open({ now: clock.now });
      try {
        await testCase.fn({ store: opened.store, clock, opened });
      } finally {
        await opened.dispose();
      }
    });
  }
}
