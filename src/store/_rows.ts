/**
 * Backend-neutral row handling shared by the SQLite and PostgreSQL stores:
 * column tables per entity, input normalisation (validation, defaults,
 * canonical ISO timestamps) and decoding of what each driver returns.
 *
 * @module
 */

import { advanceReset, nextReset } from "./duration.ts";
import type { SpendIncrement, SpendLog, SpendReportRow, Team, User, VirtualKey } from "./types.ts";

/**
 * How a column is stored: `text`, `num` (double), `int` (safe integer), `bool`, `ts`
 * (ISO-8601 UTC), `json[]` / `json{}` (JSON array / object, never null);
 * a trailing `?` makes the column nullable.
 */
export type Column =
  | "text"
  | "text?"
  | "num"
  | "num?"
  | "int"
  | "int?"
  | "bool"
  | "ts"
  | "ts?"
  | "json[]"
  | "json{}";

/** Columns of one table. */
export type Columns<T> = { readonly [K in keyof T]-?: Column };

/** One entity table. */
export interface TableSpec<T> {
  /** Table name. */
  readonly table: string;
  /** Entity name for messages. */
  readonly entity: string;
  /** Primary key column. */
  readonly id: keyof T & string;
  /** Every column, in table order. */
  readonly columns: Columns<T>;
  /** Columns a patch may not touch. */
  readonly immutable: readonly (keyof T & string)[];
}

const BUDGET_COLUMNS = {
  max_budget: "num?",
  soft_budget: "num?",
  budget_duration: "text?",
  budget_reset_at: "ts?",
  spend: "num",
  rpm_limit: "int?",
  tpm_limit: "int?",
  max_parallel_requests: "int?",
} as const;

/** The keys table. */
export const KEYS: TableSpec<VirtualKey> = {
  table: "llmux_keys",
  entity: "key",
  id: "token",
  immutable: ["token", "created_at", "updated_at"],
  columns: {
    token: "text",
    key_name: "text",
    key_alias: "text?",
    models: "json[]",
    expires: "ts?",
    metadata: "json{}",
    team_id: "text?",
    user_id: "text?",
    blocked: "bool",
    admin: "bool",
    ...BUDGET_COLUMNS,
    alerts_sent: "json[]",
    created_at: "ts",
    updated_at: "ts",
  },
};

/** The teams table. */
export const TEAMS: TableSpec<Team> = {
  table: "llmux_teams",
  entity: "team",
  id: "team_id",
  immutable: ["team_id", "created_at", "updated_at"],
  columns: {
    team_id: "text",
    team_alias: "text?",
    models: "json[]",
    members_with_roles: "json[]",
    metadata: "json{}",
    blocked: "bool",
    ...BUDGET_COLUMNS,
    alerts_sent: "json[]",
    created_at: "ts",
    updated_at: "ts",
  },
};

/** The users table. */
export const USERS: TableSpec<User> = {
  table: "llmux_users",
  entity: "user",
  id: "user_id",
  immutable: ["user_id", "created_at", "updated_at"],
  columns: {
    user_id: "text",
    user_email: "text?",
    user_role: "text",
    models: "json[]",
    teams: "json[]",
    metadata: "json{}",
    ...BUDGET_COLUMNS,
    alerts_sent: "json[]",
    created_at: "ts",
    updated_at: "ts",
  },
};

/** The spend ledger. */
export const SPEND_LOGS: TableSpec<SpendLog> = {
  table: "llmux_spend_logs",
  entity: "spend log",
  id: "request_id",
  immutable: [],
  columns: {
    request_id: "text",
    api_key: "text?",
    key_alias: "text?",
    team_id: "text?",
    user_id: "text?",
    model_group: "text",
    model_id: "text?",
    provider: "text?",
    model: "text?",
    prompt_tokens: "int",
    completion_tokens: "int",
    cached_tokens: "int",
    spend_usd: "num",
    spend: "num",
    currency: "text",
    fx_rate: "num",
    latency_ms: "num",
    ttft_ms: "num?",
    status: "int",
    cache_hit: "bool",
    start_time: "ts",
    end_time: "ts",
  },
};

/** Entity tables that carry budgets, in the order spend updates lock them. */
export const BUDGET_TABLES = [KEYS, TEAMS, USERS] as const;

