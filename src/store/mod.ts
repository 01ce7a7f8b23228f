/**
 * Gateway state: virtual keys, teams, users and the spend ledger behind one
 * {@linkcode Store} interface, with an embedded SQLite backend (the
 * default, `./llmux.db`) and a PostgreSQL backend, chosen by
 * `general_settings.database_url`. Spend is written off the request path
 * by a {@linkcode SpendWriter}; budgets reset on `budget_duration`
 * periods ({@linkcode parseDuration}, {@linkcode nextReset}).
 *
 * @example
 * ```ts
 * import { openStore, SpendWriter } from "./mod.ts";
 *
 * const store = await openStore("sqlite::memory:");
 * await store.createKey({
 *   token: "5e88…", key_name: "sk-...AbCd", key_alias: "ci", models: [], expires: null,
 *   metadata: {}, team_id: null, user_id: null, blocked: false, admin: false,
 *   max_budget: 5, soft_budget: null, budget_duration: "30d", budget_reset_at: null,
 *   rpm_limit: null, tpm_limit: null, max_parallel_requests: null,
 * });
 * const writer = new SpendWriter(store);
 * writer.add({
 *   request_id: "req-1", api_key: "5e88…", key_alias: "ci", team_id: null, user_id: null,
 *   model_group: "gpt-4o", model_id: null, provider: "openai", model: "gpt-4o",
 *   prompt_tokens: 10, completion_tokens: 5, cached_tokens: 0, spend_usd: 0.25, spend: 0.25,
 *   currency: "USD", fx_rate: 1, latency_ms: 120, ttft_ms: null, status: 200,
 *   cache_hit: false, start_time: "2025-01-01T00:00:00.000Z",
 *   end_time: "2025-01-01T00:00:00.120Z",
 * });
 * await writer.close();
 * console.assert((await store.getKey("5e88…"))?.spend === 0.25);
 * await store.close();
 * ```
 *
 * @module
 */

export {
  type DatabaseTarget,
  DEFAULT_SQLITE_PATH,
  openStore,
  type OpenStoreOptions,
  parseDatabaseUrl,
} from "./open.ts";
export { openSqliteStore, SqliteStore, type SqliteStoreOptions } from "./sqlite.ts";
export { openPostgresStore, PostgresStore, type PostgresStoreOptions } from "./postgres.ts";
export {
  type SpendWriteFailure,
  SpendWriter,
  type SpendWriterOptions,
  type SpendWriterTimers,
} from "./spend_writer.ts";
export {
  advanceReset,
  type Duration,
  type DurationUnit,
  nextReset,
  NOMINAL_MONTH_MS,
  parseDuration,
  parseDurationParts,
} from "./duration.ts";
export { type ConflictField, StoreConflictError } from "./errors.ts";
export type { Migration } from "./migrations/types.ts";
export { SQLITE_MIGRATIONS } from "./migrations/sqlite.ts";
export { POSTGRES_MIGRATIONS } from "./migrations/postgres.ts";
export type * from "./types.ts";
