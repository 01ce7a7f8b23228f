/**
 * Spend rows written off the request path, in batches.
 *
 * {@linkcode SpendWriter.add} only queues (no I/O, no await). A batch goes
 * to {@linkcode Store.recordSpend} every `flushIntervalMs` (≤ 1 s), as soon
 * as `maxBatchRows` rows are waiting, on {@linkcode SpendWriter.flush} and
 * on {@linkcode SpendWriter.close}. One batch is in flight at a time.
 *
 * Failure model:
 * - A failed batch goes back to the front of the queue and is retried with
 *   exponential backoff (interval × 2ⁿ, capped at `maxRetryDelayMs`).
 *   Retrying is safe: `recordSpend` ignores rows whose `request_id` is
 *   already stored and adds increments only for rows it inserts, so a batch
 *   that committed before its reply was lost is never counted twice.
 * - Memory is bounded: at most `maxPendingRows` rows wait (plus the batch
 *   in flight). While the store is down and the queue is full, the oldest
 *   rows are dropped and counted in {@linkcode SpendWriter.dropped}.
 * - A crash loses what is queued: normally at most one flush interval of
 *   rows (more only while the store is failing).
 *
 * @example
 * ```ts
 * import { openStore } from "./open.ts";
 * import { SpendWriter } from "./spend_writer.ts";
 * const store = await openStore(":memory:");
 * const writer = new SpendWriter(store, { flushIntervalMs: 500 });
 * writer.add({
 *   request_id: "req-1", api_key: null, key_alias: null, team_id: null, user_id: null,
 *   model_group: "gpt-4o", model_id: null, provider: "openai", model: "gpt-4o",
 *   prompt_tokens: 10, completion_tokens: 5, cached_tokens: 0, spend_usd: 0.001,
 *   spend: 0.001, currency: "USD", fx_rate: 1, latency_ms: 120, ttft_ms: null,
 *   status: 200, cache_hit: false, start_time: "2025-01-01T00:00:00.000Z",
 *   end_time: "2025-01-01T00:00:00.120Z",
 * });
 * await writer.close();
 * console.assert((await store.querySpendLogs()).length === 1);
 * await store.close();
 * ```
 *
 * @module
 */

import { normalizeSpendLog } from "./_rows.ts";
import type { SpendIncrement, SpendLog, Store } from "./types.ts";

/** Timer functions (injectable for tests). */
export interface SpendWriterTimers {
  /** Schedule `callback` after `ms`; returns a handle. */
  setTimeout(callback: () => void, ms: number): unknown;
  /** Cancel a handle from `setTimeout`. */
  clearTimeout(handle: unknown): void;
}

/** What {@linkcode SpendWriterOptions.onError} is told with each failed write. */
export interface SpendWriteFailure {
  /** Rows waiting (the failed batch included). */
  readonly pending: number;
  /** Rows dropped so far because the queue was full. */
  readonly dropped: number;
  /** Consecutive failed writes. */
  readonly failures: number;
  /** Delay before the next retry, ms (undefined once closed). */
  readonly retryInMs: number | undefined;
}

/** Options of {@linkcode SpendWriter}. */
export interface SpendWriterOptions {
  /** Flush interval, ms, in (0, 1000] (default 1000): the most a crash can lose. */
  flushIntervalMs?: number;
  /** Rows per `recordSpend` call; reaching it triggers a flush (default 100). */
  maxBatchRows?: number;
  /** Most rows kept waiting while the store fails (default 10 000; ≥ `maxBatchRows`). */
  maxPendingRows?: number;
  /** Longest retry backoff, ms (default 30 000). */
  maxRetryDelayMs?: number;
  /** Timers (default the global `setTimeout` / `clearTimeout`). */
  timers?: SpendWriterTimers;
  /** Told about each failed write (default: ignore; the rows are kept and retried). */
  onError?: (error: unknown, failure: SpendWriteFailure) => void;
}

interface Entry {
  row: SpendLog;
  increment: SpendIncrement;
}

const GLOBAL_TIMERS: SpendWriterTimers = {
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as number),
};

function positiveInteger(name: string, value: number, max = Number.MAX_SAFE_INTEGER): number {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new RangeError(
      `Cannot create SpendWriter: ${name} must be an integer in [1, ${max}], got ${value}`,
    );
  }
  return value;
}

/**
 * Batches spend rows into {@linkcode Store.recordSpend}. See the module
 * documentation for the flush and failure rules.
 */
export class SpendWriter {
  #store: Pick<Store, "recordSpend">;
  #interval: number;
  #maxBatch: number;
  #maxPending: number;
  #maxRetryDelay: number;
  #timers: SpendWriterTimers;
  #onError: ((error: unknown, failure: SpendWriteFailure) => void) | undefined;
  #queue: Entry[] = [];
  #timer: unknown = undefined;
  #pumping: Promise<void> | undefined = undefined;
  #failures = 0;
  #dropped = 0;
  #written = 0;
  #closed = false;

