import assert from "node:assert/strict";
import {
  openStore,
  type SpendIncrement,
  type SpendLog,
  type SpendWriteFailure,
  SpendWriter,
  type SpendWriterTimers,
  type Store,
} from "../../src/store/mod.ts";
import { newKey, spendLog } from "./_fixtures.ts";

/** Timers driven by `tick()`. */
class FakeTimers implements SpendWriterTimers {
  #now = 0;
  #nextId = 1;
  #timers = new Map<number, { at: number; callback: () => void }>();

  setTimeout = (callback: () => void, ms: number): number => {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + ms, callback });
    return id;
  };

  clearTimeout = (handle: unknown): void => {
    this.#timers.delete(handle as number);
  };

  /** Delays (from now) of the pending timers. */
  get pending(): number[] {
    return [...this.#timers.values()].map((t) => t.at - this.#now);
  }

  /** Move time forward, firing due timers in order and letting promises settle. */
  async tick(ms: number): Promise<void> {
    const until = this.#now + ms;
    for (;;) {
      const due = [...this.#timers.entries()].filter(([, t]) => t.at <= until)
        .sort((a, b) => a[1].at - b[1].at)[0];
      if (due === undefined) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].callback();
      await settle();
    }
    this.#now = until;
    await settle();
  }
}

/** Let pending promise chains run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

interface Call {
  rows: SpendLog[];
  increments: SpendIncrement[];
}

/** A store recording `recordSpend` calls; `failNext` makes the next calls reject. */
class FakeStore implements Pick<Store, "recordSpend"> {
  calls: Call[] = [];
  failNext = 0;
  inFlight = 0;
  maxInFlight = 0;
  gate: Promise<void> | undefined;

  async recordSpend(rows: readonly SpendLog[], increments: readonly SpendIncrement[]) {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.gate !== undefined) await this.gate;
      if (this.failNext > 0) {
        this.failNext--;
        throw new Error("database is down");
      }
      this.calls.push({ rows: [...rows], increments: [...increments] });
    } finally {
      this.inFlight--;
    }
  }

  get ids(): string[] {
    return this.calls.flatMap((call) => call.rows.map((row) => row.request_id));
  }
}

function rows(count: number, prefix = "r"): SpendLog[] {
  return Array.from(
    { length: count },
    (_, i) => spendLog(`${prefix}${String(i).padStart(3, "0")}`, { api_key: "k1" }),
  );
}

Deno.test("SpendWriter.add() only queues; the interval timer writes one batch", async () => {
  const store = new FakeStore();
  const timers = new FakeTimers();
  const writer = new SpendWriter(store, { timers, flushIntervalMs: 1000 });
  for (const row of rows(3)) writer.add(row);
  assert.equal(store.calls.length, 0);
  assert.equal(writer.pending, 3);
  assert.deepEqual(timers.pending, [1000]);
  await timers.tick(999);
  assert.equal(store.calls.length, 0);
  await timers.tick(1);
  assert.equal(store.calls.length, 1);
  assert.deepEqual(store.ids, ["r000", "r001", "r002"]);
  assert.equal(writer.pending, 0);
  assert.equal(writer.written, 3);
  assert.deepEqual(timers.pending, []);
  await writer.close();
});

Deno.test("SpendWriter ties each row to its increment by request_id", async () => {
  const store = new FakeStore();
  const writer = new SpendWriter(store, { timers: new FakeTimers() });
  const [a, b] = rows(2);
  writer.add({ ...a, team_id: "t1", user_id: "u1", spend: 0.5 });
  writer.add(b, { api_key: "other", team_id: null, user_id: null, spend: 2 });
  await writer.flush();
  assert.deepEqual(store.calls[0].increments, [
    { request_id: "r000", api_key: "k1", team_id: "t1", user_id: "u1", spend: 0.5 },
    { request_id: "r001", api_key: "other", team_id: null, user_id: null, spend: 2 },
  ]);
  await writer.close();
});

