/**
 * Deterministic test helpers for the Router: a fake clock, a seeded random
 * source, a sleep that records its durations and advances the clock, and a
 * shorthand for OpenAI-protocol deployments.
 *
 * @module
 */

import type { ChatMessage } from "../../src/types.ts";
import type { DeploymentConfig, LiteLLMParams } from "../../src/fallback/mod.ts";

/** A clock that only moves when told to. */
export interface FakeClock {
  now(): number;
  advance(ms: number): void;
}

/** A fake clock starting at a fixed instant (aligned on a minute). */
export function fakeClock(start = 1_700_000_040_000): FakeClock {
  let t = start;
  return {
    now: () => t,
    advance: (ms) => {
      t += ms;
    },
  };
}

/** mulberry32: a seeded uniform random source in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A sleep that returns at once, advancing the clock and recording each duration. */
export function recordingSleep(clock: FakeClock): {
  sleep: (ms: number) => Promise<void>;
  sleeps: number[];
} {
  const sleeps: number[] = [];
  return {
    sleeps,
    sleep: (ms) => {
      sleeps.push(ms);
      clock.advance(ms);
      return Promise.resolve();
    },
  };
}

/** One user message. */
export const MESSAGES: ChatMessage[] = [{ role: "user", content: "Hello" }];

/** An OpenAI-protocol deployment with its own id and `api_base`. */
export function deployment(
  id: string,
  group: string,
  apiBase: string,
  extra: Partial<LiteLLMParams> = {},
  modelInfo: Record<string, unknown> = {},
): DeploymentConfig {
  return {
    model_name: group,
    litellm_params: {
      model: "openai/gpt-4o-mini",
      api_key: `sk-${id}`,
      api_base: apiBase,
      ...extra,
    },
    model_info: { id, ...modelInfo },
  };
}
