/**
 * Builders for store entities and a controllable clock, shared by the
 * store tests.
 *
 * @module
 */

import type { NewKey, NewTeam, NewUser, SpendIncrement, SpendLog } from "../../src/store/mod.ts";

/** A new key with every field set to a neutral default. */
export function newKey(token: string, patch: Partial<NewKey> = {}): NewKey {
  return {
    token,
    key_name: `sk-...${token.slice(-4)}`,
    key_alias: null,
    models: [],
    expires: null,
    metadata: {},
    team_id: null,
    user_id: null,
    blocked: false,
    admin: false,
    max_budget: null,
    soft_budget: null,
    budget_duration: null,
    budget_reset_at: null,
    rpm_limit: null,
    tpm_limit: null,
    max_parallel_requests: null,
    ...patch,
  };
}

/** A new team with neutral defaults. */
export function newTeam(teamId: string, patch: Partial<NewTeam> = {}): NewTeam {
  return {
    team_id: teamId,
    team_alias: null,
    models: [],
    members_with_roles: [],
    metadata: {},
    blocked: false,
    max_budget: null,
    soft_budget: null,
    budget_duration: null,
    budget_reset_at: null,
    rpm_limit: null,
    tpm_limit: null,
    max_parallel_requests: null,
    ...patch,
  };
}

/** A new user with neutral defaults. */
export function newUser(userId: string, patch: Partial<NewUser> = {}): NewUser {
  return {
    user_id: userId,
    user_email: null,
    user_role: "internal_user",
    models: [],
    teams: [],
    metadata: {},
    max_budget: null,
    soft_budget: null,
    budget_duration: null,
    budget_reset_at: null,
    rpm_limit: null,
    tpm_limit: null,
    max_parallel_requests: null,
    ...patch,
  };
}

/** A ledger row. */
export function spendLog(requestId: string, patch: Partial<SpendLog> = {}): SpendLog {
  return {
    request_id: requestId,
    api_key: null,
    key_alias: null,
    team_id: null,
    user_id: null,
    model_group: "gpt-4o",
    model_id: "dep-1",
    provider: "openai",
    model: "gpt-4o-2024-08-06",
    prompt_tokens: 100,
    completion_tokens: 20,
    cached_tokens: 0,
    spend_usd: 0.25,
    spend: 0.25,
    currency: "USD",
    fx_rate: 1,
    latency_ms: 350.5,
    ttft_ms: null,
    status: 200,
    cache_hit: false,
    start_time: "2025-03-01T12:00:00.000Z",
    end_time: "2025-03-01T12:00:00.350Z",
    ...patch,
  };
}

/** The increment a row implies (its own key, team, user and spend). */
export function incrementOf(row: SpendLog): SpendIncrement {
  return { api_key: row.api_key, team_id: row.team_id, user_id: row.user_id, spend: row.spend };
}

/** A manual clock: `now()` returns the current time, `advance(ms)` moves it. */
export class ManualClock {
  #ms: number;

  /** Start at `start`. */
  constructor(start: string | Date = "2025-03-01T00:00:00.000Z") {
    this.#ms = new Date(start).getTime();
  }

  /** The current time. */
  now = (): Date => new Date(this.#ms);

  /** Move forward. */
  advance(ms: number): void {
    this.#ms += ms;
  }

  /** The current time as ISO. */
  iso(): string {
    return new Date(this.#ms).toISOString();
  }
}
