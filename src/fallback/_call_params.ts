/**
 * The parameters of one upstream call: a deployment's `litellm_params`
 * merged with the caller's, and the per-attempt timeout.
 *
 * @module
 */

import type { Deployment } from "./deployment.ts";

/**
 * Merge for one call: the deployment's `litellm_params`, then the caller's
 * body on top (messages, temperature, and — as in LiteLLM — `api_key` /
 * `api_base` when the caller passes them), then the deployment's `model`.
 * The Router is the only retry loop, so `num_retries` is 0.
 */
export function buildCallParams(
  deployment: Deployment,
  caller: Readonly<Record<string, unknown>>,
  options: {
    timeout: number | undefined;
    fetch: typeof fetch | undefined;
    signal: AbortSignal | undefined;
  },
): Record<string, unknown> {
  // As in LiteLLM's Router, the caller's values win, credentials included (the
  // proxy strips client-sent credentials unless allow_client_side_credentials).
  const call: Record<string, unknown> = { ...deployment.params, ...caller };
  call.model = deployment.model;
  call.num_retries = 0;
  const f = caller.fetch ?? deployment.params.fetch ?? options.fetch;
  if (f !== undefined) call.fetch = f;
  if (options.timeout !== undefined) call.timeout = options.timeout;
  if (options.signal !== undefined) call.signal = options.signal;
  return call;
}

/**
 * Seconds one attempt may take: for streams the first of the request's
 * `stream_timeout`, the deployment's, the Router's, then the plain
 * timeouts; otherwise the deployment's `timeout`, then the Router's. Never
 * more than what is left before the request's deadline.
 */
export function attemptTimeout(
  deployment: Deployment,
  options: {
    stream: boolean;
    requestStreamTimeout: number | undefined;
    routerTimeout: number | undefined;
    routerStreamTimeout: number | undefined;
    deadline: number | undefined;
    now: number;
  },
): number | undefined {
  let seconds = options.stream
    ? options.requestStreamTimeout ?? deployment.streamTimeout ?? options.routerStreamTimeout ??
      deployment.timeout ?? options.routerTimeout
    : deployment.timeout ?? options.routerTimeout;
  if (options.deadline !== undefined) {
    const left = Math.max(0.001, (options.deadline - options.now) / 1000);
    seconds = seconds === undefined ? left : Math.min(seconds, left);
  }
  return seconds;
}
