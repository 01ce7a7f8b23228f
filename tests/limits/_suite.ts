/**
 * One behaviour suite for every {@linkcode LimitStore} backend: the
 * in-process one always, Redis when `REDIS_URL` is set.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { LimitStore, LimitTimings, RateScope } from "../../src/limits/mod.ts";

/** Makes a fresh, isolated store (own key prefix) and disposes of it. */
export interface SuiteBackend {
  /** Backend name for test names. */
  name: string;
  /** Why the backend is unavailable, if it is (the tests are registered as ignored). */
  skip?: string;
  /** A fresh store. */
  create(timings?: LimitTimings): Promise<LimitStore>;
}

const T0 = 1_750_000_000_000;

function scope(id: string, limits: Partial<Omit<RateScope, "id">>): RateScope {
  return { id, rpm: null, tpm: null, parallel: null, ...limits };
}

function rid(): string {
  return `req-${crypto.randomUUID()}`;
}

/** Register the suite for one backend. */
export function limitStoreSuite(backend: SuiteBackend): void {
  const test = (name: string, fn: (limits: LimitStore) => Promise<void>, timings?: LimitTimings) =>
    Deno.test({
      name: `${backend.name}: ${name}${backend.skip ? ` (skipped: ${backend.skip})` : ""}`,
      ignore: backend.skip !== undefined,
      sanitizeOps: false,
      sanitizeResources: false,
      fn: async () => {
        const limits = await backend.create(timings);
        try {
          await fn(limits);
        } finally {
          await limits.close();
        }
      },
    });

  test("rpm: the limit's worth of requests per window, then 429 until the window ends", async (l) => {
    const scopes = [scope("key:a", { rpm: 3 })];
    for (let i = 0; i < 3; i++) {
      const r = await l.admit({ requestId: rid(), now: T0 + i, budgets: [], scopes });
      assert.equal(r.ok, true);
      assert.equal(r.usage[0].requests, i + 1);
      assert.equal(r.usage[0].resetAt, T0 + 60_000);
    }
    const over = await l.admit({ requestId: rid(), now: T0 + 10, budgets: [], scopes });
    assert.equal(over.ok, false);
    assert.equal(!over.ok && over.reason, "rpm");
    assert.equal(!over.ok && over.index, 0);
    assert.equal(over.usage[0].requests, 3);
    const later = await l.admit({ requestId: rid(), now: T0 + 60_000, budgets: [], scopes });
    assert.equal(later.ok, true);
    assert.equal(later.usage[0].requests, 1);
    assert.equal(later.usage[0].resetAt, T0 + 120_000);
  });

  test("tpm: tokens settled in the window block further requests until it ends", async (l) => {
    const scopes = [scope("key:t", { tpm: 100 })];
    const first = rid();
    assert.equal((await l.admit({ requestId: first, now: T0, budgets: [], scopes })).ok, true);
    await l.settle({
      requestId: first,
      now: T0 + 5,
      tokens: 120,
      scopes: [{ id: "key:t", release: false, tokens: true }],
      spend: [],
    });
    const over = await l.admit({ requestId: rid(), now: T0 + 6, budgets: [], scopes });
    assert.equal(!over.ok && over.reason, "tpm");
    assert.equal(over.usage[0].tokens, 120);
    const next = await l.admit({ requestId: rid(), now: T0 + 60_000, budgets: [], scopes });
    assert.equal(next.ok, true);
    assert.equal(next.usage[0].tokens, 0);
  });

  test("parallel: slots are taken on admission and released on settle", async (l) => {
    const scopes = [scope("key:p", { parallel: 2 })];
    const a = rid();
    const b = rid();
    assert.equal((await l.admit({ requestId: a, now: T0, budgets: [], scopes })).ok, true);
    const second = await l.admit({ requestId: b, now: T0, budgets: [], scopes });
    assert.equal(second.usage[0].parallel, 2);
    const third = await l.admit({ requestId: rid(), now: T0, budgets: [], scopes });
    assert.equal(!third.ok && third.reason, "parallel");
    await l.settle({
      requestId: a,
      now: T0 + 1,
      tokens: 0,
      scopes: [{ id: "key:p", release: true, tokens: false }],
      spend: [],
    });
    assert.equal((await l.admit({ requestId: rid(), now: T0 + 2, budgets: [], scopes })).ok, true);
  });

  test(
    "parallel: a slot older than parallelStaleMs no longer counts (crashed holder)",
    async (l) => {
      const scopes = [scope("key:stale", { parallel: 1 })];
      assert.equal((await l.admit({ requestId: rid(), now: T0, budgets: [], scopes })).ok, true);
      const held = await l.admit({ requestId: rid(), now: T0 + 999, budgets: [], scopes });
      assert.equal(held.ok, false);
      const after = await l.admit({ requestId: rid(), now: T0 + 1000, budgets: [], scopes });
      assert.equal(after.ok, true);
    },
    { parallelStaleMs: 1000 },
  );

  test("team limits apply on top of key limits; a rejection takes nothing", async (l) => {
    const keyA = [scope("key:ka", { rpm: 5 }), scope("team:t1", { rpm: 2 })];
    const keyB = [scope("key:kb", { rpm: 5 }), scope("team:t1", { rpm: 2 })];
    assert.equal(
      (await l.admit({ requestId: rid(), now: T0, budgets: [], scopes: keyA })).ok,
      true,
    );
    assert.equal(
      (await l.admit({ requestId: rid(), now: T0, budgets: [], scopes: keyB })).ok,
      true,
    );
    const over = await l.admit({ requestId: rid(), now: T0, budgets: [], scopes: keyA });
    assert.equal(!over.ok && over.reason, "rpm");
    assert.equal(!over.ok && over.index, 1);
    // The key's own window was not charged for the rejected request.
    assert.equal(over.usage[0].requests, 1);
    const alone = await l.admit({
      requestId: rid(),
      now: T0,
      budgets: [],
      scopes: [scope("key:ka", { rpm: 5 })],
    });
    assert.equal(alone.usage[0].requests, 2);
  });

  test("budget: seeded from the store's spend, rejects at max, takes nothing", async (l) => {
    const budgets = [{ id: "key:b:p1", seed: 0.9, max: 1 }];
    const scopes = [scope("key:b", { rpm: 10 })];
    const first = rid();
    const ok = await l.admit({ requestId: first, now: T0, budgets, scopes });
    assert.equal(ok.ok, true);
    assert.deepEqual(ok.spends, [0.9]);
    const totals = await l.settle({
      requestId: first,
      now: T0 + 1,
      tokens: 10,
      scopes: [],
      spend: [{ id: "key:b:p1", seed: 0.9, amount: 0.25 }],
    });
    assert.ok(Math.abs(totals[0] - 1.15) < 1e-9);
    const over = await l.admit({ requestId: rid(), now: T0 + 2, budgets, scopes });
    assert.equal(!over.ok && over.reason, "budget");
    assert.equal(!over.ok && over.index, 0);
    assert.ok(Math.abs(over.spends[0] - 1.15) < 1e-9);
    assert.equal(over.usage[0].requests, 1);
    // A seed never overwrites an existing counter.
    const again = await l.admit({
      requestId: rid(),
      now: T0 + 3,
      budgets: [{ id: "key:b:p1", seed: 0, max: 1 }],
      scopes: [],
    });
    assert.equal(again.ok, false);
  });

  test("budget: a new period is a new counter, seeded again", async (l) => {
    const r = await l.admit({
      requestId: rid(),
      now: T0,
      budgets: [{ id: "key:np:p2", seed: 0, max: 1 }],
      scopes: [],
    });
    assert.equal(r.ok, true);
    assert.deepEqual(r.spends, [0]);
  });

  test("budget: the first exceeded budget is reported (key, then team, then user)", async (l) => {
    const budgets = [
      { id: "key:o:p", seed: 0.1, max: 1 },
      { id: "team:o:p", seed: 5, max: 5 },
      { id: "user:o:p", seed: 9, max: 1 },
    ];
    const r = await l.admit({ requestId: rid(), now: T0, budgets, scopes: [] });
    assert.equal(!r.ok && r.reason, "budget");
    assert.equal(!r.ok && r.index, 1);
  });

  test("spends() reads without writing; dropSpend() forgets a counter", async (l) => {
    assert.deepEqual(await l.spends([{ id: "key:s:p", seed: 2 }]), [2]);
    await l.settle({
      requestId: rid(),
      now: T0,
      tokens: 0,
      scopes: [],
      spend: [{ id: "key:s:p", seed: 2, amount: 1.5 }],
    });
    assert.deepEqual(await l.spends([{ id: "key:s:p", seed: 0 }]), [3.5]);
    await l.dropSpend(["key:s:p"]);
    assert.deepEqual(await l.spends([{ id: "key:s:p", seed: 0.5 }]), [0.5]);
  });

  test("100 concurrent admissions against rpm 10: exactly 10 pass", async (l) => {
    const scopes = [scope("key:c", { rpm: 10 })];
    const results = await Promise.all(
      Array.from(
        { length: 100 },
        () => l.admit({ requestId: rid(), now: T0, budgets: [], scopes }),
      ),
    );
    assert.equal(results.filter((r) => r.ok).length, 10);
  });

  test("spend settled concurrently adds up exactly", async (l) => {
    const totals = await Promise.all(
      Array.from({ length: 50 }, () =>
        l.settle({
          requestId: rid(),
          now: T0,
          tokens: 0,
          scopes: [],
          spend: [{ id: "team:sum:p", seed: 1, amount: 0.5 }],
        })),
    );
    const final = Math.max(...totals.map((t) => t[0]));
    assert.ok(Math.abs(final - 26) < 1e-9);
    // Each settle saw a distinct running total: crossing detection is exact.
    assert.equal(new Set(totals.map((t) => t[0])).size, 50);
  });
}
