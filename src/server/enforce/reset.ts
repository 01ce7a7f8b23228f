/**
 * Budget resets on `budget_duration` boundaries: every `intervalMs`, flush
 * the spend queued so far (so it lands in the period it belongs to), call
 * {@linkcode Store.resetBudgets} (spend 0, `alerts_sent` cleared, next
 * `budget_reset_at`), and drop the cached rows. The counters need no reset:
 * their ids carry the period (`budget_reset_at`), so the reset row starts a
 * new counter, and between the boundary and the store's reset admission
 * already uses a fresh one (see `budgetCounter`). Several processes may
 * run this at once: the store's reset is idempotent per row and period.
 *
 * @module
 */

import type { Store } from "../../store/types.ts";
import type { EntityCache } from "./cache.ts";

/** Options of {@linkcode createBudgetResetter}. */
export interface BudgetResetterOptions {
  /** Where budgets live. */
  store: Pick<Store, "resetBudgets">;
  /** Flushed before each reset (the spend writer). */
  flush?: () => Promise<void>;
  /** Cached rows to drop after a reset. */
  cache?: Pick<EntityCache, "invalidate">;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
  /** Milliseconds between checks (default 10 000). */
  intervalMs?: number;
  /** Told about failures (the next tick tries again). */
  onError?: (error: unknown) => void;
}

/** Runs budget resets. */
export interface BudgetResetter {
  /** Reset what is due now; returns how many rows were reset. */
  tick(): Promise<number>;
  /** Tick every `intervalMs` (an unref'd timer: it never keeps the process alive). */
  start(): void;
  /** Stop ticking. */
  stop(): void;
}

/**
 * Create the budget resetter.
 *
 * @example
 * ```ts
 * import { createBudgetResetter } from "./reset.ts";
 * let calls = 0;
 * const resetter = createBudgetResetter({
 *   store: { resetBudgets: () => Promise.resolve(++calls) },
 *   now: () => 0,
 * });
 * console.assert(await resetter.tick() === 1);
 * ```
 */
export function createBudgetResetter(options: BudgetResetterOptions): BudgetResetter {
  const { store, flush, cache } = options;
  const now = options.now ?? Date.now;
  const intervalMs = options.intervalMs ?? 10_000;
  let timer: ReturnType<typeof setInterval> | undefined;
  let running: Promise<number> | undefined;

  const tick = (): Promise<number> => {
    running ??= (async () => {
      try {
        if (flush) {
          try {
            await flush();
          } catch (error) {
            options.onError?.(error);
          }
        }
        const count = await store.resetBudgets(new Date(now()));
        if (count > 0) cache?.invalidate();
        return count;
      } finally {
        running = undefined;
      }
    })();
    return running;
  };

  return {
    tick,
    start() {
      if (timer !== undefined) return;
      const id = setInterval(() => {
        tick().catch((error) => options.onError?.(error));
      }, intervalMs);
      Deno.unrefTimer(id);
      timer = id;
    },
    stop() {
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
  };
}
