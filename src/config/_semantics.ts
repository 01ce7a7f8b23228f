/**
 * Checks that need the whole config: unique deployment ids, fallbacks and
 * aliases that name existing groups, and `credential_list` references.
 *
 * @module
 */

import type { FallbackList } from "../fallback/config.ts";
import { ConfigError } from "./errors.ts";
import { isMapping } from "./env.ts";
import { describeFound, formatPath, quoteList } from "./_format.ts";
import type { GatewayConfig } from "./types.ts";

/** Two deployments with the same `model_info.id` are an error at the second. */
export function checkUniqueIds(config: GatewayConfig): void {
  const seen = new Map<string, number>();
  config.model_list.forEach((entry, i) => {
    const id = entry.model_info?.id;
    if (id === undefined) return;
    const first = seen.get(id);
    if (first !== undefined) {
      const path = ["model_list", i, "model_info", "id"];
      throw new ConfigError({
        path: formatPath(path),
        expected: "an id no other deployment uses",
        found: describeFound(id, path),
        note: `already the id of model_list[${first}]`,
      });
    }
    seen.set(id, i);
  });
}

function knownNote(groups: ReadonlySet<string>): string {
  return `known groups: ${quoteList([...groups])}`;
}

function checkFallbackList(
  list: FallbackList | undefined,
  path: (string | number)[],
  groups: ReadonlySet<string>,
): void {
  list?.forEach((item, i) => {
    for (const [source, targets] of Object.entries(item)) {
      if (source !== "*" && !groups.has(source)) {
        throw new ConfigError({
          path: formatPath([...path, i]),
          expected: 'keys that are model groups defined in model_list (or "*")',
          found: `key ${JSON.stringify(source)}`,
          note: knownNote(groups),
        });
      }
      targets.forEach((target, j) => {
        if (!groups.has(target)) {
          const at = [...path, i, source, j];
          throw new ConfigError({
            path: formatPath(at),
            expected: "a model group defined in model_list",
            found: describeFound(target, at),
            note: knownNote(groups),
          });
        }
      });
    }
  });
}

/**
 * Every fallback list (`fallbacks`, `context_window_fallbacks`,
 * `content_policy_fallbacks`, `default_fallbacks`, llmux's
 * `budget_fallbacks`, in both sections) and every `model_group_alias` must
 * name groups that `model_list` defines (or aliases of them).
 */
export function checkGroups(config: GatewayConfig): void {
  const groups = new Set(config.model_list.map((e) => e.model_name));
  const rs = config.router_settings;
  for (const [alias, target] of Object.entries(rs.model_group_alias ?? {})) {
    const group = typeof target === "string" ? target : target.model;
    if (!groups.has(group)) {
      const path = ["router_settings", "model_group_alias", alias];
      if (typeof target !== "string") path.push("model");
      throw new ConfigError({
        path: formatPath(path),
        expected: "a model group defined in model_list",
        found: describeFound(group, path),
        note: knownNote(groups),
      });
    }
  }
  const known = new Set([...groups, ...Object.keys(rs.model_group_alias ?? {})]);
  for (const sectionName of ["litellm_settings", "router_settings"] as const) {
    const s = config[sectionName];
    for (
      const key of [
        "fallbacks",
        "context_window_fallbacks",
        "content_policy_fallbacks",
        "budget_fallbacks",
      ] as const
    ) {
      checkFallbackList(s[key] as FallbackList | undefined, [sectionName, key], known);
    }
    const defaults = s.default_fallbacks as readonly string[] | undefined;
    defaults?.forEach((target, j) => {
      if (!known.has(target)) {
        const at = [sectionName, "default_fallbacks", j];
        throw new ConfigError({
          path: formatPath(at),
          expected: "a model group defined in model_list",
          found: describeFound(target, at),
          note: knownNote(groups),
        });
      }
    });
  }
}

/**
 * Fill `litellm_params` from `credential_list` (LiteLLM's
 * `litellm_credential_name`): the credential's values under the
 * deployment's own. Works on the resolved tree before validation, so the
 * merged values are validated like any other. Changes `tree` in place (a
 * fresh copy from `resolveEnvRefs`); returns the indices of the
 * deployments that took their `api_key` from a credential, with the
 * credential's index.
 */
export function applyCredentials(tree: Record<string, unknown>): Map<number, number> {
  const used = new Map<number, number>();
  const models = tree.model_list;
  const credentials = tree.credential_list;
  if (!Array.isArray(models)) return used;
  const byName = new Map<string, number>();
  if (Array.isArray(credentials)) {
    credentials.forEach((c, j) => {
      if (isMapping(c) && typeof c.credential_name === "string" && !byName.has(c.credential_name)) {
        byName.set(c.credential_name, j);
      }
    });
  }
  models.forEach((entry, i) => {
    if (!isMapping(entry) || !isMapping(entry.litellm_params)) return;
    const lp = entry.litellm_params;
    const name = lp.litellm_credential_name;
    if (name === undefined) return;
    const j = typeof name === "string" ? byName.get(name) : undefined;
    if (j === undefined) {
      const path = ["model_list", i, "litellm_params", "litellm_credential_name"];
      throw new ConfigError({
        path: formatPath(path),
        expected: "a credential_name from credential_list",
        found: describeFound(name, path),
        note: byName.size === 0
          ? "credential_list is empty"
          : `known: ${quoteList([...byName.keys()])}`,
      });
    }
    const values = (credentials as Record<string, unknown>[])[j]!.credential_values;
    if (!isMapping(values)) return;
    entry.litellm_params = { ...values, ...lp };
    if (lp.api_key === undefined) used.set(i, j);
  });
  return used;
}
