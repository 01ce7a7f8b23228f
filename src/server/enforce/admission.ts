/**
 * Admission of a virtual key's request, run as the Router's pre-call check
 * once the model group is known: model access (403), hard budgets of the
 * key, its team and its user (400 `budget_exceeded`), rpm / tpm / parallel
 * limits of each (429), and soft budgets, which send the request along
 * `litellm_settings.budget_fallbacks`.
 *
 * @module
 */

import { PermissionDeniedError } from "../../errors.ts";
import type { FallbackList } from "../../fallback/config.ts";
import type { PreCallContext } from "../../fallback/hooks.ts";
import type {
  AdmitResult,
  BudgetCheck,
  LimitStore,
  RateScope,
  ScopeUsage,
} from "../../limits/types.ts";
import type { BudgetEntity, BudgetFields } from "../../store/types.ts";
import type { VirtualKeyData } from "./auth.ts";
import type { BudgetSlot, RequestState } from "./state.ts";
import { BudgetExceededError, type RateLimitDetails, rateLimitExceeded } from "./errors.ts";

/** Model names that grant every model group (LiteLLM's special names). */
const ALL_MODELS: ReadonlySet<string> = new Set(["*", "all-proxy-models"]);

/** Options of {@linkcode createAdmission}. */
export interface AdmissionOptions {
  /** The counters. */
  limits: LimitStore;
  /** Reporting currency, for budget messages. */
  currency: string;
  /** `litellm_settings.budget_fallbacks`: `[{ "gpt-main": ["local"] }]` (`"*"`: any group). */
  budgetFallbacks?: FallbackList | undefined;
  /** Clock in ms. */
  now: () => number;
  /** Told when the counters fail (the request is then admitted: fail open). */
  onError?: (error: unknown) => void;
}

/** Admits one request; returns the group to redirect to, if a soft budget is spent. */
export type Admission = (
  state: RequestState,
  vk: VirtualKeyData,
  context: PreCallContext,
) => Promise<string | undefined>;

/** An entity of a request with its limits. */
interface Entity {
  entity: BudgetEntity;
  id: string;
  row: BudgetFields & { alerts_sent: number[] };
}

/** Who a rate-limit scope limits. */
interface ScopeOwner {
  entity: BudgetEntity;
  id: string;
  /** LiteLLM's name for the scope when it is not the entity's own (`model_per_key`). */
  descriptor?: string;
}

function entitiesOf(vk: VirtualKeyData): Entity[] {
  const out: Entity[] = [{ entity: "key", id: vk.token, row: vk.key }];
  if (vk.team) out.push({ entity: "team", id: vk.team.team_id, row: vk.team });
  if (vk.user) out.push({ entity: "user", id: vk.user.user_id, row: vk.user });
  return out;
}

/**
 * The budget counter of an entity for the period that holds `now`. The
 * period is named by `budget_reset_at`, so a reset starts a new counter;
 * once `budget_reset_at` has passed but the store has not reset the row
 * yet, a fresh counter (seeded with 0) covers the gap.
 */
export function budgetCounter(
  entity: BudgetEntity,
  id: string,
  row: Pick<BudgetFields, "budget_reset_at" | "spend">,
  now: number,
): { counter: string; seed: number } {
  const resetAt = row.budget_reset_at;
  if (resetAt !== null && Date.parse(resetAt) <= now) {
    return { counter: `${entity}:${id}:after:${resetAt}`, seed: 0 };
  }
  return { counter: `${entity}:${id}:${resetAt ?? "none"}`, seed: row.spend };
}

function modelAllowed(models: readonly string[], context: PreCallContext): boolean {
  if (models.length === 0) return true;
  return models.some((m) =>
    ALL_MODELS.has(m) || m === context.modelGroup || m === context.requestedModel
  );
}

function checkAccess(vk: VirtualKeyData, context: PreCallContext): void {
  let keyModels = vk.key.models;
  if (keyModels.includes("all-team-models")) keyModels = vk.team?.models ?? [];
  if (!modelAllowed(keyModels, context)) {
    throw new PermissionDeniedError(
      `key not allowed to access model. This key can only access models=${
        JSON.stringify(keyModels)
      }. Tried to access ${context.requestedModel}`,
      { code: "key_model_access_denied", param: "model", model: context.requestedModel },
    );
  }
  if (vk.team && !modelAllowed(vk.team.models, context)) {
    throw new PermissionDeniedError(
      `team not allowed to access model. This team can only access models=${
        JSON.stringify(vk.team.models)
      }. Tried to access ${context.requestedModel}`,
      { code: "team_model_access_denied", param: "model", model: context.requestedModel },
    );
  }
}

