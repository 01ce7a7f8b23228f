/**
 * YAML text → plain values, keeping node positions so a config error can
 * name the line and column of the offending value.
 *
 * @module
 */

import { isNode, LineCounter, parseDocument } from "yaml";
import { ConfigError } from "./errors.ts";
import type { ConfigPath } from "./env.ts";

/** A parsed YAML document. */
export interface YamlDocument {
  /** The document as plain JS values (`undefined` for an empty document). */
  value: unknown;
  /** 1-based line and column of the value at `path` (or of its nearest existing parent). */
  locate(path: ConfigPath): { line: number; column: number } | undefined;
}

/**
 * Parse YAML (1.2 core schema, merge keys `<<` allowed as PyYAML does,
 * duplicate keys rejected). A syntax error is a {@linkcode ConfigError}
 * naming the line and column.
 */
export function parseYaml(text: string): YamlDocument {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    lineCounter,
    prettyErrors: false,
    merge: true,
    uniqueKeys: true,
  });
  const first = doc.errors[0];
  if (first !== undefined) {
    const pos = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
    const reason = first.code === "MULTIPLE_DOCS"
      ? "a config holds one YAML document; remove the extra ---"
      : first.message.replace(/\s+at line \d+, column \d+:?[\s\S]*$/, "").trim();
    throw new ConfigError({
      path: "",
      expected: "valid YAML",
      found: reason,
      line: pos.line,
      column: pos.col,
      message: `Invalid YAML at line ${pos.line}, column ${pos.col}: ${reason}`,
    });
  }
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (error) {
    // e.g. an alias bomb: more alias expansions than yaml's default limit.
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError({
      path: "",
      expected: "valid YAML",
      found: reason,
      message: `Invalid YAML: ${reason}`,
      cause: error,
    });
  }
  return {
    value,
    locate(path) {
      for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) {
          const pos = lineCounter.linePos(node.range[0]);
          return { line: pos.line, column: pos.col };
        }
      }
      return undefined;
    },
  };
}
