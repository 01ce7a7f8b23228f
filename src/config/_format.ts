/**
 * How config paths and found values are written in messages.
 *
 * @module
 */

import type { ConfigPath } from "./env.ts";

const IDENTIFIER_REGEXP = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `["model_list", 2, "litellm_params", "model"]` → `model_list[2].litellm_params.model`. */
export function formatPath(path: ConfigPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER_REGEXP.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Keys whose values are never echoed in messages. */
const SECRET_KEY_REGEXP =
  /(api_key|master_key|password|secret|access_key|access_key_id|private_key|database_url|redis_url|license)$|(^|_)token$/i;

/** Whether the value at this path may be a secret. */
export function isSecretPath(path: ConfigPath): boolean {
  return path.some((segment) => typeof segment === "string" && SECRET_KEY_REGEXP.test(segment));
}

const MAX_SHOWN = 60;

/**
 * A value as a message shows it: `string "fast"`, `number -1`, `boolean
 * true`, `null`, `a list`, `a mapping`, `nothing` (absent). Strings at
 * secret-looking paths are not echoed.
 */
export function describeFound(value: unknown, path: ConfigPath = []): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (typeof value === "string") {
    if (value === "") return "an empty string";
    if (isSecretPath(path)) return "a string (value hidden)";
    const shown = value.length > MAX_SHOWN ? `${value.slice(0, MAX_SHOWN)}…` : value;
    return `string ${JSON.stringify(shown)}`;
  }
  if (typeof value === "number") return `number ${value}`;
  if (typeof value === "boolean") return `boolean ${value}`;
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  if (value instanceof Date) return `date ${value.toISOString().slice(0, 10)}`;
  if (typeof value === "object") return "a mapping";
  return typeof value;
}

/** The value at `path` in a tree, or `undefined`. */
export function valueAt(tree: unknown, path: ConfigPath): unknown {
  let node: unknown = tree;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[segment];
  }
  return node;
}

/** `["a", "b"]` → `"a", "b"`. */
export function quoteList(values: readonly string[]): string {
  return values.map((v) => JSON.stringify(v)).join(", ");
}

const SEGMENT_SOURCE = /\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\.?([A-Za-z_][A-Za-z0-9_]*)/.source;

/** The inverse of {@linkcode formatPath}; `undefined` if the text is not such a path. */
export function parsePath(text: string): (string | number)[] | undefined {
  const out: (string | number)[] = [];
  const re = new RegExp(SEGMENT_SOURCE, "y");
  while (re.lastIndex < text.length) {
    const m = re.exec(text);
    if (m === null) return undefined;
    if (m[1] !== undefined) out.push(Number(m[1]));
    else if (m[2] !== undefined) out.push(JSON.parse(m[2]) as string);
    else out.push(m[3]!);
  }
  return out;
}