Deno.test("SpendWriter writes as soon as maxBatchRows rows wait", async () => {
  const store = new FakeStore();
  const timers = new FakeTimers();
  const writer = new SpendWriter(store, { timers, maxBatchRows: 10 });
  for (const row of rows(25)) writer.add(row);
  // The 10th row started a write at once, with no timer; the running write
  // drains whatever is queued by the time it runs, in batches of 10.
  assert.deepEqual(timers.pending, []);
  await settle();
  assert.deepEqual(store.calls.map((call) => call.rows.length), [10, 10, 5]);
  assert.equal(writer.pending, 0);
  assert.deepEqual(timers.pending, []);
  for (const row of rows(3, "s")) writer.add(row);
  assert.deepEqual(timers.pending, [1000]);
  await timers.tick(1000);
  assert.deepEqual(store.calls.map((call) => call.rows.length), [10, 10, 5, 3]);
  assert.equal(store.maxInFlight, 1);
  assert.deepEqual(
    store.ids,
    [...rows(25), ...rows(3, "s")].map((row) => row.request_id),
  );
  await writer.close();
});

Deno.test("SpendWriter.flush() writes everything now, in batches", async () => {
  const store = new FakeStore();
  const timers = new FakeTimers();
  const writer = new SpendWriter(store, { timers, maxBatchRows: 100, maxPendingRows: 1000 });
  for (const row of rows(250)) writer.add(row);
  await writer.flush();
  assert.deepEqual(store.calls.map((call) => call.rows.length), [100, 100, 50]);
  assert.equal(writer.pending, 0);
  assert.deepEqual(timers.pending, []);
  await writer.close();
});

Deno.test("SpendWriter keeps one batch in flight; rows added meanwhile follow it", async () => {
  const store = new FakeStore();
  const timers = new FakeTimers();
  const writer = new SpendWriter(store, { timers, maxBatchRows: 2 });
  let open!: () => void;
  store.gate = new Promise((resolve) => open = resolve);
  for (const row of rows(2)) writer.add(row);
  await settle();
  assert.equal(store.inFlight, 1);
  for (const row of rows(3, "late")) writer.add(row);
  await settle();
  assert.equal(store.maxInFlight, 1);
  store.gate = undefined;
  open();
  await writer.flush();
  assert.deepEqual(store.calls.map((call) => call.rows.length), [2, 2, 1]);
  assert.equal(store.maxInFlight, 1);
  await writer.close();
});

Deno.test("SpendWriter retries a failed batch with backoff and keeps its rows", async () => {
  const store = new FakeStore();
  const timers = new FakeTimers();
  const failures: SpendWriteFailure[] = [];
  const writer = new SpendWriter(store, {
    timers,
    flushIntervalMs: 1000,
    maxRetryDelayMs: 3000,
    onError: (_error, failure) => failures.push(failure),
  });
  store.failNext = 3;
  for (const row of rows(3)) writer.add(row);
  await timers.tick(1000);
  assert.equal(store.calls.length, 0);
  assert.equal(writer.pending, 3);
  assert.deepEqual(failures, [{ pending: 3, dropped: 0, failures: 1, retryInMs: 2000 }]);
  assert.deepEqual(timers.pending, [2000]);
  writer.add(rows(1, "new")[0]); // no size trigger and no extra timer while backing off
  assert.deepEqual(timers.pending, [2000]);
  await timers.tick(2000);
  assert.equal(failures.at(-1)?.retryInMs, 3000); // capped
  await timers.tick(3000);
  assert.equal(failures.length, 3);
  await timers.tick(3000);
  assert.deepEqual(store.ids, ["r000", "r001", "r002", "new000"]);
  assert.equal(writer.pending, 0);
  // Back to the normal interval.
  writer.add(rows(1, "after")[0]);
  assert.deepEqual(timers.pending, [1000]);
  await writer.close();
});

