/**
 * The embedded {@linkcode Store}: SQLite through `node:sqlite` (built into
 * Deno, no FFI). WAL journal, `synchronous=NORMAL`, a busy timeout so
 * several gateway processes can share one file.
 *
 * The driver is synchronous: every method runs to completion without
 * yielding, so calls from one process never interleave and each write
 * transaction (`BEGIN IMMEDIATE`) takes the file's write lock up front.
 * Permissions: a file database needs `--allow-read` and `--allow-write` on
 * its path (and the `-wal` / `-shm` files next to it); `:memory:` needs none.
 *
 * @example
 * ```ts
 * import { openSqliteStore } from "./sqlite.ts";
 * const store = await openSqliteStore(":memory:");
 * await store.createTeam({
 *   team_id: "t1", team_alias: null, models: [], members_with_roles: [], metadata: {},
 *   blocked: false, max_budget: 10, soft_budget: null, budget_duration: null,
 *   budget_reset_at: null, rpm_limit: null, tpm_limit: null, max_parallel_requests: null,
 * });
 * console.assert((await store.getTeam("t1"))?.max_budget === 10);
 * await store.close();
 * ```
 *
 * @module
 */

import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import {
  BUDGET_TABLES,
  checkNextToken,
  type Column,
  columnNames,
  decodeRow,
  KEYS,
  normalizeNew,
  normalizePatch,
  planReset,
  planSpend,
  reportGroup,
  type ResetCandidate,
  sortedEntries,
  sortReport,
  SPEND_LOGS,
  spendLogLimit,
  type TableSpec,
  TEAMS,
  toIso,
  totalsFor,
  USERS,
} from "./_rows.ts";
import { type ConflictField, StoreConflictError } from "./errors.ts";
import type { Migration } from "./migrations/types.ts";
import { SQLITE_MIGRATIONS } from "./migrations/sqlite.ts";
import type {
  KeyFilter,
  KeyPatch,
  NewKey,
  NewTeam,
  NewUser,
  SpendIncrement,
  SpendLog,
  SpendLogFilter,
  SpendReportRow,
  Store,
  Team,
  TeamPatch,
  User,
  UserPatch,
  VirtualKey,
} from "./types.ts";

/** Options of {@linkcode openSqliteStore}. */
export interface SqliteStoreOptions {
  /** Clock for `created_at` / `updated_at` (default `() => new Date()`). */
  now?: () => Date;
  /** How long a write waits for another process's lock, ms (default 5000). */
  busyTimeoutMs?: number;
  /** Run migrations on open (default true). */
  migrate?: boolean;
  /** Schema versions to apply (tests); default the built-in SQLite migrations. */
  migrations?: readonly Migration[];
}

type Row = Record<string, unknown>;

/** Bind form of one canonical value. */
function bindValue(column: Column, value: unknown): SQLInputValue {
  if (value === null || value === undefined) return null;
  if (column === "json[]" || column === "json{}") return JSON.stringify(value);
  if (column === "bool") return value ? 1 : 0;
  return value as SQLInputValue;
}

/** Bind values of a full entity, in table order. */
function bindAll<T>(spec: TableSpec<T>, entity: T): SQLInputValue[] {
  const record = entity as Record<string, unknown>;
  return (Object.entries(spec.columns) as [string, Column][]).map(([field, column]) =>
    bindValue(column, record[field])
  );
}

/** A unique-constraint failure as a {@linkcode StoreConflictError}, else the error. */
function mapConflict(error: unknown, entity: string): unknown {
  const message = error instanceof Error ? error.message : "";
  const match = /^UNIQUE constraint failed: \w+\.(\w+)/.exec(message);
  if (match === null) return error;
  return new StoreConflictError(entity, match[1] as ConflictField, { cause: error });
}

/**
 * The SQLite {@linkcode Store}. Open it with {@linkcode openSqliteStore}
 * (or `openStore("sqlite://…")`), which also migrates.
 */
