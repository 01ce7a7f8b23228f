/**
 * `cost-based-routing`: skip candidates at their rpm/tpm limit, then pick
 * the cheapest by `input_cost_per_token + output_cost_per_token` (from
 * `litellm_params` or `model_info`). A deployment without prices counts as
 * the most expensive (LiteLLM prices unknown models at $1 a token); ties are
 * broken at random.
 *
 * @module
 */

import type { Candidate, PickContext, RoutingStrategy } from "./types.ts";
import { atLimit } from "./_limits.ts";

/**
 * Pick the cheapest.
 *
 * @example
 * ```ts
 * import { lowestCost } from "./cost.ts";
 * import { createDeployment } from "../deployment.ts";
 * import { DeploymentStats } from "../stats.ts";
 * const c = (id: string, price: number) => ({
 *   deployment: createDeployment({
 *     model_name: "g",
 *     litellm_params: { model: "openai/gpt-4o", input_cost_per_token: price, output_cost_per_token: price },
 *     model_info: { id },
 *   }),
 *   stats: new DeploymentStats(),
 * });
 * const picked = lowestCost.pick([c("dear", 3e-5), c("cheap", 1e-7)], {
 *   random: Math.random, now: 0, stream: false, inputTokens: undefined,
 * });
 * console.assert(picked?.deployment.id === "cheap");
 * ```
 */
export const lowestCost: RoutingStrategy = {
  name: "cost-based-routing",
  usesInputTokens: true,
  pick(candidates: readonly Candidate[], ctx: PickContext): Candidate | undefined {
    let best: Candidate | undefined;
    let ties = 0;
    for (const c of candidates) {
      if (atLimit(c, ctx)) continue;
      const cost = c.deployment.costPerToken;
      if (best === undefined || cost < best.deployment.costPerToken) {
        best = c;
        ties = 1;
      } else if (cost === best.deployment.costPerToken && ctx.random() * ++ties < 1) {
        best = c;
      }
    }
    return best;
  },
};
