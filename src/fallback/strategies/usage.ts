/**
 * `usage-based-routing` (and its alias `usage-based-routing-v2`): skip
 * candidates that would exceed their `rpm` or `tpm` this minute (the
 * prompt's tokens count toward `tpm`), then pick the one that used the
 * fewest tokens this minute (then fewest requests, then at random).
 *
 * @module
 */

import type { Candidate, PickContext, RoutingStrategy } from "./types.ts";
import { atLimit } from "./_limits.ts";

/**
 * Create the usage-based strategy under a name.
 *
 * @example
 * ```ts
 * import { createUsageStrategy } from "./usage.ts";
 * import { createDeployment } from "../deployment.ts";
 * import { DeploymentStats } from "../stats.ts";
 * const full = new DeploymentStats();
 * full.countRequest(0);
 * const c = (id: string, stats: DeploymentStats) => ({
 *   deployment: createDeployment({ model_name: "g", litellm_params: { model: "openai/gpt-4o", rpm: 1 }, model_info: { id } }),
 *   stats,
 * });
 * const picked = createUsageStrategy().pick([c("full", full), c("free", new DeploymentStats())], {
 *   random: Math.random, now: 0, stream: false, inputTokens: undefined,
 * });
 * console.assert(picked?.deployment.id === "free");
 * ```
 */
export function createUsageStrategy(name = "usage-based-routing"): RoutingStrategy {
  return {
    name,
    usesInputTokens: true,
    pick(candidates: readonly Candidate[], ctx: PickContext): Candidate | undefined {
      let best: Candidate | undefined;
      let bestTokens = 0;
      let bestRequests = 0;
      let ties = 0;
      for (const c of candidates) {
        if (atLimit(c, ctx)) continue;
        const tokens = c.stats.tokensThisMinute(ctx.now);
        const requests = c.stats.requestsThisMinute(ctx.now);
        if (
          best === undefined || tokens < bestTokens ||
          (tokens === bestTokens && requests < bestRequests)
        ) {
          best = c;
          bestTokens = tokens;
          bestRequests = requests;
          ties = 1;
        } else if (
          tokens === bestTokens && requests === bestRequests && ctx.random() * ++ties < 1
        ) {
          best = c;
        }
      }
      return best;
    },
  };
}
