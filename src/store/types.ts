/**
 * Gateway state: virtual keys, teams, users and the spend ledger, behind one
 * `Store` interface with two real backends (embedded SQLite and PostgreSQL).
 * Field names follow LiteLLM's admin API (`/key/generate`, `/team/new`, …).
 *
 * Money: `*_budget` and `spend` are in the gateway's reporting currency
 * (`general_settings.currency`, default USD); every ledger row also keeps
 * the USD cost and the FX rate used, so history never changes with rates.
 * Timestamps are ISO-8601 strings (UTC).
 *
 * @module
 */

/** Limits and budget fields shared by keys, teams and users. */
export interface BudgetFields {
  /** Hard budget in the reporting currency; over it requests are rejected (400). */
  max_budget: number | null;
  /** Soft budget; over it requests go along `budget_fallbacks` and an alert fires. */
  soft_budget: number | null;
  /** Budget period: `30s`, `1h`, `1d`, `30d` (null: the budget never resets). */
  budget_duration: string | null;
  /** When the current budget period ends (ISO), when `budget_duration` is set. */
  budget_reset_at: string | null;
  /** Spend in the current budget period, reporting currency. */
  spend: number;
  /** Requests per minute. */
  rpm_limit: number | null;
  /** Tokens per minute. */
  tpm_limit: number | null;
  /** Concurrent requests. */
  max_parallel_requests: number | null;
}

/** A virtual key as stored (never the key itself: only its SHA-256). */
export interface VirtualKey extends BudgetFields {
  /** Hex SHA-256 of the full `sk-…` key: the primary key. */
  token: string;
  /** Display form, e.g. `sk-...AbCd`. */
  key_name: string;
  /** Human alias (unique when set). */
  key_alias: string | null;
  /** Model groups the key may call; empty means all. */
  models: string[];
  /** Expiry (ISO), or null. */
  expires: string | null;
  /** Free-form metadata. */
  metadata: Record<string, unknown>;
  /** Owning team. */
  team_id: string | null;
  /** Owning user. */
  user_id: string | null;
  /** Blocked keys get 401. */
  blocked: boolean;
  /** Admin keys may call admin routes. */
  admin: boolean;
  /** Alert thresholds (50/80/100 %) already crossed in this period, to fire each once. */
  alerts_sent: number[];
  /** Created (ISO). */
  created_at: string;
  /** Last updated (ISO). */
  updated_at: string;
}

/** A team member. */
export interface TeamMember {
  /** The user. */
  user_id: string;
  /** `admin` or `user`. */
  role: "admin" | "user";
}

/** A team: budgets and limits that apply on top of each key's. */
export interface Team extends BudgetFields {
  /** Team id. */
  team_id: string;
  /** Human alias. */
  team_alias: string | null;
  /** Model groups the team may call; empty means all. */
  models: string[];
  /** Members. */
  members_with_roles: TeamMember[];
  /** Free-form metadata. */
  metadata: Record<string, unknown>;
  /** Blocked teams' keys get 401. */
  blocked: boolean;
  /** Alert thresholds already crossed in this period. */
  alerts_sent: number[];
  /** Created (ISO). */
  created_at: string;
  /** Last updated (ISO). */
  updated_at: string;
}

/** A user. */
export interface User extends BudgetFields {
  /** User id. */
  user_id: string;
  /** Email. */
  user_email: string | null;
  /** Role, LiteLLM-style (`proxy_admin`, `internal_user`, …). */
  user_role: string;
  /** Model groups the user may call; empty means all. */
  models: string[];
  /** Teams the user belongs to. */
  teams: string[];
  /** Free-form metadata. */
  metadata: Record<string, unknown>;
  /** Alert thresholds already crossed in this period. */
  alerts_sent: number[];
  /** Created (ISO). */
  created_at: string;
  /** Last updated (ISO). */
  updated_at: string;
}

/** One row of the spend ledger: one request. */
export interface SpendLog {
  /** The request id (`x-request-id`). */
  request_id: string;
  /** Key hash (`VirtualKey.token`), or null for master-key / anonymous calls. */
  api_key: string | null;
  /** Key alias at the time. */
  key_alias: string | null;
  /** Team. */
  team_id: string | null;
  /** User. */
  user_id: string | null;
  /** Model group asked for. */
  model_group: string;
  /** Deployment id that answered. */
  model_id: string | null;
  /** Provider. */
  provider: string | null;
  /** Provider model. */
  model: string | null;
  /** Prompt tokens (cached included). */
  prompt_tokens: number;
  /** Completion tokens. */
  completion_tokens: number;
  /** Cached prompt tokens. */
  cached_tokens: number;
  /** Cost in USD. */
  spend_usd: number;
  /** Cost in the reporting currency. */
  spend: number;
  /** Reporting currency (ISO 4217). */
  currency: string;
  /** Units of `currency` per USD used for this row. */
  fx_rate: number;
  /** Total latency, ms. */
  latency_ms: number;
  /** Time to first token, ms (streams). */
  ttft_ms: number | null;
  /** HTTP status sent. */
  status: number;
  /** Whether a cache answered. */
  cache_hit: boolean;
  /** Request start (ISO). */
  start_time: string;
  /** Request end (ISO). */
  end_time: string;
}

/** Filters of {@linkcode Store.querySpendLogs} (all optional, AND-ed). */
export interface SpendLogFilter {
  /** Key hash. */
  api_key?: string;
  /** Team. */
  team_id?: string;
  /** User. */
  user_id?: string;
  /** Model group. */
  model_group?: string;
  /** Request id. */
  request_id?: string;
  /** start_time ≥ this (ISO). */
  start_date?: string;
  /** start_time < this (ISO). */
  end_date?: string;
  /** Most rows to return (default 1000). */
  limit?: number;
}

