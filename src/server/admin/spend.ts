/**
 * Spend routes: `GET /spend/logs` (ledger rows, LiteLLM's
 * `LiteLLM_SpendLogs` columns) and `GET /global/spend/report` (spend per
 * day and team, customer, user, key or model, LiteLLM's report shapes).
 *
 * Money is in the reporting currency: each row's `spend` was converted at
 * its own FX rate when it was recorded (`fx_rate`, `spend_usd` are kept),
 * so reports never change with rates.
 *
 * Dates (`start_date`, `end_date`) are `YYYY-MM-DD` (whole UTC days, the end
 * day included) or ISO date-times (exact instants, end exclusive).
 *
 * @module
 */

import type { Hono } from "hono";
import { z } from "zod";
import { BadRequestError } from "../../errors.ts";
import type { SpendLog, SpendLogFilter } from "../../store/types.ts";
import { type AdminContext, type AdminEnv, queryOf, requireAdmin } from "./_context.ts";
import { toKeyHash } from "./_keygen.ts";
import { toSpendLogRow } from "./_shapes.ts";
import { parseDateParam } from "./_time.ts";
import { parseWith } from "./_validate.ts";
import type {
  SpendLogRow,
  SpendReportDay,
  SpendReportGroup,
  SpendReportKey,
  SpendReportMetadata,
} from "./types.ts";

/** `group_by` values of `/global/spend/report`: LiteLLM's `team`, `customer`, `api_key`, plus `user` and `model`. */
export const SPEND_REPORT_GROUPS = ["team", "customer", "user", "api_key", "model"] as const;

/** A `group_by` value. */
export type SpendReportGroupBy = (typeof SPEND_REPORT_GROUPS)[number];

const DATE_HINT = "a date (YYYY-MM-DD) or an ISO date-time";

/** Query-string booleans as FastAPI reads them. */
const BOOLEAN_WORDS: Readonly<Record<string, boolean>> = {
  true: true,
  "1": true,
  yes: true,
  on: true,
  false: false,
  "0": false,
  no: false,
  off: false,
};

const LOGS_QUERY_SCHEMA = z.object({
  api_key: z.string().optional(),
  user_id: z.string().optional(),
  team_id: z.string().optional(),
  request_id: z.string().optional(),
  model: z.string().optional(),
  start_date: z.string().optional(),
  end_date: z.string().optional(),
  summarize: z.preprocess(
    (v) => (typeof v === "string" ? BOOLEAN_WORDS[v.trim().toLowerCase()] ?? v : v),
    z.boolean({ error: "true or false" }),
  ).optional(),
  limit: z.preprocess(
    (v) => (typeof v === "string" && v.trim() !== "" ? Number(v) : v),
    z.number({ error: "a whole number from 1 to 100000" }).int({
      error: "a whole number from 1 to 100000",
    }).min(1, { error: "a whole number from 1 to 100000" }).max(100_000, {
      error: "a whole number from 1 to 100000",
    }),
  ).optional(),
});

const REPORT_QUERY_SCHEMA = z.object({
  start_date: z.string().optional(),
  end_date: z.string().optional(),
  group_by: z.enum(SPEND_REPORT_GROUPS, {
    error: `one of ${SPEND_REPORT_GROUPS.join(", ")}`,
  }).optional(),
  api_key: z.string().optional(),
  internal_user_id: z.string().optional(),
  team_id: z.string().optional(),
  customer_id: z.string().optional(),
});

function dateParam(
  value: string | undefined,
  field: "start_date" | "end_date",
  route: string,
): string | undefined {
  if (value === undefined || value === "") return undefined;
  const iso = parseDateParam(value, field === "start_date" ? "start" : "end");
  if (iso === undefined) {
    throw new BadRequestError(`Invalid value for '${field}' in ${route}: expected ${DATE_HINT}`, {
      param: field,
      code: "invalid_value",
    });
  }
  return iso;
}

function dayOf(row: SpendLog): string {
  const t = Date.parse(row.start_time);
  return Number.isNaN(t) ? row.start_time.slice(0, 10) : new Date(t).toISOString().slice(0, 10);
}

const modelOf = (row: SpendLog): string => row.model ?? row.model_group;

/** Per-day groups with a (model, key) breakdown, LiteLLM's `teams` / `customers` report. */
function groupByDay(
  rows: readonly SpendLog[],
  groupOf: (row: SpendLog) => string | null,
  breakdownKey: (row: SpendLog) => string,
): Map<
  string,
  Map<string | null, { group: SpendReportGroup; parts: Map<string, SpendReportMetadata> }>
