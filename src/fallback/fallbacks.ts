/**
 * Fallback chains: parse LiteLLM's `[{ "group": ["next", …] }]` lists once,
 * and answer "where does a request for this group go after this kind of
 * failure".
 *
 * @module
 */

import type { FallbackList } from "./config.ts";
import type { FallbackRoute } from "./policy.ts";

/** The key LiteLLM uses for "every other group". */
export const WILDCARD_GROUP = "*";

/** Parsed fallback lists, by kind. */
export interface FallbackTable {
  /** Generic fallbacks per group (`"*"` holds `default_fallbacks`). */
  readonly generic: ReadonlyMap<string, readonly string[]>;
  /** Context-window fallbacks per group. */
  readonly contextWindow: ReadonlyMap<string, readonly string[]>;
  /** Content-policy fallbacks per group. */
  readonly contentPolicy: ReadonlyMap<string, readonly string[]>;
}

/**
 * Parse one LiteLLM fallback list into a map. Each item must be an object
 * whose values are lists of group names; the first entry for a group wins.
 * A bad shape is a `TypeError` naming the setting.
 *
 * @example
 * ```ts
 * import { parseFallbackList } from "./fallbacks.ts";
 * const map = parseFallbackList([{ "gpt": ["claude", "local"] }], "fallbacks");
 * console.assert(map.get("gpt")?.join() === "claude,local");
 * ```
 */
export function parseFallbackList(
  list: FallbackList | undefined,
  setting: string,
): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  if (list === undefined || list === null) return out;
  if (!Array.isArray(list)) {
    throw new TypeError(`Invalid ${setting}: expected a list like [{"group": ["fallback"]}]`);
  }
  list.forEach((item, i) => {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      throw new TypeError(
        `Invalid ${setting}[${i}]: expected an object like {"group": ["fallback"]}`,
      );
    }
    for (const [group, targets] of Object.entries(item)) {
      const names = typeof targets === "string" ? [targets] : targets;
      if (!Array.isArray(names) || names.some((n) => typeof n !== "string" || n === "")) {
        throw new TypeError(
          `Invalid ${setting}[${i}]["${group}"]: expected a list of model groups`,
        );
      }
      if (!out.has(group)) out.set(group, Object.freeze([...names]));
    }
  });
  return out;
}

/**
 * Build the fallback table from the Router settings. `default_fallbacks`
 * becomes the `"*"` entry of the generic list unless one is given there.
 */
export function createFallbackTable(config: {
  fallbacks?: FallbackList | undefined;
  context_window_fallbacks?: FallbackList | undefined;
  content_policy_fallbacks?: FallbackList | undefined;
  default_fallbacks?: readonly string[] | undefined;
}): FallbackTable {
  const generic = parseFallbackList(config.fallbacks, "fallbacks");
  if (config.default_fallbacks !== undefined && config.default_fallbacks !== null) {
    const defaults = parseFallbackList(
      [{ [WILDCARD_GROUP]: config.default_fallbacks }],
      "default_fallbacks",
    );
    if (!generic.has(WILDCARD_GROUP)) generic.set(WILDCARD_GROUP, defaults.get(WILDCARD_GROUP)!);
  }
  return {
    generic,
    contextWindow: parseFallbackList(config.context_window_fallbacks, "context_window_fallbacks"),
    contentPolicy: parseFallbackList(config.content_policy_fallbacks, "content_policy_fallbacks"),
  };
}

/** Every group a fallback table names (for validation against `model_list`). */
export function fallbackTargets(table: FallbackTable): Set<string> {
  const out = new Set<string>();
  for (const map of [table.generic, table.contextWindow, table.contentPolicy]) {
    for (const list of map.values()) for (const g of list) out.add(g);
  }
  return out;
}

/**
 * The groups to try after `group` failed with a failure of the given route,
 * in order:
 * - `context_window` / `content_policy`: the group's entry in the dedicated
 *   list; without one, the generic chain (LiteLLM: "defaulting to fallbacks");
 * - `generic`: the group's entry in `fallbacks`, else the `"*"` entry
 *   (`default_fallbacks`);
 * - `none`: nothing.
 *
 * @example
 * ```ts
 * import { createFallbackTable, fallbacksFor } from "./fallbacks.ts";
 * const table = createFallbackTable({
 *   fallbacks: [{ a: ["b"] }],
 *   context_window_fallbacks: [{ a: ["big"] }],
 *   default_fallbacks: ["local"],
 * });
 * console.assert(fallbacksFor(table, "a", "context_window").join() === "big");
 * console.assert(fallbacksFor(table, "a", "generic").join() === "b");
 * console.assert(fallbacksFor(table, "z", "generic").join() === "local");
 * console.assert(fallbacksFor(table, "a", "none").length === 0);
 * ```
 */
export function fallbacksFor(
  table: FallbackTable,
  group: string,
  route: FallbackRoute,
): readonly string[] {
  if (route === "none") return [];
  if (route === "context_window") {
    const own = table.contextWindow.get(group);
    if (own !== undefined) return own;
  } else if (route === "content_policy") {
    const own = table.contentPolicy.get(group);
    if (own !== undefined) return own;
  }
  return table.generic.get(group) ?? table.generic.get(WILDCARD_GROUP) ?? [];
}