Deno.test("SpendWriter drops the oldest rows beyond maxPendingRows while the store fails", async () => {
  const store = new FakeStore();
  const timers = new FakeTimers();
  let last: SpendWriteFailure | undefined;
  const writer = new SpendWriter(store, {
    timers,
    maxBatchRows: 2,
    maxPendingRows: 5,
    onError: (_error, failure) => last = failure,
  });
  store.failNext = Infinity;
  for (const row of rows(12)) writer.add(row);
  await timers.tick(60_000);
  assert.ok(writer.pending <= 5);
  assert.equal(writer.pending + writer.dropped, 12);
  assert.equal(last?.dropped, writer.dropped);
  store.failNext = 0;
  await writer.close();
  // The newest rows survived.
  assert.deepEqual(store.ids, rows(12).slice(-5).map((row) => row.request_id));
});

Deno.test("SpendWriter.close() flushes everything, stops timers and refuses new rows", async () => {
  const store = new FakeStore();
  const timers = new FakeTimers();
  const writer = new SpendWriter(store, { timers });
  for (const row of rows(7)) writer.add(row);
  await writer.close();
  assert.equal(store.ids.length, 7);
  assert.deepEqual(timers.pending, []);
  assert.throws(() => writer.add(rows(1)[0]), /closed/);
  await writer.close(); // idempotent
});

Deno.test("SpendWriter.close() rejects when the last write fails, keeping the rows", async () => {
  const store = new FakeStore();
  const timers = new FakeTimers();
  const writer = new SpendWriter(store, { timers });
  for (const row of rows(2)) writer.add(row);
  store.failNext = 1;
  await assert.rejects(writer.close(), /database is down/);
  assert.equal(writer.pending, 2);
  assert.deepEqual(timers.pending, []); // no retries after close
  await writer.flush();
  assert.equal(store.ids.length, 2);
});

Deno.test("SpendWriter.add() rejects an invalid row at the call site", () => {
  const writer = new SpendWriter(new FakeStore(), { timers: new FakeTimers() });
  assert.throws(() => writer.add({ ...rows(1)[0], start_time: "later" }), TypeError);
  assert.throws(
    () => writer.add(rows(1)[0], { api_key: null, team_id: null, user_id: null, spend: NaN }),
    TypeError,
  );
  assert.equal(writer.pending, 0);
});

Deno.test("SpendWriter validates its options", () => {
  const store = new FakeStore();
  assert.throws(() => new SpendWriter(store, { flushIntervalMs: 0 }), RangeError);
  assert.throws(() => new SpendWriter(store, { flushIntervalMs: 1001 }), RangeError);
  assert.throws(() => new SpendWriter(store, { maxBatchRows: 0 }), RangeError);
  assert.throws(() => new SpendWriter(store, { maxBatchRows: 10, maxPendingRows: 5 }), RangeError);
});

Deno.test("SpendWriter retry after a lost reply never double-counts (real store)", async () => {
  const store = await openStore(":memory:");
  try {
    await store.createKey(newKey("k1"));
    let loseReply = 1;
    const flaky: Pick<Store, "recordSpend"> = {
      async recordSpend(batch, increments) {
        await store.recordSpend(batch, increments); // commits...
        if (loseReply-- > 0) throw new Error("connection reset"); // ...but the reply is lost
      },
    };
    const writer = new SpendWriter(flaky, { timers: new FakeTimers() });
    for (const row of rows(4)) writer.add(row); // 0.25 each for k1
    await assert.rejects(writer.flush(), /connection reset/);
    assert.equal(writer.pending, 4);
    await writer.close();
    assert.equal((await store.getKey("k1"))?.spend, 1);
    assert.equal((await store.querySpendLogs()).length, 4);
  } finally {
    await store.close();
  }
});

Deno.test("SpendWriter with real timers writes within the interval", async () => {
  const store = new FakeStore();
  const writer = new SpendWriter(store, { flushIntervalMs: 20 });
  writer.add(rows(1)[0]);
  await new Promise((resolve) => setTimeout(resolve, 80));
  assert.equal(store.calls.length, 1);
  await writer.close();
});
