/**
 * Prometheus metrics of the proxy, on a `prom-client` {@linkcode Registry}
 * owned by each {@linkcode GatewayMetrics} (never the global default one),
 * so two gateways (or two tests) in one process never share a series.
 *
 * Names follow LiteLLM's proxy metrics where LiteLLM has one, after the
 * prefix (`"llmux_"` by default; `prefix: "litellm_"` gives LiteLLM's series
 * names, so its dashboards find them). Counters end in `_total`, as the
 * Python client LiteLLM uses writes them; latencies are in seconds.
 *
 * | Metric (after the prefix) | Type | Labels | Fed by |
 * | --- | --- | --- | --- |
 * | `proxy_total_requests_metric_total` | counter | `route`, `model_group`, `model_id`, `api_provider`, `status_code` | `requestFinished` |
 * | `proxy_failed_requests_metric_total` | counter | `route`, `model_group`, `exception_class`, `exception_status` | `requestFinished` |
 * | `request_total_latency_metric` | histogram (s) | `model_group`, `model_id` | `requestFinished` |
 * | `request_time_to_first_token_metric` | histogram (s) | `model_group`, `model_id` | `requestFinished` (streams) |
 * | `input_tokens_metric_total` | counter | `model_group`, `model_id` | `requestFinished` |
 * | `output_tokens_metric_total` | counter | `model_group`, `model_id` | `requestFinished` |
 * | `total_tokens_metric_total` | counter | `model_group`, `model_id` | `requestFinished` |
 * | `deployment_successful_fallbacks_total` | counter | `requested_model`, `fallback_model` | `requestFinished` |
 * | `deployment_failed_fallbacks_total` | counter | `requested_model`, `fallback_model` | `requestFinished` |
 * | `spend_metric_total` | counter (USD) | `model_group`, `model_id` | `recordSpend` |
 * | `in_flight_requests` | gauge | `route`, `model_group` | `requestStarted` |
 * | `deployment_total_requests_total` | counter | `model_group`, `model_id`, `api_provider` | `routerCallback` |
 * | `deployment_success_responses_total` | counter | `model_group`, `model_id`, `api_provider` | `routerCallback` |
 * | `deployment_failure_responses_total` | counter | `model_group`, `model_id`, `api_provider`, `exception_class`, `exception_status` | `routerCallback` |
 * | `llm_api_latency_metric` | histogram (s) | `model_group`, `model_id` | `routerCallback` (successful calls) |
 * | `llm_api_time_to_first_token_metric` | histogram (s) | `model_group`, `model_id` | `routerCallback` (streams) |
 * | `llm_api_retries_total` | counter | `model_group` | `routerCallback` (calls after a request's first) |
 * | `deployment_state` | gauge | `model_group`, `model_id`, `api_provider` | `setDeploymentStateProvider` |
 *
 * Label values stay bounded: model groups outside `modelGroups` become
 * `"unknown"`, routes outside `routes` become `"other"`, a missing group,
 * deployment or provider is `"none"`, statuses outside 100–599 are
 * `"unknown"` and error classes are identifiers of at most 64 characters.
 * Deployment ids and providers come from the config; no key, header or
 * prompt ever becomes a label.
 *
 * @module
 */

import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { RouterCallback, RouterCallEvent } from "../fallback/hooks.ts";
import type { Deployment } from "../fallback/deployment.ts";
import { boundedErrorName, errorClassName, errorStatus } from "./_error_info.ts";

/** The default metric name prefix. */
export const DEFAULT_METRICS_PREFIX = "llmux_";

/** Default buckets (seconds) of the latency histograms. */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  20,
  30,
  60,
  120,
  300,
]);

/** Default buckets (seconds) of the time-to-first-token histograms. */
export const DEFAULT_TTFT_BUCKETS: readonly number[] = Object.freeze([
  0.05,
  0.1,
  0.25,
  0.5,
  0.75,
  1,
  1.5,
  2,
  3,
  5,
  10,
  20,
  30,
]);

