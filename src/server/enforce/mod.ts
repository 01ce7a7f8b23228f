/**
 * Virtual-key enforcement for the proxy, wired from four hooks:
 *
 * - `authenticate` (the app's `Authenticator`): master key or virtual key,
 *   rows from a short-TTL cache; unknown / expired / blocked → 401;
 * - `aroundRequest` (the app): per-request state, and the `x-ratelimit-*`
 *   and `x-llmux-budget-fallback` response headers;
 * - `preCallCheck` (the Router): model access (403), budgets (400
 *   `budget_exceeded`), rpm / tpm / parallel (429), soft budget → budget
 *   fallback group;
 * - `onRequestEnd` (the app): spend row to the batched writer, counters
 *   settled at once, budget alerts.
 *
 * Plus a budget resetter to start with the server.
 *
 * @example
 * ```ts
 * import { createEnforcement } from "./mod.ts";
 * import { MemoryLimitStore } from "../../limits/memory.ts";
 * import { openStore, SpendWriter } from "../../store/mod.ts";
 * import { createFx } from "../../cost/fx.ts";
 * import { Router } from "../../fallback/router.ts";
 * import { createApp } from "../app.ts";
 *
 * const store = await openStore("sqlite::memory:");
 * const writer = new SpendWriter(store);
 * const enforcement = createEnforcement({
 *   store, writer, limits: new MemoryLimitStore(), masterKey: "sk-master", fx: createFx(),
 * });
 * const router = new Router({
 *   model_list: [{ model_name: "demo", litellm_params: { model: "openai/demo", mock_response: "hi" } }],
 * }, { preCallCheck: enforcement.preCallCheck });
 * const app = createApp({
 *   router,
 *   authenticate: enforcement.authenticate,
 *   aroundRequest: enforcement.aroundRequest,
 *   onRequestEnd: enforcement.onRequestEnd,
 * });
 * const res = await app.request("/v1/chat/completions", {
 *   method: "POST",
 *   headers: { authorization: "Bearer sk-nope", "content-type": "application/json" },
 *   body: JSON.stringify({ model: "demo", messages: [{ role: "user", content: "hi" }] }),
 * });
 * console.assert(res.status === 401);
 * await res.body?.cancel();
 * await enforcement.close();
 * await writer.close();
 * await store.close();
 * ```
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import type { Fx } from "../../cost/fx.ts";
import type { FallbackList } from "../../fallback/config.ts";
import type { PreCallCheck } from "../../fallback/hooks.ts";
import type { LimitStore } from "../../limits/types.ts";
import type { SpendWriter } from "../../store/spend_writer.ts";
import type { Store } from "../../store/types.ts";
import type { Alerter } from "../alerts.ts";
import type { RequestSummary } from "../app.ts";
import type { Authenticator, Principal } from "../auth.ts";
import { createAdmission } from "./admission.ts";
import { createVirtualKeyAuthenticator, virtualKeyOf } from "./auth.ts";
import { createBudgetAlerts } from "./budget_alerts.ts";
import { createEntityCache, type EntityCache } from "./cache.ts";
import { type BudgetResetter, createBudgetResetter } from "./reset.ts";
import { createSpendRecorder } from "./spend.ts";
import { createRequestState, type RequestState } from "./state.ts";

export { type Admission, budgetCounter, createAdmission, rateLimitHeaders } from "./admission.ts";
export {
  createVirtualKeyAuthenticator,
  hashToken,
  type VirtualKeyAuthOptions,
  type VirtualKeyData,
  virtualKeyOf,
} from "./auth.ts";
export {
  ALERT_THRESHOLDS,
  type BudgetAlerts,
  type BudgetAlertsOptions,
  type BudgetCharge,
  type BudgetThreshold,
  budgetThresholds,
  createBudgetAlerts,
} from "./budget_alerts.ts";
export { createEntityCache, type EntityCache, type EntityCacheOptions } from "./cache.ts";
export {
  type BudgetExceededDetails,
  BudgetExceededError,
  formatMoney,
  type RateLimitDetails,
  rateLimitExceeded,
} from "./errors.ts";
export { type BudgetResetter, type BudgetResetterOptions, createBudgetResetter } from "./reset.ts";
export { createSpendRecorder, type SpendRecorder, type SpendRecorderOptions } from "./spend.ts";
export { type BudgetSlot, createRequestState, type RequestState } from "./state.ts";

/** Options of {@linkcode createEnforcement}. */
export interface EnforcementOptions {
  /** Keys, teams, users and budgets. */
  store: Store;
  /** Batched ledger writer over the same store. */
  writer: Pick<SpendWriter, "add" | "flush">;
  /** Rate-limit, parallel and spend counters. */
  limits: LimitStore;
  /** The master key; without one auth is off (every request anonymous). */
  masterKey: string | undefined;
  /** USD → reporting currency. */
  fx: Pick<Fx, "currency" | "convert">;
  /** `litellm_settings.budget_fallbacks`. */
  budgetFallbacks?: FallbackList | undefined;
  /** Budget alerts go here (none without). */
  alerter?: Alerter | undefined;
  /** How long key / team / user rows are cached, ms (default 5000). */
  cacheTtlMs?: number;
  /** Milliseconds between budget-reset checks (default 10 000). */
  resetIntervalMs?: number;
  /** Clock in ms (default `Date.now`). */
  now?: () => number;
  /** Unique ids for parallel slots and ledger rows (default `crypto.randomUUID`). */
  generateId?: () => string;
  /** Told about background failures (counters, store, alerts), with where. */
  onError?: (error: unknown, where: string) => void;
}

