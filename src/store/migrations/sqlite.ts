/**
 * SQLite schema versions. Append new versions; never edit an applied one.
 * Booleans are 0/1 integers, JSON is checked text, timestamps are ISO-8601
 * UTC text (so text order is time order), money is REAL.
 *
 * @module
 */

import type { Migration } from "./types.ts";

/** The SQLite migrations, in order. */
export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "keys, teams, users and the spend ledger",
    sql: `
CREATE TABLE llmux_keys (
  token TEXT PRIMARY KEY,
  key_name TEXT NOT NULL,
  key_alias TEXT UNIQUE,
  models TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(models)),
  expires TEXT,
  metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  team_id TEXT,
  user_id TEXT,
  blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
  admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
  max_budget REAL,
  soft_budget REAL,
  budget_duration TEXT,
  budget_reset_at TEXT,
  spend REAL NOT NULL DEFAULT 0,
  rpm_limit INTEGER,
  tpm_limit INTEGER,
  max_parallel_requests INTEGER,
  alerts_sent TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(alerts_sent)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX llmux_keys_team_id ON llmux_keys (team_id);
CREATE INDEX llmux_keys_user_id ON llmux_keys (user_id);
CREATE INDEX llmux_keys_budget_reset_at ON llmux_keys (budget_reset_at);

CREATE TABLE llmux_teams (
  team_id TEXT PRIMARY KEY,
  team_alias TEXT,
  models TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(models)),
  members_with_roles TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(members_with_roles)),
  metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  blocked INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
  max_budget REAL,
  soft_budget REAL,
  budget_duration TEXT,
  budget_reset_at TEXT,
  spend REAL NOT NULL DEFAULT 0,
  rpm_limit INTEGER,
  tpm_limit INTEGER,
  max_parallel_requests INTEGER,
  alerts_sent TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(alerts_sent)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX llmux_teams_budget_reset_at ON llmux_teams (budget_reset_at);

CREATE TABLE llmux_users (
  user_id TEXT PRIMARY KEY,
  user_email TEXT,
  user_role TEXT NOT NULL,
  models TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(models)),
  teams TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(teams)),
  metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  max_budget REAL,
  soft_budget REAL,
  budget_duration TEXT,
  budget_reset_at TEXT,
  spend REAL NOT NULL DEFAULT 0,
  rpm_limit INTEGER,
  tpm_limit INTEGER,
  max_parallel_requests INTEGER,
  alerts_sent TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(alerts_sent)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
) STRICT;
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
  prompt_tokens INTEGER NOT NULL DEFAULT 0,
  completion_tokens INTEGER NOT NULL DEFAULT 0,
  cached_tokens INTEGER NOT NULL DEFAULT 0,
  spend_usd REAL NOT NULL DEFAULT 0,
  spend REAL NOT NULL DEFAULT 0,
  currency TEXT NOT NULL,
  fx_rate REAL NOT NULL,
  latency_ms REAL NOT NULL,
  ttft_ms REAL,
  status INTEGER NOT NULL,
  cache_hit INTEGER NOT NULL DEFAULT 0 CHECK (cache_hit IN (0, 1)),
  start_time TEXT NOT NULL,
  end_time TEXT NOT NULL
) STRICT;
CREATE INDEX llmux_spend_logs_start_time ON llmux_spend_logs (start_time);
CREATE INDEX llmux_spend_logs_api_key ON llmux_spend_logs (api_key, start_time);
CREATE INDEX llmux_spend_logs_team_id ON llmux_spend_logs (team_id, start_time);
CREATE INDEX llmux_spend_logs_user_id ON llmux_spend_logs (user_id, start_time);
CREATE INDEX llmux_spend_logs_model_group ON llmux_spend_logs (model_group, start_time);
`,
  },
];
