/**
 * Spend at the end of a request: its USD cost (the app's cost function,
 * i.e. `src/cost` prices with `model_info` overrides) converted into the
 * reporting currency, a ledger row queued on the batched
 * {@linkcode SpendWriter} (the database), and the counters settled at once
 * (parallel slot released, tokens and spend added, so the next admission
 * sees them), then budget alerts.
 *
 * @module
 */

import type { Fx } from "../../cost/fx.ts";
import type { LimitStore } from "../../limits/types.ts";
import type { SpendWriter } from "../../store/spend_writer.ts";
import type { SpendIncrement, SpendLog } from "../../store/types.ts";
import type { RequestSummary } from "../app.ts";
import { virtualKeyOf } from "./auth.ts";
import type { BudgetAlerts } from "./budget_alerts.ts";
import type { RequestState } from "./state.ts";

/** Options of {@linkcode createSpendRecorder}. */
export interface SpendRecorderOptions {
  /** The counters. */
  limits: LimitStore;
  /** The batched ledger writer. */
  writer: Pick<SpendWriter, "add">;
  /** USD → reporting currency. */
  fx: Pick<Fx, "currency" | "convert">;
  /** Budget threshold alerts (optional). */
  alerts?: BudgetAlerts | undefined;
  /** Clock in ms. */
  now: () => number;
  /** Told about failures (a bad row, a counter or store error); the request is never affected. */
  onError?: (error: unknown) => void;
}

/** Records one finished request; the promise settles when its counters are updated. */
export type SpendRecorder = (state: RequestState, summary: RequestSummary) => Promise<void>;

function tokensOf(usage: RequestSummary["usage"]): {
  prompt: number;
  completion: number;
  cached: number;
  total: number;
} {
  if (usage === undefined) return { prompt: 0, completion: 0, cached: 0, total: 0 };
  const prompt = usage.prompt_tokens ?? 0;
  const completion = "completion_tokens" in usage ? usage.completion_tokens ?? 0 : 0;
  const cached = "prompt_tokens_details" in usage
    ? usage.prompt_tokens_details?.cached_tokens ?? 0
    : 0;
  return { prompt, completion, cached, total: usage.total_tokens ?? prompt + completion };
}

/**
 * Create the spend recorder.
 *
 * @example
 * ```ts
 * import { createSpendRecorder } from "./spend.ts";
 * import { MemoryLimitStore } from "../../limits/memory.ts";
 * import { createFx } from "../../cost/fx.ts";
 * const rows: unknown[] = [];
 * const record = createSpendRecorder({
 *   limits: new MemoryLimitStore(),
 *   writer: { add: (row) => void rows.push(row) },
 *   fx: createFx({ currency: "ZAR", fx_rates: { ZAR: 18.5 } }),
 *   now: Date.now,
 * });
 * console.assert(typeof record === "function");
 * ```
 */
export function createSpendRecorder(options: SpendRecorderOptions): SpendRecorder {
  const { limits, writer, fx, alerts, now } = options;
  const report = (error: unknown) => {
    try {
      options.onError?.(error);
    } catch {
      // never let reporting fail anything
    }
  };

  return async (state, summary) => {
    const vk = virtualKeyOf(state.principal);
    if (!state.routed || (vk !== undefined && !state.admitted)) return;
    const end = now();
    const info = summary.route_info;
    const tokens = tokensOf(summary.usage);
    const costUsd = Number.isFinite(summary.costUsd) && summary.costUsd > 0 ? summary.costUsd : 0;
    let amount = costUsd;
    let rate = 1;
    let currency = "USD";
    try {
      const converted = fx.convert(costUsd);
      amount = converted.amount;
      rate = converted.rate;
      currency = converted.currency;
    } catch (error) {
      // No rate known yet: keep USD in the ledger, charge no budget.
      report(error);
    }
    const row: SpendLog = {
      request_id: summary.requestId + state.ledgerSuffix,
      api_key: vk?.token ?? null,
      key_alias: vk?.key.key_alias ?? null,
      team_id: vk?.key.team_id ?? null,
      user_id: vk?.key.user_id ?? null,
      model_group: summary.requestedModel ?? info?.requestedModel ?? "",
      model_id: info?.modelId ?? null,
      provider: info?.provider ?? null,
      model: info?.model ?? null,
      prompt_tokens: tokens.prompt,
      completion_tokens: tokens.completion,
      cached_tokens: tokens.cached,
      spend_usd: costUsd,
      spend: amount,
      currency,
      fx_rate: rate,
      latency_ms: Math.max(0, Math.round(summary.latencyMs)),
      ttft_ms: summary.ttftMs === undefined ? null : Math.round(summary.ttftMs),
      status: summary.status,
      cache_hit: false,
      start_time: new Date(end - Math.max(0, summary.latencyMs)).toISOString(),
      end_time: new Date(end).toISOString(),
    };
    const charge = currency === fx.currency ? amount : 0;
    const increment: Omit<SpendIncrement, "request_id"> = {
      api_key: row.api_key,
      team_id: row.team_id,
      user_id: row.user_id,
      spend: charge,
    };
    try {
      writer.add(row, increment);
    } catch (error) {
      report(error);
    }
    if (!state.admitted || (state.budgets.length === 0 && state.settleScopes.length === 0)) return;
    let totals: number[];
    try {
      totals = await limits.settle({
        requestId: state.slotId,
        now: end,
        tokens: tokens.total,
        scopes: state.settleScopes,
        spend: state.budgets.map((b) => ({ id: b.counter, seed: b.seed, amount: charge })),
      });
    } catch (error) {
      report(error);
      return;
    }
    if (alerts === undefined || charge <= 0 || vk === undefined) return;
    await Promise.all(state.budgets.map((b, i) =>
      alerts({
        entity: b.entity,
        id: b.id,
        row: b.row,
        label: b.entity === "key"
          ? `key ${vk.key.key_alias ?? vk.key.key_name}`
          : b.entity === "team"
          ? `team ${vk.team?.team_alias ?? b.id}`
          : `user ${vk.user?.user_email ?? b.id}`,
        before: totals[i] - charge,
        after: totals[i],
      })
    ));
  };
}
