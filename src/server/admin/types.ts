/**
 * Response shapes of the admin API, following LiteLLM's proxy
 * (`GenerateKeyResponse`, `LiteLLM_VerificationToken`, `LiteLLM_TeamTable`,
 * `LiteLLM_UserTable`, `LiteLLM_SpendLogs`, the `/global/spend/report`
 * rows). Money fields are in the gateway's reporting currency, named by
 * `currency`; timestamps are ISO-8601 (UTC).
 *
 * @module
 */

/** A virtual key as the admin API shows it (never the key itself). */
export interface AdminKey {
  /** Hex SHA-256 of the key: its id everywhere (`/key/info?key=<token>`). */
  token: string;
  /** Display form, `sk-...AbCd`. */
  key_name: string;
  /** Alias, unique when set. */
  key_alias: string | null;
  /** Spend in the current budget period. */
  spend: number;
  /** Hard budget. */
  max_budget: number | null;
  /** Soft budget (alerts, budget fallbacks). */
  soft_budget: number | null;
  /** Expiry, or null. */
  expires: string | null;
  /** Model groups the key may call; empty means all. */
  models: string[];
  /** Owning user. */
  user_id: string | null;
  /** Owning team. */
  team_id: string | null;
  /** Concurrent requests. */
  max_parallel_requests: number | null;
  /** Free-form metadata. */
  metadata: Record<string, unknown>;
  /** Tokens per minute. */
  tpm_limit: number | null;
  /** Requests per minute. */
  rpm_limit: number | null;
  /** Budget period (`30d`…), or null. */
  budget_duration: string | null;
  /** End of the current budget period. */
  budget_reset_at: string | null;
  /** Blocked keys get 401. */
  blocked: boolean;
  /** Admin keys may call the admin API (llmux). */
  admin: boolean;
  /** Created. */
  created_at: string;
  /** Last updated. */
  updated_at: string;
  /** Currency of `spend` and the budgets (llmux). */
  currency: string;
}

/**
 * `POST /key/generate` and `/key/regenerate`: the key fields plus the new
 * key, shown only in this response.
 */
export interface GenerateKeyResponse extends AdminKey {
  /** The new `sk-…` key. It is not stored and cannot be shown again. */
  key: string;
  /** Same as `token` (LiteLLM sends both). */
  token_id: string;
}

/** `GET /key/info`. */
export interface KeyInfoResponse {
  /** The key's hash. */
  key: string;
  /** The key's fields (without `token`, which is `key`). */
  info: Omit<AdminKey, "token">;
}

/** `GET /key/list`. */
export interface KeyListResponse {
  /** Key hashes, or whole keys with `return_full_object=true`. */
  keys: string[] | AdminKey[];
  /** Keys matching the filters. */
  total_count: number;
  /** This page (from 1). */
  current_page: number;
  /** Pages of `size` keys. */
  total_pages: number;
}

/** A team member as given in `members_with_roles`. */
export interface AdminTeamMember {
  /** The user. */
  user_id: string;
  /** `admin` or `user`. */
  role: "admin" | "user";
  /** The user's email, when known. */
  user_email: string | null;
}

/** A team as the admin API shows it (LiteLLM's `LiteLLM_TeamTable`). */
export interface AdminTeam {
  /** Team id. */
  team_id: string;
  /** Alias. */
  team_alias: string | null;
  /** Model groups; empty means all. */
  models: string[];
  /** Members and their roles. */
  members_with_roles: AdminTeamMember[];
  /** Free-form metadata. */
  metadata: Record<string, unknown>;
  /** Spend in the current budget period. */
  spend: number;
  /** Hard budget. */
  max_budget: number | null;
  /** Soft budget. */
  soft_budget: number | null;
  /** Budget period. */
  budget_duration: string | null;
  /** End of the current budget period. */
  budget_reset_at: string | null;
  /** Tokens per minute. */
  tpm_limit: number | null;
  /** Requests per minute. */
  rpm_limit: number | null;
  /** Concurrent requests. */
  max_parallel_requests: number | null;
  /** Blocked teams' keys get 401. */
  blocked: boolean;
  /** Created. */
  created_at: string;
  /** Last updated. */
  updated_at: string;
  /** Currency of `spend` and the budgets (llmux). */
  currency: string;
}

/** `GET /team/info`. */
export interface TeamInfoResponse {
  /** Team id. */
  team_id: string;
  /** The team. */
  team_info: AdminTeam;
  /** The team's keys. */
  keys: AdminKey[];
  /** Per-member budgets (LiteLLM); llmux has none, so always empty. */
  team_memberships: never[];
}

/** `POST /team/member_add`: the updated team and the users created or updated. */
export interface TeamAddMemberResponse extends AdminTeam {
  /** The members' user rows after the change. */
  updated_users: AdminUser[];
  /** Per-member budgets (LiteLLM); always empty. */
  updated_team_memberships: never[];
}

/** A user as the admin API shows it (LiteLLM's `LiteLLM_UserTable`). */
export interface AdminUser {
  /** User id. */
  user_id: string;
  /** Email. */
  user_email: string | null;
  /** Alias (kept in `metadata.user_alias`). */
  user_alias: string | null;
  /** Role: `proxy_admin`, `proxy_admin_viewer`, `internal_user`, `internal_user_viewer`. */
  user_role: string;
  /** Model groups; empty means all. */
  models: string[];
  /** Teams. */
  teams: string[];
  /** Free-form metadata. */
  metadata: Record<string, unknown>;
  /** Spend in the current budget period. */
  spend: number;
  /** Hard budget. */
  max_budget: number | null;
  /** Soft budget. */
  soft_budget: number | null;
  /** Budget period. */
  budget_duration: string | null;
  /** End of the current budget period. */
  budget_reset_at: string | null;
  /** Tokens per minute. */
  tpm_limit: number | null;
  /** Requests per minute. */
  rpm_limit: number | null;
  /** Concurrent requests. */
  max_parallel_requests: number | null;
  /** Created. */
  created_at: string;
  /** Last updated. */
  updated_at: string;
  /** Currency of `spend` and the budgets (llmux). */
  currency: string;
}

