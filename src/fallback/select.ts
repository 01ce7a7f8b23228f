/**
 * The routing decision: from a group's deployments, drop the ones that
 * cannot take the request now (cooling down, at `max_parallel_requests`,
 * too small for the prompt, already tried), then let the strategy pick.
 * Synchronous and allocation-light, as it runs on every request.
 *
 * @module
 */

import { ContextWindowExceededError } from "../errors.ts";
import type { Cooldown } from "./cooldown.ts";
import type { Deployment } from "./deployment.ts";
import { DeploymentStats } from "./stats.ts";
import type { Candidate, RoutingStrategy } from "./strategies/types.ts";
import { type CooldownListEntry, RouterRateLimitError } from "./errors.ts";

/** A model group, prepared once for routing. */
export interface RoutingGroup {
  /** The group name (`model_name`). */
  readonly name: string;
  /** Its deployments with their live stats, in `model_list` order. */
  readonly candidates: readonly Candidate[];
  /** The deployment ids, for cooldown look-ups. */
  readonly ids: readonly string[];
  /** Whether any deployment sets `max_parallel_requests`. */
  readonly hasParallelLimit: boolean;
  /** Whether any deployment sets `model_info.max_input_tokens`. */
  readonly hasMaxInputTokens: boolean;
  /** Whether routing needs the prompt's token count (context windows, tpm headroom). */
  readonly needsInputTokens: boolean;
}

/**
 * Prepare a group for routing; each deployment gets fresh stats.
 *
 * @example
 * ```ts
 * import { createRoutingGroup } from "./select.ts";
 * import { createDeployment } from "./deployment.ts";
 * import { simpleShuffle } from "./strategies/simple_shuffle.ts";
 * const d = createDeployment({ model_name: "g", litellm_params: { model: "openai/gpt-4o" } });
 * const group = createRoutingGroup("g", [d], simpleShuffle);
 * console.assert(group.ids[0] === d.id && !group.needsInputTokens);
 * ```
 */
export function createRoutingGroup(
  name: string,
  deployments: readonly Deployment[],
  strategy: RoutingStrategy,
): RoutingGroup {
  const candidates = deployments.map((deployment) => ({
    deployment,
    stats: new DeploymentStats(),
  }));
  const hasMaxInputTokens = deployments.some((d) => d.maxInputTokens !== undefined);
  return {
    name,
    candidates,
    ids: deployments.map((d) => d.id),
    hasParallelLimit: deployments.some((d) => d.maxParallelRequests !== undefined),
    hasMaxInputTokens,
    needsInputTokens: hasMaxInputTokens ||
      (strategy.usesInputTokens && deployments.some((d) => d.tpm !== undefined)),
  };
}

/** Inputs of {@linkcode selectDeployment}. */
export interface SelectOptions {
  /** The strategy that picks among the deployments left. */
  strategy: RoutingStrategy;
  /** Uniform random in [0, 1). */
  random: () => number;
  /** Current time in ms. */
  now: number;
  /** Whether the request streams. */
  stream: boolean;
  /** Active cooldowns (ids of this group). */
  cooling?: ReadonlyMap<string, Cooldown> | undefined;
  /** Deployments not to pick (those that already failed this request). */
  exclude?: ReadonlySet<string> | undefined;
  /** The prompt's tokens, when counted. */
  inputTokens?: number | undefined;
}

/** The outcome of {@linkcode selectDeployment}: a candidate, or why there is none. */
export type Selection =
  | { readonly candidate: Candidate; readonly failure?: undefined }
  | { readonly candidate?: undefined; readonly failure: Error };

const NOTHING_LEFT: Selection = { failure: new Error("every deployment was excluded") };

/**
 * Pick a deployment of `group` for one request. When none is left the
 * failure is a {@linkcode ContextWindowExceededError} (every deployment is
 * too small for the prompt) or a {@linkcode RouterRateLimitError} (cooling
 * down, full, or at the rpm/tpm limit; its `retryAfter` says when one
 * returns). With `exclude` and nothing left, the failure is a plain `Error`
 * (the caller then waits and picks again without excluding).
 *
 * @example
 * ```ts
 * import { createRoutingGroup, selectDeployment } from "./select.ts";
 * import { createDeployment } from "./deployment.ts";
 * import { simpleShuffle } from "./strategies/simple_shuffle.ts";
 * const deployments = ["a", "b"].map((id) =>
 *   createDeployment({ model_name: "g", litellm_params: { model: "openai/gpt-4o" }, model_info: { id } })
 * );
 * const group = createRoutingGroup("g", deployments, simpleShuffle);
 * const cooling = new Map([["a", { startedAt: 0, until: 5000, status: 429, reason: "" }]]);
 * const picked = selectDeployment(group, { strategy: simpleShuffle, random: Math.random, now: 0, stream: false, cooling });
 * console.assert(picked.candidate?.deployment.id === "b");
 * ```
 */
