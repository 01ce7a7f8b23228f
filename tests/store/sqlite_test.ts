/**
 * The store suite on SQLite: in memory, and in a temporary file (which
 * needs `--allow-read` and `--allow-write` on the temp directory), plus
 * SQLite-only checks: WAL, and several processes' worth of connections
 * writing one file at once.
 *
 * @module
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openSqliteStore, openStore } from "../../src/store/mod.ts";
import { storeSuite } from "./_suite.ts";
import { newKey, newTeam } from "./_fixtures.ts";

storeSuite("sqlite (memory)", {
  async open({ now }) {
    const store = await openStore("sqlite::memory:", { now });
    return { store, dispose: () => store.close() };
  },
});

const canUseFiles = Deno.permissions.querySync({ name: "write" }).state === "granted" &&
  Deno.permissions.querySync({ name: "read" }).state === "granted";
const FILE_SKIP = "needs --allow-read and --allow-write for a temporary database file";

/** A temporary directory removed by the returned function. */
async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await Deno.makeTempDir({ prefix: "llmux_store_" });
  return { dir, remove: () => Deno.remove(dir, { recursive: true }) };
}

storeSuite(
  "sqlite (file)",
  canUseFiles
    ? {
      async open({ now }) {
        const { dir, remove } = await tempDir();
        const url = `sqlite://${join(dir, "state.db")}`; // absolute: sqlite:///tmp/…
        const store = await openStore(url, { now });
        return {
          store,
          reopen: (options) => openStore(url, { now, ...options }),
          breakTeamCounters() {
            const db = new DatabaseSync(join(dir, "state.db"));
            db.exec(
              "CREATE TRIGGER llmux_test_boom BEFORE UPDATE OF spend ON llmux_teams " +
                "BEGIN SELECT RAISE(ABORT, 'team counter broken'); END",
            );
            db.close();
            return Promise.resolve();
          },
          async dispose() {
            await store.close();
            await remove();
          },
        };
      },
    }
    : { skip: FILE_SKIP },
);

Deno.test({
  name: `sqlite (file): WAL journal and versioned migrations${
    canUseFiles ? "" : ` (skipped: ${FILE_SKIP})`
  }`,
  ignore: !canUseFiles,
  async fn() {
    const { dir, remove } = await tempDir();
    try {
      const path = join(dir, "state.db");
      const store = await openSqliteStore(path);
      await store.close();
      const again = await openSqliteStore(path);
      await again.close();
      const db = new DatabaseSync(path);
      try {
        assert.deepEqual({ ...db.prepare("PRAGMA journal_mode").get() }, { journal_mode: "wal" });
        const versions = db.prepare("SELECT version FROM llmux_migrations ORDER BY version").all();
        assert.deepEqual(versions.map((row) => row.version), [1]);
      } finally {
        db.close();
      }
    } finally {
      await remove();
    }
  },
});

Deno.test({
  name: `sqlite (file): workers writing one file at once keep counters exact${
    canUseFiles ? "" : ` (skipped: ${FILE_SKIP})`
  }`,
  ignore: !canUseFiles,
  async fn() {
    const { dir, remove } = await tempDir();
    try {
      const path = join(dir, "state.db");
      const store = await openSqliteStore(path);
      await store.createKey(newKey("k1", { team_id: "t1" }));
      await store.createTeam(newTeam("t1"));
      const workers = 4;
      const batches = 25;
      const rowsPerBatch = 4;
      const done = Array.from({ length: workers }, (_, w) => {
        const worker = new Worker(new URL("./_sqlite_worker.ts", import.meta.url), {
          type: "module",
        });
        return new Promise<void>((resolve, reject) => {
          worker.onmessage = (event: MessageEvent<{ ok: boolean; error?: string }>) => {
            worker.terminate();
            if (event.data.ok) resolve();
            else reject(new Error(event.data.error));
          };
          worker.onerror = (event) => {
            event.preventDefault();
            worker.terminate();
            reject(new Error(event.message));
          };
          worker.postMessage({ path, worker: w, batches, rowsPerBatch });
        });
      });
      await Promise.all(done);
      const total = workers * batches * rowsPerBatch;
      assert.equal((await store.querySpendLogs({ limit: 100_000 })).length, total);
      assert.equal((await store.getKey("k1"))?.spend, total * 0.125);
      assert.equal((await store.getTeam("t1"))?.spend, total * 0.125);
      await store.close();
    } finally {
      await remove();
    }
  },
});