> {
  const days = new Map<
    string,
    Map<string | null, { group: SpendReportGroup; parts: Map<string, SpendReportMetadata> }>
  >();
  for (const row of rows) {
    const day = dayOf(row);
    let groups = days.get(day);
    if (!groups) days.set(day, groups = new Map());
    const id = groupOf(row);
    let entry = groups.get(id);
    if (!entry) {
      entry = { group: { total_spend: 0, total_spend_usd: 0, metadata: [] }, parts: new Map() };
      groups.set(id, entry);
    }
    entry.group.total_spend += row.spend;
    entry.group.total_spend_usd += row.spend_usd;
    const partKey = breakdownKey(row);
    let part = entry.parts.get(partKey);
    if (!part) {
      part = {
        model: modelOf(row),
        model_group: row.model_group,
        api_key: row.api_key ?? "",
        spend: 0,
        spend_usd: 0,
        total_tokens: 0,
      };
      entry.parts.set(partKey, part);
      entry.group.metadata.push(part);
    }
    part.spend += row.spend;
    part.spend_usd += row.spend_usd;
    part.total_tokens += row.prompt_tokens + row.completion_tokens;
  }
  return days;
}

function sortedGroups<T>(
  groups: Map<string | null, { group: SpendReportGroup }>,
  label: (id: string | null) => T,
): (T & SpendReportGroup)[] {
  const out = [...groups.entries()].map(([id, { group }]) => {
    group.metadata.sort((a, b) => b.spend - a.spend || a.model.localeCompare(b.model));
    return { ...label(id), ...group };
  });
  return out.sort((a, b) => b.total_spend - a.total_spend);
}

/** LiteLLM's per-key report: spend and tokens per key, with a per-model breakdown. */
function byKey(rows: readonly SpendLog[], currency: string): SpendReportKey[] {
  const keys = new Map<string, SpendReportKey>();
  for (const row of rows) {
    const apiKey = row.api_key ?? "";
    let entry = keys.get(apiKey);
    if (!entry) {
      entry = {
        api_key: apiKey,
        total_cost: 0,
        total_cost_usd: 0,
        total_input_tokens: 0,
        total_output_tokens: 0,
        currency,
        model_details: [],
      };
      keys.set(apiKey, entry);
    }
    entry.total_cost += row.spend;
    entry.total_cost_usd += row.spend_usd;
    entry.total_input_tokens += row.prompt_tokens;
    entry.total_output_tokens += row.completion_tokens;
    const model = modelOf(row);
    let detail = entry.model_details.find((d) => d.model === model);
    if (!detail) {
      detail = {
        model,
        total_cost: 0,
        total_cost_usd: 0,
        total_input_tokens: 0,
        total_output_tokens: 0,
      };
      entry.model_details.push(detail);
    }
    detail.total_cost += row.spend;
    detail.total_cost_usd += row.spend_usd;
    detail.total_input_tokens += row.prompt_tokens;
    detail.total_output_tokens += row.completion_tokens;
  }
  const out = [...keys.values()];
  for (const k of out) k.model_details.sort((a, b) => b.total_cost - a.total_cost);
  return out.sort((a, b) => b.total_cost - a.total_cost);
}

/** One day of `/spend/logs?start_date=…&end_date=…` (summarized): LiteLLM's legacy shape. */
export interface SpendLogsDay {
  /** The day, `YYYY-MM-DD` (UTC). */
  startTime: string;
  /** Spend that day. */
  spend: number;
  /** Spend per user id. */
  users: Record<string, number>;
  /** Spend per model. */
  models: Record<string, number>;
  /** Spend per hashed key, under the hash itself. */
  [apiKey: string]: number | string | Record<string, number>;
}

/**
 * Spend per day, key, user and model, in LiteLLM's legacy shape: one entry
 * per day with spend, oldest first, then zero days after the last one up to
 * `endDate`.
 */
export function summarizeByDay(rows: readonly SpendLogRow[], endDate: string): SpendLogsDay[] {
  const days = new Map<string, SpendLogsDay>();
  for (const row of rows) {
    const day = row.startTime.slice(0, 10);
    let entry = days.get(day);
    if (entry === undefined) {
      entry = { startTime: day, spend: 0, users: {}, models: {} };
      days.set(day, entry);
    }
    entry.spend += row.spend;
    entry[row.api_key] = ((entry[row.api_key] as number | undefined) ?? 0) + row.spend;
    entry.users[row.user] = (entry.users[row.user] ?? 0) + row.spend;
    entry.models[row.model] = (entry.models[row.model] ?? 0) + row.spend;
  }
  const out = [...days.values()].sort((a, b) => a.startTime.localeCompare(b.startTime));
  const last = out.at(-1)?.startTime;
  const end = endDate.slice(0, 10);
  if (last !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(end)) {
    const day = new Date(`${last}T00:00:00Z`);
    for (;;) {
      day.setUTCDate(day.getUTCDate() + 1);
      const name = day.toISOString().slice(0, 10);
      if (name > end) break;
      out.push({ startTime: name, spend: 0, users: {}, models: {} });
    }
  }
  return out;
}