/** A whole-number limit for `model` in a `{ model: limit }` map, else null. */
function limitFor(map: unknown, model: string): number | null {
  if (typeof map !== "object" || map === null) return null;
  const value = (map as Record<string, unknown>)[model];
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}

/**
 * The key's own limits for the model asked for (LiteLLM's `model_rpm_limit`
 * and `model_tpm_limit`, kept in the key's metadata and keyed by the model
 * name of the request, else by the model group).
 */
function modelLimits(
  vk: VirtualKeyData,
  context: PreCallContext,
): { scope: RateScope; id: string } | undefined {
  const metadata = vk.key.metadata ?? {};
  for (const model of new Set([context.requestedModel, context.modelGroup])) {
    const rpm = limitFor(metadata.model_rpm_limit, model);
    const tpm = limitFor(metadata.model_tpm_limit, model);
    if (rpm === null && tpm === null) continue;
    const id = `${vk.token}:${model}`;
    return { id, scope: { id: `model_per_key:${id}`, rpm, tpm, parallel: null } };
  }
  return undefined;
}

/** The tightest request and token limits across scopes, as `x-ratelimit-*` headers. */
export function rateLimitHeaders(
  scopes: readonly RateScope[],
  usage: readonly ScopeUsage[],
  now: number,
): Record<string, string> {
  const headers: Record<string, string> = {};
  let requests: { remaining: number; limit: number; reset: number } | undefined;
  let tokens: { remaining: number; limit: number; reset: number } | undefined;
  scopes.forEach((s, i) => {
    const u = usage[i];
    const reset = Math.max(0, Math.ceil((u.resetAt - now) / 1000));
    if (s.rpm !== null) {
      const remaining = Math.max(0, s.rpm - u.requests);
      if (requests === undefined || remaining < requests.remaining) {
        requests = { remaining, limit: s.rpm, reset };
      }
    }
    if (s.tpm !== null) {
      const remaining = Math.max(0, s.tpm - u.tokens);
      if (tokens === undefined || remaining < tokens.remaining) {
        tokens = { remaining, limit: s.tpm, reset };
      }
    }
  });
  if (requests !== undefined) {
    headers["x-ratelimit-limit-requests"] = String(requests.limit);
    headers["x-ratelimit-remaining-requests"] = String(requests.remaining);
    headers["x-ratelimit-reset-requests"] = String(requests.reset);
  }
  if (tokens !== undefined) {
    headers["x-ratelimit-limit-tokens"] = String(tokens.limit);
    headers["x-ratelimit-remaining-tokens"] = String(tokens.remaining);
    headers["x-ratelimit-reset-tokens"] = String(tokens.reset);
  }
  return headers;
}

function budgetFallbackTable(list: FallbackList | undefined): Map<string, string[]> {
  const table = new Map<string, string[]>();
  for (const entry of list ?? []) {
    for (const [group, targets] of Object.entries(entry)) {
      if (targets.length > 0 && !table.has(group)) table.set(group, [...targets]);
    }
  }
  return table;
}

/**
 * Create the admission of virtual-key requests.
 *
 * Budget check and its concurrency bound. A request is admitted while
 * every hard budget's spend counter is below `max_budget` (LiteLLM's rule:
 * reject once `spend ≥ max_budget`); its cost is only known, and added to
 * the counters, when it ends. The check and the additions are atomic in
 * the {@linkcode LimitStore} (one Lua script on Redis, one synchronous step
 * in memory), so from the moment the addition that crosses `max_budget`
 * is applied, every later admission is rejected, in every process. The
 * overspend is therefore bounded by what was already admitted:
 *
 *   final spend − max_budget < Σ cost(r) for r ∈ F,
 *
 * where F is the set of requests admitted before the crossing addition was
 * applied and not yet settled at that moment (the request whose cost
 * crossed the budget included). Equivalently: overspend ≤ the cost of the
 * requests in flight when the budget ran out; with `max_parallel_requests`
 * = P and a largest request cost C, overspend < P × C. A request whose
 * settlement is lost (process killed) is not counted in the counter but is
 * in the ledger only if its row was flushed.
 *
 * @example
 * ```ts
 * import { createAdmission } from "./admission.ts";
 * import { MemoryLimitStore } from "../../limits/memory.ts";
 * const admit = createAdmission({ limits: new MemoryLimitStore(), currency: "USD", now: Date.now });
 * console.assert(typeof admit === "function");
 * ```
 */