export class SqliteStore implements Store {
  /** Backend name. */
  readonly kind = "sqlite" as const;
  /** The database path (`:memory:` for an in-memory database). */
  readonly path: string;
  #db: DatabaseSync;
  #now: () => Date;
  #migrations: readonly Migration[];
  #statements = new Map<string, StatementSync>();
  #closed = false;

  /**
   * Open the database file (created if absent) and set its pragmas. Does
   * not migrate: call {@linkcode SqliteStore.migrate}.
   *
   * @param path File path, or `:memory:`.
   * @param options Clock and busy timeout.
   */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    this.path = path;
    this.#now = options.now ?? (() => new Date());
    this.#migrations = options.migrations ?? SQLITE_MIGRATIONS;
    this.#db = new DatabaseSync(path);
    const busy = options.busyTimeoutMs ?? 5000;
    if (!Number.isSafeInteger(busy) || busy < 0) {
      throw new RangeError(`Cannot open SQLite store: busyTimeoutMs must be ≥ 0, got ${busy}`);
    }
    this.#db.exec(`PRAGMA busy_timeout = ${busy}`);
    this.#db.exec("PRAGMA journal_mode = WAL");
    this.#db.exec("PRAGMA synchronous = NORMAL");
    this.#db.exec("PRAGMA foreign_keys = ON");
  }

  /** Apply the schema versions not applied yet, in one transaction. */
  migrate(): Promise<void> {
    return this.#run(() => {
      this.#transaction(() => {
        this.#db.exec(
          "CREATE TABLE IF NOT EXISTS llmux_migrations (" +
            "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT",
        );
        const row = this.#db.prepare("SELECT MAX(version) AS v FROM llmux_migrations").get();
        const current = Number(row?.v ?? 0);
        const latest = this.#migrations.at(-1)?.version ?? 0;
        if (current > latest) {
          throw new Error(
            `Cannot migrate SQLite store "${this.path}": the database is at schema version ` +
              `${current}, newer than this llmux knows (${latest})`,
          );
        }
        for (const migration of this.#migrations) {
          if (migration.version <= current) continue;
          this.#db.exec(migration.sql);
          this.#db.prepare(
            "INSERT INTO llmux_migrations (version, name, applied_at) VALUES (?, ?, ?)",
          ).run(migration.version, migration.name, this.#now().toISOString());
        }
      });
    });
  }

  /** Close the database (idempotent). */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#statements.clear();
      this.#db.close();
    }
    return Promise.resolve();
  }

  /** Insert a key; a duplicate token or alias is a {@linkcode StoreConflictError}. */
  createKey(key: NewKey): Promise<VirtualKey> {
    return this.#run(() => this.#insert(KEYS, key));
  }

  /** A key by its hash. */
  getKey(token: string): Promise<VirtualKey | undefined> {
    return this.#run(() => this.#get(KEYS, token));
  }

  /** A key by alias. */
  getKeyByAlias(alias: string): Promise<VirtualKey | undefined> {
    return this.#run(() => {
      const row = this.#stmt("SELECT * FROM llmux_keys WHERE key_alias = ?").get(alias);
      return row === undefined ? undefined : decodeRow(KEYS, row as Row);
    });
  }

  /** Update fields; undefined when the key is absent. */
  updateKey(token: string, patch: KeyPatch): Promise<VirtualKey | undefined> {
    return this.#run(() => this.#update(KEYS, token, patch));
  }

  /** Replace a key's hash and display name, keeping everything else. */
  replaceKeyToken(
    oldToken: string,
    next: { token: string; key_name: string },
  ): Promise<VirtualKey | undefined> {
    return this.#run(() => {
      const { token, key_name: keyName } = checkNextToken(next);
      try {
        const row = this.#stmt(
          "UPDATE llmux_keys SET token = ?, key_name = ?, updated_at = ? WHERE token = ? RETURNING *",
        ).get(token, keyName, this.#now().toISOString(), oldToken);
        return row === undefined ? undefined : decodeRow(KEYS, row as Row);
      } catch (error) {
        throw mapConflict(error, "key");
      }
    });
  }

  /** Delete keys; returns the hashes deleted. */
  deleteKeys(tokens: readonly string[]): Promise<string[]> {
    return this.#run(() => this.#delete(KEYS, tokens));
  }

  /** Keys matching every filter given, oldest first. */
  listKeys(filter: KeyFilter = {}): Promise<VirtualKey[]> {
    return this.#run(() => {
      const where: string[] = [];
      const params: SQLInputValue[] = [];
      for (const field of ["team_id", "user_id", "key_alias"] as const) {
        const value = filter[field];
        if (value === undefined) continue;
        where.push(`${field} = ?`);
        params.push(value);
      }
      const sql = `SELECT * FROM llmux_keys${
        where.length ? ` WHERE ${where.join(" AND ")}` : ""
      } ORDER BY created_at, token`;
      return this.#stmt(sql).all(...params).map((row) => decodeRow(KEYS, row as Row));
    });
  }

  /** Insert a team; a duplicate id is a {@linkcode StoreConflictError}. */
  createTeam(team: NewTeam): Promise<Team> {
    return this.#run(() => this.#insert(TEAMS, team));
  }

  /** A team. */
  getTeam(teamId: string): Promise<Team | undefined> {
    return this.#run(() => this.#get(TEAMS, teamId));
  }

  /** Update a team; undefined when absent. */
  updateTeam(teamId: string, patch: TeamPatch): Promise<Team | undefined> {
    return this.#run(() => this.#update(TEAMS, teamId, patch));
  }

  /** Delete teams (their keys stay); returns the ids deleted. */
  deleteTeams(teamIds: readonly string[]): Promise<string[]> {
    return this.#run(() => this.#delete(TEAMS, teamIds));
  }

  /** Every team, oldest first. */
  listTeams(): Promise<Team[]> {
    return this.#run(() => this.#list(TEAMS));
  }

  /** Insert a user; a duplicate id is a {@linkcode StoreConflictError}. */
  createUser(user: NewUser): Promise<User> {
    return this.#run(() => this.#insert(USERS, user));
  }

  /** A user. */
  getUser(userId: string): Promise<User | undefined> {
    return this.#run(() => this.#get(USERS, userId));
  }

  /** Update a user; undefined when absent. */
  updateUser(userId: string, patch: UserPatch): Promise<User | undefined> {
    return this.#run(() => this.#update(USERS, userId, patch));
  }

  /** Every user, oldest first. */
  listUsers(): Promise<User[]> {
    return this.#run(() => this.#list(USERS));
  }

  /**
   * Insert ledger rows (a duplicate `request_id` is skipped) and add the
   * increments of the rows actually inserted to their counters, in one
   * transaction. See {@linkcode SpendIncrement.request_id} for how
   * increments are tied to rows.
   */
  recordSpend(rows: readonly SpendLog[], increments: readonly SpendIncrement[]): Promise<void> {
    return this.#run(() => {
      const plan = planSpend(rows, increments);
      if (plan.rows.length === 0) return;
      const names = columnNames(SPEND_LOGS);
      const insert = this.#stmt(
        `INSERT INTO llmux_spend_logs (${names.join(", ")}) VALUES (${
          names.map(() => "?").join(", ")
        }) ON CONFLICT (request_id) DO NOTHING`,
      );
      this.#transaction(() => {
        const inserted: string[] = [];
        for (const row of plan.rows) {
          if (insert.run(...bindAll(SPEND_LOGS, row)).changes === 1) inserted.push(row.request_id);
        }
        const totals = totalsFor(plan, inserted);
        const targets = [[KEYS, totals.key], [TEAMS, totals.team], [USERS, totals.user]] as const;
        for (const [spec, amounts] of targets) {
          const update = this.#stmt(
            `UPDATE ${spec.table} SET spend = spend + ? WHERE ${spec.id} = ?`,
          );
          for (const [id, amount] of sortedEntries(amounts)) update.run(amount, id);
        }
      });
    });
  }

  /** Ledger rows matching the filter, newest first. */
  querySpendLogs(filter: SpendLogFilter = {}): Promise<SpendLog[]> {
    return this.#run(() => {
      const limit = spendLogLimit(filter.limit);
      const { where, params } = spendWhere(filter);
      return this.#stmt(
        `SELECT * FROM llmux_spend_logs${where} ORDER BY start_time DESC, request_id DESC LIMIT ?`,
      ).all(...params, limit).map((row) => decodeRow(SPEND_LOGS, row as Row));
    });
  }

  /** Spend by UTC day and one dimension (`limit` is ignored). */
  spendReport(
    options: SpendLogFilter & { group_by: "model_group" | "api_key" | "team_id" | "user_id" },
  ): Promise<SpendReportRow[]> {
    return this.#run(() => {
      const group = reportGroup(options.group_by);
      const { where, params } = spendWhere(options);
      const rows = this.#stmt(
        `SELECT substr(start_time, 1, 10) AS date, ${group} AS grp, COUNT(*) AS requests, ` +
          "TOTAL(prompt_tokens) AS prompt_tokens, TOTAL(completion_tokens) AS completion_tokens, " +
          "TOTAL(spend_usd) AS spend_usd, TOTAL(spend) AS spend " +
          `FROM llmux_spend_logs${where} GROUP BY date, grp`,
      ).all(...params);
      return sortReport(rows.map((row) => ({
        date: String(row.date),
        group: row.grp === null ? null : String(row.grp),
        requests: Number(row.requests),
        prompt_tokens: Number(row.prompt_tokens),
        completion_tokens: Number(row.completion_tokens),
        spend_usd: Number(row.spend_usd),
        spend: Number(row.spend),
      })));
    });
  }

  /**
   * Reset spend and alerts of every key, team and user whose
   * `budget_reset_at` ≤ `now`, moving it to the first period boundary after
   * `now`; entities with a `budget_duration` but no `budget_reset_at` get
   * one (`now` + one period) without a reset. Returns how many reset.
   */
  resetBudgets(now: Date): Promise<number> {
    return this.#run(() => {
      const nowIso = toIso(now, "reset time");
      let count = 0;
      this.#transaction(() => {
        for (const spec of BUDGET_TABLES) {
          const candidates = this.#stmt(
            `SELECT ${spec.id} AS id, budget_duration, budget_reset_at FROM ${spec.table} ` +
              "WHERE budget_reset_at <= ? OR (budget_reset_at IS NULL AND budget_duration IS NOT NULL) " +
              `ORDER BY ${spec.id}`,
          ).all(nowIso) as unknown as ResetCandidate[];
          const reset = this.#stmt(
            `UPDATE ${spec.table} SET spend = 0, alerts_sent = '[]', budget_reset_at = ? ` +
              `WHERE ${spec.id} = ? AND budget_reset_at = ?`,
          );
          const schedule = this.#stmt(
            `UPDATE ${spec.table} SET budget_reset_at = ? ` +
              `WHERE ${spec.id} = ? AND budget_reset_at IS NULL AND budget_duration = ?`,
          );
          for (const candidate of candidates) {
            const plan = planReset(candidate, now);
            if (plan === undefined) continue;
            if (plan.due) {
              count += Number(
                reset.run(plan.next, candidate.id, candidate.budget_reset_at).changes,
              );
            } else {
              schedule.run(plan.next, candidate.id, candidate.budget_duration);
            }
          }
        }
      });
      return count;
    });
  }

  /** Run a synchronous body as a promise (errors become rejections). */
  #run<T>(body: () => T): Promise<T> {
    try {
      if (this.#closed) throw new Error(`Cannot use SQLite store "${this.path}": it is closed`);
      return Promise.resolve(body());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #transaction<T>(body: () => T): T {
    this.#db.exec("BEGIN IMMEDIATE");
    try {
      const result = body();
      this.#db.exec("COMMIT");
      return result;
    } catch (error) {
      if (this.#db.isTransaction) this.#db.exec("ROLLBACK");
      throw error;
    }
  }

  #stmt(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (statement === undefined) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #insert<T>(spec: TableSpec<T>, input: object): T {
    const now = this.#now().toISOString();
    const entity = normalizeNew(spec, input, { created_at: now, updated_at: now, alerts_sent: [] });
    const names = columnNames(spec);
    try {
      this.#stmt(
        `INSERT INTO ${spec.table} (${names.join(", ")}) VALUES (${
          names.map(() => "?").join(", ")
        })`,
      ).run(...bindAll(spec, entity));
    } catch (error) {
      throw mapConflict(error, spec.entity);
    }
    return entity;
  }

  #get<T>(spec: TableSpec<T>, id: string): T | undefined {
    const row = this.#stmt(`SELECT * FROM ${spec.table} WHERE ${spec.id} = ?`).get(id);
    return row === undefined ? undefined : decodeRow(spec, row as Row);
  }

  #update<T>(spec: TableSpec<T>, id: string, patch: object): T | undefined {
    const fields = normalizePatch(spec, patch);
    if (fields.length === 0) return this.#get(spec, id);
    const columns = spec.columns as Record<string, Column>;
    const sets = fields.map(([field]) => `${field} = ?`).join(", ");
    const params = fields.map(([field, value]) => bindValue(columns[field], value));
    try {
      const row = this.#stmt(
        `UPDATE ${spec.table} SET ${sets}, updated_at = ? WHERE ${spec.id} = ? RETURNING *`,
      ).get(...params, this.#now().toISOString(), id);
      return row === undefined ? undefined : decodeRow(spec, row as Row);
    } catch (error) {
      throw mapConflict(error, spec.entity);
    }
  }

  #delete<T>(spec: TableSpec<T>, ids: readonly string[]): string[] {
    if (ids.length === 0) return [];
    const rows = this.#stmt(
      `DELETE FROM ${spec.table} WHERE ${spec.id} IN (SELECT value FROM json_each(?)) ` +
        `RETURNING ${spec.id} AS id`,
    ).all(JSON.stringify(ids));
    return rows.map((row) => String(row.id));
  }

  #list<T>(spec: TableSpec<T>): T[] {
    return this.#stmt(`SELECT * FROM ${spec.table} ORDER BY created_at, ${spec.id}`).all()
      .map((row) => decodeRow(spec, row as Row));
  }
}