  /**
   * Create a writer over a store.
   *
   * @param store Where batches go.
   * @param options Interval, batch size, memory bound, timers, error hook.
   * @throws {RangeError} On out-of-range options.
   */
  constructor(store: Pick<Store, "recordSpend">, options: SpendWriterOptions = {}) {
    this.#store = store;
    this.#interval = positiveInteger("flushIntervalMs", options.flushIntervalMs ?? 1000, 1000);
    this.#maxBatch = positiveInteger("maxBatchRows", options.maxBatchRows ?? 100);
    this.#maxPending = positiveInteger("maxPendingRows", options.maxPendingRows ?? 10_000);
    if (this.#maxPending < this.#maxBatch) {
      throw new RangeError("Cannot create SpendWriter: maxPendingRows must be ≥ maxBatchRows");
    }
    this.#maxRetryDelay = positiveInteger("maxRetryDelayMs", options.maxRetryDelayMs ?? 30_000);
    this.#timers = options.timers ?? GLOBAL_TIMERS;
    this.#onError = options.onError;
  }

  /** Rows waiting to be written (the batch in flight excluded). */
  get pending(): number {
    return this.#queue.length;
  }

  /** Rows dropped because the queue was full while the store failed. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Rows handed to the store successfully (duplicates the store skipped included). */
  get written(): number {
    return this.#written;
  }

  /**
   * Queue one request's ledger row and the spend to add to its key, team
   * and user (default: the row's own `api_key` / `team_id` / `user_id` and
   * `spend`). Synchronous and cheap: validates, queues, maybe starts a
   * background write.
   *
   * @param row The ledger row.
   * @param increment Spend to add for this row (its `request_id` is set to the row's).
   * @throws {TypeError} On an invalid row (so one bad row cannot block a batch).
   * @throws {Error} After {@linkcode SpendWriter.close}.
   */
  add(row: SpendLog, increment?: Omit<SpendIncrement, "request_id">): void {
    if (this.#closed) throw new Error("Cannot add spend: the SpendWriter is closed");
    const clean = normalizeSpendLog(row);
    const inc: SpendIncrement = {
      request_id: clean.request_id,
      api_key: increment === undefined ? clean.api_key : increment.api_key,
      team_id: increment === undefined ? clean.team_id : increment.team_id,
      user_id: increment === undefined ? clean.user_id : increment.user_id,
      spend: increment === undefined ? clean.spend : increment.spend,
    };
    if (typeof inc.spend !== "number" || !Number.isFinite(inc.spend)) {
      throw new TypeError("Cannot add spend: the increment's spend must be a finite number");
    }
    this.#queue.push({ row: clean, increment: inc });
    if (this.#queue.length > this.#maxPending) {
      const overflow = this.#queue.length - this.#maxPending;
      this.#queue.splice(0, overflow);
      this.#dropped += overflow;
    }
    if (this.#queue.length >= this.#maxBatch && this.#failures === 0 && !this.#pumping) {
      this.#pump().catch(() => {});
    } else {
      this.#schedule();
    }
  }

  /**
   * Write everything queued now (and whatever arrives meanwhile).
   *
   * @throws The store's error when a batch fails; its rows stay queued and
   * a retry is scheduled (unless closed).
   */
  async flush(): Promise<void> {
    while (this.#queue.length > 0 || this.#pumping !== undefined) await this.#pump();
  }

  /**
   * Stop timers and flush everything: a clean shutdown loses nothing.
   * Further {@linkcode SpendWriter.add} calls throw.
   *
   * @throws The store's error when the final flush fails; the rows stay in
   * {@linkcode SpendWriter.pending} and {@linkcode SpendWriter.flush} may be
   * called again.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#clearTimer();
    await this.flush();
  }

  #pump(): Promise<void> {
    this.#pumping ??= this.#drain().finally(() => {
      this.#pumping = undefined;
      this.#schedule();
    });
    return this.#pumping;
  }

  async #drain(): Promise<void> {
    this.#clearTimer();
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.#maxBatch);
      try {
        await this.#store.recordSpend(
          batch.map((entry) => entry.row),
          batch.map((entry) => entry.increment),
        );
      } catch (error) {
        this.#queue.unshift(...batch);
        if (this.#queue.length > this.#maxPending) {
          const overflow = this.#queue.length - this.#maxPending;
          this.#queue.splice(0, overflow);
          this.#dropped += overflow;
        }
        this.#failures++;
        this.#report(error);
        throw error;
      }
      this.#failures = 0;
      this.#written += batch.length;
    }
  }

  #delay(): number {
    if (this.#failures === 0) return this.#interval;
    return Math.min(this.#interval * 2 ** Math.min(this.#failures, 30), this.#maxRetryDelay);
  }

  #schedule(): void {
    if (
      this.#closed || this.#timer !== undefined || this.#pumping !== undefined ||
      this.#queue.length === 0
    ) return;
    this.#timer = this.#timers.setTimeout(() => {
      this.#timer = undefined;
      this.#pump().catch(() => {});
    }, this.#delay());
  }

  #clearTimer(): void {
    if (this.#timer === undefined) return;
    this.#timers.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #report(error: unknown): void {
    if (this.#onError === undefined) return;
    try {
      this.#onError(error, {
        pending: this.#queue.length,
        dropped: this.#dropped,
        failures: this.#failures,
        retryInMs: this.#closed ? undefined : this.#delay(),
      });
    } catch {
      // The hook must not break the writer.
    }
  }
}
