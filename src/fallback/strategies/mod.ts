/**
 * Routing strategies: how the Router picks one deployment of a group.
 *
 * @example
 * ```ts
 * import { createStrategy } from "./mod.ts";
 * console.assert(createStrategy("usage-based-routing-v2").name === "usage-based-routing-v2");
 * ```
 *
 * @module
 */

import type { RoutingStrategyName } from "../config.ts";
import type { RoutingStrategy } from "./types.ts";
import { simpleShuffle } from "./simple_shuffle.ts";
import { leastBusy } from "./least_busy.ts";
import { createLatencyStrategy } from "./latency.ts";
import { createUsageStrategy } from "./usage.ts";
import { lowestCost } from "./cost.ts";

export type { Candidate, PickContext, RoutingStrategy } from "./types.ts";
export { simpleShuffle } from "./simple_shuffle.ts";
export { leastBusy } from "./least_busy.ts";
export { createLatencyStrategy, type LatencyStrategyOptions } from "./latency.ts";
export { createUsageStrategy } from "./usage.ts";
export { lowestCost } from "./cost.ts";

/** Every strategy name the Router accepts. */
export const ROUTING_STRATEGIES: readonly RoutingStrategyName[] = [
  "simple-shuffle",
  "least-busy",
  "latency-based-routing",
  "usage-based-routing",
  "usage-based-routing-v2",
  "cost-based-routing",
];

/** The strategy for a LiteLLM strategy name; an unknown name is a `TypeError`. */
export function createStrategy(
  name: RoutingStrategyName,
  args: { lowest_latency_buffer?: number } = {},
): RoutingStrategy {
  switch (name) {
    case "simple-shuffle":
      return simpleShuffle;
    case "least-busy":
      return leastBusy;
    case "latency-based-routing":
      return createLatencyStrategy({ lowestLatencyBuffer: args.lowest_latency_buffer ?? 0 });
    case "usage-based-routing":
    case "usage-based-routing-v2":
      return createUsageStrategy(name);
    case "cost-based-routing":
      return lowestCost;
    default:
      throw new TypeError(
        `Unknown routing_strategy "${String(name)}"; expected one of: ${
          ROUTING_STRATEGIES.join(", ")
        }`,
      );
  }
}