/** Column names of a table, in table order. */
export function columnNames<T>(spec: TableSpec<T>): (keyof T & string)[] {
  return Object.keys(spec.columns) as (keyof T & string)[];
}

/** A canonical ISO-8601 UTC timestamp, or a TypeError. */
export function toIso(value: unknown, what: string): string {
  const date = value instanceof Date
    ? value
    : typeof value === "string"
    ? new Date(value)
    : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new TypeError(`Cannot store ${what}: ${JSON.stringify(value)} is not a valid timestamp`);
  }
  return date.toISOString();
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) &&
    !(value instanceof Date);
}

/**
 * Validate one field and return its canonical value (ISO timestamps,
 * defaults for omitted nullable / JSON / boolean / numeric fields).
 */
export function normalizeField(
  entity: string,
  field: string,
  column: Column,
  value: unknown,
): unknown {
  const what = `${entity} field "${field}"`;
  if (value === undefined || value === null) {
    if (column.endsWith("?")) return null;
    if (value === undefined) {
      if (column === "json[]") return [];
      if (column === "json{}") return {};
      if (column === "bool") return false;
      if (column === "num" || column === "int") return 0;
    }
    throw new TypeError(`Cannot store ${what}: a value is required`);
  }
  switch (column) {
    case "text":
    case "text?":
      if (typeof value !== "string") {
        throw new TypeError(`Cannot store ${what}: expected a string`);
      }
      return value;
    case "num":
    case "num?":
      if (typeof value !== "number" || !Number.isFinite(value)) {
        throw new TypeError(`Cannot store ${what}: expected a finite number`);
      }
      return value;
    case "int":
    case "int?":
      if (typeof value !== "number" || !Number.isSafeInteger(value)) {
        throw new TypeError(`Cannot store ${what}: expected an integer`);
      }
      return value;
    case "bool":
      if (typeof value !== "boolean") {
        throw new TypeError(`Cannot store ${what}: expected a boolean`);
      }
      return value;
    case "ts":
    case "ts?":
      return toIso(value, what);
    case "json[]":
      if (!Array.isArray(value)) throw new TypeError(`Cannot store ${what}: expected an array`);
      return value;
    case "json{}":
      if (!isPlainObject(value)) throw new TypeError(`Cannot store ${what}: expected an object`);
      return value;
  }
}

/**
 * Validate a new entity: every column gets a canonical value. `fixed`
 * supplies store-owned fields (timestamps, spend, alerts).
 */
export function normalizeNew<T>(
  spec: TableSpec<T>,
  input: object,
  fixed: Readonly<Record<string, unknown>>,
): T {
  if (!isPlainObject(input)) throw new TypeError(`Cannot store ${spec.entity}: expected an object`);
  const source = input as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(spec.columns) as [string, Column][]) {
    const value = field in fixed ? fixed[field] : source[field];
    out[field] = normalizeField(spec.entity, field, column, value);
  }
  if (out[spec.id] === "") {
    throw new TypeError(`Cannot store ${spec.entity}: "${spec.id}" must not be empty`);
  }
  return out as T;
}

/**
 * Validate a patch: the fields set (undefined ones are skipped), in canonical
 * form. Unknown or immutable fields are a TypeError, never silently dropped.
 */