/** Values of the `deployment_state` gauge (LiteLLM's). */
export interface DeploymentStateValues {
  /** Cooling down: out of rotation. */
  readonly completeOutage: 2;
  /** Its last call failed, but it is in rotation. */
  readonly partialOutage: 1;
  /** Its last call succeeded (or it has not been called). */
  readonly healthy: 0;
}

/** Values of the `deployment_state` gauge (LiteLLM's). */
export const DEPLOYMENT_STATE: DeploymentStateValues = Object.freeze({
  completeOutage: 2,
  partialOutage: 1,
  healthy: 0,
});

/** Histogram buckets, in seconds. */
export interface MetricsBuckets {
  /** Buckets of the latency histograms (default {@linkcode DEFAULT_LATENCY_BUCKETS}). */
  latency?: readonly number[] | undefined;
  /** Buckets of the time-to-first-token histograms (default {@linkcode DEFAULT_TTFT_BUCKETS}). */
  ttft?: readonly number[] | undefined;
}

/** Options of {@linkcode createMetrics}. */
export interface MetricsOptions {
  /** Prefix of every metric name (default `"llmux_"`; `""` for none). */
  prefix?: string | undefined;
  /** Histogram buckets. */
  buckets?: MetricsBuckets | undefined;
  /**
   * The model group names of the config (groups and aliases). When given,
   * any other name is labelled `"unknown"`, so a client cannot create
   * series by sending made-up models. The proxy should always pass them.
   * A function is called once, at the first label it is needed for (so the
   * metrics can be created before the Router they are a callback of:
   * `modelGroups: () => router.modelGroups`).
   */
  modelGroups?: Iterable<string> | (() => Iterable<string>) | undefined;
  /** The route templates served; when given, any other route is labelled `"other"`. */
  routes?: Iterable<string> | undefined;
}

/** Token counts of a request (OpenAI `usage`; embeddings have no completion tokens). */
export interface TokenUsage {
  /** Prompt tokens. */
  prompt_tokens?: number | undefined;
  /** Completion tokens. */
  completion_tokens?: number | undefined;
  /** Their sum (computed when absent). */
  total_tokens?: number | undefined;
}

/** One client request, once its response is complete (streams: when the stream ended). */
export interface FinishedRequest {
  /** Route template, e.g. `"/v1/chat/completions"` (not the raw path). */
  route: string;
  /** The model group asked for, if the request got that far. */
  modelGroup: string | undefined;
  /** Id of the deployment that answered (`RouteInfo.modelId`), if any. */
  deployment?: string | undefined;
  /** Its provider (`RouteInfo.provider`), if any. */
  provider?: string | undefined;
  /** HTTP status sent. */
  status: number;
  /** Milliseconds from the request's arrival to its end. */
  latencyMs: number;
  /** Milliseconds to the first content, for streams. */
  ttftMs?: number | undefined;
  /** Token usage, when known. */
  usage?: TokenUsage | undefined;
  /** Fallback groups entered, in order (`RouteInfo.fallbacks`). */
  fallbacks?: readonly string[] | undefined;
  /**
   * How the response ended. `"failure"` counts as failed even with a 200
   * (a stream broken after its headers); `"cancelled"` (the client went
   * away) does not. Without it, a status of 400 or more is a failure.
   */
  outcome?: "success" | "failure" | "cancelled" | undefined;
  /** The error, on failure: gives `exception_class` (unless `errorType` is set). */
  error?: unknown;
  /** Error class or OpenAI error type, on failure (overrides `error`'s class). */
  errorType?: string | undefined;
}

/** Spend of one request, in USD. */
export interface SpendRecord {
  /** The model group. */
  modelGroup: string | undefined;
  /** The deployment id, if known. */
  deployment?: string | undefined;
  /** Cost in USD (ignored unless positive and finite). */
  costUsd: number;
}

/** One deployment, as the `deployment_state` gauge sees it. */
export interface DeploymentStateSample {
  /** Deployment id. */
  id: string;
  /** Its model group. */
  modelGroup: string;
  /** Its provider. */
  provider: string;
  /** Whether it is cooling down now. */
  coolingDown: boolean;
}

