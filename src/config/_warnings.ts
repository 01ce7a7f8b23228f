/**
 * Non-fatal findings: keys LiteLLM documents that llmux does not act on, keys
 * nobody documents, callbacks llmux lacks, `os.environ/NAME` references to
 * unset variables.
 *
 * @module
 */

import { CONFIG_KEYS, type SectionKeys, SUPPORTED_CALLBACKS } from "./known_keys.ts";
import { isMapping } from "./env.ts";
import { formatPath } from "./_format.ts";

function checkKeys(
  node: Record<string, unknown>,
  keys: SectionKeys,
  path: readonly (string | number)[],
  out: string[],
): void {
  for (const key of Object.keys(node)) {
    const where = formatPath([...path, key]);
    if (keys.supported.has(key)) continue;
    if (keys.accepted.has(key)) out.push(`${where}: accepted but not supported by llmux yet`);
    else out.push(`${where}: unknown key, ignored`);
  }
}

const SECTIONS = ["litellm_settings", "router_settings", "general_settings"] as const;
const CALLBACK_KEYS = ["callbacks", "success_callback", "failure_callback"] as const;

/**
 * Warnings for the keys of a config tree (before validation), in document
 * order: `general_settings.foo: unknown key, ignored`,
 * `litellm_settings.cache: accepted but not supported by llmux yet`.
 */
export function keyWarnings(tree: Record<string, unknown>): string[] {
  const out: string[] = [];
  checkKeys(tree, CONFIG_KEYS.top, [], out);
  for (const key of Object.keys(tree)) {
    const node = tree[key];
    if (key === "model_list" && Array.isArray(node)) {
      node.forEach((entry, i) => {
        if (isMapping(entry)) checkKeys(entry, CONFIG_KEYS.model_list, [key, i], out);
      });
    } else if (key === "credential_list" && Array.isArray(node)) {
      node.forEach((entry, i) => {
        if (isMapping(entry)) checkKeys(entry, CONFIG_KEYS.credential_list, [key, i], out);
      });
    } else if ((SECTIONS as readonly string[]).includes(key) && isMapping(node)) {
      checkKeys(node, CONFIG_KEYS[key as (typeof SECTIONS)[number]], [key], out);
      if (key === "litellm_settings") out.push(...callbackWarnings(node));
    }
  }
  return out;
}

function callbackWarnings(settings: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const key of CALLBACK_KEYS) {
    const value = settings[key];
    const names = typeof value === "string" ? [value] : Array.isArray(value) ? value : [];
    for (const name of names) {
      if (typeof name === "string" && !SUPPORTED_CALLBACKS.has(name)) {
        out.push(
          `${formatPath(["litellm_settings", key])}: callback ${
            JSON.stringify(name)
          } is not supported by llmux yet; ignored`,
        );
      }
    }
  }
  return out;
}
