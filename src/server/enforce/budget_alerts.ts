/**
 * Budget alerts: when a request's spend carries an entity across 50, 80 or
 * 100 % of its budget (or across its soft budget), one alert goes to the
 * webhook. A crossing is seen by exactly one settlement (the counters add
 * atomically), and `alerts_sent` in the store makes each threshold fire
 * once per budget period even across restarts; the store clears it when
 * the budget resets.
 *
 * @module
 */

import type { BudgetEntity, BudgetFields, Store } from "../../store/types.ts";
import type { Alerter } from "../alerts.ts";
import { formatMoney } from "./errors.ts";

/** Percentages of the budget that alert. */
export const ALERT_THRESHOLDS: readonly number[] = [50, 80, 100];

/** A threshold of an entity's budget. */
export interface BudgetThreshold {
  /** Percent of the base budget (`max_budget`, else `soft_budget`), as recorded in `alerts_sent`. */
  percent: number;
  /** The spend at which it is crossed (reporting currency). */
  amount: number;
  /** Whether this is the soft budget. */
  soft: boolean;
}

/**
 * The alert thresholds of a budget: 50/80/100 % of `max_budget` (of
 * `soft_budget` when there is no hard budget), plus the soft budget as a
 * percentage of the hard one when both are set.
 *
 * @example
 * ```ts
 * import { budgetThresholds } from "./budget_alerts.ts";
 * const t = budgetThresholds({ max_budget: 100, soft_budget: 70 });
 * console.assert(t.map((x) => x.percent).join() === "50,70,80,100");
 * ```
 */
export function budgetThresholds(
  row: Pick<BudgetFields, "max_budget" | "soft_budget">,
): BudgetThreshold[] {
  const base = row.max_budget ?? row.soft_budget;
  if (base === null || !(base > 0)) return [];
  const out: BudgetThreshold[] = ALERT_THRESHOLDS.map((percent) => ({
    percent,
    amount: base * percent / 100,
    soft: row.max_budget === null && percent === 100,
  }));
  if (row.max_budget !== null && row.soft_budget !== null && row.soft_budget < row.max_budget) {
    const percent = Math.round(row.soft_budget / row.max_budget * 10_000) / 100;
    const same = out.find((t) => t.percent === percent);
    if (same) same.soft = true;
    else out.push({ percent, amount: row.soft_budget, soft: true });
  }
  return out.sort((a, b) => a.percent - b.percent);
}

/** One settled charge of an entity's budget. */
export interface BudgetCharge {
  /** `key`, `team` or `user`. */
  entity: BudgetEntity;
  /** Key hash, team id or user id. */
  id: string;
  /** The row as admitted. */
  row: BudgetFields & { alerts_sent: number[] };
  /** Human name for the message (alias, id). */
  label: string;
  /** Spend before this request. */
  before: number;
  /** Spend after it. */
  after: number;
}

/** Options of {@linkcode createBudgetAlerts}. */
export interface BudgetAlertsOptions {
  /** Where alerts go. */
  alerter: Alerter;
  /** Where `alerts_sent` is kept. */
  store: Store;
  /** Reporting currency. */
  currency: string;
  /** Told about failures (store writes). */
  onError?: (error: unknown) => void;
}

/** Checks settled charges for threshold crossings and alerts once per threshold. */
export type BudgetAlerts = (charge: BudgetCharge) => Promise<void>;

async function freshAlertsSent(
  store: Store,
  entity: BudgetEntity,
  id: string,
): Promise<number[] | undefined> {
  const row = entity === "key"
    ? await store.getKey(id)
    : entity === "team"
    ? await store.getTeam(id)
    : await store.getUser(id);
  return row?.alerts_sent;
}

async function saveAlertsSent(
  store: Store,
  entity: BudgetEntity,
  id: string,
  alerts: number[],
): Promise<void> {
  if (entity === "key") await store.updateKey(id, { alerts_sent: alerts });
  else if (entity === "team") await store.updateTeam(id, { alerts_sent: alerts });
  else await store.updateUser(id, { alerts_sent: alerts });
}

function alertText(charge: BudgetCharge, t: BudgetThreshold, currency: string): string {
  const { row, label, after } = charge;
  const spent = `${formatMoney(after)} ${currency}`;
  const period = row.budget_reset_at ? ` (budget resets at ${row.budget_reset_at})` : "";
  if (t.soft) {
    return `Soft budget crossed: ${label} has spent ${spent}, over its soft budget of ${
      formatMoney(t.amount)
    } ${currency}${period}. Requests now go along budget_fallbacks where configured.`;
  }
  const max = `${formatMoney(row.max_budget!)} ${currency}`;
  if (t.percent >= 100) {
    return `Budget exceeded: ${label} has spent ${spent} of its max budget of ${max}${period}. Further requests are rejected.`;
  }
  return `Budget alert: ${label} has spent ${t.percent}% of its max budget: ${spent} of ${max}${period}.`;
}

/**
 * Create the budget alert check.
 *
 * @example
 * ```ts
 * import { createBudgetAlerts } from "./budget_alerts.ts";
 * import type { Store } from "../../store/types.ts";
 * const sent: string[] = [];
 * const store = {
 *   getKey: () => Promise.resolve({ alerts_sent: [] }),
 *   updateKey: () => Promise.resolve(undefined),
 * } as unknown as Store;
 * const check = createBudgetAlerts({
 *   alerter: { send: (t) => sent.push(t), drain: () => Promise.resolve() },
 *   store,
 *   currency: "USD",
 * });
 * await check({
 *   entity: "key", id: "k", label: "key ci",
 *   row: { max_budget: 10, soft_budget: null, budget_duration: null, budget_reset_at: null,
 *     spend: 0, rpm_limit: null, tpm_limit: null, max_parallel_requests: null, alerts_sent: [] },
 *   before: 4, after: 8.5,
 * });
 * console.assert(sent.length === 2); // 50 % and 80 %
 * ```
 */
export function createBudgetAlerts(options: BudgetAlertsOptions): BudgetAlerts {
  const { alerter, store, currency } = options;
  // Alerts of one entity are handled one at a time, so concurrent crossings
  // of different thresholds do not overwrite each other's `alerts_sent`.
  const queues = new Map<string, Promise<void>>();
  return (charge) => {
    const crossed = budgetThresholds(charge.row).filter((t) =>
      charge.before < t.amount && charge.after >= t.amount &&
      !charge.row.alerts_sent.includes(t.percent)
    );
    if (crossed.length === 0) return Promise.resolve();
    const name = `${charge.entity}:${charge.id}`;
    const run = (queues.get(name) ?? Promise.resolve()).then(() => fire(charge, crossed));
    queues.set(name, run);
    return run.finally(() => {
      if (queues.get(name) === run) queues.delete(name);
    });
  };

  async function fire(charge: BudgetCharge, crossed: BudgetThreshold[]): Promise<void> {
    try {
      const sent = await freshAlertsSent(store, charge.entity, charge.id) ??
        charge.row.alerts_sent;
      const due = crossed.filter((t) => !sent.includes(t.percent));
      if (due.length === 0) return;
      for (const t of due) alerter.send(alertText(charge, t, currency));
      await saveAlertsSent(store, charge.entity, charge.id, [
        ...sent,
        ...due.map((t) => t.percent),
      ]);
    } catch (error) {
      options.onError?.(error);
    }
  }
}