/** Lists the deployments and their cooldowns at scrape time. */
export type DeploymentStateProvider = () =>
  | readonly DeploymentStateSample[]
  | Promise<readonly DeploymentStateSample[]>;

/** What the router-side helper {@linkcode routerDeploymentStates} needs of a Router. */
export interface DeploymentStateSource {
  /** Every deployment. */
  readonly deployments: readonly Deployment[];
  /** The deployments cooling down now. */
  getCooldowns(): Promise<readonly { readonly id: string }[]>;
}

/** The Prometheus text exposition. */
export interface MetricsExposition {
  /** `Content-Type` to send (the registry's). */
  contentType: string;
  /** The exposition text. */
  body: string;
}

/** The proxy's metrics; see the module documentation for names and labels. */
export interface GatewayMetrics {
  /** Router callbacks (`new Router(config, { callbacks: [metrics.routerCallback] })`): per-call metrics. */
  readonly routerCallback: RouterCallback;
  /** Count a request in flight; call the returned function (once) when it is over. */
  requestStarted(route: string, modelGroup: string | undefined): () => void;
  /** Record a finished client request. */
  requestFinished(request: FinishedRequest): void;
  /** Add spend in USD. */
  recordSpend(spend: SpendRecord): void;
  /** Set (or clear) what feeds the `deployment_state` gauge at scrape time. */
  setDeploymentStateProvider(provider: DeploymentStateProvider | undefined): void;
  /** The Prometheus text exposition. */
  render(): Promise<MetricsExposition>;
}

const NONE = "none";
const UNKNOWN = "unknown";
const OTHER = "other";
const PREFIX_REGEXP = /^([a-zA-Z_:][a-zA-Z0-9_:]*)?$/;

const REQUEST_LABELS = ["route", "model_group", "model_id", "api_provider", "status_code"] as const;
const FAILED_LABELS = ["route", "model_group", "exception_class", "exception_status"] as const;
const GROUP_DEPLOYMENT_LABELS = ["model_group", "model_id"] as const;
const FALLBACK_LABELS = ["requested_model", "fallback_model"] as const;
const IN_FLIGHT_LABELS = ["route", "model_group"] as const;
const DEPLOYMENT_LABELS = ["model_group", "model_id", "api_provider"] as const;
const DEPLOYMENT_FAILURE_LABELS = [
  "model_group",
  "model_id",
  "api_provider",
  "exception_class",
  "exception_status",
] as const;

function checkBuckets(buckets: readonly number[], name: string): number[] {
  if (buckets.length === 0) throw new TypeError(`Invalid metrics option: '${name}' is empty`);
  let previous = 0;
  for (const b of buckets) {
    if (typeof b !== "number" || !Number.isFinite(b) || b <= previous) {
      throw new TypeError(
        `Invalid metrics option: '${name}' must be increasing positive finite numbers`,
      );
    }
    previous = b;
  }
  return [...buckets];
}

function positive(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value > 0;
}

function nonNegative(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value) && value >= 0;
}

function statusLabel(status: number | undefined): string {
  return typeof status === "number" && Number.isInteger(status) && status >= 100 && status <= 599
    ? String(status)
    : UNKNOWN;
}

function orNone(value: string | undefined): string {
  return value === undefined || value === "" ? NONE : value;
}

/**
 * Create the proxy's metrics on a registry of their own.
 *
 * @example
 * ```ts
 * import { createMetrics } from "./metrics.ts";
 * const metrics = createMetrics({ modelGroups: ["gpt"] });
 * const done = metrics.requestStarted("/v1/chat/completions", "gpt");
 * metrics.requestFinished({
 *   route: "/v1/chat/completions", modelGroup: "gpt", deployment: "gpt-a", provider: "openai",
 *   status: 200, latencyMs: 420, usage: { prompt_tokens: 12, completion_tokens: 30 },
 * });
 * done();
 * const { contentType, body } = await metrics.render();
 * console.assert(contentType.startsWith("text/plain"));
 * console.assert(body.includes('llmux_total_tokens_metric_total{model_group="gpt",model_id="gpt-a"} 42'));
 * ```
 */
