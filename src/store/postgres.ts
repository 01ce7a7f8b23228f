/**
 * The PostgreSQL {@linkcode Store}, over `npm:postgres` (porsager/postgres):
 * a connection pool, prepared statements, JSONB for arrays and metadata,
 * TIMESTAMPTZ for times, DOUBLE PRECISION for money.
 *
 * Tables live in the connection's schema: `public` unless a schema is
 * given (the `schema` option, or Prisma's `?schema=` URL parameter, as in
 * LiteLLM's `DATABASE_URL`), which is then created if absent and used as
 * the `search_path`.
 *
 * Concurrency: `recordSpend` inserts ledger rows in `request_id` order,
 * then locks counters keys → teams → users, each table's rows in id order
 * (`SELECT … ORDER BY id FOR UPDATE`) before one set-based `UPDATE`, so
 * concurrent writers lock rows in one global order and cannot deadlock.
 *
 * @module
 */

import postgres from "postgres";
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
import { POSTGRES_MIGRATIONS } from "./migrations/postgres.ts";
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

/** Options of {@linkcode openPostgresStore}. */
export interface PostgresStoreOptions {
  /** Clock for `created_at` / `updated_at` (default `() => new Date()`). */
  now?: () => Date;
  /** Run migrations on open (default true). */
  migrate?: boolean;
  /**
   * Schema for the tables (created by `migrate()` if absent); overrides the
   * URL's `?schema=`. Letters, digits and `_` only.
   */
  schema?: string;
  /** Most pooled connections (default 10). */
  maxConnections?: number;
  /** Schema versions to apply (tests); default the built-in PostgreSQL migrations. */
  migrations?: readonly Migration[];
}

type Sql = postgres.Sql;
type Q = postgres.ISql;
type Param = postgres.ParameterOrJSON<never>;
type Row = Record<string, unknown>;

const SCHEMA_REGEXP = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

/** Rows per INSERT statement of `recordSpend` (22 parameters each). */
const INSERT_CHUNK = 500;

/** `$n` placeholders from `start`. */
function placeholders(count: number, start = 1): string {
  return Array.from({ length: count }, (_, i) => `$${start + i}`).join(", ");
}

/**
 * A unique-constraint failure as a {@linkcode StoreConflictError}, else the
 * error.
 */
function mapConflict<T>(error: unknown, spec: TableSpec<T>): unknown {
  if (!(error instanceof postgres.PostgresError) || error.code !== "23505") return error;
  const constraint = error.constraint_name ?? "";
  const field = constraint.endsWith("_pkey")
    ? spec.id
    : constraint.replace(new RegExp(`^${spec.table}_`), "").replace(/_key$/, "");
  return new StoreConflictError(spec.entity, field as ConflictField, { cause: error });
}

/**
 * Split a `postgres://` URL into the URL the driver gets and the schema
 * named by Prisma's `?schema=` parameter (which PostgreSQL itself would
 * reject as an unknown startup parameter).
 */
function splitSchema(url: string): { url: string; schema: string | undefined } {
  // Leave every other URL to the driver untouched (multi-host URLs included).
  if (!/[?&]schema=/.test(url)) return { url, schema: undefined };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new TypeError("Cannot open PostgreSQL store: the database URL is not a valid URL", {
      cause,
    });
  }
  const schema = parsed.searchParams.get("schema") ?? undefined;
  parsed.searchParams.delete("schema");
  return { url: parsed.toString(), schema };
}

/**
 * The PostgreSQL {@linkcode Store}. Open it with
 * {@linkcode openPostgresStore} (or `openStore("postgres://…")`).
 */
export class PostgresStore implements Store {
  /** Backend name. */
  readonly kind = "postgres" as const;
  /** The schema holding the tables, when one was chosen. */
  readonly schema: string | undefined;
  #sql: Sql;
  #now: () => Date;
  #migrations: readonly Migration[];
  #closed = false;

