/**
 * Store rows → admin API response shapes (see `types.ts`). Private to
 * `src/server/admin`.
 *
 * @module
 */

import type { SpendLog, Team, User, VirtualKey } from "../../store/types.ts";
import type { AdminKey, AdminTeam, AdminUser, SpendLogRow } from "./types.ts";

/** A stored key as the admin API shows it. */
export function toAdminKey(key: VirtualKey, currency: string): AdminKey {
  return {
    token: key.token,
    key_name: key.key_name,
    key_alias: key.key_alias,
    spend: key.spend,
    max_budget: key.max_budget,
    soft_budget: key.soft_budget,
    expires: key.expires,
    models: key.models,
    user_id: key.user_id,
    team_id: key.team_id,
    max_parallel_requests: key.max_parallel_requests,
    metadata: key.metadata,
    tpm_limit: key.tpm_limit,
    rpm_limit: key.rpm_limit,
    budget_duration: key.budget_duration,
    budget_reset_at: key.budget_reset_at,
    blocked: key.blocked,
    admin: key.admin,
    created_at: key.created_at,
    updated_at: key.updated_at,
    currency,
  };
}

/** A stored team as the admin API shows it; `emails` maps member ids to emails. */
export function toAdminTeam(
  team: Team,
  currency: string,
  emails: ReadonlyMap<string, string | null> = new Map(),
): AdminTeam {
  return {
    team_id: team.team_id,
    team_alias: team.team_alias,
    models: team.models,
    members_with_roles: team.members_with_roles.map((m) => ({
      user_id: m.user_id,
      role: m.role,
      user_email: emails.get(m.user_id) ?? null,
    })),
    metadata: team.metadata,
    spend: team.spend,
    max_budget: team.max_budget,
    soft_budget: team.soft_budget,
    budget_duration: team.budget_duration,
    budget_reset_at: team.budget_reset_at,
    tpm_limit: team.tpm_limit,
    rpm_limit: team.rpm_limit,
    max_parallel_requests: team.max_parallel_requests,
    blocked: team.blocked,
    created_at: team.created_at,
    updated_at: team.updated_at,
    currency,
  };
}

/** A stored user as the admin API shows it. */
export function toAdminUser(user: User, currency: string): AdminUser {
  const alias = user.metadata.user_alias;
  return {
    user_id: user.user_id,
    user_email: user.user_email,
    user_alias: typeof alias === "string" ? alias : null,
    user_role: user.user_role,
    models: user.models,
    teams: user.teams,
    metadata: user.metadata,
    spend: user.spend,
    max_budget: user.max_budget,
    soft_budget: user.soft_budget,
    budget_duration: user.budget_duration,
    budget_reset_at: user.budget_reset_at,
    tpm_limit: user.tpm_limit,
    rpm_limit: user.rpm_limit,
    max_parallel_requests: user.max_parallel_requests,
    created_at: user.created_at,
    updated_at: user.updated_at,
    currency,
  };
}

function plusMs(iso: string, ms: number): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : new Date(t + ms).toISOString();
}

/** A ledger row as `/spend/logs` returns it (LiteLLM column names, plus llmux fields). */
export function toSpendLogRow(row: SpendLog): SpendLogRow {
  return {
    request_id: row.request_id,
    api_key: row.api_key ?? "",
    spend: row.spend,
    total_tokens: row.prompt_tokens + row.completion_tokens,
    prompt_tokens: row.prompt_tokens,
    completion_tokens: row.completion_tokens,
    startTime: row.start_time,
    endTime: row.end_time,
    completionStartTime: row.ttft_ms === null ? null : plusMs(row.start_time, row.ttft_ms),
    model: row.model ?? row.model_group,
    model_group: row.model_group,
    model_id: row.model_id,
    custom_llm_provider: row.provider,
    user: row.user_id ?? "",
    team_id: row.team_id,
    cache_hit: row.cache_hit ? "True" : "False",
    status: row.status < 400 ? "success" : "failure",
    metadata: {
      user_api_key: row.api_key,
      user_api_key_alias: row.key_alias,
      user_api_key_team_id: row.team_id,
      user_api_key_user_id: row.user_id,
    },
    spend_usd: row.spend_usd,
    currency: row.currency,
    fx_rate: row.fx_rate,
    cached_tokens: row.cached_tokens,
    latency_ms: row.latency_ms,
    ttft_ms: row.ttft_ms,
    http_status: row.status,
  };
}