export function createAdmission(options: AdmissionOptions): Admission {
  const { limits, currency, now } = options;
  const fallbacks = budgetFallbackTable(options.budgetFallbacks);

  return async (state, vk, context) => {
    checkAccess(vk, context);
    const at = now();
    const entities = entitiesOf(vk);
    const budgetEntities = entities.filter((e) =>
      e.row.max_budget !== null || e.row.soft_budget !== null
    );
    const slots: BudgetSlot[] = budgetEntities.map((e) => ({
      ...e,
      ...budgetCounter(e.entity, e.id, e.row, at),
    }));
    const budgets: BudgetCheck[] = slots.map((s) => ({
      id: s.counter,
      seed: s.seed,
      max: s.row.max_budget,
    }));
    const limited = entities.filter((e) =>
      e.row.rpm_limit !== null || e.row.tpm_limit !== null || e.row.max_parallel_requests !== null
    );
    const scopes: RateScope[] = limited.map((e) => ({
      id: `${e.entity}:${e.id}`,
      rpm: e.row.rpm_limit,
      tpm: e.row.tpm_limit,
      parallel: e.row.max_parallel_requests,
    }));
    // Who each scope limits, for the 429's message.
    const scopeEntities: ScopeOwner[] = limited.map((e) => ({ entity: e.entity, id: e.id }));
    // The key's per-model limits (`model_rpm_limit` / `model_tpm_limit` in its metadata).
    const perModel = modelLimits(vk, context);
    if (perModel !== undefined) {
      scopes.push(perModel.scope);
      scopeEntities.push({ entity: "key", id: perModel.id, descriptor: "model_per_key" });
    }
    if (budgets.length === 0 && scopes.length === 0) {
      state.admitted = true;
      return undefined;
    }

    let result: AdmitResult;
    try {
      result = await limits.admit({ requestId: state.slotId, now: at, budgets, scopes });
    } catch (error) {
      // Fail open: a counter outage must not take the gateway down.
      options.onError?.(error);
      state.admitted = true;
      return undefined;
    }
    const headers = rateLimitHeaders(scopes, result.usage, at);
    if (!result.ok) {
      if (result.reason === "budget") {
        const slot = slots[result.index];
        throw new BudgetExceededError({
          entity: slot.entity,
          id: slot.id,
          spend: result.spends[result.index],
          maxBudget: slot.row.max_budget!,
          currency,
        });
      }
      const scope = scopes[result.index];
      const entity = scopeEntities[result.index];
      const usage = result.usage[result.index];
      const details: RateLimitDetails = result.reason === "parallel"
        ? {
          entity: entity.entity,
          id: entity.id,
          descriptor: entity.descriptor,
          limitType: "max_parallel_requests",
          limit: scope.parallel!,
          retryAfter: 1,
          headers,
        }
        : {
          entity: entity.entity,
          id: entity.id,
          descriptor: entity.descriptor,
          limitType: result.reason === "rpm" ? "requests" : "tokens",
          limit: (result.reason === "rpm" ? scope.rpm : scope.tpm)!,
          retryAfter: Math.max(1, Math.ceil((usage.resetAt - at) / 1000)),
          headers,
        };
      throw rateLimitExceeded(details);
    }

    state.admitted = true;
    state.budgets = slots;
    state.settleScopes = scopes.map((s) => ({
      id: s.id,
      release: s.parallel !== null,
      tokens: s.tpm !== null,
    }));
    Object.assign(state.headers, headers);

    // Soft budgets: go along budget_fallbacks.
    const soft = slots.some((s, i) =>
      s.row.soft_budget !== null && result.spends[i] >= s.row.soft_budget
    );
    if (!soft) return undefined;
    const targets = fallbacks.get(context.modelGroup) ?? fallbacks.get(context.requestedModel) ??
      fallbacks.get("*");
    const target = targets?.find((t) => t !== context.modelGroup);
    if (target === undefined) return undefined;
    state.headers["x-llmux-budget-fallback"] = `${context.modelGroup}->${target}`;
    return target;
  };
}
