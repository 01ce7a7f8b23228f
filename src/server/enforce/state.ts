/**
 * Per-request enforcement state, shared by the admission (Router pre-call
 * check), the response headers and the spend recording at request end.
 * Exported for custom wiring and tests.
 *
 * @module
 */

import type { BudgetEntity, BudgetFields } from "../../store/types.ts";
import type { SettleScope } from "../../limits/types.ts";
import type { Principal } from "../auth.ts";

/** One entity whose budget counter a request reads and charges. */
export interface BudgetSlot {
  /** `key`, `team` or `user`. */
  readonly entity: BudgetEntity;
  /** Key hash, team id or user id. */
  readonly id: string;
  /** The row as admitted (budgets, alerts already sent). */
  readonly row: BudgetFields & { alerts_sent: number[] };
  /** Counter id, with the budget period. */
  readonly counter: string;
  /** Spend to seed the counter with. */
  readonly seed: number;
}

/** What one request carries through enforcement. */
export interface RequestState {
  /** Who made it. */
  readonly principal: Principal;
  /** The parallel-slot id (unique per request, unlike client-chosen `x-request-id`s). */
  readonly slotId: string;
  /** The Router reached its pre-call check (the request was for a model). */
  routed: boolean;
  /** The admission, once started (shared by the prompts of one legacy completion). */
  admission: Promise<string | undefined> | undefined;
  /** Admitted by the limits: spend and slots must be settled at the end. */
  admitted: boolean;
  /** Scopes to release / charge tokens to. */
  settleScopes: SettleScope[];
  /** Budgets to charge. */
  budgets: BudgetSlot[];
  /** Headers for the response (rate limits, budget fallback). */
  headers: Record<string, string>;
  /** Added to the request id in the ledger when the client chose the id (it may repeat). */
  ledgerSuffix: string;
}

/** A fresh state. */
export function createRequestState(principal: Principal, slotId: string): RequestState {
  return {
    principal,
    slotId,
    routed: false,
    admission: undefined,
    admitted: false,
    settleScopes: [],
    budgets: [],
    headers: {},
    ledgerSuffix: "",
  };
}
