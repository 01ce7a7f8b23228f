/**
 * What the server process adds around the app: log sinks (LogTape, JSON
 * lines), Prometheus metrics fed by the router's callbacks and by each
 * finished request, and the per-request log line with secrets redacted.
 *
 * @module
 */

import type { Logger } from "@logtape/logtape";
import type { Router } from "../fallback/router.ts";
import type { RouterCallback } from "../fallback/hooks.ts";
import type { AppOptions, RequestSummary } from "./app.ts";
import { configureLogging, getLlmuxLogger, type LoggingLevel, logRequest } from "./logging.ts";
import { createMetrics, type GatewayMetrics, routerDeploymentStates } from "./metrics.ts";
import {
  buildRequestLog,
  createRedactor,
  deploymentSecrets,
  type Redactor,
} from "./request_log.ts";

/** Options of {@linkcode createServerRuntime}. */
export interface RuntimeOptions {
  /** Log level for the server's own messages (request lines are always written). */
  logLevel?: string;
  /** Log prompts and responses in request lines (default false). */
  logPrompts?: boolean;
  /** Secrets to redact besides the deployments' keys (the master key). */
  secrets?: readonly string[];
  /** Where logs go (default stdout). */
  sink?: "stdout" | "stderr" | WritableStream<Uint8Array>;
}

/** The server's logging and metrics, wired for one router. */
export interface ServerRuntime {
  /** The server's logger (category `llmux.server`). */
  log: Logger;
  /** Prometheus metrics. */
  metrics: GatewayMetrics;
  /** Router callbacks to pass to `new Router(…, { callbacks })`. */
  routerCallbacks: RouterCallback[];
  /** Bind to the router once it exists (metrics state, redaction of deployment keys). */
  attach(router: Router): void;
  /** App options: `/metrics`, request start/end hooks. */
  appOptions: Pick<AppOptions, "metrics" | "onRequestStart" | "onRequestEnd">;
  /** Report the finished requests still queued (metrics, log lines) now. */
  flush(): void;
  /** Report what is queued, then flush and release the log sinks. */
  close(): Promise<void>;
}

/**
 * Whether request logs carry prompts and completions: `general_settings.log_prompts`, unless
 * LiteLLM's `litellm_settings.turn_off_message_logging` is set.
 *
 * @example
 * ```ts
 * import { logPromptsOf } from "./runtime.ts";
 * console.assert(logPromptsOf({ general_settings: { log_prompts: true }, litellm_settings: {} }));
 * console.assert(!logPromptsOf({
 *   general_settings: { log_prompts: true },
 *   litellm_settings: { turn_off_message_logging: true },
 * }));
 * ```
 */
export function logPromptsOf(config: {
  general_settings: { log_prompts?: unknown };
  litellm_settings: { turn_off_message_logging?: unknown };
}): boolean {
  return config.general_settings.log_prompts === true &&
    config.litellm_settings.turn_off_message_logging !== true;
}

const LEVELS: readonly LoggingLevel[] = ["trace", "debug", "info", "warning", "error", "fatal"];

/** Set up logging and metrics for the server process. */
export async function createServerRuntime(options: RuntimeOptions = {}): Promise<ServerRuntime> {
  let router: Router | undefined;
  let redact: Redactor = createRedactor({ secrets: [...(options.secrets ?? [])] });
  const level = (options.logLevel === "warn" ? "warning" : options.logLevel) as LoggingLevel;
  const logging = await configureLogging({
    level: LEVELS.includes(level) ? level : "info",
    sink: options.sink ?? "stdout",
    format: "json",
    redact: (line) => redact(line),
  });
  const metrics = createMetrics({ modelGroups: () => router?.modelGroups ?? [] });
  const logPrompts = options.logPrompts === true;

  // Metrics and the log line of a finished request are work for after its
  // response: they queue up and run in a timer task, which comes after the
  // event loop has polled I/O, so after the responses of this turn were
  // written (setImmediate would run before that). /metrics and close() run
  // what is queued first.
  let queued: (() => void)[] = [];
  const runQueued = () => {
    const batch = queued;
    queued = [];
    for (const task of batch) {
      try {
        task();
      } catch {
        // reporting must never take the server down
      }
    }
  };
  const later = (task: () => void) => {
    if (queued.push(task) === 1) setTimeout(runQueued, 0);
  };
  function onRequestEnd(s: RequestSummary): void {
    later(() => report(s));
  }
  const routerCallback: RouterCallback = {
    onSuccess: (event) => later(() => metrics.routerCallback.onSuccess?.(event)),
    onFailure: (event) => later(() => metrics.routerCallback.onFailure?.(event)),
  };

  function report(s: RequestSummary): void {
    const info = s.route_info;
    const group = info?.modelGroup ?? s.requestedModel;
    metrics.requestFinished({
      route: s.route,
      modelGroup: s.requestedModel ?? "unknown",
      deployment: info?.modelId,
      provider: info?.provider,
      status: s.status,
      latencyMs: s.latencyMs,
      ttftMs: s.ttftMs,
      usage: s.usage,
      fallbacks: info?.fallbacks,
      outcome: s.outcome,
      error: s.error,
    });
    if (s.costUsd > 0 && group) {
      metrics.recordSpend({ modelGroup: group, deployment: info?.modelId, costUsd: s.costUsd });
    }
    logRequest(buildRequestLog({
      requestId: s.requestId,
      method: s.method,
      route: s.route,
      modelGroup: group,
      deploymentId: info?.modelId,
      provider: info?.provider,
      status: s.status,
      latencyMs: s.latencyMs,
      ttftMs: s.ttftMs,
      usage: s.usage,
      costUsd: s.costUsd,
      attempts: info?.attempts,
      fallbacks: info?.fallbacks,
      stream: s.stream,
      error: s.error,
      messages: s.body?.messages ?? s.body?.input ?? s.body?.prompt,
    }, { redact, logPrompts }));
  }

  return {
    log: getLlmuxLogger("server"),
    metrics,
    routerCallbacks: [routerCallback],
    attach(r) {
      router = r;
      metrics.setDeploymentStateProvider(routerDeploymentStates(r));
      redact = createRedactor({
        secrets: [...(options.secrets ?? []), ...deploymentSecrets(r.deployments)],
      });
    },
    appOptions: {
      metrics: () => {
        runQueued();
        return metrics.render();
      },
      onRequestStart: (route, group) => metrics.requestStarted(route, group ?? "unknown"),
      onRequestEnd,
    },
    flush: runQueued,
    close: async () => {
      runQueued();
      await logging[Symbol.asyncDispose]();
    },
  };
}