/** The hooks to wire into `createApp` and `new Router`. */
export interface Enforcement {
  /** The app's `authenticate`. */
  authenticate: Authenticator;
  /** The app's `aroundRequest`: per-request state and response headers. */
  aroundRequest: (
    principal: Principal,
    request: Request,
    next: () => Promise<void>,
  ) => Promise<Record<string, string>>;
  /** The Router's `preCallCheck`. */
  preCallCheck: PreCallCheck;
  /** The app's `onRequestEnd` (compose with other listeners). */
  onRequestEnd: (summary: RequestSummary) => void;
  /** The row cache (admin changes can invalidate it). */
  cache: EntityCache;
  /** Budget resets; `start()` it with the server. */
  resetter: BudgetResetter;
  /** Wait for settlements and alerts in flight. */
  drain(): Promise<void>;
  /** Stop the resetter and wait for work in flight. */
  close(): Promise<void>;
}

/**
 * Create virtual-key enforcement over a store, counters and a spend writer.
 */
export function createEnforcement(options: EnforcementOptions): Enforcement {
  const now = options.now ?? Date.now;
  const generateId = options.generateId ?? (() => crypto.randomUUID());
  const report = (where: string) => (error: unknown) => {
    try {
      options.onError?.(error, where);
    } catch {
      // reporting must never fail anything
    }
  };
  const cache = createEntityCache(options.store, {
    ttlMs: options.cacheTtlMs ?? 5000,
    now,
  });
  const authenticate = createVirtualKeyAuthenticator({
    masterKey: options.masterKey,
    cache,
    now,
  });
  const admission = createAdmission({
    limits: options.limits,
    currency: options.fx.currency,
    budgetFallbacks: options.budgetFallbacks,
    now,
    onError: report("limits"),
  });
  const alerts = options.alerter === undefined ? undefined : createBudgetAlerts({
    alerter: options.alerter,
    store: options.store,
    currency: options.fx.currency,
    onError: report("alerts"),
  });
  const record = createSpendRecorder({
    limits: options.limits,
    writer: options.writer,
    fx: options.fx,
    alerts,
    now,
    onError: report("spend"),
  });
  const resetter = createBudgetResetter({
    store: options.store,
    flush: () => options.writer.flush(),
    cache,
    now,
    intervalMs: options.resetIntervalMs,
    onError: report("budget reset"),
  });

  const scope = new AsyncLocalStorage<RequestState>();
  const states = new WeakMap<Principal, RequestState>();
  const inFlight = new Set<Promise<void>>();

  return {
    authenticate,
    cache,
    resetter,
    async aroundRequest(principal, request, next) {
      const state = createRequestState(principal, generateId());
      // A client-chosen x-request-id may repeat; the ledger needs a unique id.
      if (request.headers.has("x-request-id")) state.ledgerSuffix = `:${state.slotId}`;
      states.set(principal, state);
      await scope.run(state, next);
      return state.headers;
    },
    preCallCheck(context) {
      const state = scope.getStore();
      if (state === undefined) return undefined;
      state.routed = true;
      const vk = virtualKeyOf(state.principal);
      if (vk === undefined) return undefined;
      state.admission ??= admission(state, vk, context);
      return state.admission;
    },
    onRequestEnd(summary) {
      const state = summary.principal ? states.get(summary.principal) : undefined;
      if (state === undefined || !state.routed) return;
      const done = record(state, summary).catch(report("spend"));
      inFlight.add(done);
      done.finally(() => inFlight.delete(done));
    },
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      await options.alerter?.drain();
    },
    async close() {
      resetter.stop();
      await this.drain();
    },
  };
}