/** WHERE clause and parameters of a spend-log filter. */
function spendWhere(filter: SpendLogFilter): { where: string; params: SQLInputValue[] } {
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  for (const field of ["api_key", "team_id", "user_id", "model_group", "request_id"] as const) {
    const value = filter[field];
    if (value === undefined) continue;
    where.push(`${field} = ?`);
    params.push(value);
  }
  if (filter.start_date !== undefined) {
    where.push("start_time >= ?");
    params.push(toIso(filter.start_date, "spend log filter start_date"));
  }
  if (filter.end_date !== undefined) {
    where.push("start_time < ?");
    params.push(toIso(filter.end_date, "spend log filter end_date"));
  }
  return { where: where.length ? ` WHERE ${where.join(" AND ")}` : "", params };
}

/**
 * Open (creating if needed) and migrate a SQLite store.
 *
 * @param path File path, or `:memory:`.
 * @param options Clock, busy timeout, whether to migrate.
 * @returns The store.
 *
 * @example
 * ```ts
 * import { openSqliteStore } from "./sqlite.ts";
 * const store = await openSqliteStore(":memory:");
 * console.assert(store.kind === "sqlite" && (await store.listKeys()).length === 0);
 * await store.close();
 * ```
 */
export async function openSqliteStore(
  path: string,
  options: SqliteStoreOptions = {},
): Promise<SqliteStore> {
  const store = new SqliteStore(path, options);
  try {
    if (options.migrate !== false) await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