/**
 * `POST /user/new`: the user, plus the key made for them (LiteLLM's
 * `NewUserResponse`). With `auto_create_key: false`, `key` is `""` and the
 * key fields are null.
 */
export interface NewUserResponse extends AdminUser {
  /** The user's new `sk-…` key, shown only here; `""` when none was made. */
  key: string;
  /** The key's hash, or null. */
  token: string | null;
  /** The key's display name, or null. */
  key_name: string | null;
  /** The key's alias, or null. */
  key_alias: string | null;
  /** The key's expiry, or null. */
  expires: string | null;
}

/** `GET /user/info`. */
export interface UserInfoResponse {
  /** User id. */
  user_id: string;
  /** The user. */
  user_info: AdminUser;
  /** The user's keys. */
  keys: AdminKey[];
  /** The user's teams. */
  teams: AdminTeam[];
}

/** One ledger row as `GET /spend/logs` returns it (LiteLLM's `LiteLLM_SpendLogs`, plus llmux fields). */
export interface SpendLogRow {
  /** Request id. */
  request_id: string;
  /** Key hash, or `""` for master-key calls (LiteLLM's column is not null). */
  api_key: string;
  /** Cost in the reporting currency. */
  spend: number;
  /** Prompt + completion tokens. */
  total_tokens: number;
  /** Prompt tokens. */
  prompt_tokens: number;
  /** Completion tokens. */
  completion_tokens: number;
  /** Request start. */
  startTime: string;
  /** Request end. */
  endTime: string;
  /** First token (streams), or null. */
  completionStartTime: string | null;
  /** Provider model (falls back to the model group). */
  model: string;
  /** Model group asked for. */
  model_group: string;
  /** Deployment id. */
  model_id: string | null;
  /** Provider. */
  custom_llm_provider: string | null;
  /** Key owner (LiteLLM's `user` column). */
  user: string;
  /** Team. */
  team_id: string | null;
  /** `"True"` / `"False"`, as LiteLLM stores it. */
  cache_hit: "True" | "False";
  /** `success` or `failure`. */
  status: "success" | "failure";
  /** LiteLLM-style metadata: the key alias and ids. */
  metadata: {
    user_api_key: string | null;
    user_api_key_alias: string | null;
    user_api_key_team_id: string | null;
    user_api_key_user_id: string | null;
  };
  /** Cost in USD (llmux). */
  spend_usd: number;
  /** Reporting currency of `spend` (llmux). */
  currency: string;
  /** Units of `currency` per USD used for this row (llmux). */
  fx_rate: number;
  /** Cached prompt tokens (llmux). */
  cached_tokens: number;
  /** Total latency in ms (llmux). */
  latency_ms: number;
  /** Time to first token in ms (llmux). */
  ttft_ms: number | null;
  /** HTTP status sent (llmux). */
  http_status: number;
}

/** Spend of one (model, key) pair inside a report group. */
export interface SpendReportMetadata {
  /** Provider model (falls back to the model group). */
  model: string;
  /** Model group (llmux). */
  model_group: string;
  /** Key hash, or `""` for master-key calls. */
  api_key: string;
  /** Spend, reporting currency. */
  spend: number;
  /** Spend in USD (llmux). */
  spend_usd: number;
  /** Prompt + completion tokens. */
  total_tokens: number;
}

/** One day of `GET /global/spend/report?group_by=team|customer|user|model`. */
export interface SpendReportDay {
  /** The UTC day, `2024-04-30T00:00:00+00:00` as LiteLLM formats it. */
  group_by_day: string;
  /** Reporting currency (llmux). */
  currency: string;
  /** `group_by=team`: per team (`team_name` is the alias, else the id, else `Unassigned Team`). */
  teams?: ({ team_name: string; team_id: string | null } & SpendReportGroup)[];
  /** `group_by=customer`: per user id (`customer`). */
  customers?: ({ customer: string | null } & SpendReportGroup)[];
  /** `group_by=user` (llmux): per user id. */
  users?: ({ user_id: string | null } & SpendReportGroup)[];
  /** `group_by=model` (llmux): per model group. */
  models?: ({ model: string } & SpendReportGroup)[];
}

/** Totals of one group of a report day. */
export interface SpendReportGroup {
  /** Spend, reporting currency. */
  total_spend: number;
  /** Spend in USD (llmux). */
  total_spend_usd: number;
  /** Spend per (model, key). */
  metadata: SpendReportMetadata[];
}

/**
 * One key of `GET /global/spend/report` with `group_by=api_key`, `api_key=`
 * or `internal_user_id=` (LiteLLM's per-key shape).
 */
export interface SpendReportKey {
  /** Key hash, or `""` for master-key calls. */
  api_key: string;
  /** Spend, reporting currency. */
  total_cost: number;
  /** Spend in USD (llmux). */
  total_cost_usd: number;
  /** Prompt tokens. */
  total_input_tokens: number;
  /** Completion tokens. */
  total_output_tokens: number;
  /** Reporting currency (llmux). */
  currency: string;
  /** Per model. */
  model_details: {
    model: string;
    total_cost: number;
    total_cost_usd: number;
    total_input_tokens: number;
    total_output_tokens: number;
  }[];
}
