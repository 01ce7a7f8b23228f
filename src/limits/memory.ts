/**
 * The in-process {@linkcode LimitStore}: counters in maps, for one gateway
 * process (SQLite deployments, tests). Every call runs synchronously inside
 * one turn of the event loop, so it is atomic like the Redis scripts.
 *
 * @module
 */

import {
  type AdmitRequest,
  type AdmitResult,
  DEFAULT_LIMIT_TIMINGS,
  type LimitStore,
  type LimitTimings,
  type RateLimitKind,
  type ScopeUsage,
  type SettleRequest,
} from "./types.ts";

interface Window {
  start: number;
  requests: number;
  tokens: number;
  expiresAt: number;
}

interface Counter {
  value: number;
  expiresAt: number;
}

/** Sweep expired entries after this many writes. */
const SWEEP_EVERY = 10_000;

/**
 * Counters of one process.
 *
 * @example
 * ```ts
 * import { MemoryLimitStore } from "./memory.ts";
 * const limits = new MemoryLimitStore();
 * const scopes = [{ id: "key:k1", rpm: 1, tpm: null, parallel: null }];
 * const first = await limits.admit({ requestId: "r1", now: 0, budgets: [], scopes });
 * const second = await limits.admit({ requestId: "r2", now: 1, budgets: [], scopes });
 * console.assert(first.ok && !second.ok && second.reason === "rpm");
 * ```
 */
export class MemoryLimitStore implements LimitStore {
  /** Always `"memory"`. */
  readonly kind = "memory" as const;
  #windows = new Map<string, Window>();
  #parallel = new Map<string, Map<string, number>>();
  #spend = new Map<string, Counter>();
  #timings: Required<LimitTimings>;
  #writes = 0;

  /**
   * Create the store.
   *
   * @param timings Window length, parallel-slot and counter lifetimes.
   */
  constructor(timings: LimitTimings = {}) {
    this.#timings = { ...DEFAULT_LIMIT_TIMINGS, ...timings };
  }

  #spendOf(id: string, seed: number, now: number): Counter {
    let c = this.#spend.get(id);
    if (c === undefined || c.expiresAt <= now) {
      c = { value: seed, expiresAt: 0 };
      this.#spend.set(id, c);
    }
    c.expiresAt = now + this.#timings.spendTtlMs;
    return c;
  }

  #window(id: string, now: number): Window {
    const w = this.#windows.get(id);
    if (w !== undefined && now - w.start < this.#timings.windowMs) return w;
    const fresh = {
      start: now,
      requests: 0,
      tokens: 0,
      expiresAt: now + 2 * this.#timings.windowMs,
    };
    this.#windows.set(id, fresh);
    return fresh;
  }

  #inFlight(id: string, now: number): Map<string, number> {
    let slots = this.#parallel.get(id);
    if (slots === undefined) {
      slots = new Map();
      this.#parallel.set(id, slots);
      return slots;
    }
    const staleBefore = now - this.#timings.parallelStaleMs;
    for (const [rid, at] of slots) if (at <= staleBefore) slots.delete(rid);
    return slots;
  }

  /** Check budgets, then rate limits; take a request and a slot in every scope when all pass. */
  admit(request: AdmitRequest): Promise<AdmitResult> {
    const { now, budgets, scopes, requestId } = request;
    this.#tick(now);
    const spends = budgets.map((b) => this.#spendOf(b.id, b.seed, now).value);
    const windows = scopes.map((s) =>
      s.rpm !== null || s.tpm !== null ? this.#window(s.id, now) : undefined
    );
    const slots = scopes.map((s) => s.parallel !== null ? this.#inFlight(s.id, now) : undefined);
    const usage = (taken: boolean): ScopeUsage[] =>
      scopes.map((_, i) => ({
        requests: windows[i]?.requests ?? (taken ? 1 : 0),
        tokens: windows[i]?.tokens ?? 0,
        parallel: slots[i]?.size ?? 0,
        resetAt: (windows[i]?.start ?? now) + this.#timings.windowMs,
      }));
    const overBudget = budgets.findIndex((b, i) => b.max !== null && spends[i] >= b.max);
    if (overBudget !== -1) {
      return Promise.resolve({
        ok: false,
        reason: "budget",
        index: overBudget,
        spends,
        usage: usage(false),
      });
    }
    for (let i = 0; i < scopes.length; i++) {
      const s = scopes[i];
      let reason: RateLimitKind | undefined;
      if (s.rpm !== null && windows[i]!.requests >= s.rpm) reason = "rpm";
      else if (s.tpm !== null && windows[i]!.tokens >= s.tpm) reason = "tpm";
      else if (s.parallel !== null && slots[i]!.size >= s.parallel) reason = "parallel";
      if (reason !== undefined) {
        return Promise.resolve({ ok: false, reason, index: i, spends, usage: usage(false) });
      }
    }
    for (let i = 0; i < scopes.length; i++) {
      const w = windows[i];
      if (w !== undefined) {
        w.requests++;
        w.expiresAt = now + 2 * this.#timings.windowMs;
      }
      slots[i]?.set(requestId, now);
    }
    return Promise.resolve({ ok: true, spends, usage: usage(true) });
  }

  /** Release slots, add tokens and spend; returns the spend totals. */
  settle(request: SettleRequest): Promise<number[]> {
    const { now, scopes, requestId, tokens } = request;
    this.#tick(now);
    for (const s of scopes) {
      if (s.release) {
        const slots = this.#parallel.get(s.id);
        slots?.delete(requestId);
        if (slots?.size === 0) this.#parallel.delete(s.id);
      }
      if (s.tokens && tokens > 0) this.#window(s.id, now).tokens += tokens;
    }
    return Promise.resolve(request.spend.map((add) => {
      const c = this.#spendOf(add.id, add.seed, now);
      c.value += add.amount;
      return c.value;
    }));
  }

  /** Current spends (seeds for absent counters). */
  spends(budgets: readonly { id: string; seed: number }[]): Promise<number[]> {
    return Promise.resolve(budgets.map((b) => this.#spend.get(b.id)?.value ?? b.seed));
  }

  /** Drop budget counters. */
  dropSpend(ids: readonly string[]): Promise<void> {
    for (const id of ids) this.#spend.delete(id);
    return Promise.resolve();
  }

  /** Nothing to release. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Every so often, forget expired windows, counters and empty slot sets. */
  #tick(now: number): void {
    if (++this.#writes < SWEEP_EVERY) return;
    this.#writes = 0;
    for (const [id, w] of this.#windows) if (w.expiresAt <= now) this.#windows.delete(id);
    for (const [id, c] of this.#spend) if (c.expiresAt <= now) this.#spend.delete(id);
    for (const [id] of this.#parallel) {
      if (this.#inFlight(id, now).size === 0) this.#parallel.delete(id);
    }
  }
}