export function normalizePatch<T>(spec: TableSpec<T>, patch: object): [string, unknown][] {
  if (!isPlainObject(patch)) {
    throw new TypeError(`Cannot update ${spec.entity}: expected a patch object`);
  }
  const out: [string, unknown][] = [];
  for (const [field, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const column = (spec.columns as Record<string, Column | undefined>)[field];
    if (column === undefined) {
      throw new TypeError(`Cannot update ${spec.entity}: unknown field "${field}"`);
    }
    if ((spec.immutable as readonly string[]).includes(field)) {
      throw new TypeError(`Cannot update ${spec.entity}: field "${field}" cannot be changed`);
    }
    out.push([field, normalizeField(spec.entity, field, column, value)]);
  }
  return out;
}

/** Decode one stored value (SQLite or PostgreSQL driver form) into its entity form. */
export function decodeField(column: Column, raw: unknown): unknown {
  if (raw === null || raw === undefined) {
    if (column === "json[]") return [];
    if (column === "json{}") return {};
    if (column === "bool") return false;
    if (column === "num" || column === "int") return 0;
    return null;
  }
  switch (column) {
    case "text":
    case "text?":
      return typeof raw === "string" ? raw : String(raw);
    case "num":
    case "num?":
    case "int":
    case "int?":
      return typeof raw === "number" ? raw : Number(raw);
    case "bool":
      return raw === true || raw === 1 || raw === 1n || raw === "t";
    case "ts":
    case "ts?":
      return raw instanceof Date ? raw.toISOString() : String(raw);
    case "json[]":
    case "json{}":
      return typeof raw === "string" ? JSON.parse(raw) : raw;
  }
}

/** Decode a row into an entity. */
export function decodeRow<T>(spec: TableSpec<T>, row: Record<string, unknown>): T {
  const out: Record<string, unknown> = {};
  for (const [field, column] of Object.entries(spec.columns) as [string, Column][]) {
    out[field] = decodeField(column, row[field]);
  }
  return out as T;
}

/** Validate a ledger row. */
export function normalizeSpendLog(row: SpendLog): SpendLog {
  return normalizeNew(SPEND_LOGS, row, {});
}

/** Spend per entity id for each budget table, from the rows actually inserted. */
export interface SpendTotals {
  /** Key hash → amount. */
  readonly key: Map<string, number>;
  /** Team id → amount. */
  readonly team: Map<string, number>;
  /** User id → amount. */
  readonly user: Map<string, number>;
}

/** A validated `recordSpend` call: ledger rows and the increments tied to each. */
export interface SpendPlan {
  /** Validated rows, first occurrence of each request id, sorted by request id. */
  readonly rows: SpendLog[];
  /** Increments per request id. */
  readonly increments: Map<string, SpendIncrement[]>;
}

/**
 * Validate a `recordSpend` call and tie each increment to its ledger row:
 * by `increment.request_id` when every increment names one, otherwise by
 * position (`increments[i]` belongs to `rows[i]`, so the lengths must match
 * unless there are no increments at all). A `request_id` repeated within
 * the batch is stored once; by position, only its first increment counts.
 */
export function planSpend(
  rows: readonly SpendLog[],
  increments: readonly SpendIncrement[],
): SpendPlan {
  const byId = new Map<string, SpendLog>();
  const first: boolean[] = [];
  for (const row of rows) {
    const clean = normalizeSpendLog(row);
    first.push(!byId.has(clean.request_id));
    if (!byId.has(clean.request_id)) byId.set(clean.request_id, clean);
  }
  const tied = new Map<string, SpendIncrement[]>();
  const named = increments.filter((inc) => typeof inc.request_id === "string").length;
  if (named !== 0 && named !== increments.length) {
    throw new TypeError(
      "Cannot record spend: either every increment names its request_id or none does",
    );
  }
  if (named === 0 && increments.length !== 0 && increments.length !== rows.length) {
    throw new TypeError(
      `Cannot record spend: ${increments.length} increments for ${rows.length} rows ` +
        "(increments[i] belongs to rows[i]; set request_id to tie them otherwise)",
    );
  }
  increments.forEach((inc, i) => {
    const requestId = named === 0 ? rows[i].request_id : inc.request_id as string;
    if (!byId.has(requestId)) {
      throw new TypeError(
        `Cannot record spend: increment names request_id ${
          JSON.stringify(requestId)
        }, which is not in the batch`,
      );
    }
    if (typeof inc.spend !== "number" || !Number.isFinite(inc.spend)) {
      throw new TypeError("Cannot record spend: increment spend must be a finite number");
    }
    // A repeated row is dropped, and by position its increment goes with it.
    if (named === 0 && !first[i]) return;
    const list = tied.get(requestId);
    if (list === undefined) tied.set(requestId, [inc]);
    else list.push(inc);
  });
  const sorted = [...byId.values()].sort((a, b) => compareText(a.request_id, b.request_id));
  return { rows: sorted, increments: tied };
}

/** Add up the increments of the rows actually inserted, per entity. */
export function totalsFor(plan: SpendPlan, inserted: Iterable<string>): SpendTotals {
  const totals: SpendTotals = { key: new Map(), team: new Map(), user: new Map() };
  const add = (map: Map<string, number>, id: string | null, amount: number): void => {
    if (id === null || id === undefined || amount === 0) return;
    map.set(id, (map.get(id) ?? 0) + amount);
  };
  for (const requestId of inserted) {
    for (const inc of plan.increments.get(requestId) ?? []) {
      add(totals.key, inc.api_key, inc.spend);
      add(totals.team, inc.team_id, inc.spend);
      add(totals.user, inc.user_id, inc.spend);
    }
  }
  return totals;
}

/** Entries of a map sorted by id: the lock order that keeps writers deadlock-free. */
export function sortedEntries(map: Map<string, number>): [string, number][] {
  return [...map.entries()].sort((a, b) => compareText(a[0], b[0]));
}

/** Code-unit string order (the same on every backend and locale). */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sort report rows by day, then group (nulls last), identically on every backend. */
export function sortReport(rows: SpendReportRow[]): SpendReportRow[] {
  return rows.sort((a, b) =>
    compareText(a.date, b.date) ||
    (a.group === null ? (b.group === null ? 0 : 1) : b.group === null ? -1 : compareText(
      a.group,
      b.group,
    ))
  );
}

/** The most rows `querySpendLogs` returns when no limit is given. */
export const DEFAULT_SPEND_LOG_LIMIT = 1000;

/** Validate a `limit` filter. */
export function spendLogLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_SPEND_LOG_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 1) {
    throw new TypeError(`Cannot query spend logs: limit must be a positive integer, got ${limit}`);
  }
  return limit;
}

