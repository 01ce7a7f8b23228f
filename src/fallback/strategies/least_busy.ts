/**
 * `least-busy`: the candidate with the fewest calls in flight (streams count
 * until they end); ties are broken at random.
 *
 * @module
 */

import type { Candidate, PickContext, RoutingStrategy } from "./types.ts";

/**
 * Pick the idlest.
 *
 * @example
 * ```ts
 * import { leastBusy } from "./least_busy.ts";
 * import { createDeployment } from "../deployment.ts";
 * import { DeploymentStats } from "../stats.ts";
 * const c = (id: string, inFlight: number) => {
 *   const stats = new DeploymentStats();
 *   stats.inFlight = inFlight;
 *   return { deployment: createDeployment({ model_name: "g", litellm_params: { model: "openai/gpt-4o" }, model_info: { id } }), stats };
 * };
 * const picked = leastBusy.pick([c("a", 3), c("b", 0)], {
 *   random: Math.random, now: 0, stream: false, inputTokens: undefined,
 * });
 * console.assert(picked?.deployment.id === "b");
 * ```
 */
export const leastBusy: RoutingStrategy = {
  name: "least-busy",
  usesInputTokens: false,
  pick(candidates: readonly Candidate[], ctx: PickContext): Candidate | undefined {
    let best: Candidate | undefined;
    let ties = 0;
    for (const c of candidates) {
      const load = c.stats.inFlight;
      if (best === undefined || load < best.stats.inFlight) {
        best = c;
        ties = 1;
      } else if (load === best.stats.inFlight && ctx.random() * ++ties < 1) {
        best = c;
      }
    }
    return best;
  },
};
