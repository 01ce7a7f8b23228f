/**
 * `latency-based-routing`: the candidate with the lowest moving average of
 * latency (of time to first token, for streams). Candidates with no sample
 * yet are tried first (at random), so every deployment gets measured. With
 * `lowest_latency_buffer` (e.g. 0.5) the pick is random among candidates
 * within that fraction of the fastest, as in LiteLLM.
 *
 * @module
 */

import type { Candidate, PickContext, RoutingStrategy } from "./types.ts";

/** Options of {@linkcode createLatencyStrategy}. */
export interface LatencyStrategyOptions {
  /** Pick at random among candidates within this fraction of the fastest (default 0). */
  lowestLatencyBuffer?: number;
}

/**
 * Create the latency-based strategy.
 *
 * @example
 * ```ts
 * import { createLatencyStrategy } from "./latency.ts";
 * import { createDeployment } from "../deployment.ts";
 * import { DeploymentStats } from "../stats.ts";
 * const c = (id: string, ms: number) => {
 *   const stats = new DeploymentStats();
 *   stats.latency.add(ms);
 *   return { deployment: createDeployment({ model_name: "g", litellm_params: { model: "openai/gpt-4o" }, model_info: { id } }), stats };
 * };
 * const picked = createLatencyStrategy().pick([c("slow", 900), c("fast", 120)], {
 *   random: Math.random, now: 0, stream: false, inputTokens: undefined,
 * });
 * console.assert(picked?.deployment.id === "fast");
 * ```
 */
export function createLatencyStrategy(options: LatencyStrategyOptions = {}): RoutingStrategy {
  const buffer = Math.max(0, options.lowestLatencyBuffer ?? 0);
  return {
    name: "latency-based-routing",
    usesInputTokens: false,
    pick(candidates: readonly Candidate[], ctx: PickContext): Candidate | undefined {
      let untried: Candidate | undefined;
      let untriedCount = 0;
      let best: Candidate | undefined;
      let bestMean = Number.POSITIVE_INFINITY;
      let ties = 0;
      for (const c of candidates) {
        const avg = ctx.stream ? c.stats.ttft : c.stats.latency;
        if (avg.count === 0) {
          if (ctx.random() * ++untriedCount < 1) untried = c;
          continue;
        }
        if (untriedCount > 0) continue;
        const mean = avg.mean;
        if (mean < bestMean) {
          best = c;
          bestMean = mean;
          ties = 1;
        } else if (mean === bestMean && ctx.random() * ++ties < 1) {
          best = c;
        }
      }
      if (untried !== undefined) return untried;
      if (buffer === 0 || best === undefined) return best;
      const limit = bestMean * (1 + buffer);
      let chosen = best;
      let count = 0;
      for (const c of candidates) {
        const mean = (ctx.stream ? c.stats.ttft : c.stats.latency).mean;
        if (mean <= limit && ctx.random() * ++count < 1) chosen = c;
      }
      return chosen;
    },
  };
}