/** Dimensions of `spendReport`, whitelisted column names. */
export const REPORT_GROUPS = ["model_group", "api_key", "team_id", "user_id"] as const;

/** Validate a `group_by`. */
export function reportGroup(group: string): (typeof REPORT_GROUPS)[number] {
  if (!(REPORT_GROUPS as readonly string[]).includes(group)) {
    throw new TypeError(
      `Cannot build spend report: group_by must be one of ${REPORT_GROUPS.join(", ")}`,
    );
  }
  return group as (typeof REPORT_GROUPS)[number];
}

/** An entity due for a budget reset or a first schedule. */
export interface ResetCandidate {
  /** Entity id. */
  id: string;
  /** Its budget duration. */
  budget_duration: string | null;
  /** Its current reset time (ISO), or null. */
  budget_reset_at: string | null;
}

/** What `resetBudgets` does to one candidate. */
export interface ResetPlan {
  /** Whether the period ended: spend and alerts go back to zero. */
  readonly due: boolean;
  /** The new `budget_reset_at` (ISO), or null when it cannot be scheduled. */
  readonly next: string | null;
}

/**
 * Plan one entity's reset at `now`: a due entity (`budget_reset_at` ≤ now)
 * resets and moves to the first boundary after `now` (whole periods, so the
 * schedule keeps its phase; null when it has no valid duration); an entity
 * with a duration but no reset time yet is only scheduled (`now` + one
 * period). Anything else needs nothing.
 */
export function planReset(candidate: ResetCandidate, now: Date): ResetPlan | undefined {
  const { budget_duration: duration, budget_reset_at: resetAt } = candidate;
  if (resetAt === null) {
    if (duration === null) return undefined;
    try {
      return { due: false, next: nextReset(now, duration).toISOString() };
    } catch {
      return undefined;
    }
  }
  const at = new Date(resetAt);
  if (at.getTime() > now.getTime()) return undefined;
  if (duration === null) return { due: true, next: null };
  try {
    return { due: true, next: advanceReset(at, duration, now).toISOString() };
  } catch {
    return { due: true, next: null };
  }
}

/** Validate the new hash and display name of `replaceKeyToken`. */
export function checkNextToken(
  next: { token: string; key_name: string },
): { token: string; key_name: string } {
  if (typeof next?.token !== "string" || next.token === "") {
    throw new TypeError("Cannot replace key token: the new token must be a non-empty string");
  }
  if (typeof next.key_name !== "string") {
    throw new TypeError("Cannot replace key token: key_name must be a string");
  }
  return { token: next.token, key_name: next.key_name };
}
