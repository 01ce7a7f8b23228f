/**
 * `GET /health`, as LiteLLM's proxy answers it: a real, small call to every
 * deployment (see `Router.checkHealth()`), listed as `healthy_endpoints` and
 * `unhealthy_endpoints` with their `litellm_params` (secrets left out) and,
 * for the unhealthy, the error. With `background_health_checks` the checks
 * run every `health_check_interval` seconds and `/health` answers the last
 * results; `health_check_details: false` shows only the model and error.
 *
 * @module
 */

import type { Router } from "../fallback/router.ts";
import type { DeploymentHealth } from "../fallback/health.ts";
import {
  createRedactor,
  deploymentSecrets,
  type Redactor,
  SECRET_PARAM_REGEXP,
} from "./request_log.ts";
import { errorClassName, errorMessage } from "./_error_info.ts";

/** `litellm_params` keys never shown (LiteLLM's list, plus anything named like a secret). */
const HIDDEN_PARAMS = new Set(["messages", "prompt", "input", "fetch", "signal"]);

/** One endpoint of the report. */
export type HealthEndpoint = Record<string, unknown>;

/** What `/health` answers. */
export interface HealthReport {
  /** Deployments whose check succeeded. */
  healthy_endpoints: HealthEndpoint[];
  /** Deployments whose check failed, and models left out for a missing key. */
  unhealthy_endpoints: HealthEndpoint[];
  /** `healthy_endpoints.length`. */
  healthy_count: number;
  /** `unhealthy_endpoints.length`. */
  unhealthy_count: number;
}

/** Options of {@linkcode createHealthMonitor}. */
export interface HealthMonitorOptions {
  /** Run the checks every `intervalS` seconds and answer the last results (default false). */
  background?: boolean | undefined;
  /** Seconds between background checks (default 300, LiteLLM's). */
  intervalS?: number | undefined;
  /** Show every (non-secret) `litellm_params` field (default true); false: model and error only. */
  details?: boolean | undefined;
  /** Longest a check may take, in ms (default 60,000). */
  timeoutMs?: number | undefined;
  /** Models the config left out (missing keys): always unhealthy. */
  unavailable?: readonly { model_name: string; model: string; reason: string }[] | undefined;
}

/** The `/health` answers of one router. */
export interface HealthMonitor extends AsyncDisposable {
  /** The report, for every model group or one (`?model=`). */
  report(model?: string): Promise<HealthReport>;
}

function endpointOf(
  d: DeploymentHealth["deployment"],
  details: boolean,
  redact: Redactor,
): HealthEndpoint {
  if (!details) return { model: d.model };
  const out: HealthEndpoint = {};
  for (const [key, value] of Object.entries(d.params)) {
    if (HIDDEN_PARAMS.has(key) || SECRET_PARAM_REGEXP.test(key)) continue;
    if (value === undefined || typeof value === "function") continue;
    out[key] = typeof value === "string" ? redact(value) : value;
  }
  out.model = d.model;
  out.model_group = d.modelGroup;
  out.model_id = d.id;
  out.provider = d.provider;
  return out;
}

/**
 * Create the `/health` answers for a router: on demand, or from background
 * checks. Dispose it to stop the background checks.
 *
 * @example
 * ```ts
 * import { Router } from "../fallback/router.ts";
 * import { createHealthMonitor } from "./health.ts";
 * const router = new Router({
 *   model_list: [{ model_name: "demo", litellm_params: { model: "openai/demo", mock_response: "hi" } }],
 * });
 * await using health = createHealthMonitor(router);
 * const report = await health.report();
 * console.assert(report.healthy_count === 1 && report.unhealthy_count === 0);
 * ```
 */
export function createHealthMonitor(
  router: Router,
  options: HealthMonitorOptions = {},
): HealthMonitor {
  const details = options.details !== false;
  const redact = createRedactor({ secrets: deploymentSecrets(router.deployments) });
  const unavailable = options.unavailable ?? [];

  /** The report of `results`; `model` also filters the results when `filter` is set. */
  const build = (
    results: readonly DeploymentHealth[],
    model: string | undefined,
    filter: boolean,
  ): HealthReport => {
    const healthy: HealthEndpoint[] = [];
    const unhealthy: HealthEndpoint[] = [];
    for (const r of results) {
      if (filter && model !== undefined && r.deployment.modelGroup !== model) continue;
      const entry = endpointOf(r.deployment, details, redact);
      if (r.healthy) healthy.push(entry);
      else {
        entry.error = redact(`${errorClassName(r.error)}: ${errorMessage(r.error)}`);
        unhealthy.push(entry);
      }
    }
    for (const u of unavailable) {
      if (model !== undefined && u.model_name !== model) continue;
      unhealthy.push(
        details
          ? { model: u.model, model_group: u.model_name, error: u.reason }
          : { model: u.model, error: u.reason },
      );
    }
    return {
      healthy_endpoints: healthy,
      unhealthy_endpoints: unhealthy,
      healthy_count: healthy.length,
      unhealthy_count: unhealthy.length,
    };
  };
  const check = (model?: string) => router.checkHealth({ model, timeoutMs: options.timeoutMs });

  if (!options.background) {
    return {
      report: async (model) => build(await check(model), model, false),
      [Symbol.asyncDispose]: () => Promise.resolve(),
    };
  }

  // Background: one round at a time, every intervalS seconds; /health answers the last round.
  const intervalMs = Math.max(1, options.intervalS ?? 300) * 1000;
  let last: Promise<DeploymentHealth[]> = check();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  const next = () => {
    timer = setTimeout(() => {
      const round = check();
      round.then(() => {
        last = round;
        if (!closed) next();
      }, () => {
        if (!closed) next();
      });
    }, intervalMs);
  };
  last.finally(() => {
    if (!closed) next();
  });
  return {
    report: async (model) => build(await last, model, true),
    [Symbol.asyncDispose]: () => {
      closed = true;
      clearTimeout(timer);
      return Promise.resolve();
    },
  };
}
