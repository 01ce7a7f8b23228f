/**
 * PostgreSQL schema versions. Append new versions; never edit an applied
 * one. Tables live in the connection's `search_path` schema.
 *
 * @module
 */

import type { Migration } from "./types.ts";

/** The PostgreSQL migrations, in order. */
export const POSTGRES_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "keys, teams, users and the spend ledger",
    sql: `
CREATE TABLE llmux_keys (
  token TEXT PRIMARY KEY,
  key_name TEXT NOT NULL,
  key_alias TEXT UNIQUE,
  models JSONB NOT NULL DEFAULT '[]',
  expires TIMESTAMPTZ,
  metadata JSONB NOT NULL DEFAULT '{}',
  team_id TEXT,
  user_id TEXT,
  blocked BOOLEAN NOT NULL DEFAULT false,
  admin BOOLEAN NOT NULL DEFAULT false,
  max_budget DOUBLE PRECISION,
  soft_budget DOUBLE PRECISION,
  budget_duration TEXT,
  budget_reset_at TIMESTAMPTZ,
  spend DOUBLE PRECISION NOT NULL DEFAULT 0,
  rpm_limit BIGINT,
  tpm_limit BIGINT,
  max_parallel_requests INTEGER,
  alerts_sent JSONB NOT NULL DEFAULT '[]',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX llmux_keys_team_id ON llmux_keys (team_id);
CREATE INDEX llmux_keys_user_id ON llmux_keys (user_id);
CREATE INDEX llmux_keys_budget_reset_at ON llmux_keys (budget_reset_at);

CREATE TABLE llmux_teams (
  team_id TEXT PRIMARY KEY,
  team_alias TEXT,
  models JSONB NOT NULL DEFAULT '[]',
  members_with_roles JSONB NOT NULL DEFAULT '[]',
  metadata JSONB NOT NULL DEFAULT '{}',
  blocked BOOLEAN NOT NULL DEFAULT false,
  max_budget DOUBLE PRECISION,
  soft_budget DOUBLE PRECISION,
  budget_duration TEXT,
  budget_reset_at TIMESTAMPTZ,
  spend DOUBLE PRECISION NOT NULL DEFAULT 0,
  rpm_limit BIGINT,
  tpm_limit BIGINT,
  max_parallel_requests INTEGER,
  alerts_sent JSONB NOT NULL DEFAULT '[]',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX llmux_teams_budget_reset_at ON llmux_teams (budget_reset_at);

CREATE TABLE llmux_users (
  user_id TEXT PRIMARY KEY,
  user_email TEXT,
  user_role TEXT NOT NULL,
  models JSONB NOT NULL DEFAULT '[]',
  teams JSONB NOT NULL DEFAULT '[]',
  metadata JSONB NOT NULL DEFAULT '{}',
  max_budget DOUBLE PRECISION,
  soft_budget DOUBLE PRECISION,
  budget_duration TEXT,
  budget_reset_at TIMESTAMPTZ,
  spend DOUBLE PRECISION NOT NULL DEFAULT 0,
  rpm_limit BIGINT,
  tpm_limit BIGINT,
  max_parallel_requests INTEGER,
  alerts_sent JSONB NOT NULL DEFAULT '[]',
  created_at TIMESTAMPTZ NOT NULL,
  updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX llmux_users_budget_reset_at ON llmux_users (budget_reset_at);

CREATE TABLE llmux_spend_logs (
  request_id TEXT PRIMARY KEY,
  api_key TEXT,
  key_alias TEXT,
  team_id TEXT,
  user_id TEXT,
  model_group TEXT NOT NULL,
  model_id TEXT,
  provider TEXT,
  model TEXT,
  prompt_tokens BIGINT NOT NULL DEFAULT 0,
  completion_tokens BIGINT NOT NULL DEFAULT 0,
  cached_tokens BIGINT NOT NULL DEFAULT 0,
  spend_usd DOUBLE PRECISION NOT NULL DEFAULT 0,
  spend DOUBLE PRECISION NOT NULL DEFAULT 0,
  currency TEXT NOT NULL,
  fx_rate DOUBLE PRECISION NOT NULL,
  latency_ms DOUBLE PRECISION NOT NULL,
  ttft_ms DOUBLE PRECISION,
  status INTEGER NOT NULL,
  cache_hit BOOLEAN NOT NULL DEFAULT false,
  start_time TIMESTAMPTZ NOT NULL,
  end_time TIMESTAMPTZ NOT NULL
);
CREATE INDEX llmux_spend_logs_start_time ON llmux_spend_logs (start_time);
CREATE INDEX llmux_spend_logs_api_key ON llmux_spend_logs (api_key, start_time);
CREATE INDEX llmux_spend_logs_team_id ON llmux_spend_logs (team_id, start_time);
CREATE INDEX llmux_spend_logs_user_id ON llmux_spend_logs (user_id, start_time);
CREATE INDEX llmux_spend_logs_model_group ON llmux_spend_logs (model_group, start_time);
`,
  },
];