export function createMetrics(options: MetricsOptions = {}): GatewayMetrics {
  const prefix = options.prefix ?? DEFAULT_METRICS_PREFIX;
  if (!PREFIX_REGEXP.test(prefix)) {
    throw new TypeError(`Invalid metrics option: prefix "${prefix}" is not a metric name prefix`);
  }
  const latencyBuckets = checkBuckets(
    options.buckets?.latency ?? DEFAULT_LATENCY_BUCKETS,
    "buckets.latency",
  );
  const ttftBuckets = checkBuckets(options.buckets?.ttft ?? DEFAULT_TTFT_BUCKETS, "buckets.ttft");
  const groupsOption = options.modelGroups;
  let knownGroups: ReadonlySet<string> | undefined = typeof groupsOption === "function"
    ? undefined
    : groupsOption === undefined
    ? undefined
    : new Set(groupsOption);
  const knownRoutes = options.routes === undefined ? undefined : new Set(options.routes);

  const registry = new Registry();
  const registers = [registry];
  const name = (base: string): string => `${prefix}${base}`;

  const requests = new Counter({
    name: name("proxy_total_requests_metric_total"),
    help:
      "Client requests to the proxy, by route, model group, answering deployment, provider and HTTP status",
    labelNames: REQUEST_LABELS,
    registers,
  });
  const failed = new Counter({
    name: name("proxy_failed_requests_metric_total"),
    help: "Client requests that failed, by route, model group, error class and HTTP status",
    labelNames: FAILED_LABELS,
    registers,
  });
  const requestLatency = new Histogram({
    name: name("request_total_latency_metric"),
    help: "Seconds from a request's arrival to the end of its response (streams included)",
    labelNames: GROUP_DEPLOYMENT_LABELS,
    buckets: latencyBuckets,
    registers,
  });
  const requestTtft = new Histogram({
    name: name("request_time_to_first_token_metric"),
    help: "Seconds from a streaming request's arrival to its first content",
    labelNames: GROUP_DEPLOYMENT_LABELS,
    buckets: ttftBuckets,
    registers,
  });
  const inputTokens = new Counter({
    name: name("input_tokens_metric_total"),
    help: "Prompt tokens, by model group and deployment",
    labelNames: GROUP_DEPLOYMENT_LABELS,
    registers,
  });
  const outputTokens = new Counter({
    name: name("output_tokens_metric_total"),
    help: "Completion tokens, by model group and deployment",
    labelNames: GROUP_DEPLOYMENT_LABELS,
    registers,
  });
  const totalTokens = new Counter({
    name: name("total_tokens_metric_total"),
    help: "Prompt plus completion tokens, by model group and deployment",
    labelNames: GROUP_DEPLOYMENT_LABELS,
    registers,
  });
  const successfulFallbacks = new Counter({
    name: name("deployment_successful_fallbacks_total"),
    help: "Fallbacks from the requested group to a fallback group that answered",
    labelNames: FALLBACK_LABELS,
    registers,
  });
  const failedFallbacks = new Counter({
    name: name("deployment_failed_fallbacks_total"),
    help: "Fallbacks from the requested group to a fallback group that failed too",
    labelNames: FALLBACK_LABELS,
    registers,
  });
  const spend = new Counter({
    name: name("spend_metric_total"),
    help: "Spend in USD, by model group and deployment",
    labelNames: GROUP_DEPLOYMENT_LABELS,
    registers,
  });
  const inFlight = new Gauge({
    name: name("in_flight_requests"),
    help: "Client requests being served now, by route and model group",
    labelNames: IN_FLIGHT_LABELS,
    registers,
  });
  const deploymentRequests = new Counter({
    name: name("deployment_total_requests_total"),
    help: "Upstream calls, by deployment (success, failure and cancelled streams)",
    labelNames: DEPLOYMENT_LABELS,
    registers,
  });
  const deploymentSuccesses = new Counter({
    name: name("deployment_success_responses_total"),
    help: "Upstream calls that succeeded, by deployment",
    labelNames: DEPLOYMENT_LABELS,
    registers,
  });
  const deploymentFailures = new Counter({
    name: name("deployment_failure_responses_total"),
    help: "Upstream calls that failed, by deployment, error class and status",
    labelNames: DEPLOYMENT_FAILURE_LABELS,
    registers,
  });
  const apiLatency = new Histogram({
    name: name("llm_api_latency_metric"),
    help: "Seconds of successful upstream calls (to the end of the stream, for streams)",
    labelNames: GROUP_DEPLOYMENT_LABELS,
    buckets: latencyBuckets,
    registers,
  });
  const apiTtft = new Histogram({
    name: name("llm_api_time_to_first_token_metric"),
    help: "Seconds from the start of a streaming upstream call to its first content",
    labelNames: GROUP_DEPLOYMENT_LABELS,
    buckets: ttftBuckets,
    registers,
  });
  const retries = new Counter({
    name: name("llm_api_retries_total"),
    help: "Upstream calls after a request's first one (retries and fallback calls), by model group",
    labelNames: ["model_group"] as const,
    registers,
  });

  /** Whether each deployment's last call failed (bounded by the config's deployments). */
  const lastFailed = new Map<string, boolean>();
  let stateProvider: DeploymentStateProvider | undefined;

  new Gauge({
    name: name("deployment_state"),
    help:
      "Deployment state: 0 healthy, 1 partial outage (last call failed), 2 complete outage (cooling down)",
    labelNames: DEPLOYMENT_LABELS,
    registers,
    async collect(this: Gauge<typeof DEPLOYMENT_LABELS[number]>): Promise<void> {
      this.reset();
      if (stateProvider === undefined) return;
      let samples: readonly DeploymentStateSample[];
      try {
        samples = await stateProvider();
      } catch {
        return; // a failing provider must not break the scrape
      }
      for (const s of samples) {
        const value = s.coolingDown
          ? DEPLOYMENT_STATE.completeOutage
          : lastFailed.get(s.id) === true
          ? DEPLOYMENT_STATE.partialOutage
          : DEPLOYMENT_STATE.healthy;
        this.set(
          {
            model_group: group(s.modelGroup),
            model_id: orNone(s.id),
            api_provider: orNone(s.provider),
          },
          value,
        );
      }
    },
  });

  function group(value: string | undefined): string {
    if (value === undefined || value === "") return NONE;
    if (knownGroups === undefined && typeof groupsOption === "function") {
      knownGroups = new Set(groupsOption());
    }
    if (knownGroups !== undefined && !knownGroups.has(value)) return UNKNOWN;
    return value;
  }

  function route(value: string): string {
    if (value === "") return NONE;
    if (knownRoutes !== undefined && !knownRoutes.has(value)) return OTHER;
    return value;
  }

  function errorClass(errorType: string | undefined, error: unknown): string {
    if (errorType !== undefined) return boundedErrorName(errorType);
    return error === undefined ? NONE : errorClassName(error);
  }

  function deploymentLabels(
    event: RouterCallEvent,
  ): Record<typeof DEPLOYMENT_LABELS[number], string> {
    return {
      model_group: group(event.modelGroup),
      model_id: orNone(event.deployment.id),
      api_provider: orNone(event.deployment.provider),
    };
  }

  function onCall(event: RouterCallEvent): void {
    const labels = deploymentLabels(event);
    deploymentRequests.inc(labels);
    if (event.attempt > 1) retries.inc({ model_group: labels.model_group });
    const gd = { model_group: labels.model_group, model_id: labels.model_id };
    if (event.outcome === "success") {
      deploymentSuccesses.inc(labels);
      lastFailed.set(event.deployment.id, false);
      if (nonNegative(event.latencyMs)) apiLatency.observe(gd, event.latencyMs / 1000);
      if (nonNegative(event.ttftMs)) apiTtft.observe(gd, event.ttftMs / 1000);
    } else if (event.outcome === "failure") {
      deploymentFailures.inc({
        ...labels,
        exception_class: event.error === undefined ? UNKNOWN : errorClassName(event.error),
        exception_status: statusLabel(errorStatus(event.error)),
      });
      lastFailed.set(event.deployment.id, true);
    }
  }

  const routerCallback: RouterCallback = {
    onSuccess: onCall,
    onFailure: onCall,
  };

  return {
    routerCallback,

    requestStarted(routeName: string, modelGroup: string | undefined): () => void {
      const labels = { route: route(routeName), model_group: group(modelGroup) };
      inFlight.inc(labels);
      let done = false;
      return () => {
        if (done) return;
        done = true;
        inFlight.dec(labels);
      };
    },

    requestFinished(request: FinishedRequest): void {
      const modelGroup = group(request.modelGroup);
      const routeLabel = route(request.route);
      const modelId = orNone(request.deployment);
      requests.inc({
        route: routeLabel,
        model_group: modelGroup,
        model_id: modelId,
        api_provider: orNone(request.provider),
        status_code: statusLabel(request.status),
      });
      const isFailure = request.outcome === undefined
        ? request.status >= 400
        : request.outcome === "failure";
      if (isFailure) {
        failed.inc({
          route: routeLabel,
          model_group: modelGroup,
          exception_class: errorClass(request.errorType, request.error),
          exception_status: statusLabel(errorStatus(request.error) ?? request.status),
        });
      }
      const gd = { model_group: modelGroup, model_id: modelId };
      if (nonNegative(request.latencyMs)) requestLatency.observe(gd, request.latencyMs / 1000);
      if (nonNegative(request.ttftMs)) requestTtft.observe(gd, request.ttftMs / 1000);
      const usage = request.usage;
      if (usage !== undefined) {
        const prompt = positive(usage.prompt_tokens) ? usage.prompt_tokens : 0;
        const completion = positive(usage.completion_tokens) ? usage.completion_tokens : 0;
        const total = positive(usage.total_tokens) ? usage.total_tokens : prompt + completion;
        if (prompt > 0) inputTokens.inc(gd, prompt);
        if (completion > 0) outputTokens.inc(gd, completion);
        if (total > 0) totalTokens.inc(gd, total);
      }
      const fallbacks = request.fallbacks ?? [];
      fallbacks.forEach((fallback, i) => {
        const labels = { requested_model: modelGroup, fallback_model: group(fallback) };
        if (i === fallbacks.length - 1 && !isFailure) successfulFallbacks.inc(labels);
        else failedFallbacks.inc(labels);
      });
    },

    recordSpend(record: SpendRecord): void {
      if (!positive(record.costUsd)) return;
      spend.inc(
        { model_group: group(record.modelGroup), model_id: orNone(record.deployment) },
        record.costUsd,
      );
    },

    setDeploymentStateProvider(provider: DeploymentStateProvider | undefined): void {
      stateProvider = provider;
    },

    async render(): Promise<MetricsExposition> {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}

/**
 * A {@linkcode DeploymentStateProvider} over a Router: every deployment,
 * with its cooldown state at scrape time.
 *
 * @example
 * ```ts
 * import { createMetrics, routerDeploymentStates } from "./metrics.ts";
 * import { Router } from "../fallback/router.ts";
 * const router = new Router({
 *   model_list: [{ model_name: "gpt", litellm_params: { model: "openai/gpt-4o" }, model_info: { id: "gpt-a" } }],
 * });
 * const metrics = createMetrics({ modelGroups: router.modelGroups });
 * metrics.setDeploymentStateProvider(routerDeploymentStates(router));
 * const { body } = await metrics.render();
 * console.assert(body.includes('llmux_deployment_state{model_group="gpt",model_id="gpt-a",api_provider="openai"} 0'));
 * ```
 */
export function routerDeploymentStates(router: DeploymentStateSource): DeploymentStateProvider {
  return async (): Promise<DeploymentStateSample[]> => {
    const cooling = new Set((await router.getCooldowns()).map((c) => c.id));
    return router.deployments.map((d) => ({
      id: d.id,
      modelGroup: d.modelGroup,
      provider: d.provider,
      coolingDown: cooling.has(d.id),
    }));
  };
}
