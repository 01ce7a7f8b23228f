/**
 * Health checks of deployments, as LiteLLM's `/health` makes them: one
 * small real call to each deployment (a one-token chat completion, or an
 * embedding for `model_info.mode: embedding`), straight to the deployment
 * with no retries, fallbacks or cooldowns, all at once, each bounded by a
 * timeout.
 *
 * @module
 */

import type { Deployment } from "./deployment.ts";

/** How one deployment answered its health check. */
export interface DeploymentHealth {
  /** The deployment. */
  deployment: Deployment;
  /** Whether the call succeeded. */
  healthy: boolean;
  /** The error, when it did not. */
  error?: unknown;
  /** How long the call took, in ms. */
  latencyMs: number;
}

/** Options of `Router.checkHealth()`. */
export interface HealthCheckOptions {
  /** Only the deployments of this model group (or alias). */
  model?: string | undefined;
  /** Longest a check may take, in ms (default 60,000, LiteLLM's). */
  timeoutMs?: number | undefined;
}

/** LiteLLM's health-check timeout. */
export const DEFAULT_HEALTH_CHECK_TIMEOUT_MS = 60_000;

/** The message LiteLLM's checks send. */
export const HEALTH_CHECK_MESSAGE = "ping";

/** The call a health check makes for a deployment: chat, or embedding for `mode: embedding`. */
export function healthCheckKind(deployment: Deployment): "chat" | "embedding" {
  return deployment.modelInfo.mode === "embedding" ? "embedding" : "chat";
}

/** Run `call` for every deployment at once, each bounded by `timeoutMs`. */
export async function checkDeployments(
  deployments: readonly Deployment[],
  call: (deployment: Deployment, signal: AbortSignal) => Promise<unknown>,
  options: { timeoutMs: number; now: () => number },
): Promise<DeploymentHealth[]> {
  return await Promise.all(deployments.map(async (deployment) => {
    const started = options.now();
    const signal = AbortSignal.timeout(options.timeoutMs);
    try {
      await call(deployment, signal);
      return { deployment, healthy: true, latencyMs: options.now() - started };
    } catch (error) {
      return { deployment, healthy: false, error, latencyMs: options.now() - started };
    }
  }));
}
