/**
 * Worker for the SQLite multi-connection test: opens its own connection to
 * the file and records `batches` batches of spend for key `k1` / team `t1`.
 *
 * @module
 */

import { openSqliteStore } from "../../src/store/mod.ts";
import { incrementOf, spendLog } from "./_fixtures.ts";

interface Job {
  path: string;
  worker: number;
  batches: number;
  rowsPerBatch: number;
}

/** The worker global, typed without the `deno.worker` lib. */
const scope = self as unknown as {
  onmessage: ((event: MessageEvent<Job>) => void) | null;
  postMessage(message: { ok: boolean; error?: string }): void;
};

scope.onmessage = async (event: MessageEvent<Job>) => {
  const { path, worker, batches, rowsPerBatch } = event.data;
  try {
    const store = await openSqliteStore(path, { busyTimeoutMs: 10_000 });
    for (let b = 0; b < batches; b++) {
      const rows = Array.from(
        { length: rowsPerBatch },
        (_, i) =>
          spendLog(`w${worker}-b${b}-r${i}`, { api_key: "k1", team_id: "t1", spend: 0.125 }),
      );
      await store.recordSpend(rows, rows.map(incrementOf));
      // Re-recording is a no-op (idempotent), even across connections.
      if (b % 5 === 0) await store.recordSpend(rows, rows.map(incrementOf));
    }
    await store.close();
    scope.postMessage({ ok: true });
  } catch (error) {
    scope.postMessage({ ok: false, error: String(error) });
  }
};