  /**
   * Create the connection pool (connections open lazily). Does not
   * migrate: call {@linkcode PostgresStore.migrate}.
   *
   * @param url A `postgres://` or `postgresql://` URL.
   * @param options Schema, pool size, clock.
   */
  constructor(url: string, options: PostgresStoreOptions = {}) {
    const split = splitSchema(url);
    const schema = options.schema ?? split.schema;
    if (schema !== undefined && !SCHEMA_REGEXP.test(schema)) {
      throw new TypeError(
        `Cannot open PostgreSQL store: schema ${
          JSON.stringify(schema)
        } must be letters, digits and _`,
      );
    }
    this.schema = schema;
    this.#now = options.now ?? (() => new Date());
    this.#migrations = options.migrations ?? POSTGRES_MIGRATIONS;
    this.#sql = postgres(split.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      connection: {
        application_name: "llmux",
        ...(schema === undefined ? {} : { search_path: schema }),
      },
    });
  }

  /** Create the schema if needed and apply the versions not applied yet. */
  async migrate(): Promise<void> {
    this.#open();
    await this.#sql.begin(async (tx) => {
      // One migrator per schema at a time (several gateways may start together).
      await tx.unsafe(
        "SELECT pg_advisory_xact_lock(hashtext($1)) AS locked",
        [`llmux_migrations:${this.schema ?? ""}`],
        { prepare: false },
      );
      if (this.schema !== undefined) {
        // Look first: CREATE SCHEMA needs a privilege an existing schema does not.
        const found = await tx.unsafe("SELECT 1 FROM pg_namespace WHERE nspname = $1", [
          this.schema.toLowerCase(),
        ]);
        if (found.length === 0) await tx.unsafe(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
      }
      await tx.unsafe(
        "CREATE TABLE IF NOT EXISTS llmux_migrations (" +
          "version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL)",
      );
      const [row] = await tx.unsafe("SELECT MAX(version) AS v FROM llmux_migrations");
      const current = Number(row?.v ?? 0);
      const latest = this.#migrations.at(-1)?.version ?? 0;
      if (current > latest) {
        throw new Error(
          `Cannot migrate PostgreSQL store: the database is at schema version ${current}, ` +
            `newer than this llmux knows (${latest})`,
        );
      }
      for (const migration of this.#migrations) {
        if (migration.version <= current) continue;
        await tx.unsafe(migration.sql);
        await tx.unsafe(
          "INSERT INTO llmux_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
          [migration.version, migration.name, this.#now().toISOString()],
        );
      }
    });
  }

  /** Close the pool, letting running queries finish for up to 5 s (idempotent). */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#sql.end({ timeout: 5 });
  }

  /** Insert a key; a duplicate token or alias is a {@linkcode StoreConflictError}. */
  createKey(key: NewKey): Promise<VirtualKey> {
    return this.#insert(KEYS, key);
  }

  /** A key by its hash. */
  getKey(token: string): Promise<VirtualKey | undefined> {
    return this.#get(KEYS, token);
  }

  /** A key by alias. */
  async getKeyByAlias(alias: string): Promise<VirtualKey | undefined> {
    const [row] = await this.#query("SELECT * FROM llmux_keys WHERE key_alias = $1", [alias]);
    return row === undefined ? undefined : decodeRow(KEYS, row);
  }

  /** Update fields; undefined when the key is absent. */
  updateKey(token: string, patch: KeyPatch): Promise<VirtualKey | undefined> {
    return this.#update(KEYS, token, patch);
  }

  /** Replace a key's hash and display name, keeping everything else. */
  async replaceKeyToken(
    oldToken: string,
    next: { token: string; key_name: string },
  ): Promise<VirtualKey | undefined> {
    const { token, key_name: keyName } = checkNextToken(next);
    try {
      const [row] = await this.#query(
        "UPDATE llmux_keys SET token = $1, key_name = $2, updated_at = $3 WHERE token = $4 " +
          "RETURNING *",
        [token, keyName, this.#now().toISOString(), oldToken],
      );
      return row === undefined ? undefined : decodeRow(KEYS, row);
    } catch (error) {
      throw mapConflict(error, KEYS);
    }
  }

  /** Delete keys; returns the hashes deleted. */
  deleteKeys(tokens: readonly string[]): Promise<string[]> {
    return this.#delete(KEYS, tokens);
  }

  /** Keys matching every filter given, oldest first. */
  async listKeys(filter: KeyFilter = {}): Promise<VirtualKey[]> {
    const where: string[] = [];
    const params: Param[] = [];
    for (const field of ["team_id", "user_id", "key_alias"] as const) {
      const value = filter[field];
      if (value === undefined) continue;
      params.push(value);
      where.push(`${field} = $${params.length}`);
    }
    const rows = await this.#query(
      `SELECT * FROM llmux_keys${
        where.length ? ` WHERE ${where.join(" AND ")}` : ""
      } ORDER BY created_at, token COLLATE "C"`,
      params,
    );
    return rows.map((row) => decodeRow(KEYS, row));
  }

  /** Insert a team; a duplicate id is a {@linkcode StoreConflictError}. */
  createTeam(team: NewTeam): Promise<Team> {
    return this.#insert(TEAMS, team);
  }

  /** A team. */
  getTeam(teamId: string): Promise<Team | undefined> {
    return this.#get(TEAMS, teamId);
  }

  /** Update a team; undefined when absent. */
  updateTeam(teamId: string, patch: TeamPatch): Promise<Team | undefined> {
    return this.#update(TEAMS, teamId, patch);
  }

  /** Delete teams (their keys stay); returns the ids deleted. */
  deleteTeams(teamIds: readonly string[]): Promise<string[]> {
    return this.#delete(TEAMS, teamIds);
  }

  /** Every team, oldest first. */
  listTeams(): Promise<Team[]> {
    return this.#list(TEAMS);
  }

  /** Insert a user; a duplicate id is a {@linkcode StoreConflictError}. */
  createUser(user: NewUser): Promise<User> {
    return this.#insert(USERS, user);
  }

  /** A user. */
  getUser(userId: string): Promise<User | undefined> {
    return this.#get(USERS, userId);
  }

  /** Update a user; undefined when absent. */
  updateUser(userId: string, patch: UserPatch): Promise<User | undefined> {
    return this.#update(USERS, userId, patch);
  }

  /** Every user, oldest first. */
  listUsers(): Promise<User[]> {
    return this.#list(USERS);
  }

  /**
   * Insert ledger rows (a duplicate `request_id` is skipped) and add the
   * increments of the rows actually inserted to their counters, in one
   * transaction. See {@linkcode SpendIncrement.request_id} for how
   * increments are tied to rows.
   */
  async recordSpend(
    rows: readonly SpendLog[],
    increments: readonly SpendIncrement[],
  ): Promise<void> {
    this.#open();
    const plan = planSpend(rows, increments);
    if (plan.rows.length === 0) return;
    const names = columnNames(SPEND_LOGS);
    await this.#sql.begin(async (tx) => {
      const inserted: string[] = [];
      for (let start = 0; start < plan.rows.length; start += INSERT_CHUNK) {
        const chunk = plan.rows.slice(start, start + INSERT_CHUNK);
        const params: Param[] = [];
        const tuples = chunk.map((row) => {
          const values = this.#bindAll(SPEND_LOGS, row);
          const tuple = `(${placeholders(values.length, params.length + 1)})`;
          params.push(...values);
          return tuple;
        });
        const result = await tx.unsafe(
          `INSERT INTO llmux_spend_logs (${names.join(", ")}) VALUES ${tuples.join(", ")} ` +
            "ON CONFLICT (request_id) DO NOTHING RETURNING request_id",
          params,
          { prepare: true },
        );
        for (const row of result) inserted.push(String(row.request_id));
      }
      const totals = totalsFor(plan, inserted);
      const targets = [[KEYS, totals.key], [TEAMS, totals.team], [USERS, totals.user]] as const;
      for (const [spec, amounts] of targets) {
        if (amounts.size === 0) continue;
        const payload = this.#sql.json(
          sortedEntries(amounts).map(([id, amount]) => ({ id, amount })),
        ) as unknown as Param;
        // Lock the rows in id order first (the global lock order), then add
        // every amount in one statement.
        await tx.unsafe(
          `SELECT 1 FROM ${spec.table} WHERE ${spec.id} IN ` +
            "(SELECT id FROM jsonb_to_recordset($1::jsonb) AS v(id text)) " +
            `ORDER BY ${spec.id} COLLATE "C" FOR UPDATE`,
          [payload],
          { prepare: true },
        );
        await tx.unsafe(
          `UPDATE ${spec.table} AS t SET spend = t.spend + v.amount ` +
            "FROM jsonb_to_recordset($1::jsonb) AS v(id text, amount float8) " +
            `WHERE t.${spec.id} = v.id`,
          [payload],
          { prepare: true },
        );
      }
    });
  }

  /** Ledger rows matching the filter, newest first. */
  async querySpendLogs(filter: SpendLogFilter = {}): Promise<SpendLog[]> {
    const limit = spendLogLimit(filter.limit);
    const { where, params } = spendWhere(filter);
    params.push(limit);
    const rows = await this.#query(
      `SELECT * FROM llmux_spend_logs${where} ` +
        `ORDER BY start_time DESC, request_id COLLATE "C" DESC LIMIT $${params.length}`,
      params,
    );
    return rows.map((row) => decodeRow(SPEND_LOGS, row));
  }

  /** Spend by UTC day and one dimension (`limit` is ignored). */
  async spendReport(
    options: SpendLogFilter & { group_by: "model_group" | "api_key" | "team_id" | "user_id" },
  ): Promise<SpendReportRow[]> {
    const group = reportGroup(options.group_by);
    const { where, params } = spendWhere(options);
    const rows = await this.#query(
      `SELECT to_char(start_time AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS date, ${group} AS grp, ` +
        "COUNT(*) AS requests, " +
        "COALESCE(SUM(prompt_tokens), 0)::float8 AS prompt_tokens, " +
        "COALESCE(SUM(completion_tokens), 0)::float8 AS completion_tokens, " +
        "COALESCE(SUM(spend_usd), 0) AS spend_usd, COALESCE(SUM(spend), 0) AS spend " +
        `FROM llmux_spend_logs${where} GROUP BY 1, 2`,
      params,
    );
    return sortReport(rows.map((row) => ({
      date: String(row.date),
      group: row.grp === null ? null : String(row.grp),
      requests: Number(row.requests),
      prompt_tokens: Number(row.prompt_tokens),
      completion_tokens: Number(row.completion_tokens),
      spend_usd: Number(row.spend_usd),
      spend: Number(row.spend),
    })));
  }

  /**
   * Reset spend and alerts of every key, team and user whose
   * `budget_reset_at` ≤ `now`, moving it to the first period boundary after
   * `now`; entities with a `budget_duration` but no `budget_reset_at` get
   * one (`now` + one period) without a reset. Returns how many reset.
   * Each update is guarded by the value it read, so two gateways resetting
   * at once reset each entity once.
   */
  async resetBudgets(now: Date): Promise<number> {
    this.#open();
    const nowIso = toIso(now, "reset time");
    return await this.#sql.begin(async (tx) => {
      let count = 0;
      for (const spec of BUDGET_TABLES) {
        const candidates = await tx.unsafe(
          `SELECT ${spec.id} AS id, budget_duration, budget_reset_at FROM ${spec.table} ` +
            "WHERE budget_reset_at <= $1 OR (budget_reset_at IS NULL AND budget_duration IS NOT NULL) " +
            `ORDER BY ${spec.id} COLLATE "C"`,
          [nowIso],
          { prepare: true },
        );
        for (const row of candidates) {
          const resetAt = row.budget_reset_at instanceof Date
            ? row.budget_reset_at.toISOString()
            : null;
          const candidate = {
            id: String(row.id),
            budget_duration: row.budget_duration === null ? null : String(row.budget_duration),
            budget_reset_at: resetAt,
          };
          const plan = planReset(candidate, now);
          if (plan === undefined) continue;
          if (plan.due) {
            const result = await tx.unsafe(
              `UPDATE ${spec.table} SET spend = 0, alerts_sent = '[]', budget_reset_at = $1 ` +
                `WHERE ${spec.id} = $2 AND budget_reset_at = $3`,
              [plan.next, candidate.id, resetAt],
              { prepare: true },
            );
            count += result.count;
          } else {
            await tx.unsafe(
              `UPDATE ${spec.table} SET budget_reset_at = $1 ` +
                `WHERE ${spec.id} = $2 AND budget_reset_at IS NULL AND budget_duration = $3`,
              [plan.next, candidate.id, candidate.budget_duration],
              { prepare: true },
            );
          }
        }
      }
      return count;
    });
  }

  #open(): void {
    if (this.#closed) throw new Error("Cannot use PostgreSQL store: it is closed");
  }

  async #query(text: string, params: Param[]): Promise<Row[]> {
    this.#open();
    return await this.#sql.unsafe(text, params, { prepare: true });
  }

  #bindValue(column: Column, value: unknown): Param {
    if (column === "json[]" || column === "json{}") {
      return this.#sql.json(value as postgres.JSONValue) as unknown as Param;
    }
    return value as Param;
  }

  #bindAll<T>(spec: TableSpec<T>, entity: T): Param[] {
    const record = entity as Record<string, unknown>;
    return (Object.entries(spec.columns) as [string, Column][]).map(([field, column]) =>
      this.#bindValue(column, record[field])
    );
  }

  async #insert<T>(spec: TableSpec<T>, input: object): Promise<T> {
    const now = this.#now().toISOString();
    const entity = normalizeNew(spec, input, { created_at: now, updated_at: now, alerts_sent: [] });
    const names = columnNames(spec);
    try {
      await this.#query(
        `INSERT INTO ${spec.table} (${names.join(", ")}) VALUES (${placeholders(names.length)})`,
        this.#bindAll(spec, entity),
      );
    } catch (error) {
      throw mapConflict(error, spec);
    }
    return entity;
  }

  async #get<T>(spec: TableSpec<T>, id: string): Promise<T | undefined> {
    const [row] = await this.#query(`SELECT * FROM ${spec.table} WHERE ${spec.id} = $1`, [id]);
    return row === undefined ? undefined : decodeRow(spec, row);
  }

  async #update<T>(spec: TableSpec<T>, id: string, patch: object): Promise<T | undefined> {
    const fields = normalizePatch(spec, patch);
    if (fields.length === 0) return await this.#get(spec, id);
    const columns = spec.columns as Record<string, Column>;
    const sets = fields.map(([field], i) => `${field} = $${i + 1}`).join(", ");
    const params = fields.map(([field, value]) => this.#bindValue(columns[field], value));
    params.push(this.#now().toISOString(), id);
    try {
      const [row] = await this.#query(
        `UPDATE ${spec.table} SET ${sets}, updated_at = $${params.length - 1} ` +
          `WHERE ${spec.id} = $${params.length} RETURNING *`,
        params,
      );
      return row === undefined ? undefined : decodeRow(spec, row);
    } catch (error) {
      throw mapConflict(error, spec);
    }
  }

  async #delete<T>(spec: TableSpec<T>, ids: readonly string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = await this.#query(
      `DELETE FROM ${spec.table} WHERE ${spec.id} IN ` +
        `(SELECT jsonb_array_elements_text($1::jsonb)) RETURNING ${spec.id} AS id`,
      [this.#sql.json([...ids]) as unknown as Param],
    );
    return rows.map((row) => String(row.id));
  }

  async #list<T>(spec: TableSpec<T>): Promise<T[]> {
    const rows = await this.#query(
      `SELECT * FROM ${spec.table} ORDER BY created_at, ${spec.id} COLLATE "C"`,
      [],
    );
    return rows.map((row) => decodeRow(spec, row));
  }
}