/**
 * Register `/spend/logs` and `/global/spend/report` on an admin app.
 *
 * @param app The admin Hono app.
 * @param ctx Resolved admin options.
 */
export function registerSpendRoutes(app: Hono<AdminEnv>, ctx: AdminContext): void {
  app.get("/spend/logs", async (c) => {
    const route = "/spend/logs";
    requireAdmin(c, ctx, route);
    const q = parseWith(LOGS_QUERY_SCHEMA, queryOf(c), route);
    const filter: SpendLogFilter = {};
    if (q.api_key) filter.api_key = await toKeyHash(q.api_key);
    if (q.user_id) filter.user_id = q.user_id;
    if (q.team_id) filter.team_id = q.team_id;
    if (q.request_id) filter.request_id = q.request_id;
    if (q.model) filter.model_group = q.model;
    const start = dateParam(q.start_date, "start_date", route);
    const end = dateParam(q.end_date, "end_date", route);
    if (start !== undefined) filter.start_date = start;
    if (end !== undefined) filter.end_date = end;
    if (q.limit !== undefined) filter.limit = q.limit;
    const rows = (await ctx.store.querySpendLogs(filter)).map((r) => toSpendLogRow(r));
    // As in LiteLLM: with both dates, the default (summarize=true) is spend per day.
    if (q.start_date && q.end_date && q.summarize !== false) {
      return c.json(summarizeByDay(rows, q.end_date));
    }
    return c.json(rows);
  });

  app.get("/global/spend/report", async (c) => {
    const route = "/global/spend/report";
    requireAdmin(c, ctx, route);
    const q = parseWith(REPORT_QUERY_SCHEMA, queryOf(c), route);
    if (!q.start_date || !q.end_date) {
      throw new BadRequestError("Please provide start_date and end_date", {
        param: q.start_date ? "end_date" : "start_date",
        code: "missing_field",
      });
    }
    const filter: SpendLogFilter = {
      start_date: dateParam(q.start_date, "start_date", route)!,
      end_date: dateParam(q.end_date, "end_date", route)!,
      limit: ctx.reportRowLimit + 1,
    };
    if (q.api_key) filter.api_key = await toKeyHash(q.api_key);
    if (q.internal_user_id) filter.user_id = q.internal_user_id;
    else if (q.customer_id) filter.user_id = q.customer_id;
    if (q.team_id) filter.team_id = q.team_id;
    let rows = await ctx.store.querySpendLogs(filter);
    const headers: Record<string, string> = {};
    if (rows.length > ctx.reportRowLimit) {
      rows = rows.slice(0, ctx.reportRowLimit);
      headers["x-llmux-report-truncated"] = "true";
    }

    const groupBy: SpendReportGroupBy = q.group_by ?? "team";
    if (q.api_key || q.internal_user_id || groupBy === "api_key") {
      return c.json(byKey(rows, ctx.currency), 200, headers);
    }

    const pairKey = (r: SpendLog) => `${modelOf(r)}\u0000${r.api_key ?? ""}`;
    let days;
    let shape: (groups: Map<string | null, { group: SpendReportGroup }>) => Partial<SpendReportDay>;
    if (groupBy === "team") {
      const aliases = new Map((await ctx.store.listTeams()).map((t) => [t.team_id, t.team_alias]));
      days = groupByDay(rows, (r) => r.team_id, pairKey);
      shape = (groups) => ({
        teams: sortedGroups(groups, (id) => ({
          team_name: (id !== null ? aliases.get(id) ?? id : null) ?? "Unassigned Team",
          team_id: id,
        })),
      });
    } else if (groupBy === "model") {
      days = groupByDay(rows, (r) => r.model_group, pairKey);
      shape = (groups) => ({
        models: sortedGroups(groups, (id) => ({ model: id ?? "" })),
      });
    } else if (groupBy === "user") {
      days = groupByDay(rows, (r) => r.user_id, pairKey);
      shape = (groups) => ({ users: sortedGroups(groups, (id) => ({ user_id: id })) });
    } else {
      days = groupByDay(rows, (r) => r.user_id, pairKey);
      shape = (groups) => ({ customers: sortedGroups(groups, (id) => ({ customer: id })) });
    }
    const report: SpendReportDay[] = [...days.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, groups]) => ({
        group_by_day: `${day}T00:00:00+00:00`,
        currency: ctx.currency,
        ...shape(groups),
      }));
    return c.json(report, 200, headers);
  });
}
