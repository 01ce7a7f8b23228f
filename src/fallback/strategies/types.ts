/**
 * The routing-strategy contract: pick one deployment among the healthy
 * candidates of a group. Strategies are pure functions of the candidates,
 * their live stats and the injected randomness and clock.
 *
 * @module
 */

import type { Deployment } from "../deployment.ts";
import type { DeploymentStats } from "../stats.ts";

/** A deployment the strategy may pick, with its live stats. */
export interface Candidate {
  /** The deployment. */
  readonly deployment: Deployment;
  /** Its live numbers (in flight, latency, this minute's usage). */
  readonly stats: DeploymentStats;
}

/** What a strategy knows about the request. */
export interface PickContext {
  /** Uniform random number in [0, 1) (injected). */
  random(): number;
  /** Current time in ms (injected clock). */
  readonly now: number;
  /** Whether the request streams (latency-based routing then compares time to first token). */
  readonly stream: boolean;
  /** Prompt tokens, when counted (usage-based routing checks tpm headroom with it). */
  readonly inputTokens: number | undefined;
}

/** A routing strategy. */
export interface RoutingStrategy {
  /** Its name, e.g. `"simple-shuffle"`. */
  readonly name: string;
  /** Whether it needs `inputTokens` for candidates with a `tpm` limit. */
  readonly usesInputTokens: boolean;
  /**
   * Pick one candidate, or `undefined` when none may take the request
   * (e.g. every one is at its rpm/tpm limit). `candidates` is never empty.
   */
  pick(candidates: readonly Candidate[], ctx: PickContext): Candidate | undefined;
}