/** WHERE clause and parameters of a spend-log filter. */
function spendWhere(filter: SpendLogFilter): { where: string; params: Param[] } {
  const where: string[] = [];
  const params: Param[] = [];
  for (const field of ["api_key", "team_id", "user_id", "model_group", "request_id"] as const) {
    const value = filter[field];
    if (value === undefined) continue;
    params.push(value);
    where.push(`${field} = $${params.length}`);
  }
  if (filter.start_date !== undefined) {
    params.push(toIso(filter.start_date, "spend log filter start_date"));
    where.push(`start_time >= $${params.length}`);
  }
  if (filter.end_date !== undefined) {
    params.push(toIso(filter.end_date, "spend log filter end_date"));
    where.push(`start_time < $${params.length}`);
  }
  return { where: where.length ? ` WHERE ${where.join(" AND ")}` : "", params };
}

/**
 * Connect to PostgreSQL and migrate.
 *
 * @param url A `postgres://` or `postgresql://` URL (`?schema=` honoured).
 * @param options Schema, pool size, clock, whether to migrate.
 * @returns The store.
 */
export async function openPostgresStore(
  url: string,
  options: PostgresStoreOptions = {},
): Promise<PostgresStore> {
  const store = new PostgresStore(url, options);
  try {
    if (options.migrate !== false) await store.migrate();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