export function selectDeployment(group: RoutingGroup, options: SelectOptions): Selection {
  const { cooling, exclude, inputTokens } = options;
  let candidates = group.candidates;
  let tooSmall = 0;
  let largest = 0;
  if (
    (cooling !== undefined && cooling.size > 0) || (exclude !== undefined && exclude.size > 0) ||
    group.hasParallelLimit || group.hasMaxInputTokens
  ) {
    const kept: Candidate[] = [];
    for (const c of group.candidates) {
      const d = c.deployment;
      if (cooling?.has(d.id) || exclude?.has(d.id)) continue;
      if (
        inputTokens !== undefined && d.maxInputTokens !== undefined &&
        inputTokens > d.maxInputTokens
      ) {
        tooSmall++;
        largest = Math.max(largest, d.maxInputTokens);
        continue;
      }
      if (d.maxParallelRequests !== undefined && c.stats.inFlight >= d.maxParallelRequests) {
        continue;
      }
      kept.push(c);
    }
    candidates = kept;
  }
  if (candidates.length > 0) {
    const candidate = options.strategy.pick(candidates, {
      random: options.random,
      now: options.now,
      stream: options.stream,
      inputTokens,
    });
    if (candidate !== undefined) return { candidate };
  }
  if (exclude !== undefined && exclude.size > 0) return NOTHING_LEFT;
  if (tooSmall > 0 && tooSmall === group.candidates.length) {
    return {
      failure: new ContextWindowExceededError(
        `The prompt (${inputTokens} tokens) exceeds the context window of every deployment of ` +
          `"${group.name}" (largest max_input_tokens: ${largest})`,
        { model: group.name, code: "context_length_exceeded", param: "messages" },
      ),
    };
  }
  return {
    failure: noDeploymentsError(group, cooling, options.now, candidates.length > 0),
  };
}

/**
 * LiteLLM's "No deployments available for selected model, Try again in N
 * seconds" error, with the cooldowns and when the first deployment returns.
 */
export function noDeploymentsError(
  group: RoutingGroup,
  cooling: ReadonlyMap<string, Cooldown> | undefined,
  now: number,
  atLimit: boolean,
): RouterRateLimitError {
  const list: CooldownListEntry[] = [];
  for (const [id, c] of cooling ?? []) list.push({ id, until: c.until, status: c.status });
  list.sort((a, b) => a.until - b.until);
  let retryAfter: number | undefined;
  let why: string;
  if (atLimit) {
    retryAfter = (60_000 - (now % 60_000)) / 1000;
    why = "every deployment is at its rpm/tpm limit for this minute";
  } else if (list.length > 0 && list.length === group.candidates.length) {
    retryAfter = (list[0].until - now) / 1000;
    why = `every deployment is cooling down; the first (${list[0].id}) returns in ${retryAfter} s`;
  } else if (list.length > 0) {
    retryAfter = (list[0].until - now) / 1000;
    why = "the deployments not cooling down are at max_parallel_requests; the first cooling " +
      `one (${list[0].id}) returns in ${retryAfter} s`;
  } else {
    why = "every deployment is at max_parallel_requests";
  }
  const seconds = retryAfter === undefined ? "a moment" : `${Math.ceil(retryAfter)} seconds`;
  return new RouterRateLimitError(
    `No deployments available for selected model, Try again in ${seconds}. ` +
      `Passed model=${group.name}: ${why}. cooldown_list=${JSON.stringify(list.map((c) => c.id))}`,
    {
      modelGroup: group.name,
      model: group.name,
      cooldownList: list,
      ...(retryAfter === undefined ? {} : {
        retryAfter,
        headers: { "retry-after": String(Math.max(0, Math.ceil(retryAfter))) },
      }),
    },
  );
}
