/**
 * Environment handling for the config: `os.environ/NAME` references (LiteLLM's
 * syntax, valid for any value in the file) and the layering of the config's
 * `environment_variables` under the process environment. Everything works on
 * an injected reader; nothing here touches `Deno.env`.
 *
 * @module
 */

import type { EnvReader, EnvSource } from "./types.ts";

/** The prefix LiteLLM uses for "read this value from the environment". */
export const ENV_REF_PREFIX = "os.environ/";

/** A path into the config tree: keys and list indices. */
export type ConfigPath = readonly (string | number)[];

/** A reference whose variable is not set. */
export interface MissingEnvRef {
  /** Where the reference is. */
  path: ConfigPath;
  /** The variable it names. */
  name: string;
}

/** The result of {@linkcode resolveEnvRefs}. */
export interface ResolvedEnvRefs {
  /** A copy of the tree with every set reference replaced by its value and every unset one removed. */
  value: unknown;
  /** The references whose variable is unset, in document order. */
  missing: MissingEnvRef[];
}

/**
 * A reader over an {@linkcode EnvSource}: a function is used as is, a map
 * is looked up by own keys only.
 *
 * @example
 * ```ts
 * import { toEnvReader } from "./env.ts";
 * const env = toEnvReader({ OPENAI_API_KEY: "sk-1" });
 * console.assert(env("OPENAI_API_KEY") === "sk-1" && env("toString") === undefined);
 * ```
 */
export function toEnvReader(source: EnvSource): EnvReader {
  if (typeof source === "function") return source;
  const vars: Readonly<Record<string, string | undefined>> = { ...source };
  return (name) => Object.hasOwn(vars, name) ? vars[name] : undefined;
}

/**
 * The environment the config sees: the process environment, then the
 * config's `environment_variables` for names it leaves unset. This is
 * LiteLLM's order: it sets each `environment_variables` entry to the value
 * already in the environment when there is one, the config's otherwise.
 *
 * @example
 * ```ts
 * import { withConfigEnv } from "./env.ts";
 * const env = withConfigEnv({ A: "process" }, { A: "config", B: "config" });
 * console.assert(env("A") === "process" && env("B") === "config" && env("C") === undefined);
 * ```
 */
export function withConfigEnv(
  base: EnvSource,
  configEnv: Readonly<Record<string, string>>,
): EnvReader {
  const read = toEnvReader(base);
  const vars = { ...configEnv };
  return (name) => read(name) ?? (Object.hasOwn(vars, name) ? vars[name] : undefined);
}

/** The variable an `os.environ/NAME` string names, or `undefined` for any other value. */
export function envRefName(value: unknown): string | undefined {
  if (typeof value !== "string" || !value.startsWith(ENV_REF_PREFIX)) return undefined;
  return value.slice(ENV_REF_PREFIX.length).trim();
}

/**
 * Replace every `os.environ/NAME` string in a YAML tree (mappings and lists,
 * any depth) with the variable's value. An unset variable removes the key
 * (or the list item) and is reported in `missing`, so the caller decides
 * whether that is fatal. The input is not modified.
 *
 * @example
 * ```ts
 * import { resolveEnvRefs } from "./env.ts";
 * const { value, missing } = resolveEnvRefs(
 *   { a: "os.environ/A", b: ["os.environ/B", "x"] },
 *   (name) => name === "A" ? "1" : undefined,
 * );
 * console.assert(JSON.stringify(value) === '{"a":"1","b":["x"]}');
 * console.assert(missing[0].name === "B" && missing[0].path.join(".") === "b.0");
 * ```
 */
export function resolveEnvRefs(tree: unknown, env: EnvReader): ResolvedEnvRefs {
  const missing: MissingEnvRef[] = [];
  const walk = (node: unknown, path: (string | number)[]): unknown => {
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      node.forEach((item, i) => {
        const name = envRefName(item);
        if (name !== undefined) {
          const value = env(name);
          if (value === undefined) missing.push({ path: [...path, i], name });
          else out.push(value);
        } else {
          out.push(walk(item, [...path, i]));
        }
      });
      return out;
    }
    if (isMapping(node)) {
      const out: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(node)) {
        const name = envRefName(item);
        if (name !== undefined) {
          const value = env(name);
          if (value === undefined) missing.push({ path: [...path, key], name });
          else out[key] = value;
        } else {
          out[key] = walk(item, [...path, key]);
        }
      }
      return out;
    }
    return node;
  };
  return { value: walk(tree, []), missing };
}

/** A plain YAML mapping (not a list, not null). */
export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
