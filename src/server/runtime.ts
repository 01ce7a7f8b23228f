/**
 * What the server process adds around the app: log sinks (LogTape, JSON
 * lines), Prometheus metrics fed by the router's callbacks and by each
 * finished request, and the per-request log line with secrets redacted.
 *
 * @module
 */

import type { Logger } from "@logtape/logtape";
import { setImmediate } from "node:timers";
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
  // response: summaries queue up and are reported once per event-loop turn,
  // after that turn's responses were handed to the HTTP server.
  let ended: RequestSummary[] = [];
  const reportEnded = () => {
    const batch = ended;
    ended = [];
    for (const s of batch) {
      try {
        report(s);
      } catch {
        // reporting must never take the server down
      }
    }
  };
  function onRequestEnd(s: RequestSummary): void {
    if (ended.push(s) === 1) setImmediate(reportEnded);
  }

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
    routerCallbacks: [metrics.routerCallback],
    attach(r) {
      router = r;
      metrics.setDeploymentStateProvider(routerDeploymentStates(r));
      redact = createRedactor({
        secrets: [...(options.secrets ?? []), ...deploymentSecrets(r.deployments)],
      });
    },
    appOptions: {
      metrics: () => {
        reportEnded();
        return metrics.render();
      },
      onRequestStart: (route, group) => metrics.requestStarted(route, group ?? "unknown"),
      onRequestEnd,
    },
    flush: reportEnded,
    close: async () => {
      reportEnded();
      await logging[Symbol.asyncDispose]();
    },
  };
}