/** A row of {@linkcode Store.spendReport}. */
export interface SpendReportRow {
  /** Day (YYYY-MM-DD, UTC). */
  date: string;
  /** The grouping value (model group, key hash, team id or user id). */
  group: string | null;
  /** Requests. */
  requests: number;
  /** Prompt tokens. */
  prompt_tokens: number;
  /** Completion tokens. */
  completion_tokens: number;
  /** Spend in USD. */
  spend_usd: number;
  /** Spend in the reporting currency (sum of each row's converted cost). */
  spend: number;
}

/** Which entity a spend increment or budget belongs to. */
export type BudgetEntity = "key" | "team" | "user";

/**
 * Spend to add to the counters of the entities behind one request. An
 * increment belongs to one ledger row and is applied only if that row is
 * inserted by the same `recordSpend` call, so re-recording a batch never
 * counts twice.
 */
export interface SpendIncrement {
  /**
   * The ledger row this increment belongs to. When every increment of a
   * `recordSpend` call sets it, increments are tied by id (several per row
   * allowed); when none does, `increments[i]` belongs to `rows[i]`.
   */
  request_id?: string;
  /** Key hash, if a virtual key made the request. */
  api_key: string | null;
  /** Team, if any. */
  team_id: string | null;
  /** User, if any. */
  user_id: string | null;
  /** Amount in the reporting currency. */
  spend: number;
}

/** New key fields (the generated key's hash and display name included). */
export type NewKey = Omit<VirtualKey, "created_at" | "updated_at" | "spend" | "alerts_sent"> & {
  spend?: number;
};

/** Patchable key fields. */
export type KeyPatch = Partial<Omit<VirtualKey, "token" | "created_at" | "updated_at">>;

/** New team fields. */
export type NewTeam = Omit<Team, "created_at" | "updated_at" | "spend" | "alerts_sent"> & {
  spend?: number;
};

/** Patchable team fields. */
export type TeamPatch = Partial<Omit<Team, "team_id" | "created_at" | "updated_at">>;

/** New user fields. */
export type NewUser = Omit<User, "created_at" | "updated_at" | "spend" | "alerts_sent"> & {
  spend?: number;
};

/** Patchable user fields. */
export type UserPatch = Partial<Omit<User, "user_id" | "created_at" | "updated_at">>;

/** Filters of {@linkcode Store.listKeys}. */
export interface KeyFilter {
  /** Team. */
  team_id?: string;
  /** User. */
  user_id?: string;
  /** Alias. */
  key_alias?: string;
}

/**
 * The gateway's persistent state. Both backends pass the same test suite.
 * Every method is atomic; `recordSpend` writes ledger rows and increments
 * the spend counters of their keys, teams and users in one transaction.
 */
export interface Store {
  /** `"sqlite"` or `"postgres"`. */
  readonly kind: "sqlite" | "postgres";
  /** Create or upgrade the schema (versioned migrations); idempotent. */
  migrate(): Promise<void>;
  /** Release connections. */
  close(): Promise<void>;

  /** Insert a key; a duplicate token or alias is an error. */
  createKey(key: NewKey): Promise<VirtualKey>;
  /** A key by its hash. */
  getKey(token: string): Promise<VirtualKey | undefined>;
  /** A key by alias. */
  getKeyByAlias(alias: string): Promise<VirtualKey | undefined>;
  /** Update fields; returns the updated key or undefined when absent. */
  updateKey(token: string, patch: KeyPatch): Promise<VirtualKey | undefined>;
  /** Replace a key's hash (regenerate), keeping everything else. */
  replaceKeyToken(
    oldToken: string,
    next: { token: string; key_name: string },
  ): Promise<VirtualKey | undefined>;
  /** Delete keys; returns the hashes deleted. */
  deleteKeys(tokens: readonly string[]): Promise<string[]>;
  /** List keys. */
  listKeys(filter?: KeyFilter): Promise<VirtualKey[]>;

  /** Insert a team. */
  createTeam(team: NewTeam): Promise<Team>;
  /** A team. */
  getTeam(teamId: string): Promise<Team | undefined>;
  /** Update a team. */
  updateTeam(teamId: string, patch: TeamPatch): Promise<Team | undefined>;
  /** Delete teams; returns the ids deleted. */
  deleteTeams(teamIds: readonly string[]): Promise<string[]>;
  /** List teams. */
  listTeams(): Promise<Team[]>;

  /** Insert a user. */
  createUser(user: NewUser): Promise<User>;
  /** A user. */
  getUser(userId: string): Promise<User | undefined>;
  /** Update a user. */
  updateUser(userId: string, patch: UserPatch): Promise<User | undefined>;
  /** List users. */
  listUsers(): Promise<User[]>;

  /**
   * Write ledger rows and add their spend to the counters of their keys,
   * teams and users, in one transaction. Rows whose `request_id` already
   * exists are ignored (idempotent re-flush after a crash).
   */
  recordSpend(rows: readonly SpendLog[], increments: readonly SpendIncrement[]): Promise<void>;
  /** Ledger rows, newest first. */
  querySpendLogs(filter?: SpendLogFilter): Promise<SpendLog[]>;
  /** Spend grouped by UTC day and by one dimension. */
  spendReport(
    options: SpendLogFilter & { group_by: "model_group" | "api_key" | "team_id" | "user_id" },
  ): Promise<SpendReportRow[]>;
  /**
   * Reset the spend of every entity whose `budget_reset_at` ≤ `now`, and set
   * its next `budget_reset_at` from `budget_duration`. Returns how many reset.
   */
  resetBudgets(now: Date): Promise<number>;
}
