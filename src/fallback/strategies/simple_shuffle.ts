/**
 * `simple-shuffle` (LiteLLM's default): a weighted random pick. Weights are
 * `weight` when any candidate sets it, else `rpm`, else `tpm`; a candidate
 * without the chosen field weighs 0, as in LiteLLM. With no weights (or all
 * zero) the pick is uniform.
 *
 * @module
 */

import type { Candidate, PickContext, RoutingStrategy } from "./types.ts";

type WeightField = "weight" | "rpm" | "tpm";

function weightField(candidates: readonly Candidate[]): WeightField | undefined {
  let rpm = false;
  let tpm = false;
  for (const c of candidates) {
    if (c.deployment.weight !== undefined) return "weight";
    if (c.deployment.rpm !== undefined) rpm = true;
    if (c.deployment.tpm !== undefined) tpm = true;
  }
  return rpm ? "rpm" : tpm ? "tpm" : undefined;
}

/**
 * Pick by weight.
 *
 * @example
 * ```ts
 * import { simpleShuffle } from "./simple_shuffle.ts";
 * import { createDeployment } from "../deployment.ts";
 * import { DeploymentStats } from "../stats.ts";
 * const c = (id: string, weight: number) => ({
 *   deployment: createDeployment({ model_name: "g", litellm_params: { model: "openai/gpt-4o", weight }, model_info: { id } }),
 *   stats: new DeploymentStats(),
 * });
 * const picked = simpleShuffle.pick([c("a", 9), c("b", 1)], {
 *   random: () => 0.95, now: 0, stream: false, inputTokens: undefined,
 * });
 * console.assert(picked?.deployment.id === "b");
 * ```
 */
export const simpleShuffle: RoutingStrategy = {
  name: "simple-shuffle",
  usesInputTokens: false,
  pick(candidates: readonly Candidate[], ctx: PickContext): Candidate | undefined {
    const n = candidates.length;
    if (n <= 1) return candidates[0];
    const field = weightField(candidates);
    let total = 0;
    if (field !== undefined) {
      for (const c of candidates) total += c.deployment[field] ?? 0;
    }
    if (!(total > 0)) return candidates[Math.min(n - 1, Math.floor(ctx.random() * n))];
    let r = ctx.random() * total;
    for (const c of candidates) {
      const w = c.deployment[field!] ?? 0;
      if (r < w) return c;
      r -= w;
    }
    // Floating-point leftovers: the last candidate with a weight.
    for (let i = n - 1; i >= 0; i--) {
      if ((candidates[i].deployment[field!] ?? 0) > 0) return candidates[i];
    }
    return candidates[n - 1];
  },
};
