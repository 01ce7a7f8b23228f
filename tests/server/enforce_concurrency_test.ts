/**
 * The budget check's concurrency bound: 200 overlapping requests (a slow
 * fake upstream) against a nearly exhausted budget. The overspend must not
 * exceed the cost of the requests already in flight when the budget ran
 * out, and no request may be admitted after that moment (see the JSDoc of
 * `createAdmission`). The counters are instrumented to find that moment:
 * the settlement whose addition crossed `max_budget`.
 */

import assert from "node:assert/strict";
import type {
  AdmitRequest,
  AdmitResult,
  LimitStore,
  SettleRequest,
} from "../../src/limits/types.ts";
import { backendTest, createHarness, REQUEST_COST_USD } from "./_enforce.ts";

type Event =
  | { type: "admit"; id: string; ok: boolean }
  | { type: "settle"; id: string; amount: number; total: number };

/** Record every admission and settlement in the order the counters applied them. */
function instrument(inner: LimitStore): { limits: LimitStore; events: Event[] } {
  const events: Event[] = [];
  const limits: LimitStore = {
    kind: inner.kind,
    async admit(request: AdmitRequest): Promise<AdmitResult> {
      const result = await inner.admit(request);
      if (request.budgets.length > 0) {
        events.push({ type: "admit", id: request.requestId, ok: result.ok });
      }
      return result;
    },
    async settle(request: SettleRequest): Promise<number[]> {
      const totals = await inner.settle(request);
      if (request.spend.length > 0) {
        events.push({
          type: "settle",
          id: request.requestId,
          amount: request.spend[0].amount,
          total: totals[0],
        });
      }
      return totals;
    },
    spends: (b) => inner.spends(b),
    dropSpend: (ids) => inner.dropSpend(ids),
    close: () => inner.close(),
  };
  return { limits, events };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

backendTest(
  "200 concurrent requests on a nearly spent budget: overspend ≤ in-flight cost",
  async (backend) => {
    const { limits, events } = instrument(await backend.openLimits());
    await using h = await createHarness({ backend, limits, upstreamDelayMs: 40 });
    const MAX = 1;
    const SEED = 0.95; // 0.05 left: the third request's cost crosses the budget
    const k = await h.newKey({ max_budget: MAX, spend: SEED });

    // 200 requests, launched 10 every 4 ms, each taking ≥ 40 ms upstream: they overlap.
    const pending: Promise<number>[] = [];
    for (let wave = 0; wave < 20; wave++) {
      for (let i = 0; i < 10; i++) {
        pending.push(
          h.chat(k.key).then(async (r) => {
            await r.body?.cancel();
            return r.status;
          }),
        );
      }
      await sleep(8);
    }
    const statuses = await Promise.all(pending);
    await h.settle();
    const admitted = statuses.filter((s) => s === 200).length;
    const rejected = statuses.filter((s) => s === 400).length;
    assert.equal(admitted + rejected, 200);
    assert.ok(rejected > 0, "the budget must stop some requests");

    // Walk the counters' history: find the crossing, the requests in flight then,
    // and any admission after it.
    const inFlight = new Set<string>();
    let crossedAt = -1;
    let inFlightAtCrossing = 0;
    let boundUsd = 0;
    let admittedAfter = 0;
    let final = SEED;
    events.forEach((e, i) => {
      if (e.type === "admit") {
        if (!e.ok) return;
        if (crossedAt !== -1) admittedAfter++;
        inFlight.add(e.id);
        return;
      }
      final = Math.max(final, e.total);
      if (crossedAt === -1 && e.total >= MAX) {
        crossedAt = i;
        inFlightAtCrossing = inFlight.size; // includes the crossing request itself
        boundUsd = inFlightAtCrossing * e.amount;
      }
      inFlight.delete(e.id);
    });
    const overspend = final - MAX;
    const settled = events.filter((e) => e.type === "settle").length;
    // deno-lint-ignore no-console
    console.log(
      `[${backend.name}] admitted ${admitted}/200, in flight at exhaustion ${inFlightAtCrossing}, ` +
        `overspend ${overspend.toFixed(4)} USD ≤ bound ${boundUsd.toFixed(4)} USD, ` +
        `admitted after exhaustion ${admittedAfter}`,
    );
    assert.ok(crossedAt !== -1);
    assert.equal(settled, admitted);
    assert.equal(admittedAfter, 0);
    assert.ok(overspend <= boundUsd + 1e-9, `overspend ${overspend} > bound ${boundUsd}`);
    assert.ok(Math.abs(final - (SEED + admitted * REQUEST_COST_USD)) < 1e-9);
    // The ledger agrees with the counters: one row per admitted request, same spend.
    const rows = await h.store.querySpendLogs({ api_key: k.token, limit: 1000 });
    assert.equal(rows.length, admitted);
    assert.ok(Math.abs((await h.store.getKey(k.token))!.spend - final) < 1e-9);
    assert.equal(h.upstream.calls, admitted);
  },
);
