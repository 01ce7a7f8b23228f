/**
 * The rpm/tpm headroom check shared by usage- and cost-based routing.
 *
 * @module
 */

import type { Candidate, PickContext } from "./types.ts";

/** True when taking one more request would exceed the deployment's rpm or tpm this minute. */
export function atLimit(c: Candidate, ctx: PickContext): boolean {
  const d = c.deployment;
  if (d.rpm !== undefined && c.stats.requestsThisMinute(ctx.now) + 1 > d.rpm) return true;
  if (d.tpm !== undefined && c.stats.tokensThisMinute(ctx.now) + (ctx.inputTokens ?? 0) > d.tpm) {
    return true;
  }
  return false;
}
